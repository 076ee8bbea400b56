//! Test harness for the simulated iPhone: a demo phone in a temporary
//! directory served by `sonde-devsim ios` on a private Unix socket, and the
//! real libimobiledevice tools pointed at it with `USBMUXD_SOCKET_ADDRESS`.
//! Every tool run has a timeout that kills it; dropping the harness kills
//! the simulator. Included with `#[path = "common/ios.rs"]`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const SIM: &str = env!("CARGO_BIN_EXE_sonde-devsim");
pub const UDID: &str = "00008110-001A2C3E4F506172";
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(20);

/// One tool run; `code` is `None` when our timeout killed it.
#[derive(Debug)]
pub struct Out {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

impl Out {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    pub fn expect_code(&self, code: i32, what: &str) -> &Self {
        assert_eq!(self.code, Some(code), "{what}: stdout={:?} stderr={:?}", self.out(), self.err());
        self
    }
}

/// Asserts that the real tool is installed (these tests use it as the oracle).
pub fn require(tool: &str) -> PathBuf {
    let path = Path::new("/usr/bin").join(tool);
    assert!(
        path.exists(),
        "{} is missing: these tests drive the real libimobiledevice tools; install them with \
         `apt-get install -y libimobiledevice-utils ideviceinstaller` (not the usbmuxd package)",
        path.display()
    );
    path
}

/// Runs `cmd`, killing it after `timeout`.
pub fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Out {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = so.read_to_end(&mut b);
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = se.read_to_end(&mut b);
        b
    });
    let code = loop {
        match child.try_wait().expect("try_wait") {
            Some(status) => break status.code(),
            None if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    Out {
        code,
        stdout: t_out.join().unwrap_or_default(),
        stderr: t_err.join().unwrap_or_default(),
        elapsed: start.elapsed(),
    }
}

pub struct IosHarness {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub socket: PathBuf,
    pub udid: String,
    child: Child,
}

impl IosHarness {
    /// The demo phone, served.
    pub fn demo() -> IosHarness {
        Self::with(|_| {})
    }

    /// The demo phone, changed by `prepare` before it is served.
    pub fn with(prepare: impl FnOnce(&Path)) -> IosHarness {
        let tmp = tempfile::Builder::new().prefix("ios").tempdir_in("/tmp").expect("tempdir");
        let root = tmp.path().join("phone");
        let made = run_with_timeout(
            {
                let mut c = Command::new(SIM);
                c.arg("ios-demo").arg(&root);
                c
            },
            Duration::from_secs(60),
        );
        made.expect_code(0, "ios-demo");
        prepare(&root);
        let socket = tmp.path().join("mux.sock");
        let mut child = Command::new(SIM)
            .arg("ios")
            .arg("--root")
            .arg(&root)
            .arg("--socket")
            .arg(&socket)
            .arg("--exit-with-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn sonde-devsim ios");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("sonde-devsim ios printed no ready line");
        let expected = format!("usbmuxd {} {UDID}\n", socket.display());
        assert_eq!(line, expected, "ready line");
        IosHarness { tmp, root, socket, udid: UDID.to_string(), child }
    }

    pub fn command(&self, tool: &str, args: &[&str]) -> Command {
        let mut c = Command::new(require(tool));
        c.args(args)
            .env("USBMUXD_SOCKET_ADDRESS", format!("UNIX:{}", self.socket.display()))
            .env_remove("USBMUXD_DEFAULT_DEVICE_MODE");
        c
    }

    /// Runs a real tool against the phone.
    pub fn tool(&self, tool: &str, args: &[&str]) -> Out {
        self.tool_timeout(tool, args, TOOL_TIMEOUT)
    }

    pub fn tool_timeout(&self, tool: &str, args: &[&str], timeout: Duration) -> Out {
        run_with_timeout(self.command(tool, args), timeout)
    }

    pub fn set_state(&self, locked: bool, trust: &str) {
        let s = serde_json::json!({"locked": locked, "trust": trust});
        std::fs::write(self.root.join("state.json"), s.to_string()).expect("state.json");
    }

    pub fn state(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.root.join("state.json")).expect("state")).expect("json")
    }

    /// Writes faults.json (with tracing on).
    pub fn set_faults(&self, rules: serde_json::Value) {
        let f = serde_json::json!({"trace": true, "rules": rules});
        self.write_faults(f);
    }

    pub fn write_faults(&self, faults: serde_json::Value) {
        let tmp = self.root.join(".faults.tmp");
        std::fs::write(&tmp, faults.to_string()).expect("faults");
        std::fs::rename(&tmp, self.root.join("faults.json")).expect("rename faults");
    }

    pub fn trace(&self) -> String {
        std::fs::read_to_string(self.root.join("trace.log")).unwrap_or_default()
    }

    pub fn container(&self, bundle: &str) -> PathBuf {
        self.root.join("containers").join(bundle)
    }

    pub fn host_record(&self) -> PathBuf {
        self.root.join("pairing").join(format!("{}.plist", self.udid))
    }

    /// Whether the simulator process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for IosHarness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
