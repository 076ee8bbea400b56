// The platform the app runs on, for shortcut labels and for tools that only
// exist on one OS (the webview tells; the backend does not need asking).
const ua = `${navigator.platform} ${navigator.userAgent}`;

export const isMac = /Mac|iPhone|iPad/.test(ua);
export const osName = isMac ? "macOS" : /Win/.test(ua) ? "Windows" : "Linux";

/** Device tools that only exist on macOS (Xcode's): no problem elsewhere. */
export const MAC_ONLY_TOOLS: ReadonlySet<string> = new Set(["xcrun"]);

/** "Mod+Shift+S" → "Ctrl+Shift+S" here, "⌘⇧S" on macOS (every Mod in the text). */
export function keyLabel(combo: string): string {
  if (!isMac) return combo.replace(/Mod\+/g, "Ctrl+");
  return combo.replace(/Mod\+/g, "⌘").replace(/Shift\+/g, "⇧").replace(/Alt\+/g, "⌥");
}

/** The platform's command modifier is down (Ctrl, or ⌘ on macOS). */
export const modKey = (e: { ctrlKey: boolean; metaKey: boolean }) => (isMac ? e.metaKey : e.ctrlKey);
