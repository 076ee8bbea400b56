//! Where a database lives: a local file, or a file inside an app on a
//! device or simulator (see `sonde_device::uri` for the URI forms).
//!
//! A local location's key is `file://` and the native path as it is: the
//! recent list, the change log and keychain entries store that text, and
//! the UI shows what follows the prefix. [`file_uri`] and
//! [`path_of_file_uri`] convert between a native path and a real RFC 8089
//! URI (percent-encoded), which is what other `file://` text means on
//! Windows. The OS is a parameter so each OS is tested on any host.

use crate::error::{CoreError, Result};
use sonde_device::{DeviceUri, HostOs};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Local(PathBuf),
    Device(DeviceUri),
}

impl Location {
    /// `android://`, `ios://`, `sim://` are device locations; `file://` and
    /// anything else is a local path.
    pub fn parse(text: &str) -> Result<Location> {
        Location::parse_on(HostOs::current(), text)
    }

    /// [`Location::parse`] with `os`'s path conventions.
    pub fn parse_on(os: HostOs, text: &str) -> Result<Location> {
        if let Some(rest) = text.strip_prefix("file://") {
            return Ok(Location::Local(PathBuf::from(file_text_path(os, text, rest)?)));
        }
        if ["android://", "ios://", "sim://"].iter().any(|s| text.starts_with(s)) {
            return Ok(Location::Device(DeviceUri::parse(text)?));
        }
        if text.is_empty() {
            return Err(CoreError::BadLocation { location: text.into(), reason: "empty" });
        }
        Ok(Location::Local(PathBuf::from(text)))
    }

    /// Stable text form (the key of the change log and recent list).
    pub fn key(&self) -> String {
        match self {
            Location::Local(p) => {
                let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                local_key(HostOs::current(), &abs.display().to_string())
            }
            Location::Device(uri) => uri.to_string(),
        }
    }
}

/// The key of local path `path`: `file://` and the path, without the
/// verbatim prefix canonicalizing adds on Windows (`\\?\C:\x` is `C:\x`).
pub fn local_key(os: HostOs, path: &str) -> String {
    let path = if os.is_windows() { strip_verbatim(path) } else { path.to_owned() };
    format!("file://{path}")
}

/// The native path `file://` text names. On Unix the rest as it is (keys
/// are never encoded, so a `%` or `\` in a name stays); on Windows a key's
/// native path (`file://C:\x`, `file://\\server\share\x`) or an RFC 8089 URI.
fn file_text_path(os: HostOs, text: &str, rest: &str) -> Result<String> {
    if !os.is_windows() || is_windows_absolute(rest) {
        return Ok(rest.to_owned());
    }
    path_of_file_uri(os, text)
}

