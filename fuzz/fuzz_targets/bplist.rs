//! The binary plist reader used for CoreSimulator container metadata. The
//! module is private to sonde-device; its source has no crate dependencies,
//! so it is compiled here as it is.
#![no_main]

#[allow(dead_code)]
#[path = "../../src-tauri/crates/sonde-device/src/sim/bplist.rs"]
mod bplist;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bplist::dict_string(data, "MCMMetadataIdentifier");
    if let Some(split) = data.iter().position(|b| *b == 0) {
        let key = String::from_utf8_lossy(&data[..split]);
        let _ = bplist::dict_string(&data[split + 1..], &key);
    }
});
