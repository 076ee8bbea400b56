//! The phone directory is also a device of Sonde's fake libimobiledevice
//! tools (sonde-device/tests/fakes: the tool path keeps a fake `afcclient`,
//! which Debian does not package): a test symlinks `ROOT/devices/<udid>`
//! to a simulated phone and the fakes work on the same files the
//! simulator serves.

#[path = "common/ios.rs"]
mod ios;

use std::path::PathBuf;
use std::process::Command;

use ios::{run_with_timeout, IosHarness, TOOL_TIMEOUT, UDID};

fn fakes() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sonde-device/tests/fakes")
}

fn fake(root: &std::path::Path, tool: &str, args: &[&str]) -> ios::Out {
    let mut c = Command::new("python3");
    c.arg(fakes().join(tool)).args(args).env("SONDE_FAKE_IOS_ROOT", root);
    run_with_timeout(c, TOOL_TIMEOUT)
}

#[test]
fn the_fake_tools_read_a_simulated_phone_directory() {
    let h = IosHarness::demo();
    let root = h.tmp.path().join("fake-root");
    std::fs::create_dir_all(root.join("devices")).expect("mkdir");
    std::os::unix::fs::symlink(&h.root, root.join("devices").join(UDID)).expect("symlink");

    let id = fake(&root, "idevice_id", &["-l"]);
    assert_eq!(id.out(), format!("{UDID}\n"), "{id:?}");
    let v = fake(&root, "ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    assert_eq!(v.out(), "17.4.1\n", "{v:?}");
    // The real tool and the fake agree on the value.
    assert_eq!(h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]).out(), v.out());

    let ls = fake(
        &root,
        "afcclient",
        &["-u", UDID, "--container", "com.example.planner", "--", "ls", "/Library/Application Support"],
    );
    assert_eq!(ls.out(), "Planner.sqlite\nPlanner.sqlite-shm\nPlanner.sqlite-wal\n", "{ls:?}");
    let denied = fake(&root, "afcclient", &["-u", UDID, "--container", "com.example.bank", "--", "ls", "/"]);
    assert!(denied.err().starts_with("ERROR: InstallationLookupFailed\n"), "{denied:?}");
    let docs = fake(&root, "afcclient", &["-u", UDID, "--documents", "com.example.journal", "--", "ls", "/"]);
    assert!(docs.out().contains("journal.sqlite\n"), "{docs:?}");

    // A file put through the fake is served by the simulator's AFC.
    let local = h.tmp.path().join("up.txt");
    std::fs::write(&local, b"from the fake").expect("local");
    let put = fake(
        &root,
        "afcclient",
        &[
            "-u",
            UDID,
            "--container",
            "com.example.planner",
            "--",
            "put",
            local.to_str().expect("utf-8"),
            "/Documents/up.txt",
        ],
    );
    assert_eq!(put.out(), "", "{put:?}");
    assert_eq!(
        std::fs::read(h.container("com.example.planner").join("Documents/up.txt")).expect("put"),
        b"from the fake"
    );
}
