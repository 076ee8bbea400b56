//! Faults of the simulated iPhone (faults.json, re-read at every step)
//! with the real tools as oracles: what each tool does when a step drops,
//! stalls or is slow, that the simulator survives and serves the next
//! client, and `detach` (the cable pulled mid-transfer).

#[path = "common/ios_client.rs"]
mod client;
#[path = "common/ios.rs"]
mod ios;

use std::time::{Duration, Instant};

use client::*;
use ios::{IosHarness, UDID};
use plist::Value;
use serde_json::json;

fn version_ok(h: &IosHarness) {
    let out = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    assert_eq!(out.out(), "17.4.1\n", "the next client is served: {out:?}");
}

#[test]
fn dropped_lockdown_steps_give_the_tools_errors() {
    let mut h = IosHarness::demo();
    h.set_faults(json!([{"match": "lockdown:QueryType", "action": "drop", "times": 1}]));
    let out = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    out.expect_code(255, "QueryType dropped");
    assert_eq!(out.err(), "ERROR: Could not connect to lockdownd: Mux error (-8)\n");
    version_ok(&h);
    assert!(h.trace().contains("drop\tlockdown:QueryType\n"), "{}", h.trace());

    // A new "id" makes it a new rule with a fresh budget.
    h.set_faults(json!([{"match": "lockdown:QueryType", "action": "drop", "times": 1, "id": 2}]));
    let out = h.tool("idevicepair", &["-u", UDID, "validate"]);
    out.expect_code(1, "idevicepair, QueryType dropped");
    assert_eq!(out.out(), "QueryType failed, error code -256\n");

    h.set_faults(json!([{"match": "lockdown:StartSession", "action": "drop", "times": 1}]));
    let out = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    out.expect_code(255, "StartSession dropped");
    assert_eq!(out.err(), "ERROR: Could not connect to lockdownd: PropertyList error (-3)\n");
    version_ok(&h);

    // The value's GetValue dropped (the first one, during the handshake, passes):
    // ideviceinfo prints nothing and exits 0.
    h.set_faults(
        json!([{"match": "lockdown:GetValue:ProductVersion", "action": "drop", "skip": 1, "times": 1}]),
    );
    let out = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    out.expect_code(0, "GetValue dropped");
    assert_eq!((out.out().as_str(), out.err().as_str()), ("", ""));

    h.set_faults(json!([{"match": "lockdown:StartService", "action": "drop", "times": 1}]));
    let out = h.tool("ideviceinstaller", &["-u", UDID, "-l"]);
    out.expect_code(255, "StartService dropped");
    assert_eq!(out.err(), "Could not start com.apple.mobile.installation_proxy!\n");
    h.tool("ideviceinstaller", &["-u", UDID, "-l"]).expect_code(0, "next client");
    assert!(h.alive());
}

#[test]
fn a_stalled_step_hangs_the_tool_and_the_next_client_is_served() {
    let mut h = IosHarness::demo();
    h.set_faults(json!([{"match": "lockdown:StartService", "action": "stall"}]));
    let out = h.tool_timeout("ideviceinstaller", &["-u", UDID, "-l"], Duration::from_secs(4));
    assert_eq!(out.code, None, "ideviceinstaller waits forever on a stalled lockdownd: {out:?}");
    // Other steps still work while a connection stalls.
    version_ok(&h);
    h.set_faults(json!([]));
    h.tool("ideviceinstaller", &["-u", UDID, "-l"]).expect_code(0, "after the stall");
    assert!(h.alive());
}

#[test]
fn a_browse_cut_short_hangs_ideviceinstaller_after_the_header() {
    let h = IosHarness::demo();
    h.set_faults(
        json!([{"match": "instproxy:Browse", "action": "drop", "when": "during", "after_bytes": 300}]),
    );
    let out = h.tool_timeout("ideviceinstaller", &["-u", UDID, "-l"], Duration::from_secs(4));
    assert_eq!(out.code, None, "{out:?}");
    assert_eq!(out.out(), "CFBundleIdentifier, CFBundleVersion, CFBundleDisplayName\n");
    // Dropped right after the complete answer: the listing is whole.
    h.set_faults(json!([{"match": "instproxy:Browse", "action": "drop", "when": "after"}]));
    let out = h.tool("ideviceinstaller", &["-u", UDID, "-l"]);
    out.expect_code(0, "drop after the answer");
    assert_eq!(out.out().lines().count(), 4, "{}", out.out());
}

