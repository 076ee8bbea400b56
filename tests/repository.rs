//! The repository stands on its own: a user clones the project alone, so
//! no tracked file may reach for the workshop's reference folder beside it.

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Tracked files (`git ls-files`), or every file outside build output when
/// the tree is not a git checkout (a tarball).
fn project_files() -> Vec<PathBuf> {
    let listed = Command::new("git").args(["ls-files", "-z"]).current_dir(ROOT).output();
    if let Ok(out) = listed {
        if out.status.success() && !out.stdout.is_empty() {
            return out
                .stdout
                .split(|b| *b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| Path::new(ROOT).join(String::from_utf8_lossy(p).as_ref()))
                .collect();
        }
    }
    let skip = ["target", "node_modules", ".git", ".tools", "dist"];
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(ROOT)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !skip.contains(&name.as_str()) {
                    stack.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn no_tracked_file_names_the_reference_folder_beside_the_repository() {
    // Spelled in two pieces so that this file does not match itself.
    let needle = ["..", "shared"].join("/");
    let files = project_files();
    assert!(files.len() > 100, "found only {} files: is ROOT right?", files.len());
    let offenders: Vec<String> = files
        .iter()
        .filter(|p| {
            std::fs::read(p)
                .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
                .unwrap_or(false)
        })
        .map(|p| p.strip_prefix(ROOT).unwrap_or(p).display().to_string())
        .collect();
    assert!(offenders.is_empty(), "these files name {needle}, which a clone does not have: {offenders:?}");
}
