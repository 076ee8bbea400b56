//! Device database locations:
//! `android://<serial>/<package>/<path in the app data dir>`,
//! `ios://<udid>/<bundle>/<path in the app container>`,
//! `sim://<udid>/<bundle>/<path in the data container>`.
//!
//! Android paths starting with `external/` are in the app's external files
//! dir (`/sdcard/Android/data/<package>/`); simulator paths starting with
//! `groups/<group id>/` are in an app-group container. Segments may be
//! percent-encoded (`%20`); `..`, `.` and empty segments are refused.

use crate::error::{DeviceError, Result};
use crate::model::Platform;
use crate::quote::{validate_id, validate_package, validate_relative_path};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceUri {
    pub platform: Platform,
    pub device: String,
    pub app: String,
    /// Validated relative path (decoded).
    pub path: String,
}

impl DeviceUri {
    pub fn parse(text: &str) -> Result<DeviceUri> {
        let bad = |reason: &str| DeviceError::BadUri { uri: text.into(), reason: reason.into() };
        let (scheme, rest) = text.split_once("://").ok_or_else(|| bad("expected scheme://"))?;
        let platform = match scheme {
            "android" => Platform::Android,
            "ios" => Platform::Ios,
            "sim" => Platform::Sim,
            _ => return Err(bad("scheme must be android, ios or sim")),
        };
        let mut parts = rest.splitn(3, '/');
        let device =
            percent_decode(parts.next().unwrap_or_default()).ok_or_else(|| bad("bad percent-encoding"))?;
        let app =
            percent_decode(parts.next().unwrap_or_default()).ok_or_else(|| bad("bad percent-encoding"))?;
        let raw_path = parts.next().unwrap_or_default();
        if device.is_empty() || app.is_empty() || raw_path.is_empty() {
            return Err(bad("expected scheme://<device>/<app>/<path>"));
        }
        validate_id("device id", &device)?;
        match platform {
            Platform::Android => validate_package(&app).map(drop)?,
            _ => validate_id("bundle id", &app).map(drop)?,
        }
        let segments: Option<Vec<String>> = raw_path.split('/').map(percent_decode).collect();
        let segments = segments.ok_or_else(|| bad("bad percent-encoding"))?;
        if segments.iter().any(|s| s.contains('/')) {
            return Err(bad("a path segment may not encode '/'"));
        }
        let path = segments.join("/");
        validate_relative_path(&path)?;
        Ok(DeviceUri { platform, device, app, path })
    }

    /// Device + app part, e.g. `android://serial/pkg`.
    pub fn app_uri(&self) -> String {
        format!("{}://{}/{}", self.platform.scheme(), encode(&self.device), encode(&self.app))
    }

    pub fn for_file(platform: Platform, device: &str, app: &str, path: &str) -> DeviceUri {
        DeviceUri { platform, device: device.into(), app: app.into(), path: path.into() }
    }

    /// The file name (last segment).
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

impl std::fmt::Display for DeviceUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path: Vec<String> = self.path.split('/').map(encode).collect();
        write!(f, "{}/{}", self.app_uri(), path.join("/"))
    }
}

/// Percent-encodes ASCII that would make a URI ambiguous or unprintable;
/// non-ASCII text stays readable.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for ch in segment.chars() {
        let keep = !ch.is_ascii() || ch.is_ascii_alphanumeric() || "-_.~:@+,;=!$&'()*".contains(ch);
        if keep {
            out.push(ch);
        } else {
            out.push_str(&format!("%{:02X}", ch as u32));
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` for a bad escape or non-UTF-8 result.
pub fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips() {
        let uri =
            DeviceUri::parse("android://127.0.0.1:5555/com.example.notes/databases/notes.db").expect("parse");
        assert_eq!(uri.device, "127.0.0.1:5555");
        assert_eq!(uri.app, "com.example.notes");
        assert_eq!(uri.path, "databases/notes.db");
        assert_eq!(DeviceUri::parse(&uri.to_string()).expect("again"), uri);
        let hostile = DeviceUri::parse("android://s/com.x/databases/x.db%3B%20rm%20-rf%20%2Fsdcard").err();
        assert!(hostile.is_some(), "an encoded '/' is refused");
        let spaced = DeviceUri::parse("android://s/com.x/databases/x.db;%20rm -rf").expect("spaces ok");
        assert_eq!(spaced.path, "databases/x.db; rm -rf");
        assert_eq!(DeviceUri::parse(&spaced.to_string()).expect("round trip"), spaced);
        let unicode = DeviceUri::parse("sim://ABC/com.x/Documents/é 表.sqlite").expect("unicode");
        assert_eq!(DeviceUri::parse(&unicode.to_string()).expect("rt"), unicode);
    }

    #[test]
    fn refuses_traversal_and_garbage() {
        for bad in [
            "android://s/com.x/../../.bashrc",
            "android://s/com.x/databases/../../x",
            "android://s/com.x/%2E%2E/x",
            "android://s/com.x//etc/passwd",
            "android://s/com.x;reboot/x.db",
            "android://-s/com.x/x.db",
            "ftp://s/com.x/x.db",
            "android://s/com.x",
            "android://s/com.x/",
            "android://s/com.x/a%zz",
        ] {
            assert!(DeviceUri::parse(bad).is_err(), "{bad}");
        }
    }
}
