// The sidebar's "Virtual devices": AVDs and simulators that can be booted.
// Running ones are devices already, and so is a shut-down simulator that
// list_devices shows (its device row has the Boot button): listed once.
// A missing emulator or Xcode is normal (Linux has no simulators), so it
// is one quiet line, not an error.
import { deviceUri } from "../api";
import type { Device } from "../bindings/Device";
import type { VirtualDevice } from "../bindings/VirtualDevice";
import type { VirtualListing } from "../bindings/VirtualListing";
import { appStore, setDiagnosticsOpen } from "../state/app";
import { useStore } from "../state/store";
import { refreshVirtualDevices, virtualStore, type Boot } from "../state/virtualDevices";
import { BootButton, BootProgress } from "./BootControl";
import { DeviceIcon } from "./Icons";

const PLATFORM: Record<string, string> = { android: "Android emulator", sim: "iOS Simulator" };

/** A platform whose tool is not installed (the backend's "<tool> not found: <how to install>"). */
const toolMissing = (problem: string) => / not found: /.test(problem);

/** Not running and not a device row, or being booted here (its row stays until the boot ends). */
function bootable(listing: VirtualListing, boots: Record<string, Boot>, devices: Device[]): VirtualDevice[] {
  const rows = new Set(devices.map(deviceUri));
  return listing.devices.filter((v) => !rows.has(deviceUri(v)) && (v.running === null || v.id in boots));
}

function VirtualRow({ device }: { device: VirtualDevice }) {
  const sub = [PLATFORM[device.platform], device.os_version].filter(Boolean).join(" · ");
  return (
    <li data-testid="virtual-device" data-id={device.id} data-platform={device.platform}>
      <div className="tree-row">
        <span className="tree-item virtual-item" title={device.id}>
          <DeviceIcon platform={device.platform} />
          <span className="label">
            {device.name}
            <span className="sub">{sub}</span>
          </span>
        </span>
        <BootButton id={device.id} name={device.name} />
      </div>
      <BootProgress id={device.id} />
    </li>
  );
}

/** Why there is nothing to boot, in one line. */
function NothingToBoot({ listing }: { listing: VirtualListing }) {
  const noEmulator = listing.problems.some((p) => p.startsWith("emulator:") && toolMissing(p));
  return (
    <div className="tree-empty" data-testid="virtual-empty">
      {noEmulator ? "No emulators found" : "No virtual devices: create one in Android Studio's Device Manager"}
      {noEmulator && (
        <>
          {" · "}
          <button className="link" data-testid="virtual-install" onClick={() => setDiagnosticsOpen(true)} title="Diagnostics says how to install each missing tool">
            how to install
          </button>
        </>
      )}
    </div>
  );
}

export function VirtualDevices() {
  const listing = useStore(virtualStore, (s) => s.listing);
  const boots = useStore(virtualStore, (s) => s.boots);
  const devices = useStore(appStore, (s) => s.devices?.devices);
  if (!listing) return null;
  const rows = bootable(listing, boots, devices ?? []);
  // Everything is running already: nothing to offer.
  if (rows.length === 0 && listing.devices.length > 0) return null;
  const problems = listing.problems.filter((p) => !toolMissing(p));
  return (
    <section className="tree-section" data-testid="virtual-devices">
      <header>
        <span>Virtual devices</span>
        <button className="icon small" aria-label="Refresh virtual devices" title="Refresh" onClick={() => void refreshVirtualDevices()}>
          ⟳
        </button>
      </header>
      {rows.length > 0 ? (
        <ul className="tree" role="list">
          {rows.map((v) => (
            <VirtualRow key={`${v.platform}:${v.id}`} device={v} />
          ))}
        </ul>
      ) : (
        <NothingToBoot listing={listing} />
      )}
      {problems.length > 0 && (
        <details className="problems" data-testid="virtual-problems">
          <summary>
            {problems.length} problem{problems.length === 1 ? "" : "s"} listing virtual devices
          </summary>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
