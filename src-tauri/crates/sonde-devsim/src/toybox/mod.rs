//! A toybox-like userland: a small `sh` and the commands an Android database
//! inspector uses, all emulated against `DIR/fs` (no host program is run).
//!
//! Entry point: [`run_script`], called on a blocking thread by the shell and
//! exec services.

pub mod commands;
pub mod fs;
pub mod glob;
pub mod interp;
pub mod io;
pub mod parser;

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::DeviceConfig;

pub use fs::{Access, FsError, Identity, VPath, Vfs};
pub use interp::Shell;
pub use io::{Input, Io};

/// Everything a command may need to know about the device.
#[derive(Debug, Clone)]
pub struct DeviceEnv {
    /// The device directory (`DIR`, holding `device.json` and `fs/`).
    pub dir: PathBuf,
    pub config: Arc<DeviceConfig>,
}

impl DeviceEnv {
    pub fn new(dir: impl Into<PathBuf>, config: Arc<DeviceConfig>) -> Self {
        Self { dir: dir.into(), config }
    }

    pub fn fs_root(&self) -> PathBuf {
        self.dir.join("fs")
    }

    pub fn vfs(&self) -> Vfs {
        Vfs::new(self.fs_root(), self.config.restrict_android_data)
    }

    /// Where `am force-stop` invocations are recorded.
    pub fn am_log(&self) -> PathBuf {
        self.dir.join("am.log")
    }
}

/// Result of a script run.
#[derive(Debug, Default)]
pub struct ExecResult {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub rc: i32,
}

/// Runs `script` as the shell user in `/`. An empty script reads the script
/// from stdin (an interactive `adb shell` without a pty). With
/// `merge_stderr`, stderr is interleaved into stdout (shell protocol v1).
pub fn run_script(env: &DeviceEnv, script: &str, stdin: Input, merge_stderr: bool) -> ExecResult {
    let io = Io::new(stdin, merge_stderr);
    let mut shell = Shell::new(env, Identity::Shell, "/");
    let rc = if script.trim().is_empty() {
        let src = io.read_stdin();
        shell.run_source(&String::from_utf8_lossy(&src), &io)
    } else {
        shell.run_source(script, &io)
    };
    let out = io.take_outputs();
    ExecResult { stdout: out.stdout, stderr: out.stderr, rc }
}
