//! `sonde emulators` and `sonde boot` with a fake Android `emulator`
//! (tests/fakes/emulator: the real one needs KVM and system images) whose
//! "boot" starts a sonde-devsim device and attaches it to the real adb
//! server of a private lab; `sys.boot_completed` turns 1 a little later,
//! so Sonde's wait (adb lists it, its AVD name matches, boot completed)
//! runs for real. Simulators (`xcrun simctl boot`) are covered in
//! sonde-device's tests/sim.rs with the fake xcrun.

#![cfg(unix)]

mod common;

use common::device::Lab;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Output;

const PIXEL: &str = "Pixel_7_API_34";
const NO_KVM: &str = "No_Kvm_Phone";
const SLOW: &str = "Slow_Phone";

/// An AVD home with three AVDs and the fake emulator pointed at it.
struct Avds {
    _dir: tempfile::TempDir,
    home: PathBuf,
    emulator: PathBuf,
}

impl Avds {
    fn new() -> Avds {
        let dir = tempfile::tempdir().expect("tmp");
        let home = dir.path().join("avd");
        let bin = dir.path().join("sdk/emulator");
        for d in [&home, &bin] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        for (name, fake) in
            [(PIXEL, json!({})), (NO_KVM, json!({"kvm": false})), (SLOW, json!({"boot_ms": 600_000}))]
        {
            std::fs::write(home.join(format!("{name}.ini")), format!("path={name}.avd\n")).expect("ini");
            std::fs::create_dir_all(home.join(format!("{name}.avd"))).expect("avd dir");
            std::fs::write(home.join(format!("{name}.avd/fake.json")), fake.to_string()).expect("fake.json");
        }
        let emulator = bin.join("emulator");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fakes/emulator");
        common::copy_script(&source, &emulator);
        let devsim = common::sonde_bin().with_file_name("sonde-devsim");
        let config = json!({"avd_home": home, "devsim": devsim, "adb": common::device::ADB});
        std::fs::write(bin.join(".fake-emulator.json"), config.to_string()).expect("config");
        Avds { _dir: dir, home, emulator }
    }
}

impl Drop for Avds {
    /// Emulators outlive `sonde boot` by design: stop the ones started here.
    fn drop(&mut self) {
        for name in [PIXEL, SLOW] {
            if let Ok(pid) = std::fs::read_to_string(self.home.join(format!("{name}.avd/pid"))) {
                let _ = std::process::Command::new("kill").arg(pid.trim()).status();
            }
        }
    }
}

fn sonde(lab: &Lab, emulator: &Path, args: &[&str]) -> Output {
    let mut cmd = lab.sonde_command(&lab.root.path().join("data"), args);
    cmd.env("SONDE_EMULATOR", emulator).env("PATH", "/usr/bin:/bin").env_remove("SONDE_XCRUN");
    common::device::run_bounded(cmd)
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Exit 1 with exactly one `error:` line; returns it.
fn one_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
    assert!(err.starts_with("error: ") && err.lines().count() == 1, "{err}");
    err
}

fn listed(lab: &Lab, emulator: &Path) -> Vec<Value> {
    let text = ok(&sonde(lab, emulator, &["emulators", "--json"]));
    serde_json::from_str(&text).expect("json")
}

#[test]
fn avds_are_listed_booted_through_the_real_adb_and_failures_say_what_to_do() {
    let lab = Lab::demo(0);
    let avds = Avds::new();
    let emulator = avds.emulator.as_path();

    let before = listed(&lab, emulator);
    let names: Vec<&str> = before.iter().map(|d| d["id"].as_str().expect("id")).collect();
    assert_eq!(names, [NO_KVM, PIXEL, SLOW]);
    assert!(before.iter().all(|d| d["platform"] == "android" && d["running"].is_null()), "{before:?}");
    let table = ok(&sonde(&lab, emulator, &["emulators"]));
    assert!(table.contains(PIXEL) && table.contains("shut down"), "{table}");
    assert!(table.contains("note: sim:"), "no xcrun here: said, not fatal\n{table}");

    // Boot: started detached, found through adb by its AVD name, waited for.
    let device = ok(&sonde(&lab, emulator, &["boot", PIXEL])).trim().to_owned();
    let serial = device.strip_prefix("android://").expect("an Android device").to_owned();
    let devices =
        ok(&common::device::run_bounded(lab.sonde_command(&lab.root.path().join("data"), &["devices"])));
    assert!(devices.contains(&device), "the booted AVD is a device now:\n{devices}");
    let getprop = lab.adb(&["-s", &serial, "shell", "getprop sys.boot_completed"]);
    assert_eq!(
        String::from_utf8_lossy(&getprop.stdout).trim(),
        "1",
        "sonde returned after the boot completed"
    );
    let after = listed(&lab, emulator);
    let pixel = after.iter().find(|d| d["id"] == PIXEL).expect("listed");
    assert_eq!(pixel["running"], device.as_str());
    let log =
        std::fs::read_to_string(lab.root.path().join("data/logs").join(format!("emulator-{PIXEL}.log")))
            .expect("the emulator's output is kept");
    assert!(log.contains("Boot completed"), "{log}");

    // Booting it again starts nothing: it is waited for and reported.
    let again: Value =
        serde_json::from_str(&ok(&sonde(&lab, emulator, &["boot", PIXEL, "--json"]))).expect("json");
    assert_eq!(again, json!({"device": device, "already_running": true}));

    // Failures: one line each, saying what to do.
    let err = one_error(&sonde(&lab, emulator, &["boot", NO_KVM]));
    assert!(err.contains("hardware acceleration is unavailable") && err.contains("/dev/kvm"), "{err}");
    let err = one_error(&sonde(&lab, emulator, &["boot", "Nexus_One"]));
    assert!(err.contains("\"Nexus_One\"") && err.contains(PIXEL), "the known ones are named: {err}");
    let err = one_error(&sonde(&lab, emulator, &["boot", SLOW, "--timeout", "2"]));
    assert!(err.contains("did not finish booting within 2s"), "{err}");
    let err = one_error(&sonde(&lab, emulator, &["boot", "--", "-no-window; reboot"]));
    assert!(err.contains("no Android virtual device or iOS simulator"), "{err}");

    // Without the emulator: the listing says so, a boot says how to get it.
    let missing = lab.root.path().join("no-emulator-here");
    let table = ok(&sonde(&lab, &missing, &["emulators"]));
    assert!(table.contains("note: emulator:"), "{table}");
    let err = one_error(&sonde(&lab, &missing, &["boot", PIXEL]));
    assert!(err.contains("Android Emulator") && err.contains("create an AVD"), "{err}");
}
