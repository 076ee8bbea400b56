// AVDs and iOS simulators for the fake backend (list_virtual_devices,
// boot_virtual_device): an AVD boots as a new adb serial that list_devices
// then shows (devices-changed is emitted as adb would see it), a simulator
// boots in place. Steps wait on the test (`release()`) when `bootGate` is
// set, so a test can look at each step without sleeping.
import type { BootReport } from "../../src/bindings/BootReport";
import type { BootStep } from "../../src/bindings/BootStep";
import type { Device } from "../../src/bindings/Device";
import type { ErrorKind } from "../../src/bindings/ErrorKind";
import type { VirtualDevice } from "../../src/bindings/VirtualDevice";
import type { VirtualListing } from "../../src/bindings/VirtualListing";

export interface VirtualScenario {
  /** "none": no emulator and no xcrun (only problems); "no_avds": the emulator is there, no AVD is set up. */
  virtual?: "default" | "none" | "no_avds";
  /** How a boot of an AVD ends. */
  boot?: "ok" | "emulator" | "timeout";
  /** Each boot step waits for `virtual.release()` from the test (else `bootStepMs`). */
  bootGate?: boolean;
  bootStepMs?: number;
  /** list_devices also lists the shut-down simulator (as it does on a Mac). */
  simInDevices?: boolean;
  /** list_virtual_devices answers only after `virtual.releaseList()` (a slow `emulator -list-avds`). */
  listGate?: boolean;
}

export const SIM_UDID = "8C3E5B1A-2F4D-4E6A-9B7C-1D2E3F4A5B6C";
const RUNNING_AVD = "Medium_Phone_API_35";

const EMULATOR_MISSING = "emulator: emulator not found: install the Android Emulator (Android Studio: SDK Manager → SDK Tools) or set ANDROID_HOME";
const XCRUN_MISSING = "sim: xcrun not found: not available on this system (xcrun comes with Xcode, on macOS only)";

/** A rejection as the backend sends it (invoke turns it into the UiError shape). */
export class BootError {
  constructor(
    public kind: ErrorKind,
    public message: string,
  ) {}
}

interface Deps {
  scenario: VirtualScenario;
  cancelled: Set<string>;
  /** Tells the app that list_devices changed (devices-changed). */
  devicesChanged(): void;
  sendChannel(channel: unknown, index: number, message: unknown): void;
  sleep(ms: number): Promise<unknown>;
}

export function createVirtualDevices({ scenario, cancelled, devicesChanged, sendChannel, sleep }: Deps) {
  const avds: VirtualDevice[] =
    scenario.virtual === "none" || scenario.virtual === "no_avds"
      ? []
      : [
          { platform: "android", id: RUNNING_AVD, name: RUNNING_AVD, os_version: null, running: "android://emulator-5554" },
          { platform: "android", id: "Pixel_7_API_34", name: "Pixel_7_API_34", os_version: null, running: null },
          { platform: "android", id: "Small_Phone", name: "Small_Phone", os_version: null, running: null },
        ];
  const sims: VirtualDevice[] = scenario.virtual === "none" || scenario.virtual === "no_avds" ? [] : [{ platform: "sim", id: SIM_UDID, name: "iPhone 15", os_version: "iOS 17.5", running: null }];
  const all = () => [...avds, ...sims];
  /** Emulators started by a boot, as adb lists them (offline while Android boots). */
  const started: Device[] = [];
  let nextPort = 5556;
  let credits = 0;
  let listHeld = !!scenario.listGate;

  const listing = (): VirtualListing => ({
    devices: all().map((v) => ({ ...v })),
    problems: scenario.virtual === "none" ? [EMULATOR_MISSING, XCRUN_MISSING] : scenario.virtual === "no_avds" ? [XCRUN_MISSING] : [],
  });

  async function list(): Promise<VirtualListing> {
    while (listHeld) await sleep(5);
    return listing();
  }

  /** What list_devices adds: booted emulators, and the simulator when the scenario lists it. */
  const devices = (): Device[] => [
    ...started,
    ...(scenario.simInDevices
      ? sims.map((v): Device => {
          const state = v.running ? "device" : "shutdown";
          return { platform: "sim", id: v.id, name: v.name, model: "iPhone 15", os_version: v.os_version, kind: "simulator", state, raw_state: v.running ? "Booted" : "Shutdown" };
        })
      : []),
  ];

  /** The next step may go: the test says so (bootGate), or a short while passed. */
  async function step(opId: string): Promise<void> {
    if (scenario.bootGate) {
      while (credits === 0 && !cancelled.has(opId)) await sleep(5);
      if (credits > 0) credits--;
    } else await sleep(scenario.bootStepMs ?? 40);
    if (cancelled.has(opId)) throw new BootError("cancelled", "The boot was cancelled.");
  }

  async function boot(id: string, opId: string, channel: unknown): Promise<BootReport> {
    const target = all().find((v) => v.id === id || v.name === id);
    if (!target) throw new BootError("not_found", `no Android virtual device or iOS simulator is called "${id}" (there are: ${all().map((v) => v.id).join(", ")})`);
    if (target.running) return { device: target.running, already_running: true };
    let n = 0;
    const send = (s: BootStep) => sendChannel(channel, n++, s);
    send({ step: "starting", name: target.name });
    await step(opId);
    if (target.platform === "sim") {
      target.running = `sim://${target.id}`;
      send({ step: "booted", device: target.running });
      devicesChanged();
      return { device: target.running, already_running: false };
    }
    if (scenario.boot === "emulator") {
      throw new BootError(
        "emulator",
        `the emulator cannot run ${target.id}: hardware acceleration is unavailable (Linux: enable KVM and join the kvm group; macOS: Hypervisor.framework; Windows: enable WHPX or install the Android Emulator hypervisor driver) (/dev/kvm is not found)`,
      );
    }
    const serial = `emulator-${nextPort}`;
    nextPort += 2;
    const device: Device = { platform: "android", id: serial, name: target.name, model: "sdk_gphone64_x86_64", os_version: "Android 14", kind: "emulator", state: "offline", raw_state: "offline" };
    started.push(device);
    devicesChanged();
    const uri = `android://${serial}`;
    send({ step: "booting", device: uri });
    try {
      await step(opId);
      if (scenario.boot === "timeout") {
        throw new BootError("timeout", `${target.id} did not finish booting within 300s: it may still be starting (a cold boot can take minutes); run the boot again to keep waiting, or give more time`);
      }
    } catch (e) {
      // A boot that did not finish stops its emulator: adb loses it again.
      started.splice(started.indexOf(device), 1);
      devicesChanged();
      throw e;
    }
    Object.assign(device, { state: "device", raw_state: "device" });
    target.running = uri;
    devicesChanged();
    send({ step: "booted", device: uri });
    return { device: uri, already_running: false };
  }

  /** Test hook: lets the next waiting boot step go. */
  const release = () => {
    credits++;
  };

  /** Test hook: list_virtual_devices answers from now on. */
  const releaseList = () => {
    listHeld = false;
  };

  return { list, devices, boot, release, releaseList };
}
