// Small inline SVG icons (no icon font: nothing remote, nothing to load).
export function DeviceIcon({ platform }: { platform: string }) {
  return (
    <svg className={`icon-platform p-${platform}`} width="14" height="14" viewBox="0 0 16 16" aria-hidden>
      <rect x="3.5" y="1" width="9" height="14" rx="2" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <line x1="7" y1="12.5" x2="9" y2="12.5" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
      {platform === "android" && <circle cx="8" cy="4" r="1" fill="currentColor" />}
    </svg>
  );
}
