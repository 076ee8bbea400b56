// Boot for a virtual device's row: the button, then the boot's progress
// with Cancel, or why it failed and what to check. Used by the group of
// virtual devices and by a shut-down simulator's device row.
import { useEffect, useRef } from "react";
import { hintFor } from "../errors";
import { useStore } from "../state/store";
import { bootVirtual, cancelBoot, dismissBootError, isBooting, virtualStore, type Boot } from "../state/virtualDevices";

/** A boot's failures say more than the general hints of their kinds. */
const BOOT_HINTS: Record<string, string> = {
  timeout: "A cold boot can take minutes: boot it again to keep waiting, or start it once from Android Studio's Device Manager.",
  not_found: "It is not set up any more: refresh the list, or create a virtual device in Android Studio's Device Manager.",
};

function progressText(boot: Extract<Boot, { opId: string }>): string {
  if (boot.cancelling) return "Cancelling…";
  if (boot.phase === "starting") return "Starting…";
  if (boot.phase === "booted") return "Booted";
  // An emulator's serial says which device row it becomes; a simulator's UDID says nothing more.
  const serial = boot.device?.startsWith("android://") ? boot.device.slice("android://".length) : null;
  return serial ? `Booting (${serial})…` : "Booting…";
}

const useBoot = (id: string) => useStore(virtualStore, (s) => s.boots[id]);

export function BootButton({ id, name }: { id: string; name: string }) {
  const boot = useBoot(id);
  if (isBooting(boot)) return null;
  return (
    <button className="small boot-button" data-testid="boot-button" title={`Start ${name}`} aria-label={`Boot ${name}`} onClick={() => void bootVirtual(id)}>
      Boot
    </button>
  );
}

/** The line under the row: progress and Cancel while it boots, the failure after. */
export function BootProgress({ id }: { id: string }) {
  const boot = useBoot(id);
  const cancel = useRef<HTMLButtonElement>(null);
  const running = isBooting(boot);
  // The Boot button goes away while it runs: keyboard focus moves on to Cancel.
  useEffect(() => {
    if (running && document.activeElement === document.body) cancel.current?.focus();
  }, [running]);
  if (!boot) return null;
  if (boot.phase === "failed") {
    const hint = BOOT_HINTS[boot.kind] ?? hintFor(boot.kind);
    return (
      <div className="tree-error boot-error" data-testid="boot-error" data-kind={boot.kind} role="alert">
        <div className="boot-message">{boot.message}</div>
        {hint && <div className="boot-hint">{hint}</div>}
        <button className="link" data-testid="boot-dismiss" onClick={() => dismissBootError(id)}>
          Dismiss
        </button>
      </div>
    );
  }
  return (
    <div className="tree-hint boot-status" data-testid="boot-status" data-phase={boot.cancelling ? "cancelling" : boot.phase} role="status">
      <span className="spinner" aria-hidden />
      <span className="label">{progressText(boot)}</span>
      <button ref={cancel} className="small" data-testid="boot-cancel" disabled={boot.cancelling} onClick={() => cancelBoot(id)}>
        Cancel
      </button>
    </div>
  );
}
