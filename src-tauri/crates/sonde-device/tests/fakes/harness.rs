//! Test harness shared by `tests/ios_device.rs` and `tests/sim.rs`
//! (included with `#[path]`): one isolated fake world per test.
//!
//! The fake tools (Python 3 scripts next to this file) are copied into a
//! fresh `bin/` with a `.fake-root` marker naming the test's own fake root,
//! so tests run in parallel without sharing state or touching the
//! process environment. Discovery is pointed at that `bin/` via `ToolEnv`.
//! The temporary directory's name contains a space, so every path the
//! tools print or receive proves it survives quoting and URL encoding.

#![allow(dead_code)]

use serde_json::{json, Value};
use sonde_device::tools::{self, ToolEnv, Tools};
use std::path::{Path, PathBuf};

pub const FAKES: [&str; 6] =
    ["_fakelib.py", "idevice_id", "ideviceinfo", "ideviceinstaller", "afcclient", "xcrun"];

pub struct Fake {
    _tmp: tempfile::TempDir,
    pub bin: PathBuf,
    pub root: PathBuf,
    pub workspace: PathBuf,
}

impl Fake {
    pub fn new() -> Fake {
        let tmp = tempfile::Builder::new().prefix("sonde fake ").tempdir().expect("tempdir");
        let bin = tmp.path().join("bin");
        let root = tmp.path().join("fake root");
        let workspace = tmp.path().join("workspace");
        for dir in [&bin, &root, &workspace] {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fakes");
        for name in FAKES {
            copy_script(&source.join(name), &bin.join(name));
        }
        std::fs::write(bin.join(".fake-root"), root.to_str().expect("utf-8 root")).expect("marker");
        Fake { _tmp: tmp, bin, root, workspace }
    }

    /// Tool discovery pointed at the fakes only.
    pub async fn tools(&self) -> Tools {
        let env =
            ToolEnv::default().with("PATH", self.bin.to_str().expect("utf-8")).with("HOME", "/nonexistent");
        tools::discover(&env).await
    }

    pub fn write_json(&self, rel: &str, value: &Value) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, serde_json::to_vec_pretty(value).expect("json")).expect("write");
    }

    // ---- iOS devices ----

    pub fn device_dir(&self, udid: &str) -> PathBuf {
        self.root.join("devices").join(udid)
    }

    pub fn add_device(&self, udid: &str, info: Value, apps: Value) {
        self.write_json(&format!("devices/{udid}/info.json"), &info);
        self.write_json(&format!("devices/{udid}/apps.json"), &apps);
    }

    pub fn container(&self, udid: &str, bundle: &str) -> PathBuf {
        self.device_dir(udid).join("containers").join(bundle)
    }

    pub fn faults(&self, udid: &str, faults: Value) {
        self.write_json(&format!("devices/{udid}/faults.json"), &faults);
    }

    pub fn clear_faults(&self, udid: &str) {
        self.faults(udid, json!({}));
    }

    /// Every argv the fakes received for this device, in order.
    pub fn calls(&self, udid: &str) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.device_dir(udid).join("calls.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("call line"))
            .collect()
    }

    // ---- simulators ----

    pub fn sim_dir(&self, udid: &str) -> PathBuf {
        self.root.join("sims").join(udid)
    }

    pub fn sim_data(&self, udid: &str, bundle: &str) -> PathBuf {
        self.sim_dir(udid).join("data/Containers/Data/Application").join(bundle)
    }

    pub fn sim_group(&self, udid: &str, group: &str) -> PathBuf {
        self.sim_dir(udid).join("data/Containers/Shared/AppGroup").join(group)
    }
}

/// Writes a file, creating its directories.
pub fn put(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Bytes shaped like a SQLite database: the 16-byte header, then `pages`
/// pages of 4096 bytes in total, filled from `seed` (this crate moves
/// bytes and never opens SQLite, so content beyond the header is free).
pub fn sqlite_bytes(seed: u8, pages: usize) -> Vec<u8> {
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((16..pages * 4096).map(|i| seed.wrapping_add((i % 251) as u8)));
    bytes
}

/// Bytes shaped like a `-wal`: the WAL magic, then filler.
pub fn wal_bytes(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0x37, 0x7f, 0x06, 0x82];
    bytes.extend((4..len).map(|i| seed.wrapping_mul(3).wrapping_add((i % 241) as u8)));
    bytes
}

/// A CoreSimulator container metadata file: a binary plist (`bplist00`)
/// `{ MCMMetadataIdentifier = <id>; }` (ids shorter than 256 bytes).
pub fn metadata_plist(id: &str) -> Vec<u8> {
    fn ascii(s: &str) -> Vec<u8> {
        let mut v = if s.len() < 15 { vec![0x50 | s.len() as u8] } else { vec![0x5F, 0x10, s.len() as u8] };
        v.extend(s.as_bytes());
        v
    }
    let mut out = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    for object in [vec![0xD1, 1, 2], ascii("MCMMetadataIdentifier"), ascii(id)] {
        offsets.push(out.len() as u8);
        out.extend(object);
    }
    let table = out.len() as u64;
    out.extend(offsets);
    out.extend([0, 0, 0, 0, 0, 0, 1, 1]);
    for n in [3u64, 0, table] {
        out.extend(n.to_be_bytes());
    }
    out
}

include!("copy_script.rs");
