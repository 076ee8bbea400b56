//! Parsers for libimobiledevice tool output. Total: odd lines are skipped,
//! never a panic. Formats (from the tools' sources):
//!
//! - `idevice_id -l` (libimobiledevice `tools/idevice_id.c`): one UDID per
//!   line; when both USB and network devices are listed a ` (USB)` /
//!   ` (Network)` suffix follows.
//! - `ideviceinfo -u UDID` (`tools/ideviceinfo.c`): `Key: Value` lines;
//!   nested values are indented below their key.
//! - `ideviceinstaller -u UDID -l` (libimobiledevice/ideviceinstaller
//!   `src/ideviceinstaller.c`, `print_apps_header`/`print_apps`): a header
//!   `CFBundleIdentifier, CFBundleVersion, CFBundleDisplayName` (newer:
//!   `CFBundleShortVersionString` in the middle), then
//!   `com.example.app, "1.0", "My App"` (no escaping inside the quotes; the
//!   version is omitted when the app has none). Releases before 1.1.1
//!   printed `Total: N apps` and `com.example.app - My App 1.0`.
//! - `afcclient ... info PATH` (libimobiledevice `tools/afcclient.c`,
//!   `handle_file_info`): the AFC file-info dictionary as JSON
//!   (`st_size`, `st_ifmt` = `S_IFREG`/`S_IFDIR`/`S_IFLNK`..., `st_mtime`
//!   in ns); numbers are accepted as JSON numbers or numeric strings.
//! - `afcclient ... ls [-l] PATH` (`handle_list`, `print_file_info`): one
//!   base name per line, or with `-l`
//!   `drwxr-xr-x    2 mobile mobile        160 05 Jan 2024 12:34:56 NAME`.
//!   Names may be wrapped in terminal colour codes, stripped here.
//! - afcclient failures: `Error: <what>: <afc_strerror> (<afc_error_t>)` on
//!   STDOUT with exit status 0 (command-line mode ignores them).

use crate::error::{DeviceError, Result};
use crate::model::printable;
use crate::quote::validate_id;

/// Removes terminal escape sequences (`ESC [ ... <final byte>`).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

/// An iOS UDID: 40 hex digits (before 2018) or `XXXXXXXX-XXXXXXXXXXXXXXXX`.
/// Stricter than an id: some tools treat an argument with a `.` in it as a
/// bundle id (old ideviceinstaller took `-u com.x` for "uninstall com.x").
pub fn validate_udid(udid: &str) -> Result<&str> {
    validate_id("udid", udid)?;
    if udid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        Ok(udid)
    } else {
        Err(DeviceError::InvalidName {
            what: "udid",
            name: udid.into(),
            reason: "expected hex digits and '-'",
        })
    }
}

/// `idevice_id -l` → UDIDs (valid ones only, first occurrence kept).
pub fn udids(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for udid in text.lines().filter_map(|l| l.split_whitespace().next()) {
        if validate_udid(udid).is_ok() && !out.iter().any(|u| u == udid) {
            out.push(udid.to_owned());
        }
    }
    out
}

/// `ideviceinfo` → the value of a top-level key.
pub fn info_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .filter(|l| !l.starts_with(char::is_whitespace))
        .filter_map(|l| l.split_once(": "))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// One line of `ideviceinstaller -l`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledApp {
    pub id: String,
    pub version: Option<String>,
    pub name: Option<String>,
}

