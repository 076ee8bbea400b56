//! Test harness: a simulated device process plus a private adb server.
//!
//! Every harness has its own adb server (free port in
//! `ANDROID_ADB_SERVER_PORT`, private `HOME` and `TMPDIR`, no
//! `ADB_VENDOR_KEYS`), always addresses the device with `-s`, runs every
//! adb invocation under a timeout that kills it, and on drop kills the adb
//! server and the simulator.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

pub const ADB: &str = "/usr/bin/adb";
pub const SIM: &str = env!("CARGO_BIN_EXE_sonde-devsim");
/// Default limit for one adb invocation.
pub const ADB_TIMEOUT: Duration = Duration::from_secs(20);

/// Result of one adb run; `code` is `None` when our timeout killed it.
#[derive(Debug)]
pub struct AdbOutput {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

impl AdbOutput {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    pub fn timed_out(&self) -> bool {
        self.code.is_none()
    }

    /// Panics with both streams unless the exit code is `code`.
    pub fn expect_code(&self, code: i32, what: &str) -> &Self {
        assert_eq!(self.code, Some(code), "{what}: stdout={:?} stderr={:?}", self.out(), self.err());
        self
    }
}

pub fn require_adb() {
    assert!(
        Path::new(ADB).exists(),
        "{ADB} is missing: these end-to-end tests drive the real Debian adb client; \
         install it with `apt-get install -y adb`"
    );
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind ephemeral port");
    l.local_addr().expect("local addr").port()
}

pub fn sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Deterministic pseudo-random bytes (xorshift64*).
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Runs a command, killing it after `timeout`.
pub fn run_with_timeout(mut cmd: Command, timeout: Duration) -> AdbOutput {
    let start = Instant::now();
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn adb");
    let mut so = child.stdout.take().expect("stdout pipe");
    let mut se = child.stderr.take().expect("stderr pipe");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let code = loop {
        match child.try_wait().expect("try_wait") {
            Some(status) => break Some(status.code().unwrap_or(-1)),
            None if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let elapsed = start.elapsed();
    AdbOutput {
        code,
        stdout: t_out.join().unwrap_or_default(),
        stderr: t_err.join().unwrap_or_default(),
        elapsed,
    }
}

/// One running simulator.
pub struct Sim {
    child: Child,
    pub serial: String,
}

impl Sim {
    pub fn start(dir: &Path) -> Sim {
        let log = std::fs::File::create(dir.with_extension("sim.log")).expect("sim log");
        let mut child = Command::new(SIM)
            .args(["serve", "--root"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .env("RUST_LOG", "info")
            .spawn()
            .expect("spawn sonde-devsim");
        let stdout = child.stdout.take().expect("sim stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!("sonde-devsim printed no ready line");
            }
        };
        let serial = line
            .trim()
            .strip_prefix("adb-device ")
            .unwrap_or_else(|| panic!("unexpected ready line {line:?}"))
            .to_string();
        assert!(serial.starts_with("127.0.0.1:"), "{serial}");
        Sim { child, serial }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private adb server plus one or more simulators.
pub struct Harness {
    // Field order matters for drop: stop the simulator before deleting its
    // directory.
    pub sim: Sim,
    pub root: tempfile::TempDir,
    pub device_dir: PathBuf,
    pub serial: String,
    adb_port: u16,
    home: PathBuf,
    tmp: PathBuf,
}

impl Harness {
    /// The demo device, connected.
    pub fn demo() -> Harness {
        Self::build(|dir| {
            let out = Command::new(SIM)
                .arg("demo")
                .arg(dir)
                .arg("--small")
                .output()
                .expect("run sonde-devsim demo");
            assert!(out.status.success(), "demo failed: {out:?}");
        })
    }

    /// A device with a custom `device.json` (and an empty `fs/sdcard`).
    pub fn with_config(config: serde_json::Value, connect: bool) -> Harness {
        Self::build_opt(
            |dir| {
                std::fs::create_dir_all(dir.join("fs/sdcard")).expect("mkdir");
                std::fs::create_dir_all(dir.join("fs/data/local/tmp")).expect("mkdir");
                std::fs::write(dir.join("device.json"), serde_json::to_vec(&config).expect("json"))
                    .expect("write config");
            },
            connect,
        )
    }

    fn build(prepare: impl FnOnce(&Path)) -> Harness {
        Self::build_opt(prepare, true)
    }

    fn build_opt(prepare: impl FnOnce(&Path), connect: bool) -> Harness {
        require_adb();
        let root = tempfile::tempdir().expect("tempdir");
        let device_dir = root.path().join("device");
        let home = root.path().join("home");
        let tmp = root.path().join("tmp");
        std::fs::create_dir_all(&home).expect("home");
        std::fs::create_dir_all(&tmp).expect("tmp");
        prepare(&device_dir);
        let sim = Sim::start(&device_dir);
        let serial = sim.serial.clone();
        let h = Harness { sim, root, device_dir, serial, adb_port: free_port(), home, tmp };
        // Start the server with no pipes attached: the daemon must not hold
        // our stdout/stderr pipes open.
        let mut start = h.command(&["start-server"]);
        start.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let status = start.status().expect("adb start-server");
        assert!(status.success(), "adb start-server failed");
        if connect {
            let out = h.adb(&["connect", &h.serial], ADB_TIMEOUT);
            assert!(out.out().contains("connected to"), "adb connect: {} {}", out.out(), out.err());
            assert!(h.wait_state("device", Duration::from_secs(10)), "device never came online");
        }
        h
    }

    pub fn fs(&self) -> PathBuf {
        self.device_dir.join("fs")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(ADB);
        cmd.args(args)
            .env("HOME", &self.home)
            .env("TMPDIR", &self.tmp)
            .env("ANDROID_ADB_SERVER_PORT", self.adb_port.to_string())
            .env_remove("ADB_VENDOR_KEYS")
            .current_dir(self.root.path());
        cmd
    }

    /// Runs `adb ARGS` (no `-s`) under a timeout.
    pub fn adb(&self, args: &[&str], timeout: Duration) -> AdbOutput {
        run_with_timeout(self.command(args), timeout)
    }

    /// Runs `adb -s SERIAL ARGS` under the default timeout.
    pub fn adb_s(&self, args: &[&str]) -> AdbOutput {
        self.adb_s_timeout(args, ADB_TIMEOUT)
    }

    pub fn adb_s_timeout(&self, args: &[&str], timeout: Duration) -> AdbOutput {
        let mut full = vec!["-s", self.serial.as_str()];
        full.extend_from_slice(args);
        self.adb(&full, timeout)
    }

    /// `adb -s SERIAL shell SCRIPT` (one argument: the device parses it).
    pub fn shell(&self, script: &str) -> AdbOutput {
        self.adb_s(&["shell", script])
    }

    /// State of `serial` in `adb devices` (e.g. `device`, `offline`).
    pub fn state_of(&self, serial: &str) -> Option<String> {
        let out = self.adb(&["devices"], Duration::from_secs(10));
        out.out().lines().find_map(|l| {
            let mut parts = l.split('\t');
            (parts.next() == Some(serial)).then(|| parts.next().unwrap_or("").to_string())
        })
    }

    pub fn wait_state(&self, state: &str, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.state_of(&self.serial).as_deref() == Some(state) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// Replaces `faults` in device.json atomically (the device re-reads it).
    pub fn set_faults(&self, faults: serde_json::Value) {
        let path = self.device_dir.join("device.json");
        let mut cfg: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("read config")).expect("json");
        cfg["faults"] = faults;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&cfg).expect("json")).expect("write");
        std::fs::rename(&tmp, &path).expect("rename config");
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let mut kill = self.command(&["kill-server"]);
        kill.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        if let Ok(mut child) = kill.spawn() {
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
