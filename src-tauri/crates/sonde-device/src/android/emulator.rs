//! Android virtual devices: `emulator -list-avds`, and booting one.
//!
//! A boot starts `emulator -avd NAME` detached (its own process group, its
//! output in a log file: it keeps running after Sonde exits, as when
//! started from Android Studio), then waits until adb lists a device whose
//! `ro.boot.qemu.avd_name` (API 30+; `ro.kernel.qemu.avd_name` before) is
//! NAME and whose `sys.boot_completed` is 1. The emulator picks its own
//! serial (`emulator-5554`, ...), so the AVD name is what identifies it.
//! An emulator that exits before that is read for why (no KVM / HAXM /
//! hypervisor, a locked AVD) and reported in words a user can act on.

use super::Android;
use crate::error::{DeviceError, Result};
use crate::model::{DeviceKind, DeviceState};
use crate::runner::{self, CancellationToken, ToolCall};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Android Studio's rule for AVD names; anything else is refused before
/// it reaches a command line.
pub fn validate_avd_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with(['-', '.'])
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(DeviceError::InvalidName {
            what: "virtual device name",
            name: name.to_owned(),
            reason: "AVD names use letters, digits, '.', '_' and '-'",
        })
    }
}

/// AVD names from `emulator -list-avds` (one per line; newer emulators
/// also print `INFO    | ...` lines, which are not names).
pub fn parse_avds(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains('|') && validate_avd_name(l).is_ok())
        .map(str::to_owned)
        .collect()
}

/// Why an emulator that exited during its boot failed, from its output.
pub fn exit_reason(name: &str, code: Option<i32>, output: &str) -> DeviceError {
    const ACCELERATION: [&str; 6] =
        ["/dev/kvm", "KVM", "HAXM", "Hypervisor", "hardware acceleration", "WHPX"];
    let tail = output_tail(output);
    if ACCELERATION.iter().any(|w| output.contains(w)) {
        return DeviceError::NoAcceleration { name: name.to_owned(), detail: tail };
    }
    DeviceError::EmulatorExited { name: name.to_owned(), code: code.unwrap_or(-1), output: tail }
}

/// What an emulator's output says about its failure: its ERROR / PANIC /
/// FATAL lines and the acceleration check, else its last two lines (the
/// INFO chatter before them says nothing to act on).
fn output_tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let telling: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| {
            ["ERROR", "PANIC", "FATAL"].iter().any(|w| l.starts_with(w)) || l.contains("acceleration status")
        })
        .collect();
    let chosen = if telling.is_empty() { &lines[lines.len().saturating_sub(2)..] } else { &telling[..] };
    let clean = |l: &&str| -> String { l.chars().filter(|c| !c.is_control()).take(240).collect() };
    chosen.iter().map(clean).collect::<Vec<_>>().join(" / ")
}

/// Where a boot is (for a progress line or bar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootProgress {
    /// The emulator process was started.
    Started,
    /// adb lists it as `serial`; Android is still booting.
    Booting { serial: String },
    /// `sys.boot_completed` is 1.
    Booted { serial: String },
}

/// How a boot ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booted {
    pub serial: String,
    /// It was running already: nothing was started.
    pub already_running: bool,
}

#[derive(Debug, Clone)]
pub struct BootOptions {
    /// Up to the first `sys.boot_completed` = 1 (cold boots take minutes).
    pub timeout: Duration,
    /// How often adb is asked.
    pub poll: Duration,
    /// The emulator's stdout and stderr.
    pub log: PathBuf,
}

/// The `emulator` binary of the Android SDK.
#[derive(Debug, Clone)]
pub struct Emulator {
    bin: PathBuf,
}

impl Emulator {
    pub fn new(bin: impl Into<PathBuf>) -> Self {
        Emulator { bin: bin.into() }
    }

