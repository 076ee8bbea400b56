//! `xcrun simctl` output parsers (`sonde_device::sim::parse`): JSON device
//! lists, OpenStep `listapps`, runtime names, file URLs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonde_device::quote::validate_id;
use sonde_device::sim::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(devices) = parse::devices(&text) {
        for d in devices {
            assert!(validate_id("simulator id", &d.id).is_ok());
            assert!(!d.name.chars().any(char::is_control), "{:?}", d.name);
        }
    }
    if let Some(path) = parse::data_path(&text, "UDID") {
        assert!(path.is_absolute());
    }
    if let Some(v) = parse::runtime_version(&text) {
        assert!(!v.is_empty() && !v.chars().any(char::is_control));
    }
    if let Ok(apps) = parse::apps(&text) {
        assert!(apps.windows(2).all(|w| w[0].id < w[1].id), "sorted and unique");
        for app in apps {
            assert!(validate_id("bundle id", &app.id).is_ok());
            for (group, path) in &app.groups {
                assert!(parse::validate_group(group).is_ok());
                assert!(path.is_absolute());
            }
            if let Some(p) = &app.data {
                assert!(p.is_absolute());
            }
        }
    }
    for line in text.lines() {
        if let Some(p) = parse::file_url_path(line) {
            assert!(p.is_absolute() && !p.to_string_lossy().contains('\0'));
        }
        if parse::validate_group(line).is_ok() {
            assert!(!line.contains('/') && line.chars().any(|c| c != '.'));
        }
    }
});
