//! Whatever the bytes or numbers, decoding, rendering and inference return
//! (an error at worst) and never panic, for every kind.

use proptest::prelude::*;
use sonde_display::{decode, infer, render_text, Framework, Kind, Raw};

/// Bytes that start like each format, so the decoders get past the signature.
fn prefixed_bytes() -> impl Strategy<Value = Vec<u8>> {
    let prefixes: Vec<&'static [u8]> = vec![
        b"",
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR",
        b"\xFF\xD8\xFF",
        b"GIF89a",
        b"RIFF\0\0\0\0WEBPVP8X",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
        b"bplist00",
        b"<?xml version=\"1.0\"?><plist version=\"1.0\">",
        b"\x1F\x8B\x08",
        b"\x78\x9C",
        b"{\"",
        b"\x08",
    ];
    (proptest::sample::select(prefixes), proptest::collection::vec(any::<u8>(), 0..300)).prop_map(
        |(p, rest)| {
            let mut b = p.to_vec();
            b.extend(rest);
            b
        },
    )
}

fn raw_strategy() -> impl Strategy<Value = (u8, Vec<u8>, i64, f64)> {
    (0u8..5, prefixed_bytes(), any::<i64>(), any::<f64>())
}

fn as_raw(tag: u8, bytes: &[u8], i: i64, f: f64) -> Raw<'_> {
    match tag {
        0 => Raw::Null,
        1 => Raw::Integer(i),
        2 => Raw::Real(f),
        3 => Raw::Text(bytes),
        _ => Raw::Blob(bytes),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn decode_and_render_are_total((tag, bytes, i, f) in raw_strategy()) {
        let raw = as_raw(tag, &bytes, i, f);
        for kind in Kind::ALL {
            if let Ok(d) = decode(kind, raw) {
                // The UI's JSON always serializes.
                prop_assert!(serde_json::to_string(&d).is_ok());
            }
            let text = render_text(kind, raw);
            prop_assert!(!text.contains('\n'), "{kind}: {text:?}");
        }
        for kind in Kind::ALL {
            let _ = decode(kind, Raw::Blob(&bytes));
            let _ = decode(kind, Raw::Text(&bytes));
        }
    }

    #[test]
    fn infer_is_total(
        name in "[a-zA-Z_]{0,12}",
        decl in proptest::option::of("[A-Z]{0,10}"),
        samples in proptest::collection::vec(raw_strategy(), 0..4),
        fw in 0u8..4,
    ) {
        let framework = [Framework::None, Framework::CoreData, Framework::Room, Framework::Other][usize::from(fw)];
        let raws: Vec<Raw> = samples.iter().map(|(t, b, i, f)| as_raw(*t, b, *i, *f)).collect();
        if let Some(kind) = infer(&name, decl.as_deref(), framework, &raws) {
            // A guessed kind decodes every non-null sample it was guessed from.
            for raw in raws.iter().filter(|r| !matches!(r, Raw::Null)) {
                prop_assert!(decode(kind, *raw).is_ok() || matches!(kind, Kind::Gzip | Kind::Zlib | Kind::Plist),
                    "{kind} guessed for {name} but {raw:?} does not decode");
            }
        }
    }
}