    pub async fn list_avds(&self, cancel: &CancellationToken) -> Result<Vec<String>> {
        let call = ToolCall::new("emulator", "tool.emulator", &self.bin, Duration::from_secs(20))
            .what("list virtual devices")
            .arg("-list-avds");
        let out = runner::run(&call, cancel).await?;
        if !out.success() {
            return Err(DeviceError::ToolFailed { tool: "emulator", code: out.code, message: out.message() });
        }
        Ok(parse_avds(&out.stdout_text()))
    }

    /// The AVDs adb lists as running, with their serials.
    pub async fn running_avds(adb: &Android, cancel: &CancellationToken) -> HashMap<String, String> {
        let mut out = HashMap::new();
        let Ok(devices) = adb.devices(cancel).await else { return out };
        for d in devices.into_iter().filter(may_be_emulator) {
            if let Ok(Some(avd)) = avd_name(adb, &d.id, cancel).await {
                out.insert(avd, d.id);
            }
        }
        out
    }

    /// Boots AVD `name` (one of [`Self::list_avds`]) and waits until
    /// Android has booted; one that runs already is only waited for.
    /// `running` is what [`Self::running_avds`] just said (AVD → serial),
    /// so adb is not asked the same again.
    pub async fn boot(
        &self,
        adb: &Android,
        name: &str,
        running: &HashMap<String, String>,
        options: &BootOptions,
        progress: &(dyn Fn(BootProgress) + Sync),
        cancel: &CancellationToken,
    ) -> Result<Booted> {
        validate_avd_name(name)?;
        // Emulators running other AVDs are never this one.
        let mut seen: HashSet<String> =
            running.iter().filter(|(avd, _)| *avd != name).map(|(_, serial)| serial.clone()).collect();
        let mut serial = running.get(name).cloned();
        let already_running = serial.is_some();
        let mut child = None;
        if !already_running {
            child = Some(self.start(name, &options.log)?);
            progress(BootProgress::Started);
        }
        let deadline = Instant::now() + options.timeout;
        let mut announced = false;
        loop {
            if let Some(c) = child.as_mut() {
                if let Some(status) = c.try_wait().map_err(|e| DeviceError::io(&self.bin, e))? {
                    let output = std::fs::read_to_string(&options.log).unwrap_or_default();
                    return Err(exit_reason(name, status.code(), &output));
                }
            }
            if serial.is_none() {
                serial = self.find(adb, name, &mut seen, cancel).await?;
            }
            if let Some(s) = &serial {
                if !announced {
                    progress(BootProgress::Booting { serial: s.clone() });
                    announced = true;
                }
                if boot_completed(adb, s, cancel).await {
                    progress(BootProgress::Booted { serial: s.clone() });
                    return Ok(Booted { serial: s.clone(), already_running });
                }
            }
            if Instant::now() >= deadline {
                return Err(DeviceError::BootTimedOut { name: name.to_owned(), after: options.timeout });
            }
            tokio::select! {
                () = tokio::time::sleep(options.poll) => {}
                () = cancel.cancelled() => return Err(DeviceError::Cancelled),
            }
        }
    }

