//! The real libimobiledevice tools (Debian: libimobiledevice-utils 1.3.0,
//! ideviceinstaller 1.1.1) against the simulated iPhone. The exact strings
//! and exit codes asserted here are recorded in docs/ios-facts.md.

#[path = "common/ios.rs"]
mod ios;

use ios::{IosHarness, UDID};

#[test]
fn idevice_id_lists_the_25_character_udid() {
    let h = IosHarness::demo();
    let out = h.tool("idevice_id", &["-l"]);
    out.expect_code(0, "idevice_id -l");
    assert_eq!(out.out(), format!("{UDID}\n"));
    assert_eq!(UDID.len(), 25);
}

#[test]
fn ideviceinfo_prints_the_lockdown_facts() {
    let h = IosHarness::demo();
    let one = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    one.expect_code(0, "ideviceinfo -k");
    assert_eq!(one.out(), "17.4.1\n");
    let all = h.tool("ideviceinfo", &["-u", UDID]);
    all.expect_code(0, "ideviceinfo");
    let text = all.out();
    for line in [
        "DeviceName: Sonde Simulated iPhone\n",
        "ProductType: iPhone14,5\n",
        "ProductVersion: 17.4.1\n",
        "BuildVersion: 21E236\n",
        &format!("UniqueDeviceID: {UDID}\n"),
        "DeviceClass: iPhone\n",
        "CPUArchitecture: arm64e\n",
        "HardwareModel: D17AP\n",
        "ActivationState: Activated\n",
        "PasswordProtected: false\n",
        "UniqueChipID: 7316425730118770\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    // Data values are printed as base64: the PKCS#1 PEM public key.
    assert!(text.contains("DevicePublicKey: LS0tLS1CRUdJTiBSU0EgUFVCTElDIEtFWS0tLS0t"), "{text}");
    let missing = h.tool("ideviceinfo", &["-u", UDID, "-k", "NoSuchKey"]);
    missing.expect_code(0, "missing key");
    assert_eq!(missing.out(), "");
    let domain =
        h.tool("ideviceinfo", &["-u", UDID, "-q", "com.apple.disk_usage", "-k", "TotalDiskCapacity"]);
    assert_eq!(domain.out(), "128000000000\n", "{domain:?}");
}

#[test]
fn ideviceinstaller_lists_user_system_and_all_apps() {
    let h = IosHarness::demo();
    let user = h.tool("ideviceinstaller", &["-u", UDID, "-l"]);
    user.expect_code(0, "-l");
    // ideviceinstaller 1.1.1 shows CFBundleVersion (the build), not the short version.
    assert_eq!(
        user.out(),
        "CFBundleIdentifier, CFBundleVersion, CFBundleDisplayName\n\
         com.example.planner, \"241\", \"Planner\"\n\
         com.example.journal, \"17\", \"Journal\"\n\
         com.example.bank, \"5120\", \"Bank\"\n"
    );
    let system = h.tool("ideviceinstaller", &["-u", UDID, "-l", "-o", "list_system"]);
    system.expect_code(0, "list_system");
    assert_eq!(
        system.out(),
        "CFBundleIdentifier, CFBundleVersion, CFBundleDisplayName\n\
         com.apple.Preferences, \"1.0\", \"Settings\"\n\
         com.apple.mobilesafari, \"17.4.1\", \"Safari\"\n"
    );
    let all = h.tool("ideviceinstaller", &["-u", UDID, "-l", "-o", "list_all"]);
    all.expect_code(0, "list_all");
    assert_eq!(all.out().lines().count(), 6, "{}", all.out());
    // The XML listing carries the attributes Sonde reads.
    let xml = h.tool("ideviceinstaller", &["-u", UDID, "-l", "-o", "xml"]);
    xml.expect_code(0, "xml");
    let apps = plist::Value::from_reader_xml(xml.stdout.as_slice()).expect("xml plist");
    let apps = apps.as_array().expect("array");
    let planner = apps
        .iter()
        .filter_map(|a| a.as_dictionary())
        .find(|a| a.get("CFBundleIdentifier").and_then(|v| v.as_string()) == Some("com.example.planner"))
        .expect("planner listed");
    let ent = planner.get("Entitlements").and_then(|e| e.as_dictionary()).expect("Entitlements");
    assert_eq!(ent.get("get-task-allow").and_then(|v| v.as_boolean()), Some(true));
    assert_eq!(planner.get("CFBundleShortVersionString").and_then(|v| v.as_string()), Some("2.4"));
    let groups = planner.get("GroupContainers").and_then(|g| g.as_dictionary()).expect("groups");
    assert!(groups.contains_key("group.com.example.shared"));
    let bank = apps
        .iter()
        .filter_map(|a| a.as_dictionary())
        .find(|a| a.get("CFBundleIdentifier").and_then(|v| v.as_string()) == Some("com.example.bank"))
        .expect("bank listed");
    let ent = bank.get("Entitlements").and_then(|e| e.as_dictionary()).expect("Entitlements");
    assert_eq!(ent.get("get-task-allow").and_then(|v| v.as_boolean()), Some(false));
}

#[test]
fn idevicepair_validate_unpair_and_pair_with_each_trust_answer() {
    let h = IosHarness::demo();
    let ok = h.tool("idevicepair", &["-u", UDID, "validate"]);
    ok.expect_code(0, "validate");
    assert_eq!(ok.out(), format!("SUCCESS: Validated pairing with device {UDID}\n"));

    let unpair = h.tool("idevicepair", &["-u", UDID, "unpair"]);
    unpair.expect_code(0, "unpair");
    assert_eq!(unpair.out(), format!("SUCCESS: Unpaired with device {UDID}\n"));
    assert!(!h.host_record().exists(), "unpair deletes the host's pair record (DeletePairRecord)");
    assert_eq!(h.state()["trust"], "unpaired");

    h.set_state(false, "pending");
    let pending = h.tool("idevicepair", &["-u", UDID, "pair"]);
    pending.expect_code(1, "pair while the dialog is up");
    assert_eq!(
        pending.out(),
        format!(
            "ERROR: Please accept the trust dialog on the screen of device {UDID}, then attempt to pair again.\n"
        )
    );
    let info = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    info.expect_code(255, "ideviceinfo while pending");
    assert_eq!(info.err(), "ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)\n");

    h.set_state(false, "denied");
    let denied = h.tool("idevicepair", &["-u", UDID, "pair"]);
    denied.expect_code(1, "pair denied");
    assert_eq!(denied.out(), format!("ERROR: Device {UDID} said that the user denied the trust dialog.\n"));
    let info = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    assert_eq!(info.err(), "ERROR: Could not connect to lockdownd: User denied pairing (-18)\n");

    h.set_state(true, "unpaired");
    let locked = h.tool("idevicepair", &["-u", UDID, "pair"]);
    locked.expect_code(1, "pair while locked");
    assert_eq!(
        locked.out(),
        format!(
            "ERROR: Could not validate with device {UDID} because a passcode is set. Please enter the passcode on the device and retry.\n"
        )
    );
    assert!(!h.host_record().exists());

    h.set_state(false, "unpaired");
    let paired = h.tool("idevicepair", &["-u", UDID, "pair"]);
    paired.expect_code(0, "pair accepted");
    assert_eq!(paired.out(), format!("SUCCESS: Paired with device {UDID}\n"));
    assert!(h.host_record().exists(), "SavePairRecord stored the new record");
    assert_eq!(h.state()["trust"], "trusted");
    // The new record (made by the client, SHA-1 certificates) opens sessions.
    h.tool("idevicepair", &["-u", UDID, "validate"]).expect_code(0, "validate after pair");
    let v = h.tool("ideviceinfo", &["-u", UDID, "-k", "DeviceName"]);
    assert_eq!(v.out(), "Sonde Simulated iPhone\n");
    let record = plist::Value::from_file(h.host_record()).expect("record");
    let record = record.as_dictionary().expect("dict");
    for key in ["HostID", "SystemBUID", "HostCertificate", "RootPrivateKey", "EscrowBag", "WiFiMACAddress"] {
        assert!(record.contains_key(key), "pair record lacks {key}");
    }
}

#[test]
fn a_stale_pair_record_gives_invalid_host_id() {
    let h = IosHarness::demo();
    h.set_state(false, "pending");
    let info = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    info.expect_code(255, "stale record");
    assert_eq!(info.err(), "ERROR: Could not connect to lockdownd: Invalid HostID (-21)\n");
    let validate = h.tool("idevicepair", &["-u", UDID, "validate"]);
    validate.expect_code(1, "validate stale");
    assert_eq!(validate.out(), format!("ERROR: Device {UDID} is not paired with this host\n"));
    let apps = h.tool("ideviceinstaller", &["-u", UDID, "-l"]);
    apps.expect_code(255, "ideviceinstaller stale");
    assert_eq!(apps.err(), "Could not connect to lockdownd. Exiting.\n");
}

#[test]
fn a_locked_phone_answers_lockdown_but_starts_no_service() {
    let h = IosHarness::demo();
    h.set_state(true, "trusted");
    let info = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    info.expect_code(0, "ideviceinfo locked");
    assert_eq!(info.out(), "17.4.1\n");
    let apps = h.tool("ideviceinstaller", &["-u", UDID, "-l"]);
    apps.expect_code(255, "ideviceinstaller locked");
    assert_eq!(apps.err(), "Could not start com.apple.mobile.installation_proxy!\n");
    h.set_state(false, "trusted");
    h.tool("ideviceinstaller", &["-u", UDID, "-l"]).expect_code(0, "unlocked again");
}

#[test]
fn idevicecrashreport_copies_over_afc() {
    let h = IosHarness::demo();
    let out = h.tmp.path().join("crashes-out");
    std::fs::create_dir_all(&out).expect("mkdir");
    let copy = h.tool("idevicecrashreport", &["-u", UDID, "-k", out.to_str().expect("utf-8")]);
    copy.expect_code(0, "idevicecrashreport -k");
    assert_eq!(
        copy.out(),
        "Copy: /Planner-2024-03-02-101500.ips\nCopy: /Retired/Journal-2024-02-11-080000.ips\nDone.\n"
    );
    let src = h.root.join("crashes/Planner-2024-03-02-101500.ips");
    assert_eq!(
        std::fs::read(out.join("Planner-2024-03-02-101500.ips")).expect("copied"),
        std::fs::read(&src).expect("source")
    );
    assert!(src.exists(), "-k keeps the reports");
    // Without -k the tool removes each report it copied (AFC REMOVE_PATH).
    let out2 = h.tmp.path().join("crashes-out2");
    std::fs::create_dir_all(&out2).expect("mkdir");
    h.tool("idevicecrashreport", &["-u", UDID, out2.to_str().expect("utf-8")]).expect_code(0, "move");
    assert!(!src.exists(), "report removed on the phone");
    assert!(out2.join("Retired/Journal-2024-02-11-080000.ips").exists());
}

#[test]
fn no_device_and_no_usbmuxd() {
    let h = IosHarness::demo();
    let other = "00008110-000000000000000F";
    let info = h.tool("ideviceinfo", &["-u", other]);
    info.expect_code(255, "unknown udid");
    assert_eq!(info.out(), format!("ERROR: Device {other} not found!\n"));
    let apps = h.tool("ideviceinstaller", &["-u", other, "-l"]);
    apps.expect_code(255, "unknown udid");
    assert_eq!(apps.err(), format!("No device found with udid {other}.\n"));

    let mut gone = h.command("idevice_id", &["-l"]);
    gone.env("USBMUXD_SOCKET_ADDRESS", format!("UNIX:{}", h.tmp.path().join("nothing.sock").display()));
    let out = ios::run_with_timeout(gone, ios::TOOL_TIMEOUT);
    out.expect_code(255, "no usbmuxd");
    assert_eq!(out.err(), "ERROR: Unable to retrieve device list!\n");
}

#[test]
fn tls_version_follows_the_phones_ios_version() {
    // libimobiledevice 1.3.0 caps TLS at 1.0 for iOS < 10: the simulator's
    // OpenSSL server must allow it (security level 0), rustls could not.
    let h = IosHarness::with(|root| {
        let path = root.join("info.json");
        let mut info: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("info")).expect("json");
        info["ProductVersion"] = "9.3.5".into();
        std::fs::write(&path, info.to_string()).expect("write info");
    });
    h.write_faults(serde_json::json!({"trace": true}));
    let old = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
    old.expect_code(0, "iOS 9 session");
    assert_eq!(old.out(), "9.3.5\n");
    let trace = h.trace();
    assert!(
        trace.contains("-\ttls\tTLSv1 ECDHE-RSA-AES256-SHA client-cert:Sonde Simulated Root CA\n"),
        "{trace}"
    );

    let path = h.root.join("info.json");
    let mut info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("info")).expect("json");
    info["ProductVersion"] = "17.4.1".into();
    std::fs::write(&path, info.to_string()).expect("write info");
    h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]).expect_code(0, "iOS 17 session");
    assert!(h
        .trace()
        .contains("-\ttls\tTLSv1.3 TLS_AES_256_GCM_SHA384 client-cert:Sonde Simulated Root CA\n"));
    // The order of requests `ideviceinfo -k` sends (see docs/ios-facts.md).
    let trace = h.trace();
    let lines: Vec<&str> = trace.lines().collect();
    let expected = [
        "-\tusbmuxd:ListDevices",
        "-\tusbmuxd:Connect:62078",
        "-\tlockdown:QueryType",
        "-\tlockdown:GetValue:ProductVersion",
        "-\tusbmuxd:ReadPairRecord",
        "-\tusbmuxd:ReadBUID",
        "-\tlockdown:StartSession",
        "-\tusbmuxd:ReadPairRecord",
        "-\ttls\tTLSv1.3 TLS_AES_256_GCM_SHA384 client-cert:Sonde Simulated Root CA",
        "-\tlockdown:GetValue:ProductVersion",
        "-\tlockdown:StopSession",
    ];
    assert!(lines.len() >= expected.len(), "{trace}");
    assert_eq!(&lines[lines.len() - expected.len()..], &expected[..], "{trace}");
}
