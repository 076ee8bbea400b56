//! Device-side shell arguments. Everything that reaches a device shell is
//! validated here and single-quoted: a file name on the device is
//! attacker-controlled (`x.db; rm -rf /sdcard` must stay a file name).

use crate::error::{DeviceError, Result};

/// POSIX single-quoting: `it's` → `'it'\''s'`.
pub fn sh_quote(arg: &str) -> String {
    let mut out = String::with_capacity(arg.len() + 2);
    out.push('\'');
    for c in arg.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Joins already-validated words into a command line, quoting each.
pub fn sh_join<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|w| sh_quote(w.as_ref())).collect::<Vec<_>>().join(" ")
}

/// Android package names: letters, digits, `_` and `.`.
pub fn validate_package(name: &str) -> Result<&str> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        && !name.starts_with('.');
    if ok {
        Ok(name)
    } else {
        Err(DeviceError::InvalidName {
            what: "package",
            name: name.into(),
            reason: "expected letters, digits, '_' and '.'",
        })
    }
}

/// iOS bundle identifiers and device ids: letters, digits, `-`, `_`, `.`, `:`.
pub fn validate_id<'a>(what: &'static str, id: &'a str) -> Result<&'a str> {
    let ok = !id.is_empty()
        && id.len() <= 255
        && !id.starts_with('-')
        && !id.bytes().all(|b| b == b'.')
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if ok {
        Ok(id)
    } else {
        Err(DeviceError::InvalidName {
            what,
            name: id.into(),
            reason: "expected letters, digits, '-', '_', '.', ':'",
        })
    }
}

/// A path relative to an app's directory: no absolute paths, no `..`, no
/// empty segments, no NUL or newline (which no tool output could carry).
pub fn validate_relative_path(path: &str) -> Result<&str> {
    let bad = |reason| Err(DeviceError::InvalidName { what: "path", name: path.into(), reason });
    if path.is_empty() {
        return bad("empty");
    }
    if path.starts_with('/') {
        return bad("must be relative to the app's directory");
    }
    if path.contains('\0') || path.contains('\n') || path.contains('\r') {
        return bad("contains a control character");
    }
    if path.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..") {
        return bad("must not contain '.', '..' or empty segments");
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("x.db; rm -rf /sdcard"), "'x.db; rm -rf /sdcard'");
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
        assert_eq!(sh_quote("$(reboot)`id`"), "'$(reboot)`id`'");
        assert_eq!(sh_join(&["cat", "a'b"]), "'cat' 'a'\\''b'");
    }

    #[test]
    fn validation() {
        assert!(validate_package("com.example.notes").is_ok());
        for bad in ["", "com.x;reboot", "com x", ".hidden", "a/b", "-rf"] {
            assert!(validate_package(bad).is_err(), "{bad}");
        }
        assert!(validate_relative_path("databases/x.db; rm -rf /sdcard").is_ok());
        for bad in ["", "/etc/passwd", "../../.bashrc", "databases/../../x", "a//b", "a\nb", "./x"] {
            assert!(validate_relative_path(bad).is_err(), "{bad:?}");
        }
        assert!(validate_id("udid", "00008101-1234567890123456").is_ok());
        assert!(validate_id("udid", "-u").is_err());
        assert!(validate_id("bundle", "..").is_err());
    }
}