/// `C:\…`, `C:/…` or `\\server\…`.
fn is_windows_absolute(text: &str) -> bool {
    let b = text.as_bytes();
    text.starts_with(r"\\")
        || (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/'))
}

fn strip_verbatim(path: &str) -> String {
    match path.strip_prefix(r"\\?\UNC\") {
        Some(unc) => format!(r"\\{unc}"),
        None => path.strip_prefix(r"\\?\").unwrap_or(path).to_owned(),
    }
}

/// The RFC 8089 URI of absolute native path `path`, percent-encoded (space,
/// `#`, `?`, `%`, non-ASCII): on Windows `C:\Users\ana\app.db` is
/// `file:///C:/Users/ana/app.db` and `\\server\share\x.db` is
/// `file://server/share/x.db`; on Unix a `\` is part of a name (`%5C`).
pub fn file_uri(os: HostOs, path: &str) -> String {
    if !os.is_windows() {
        return format!("file://{}", encode(path));
    }
    let slashed = strip_verbatim(path).replace('\\', "/");
    if let Some(unc) = slashed.strip_prefix("//") {
        let (host, rest) = unc.split_once('/').unwrap_or((unc, ""));
        return format!("file://{}/{}", encode(host), encode(rest));
    }
    let root = if slashed.starts_with('/') { "" } else { "/" };
    format!("file://{root}{}", encode(&slashed))
}

/// The native path of an RFC 8089 `file://` URI (the inverse of
/// [`file_uri`]); an empty or `localhost` authority is this machine.
pub fn path_of_file_uri(os: HostOs, uri: &str) -> Result<String> {
    let bad = |reason: &'static str| CoreError::BadLocation { location: uri.into(), reason };
    let rest = uri.strip_prefix("file://").ok_or_else(|| bad("not a file:// URI"))?;
    // Sonde never names a file by a query or fragment: refuse rather than
    // open a different file than the one typed.
    if rest.contains(['?', '#']) {
        return Err(bad("a `?` or `#` in a file URI must be percent-encoded (%3F, %23)"));
    }
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let decode = |s: &str| sonde_device::uri::percent_decode(s).filter(|d| !d.contains('\0'));
    let path = decode(path).ok_or_else(|| bad("bad percent-encoding"))?;
    let host = decode(host).ok_or_else(|| bad("bad percent-encoding"))?;
    let host = if host.eq_ignore_ascii_case("localhost") { "" } else { host.as_str() };
    if path.is_empty() {
        return Err(bad("no path"));
    }
    if !os.is_windows() {
        return if host.is_empty() { Ok(path) } else { Err(bad("a file on another host")) };
    }
    let native = path.replace('/', "\\");
    if !host.is_empty() {
        return Ok(format!(r"\\{host}{native}"));
    }
    // `/C:/x` is `C:\x`; `////server/share` (the four-slash UNC form) stays.
    let b = native.as_bytes();
    let drive = b.len() >= 3 && b[1].is_ascii_alphabetic() && b[2] == b':';
    Ok(if drive { native[1..].to_owned() } else { native })
}

/// Percent-encodes all but RFC 3986's path characters (UTF-8 bytes).
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        let ch = char::from(byte);
        if byte.is_ascii_alphanumeric() || "-._~/!$&'()*+,;=:@".contains(ch) {
            out.push(ch);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn local(os: HostOs, text: &str) -> String {
        match Location::parse_on(os, text) {
            Ok(Location::Local(p)) => p.display().to_string(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn parses_forms() {
        assert!(matches!(Location::parse("/tmp/a.db"), Ok(Location::Local(_))));
        assert!(
            matches!(Location::parse("file:///tmp/a.db"), Ok(Location::Local(p)) if p == std::path::Path::new("/tmp/a.db"))
        );
        assert!(matches!(Location::parse("android://s/com.x/databases/a.db"), Ok(Location::Device(_))));
        assert!(Location::parse("android://s/com.x/../../etc").is_err());
        assert!(Location::parse("").is_err());
    }

    /// Linux: keys are raw, so `file://` text is taken as it is, and a `\`
    /// is part of a file name.
    #[test]
    fn linux_keeps_file_text_raw_and_backslashes_in_names() {
        let os = HostOs::Linux;
        assert_eq!(local(os, "file:///tmp/a%20b.db"), "/tmp/a%20b.db");
        let odd = Location::parse_on(os, r"/tmp/a\b.db").expect("parse");
        let Location::Local(p) = odd else { panic!("{odd:?}") };
        assert_eq!(p.file_name().and_then(|n| n.to_str()), Some(r"a\b.db"));
        assert_eq!(p.parent(), Some(Path::new("/tmp")));
        assert_eq!(local_key(os, "/tmp/my app #1.db"), "file:///tmp/my app #1.db");
        assert_eq!(local(os, &local_key(os, "/tmp/100%.db")), "/tmp/100%.db");
    }

    #[test]
    fn linux_file_uri_round_trips_with_encoding() {
        let os = HostOs::Linux;
        let path = r"/tmp/my app #1?\x%.db";
        let uri = file_uri(os, path);
        assert_eq!(uri, "file:///tmp/my%20app%20%231%3F%5Cx%25.db");
        assert_eq!(path_of_file_uri(os, &uri).expect("back"), path);
        assert_eq!(path_of_file_uri(os, "file://localhost/a").expect("localhost"), "/a");
        for bad in ["file://host/a", "file:///a%zz", "file:///a%00b", "file:///a#frag", "file://", "/a"] {
            assert!(path_of_file_uri(os, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn macos_file_uri_encodes_non_ascii() {
        let os = HostOs::MacOs;
        let path = "/Users/ana/Library/Application Support/é.db";
        let uri = file_uri(os, path);
        assert_eq!(uri, "file:///Users/ana/Library/Application%20Support/%C3%A9.db");
        assert_eq!(path_of_file_uri(os, &uri).expect("back"), path);
        assert_eq!(local(os, "file:///Users/ana/x.db"), "/Users/ana/x.db");
    }

    #[test]
    fn windows_paths_and_uris_map_both_ways() {
        let os = HostOs::Windows;
        for (path, uri) in [
            (r"C:\Users\ana\app.db", "file:///C:/Users/ana/app.db"),
            (r"C:\Users\ana\my app #1?.db", "file:///C:/Users/ana/my%20app%20%231%3F.db"),
            (r"\\server\share\x.db", "file://server/share/x.db"),
        ] {
            assert_eq!(file_uri(os, path), uri);
            assert_eq!(path_of_file_uri(os, uri).expect("back"), path);
            assert_eq!(local(os, uri), path);
            assert_eq!(local(os, path), path);
        }
        assert_eq!(file_uri(os, r"\\?\C:\Users\ana\app.db"), "file:///C:/Users/ana/app.db");
        assert_eq!(file_uri(os, r"\\?\UNC\server\share\x.db"), "file://server/share/x.db");
        assert_eq!(local(os, "file://localhost/C:/x.db"), r"C:\x.db");
        assert_eq!(local(os, "file:////server/share/x.db"), r"\\server\share\x.db");
        assert!(Location::parse_on(os, "file:///C:/a#1.db").is_err());
    }

    /// Windows keys: the native path after `file://`, verbatim prefix
    /// dropped, and parsed back as it is (a `%` in a name stays).
    #[test]
    fn windows_keys_round_trip() {
        let os = HostOs::Windows;
        assert_eq!(local_key(os, r"\\?\C:\Users\ana\app.db"), r"file://C:\Users\ana\app.db");
        assert_eq!(local_key(os, r"\\?\UNC\server\share\x.db"), r"file://\\server\share\x.db");
        for path in [r"C:\Users\ana\100%.db", r"\\server\share\x.db", "D:/data/x.db"] {
            assert_eq!(local(os, &local_key(os, path)), path);
        }
    }
}
