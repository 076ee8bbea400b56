//! Device URIs (`sonde_device::DeviceUri::parse`): total, and every accepted
//! URI round-trips exactly through its text form, with a validated path
//! (relative, no `.`/`..`/empty segments, no control line breaks).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonde_device::quote::{validate_id, validate_relative_path};
use sonde_device::DeviceUri;

fn check(text: &str) {
    let Ok(uri) = DeviceUri::parse(text) else { return };
    let printed = uri.to_string();
    let again = DeviceUri::parse(&printed).unwrap_or_else(|e| panic!("{text:?} -> {printed:?}: {e}"));
    assert_eq!(again, uri, "{text:?} -> {printed:?}");
    assert_eq!(again.to_string(), printed, "printing is stable");
    assert!(validate_relative_path(&uri.path).is_ok(), "{:?}", uri.path);
    assert!(validate_id("device", &uri.device).is_ok());
    assert!(uri.path.split('/').all(|s| !s.is_empty() && s != "." && s != ".."));
    assert!(!uri.file_name().is_empty());
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(&text);
    for scheme in ["android://", "ios://", "sim://"] {
        check(&format!("{scheme}{text}"));
    }
});
