//! Shut-down simulators. `simctl listapps` answers only for booted ones,
//! yet their containers are still on disk under the device's `dataPath`
//! (from `simctl list devices --json`). Each container directory holds
//! `.com.apple.mobile_container_manager.metadata.plist`, a binary plist
//! whose `MCMMetadataIdentifier` is the app's bundle id, which is enough to
//! find an app's data container without booting the simulator.
//!
//! What this cannot know offline: display names, versions, and which
//! app-group containers belong to which app (those are only reported for
//! booted simulators); `com.apple.*` apps are taken for system apps.

use super::parse::SimApp;
use crate::quote::validate_id;
use std::io::Read;
use std::path::{Path, PathBuf};

pub const METADATA: &str = ".com.apple.mobile_container_manager.metadata.plist";
/// Metadata files are a few hundred bytes; anything far larger is not one.
const MAX_METADATA: u64 = 1024 * 1024;

/// The identifier in a container's metadata file.
fn identifier(container: &Path) -> Option<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(container.join(METADATA)).ok()?.take(MAX_METADATA).read_to_end(&mut bytes).ok()?;
    let id = metadata_identifier(&bytes)?;
    validate_id("bundle id", &id).is_ok().then_some(id)
}

/// `MCMMetadataIdentifier` of a (binary) metadata property list.
fn metadata_identifier(bytes: &[u8]) -> Option<String> {
    let value = plist::Value::from_reader(std::io::Cursor::new(bytes)).ok()?;
    value.as_dictionary()?.get("MCMMetadataIdentifier")?.as_string().map(str::to_owned)
}

/// (identifier, directory) of each container directly under `dir`, sorted;
/// symlinks are not followed.
pub fn containers(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| std::fs::symlink_metadata(e.path()).map(|m| m.is_dir()).unwrap_or(false))
        .filter_map(|e| Some((identifier(&e.path())?, e.path())))
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// The apps with a data container on a simulator's disk.
pub fn apps(data_path: &Path) -> Vec<SimApp> {
    containers(&data_path.join("Containers/Data/Application"))
        .into_iter()
        .map(|(id, dir)| SimApp {
            system: id.starts_with("com.apple."),
            id,
            name: None,
            version: None,
            data: Some(dir),
            groups: Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `plistlib.dumps({...}, fmt=plistlib.FMT_BINARY)` (Python 3.11) of a
    /// container metadata dictionary: `MCMMetadataIdentifier` =
    /// `com.example.notes`, an integer, a nested dictionary and
    /// `Name` = `Café 表` (a UTF-16 string).
    const METADATA: &str = "62706c6973743030d60102030405060708090c0d0e5f10174d434d4d65746164617461436f6e74656e74436c6173735f10154d434d4d657461646174614964656e7469666965725f100f4d434d4d65746164617461496e666f5f10184d434d4d65746164617461536368656d6156657273696f6e5f100f4d434d4d6574616461746155554944544e616d6510025f1011636f6d2e6578616d706c652e6e6f746573d10a0b5f102a636f6d2e6170706c652e4d6f62696c65496e7374616c6c6174696f6e2e42756e646c6556657273696f6e513110015f102442313143374436352d303636312d343043322d423045342d4435303535333030304142316600430061006600e90020886800080015002f0047005900740086008b008d00a100a400d100d300d500fc0000000000000201000000000000000f00000000000000000000000000000109";

    #[test]
    fn reads_the_identifier_of_a_real_binary_plist() {
        let bytes = hex::decode(METADATA).expect("hex");
        assert_eq!(metadata_identifier(&bytes).as_deref(), Some("com.example.notes"));
        for cut in [0, 8, 40, bytes.len() - 1] {
            assert_eq!(metadata_identifier(&bytes[..cut]), None, "truncated at {cut}");
        }
        let mut damaged = bytes.clone();
        for i in (0..damaged.len()).step_by(7) {
            damaged[i] ^= 0xA5;
        }
        let _ = metadata_identifier(&damaged);
        assert_eq!(metadata_identifier(b"not a plist"), None);
    }
}
