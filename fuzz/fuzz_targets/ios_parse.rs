//! libimobiledevice output parsers (`sonde_device::ios::parse`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonde_device::ios::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let stripped = parse::strip_ansi(&text);
    assert!(!stripped.contains('\u{1b}'), "escape left in {stripped:?}");
    for udid in parse::udids(&text) {
        assert!(parse::validate_udid(&udid).is_ok());
    }
    let (key, body) = text.split_once('\n').unwrap_or(("ProductVersion", &text));
    if let Some(v) = parse::info_value(body, key) {
        assert!(!v.is_empty() && v.trim() == v);
    }
    let apps = parse::installed_apps(&text);
    assert!(apps.windows(2).all(|w| w[0].id < w[1].id), "sorted and unique");
    for app in &apps {
        for field in [&app.name, &app.version].into_iter().flatten() {
            assert!(!field.chars().any(char::is_control), "{field:?}");
        }
    }
    let _ = parse::stat_json(&text);
    let usable = |n: &str| {
        !n.is_empty() && n != "." && n != ".." && !n.contains('/') && !n.chars().any(char::is_control)
    };
    for name in parse::ls_names(&text) {
        assert!(usable(&name), "{name:?}");
    }
    if let Some(entries) = parse::ls_long(&text) {
        for e in entries {
            assert!(usable(&e.name), "{:?}", e.name);
        }
    }
    for line in text.lines() {
        let _ = parse::afc_error_code(line);
    }
});
