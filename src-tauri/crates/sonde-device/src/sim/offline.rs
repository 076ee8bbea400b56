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

use super::bplist;
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
    let id = bplist::dict_string(&bytes, "MCMMetadataIdentifier")?;
    validate_id("bundle id", &id).is_ok().then_some(id)
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
