//! Parsers for `xcrun simctl` output. Total: odd entries are skipped, never
//! a panic.
//!
//! - `simctl list devices --json` (Xcode 10+): `{"devices": {"<runtime>":
//!   [{"udid", "name", "state", "isAvailable", "deviceTypeIdentifier",
//!   "dataPath", ...}]}}`. The runtime key is an identifier
//!   (`com.apple.CoreSimulator.SimRuntime.iOS-17-0`) or, before Xcode 10.1,
//!   a display name (`iOS 12.0`); before Xcode 11 availability was a string
//!   (`"availability": "(unavailable, runtime profile not found)"`).
//! - `simctl listapps <udid>` (Xcode 11+): an OpenStep plist (see
//!   [`super::plist`]) mapping bundle ids to dictionaries with
//!   `ApplicationType` (`User`/`System`), `CFBundleDisplayName`,
//!   `CFBundleName`, `CFBundleShortVersionString`, `CFBundleVersion`,
//!   `DataContainer` (a `file://` URL) and `GroupContainers`
//!   (`{ "group.x" = "file://..."; }`).

use crate::model::printable;
use crate::model::{Device, DeviceKind, DeviceState, Platform};
use crate::quote::validate_id;
use plist::Value as Plist;
use std::path::PathBuf;

const RUNTIME_PREFIX: &str = "com.apple.CoreSimulator.SimRuntime.";
const DEVICE_TYPE_PREFIX: &str = "com.apple.CoreSimulator.SimDeviceType.";

/// `simctl list devices --json` → available simulators, booted ones first,
/// then by name.
pub fn devices(json: &str) -> Result<Vec<Device>, serde_json::Error> {
    let root: serde_json::Value = serde_json::from_str(json)?;
    let mut out = Vec::new();
    let Some(runtimes) = root.get("devices").and_then(|d| d.as_object()) else { return Ok(out) };
    for (runtime, list) in runtimes {
        for d in list.as_array().map(Vec::as_slice).unwrap_or_default() {
            let text = |k: &str| d.get(k).and_then(|v| v.as_str());
            let Some(udid) = text("udid").filter(|u| validate_id("simulator id", u).is_ok()) else {
                continue;
            };
            let available = match d.get("isAvailable").and_then(|v| v.as_bool()) {
                Some(a) => a,
                None => !text("availability").unwrap_or("").contains("unavailable"),
            };
            if !available {
                continue;
            }
            let raw_state = text("state").unwrap_or("Unknown");
            let state = match raw_state {
                "Booted" => DeviceState::Ready,
                "Shutdown" => DeviceState::Shutdown,
                _ => DeviceState::Unknown,
            };
            let model = text("deviceTypeIdentifier")
                .map(|t| printable(&t.strip_prefix(DEVICE_TYPE_PREFIX).unwrap_or(t).replace('-', " ")));
            out.push(Device {
                platform: Platform::Sim,
                id: udid.to_owned(),
                name: text("name").map(printable).unwrap_or_else(|| udid.to_owned()),
                model,
                os_version: runtime_version(runtime),
                kind: DeviceKind::Simulator,
                state,
                raw_state: printable(raw_state),
            });
        }
    }
    out.sort_by_cached_key(|d| (d.state != DeviceState::Ready, d.name.to_lowercase(), d.id.clone()));
    Ok(out)
}

/// The `dataPath` of one simulator in `simctl list devices --json`.
pub fn data_path(json: &str, udid: &str) -> Option<PathBuf> {
    let root: serde_json::Value = serde_json::from_str(json).ok()?;
    root.get("devices")?
        .as_object()?
        .values()
        .filter_map(|list| list.as_array())
        .flatten()
        .find(|d| d.get("udid").and_then(|u| u.as_str()) == Some(udid))?
        .get("dataPath")?
        .as_str()
        .filter(|p| p.starts_with('/'))
        .map(PathBuf::from)
}

/// `com.apple.CoreSimulator.SimRuntime.iOS-17-0` → `iOS 17.0`; an old-style
/// display name (`iOS 12.0`) is kept as it is.
pub fn runtime_version(key: &str) -> Option<String> {
    let name = match key.strip_prefix(RUNTIME_PREFIX) {
        Some(id) => match id.split_once('-') {
            Some((os, version)) => format!("{os} {}", version.replace('-', ".")),
            None => id.to_owned(),
        },
        None => key.to_owned(),
    };
    let name = printable(name.trim());
    (!name.is_empty()).then_some(name)
}

/// One app of `simctl listapps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimApp {
    pub id: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub system: bool,
    /// The data container on the host.
    pub data: Option<PathBuf>,
    /// App-group id → container on the host.
    pub groups: Vec<(String, PathBuf)>,
}

