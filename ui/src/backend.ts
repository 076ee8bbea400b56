// Backend events (device changes, files dropped on the window, the window's
// close button while something would be lost) and the close guard the
// backend needs to know about.
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api } from "./api";
import type { DeviceListing } from "./bindings/DeviceListing";
import { editsStore } from "./editing/store";
import { appStore, openLocation, setDevices } from "./state/app";
import { closeWindowWithCare, lossEverywhere } from "./state/dbActions";
import { refreshVirtualDevices } from "./state/virtualDevices";

export async function listenToBackend(onDragging: (over: boolean) => void): Promise<void> {
  await listen<DeviceListing>("devices-changed", (e) => {
    setDevices(e.payload);
    // An emulator started or stopped (here or in Android Studio): which AVDs run changed too.
    void refreshVirtualDevices();
  });
  await listen("close-requested", () => void closeWindowWithCare());
  try {
    await getCurrentWebview().onDragDropEvent((e) => {
      const p = e.payload;
      if (p.type === "enter" || p.type === "over") onDragging(true);
      else if (p.type === "leave") onDragging(false);
      else if (p.type === "drop") {
        onDragging(false);
        for (const path of p.paths) void openLocation(path, path.split(/[\\/]/).pop());
      }
    });
  } catch {
    // Not in a Tauri webview (plain browser): no native file drops.
  }
}

/** Keeps the backend's close guard on exactly while closing would lose edits. */
export function guardWindowClose(): void {
  let active = false;
  const check = () => {
    const next = lossEverywhere().length > 0;
    if (next === active) return;
    active = next;
    void api.setCloseGuard(next).catch(() => undefined);
  };
  editsStore.subscribe(check);
  appStore.subscribe(check);
}
