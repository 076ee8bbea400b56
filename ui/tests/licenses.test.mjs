// scripts/licenses.mjs: the npm packages of the UI bundle from the
// lockfile (production only), the crates the app links from cargo
// metadata (normal dependencies of sonde-desktop, not Sonde's own crates);
// and the file the About box reads is what the lockfiles say now.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { OUTPUT, cratePackages, current, normalizeLicense, npmPackages } from "../scripts/licenses.mjs";

describe("licenses.mjs", () => {
  it("spells a licence expression one way", () => {
    assert.equal(normalizeLicense("MIT/Apache-2.0"), "Apache-2.0 OR MIT");
    assert.equal(normalizeLicense("MIT OR Apache-2.0"), "Apache-2.0 OR MIT");
    assert.equal(normalizeLicense("(MIT OR Apache-2.0) AND Unicode-3.0"), "(MIT OR Apache-2.0) AND Unicode-3.0");
    assert.equal(normalizeLicense(undefined), "UNKNOWN");
  });

  it("lists the ui workspace's production dependencies, nested ones included", () => {
    const lock = {
      packages: {
        "": { workspaces: ["ui"] },
        ui: { dependencies: { a: "1" }, devDependencies: { vite: "8" } },
        "node_modules/a": { version: "1.0.0", license: "MIT", dependencies: { b: "2" } },
        "node_modules/a/node_modules/b": { version: "2.0.0", license: "ISC" },
        "node_modules/b": { version: "1.0.0", license: "ISC" },
        "node_modules/vite": { version: "8.0.0", license: "MIT", dev: true },
        "node_modules/sonde-ui": { resolved: "ui", link: true },
      },
    };
    assert.deepEqual(npmPackages(lock), [
      { name: "a", version: "1.0.0", license: "MIT" },
      { name: "b", version: "2.0.0", license: "ISC" },
    ]);
  });

  it("lists the app's normal crate dependencies, not dev ones nor Sonde's crates", () => {
    const pkg = (id, license) => ({ id, name: id.split("@")[0], version: id.split("@")[1], license });
    const metadata = {
      packages: [pkg("sonde-desktop@0.1.0", "MIT"), pkg("sonde-core@0.1.0", "MIT"), pkg("serde@1.0.0", "MIT OR Apache-2.0"), pkg("tempfile@3.0.0", "MIT"), pkg("cc@1.0.0", "MIT/Apache-2.0"), pkg("sonde-cli@0.1.0", "MIT"), pkg("clap@4.0.0", "MIT")],
      workspace_members: ["sonde-desktop@0.1.0", "sonde-core@0.1.0", "sonde-cli@0.1.0"],
      resolve: {
        nodes: [
          { id: "sonde-desktop@0.1.0", deps: [{ pkg: "sonde-core@0.1.0", dep_kinds: [{ kind: null }] }, { pkg: "tempfile@3.0.0", dep_kinds: [{ kind: "dev" }] }] },
          { id: "sonde-core@0.1.0", deps: [{ pkg: "serde@1.0.0", dep_kinds: [{ kind: null }] }, { pkg: "cc@1.0.0", dep_kinds: [{ kind: "build" }] }] },
          { id: "sonde-cli@0.1.0", deps: [{ pkg: "clap@4.0.0", dep_kinds: [{ kind: null }] }] },
        ],
      },
    };
    assert.deepEqual(cratePackages(metadata), [{ name: "serde", version: "1.0.0", license: "Apache-2.0 OR MIT" }]);
  });

  it("ui/public/licenses.json matches package-lock.json and Cargo.lock", () => {
    const shipped = readFileSync(OUTPUT, "utf8");
    const now = current();
    // The lists themselves, so a failure names what changed.
    assert.deepEqual(JSON.parse(shipped), JSON.parse(now), "out of date: run node ui/scripts/licenses.mjs");
    assert.equal(shipped, now, "out of date: run node ui/scripts/licenses.mjs");
    assert.ok(JSON.parse(now).crates.some((c) => c.name === "rusqlite"), "the crates come from cargo metadata");
  });
});
