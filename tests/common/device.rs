//! A simulated Android device (sonde-devsim) attached to a private adb
//! server, driven through the real `adb` client and the real `sonde` CLI.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub const ADB: &str = "/usr/bin/adb";
/// A command still running after this is a hang: the test fails.
pub const HANG: Duration = Duration::from_secs(90);

pub fn require_adb() {
    assert!(
        Path::new(ADB).exists(),
        "{ADB} is missing: install the Debian package `adb` (scripts/setup.sh does)"
    );
}

fn bin(name: &str) -> PathBuf {
    super::sonde_bin().with_file_name(name)
}

/// Runs a command; kills it and fails the test if it outlives [`HANG`].
pub fn run_bounded(cmd: Command) -> Output {
    super::run_within(cmd, HANG)
}

/// One sonde-devsim process.
pub struct Sim {
    child: Child,
    pub serial: String,
    pub dir: PathBuf,
}

impl Sim {
    pub fn start(dir: &Path) -> Sim {
        let mut child = Command::new(bin("sonde-devsim"))
            .args(["serve", "--root"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sonde-devsim (cargo build --workspace --bins first)");
        let line = super::ready_line(&mut child, Duration::from_secs(15));
        let serial = line.trim().strip_prefix("adb-device ").expect("ready line form").to_owned();
        Sim { child, serial, dir: dir.to_owned() }
    }

    pub fn fs(&self, device_path: &str) -> PathBuf {
        self.dir.join("fs").join(device_path.trim_start_matches('/'))
    }

    /// Rewrites the `faults` of device.json (re-read by the device on every OPEN).
    pub fn set_faults(&self, faults: serde_json::Value) {
        let path = self.dir.join("device.json");
        let mut config: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        config["faults"] = faults;
        std::fs::write(&path, serde_json::to_vec_pretty(&config).expect("encode")).expect("write");
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private adb server (own port, HOME, TMPDIR) with demo devices attached,
/// and a private Sonde data dir.
pub struct Lab {
    pub sims: Vec<Sim>,
    pub root: tempfile::TempDir,
    port: u16,
    /// adb timeouts given to sonde (short in fault tests).
    pub timeout_ms: u64,
}

impl Lab {
    /// `n` demo devices, connected and ready.
    pub fn demo(n: usize) -> Lab {
        require_adb();
        let root = tempfile::tempdir().expect("tmp");
        for d in ["home", "tmp", "data"] {
            std::fs::create_dir_all(root.path().join(d)).expect("mkdir");
        }
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let mut lab = Lab { sims: Vec::new(), root, port, timeout_ms: 8000 };
        for i in 0..n {
            let dir = lab.root.path().join(format!("device{i}"));
            sonde_devsim::demo::write_demo_sized(&dir, sonde_devsim::demo::DemoSize::Small)
                .expect("demo device");
            let sim = Sim::start(&dir);
            lab.connect(&sim.serial);
            lab.sims.push(sim);
        }
        lab
    }

    pub fn sim(&self) -> &Sim {
        &self.sims[0]
    }

    fn env(&self, cmd: &mut Command) {
        self.env_with_data(cmd, &self.root.path().join("data"));
    }

    fn env_with_data(&self, cmd: &mut Command, data: &Path) {
        cmd.env("ANDROID_ADB_SERVER_PORT", self.port.to_string())
            .env("HOME", self.root.path().join("home"))
            .env("TMPDIR", self.root.path().join("tmp"))
            .env("SONDE_DATA_DIR", data)
            .env("ADB", ADB)
            .env_remove("ADB_VENDOR_KEYS")
            .env_remove("SONDE_LOG")
            .env("SONDE_ADB_TIMEOUT_MS", self.timeout_ms.to_string())
            .env("SONDE_TRANSFER_TIMEOUT_MS", self.timeout_ms.to_string());
    }

    /// Points this test process at the lab (adb server, HOME, timeouts), for
    /// a `sonde_core::Sonde` in the test itself. Only for a test binary
    /// with one test: the environment is process-wide.
    pub fn enter(&self) {
        let vars = [
            ("ANDROID_ADB_SERVER_PORT", self.port.to_string()),
            ("HOME", self.root.path().join("home").display().to_string()),
            ("TMPDIR", self.root.path().join("tmp").display().to_string()),
            ("ADB", ADB.to_owned()),
            ("SONDE_ADB_TIMEOUT_MS", self.timeout_ms.to_string()),
            ("SONDE_TRANSFER_TIMEOUT_MS", self.timeout_ms.to_string()),
        ];
        for (k, v) in vars {
            std::env::set_var(k, v);
        }
        std::env::remove_var("ADB_VENDOR_KEYS");
    }

    /// The real `sonde` with this lab's adb server and a chosen data dir
    /// (a second user of the same device).
    pub fn sonde_command(&self, data: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(super::sonde_bin());
        cmd.args(args);
        self.env_with_data(&mut cmd, data);
        cmd
    }

    pub fn adb(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(ADB);
        cmd.args(args);
        self.env(&mut cmd);
        run_bounded(cmd)
    }

    fn connect(&self, serial: &str) {
        let out = self.adb(&["connect", serial]);
        assert!(String::from_utf8_lossy(&out.stdout).contains("connected"), "{out:?}");
        self.wait_ready(serial);
    }

    /// Waits until adb lists `serial` as `device` (after a dropped connection
    /// the server reconnects on its own).
    pub fn wait_ready(&self, serial: &str) {
        for _ in 0..200 {
            let out = self.adb(&["devices"]);
            if String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.starts_with(serial) && l.ends_with("device"))
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{serial} never became ready");
    }

    pub fn sonde(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(super::sonde_bin());
        cmd.args(args);
        self.env(&mut cmd);
        run_bounded(cmd)
    }

    pub fn sonde_ok(&self, args: &[&str]) -> String {
        let out = self.sonde(args);
        assert!(
            out.status.success(),
            "sonde {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).expect("utf8")
    }

    pub fn sonde_err(&self, args: &[&str]) -> String {
        let out = self.sonde(args);
        let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
        assert!(
            !out.status.success(),
            "sonde {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{stderr}");
        stderr
    }

    pub fn snapshots_dir(&self) -> PathBuf {
        self.root.path().join("data/snapshots")
    }

    /// Files under the snapshot workspace (backups excluded).
    pub fn snapshot_files(&self) -> Vec<String> {
        super::walk(&self.snapshots_dir().join("android"))
    }

    /// Reconnects a device (faults like `unauthorized` apply per connection).
    pub fn reconnect(&self, serial: &str) {
        let _ = self.adb(&["disconnect", serial]);
        let _ = self.adb(&["connect", serial]);
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.adb(&["kill-server"]);
    }
}
