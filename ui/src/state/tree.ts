// Which sidebar nodes are expanded (device, app), kept outside the
// components so opening a recent device database can reveal its path.
import { createStore } from "./store";

export const treeStore = createStore<Record<string, boolean>>({});

export const isExpanded = (s: Record<string, boolean>, id: string) => !!s[id];
export const toggle = (id: string) => treeStore.set((s) => ({ ...s, [id]: !s[id] }));
export const expand = (...ids: string[]) => treeStore.set((s) => ({ ...s, ...Object.fromEntries(ids.map((i) => [i, true])) }));

const DEVICE_SCHEMES = ["android", "ios", "sim"];

/** `android://SERIAL/PACKAGE/path` → its device and app URIs. */
export function splitDeviceLocation(location: string): { device: string; app: string } | null {
  const m = /^([a-z]+):\/\/([^/]+)\/([^/]+)\//.exec(location);
  if (!m || !DEVICE_SCHEMES.includes(m[1])) return null;
  return { device: `${m[1]}://${m[2]}`, app: m[3] };
}

export function revealLocation(location: string): void {
  const parts = splitDeviceLocation(location);
  if (parts) expand(`dev:${parts.device}`, `app:${parts.device}/${parts.app}`);
}
