// Injected with page.addInitScript before the app loads: installs mockIPC
// with the fake backend and exposes `window.__sondeMock` to the tests.
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { createBackend, type Scenario } from "./backend";

declare global {
  interface Window {
    __SONDE_SCENARIO__?: Scenario;
    __sondeMock: ReturnType<typeof createBackend> & { emit(event: string, payload: unknown): Promise<unknown> };
  }
}

const scenario: Scenario = window.__SONDE_SCENARIO__ ?? {};
mockWindows("main");
let backend: ReturnType<typeof createBackend>;
mockIPC((cmd, args) => backend.invoke(cmd, (args ?? {}) as Record<string, unknown>), { shouldMockEvents: true });
const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke(cmd: string, args: unknown): Promise<unknown> } }).__TAURI_INTERNALS__;
// Backend events (devices-changed, tauri://drag-drop) through the mocked event plugin.
const emit = (event: string, payload: unknown) => internals.invoke("plugin:event|emit", { event, payload });
backend = createBackend(scenario, emit);
window.__sondeMock = Object.assign(backend, { emit });
// Tauri's freezePrototype is on in tauri.conf.json: run the UI the same way.
Object.freeze(Object.prototype);
