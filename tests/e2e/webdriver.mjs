// A minimal W3C WebDriver client (Node 20 fetch) for tauri-driver.
// No dependencies: tauri-driver speaks plain W3C WebDriver.

import { createServer } from 'node:net';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, application, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    let lastError;
    while (Date.now() < deadline) {
      try {
        const res = await request(base, 'POST', '/session', {
          capabilities: { alwaysMatch: { 'tauri:options': { application } } },
        });
        return new Session(base, res.sessionId ?? res.value.sessionId);
      } catch (e) {
        lastError = e;
        await sleep(500);
      }
    }
    throw new Error(`could not create a WebDriver session: ${lastError}`);
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body).then((r) => r.value);
  }

  async find(css) {
    const el = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return el[ELEMENT];
  }

  async findAll(css) {
    const els = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return els.map((e) => e[ELEMENT]);
  }

  /** Waits until `css` matches (and `predicate(elementId)` holds, if given). */
  async waitFor(css, { timeoutMs = 30_000, predicate } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        const ids = await this.findAll(css);
        for (const id of ids) {
          if (!predicate || (await predicate(id))) return id;
        }
      } catch (e) {
        last = e;
      }
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${css}${last ? `: ${last}` : ''}`);
  }

  /** The element's textContent (WebKitWebDriver's rendered-text answer is
   *  empty for absolutely positioned grid cells). */
  text(id) {
    return this.execute('return arguments[0].textContent', [{ [ELEMENT]: id }]);
  }

  attr(id, name) {
    return this.cmd('GET', `/element/${id}/attribute/${encodeURIComponent(name)}`);
  }

  click(id) {
    return this.cmd('POST', `/element/${id}/click`, {});
  }

  async doubleClick(id) {
    await this.cmd('POST', '/actions', {
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', origin: { [ELEMENT]: id }, x: 0, y: 0 },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    });
    await this.cmd('DELETE', '/actions');
  }

  type(id, text) {
    return this.cmd('POST', `/element/${id}/value`, { text });
  }

  clear(id) {
    return this.cmd('POST', `/element/${id}/clear`, {});
  }

  /** Sends key presses to the focused element (e.g. '\uE007' = Enter). */
  async keys(text) {
    const actions = [...text].flatMap((ch) => [
      { type: 'keyDown', value: ch },
      { type: 'keyUp', value: ch },
    ]);
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'kbd', actions }] });
    await this.cmd('DELETE', '/actions');
  }

  /** Presses `key` while `modifier` is held (e.g. KEY.CONTROL + 'a'). */
  async chord(modifier, key) {
    const actions = [
      { type: 'keyDown', value: modifier },
      { type: 'keyDown', value: key },
      { type: 'keyUp', value: key },
      { type: 'keyUp', value: modifier },
    ];
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'kbd', actions }] });
    await this.cmd('DELETE', '/actions');
  }

  execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  executeAsync(script, args = []) {
    return this.cmd('POST', '/execute/async', { script, args });
  }

  screenshot() {
    return this.cmd('GET', '/screenshot');
  }

  close() {
    return request(this.base, 'DELETE', `/session/${this.id}`).catch(() => {});
  }
}

export const KEY = { ENTER: '\uE007', ESCAPE: '\uE00C', CONTROL: '\uE009', SHIFT: '\uE008', DELETE: '\uE017' };

async function request(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
  if (!res.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${path}: ${JSON.stringify(json.value ?? json).slice(0, 500)}`);
  }
  return json;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port nobody listens on now (for tauri-driver, adb's server). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}
