//! Archives written by another implementation (Python's `plistlib`, whose
//! binary writer is independent of the `plist` crate) decode the same way.

use sonde_display::{decode, render_text, Decoded, Kind, Raw};

/// `{when: NSDate(786016000.25)}` as an NSKeyedArchiver binary plist.
const KEYED_ARCHIVE: &[&str] = &[
    "62706c6973743030d401020304050620235924617263686976657258246f626a656374735424746f7058247665727369",
    "6f6e5f100f4e534b657965644172636869766572a607081112191d55246e756c6cd3090a0b0c0d0f5624636c61737357",
    "4e532e6b6579735a4e532e6f626a656374738003a10e8002a1108004547768656ed2131415165824636c61737365735a",
    "24636c6173736e616d65a31617185f10134e534d757461626c6544696374696f6e6172795c4e5344696374696f6e6172",
    "79584e534f626a656374d2091a1b1c574e532e74696d6580052341c76cd380200000d213141e1fa21f18564e53446174",
    "65d1212254726f6f74800112000186a000080011001b0024002900320044004b00510058005f00670072007400760078",
    "007a007c00810086008f009a009e00b400c100ca00cf00d700d900e200e700ea00f100f400f900fb0000000000000201",
    "000000000000002400000000000000000000000000000100",
];

fn unhex(parts: &[&str]) -> Vec<u8> {
    let s: String = parts.concat();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn python_keyed_archive() {
    let bytes = unhex(KEYED_ARCHIVE);
    let d = decode(Kind::Plist, Raw::Blob(&bytes)).unwrap();
    assert!(matches!(d, Decoded::Plist { archiver: true, .. }), "{d:?}");
    assert_eq!(render_text(Kind::Plist, Raw::Blob(&bytes)), r#"{"when": 2025-11-28T09:46:40.250Z}"#);
}
