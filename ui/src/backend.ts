// Backend events: device changes and files dropped on the window.
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { DeviceListing } from "./bindings/DeviceListing";
import { openLocation, setDevices } from "./state/app";

export async function listenToBackend(onDragging: (over: boolean) => void): Promise<void> {
  await listen<DeviceListing>("devices-changed", (e) => setDevices(e.payload));
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
