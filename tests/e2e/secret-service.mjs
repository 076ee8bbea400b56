// A private Secret Service for the end-to-end run: its own D-Bus session
// bus with an unlocked gnome-keyring on it (the daemon a GNOME desktop runs),
// homed in the run's temp dir, so the app's keychain is real and the user's
// own keyring is never touched. `secret-tool` (libsecret) is the oracle.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

/** Starts it under `home`; the environment variables that point clients at it, and `stop()`. */
export async function startSecretService(home) {
  const runtime = join(home, 'run');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  // The bus prints its address once it listens: that line is "ready".
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let address = '';
  bus.stdout.setEncoding('utf8');
  while (!address.includes('\n')) {
    const [chunk] = await once(bus.stdout, 'data');
    address += chunk;
  }
  const env = {
    DBUS_SESSION_BUS_ADDRESS: address.trim(),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_RUNTIME_DIR: runtime,
  };
  // --unlock creates the login keyring with the password on stdin and
  // returns once the daemon serves the bus (it leaves with the bus).
  const unlocked = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    input: 'sonde-e2e-login',
    env: { ...process.env, HOME: home, ...env },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  if (unlocked.status !== 0) throw new Error(`gnome-keyring-daemon --unlock failed (${unlocked.status ?? unlocked.error})`);
  return {
    env,
    /** What `secret-tool lookup ATTR VALUE…` finds (null: nothing). */
    lookup: (...attributes) => {
      const r = spawnSync('secret-tool', ['lookup', ...attributes], { env: { ...process.env, HOME: home, ...env }, encoding: 'utf8' });
      return r.status === 0 ? r.stdout : null;
    },
    stop: () => bus.kill(),
  };
}
