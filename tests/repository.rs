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

/// The dependencies a manifest declares (normal, dev and build), as the
/// names code uses (`-` becomes `_`, a `package = ` rename is the key).
fn declared_dependencies(manifest: &str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut section: Option<&'static str> = None;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = match line {
                "[dependencies]" => Some("dependencies"),
                "[dev-dependencies]" => Some("dev-dependencies"),
                "[build-dependencies]" => Some("build-dependencies"),
                _ => None,
            };
            continue;
        }
        let Some(kind) = section else { continue };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or("").trim();
        if !name.is_empty() {
            out.push((name.replace('-', "_"), kind));
        }
    }
    out
}

/// Every Rust file of a package, except those of packages nested in it.
fn rust_sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            let skipped = ["target", "node_modules", ".git", ".tools", "gen", "ui"].contains(&name.as_str());
            if !skipped && !path.join("Cargo.toml").exists() {
                out.extend(rust_sources(&path));
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    out
}

/// No package declares a dependency its code never names (what
/// cargo-machete checks; done here because building that tool cost CI
/// minutes, and this is a plain text search over our own files).
#[test]
fn every_declared_dependency_is_used() {
    let root = Path::new(ROOT);
    let mut packages = vec![root.to_path_buf(), root.join("src-tauri"), root.join("fuzz")];
    for entry in std::fs::read_dir(root.join("src-tauri/crates")).expect("crates").flatten() {
        packages.push(entry.path());
    }
    // Used without being named in code (enabling features, linked in): none yet.
    let implicit: [&str; 0] = [];
    let mut unused = Vec::new();
    for package in &packages {
        let manifest = std::fs::read_to_string(package.join("Cargo.toml")).expect("manifest");
        let code: String = rust_sources(package)
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        for (dep, kind) in declared_dependencies(&manifest) {
            let named =
                [format!("{dep}::"), format!("use {dep}"), format!("extern crate {dep}"), format!("{dep}!")]
                    .iter()
                    .any(|form| code.contains(form.as_str()));
            if !named && !implicit.contains(&dep.as_str()) {
                unused.push(format!(
                    "{}: {kind} {dep}",
                    package.strip_prefix(root).unwrap_or(package).display()
                ));
            }
        }
    }
    assert!(unused.is_empty(), "declared but never used (remove them): {unused:#?}");
}
