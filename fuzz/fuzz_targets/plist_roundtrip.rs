//! OpenStep plist parser (`sonde_device::sim::plist::parse`): total on any
//! text, and for every accepted input, printing the value and parsing it
//! again gives the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonde_device::sim::plist::{self, Plist};

fn print(p: &Plist, out: &mut String) {
    match p {
        Plist::String(s) => {
            out.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        Plist::Data(bytes) => {
            out.push('<');
            for b in bytes {
                out.push_str(&format!("{b:02x}"));
            }
            out.push('>');
        }
        Plist::Array(items) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                print(item, out);
            }
            out.push(')');
        }
        Plist::Dict(entries) => {
            out.push('{');
            for (k, v) in entries {
                print(&Plist::String(k.clone()), out);
                out.push_str(" = ");
                print(v, out);
                out.push(';');
            }
            out.push('}');
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(value) = plist::parse(text) {
        let mut printed = String::new();
        print(&value, &mut printed);
        let again =
            plist::parse(&printed).unwrap_or_else(|e| panic!("reprint of {value:?} fails: {e}: {printed}"));
        assert_eq!(again, value, "via {printed}");
    }
});