#[test]
fn a_slow_service_is_slow() {
    let h = IosHarness::demo();
    let fast = h.tool("ideviceinstaller", &["-u", UDID, "-l"]);
    fast.expect_code(0, "fast");
    h.set_faults(json!([{"match": "instproxy:Browse", "action": "slow", "bytes_per_sec": 1000}]));
    let slow = h.tool("ideviceinstaller", &["-u", UDID, "-l"]);
    slow.expect_code(0, "slow");
    assert_eq!(slow.out(), fast.out());
    assert!(slow.elapsed >= Duration::from_millis(800), "{:?} vs {:?}", slow.elapsed, fast.elapsed);
    assert!(h.trace().contains("slow\tinstproxy:Browse\n"));
}

#[test]
fn a_read_dropped_mid_file_leaves_idevicecrashreport_with_a_corrupt_copy() {
    let h = IosHarness::demo();
    h.set_faults(json!([{"match": "afc:FILE_READ", "action": "drop", "when": "during", "after_bytes": 60}]));
    let out = h.tmp.path().join("crash-out");
    std::fs::create_dir_all(&out).expect("mkdir");
    let r = h.tool("idevicecrashreport", &["-u", UDID, "-k", out.to_str().expect("utf-8")]);
    r.expect_code(0, "idevicecrashreport exits 0 anyway");
    assert_eq!(r.err(), "File size mismatch. Skipping...\n");
    assert!(r.out().contains("Failed to read information for './Retired'. Skipping...\n"), "{}", r.out());
    let copy = std::fs::read(out.join("Planner-2024-03-02-101500.ips")).expect("partial copy left behind");
    let source = std::fs::read(h.root.join("crashes/Planner-2024-03-02-101500.ips")).expect("source");
    assert_ne!(copy, source);
    assert_eq!(&copy[..20], &source[..20], "the 20 bytes that arrived");
    assert_ne!(&copy[20..], &source[20..], "the rest is not the file's");
}

#[test]
fn list_devices_dropped_falls_back_to_listen() {
    let h = IosHarness::demo();
    h.set_faults(json!([{"match": "usbmuxd:ListDevices", "action": "drop"}]));
    let out = h.tool("idevice_id", &["-l"]);
    out.expect_code(0, "idevice_id");
    assert_eq!(out.out(), format!("{UDID}\n"), "libusbmuxd asks Listen instead");
    assert!(h.trace().contains("drop\tusbmuxd:ListDevices\n-\tusbmuxd:Listen\n"), "{}", h.trace());
    h.set_faults(json!([{"match": "usbmuxd:", "action": "drop"}]));
    let out = h.tool("idevice_id", &["-l"]);
    out.expect_code(255, "every usbmuxd request dropped");
    assert_eq!(out.err(), "ERROR: Unable to retrieve device list!\n");
}

