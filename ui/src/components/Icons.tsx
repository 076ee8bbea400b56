// Small inline SVG icons (no icon font: nothing remote, nothing to load).
// Stroke icons on a 16×16 grid, drawn in the current text colour.
export function DeviceIcon({ platform }: { platform: string }) {
  return (
    <svg className={`icon-platform p-${platform}`} width="14" height="14" viewBox="0 0 16 16" aria-hidden>
      <rect x="3.5" y="1" width="9" height="14" rx="2" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <line x1="7" y1="12.5" x2="9" y2="12.5" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
      {platform === "android" && <circle cx="8" cy="4" r="1" fill="currentColor" />}
    </svg>
  );
}

const PATHS = {
  plus: "M8 3v10M3 8h10",
  trash: "M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5",
  undo: "M6 4 3 7l3 3M3.5 7H10a3 3 0 0 1 0 6H8",
  redo: "M10 4l3 3-3 3M12.5 7H6a3 3 0 0 0 0 6h2",
  save: "M3 3h8l2 2v8H3zM5.5 3v3h5V3M5.5 13V9.5h5V13",
  push: "M8 11V3M5 6l3-3 3 3M3 13h10",
  export: "M8 3v8M5 8l3 3 3-3M3 13h10",
  refresh: "M12.5 7A4.5 4.5 0 1 0 11 11.2M12.5 3v4h-4",
  sidebar: "M2.5 3h11v10h-11zM6 3v10",
  inspector: "M2.5 3h11v10h-11zM10 3v10",
  keyboard: "M2 4.5h12v7H2zM4.5 7h1M7.5 7h1M10.5 7h1M5 9.5h6",
  copy: "M5.5 5.5h7v7h-7zM3.5 10.5v-7h7",
  fileOut: "M4 2.5h5l3 3v8H4zM8 7v4.5M6 9.5l2 2 2-2",
  fileIn: "M4 2.5h5l3 3v8H4zM8 11.5V7M6 9l2-2 2 2",
  edit: "M3 13l.8-3L10.5 3.3l2.2 2.2L6 12.2zM9.3 4.5l2.2 2.2",
  run: "M5 3.5v9l7-4.5z",
  stop: "M4.5 4.5h7v7h-7z",
  key: "M2.5 8a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0-5 0M7.5 8h6M11.5 8v2.5M13.5 8v2",
  eye: "M1.5 8s2.4-4.5 6.5-4.5S14.5 8 14.5 8s-2.4 4.5-6.5 4.5S1.5 8 1.5 8zM8 6.2a1.8 1.8 0 1 0 0 3.6a1.8 1.8 0 1 0 0-3.6",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 14 }: { name: IconName; size?: number }) {
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 16 16" aria-hidden>
      <path d={PATHS[name]} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/**
 * A toolbar button: icon and label; narrow windows show the icon alone
 * (the label stays the accessible name and the tooltip).
 */
export function ToolButton({
  icon,
  label,
  title,
  className,
  testId,
  ...rest
}: { icon: IconName; label: React.ReactNode; title?: string; testId?: string } & Omit<React.ButtonHTMLAttributes<HTMLButtonElement>, "title">) {
  return (
    <button className={`tool${className ? ` ${className}` : ""}`} data-testid={testId} title={title} {...rest}>
      <Icon name={icon} />
      <span className="tool-label">{label}</span>
    </button>
  );
}

/** Sonde's app icon (src-tauri/icons/icon.svg, drawn inline: a sounding probe's rings). */
export function AppIcon({ size = 32 }: { size?: number }) {
  return (
    <svg className="app-icon" width={size} height={size} viewBox="0 0 256 256" aria-hidden>
      <circle cx="128" cy="128" r="120" fill="#111827" />
      <circle cx="128" cy="128" r="80" fill="none" stroke="#5EEAD4" strokeWidth="10" />
      <circle cx="128" cy="128" r="46" fill="none" stroke="#5EEAD4" strokeWidth="10" />
      <circle cx="128" cy="128" r="17" fill="#5EEAD4" />
    </svg>
  );
}
