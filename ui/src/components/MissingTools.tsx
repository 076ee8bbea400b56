// Diagnostics' empty state for each device tool that is not installed:
// what it is needed for and how to install it on this system (the
// backend's per-OS hint), with its command ready to copy when it has one.
// Tools that share a hint (libimobiledevice's) are one entry.
import { useState } from "react";
import type { ToolInfo } from "../bindings/ToolInfo";
import { copyText } from "../lib/clipboard";
import { isMac, MAC_ONLY_TOOLS } from "../lib/platform";

const NEEDED_FOR: Record<string, string> = {
  adb: "Android phones and emulators",
  idevice_id: "iPhones over USB",
  ideviceinfo: "iPhones over USB",
  ideviceinstaller: "the apps of an iPhone",
  afcclient: "iOS app containers",
  xcrun: "iOS simulators",
  emulator: "booting Android virtual devices",
};

/**
 * The package manager command in an install hint ("… (Debian/Ubuntu: apt
 * install adb) …" → "sudo apt install adb"); apt needs root, brew must not
 * have it.
 */
export function installCommand(hint: string): string | null {
  const m = /\b(apt-get|apt|brew|dnf|pacman|winget|choco)\s+(install|-S)\s[^)\];,]+/.exec(hint);
  if (!m) return null;
  const command = m[0].trim();
  return m[1] === "apt" || m[1] === "apt-get" || m[1] === "dnf" || m[1] === "pacman" ? `sudo ${command}` : command;
}

export const isMissing = (t: ToolInfo) => !t.path && !!t.problem && (isMac || !MAC_ONLY_TOOLS.has(t.tool));

function CopyCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="install-command">
      <code data-testid="install-command">{command}</code>
      <button
        className="small"
        data-testid="copy-command"
        onClick={() =>
          void copyText(command).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          })
        }
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

export function MissingTools({ tools }: { tools: ToolInfo[] }) {
  const byHint = new Map<string, ToolInfo[]>();
  for (const t of tools.filter(isMissing)) byHint.set(t.problem as string, [...(byHint.get(t.problem as string) ?? []), t]);
  if (byHint.size === 0) return null;
  return (
    <div className="missing-tools" data-testid="missing-tools">
      {[...byHint].map(([hint, group]) => {
        const names = group.map((t) => t.tool);
        const uses = [...new Set(names.map((n) => NEEDED_FOR[n]).filter(Boolean))];
        const command = installCommand(hint);
        return (
          <div key={hint} className="missing-tool" data-testid="missing-tool" data-tools={names.join(" ")}>
            <strong>
              {names.join(", ")} {names.length === 1 ? "is" : "are"} not installed
            </strong>
            {uses.length > 0 && <span className="muted"> · needed for {uses.join(" and ")}</span>}
            <p className="missing-hint">{hint.charAt(0).toUpperCase() + hint.slice(1)}.</p>
            {command && <CopyCommand command={command} />}
          </div>
        );
      })}
    </div>
  );
}
