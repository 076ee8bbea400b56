// Virtual devices (AVDs, iOS simulators) and their boots. A boot runs for
// minutes and outlives the row that started it (the row may move from the
// group to the device list), so its progress is kept here, by device id.
import { api, newOpId } from "../api";
import type { BootStep } from "../bindings/BootStep";
import type { VirtualListing } from "../bindings/VirtualListing";
import { toCommandError } from "../errors";
import { refreshDevices } from "./app";
import { createStore } from "./store";

export type Boot =
  /** `device`: `android://emulator-5554` once the emulator has a serial. */
  | { phase: "starting" | "booting" | "booted"; opId: string; device?: string; cancelling?: boolean }
  | { phase: "failed"; kind: string; message: string };

export const isBooting = (b: Boot | undefined): b is Extract<Boot, { opId: string }> => !!b && b.phase !== "failed";

export interface VirtualState {
  listing: VirtualListing | null;
  /** Boots running or failed, by virtual device id (none: idle). */
  boots: Record<string, Boot>;
}

export const virtualStore = createStore<VirtualState>({ listing: null, boots: {} });

const setBoot = (id: string, boot: Boot | null) =>
  virtualStore.set((s) => {
    const boots = { ...s.boots };
    if (boot) boots[id] = boot;
    else delete boots[id];
    return { ...s, boots };
  });

let listSeq = 0;

export async function refreshVirtualDevices(): Promise<void> {
  // Answers can cross (a refresh while devices-changed re-lists): the last asked wins.
  const seq = ++listSeq;
  let listing: VirtualListing;
  try {
    listing = await api.listVirtualDevices();
  } catch (e) {
    listing = { devices: [], problems: [toCommandError(e).message] };
  }
  if (seq === listSeq) virtualStore.set((s) => ({ ...s, listing }));
}

function onStep(id: string, opId: string, step: BootStep): void {
  // Steps of a boot that was cancelled (or replaced) say nothing any more.
  const cur = virtualStore.get().boots[id];
  if (!isBooting(cur) || cur.opId !== opId || cur.cancelling) return;
  setBoot(id, step.step === "starting" ? { phase: "starting", opId } : { phase: step.step, opId, device: step.device });
}

export async function bootVirtual(id: string): Promise<void> {
  if (isBooting(virtualStore.get().boots[id])) return;
  const opId = newOpId("boot");
  setBoot(id, { phase: "starting", opId });
  try {
    const report = await api.bootVirtualDevice(id, opId, (step) => onStep(id, opId, step));
    // Known as running at once (the row leaves the group), then asked again.
    virtualStore.set((s) => ({
      ...s,
      listing: s.listing && { ...s.listing, devices: s.listing.devices.map((v) => (v.id === id ? { ...v, running: report.device } : v)) },
    }));
    setBoot(id, null);
    await Promise.all([refreshDevices(), refreshVirtualDevices()]);
  } catch (e) {
    const err = toCommandError(e);
    // Cancelled on purpose: back to its Boot button, nothing to report.
    setBoot(id, err.kind === "cancelled" ? null : { phase: "failed", kind: err.kind, message: err.message });
  }
}

export function cancelBoot(id: string): void {
  const cur = virtualStore.get().boots[id];
  if (!isBooting(cur) || cur.cancelling) return;
  // The boot's own answer (kind `cancelled`) puts the row back.
  setBoot(id, { ...cur, cancelling: true });
  void api.cancelOperation(cur.opId).catch(() => undefined);
}

export const dismissBootError = (id: string) => setBoot(id, null);
