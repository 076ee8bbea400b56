//! The built-in simulated device: when no phone is attached, Sonde starts
//! `sonde-devsim` on its demo data and attaches it to adb, so a new user
//! sees real databases in seconds. It is a real adb device (TCP), labelled
//! as simulated in the UI, and stopped with the app.

use sonde_core::device::android::Android;
use sonde_core::device::runner::CancellationToken;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct SimDevice {
    child: Child,
    pub serial: String,
}

// The child is started with `--exit-with-stdin` and we hold its stdin:
// when the app dies in any way (even SIGKILL), the pipe closes and the
// simulated device exits too.

impl Drop for SimDevice {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sonde-devsim` next to our executable, or `$SONDE_DEVSIM`.
fn devsim_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SONDE_DEVSIM") {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    let candidate = exe.with_file_name(if cfg!(windows) { "sonde-devsim.exe" } else { "sonde-devsim" });
    candidate.exists().then_some(candidate)
}

/// Starts the simulated device on `<data_dir>/simdevice` (demo written on
/// first use) and connects adb to it.
pub async fn start(data_dir: &Path, adb: &Android) -> Result<SimDevice, String> {
    let binary = devsim_binary().ok_or("sonde-devsim not found next to the app")?;
    let root = data_dir.join("simdevice");
    if !root.join("device.json").exists() {
        let status = Command::new(&binary)
            .arg("demo")
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run sonde-devsim: {e}"))?;
        if !status.success() {
            return Err("sonde-devsim could not write its demo device".into());
        }
    }
    let mut child = Command::new(&binary)
        .args(["serve", "--exit-with-stdin", "--root"])
        .arg(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start sonde-devsim: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout from sonde-devsim")?;
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        line
    })
    .await
    .map_err(|e| e.to_string())?;
    let serial = line.trim().strip_prefix("adb-device ").ok_or("sonde-devsim did not start")?.to_owned();
    let device = SimDevice { child, serial };
    adb.connect(&device.serial, &CancellationToken::new()).await.map_err(|e| e.to_string())?;
    tracing::info!(serial = %device.serial, "simulated device attached");
    Ok(device)
}
