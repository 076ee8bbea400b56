//! Display kinds (`sonde_display`): every kind's `decode` and `render_text`
//! are total on any bytes (as BLOB and TEXT) and any number; decoded values
//! always serialize for the UI; `render_text` stays on one line; `infer`
//! never guesses a kind its own samples do not decode as (signature-only
//! kinds aside); and integer dates round-trip exactly through their UTC text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonde_display::{decode, encode_date, infer, render_text, DateInput, Decoded, Framework, Kind, Raw, StoredNumber};

const NAMES: [(&str, Option<&str>, Framework); 8] = [
    ("ZCREATEDAT", Some("TIMESTAMP"), Framework::CoreData),
    ("ZIDENTIFIER", Some("BLOB"), Framework::CoreData),
    ("created_at", Some("INTEGER"), Framework::Room),
    ("payload_pb", Some("BLOB"), Framework::None),
    ("user_uuid", None, Framework::None),
    ("extra_json", Some("TEXT"), Framework::Other),
    ("data", None, Framework::None),
    ("id", Some("BLOB"), Framework::None),
];

fn check(raw: Raw) {
    for kind in Kind::ALL {
        if let Ok(d) = decode(kind, raw) {
            serde_json::to_string(&d).unwrap_or_else(|e| panic!("{kind} {raw:?}: {e}"));
            if let (Decoded::Date { utc, .. }, Raw::Integer(i)) = (&d, raw) {
                let back = encode_date(kind, &DateInput::Utc(utc.clone())).expect("a decoded date encodes");
                let want = match kind {
                    Kind::CoredataDate => StoredNumber::Real(i as f64),
                    _ => StoredNumber::Integer(i),
                };
                assert_eq!(back, want, "{kind} {i} -> {utc}");
            }
        }
        let text = render_text(kind, raw);
        assert!(!text.contains('\n'), "{kind} {raw:?}: {text:?}");
    }
}

fn check_infer(samples: &[Raw]) {
    for (name, decl, framework) in NAMES {
        let Some(kind) = infer(name, decl, framework, samples) else { continue };
        if matches!(kind, Kind::Gzip | Kind::Zlib | Kind::Plist) {
            continue; // guessed by signature alone
        }
        for raw in samples {
            if !matches!(raw, Raw::Null) {
                assert!(decode(kind, *raw).is_ok(), "{name}: guessed {kind} for {raw:?}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check(Raw::Blob(data));
    check(Raw::Text(data));
    let mut word = [0u8; 8];
    for (slot, b) in word.iter_mut().zip(data) {
        *slot = *b;
    }
    let int = Raw::Integer(i64::from_le_bytes(word));
    let real = Raw::Real(f64::from_le_bytes(word));
    check(int);
    check(real);
    check_infer(&[Raw::Blob(data)]);
    check_infer(&[Raw::Text(data), Raw::Null]);
    check_infer(&[int]);
    check_infer(&[real, int]);
});
