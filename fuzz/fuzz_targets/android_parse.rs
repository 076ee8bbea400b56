//! adb and device-side tool output parsers (`sonde_device::android::parse`):
//! total on any text, and what they return has the promised shape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonde_device::android::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for d in parse::devices(&text) {
        assert!(!d.id.is_empty() && !d.id.contains(char::is_whitespace), "{:?}", d.id);
        assert!(!d.raw_state.is_empty());
    }
    let packages = parse::packages(&text);
    assert!(packages.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    assert!(packages.iter().all(|p| !p.is_empty() && !p.contains(char::is_whitespace)));
    for (_, hash) in parse::sha256sums(&text) {
        assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }
    for (name, _) in parse::sizes(&text) {
        assert!(!name.contains('\n'));
    }
    // The directory is the first line (the caller's own, any text here).
    let (dir, rest) = text.split_once('\n').unwrap_or((".", &text));
    for rel in parse::find_relative(rest, dir) {
        assert!(!rel.is_empty() && !rel.contains('\n'));
    }
});