/// `ideviceinstaller -l` (either format) → apps with valid bundle ids.
pub fn installed_apps(text: &str) -> Vec<InstalledApp> {
    let mut out: Vec<InstalledApp> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with("CFBundleIdentifier") && !l.starts_with("Total:"))
        .filter_map(|line| {
            let (id, version, name) = if let Some((id, rest)) = line.split_once(", ") {
                let (version, name) = quoted_fields(rest);
                (id, version, name)
            } else {
                // Legacy: `id - Display Name 1.0`.
                let (id, rest) = line.split_once(" - ")?;
                match rest.rsplit_once(' ') {
                    Some((name, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => {
                        (id, Some(v.to_owned()), Some(name.to_owned()))
                    }
                    _ => (id, None, Some(rest.to_owned())),
                }
            };
            let id = id.trim();
            validate_id("bundle id", id).ok()?;
            let clean = |s: Option<String>| s.map(|s| printable(&s)).filter(|s| !s.is_empty());
            Some(InstalledApp { id: id.to_owned(), version: clean(version), name: clean(name) })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// `"1.0", "My, App"` → (version, name); a single field is the name.
fn quoted_fields(rest: &str) -> (Option<String>, Option<String>) {
    let rest = rest.trim();
    let pair = if rest.len() >= 2 && rest.starts_with('"') && rest.ends_with('"') {
        let inner = &rest[1..rest.len() - 1];
        inner.split_once("\", \"").map_or((None, inner), |(v, n)| (Some(v), n))
    } else {
        rest.split_once(", ").map_or((None, rest), |(v, n)| (Some(v), n))
    };
    (pair.0.map(str::to_owned), Some(pair.1.to_owned()))
}

/// What a path on the device is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Link,
    Other,
}

/// An AFC file-info answer (what `info` tells).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub kind: Kind,
    pub size: u64,
    /// Modification time in ns, when the device reports it.
    pub mtime: Option<u64>,
}

/// `afcclient info` JSON → [`Stat`]; `None` when it is not that dictionary.
pub fn stat_json(text: &str) -> Option<Stat> {
    let start = text.find('{')?;
    let value: serde_json::Value = serde_json::from_str(text.get(start..)?.trim()).ok()?;
    let number = |k: &str| match value.get(k)? {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let kind = match value.get("st_ifmt")?.as_str()? {
        "S_IFREG" => Kind::File,
        "S_IFDIR" => Kind::Dir,
        "S_IFLNK" => Kind::Link,
        _ => Kind::Other,
    };
    Some(Stat { kind, size: number("st_size")?, mtime: number("st_mtime") })
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
    pub size: u64,
}

/// Whether a listed name can be a path segment (`.`/`..` and names with
/// `/` or control characters are dropped).
fn usable_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.chars().any(char::is_control)
}

/// `afcclient ls PATH` → base names.
pub fn ls_names(text: &str) -> Vec<String> {
    strip_ansi(text).lines().filter(|n| usable_name(n)).map(str::to_owned).collect()
}

/// `afcclient ls -l PATH` → entries; `None` when any line does not have
/// the expected shape (the caller then asks `info` per name instead).
pub fn ls_long(text: &str) -> Option<Vec<Entry>> {
    let text = strip_ansi(text);
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (fields, name) = split_fields::<9>(line)?;
        let [perms, nlink, _user, _group, size, day, _month, year, time] = fields;
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let shaped = perms.len() == 10
            && numeric(nlink)
            && numeric(day)
            && numeric(year)
            && time.bytes().filter(|b| *b == b':').count() == 2;
        if !shaped {
            return None;
        }
        let kind = match perms.as_bytes()[0] {
            b'd' => Kind::Dir,
            b'l' => Kind::Link,
            b'-' => Kind::File,
            _ => Kind::Other,
        };
        let size = size.parse().ok()?;
        if usable_name(name) {
            out.push(Entry { name: name.to_owned(), kind, size });
        }
    }
    Some(out)
}

/// The first `N` space-separated fields and the rest after exactly one
/// more space (a name may itself contain or start with spaces).
fn split_fields<const N: usize>(line: &str) -> Option<([&str; N], &str)> {
    let mut fields = [""; N];
    let mut rest = line;
    for field in fields.iter_mut() {
        rest = rest.trim_start_matches(' ');
        let end = rest.find(' ')?;
        *field = &rest[..end];
        rest = &rest[end..];
    }
    Some((fields, rest.strip_prefix(' ')?))
}

/// The `afc_error_t` at the end of an afcclient `Error:` line, e.g. 8 in
/// `Error: Failed to get file info for /x: Not found (8)`.
pub fn afc_error_code(line: &str) -> Option<i32> {
    let (_, code) = line.trim_end().strip_suffix(')')?.rsplit_once('(')?;
    code.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_ids_and_info() {
        assert_eq!(
            udids("00008101-001A2B3C4D5E001E\nabcdef0123456789abcdef0123456789abcdef01 (USB)\n-evil\ncom.victim.app\n\n00008101-001A2B3C4D5E001E (Network)\n"),
            ["00008101-001A2B3C4D5E001E", "abcdef0123456789abcdef0123456789abcdef01"]
        );
        let info = "ActivationState: Activated\nDeviceName: Ana's iPhone\nProductType: iPhone15,2\nProductVersion: 17.1.2\nSupportedDeviceFamilies:\n 0: 1\n DeviceName: nested\n";
        assert_eq!(info_value(info, "DeviceName"), Some("Ana's iPhone"));
        assert_eq!(info_value(info, "ProductType"), Some("iPhone15,2"));
        assert_eq!(info_value(info, "ProductVersion"), Some("17.1.2"));
        assert_eq!(info_value(info, "SupportedDeviceFamilies"), None);
        assert_eq!(info_value(info, "Missing"), None);
    }

    #[test]
    fn installer_formats() {
        let current = "CFBundleIdentifier, CFBundleShortVersionString, CFBundleDisplayName\n\
            com.example.notes, \"1.2\", \"Notes, Pro\"\n\
            com.example.noversion, \"Bare\"\n\
            com.example;reboot, \"1\", \"x\"\n";
        let apps = installed_apps(current);
        assert_eq!(apps.len(), 2);
        assert_eq!(
            apps[0],
            InstalledApp {
                id: "com.example.notes".into(),
                version: Some("1.2".into()),
                name: Some("Notes, Pro".into())
            }
        );
        assert_eq!(
            apps[1],
            InstalledApp { id: "com.example.noversion".into(), version: None, name: Some("Bare".into()) }
        );
        let older = "CFBundleIdentifier, CFBundleVersion, CFBundleDisplayName\ncom.a, \"42\", \"A\"\n";
        assert_eq!(installed_apps(older)[0].version.as_deref(), Some("42"));
        let legacy = "Total: 2 apps\ncom.b - Bee App 2.0.1\ncom.c - Sea\n";
        let apps = installed_apps(legacy);
        assert_eq!((apps[0].name.as_deref(), apps[0].version.as_deref()), (Some("Bee App"), Some("2.0.1")));
        assert_eq!((apps[1].name.as_deref(), apps[1].version.as_deref()), (Some("Sea"), None));
    }

    #[test]
    fn afc_outputs() {
        let info = "{\n  \"st_size\": 4096,\n  \"st_blocks\": 8,\n  \"st_nlink\": 1,\n  \"st_ifmt\": \"S_IFREG\",\n  \"st_mtime\": 1700000000123456789\n}\n";
        assert_eq!(
            stat_json(info),
            Some(Stat { kind: Kind::File, size: 4096, mtime: Some(1700000000123456789) })
        );
        let strings = "{\"st_size\": \"160\", \"st_ifmt\": \"S_IFDIR\"}";
        assert_eq!(stat_json(strings), Some(Stat { kind: Kind::Dir, size: 160, mtime: None }));
        assert_eq!(stat_json("Error: Failed to get file info for /x: Not found (8)"), None);
        assert_eq!(ls_names("a.db\n\u{1b}[36mLibrary\u{1b}[0m\n.\n..\nx y\n"), ["a.db", "Library", "x y"]);
        let long =
            "drwxr-xr-x    2 mobile mobile        160 05 Jan 2024 12:34:56 \u{1b}[36mDocuments\u{1b}[0m\n\
            -rw-r--r--    1 mobile mobile       4096 31 Dec 2023 01:02:03 x.db; rm -rf ~\n\
            lrwxrwxrwx    1 mobile mobile         11 01 Feb 2024 00:00:00  lead\n";
        assert_eq!(
            ls_long(long),
            Some(vec![
                Entry { name: "Documents".into(), kind: Kind::Dir, size: 160 },
                Entry { name: "x.db; rm -rf ~".into(), kind: Kind::File, size: 4096 },
                Entry { name: " lead".into(), kind: Kind::Link, size: 11 },
            ])
        );
        assert_eq!(ls_long("garbage line\n"), None);
        assert_eq!(ls_long(""), Some(vec![]));
        assert_eq!(afc_error_code("Error: Failed to rename 'a' -> 'b': Permission denied (10)"), Some(10));
        assert_eq!(afc_error_code("Error: Invalid argument"), None);
    }
}
