//! The simulated iPhone (`sonde-devsim ios`): a usbmuxd on a private Unix
//! socket, with lockdownd, installation_proxy, house_arrest and AFC behind
//! it, that the real libimobiledevice tools and Sonde's native client talk
//! to. The tool path's `afcclient` stays a fake (it is not packaged in
//! Debian): [`Iphone::fake_afcclient_bin`] points one at this phone.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const PLANNER: &str = "com.example.planner";
pub const PLANNER_DB: &str = "Library/Application Support/Planner.sqlite";
pub const JOURNAL: &str = "com.example.journal";
pub const JOURNAL_DB: &str = "Documents/journal.sqlite";
pub const BANK: &str = "com.example.bank";

fn bin(name: &str) -> PathBuf {
    super::sonde_bin().with_file_name(name)
}

pub struct Iphone {
    child: Child,
    pub dir: PathBuf,
    pub socket: PathBuf,
    pub udid: String,
    _tmp: tempfile::TempDir,
}

impl Iphone {
    /// Writes the demo iPhone into a temporary directory and serves it.
    pub fn start() -> Iphone {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("phone");
        let out = Command::new(bin("sonde-devsim")).arg("ios-demo").arg(&dir).output().expect("ios-demo");
        assert!(out.status.success(), "ios-demo: {}", String::from_utf8_lossy(&out.stderr));
        let socket = tmp.path().join("usbmuxd.sock");
        let mut child = Command::new(bin("sonde-devsim"))
            .args(["ios", "--exit-with-stdin", "--root"])
            .arg(&dir)
            .arg("--socket")
            .arg(&socket)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sonde-devsim (cargo build --workspace --bins first)");
        let line = super::ready_line(&mut child, Duration::from_secs(20));
        let mut words = line.split_whitespace();
        assert_eq!(words.next(), Some("usbmuxd"), "ready line {line:?}");
        assert_eq!(words.next().map(PathBuf::from), Some(socket.clone()), "ready line {line:?}");
        let udid = words.next().expect("udid in the ready line").to_owned();
        Iphone { child, dir, socket, udid, _tmp: tmp }
    }

    /// `USBMUXD_SOCKET_ADDRESS` for this phone.
    pub fn mux_env(&self) -> String {
        format!("UNIX:{}", self.socket.display())
    }

    pub fn container(&self, bundle: &str) -> PathBuf {
        self.dir.join("containers").join(bundle)
    }

    pub fn file(&self, bundle: &str, rel: &str) -> PathBuf {
        self.container(bundle).join(rel)
    }

    pub fn set_faults(&self, faults: serde_json::Value) {
        std::fs::write(self.dir.join("faults.json"), serde_json::to_vec(&faults).expect("json"))
            .expect("faults");
    }

    /// `{"locked": .., "trust": ..}` (re-read on every request).
    pub fn set_state(&self, locked: bool, trust: &str) {
        let state = serde_json::json!({ "locked": locked, "trust": trust });
        std::fs::write(self.dir.join("state.json"), state.to_string()).expect("state");
    }

    /// A `bin/` with the fake `afcclient` working on this phone's
    /// directory (`ROOT/devices/<udid>` is the phone), for the tool path.
    pub fn fake_afcclient_bin(&self, into: &Path) -> PathBuf {
        let fakes = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/crates/sonde-device/tests/fakes");
        let root = into.join("fake-root");
        std::fs::create_dir_all(root.join("devices")).expect("fake root");
        std::os::unix::fs::symlink(&self.dir, root.join("devices").join(&self.udid)).expect("link phone");
        let bin = into.join("bin");
        std::fs::create_dir_all(&bin).expect("bin");
        for name in ["afcclient", "_fakelib.py"] {
            std::fs::copy(fakes.join(name), bin.join(name)).expect("copy fake");
        }
        std::fs::write(bin.join(".fake-root"), root.to_string_lossy().as_bytes()).expect("marker");
        bin.join("afcclient")
    }
}

impl Drop for Iphone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