    /// `emulator -avd NAME`, detached: its own process group (a Ctrl-C in
    /// Sonde's terminal does not reach it), output into `log`, never
    /// killed when Sonde exits.
    fn start(&self, name: &str, log: &Path) -> Result<tokio::process::Child> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir).map_err(|e| DeviceError::io(dir, e))?;
        }
        let out = std::fs::File::create(log).map_err(|e| DeviceError::io(log, e))?;
        let err = out.try_clone().map_err(|e| DeviceError::io(log, e))?;
        let mut cmd = tokio::process::Command::new(&self.bin);
        cmd.args(["-avd", name]).stdin(std::process::Stdio::null()).stdout(out).stderr(err);
        detach(&mut cmd);
        tracing::info!(avd = name, "starting the emulator");
        cmd.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => DeviceError::ToolMissing {
                tool: "emulator",
                hint: crate::tools::Tool::Emulator.install_hint(crate::host::HostOs::current()).into(),
            },
            _ => DeviceError::io(&self.bin, e),
        })
    }

    /// A ready device, not looked at before, that is AVD `name`.
    async fn find(
        &self,
        adb: &Android,
        name: &str,
        seen: &mut HashSet<String>,
        cancel: &CancellationToken,
    ) -> Result<Option<String>> {
        let devices = match adb.devices(cancel).await {
            Ok(d) => d,
            // The adb server may be starting alongside the emulator.
            Err(DeviceError::Cancelled) => return Err(DeviceError::Cancelled),
            Err(e) => {
                tracing::debug!("adb devices while booting: {e}");
                return Ok(None);
            }
        };
        for d in devices.into_iter().filter(may_be_emulator) {
            if seen.contains(&d.id) {
                continue;
            }
            match avd_name(adb, &d.id, cancel).await {
                Ok(Some(avd)) if avd == name => return Ok(Some(d.id)),
                // Another AVD, or no emulator at all: never this one.
                Ok(_) => {
                    seen.insert(d.id);
                }
                Err(DeviceError::Cancelled) => return Err(DeviceError::Cancelled),
                // Its shell does not answer yet this early in a boot: ask again.
                Err(e) => tracing::debug!(serial = %d.id, "AVD name not readable yet: {e}"),
            }
        }
        Ok(None)
    }
}

/// A ready device that could be an emulator: phones on USB are not asked.
fn may_be_emulator(d: &crate::model::Device) -> bool {
    d.state == DeviceState::Ready && d.kind != DeviceKind::Physical
}

/// The AVD an emulator runs, from its properties: `Ok(None)` for a device
/// that is no emulator, `Err` when its shell could not be asked.
async fn avd_name(adb: &Android, serial: &str, cancel: &CancellationToken) -> Result<Option<String>> {
    for prop in ["ro.boot.qemu.avd_name", "ro.kernel.qemu.avd_name"] {
        let v = adb.getprop(serial, prop, cancel).await?;
        if !v.is_empty() {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

async fn boot_completed(adb: &Android, serial: &str, cancel: &CancellationToken) -> bool {
    adb.getprop(serial, "sys.boot_completed", cancel).await.is_ok_and(|v| v == "1")
}

#[cfg(unix)]
fn detach(cmd: &mut tokio::process::Command) {
    cmd.process_group(0);
}

#[cfg(windows)]
fn detach(cmd: &mut tokio::process::Command) {
    // DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP
    cmd.creation_flags(0x0000_0008 | 0x0000_0200);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avd_names_are_listed_without_the_emulators_chatter() {
        let out = "INFO    | Storing crashdata in: /tmp/android-u/emu-crash-34.2.db\nPixel_7_API_34\n\nNexus_5X.API-28\n";
        assert_eq!(parse_avds(out), ["Pixel_7_API_34", "Nexus_5X.API-28"]);
        assert!(parse_avds("").is_empty());
    }

    #[test]
    fn hostile_avd_names_are_refused() {
        for bad in ["", "-no-window", ".hidden", "a b", "x;reboot", "$(id)", "a/b", &"x".repeat(129)] {
            assert!(validate_avd_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_avd_name("Pixel_7_API_34").is_ok());
    }

    #[test]
    fn an_early_exit_says_why() {
        let kvm = "INFO | Android emulator version 34.1.19\nERROR   | x86_64 emulation currently requires hardware acceleration!\nCPU acceleration status: /dev/kvm is not found: VT disabled in BIOS or KVM kernel module not loaded\n";
        let e = exit_reason("Pixel", Some(1), kvm);
        assert!(matches!(e, DeviceError::NoAcceleration { .. }), "{e}");
        assert!(e.to_string().contains("/dev/kvm is not found"), "{e}");
        let e = exit_reason(
            "Pixel",
            Some(1),
            "ERROR | Running multiple emulators with the same AVD is an experimental feature.\n",
        );
        assert!(matches!(e, DeviceError::EmulatorExited { code: 1, .. }), "{e}");
        assert!(e.to_string().contains("same AVD"), "{e}");
    }
}