#[test]
fn afc_write_cut_short_and_drop_after() {
    let h = IosHarness::demo();
    let c = h.container("com.example.journal");
    let mut afc =
        house_arrest(&h.socket, &h.root, UDID, "VendContainer", "com.example.journal").expect("vend");
    let hnd = afc.open(b"/Documents/upload.db", 3).expect("open");
    h.set_faults(json!([{"match": "afc:FILE_WRITE /Documents/upload.db", "action": "drop", "when": "during", "after_bytes": 1000}]));
    let sent = afc.send(FILE_WRITE, &hnd.to_le_bytes(), &[7u8; 5000]);
    assert!(sent.and_then(|()| afc.recv()).is_err(), "no answer, connection closed");
    assert_eq!(std::fs::read(c.join("Documents/upload.db")).expect("partial").len(), 1000);

    h.set_faults(json!([{"match": "afc:RENAME_PATH", "action": "drop", "when": "after"}]));
    let mut afc =
        house_arrest(&h.socket, &h.root, UDID, "VendContainer", "com.example.journal").expect("vend");
    assert_eq!(afc.rename(b"/Documents/upload.db", b"/Documents/final.db"), 0, "answered");
    assert!(c.join("Documents/final.db").exists());
    let sent = afc.send(READ_DIR, b"/\0", &[]);
    assert!(sent.and_then(|()| afc.recv()).is_err(), "then dropped");

    // A stall before an operation: nothing happens, the socket stays open.
    h.set_faults(json!([{"match": "afc:REMOVE_PATH /Documents/final.db", "action": "stall"}]));
    let mut afc =
        house_arrest(&h.socket, &h.root, UDID, "VendContainer", "com.example.journal").expect("vend");
    afc.s.set_read_timeout(Some(Duration::from_millis(700))).expect("timeout");
    afc.send(REMOVE_PATH, b"/Documents/final.db\0", &[]).expect("send");
    let err = afc.recv().expect_err("stalled");
    assert!(matches!(err.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut), "{err}");
    assert!(c.join("Documents/final.db").exists());
}

#[test]
fn detach_closes_every_tunnel_and_tells_listeners() {
    let h = IosHarness::demo();
    let mut listener = open_mux(&h.socket);
    mux_send(&mut listener, &mux_message("Listen"));
    let (_, ok) = mux_recv(&mut listener).expect("Listen result");
    assert_eq!(result_number(&ok), Some(0));
    let (_, attached) = mux_recv(&mut listener).expect("Attached");
    assert_eq!(attached.get("MessageType").and_then(Value::as_string), Some("Attached"));
    let props = attached.get("Properties").and_then(Value::as_dictionary).expect("Properties");
    assert_eq!(props.get("SerialNumber").and_then(Value::as_string), Some(UDID));
    assert_eq!(props.get("ConnectionType").and_then(Value::as_string), Some("USB"));

    // Mid-transfer: a file open and half read.
    let mut afc =
        house_arrest(&h.socket, &h.root, UDID, "VendContainer", "com.example.planner").expect("vend");
    let hnd = afc.open(b"/Library/Application Support/Planner.sqlite", 1).expect("open");
    assert_eq!(afc.read(hnd, 4096).expect("first chunk").len(), 4096);
    let mut lockdown = Lockdown::connect(&h.socket);

    let start = Instant::now();
    h.write_faults(json!({"detach": true}));
    let (_, detached) = mux_recv(&mut listener).expect("Detached");
    assert_eq!(detached.get("MessageType").and_then(Value::as_string), Some("Detached"));
    assert_eq!(detached.get("DeviceID").and_then(Value::as_unsigned_integer), Some(1));
    assert!(start.elapsed() < Duration::from_secs(2));
    let sent = afc.send(FILE_READ, &[hnd.to_le_bytes(), 4096u64.to_le_bytes()].concat(), &[]);
    assert!(sent.and_then(|()| afc.recv()).is_err(), "the AFC tunnel is closed");
    let mut buf = [0u8; 1];
    assert_eq!(
        std::io::Read::read(&mut lockdown.wire, &mut buf).ok(),
        Some(0),
        "the lockdown tunnel is closed"
    );
    let out = h.tool("idevice_id", &["-l"]);
    out.expect_code(0, "idevice_id detached");
    assert_eq!(out.out(), "");
    let out = h.tool("ideviceinfo", &["-u", UDID]);
    out.expect_code(255, "ideviceinfo detached");
    assert_eq!(out.out(), format!("ERROR: Device {UDID} not found!\n"));
    assert_eq!(connect(&h.socket, 62078).err(), Some(2), "Connect: BadDevice");

    h.write_faults(json!({"detach": false}));
    let (_, back) = mux_recv(&mut listener).expect("Attached again");
    assert_eq!(back.get("MessageType").and_then(Value::as_string), Some("Attached"));
    version_ok(&h);
}
