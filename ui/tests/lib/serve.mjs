// A tiny static file server for the built UI, with the app's CSP as a real
// header so the tests catch eval, inline scripts and remote assets.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";

// As in src-tauri/tauri.conf.json, plus what Tauri adds when it serves the
// built app: a nonce on <script> tags (and in script-src), and one on
// <style> tags (and in style-src) only when the HTML has <style> tags, since
// a nonce makes browsers ignore 'unsafe-inline' for runtime <style>s.
const NONCE = "sonde-test-nonce";
const BASE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src ipc: http://ipc.localhost; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";
export const CSP = BASE_CSP;

/** The HTML and CSP header Tauri would serve for this HTML. */
export function tauriLike(html) {
  let csp = BASE_CSP;
  if (/<script\b/i.test(html)) {
    html = html.replace(/<script\b/gi, `<script nonce="${NONCE}"`);
    csp = csp.replace("script-src 'self'", `script-src 'self' 'nonce-${NONCE}'`);
  }
  if (/<style\b/i.test(html)) {
    html = html.replace(/<style\b/gi, `<style nonce="${NONCE}"`);
    csp = csp.replace("style-src 'self' 'unsafe-inline'", `style-src 'self' 'unsafe-inline' 'nonce-${NONCE}'`);
  }
  return { html, csp };
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
  ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json", ".woff2": "font/woff2",
};

/** Serves `dir` on 127.0.0.1 (random port); resolves to { url, close }. */
export async function serve(dir, { csp = true } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      let file = normalize(join(root, path));
      if (!file.startsWith(root)) throw new Error("outside root");
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      let body = await readFile(file);
      const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" };
      if (csp) {
        headers["content-security-policy"] = CSP;
        if (extname(file) === ".html") {
          const served = tauriLike(body.toString("utf8"));
          body = Buffer.from(served.html);
          headers["content-security-policy"] = served.csp;
        }
      }
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(ok)) };
}