/// A value of an OpenStep dictionary as text. The format has only strings,
/// but the `plist` crate reads a bare number (`CFBundleVersion = 7;`) as an
/// integer: it is shown as written.
fn str_of<'a>(dict: &'a Plist, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    match dict.as_dictionary()?.get(key)? {
        Plist::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Plist::Integer(i) => Some(std::borrow::Cow::Owned(i.to_string())),
        _ => None,
    }
}

/// `simctl listapps` (an OpenStep "old-style" property list: it is
/// `-[NSDictionary description]`, read with the `plist` crate) → apps with
/// valid bundle ids, sorted by id.
pub fn apps(text: &str) -> Result<Vec<SimApp>, plist::Error> {
    let root = Plist::from_reader_ascii(text.as_bytes())?;
    let Some(entries) = root.as_dictionary() else { return Ok(Vec::new()) };
    let mut out: Vec<SimApp> = entries
        .iter()
        .filter_map(|(key, entry)| {
            let id = str_of(entry, "CFBundleIdentifier").unwrap_or(std::borrow::Cow::Borrowed(key));
            let id = id.as_ref();
            if validate_id("bundle id", id).is_err() {
                tracing::debug!(id, "skipping an app with an unusable bundle id");
                return None;
            }
            let text = |k: &str| str_of(entry, k).map(|s| printable(&s)).filter(|s| !s.is_empty());
            let groups = entry
                .as_dictionary()
                .and_then(|d| d.get("GroupContainers"))
                .and_then(Plist::as_dictionary)
                .into_iter()
                .flat_map(|d| d.iter())
                .filter(|(group, _)| validate_group(group).is_ok())
                .filter_map(|(group, url)| Some((group.clone(), file_url_path(url.as_string()?)?)))
                .collect();
            Some(SimApp {
                id: id.to_owned(),
                name: text("CFBundleDisplayName").or_else(|| text("CFBundleName")),
                version: text("CFBundleShortVersionString").or_else(|| text("CFBundleVersion")),
                system: str_of(entry, "ApplicationType").as_deref() != Some("User"),
                data: str_of(entry, "DataContainer").and_then(|u| file_url_path(&u)),
                groups,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

/// An app-group id, usable as a path segment (`groups/<id>/...`): an id
/// that is not made of dots only.
pub fn validate_group(id: &str) -> crate::Result<&str> {
    validate_id("app group", id)?;
    if id.chars().all(|c| c == '.') {
        return Err(crate::DeviceError::InvalidName {
            what: "app group",
            name: id.into(),
            reason: "not a name",
        });
    }
    Ok(id)
}

/// `file:///Users/me/x%20y/` → `/Users/me/x y` (RFC 8089: an empty or
/// `localhost` authority, percent-encoded UTF-8 path). A plain absolute
/// path is accepted as it is; anything else is `None`.
pub fn file_url_path(url: &str) -> Option<PathBuf> {
    let path = match url.strip_prefix("file://") {
        Some(rest) => {
            let rest = rest.strip_prefix("localhost").unwrap_or(rest);
            if !rest.starts_with('/') {
                return None;
            }
            crate::uri::percent_decode(rest)?
        }
        // A plain path gets the same checks (a NUL, or `/` trimmed to "").
        None if url.starts_with('/') => url.to_owned(),
        None => return None,
    };
    if path.contains('\0') {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    Some(PathBuf::from(if trimmed.is_empty() { "/" } else { trimmed }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_device_list() {
        let json = r#"{"devices": {
            "com.apple.CoreSimulator.SimRuntime.iOS-17-0": [
                {"udid": "A1B2-C3", "name": "iPhone 15", "state": "Booted", "isAvailable": true,
                 "dataPath": "/x", "deviceTypeIdentifier": "com.apple.CoreSimulator.SimDeviceType.iPhone-15"},
                {"udid": "GONE", "name": "Old", "state": "Shutdown", "isAvailable": false},
                {"udid": "-bad", "name": "Hostile", "state": "Booted", "isAvailable": true}
            ],
            "iOS 12.0": [
                {"udid": "D4", "name": "iPad\u0007", "state": "Shutdown", "availability": "(available)"},
                {"udid": "D5", "name": "x", "state": "Shutdown", "availability": "(unavailable, runtime profile not found)"}
            ],
            "com.apple.CoreSimulator.SimRuntime.watchOS-10-2": [
                {"udid": "W1", "name": "Watch", "state": "Creating"}
            ]
        }}"#;
        let d = devices(json).expect("json");
        let ids: Vec<&str> = d.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["A1B2-C3", "D4", "W1"]);
        assert_eq!(d[0].name, "iPhone 15");
        assert_eq!(d[0].model.as_deref(), Some("iPhone 15"));
        assert_eq!(d[0].os_version.as_deref(), Some("iOS 17.0"));
        assert_eq!((d[0].state, d[0].kind), (DeviceState::Ready, DeviceKind::Simulator));
        assert_eq!((d[1].state, d[1].name.as_str()), (DeviceState::Shutdown, "iPad"));
        assert_eq!(d[1].os_version.as_deref(), Some("iOS 12.0"));
        assert_eq!((d[2].state, d[2].os_version.as_deref()), (DeviceState::Unknown, Some("watchOS 10.2")));
        assert_eq!(data_path(json, "A1B2-C3"), Some(PathBuf::from("/x")));
        assert_eq!(data_path(json, "D4"), None);
        assert!(devices("{}").expect("empty").is_empty());
        assert!(devices("not json").is_err());
    }

    #[test]
    fn parses_listapps() {
        let text = r#"{
    "com.example.notes" =     {
        ApplicationType = User;
        CFBundleDisplayName = Notes;
        CFBundleIdentifier = "com.example.notes";
        CFBundleShortVersionString = "1.2";
        CFBundleVersion = 7;
        DataContainer = "file:///Users/me/Data%20Dir/Application/Y/";
        GroupContainers =         {
            "group.com.example.shared" = "file:///Users/me/Shared/AppGroup/Z/";
            "../evil" = "file:///etc/";
            ".." = "file:///etc/";
        };
    };
    "com.apple.mobilesafari" =     {
        ApplicationType = System;
        CFBundleName = Safari;
        CFBundleVersion = 8617;
    };
    "-23.Test" = { ApplicationType = User; };
}"#;
        let a = apps(text).expect("parse");
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].id.as_str(), a[0].system, a[0].name.as_deref()),
            ("com.apple.mobilesafari", true, Some("Safari"))
        );
        assert_eq!(a[0].version.as_deref(), Some("8617"));
        assert_eq!(a[0].data, None);
        let notes = &a[1];
        assert_eq!((notes.system, notes.version.as_deref()), (false, Some("1.2")));
        assert_eq!(notes.data, Some(PathBuf::from("/Users/me/Data Dir/Application/Y")));
        assert_eq!(
            notes.groups,
            vec![("group.com.example.shared".to_string(), PathBuf::from("/Users/me/Shared/AppGroup/Z"))]
        );
        assert!(apps("{ unterminated").is_err());
    }

    /// `simctl listapps` as Xcode 15 prints it: escapes (`\U00e9`), empty
    /// dictionaries and arrays, bare words.
    const LISTAPPS: &str = r#"{
    "com.apple.mobilesafari" =     {
        ApplicationType = System;
        CFBundleDisplayName = Safari;
        CFBundleIdentifier = "com.apple.mobilesafari";
        GroupContainers =         {
        };
        SBAppTags =         (
        );
    };
    "com.example.notes" =     {
        ApplicationType = User;
        Bundle = "file:///Users/me/Library/Developer/CoreSimulator/Devices/UDID/data/Containers/Bundle/Application/X/Notes.app/";
        CFBundleDisplayName = "Caf\U00e9 Notes";
        CFBundleIdentifier = "com.example.notes";
        CFBundleShortVersionString = "1.2";
        DataContainer = "file:///Users/me/data/Containers/Data/Application/Y/";
        GroupContainers =         {
            "group.com.example.shared" = "file:///Users/me/Shared/AppGroup/Z/";
        };
        SBAppTags =         (
            "watch-companion",
            hidden
        );
    };
}"#;

    #[test]
    fn parses_real_listapps_output() {
        let a = apps(LISTAPPS).expect("parse");
        let notes = a.iter().find(|a| a.id == "com.example.notes").expect("notes");
        assert_eq!(notes.name.as_deref(), Some("Café Notes"));
        assert_eq!(notes.version.as_deref(), Some("1.2"));
        assert!(!notes.system);
        assert_eq!(notes.groups.len(), 1);
        let safari = a.iter().find(|a| a.id == "com.apple.mobilesafari").expect("safari");
        assert!(safari.system && safari.groups.is_empty());
    }

    /// Hostile or broken text is an error or an empty list, never a crash
    /// (deep nesting included).
    #[test]
    fn garbage_and_deep_nesting_do_not_crash() {
        for text in ["", "(", "{ a = ", "<zz>", "\"\\U", &"{a=".repeat(20_000), &"(".repeat(20_000)] {
            let _ = apps(text);
        }
    }

    #[test]
    fn file_urls() {
        assert_eq!(file_url_path("file:///a/b%20c/"), Some(PathBuf::from("/a/b c")));
        assert_eq!(file_url_path("file://localhost/a"), Some(PathBuf::from("/a")));
        assert_eq!(file_url_path("file:///%E8%A1%A8"), Some(PathBuf::from("/表")));
        assert_eq!(file_url_path("/plain/path/"), Some(PathBuf::from("/plain/path")));
        for bad in ["http://x/a", "file://host/a", "file:///a%zz", "file:///a%", "file:///a%00b", "relative"]
        {
            assert_eq!(file_url_path(bad), None, "{bad}");
        }
    }
}
