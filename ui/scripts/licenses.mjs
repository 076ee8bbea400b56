#!/usr/bin/env node
// Writes the licences of the components Sonde ships, for its About box
// (ui/public/licenses.json), without the network: the npm packages of the
// UI bundle (the ui workspace's production dependencies, from the root
// package-lock.json) and the Rust crates of the app (the normal
// dependencies of sonde-desktop, from `cargo metadata --locked`, which
// reads Cargo.lock and the crates already fetched).
//
// Usage: node ui/scripts/licenses.mjs            rewrite ui/public/licenses.json
//        node ui/scripts/licenses.mjs --check    exit 1 if it is out of date
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");
const LOCK = join(ROOT, "package-lock.json");
export const OUTPUT = join(ROOT, "ui", "public", "licenses.json");
const WORKSPACE = "ui";
const APP_CRATE = "sonde-desktop";

/**
 * One spelling per licence expression, so components group together: the
 * old `MIT/Apache-2.0` is `MIT OR Apache-2.0`, and the terms of a plain
 * OR-list are sorted (`Apache-2.0 OR MIT` is the same choice).
 */
export function normalizeLicense(license) {
  if (!license) return "UNKNOWN";
  const text = license.trim().replace(/\s*\/\s*/g, " OR ");
  if (/[()]|\bAND\b|\bWITH\b/.test(text)) return text;
  return [...new Set(text.split(/\s+OR\s+/))].sort().join(" OR ");
}

const byName = (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version, undefined, { numeric: true });

/** Where npm installed `name` as seen from the package at `from` (Node's lookup, over the lockfile's paths). */
function resolveIn(packages, from, name) {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return null;
    const at = base.lastIndexOf("/node_modules/");
    base = at >= 0 ? base.slice(0, at) : "";
  }
}

/** The production dependencies of the ui workspace, transitively. */
export function npmPackages(lock) {
  const packages = lock.packages ?? {};
  const seen = new Map();
  const visit = (from) => {
    const entry = packages[from] ?? {};
    const deps = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const name of Object.keys(deps)) {
      const path = resolveIn(packages, from, name);
      // An optional or peer dependency that was not installed ships nothing.
      if (!path || seen.has(path)) continue;
      const pkg = packages[path];
      if (pkg.link || pkg.dev) continue;
      seen.set(path, { name: pkg.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length), version: pkg.version ?? "", license: normalizeLicense(pkg.license) });
      visit(path);
    }
  };
  visit(WORKSPACE);
  return dedupe([...seen.values()]).sort(byName);
}

/** The crates the app links: normal dependencies of sonde-desktop, transitively, without Sonde's own crates. */
export function cratePackages(metadata) {
  const byId = new Map(metadata.packages.map((p) => [p.id, p]));
  const members = new Set(metadata.workspace_members ?? []);
  const describe = (p) => ({ name: p.name, version: p.version, license: normalizeLicense(p.license ?? (p.license_file ? `see ${p.license_file}` : null)) });
  const nodes = metadata.resolve?.nodes;
  if (!nodes) return metadata.packages.filter((p) => !members.has(p.id)).map(describe).sort(byName);
  const deps = new Map(nodes.map((n) => [n.id, n.deps ?? []]));
  const app = metadata.packages.find((p) => p.name === APP_CRATE && members.has(p.id));
  const roots = app ? [app.id] : [...members];
  const seen = new Set(roots);
  const queue = [...roots];
  while (queue.length) {
    for (const d of deps.get(queue.shift()) ?? []) {
      // Dev-dependencies and build scripts do not end up in the app.
      const normal = !d.dep_kinds || d.dep_kinds.some((k) => k.kind === null);
      if (!normal || seen.has(d.pkg)) continue;
      seen.add(d.pkg);
      queue.push(d.pkg);
    }
  }
  return [...seen].filter((id) => !members.has(id) && byId.has(id)).map((id) => describe(byId.get(id))).sort(byName);
}

/** A package installed at two paths with the same version is one component. */
function dedupe(list) {
  const out = new Map();
  for (const p of list) out.set(`${p.name}@${p.version}`, p);
  return [...out.values()];
}

/** The file's text for this lockfile and this cargo metadata. */
export function render(lock, metadata) {
  return `${JSON.stringify({ npm: npmPackages(lock), crates: cratePackages(metadata) }, null, 2)}\n`;
}

/** What the file should hold now, from the lockfiles in the repository. */
export function current() {
  const metadata = execFileSync("cargo", ["metadata", "--format-version", "1", "--locked", "--manifest-path", join(ROOT, "Cargo.toml")], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return render(JSON.parse(readFileSync(LOCK, "utf8")), JSON.parse(metadata));
}

function main() {
  const text = current();
  if (process.argv[2] !== "--check") return writeFileSync(OUTPUT, text);
  if (readFileSync(OUTPUT, "utf8") !== text) {
    process.stderr.write("ui/public/licenses.json is out of date: run node ui/scripts/licenses.mjs\n");
    process.exitCode = 1;
  }
}

// Run as a script (a test may import its functions).
if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) main();
