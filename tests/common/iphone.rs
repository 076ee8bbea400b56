//! The simulated iPhone (`sonde-devsim ios`): a usbmuxd on a private Unix
//! socket, with lockdownd, installation_proxy, house_arrest and AFC behind
//! it, that the real libimobiledevice tools and Sonde's native client talk
//! to. The tool path's `afcclient` stays a fake (it is not packaged in
//! Debian), but one that speaks AFC to this phone over its usbmuxd
//! ([`Iphone::afcclient_bin`]), so the phone's faults reach both paths.
#![allow(dead_code)]

use sonde_device::ios::native::usbmux::MuxAddress;
use sonde_device::ios::{AfcPath, Ios};
use sonde_device::runner::Retry;
use sonde_device::tools::{self, ToolEnv};
use sonde_device::{DeviceUri, Platform};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Both ways of reaching an app container, the native client first.
pub const PATHS: [AfcPath; 2] = [AfcPath::Native, AfcPath::Tool];

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

    /// Installs one more app (an `apps.json` entry: `id`, `name`,
    /// `version`, `developer`, ...), with an empty container.
    pub fn install(&self, app: serde_json::Value) {
        let path = self.dir.join("apps.json");
        let mut apps: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(&path).expect("apps.json")).expect("apps");
        let id = app["id"].as_str().expect("app id").to_owned();
        apps.push(app);
        std::fs::write(&path, serde_json::to_vec_pretty(&apps).expect("json")).expect("write apps");
        std::fs::create_dir_all(self.container(&id)).expect("container");
    }

    pub fn uri(&self, bundle: &str, path: &str) -> DeviceUri {
        DeviceUri::for_file(Platform::Ios, &self.udid, bundle, path)
    }

    /// The AFC steps the phone traced since the last call (needs
    /// `{"trace": true}` in its faults), e.g. `afc:FILE_OPEN /Documents/x`.
    pub fn take_trace(&self) -> Vec<String> {
        let path = self.dir.join("trace.log");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let _ = std::fs::remove_file(&path);
        text.lines().filter_map(|l| l.split_once('\t')).map(|(_, step)| step.to_owned()).collect()
    }

    /// A `bin/` in `into` with the fake `afcclient` in its wire mode: it
    /// reaches this phone through `USBMUXD_SOCKET_ADDRESS`, as the real one.
    pub fn afcclient_bin(&self, into: &Path) -> PathBuf {
        let fakes = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/crates/sonde-device/tests/fakes");
        let bin = into.join("bin");
        std::fs::create_dir_all(&bin).expect("bin");
        for name in ["afcclient", "_fakelib.py", "_afcwire.py"] {
            super::copy_script(&fakes.join(name), &bin.join(name));
        }
        std::fs::write(bin.join(".fake-wire"), b"").expect("marker");
        bin.join("afcclient")
    }

    /// The adapter for this phone, reaching containers through `path`: the
    /// real Debian tools list devices and apps, `scratch` holds the fake
    /// `afcclient` of the tool path.
    pub async fn adapter(&self, path: AfcPath, scratch: &Path) -> Ios {
        require_tools();
        let fake_bin = self.afcclient_bin(scratch);
        let dirs = format!("{}:/usr/bin", fake_bin.parent().expect("bin").display());
        let tools =
            tools::discover(&ToolEnv::default().with("PATH", &dirs).with("HOME", "/nonexistent")).await;
        let mut ios = Ios::new(&tools)
            .expect("idevice_id found")
            .with_usbmuxd(MuxAddress::Unix(self.socket.to_string_lossy().into_owned()))
            .with_afc_path(path);
        ios.retry = Retry { attempts: 3, base: Duration::from_millis(5), max: Duration::from_millis(20) };
        ios
    }
}

pub fn require_tools() {
    for tool in ["idevice_id", "ideviceinfo", "ideviceinstaller"] {
        assert!(
            Path::new("/usr/bin").join(tool).exists(),
            "/usr/bin/{tool} is missing: install libimobiledevice-utils and ideviceinstaller (scripts/setup.sh does)"
        );
    }
}

impl Drop for Iphone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
