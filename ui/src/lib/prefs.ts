// View preferences remembered across sessions (sidebar, inspector, theme)
// in localStorage. Missing or broken entries fall back to the default.
export function readPref<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(`sonde.${key}`);
    return raw === null ? fallback : { ...fallback, ...(JSON.parse(raw) as T) };
  } catch {
    return fallback;
  }
}

export function writePref<T>(key: string, value: T): void {
  try {
    localStorage.setItem(`sonde.${key}`, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the preference lasts this session only.
  }
}
