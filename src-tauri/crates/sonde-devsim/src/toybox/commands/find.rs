//! `find [PATH...] [-type f|d|l] [-name PAT] [-iname PAT] [-maxdepth N]
//! [-mindepth N] [-print]` — all tests ANDed; children visited sorted; never
//! follows symlinks below the starting points.

use std::fs::Metadata;

use crate::toybox::fs::VPath;
use crate::toybox::glob::fnmatch;
use crate::toybox::interp::Shell;
use crate::toybox::io::Io;

#[derive(Default)]
struct Query {
    kind: Option<char>,
    names: Vec<(String, bool)>,
    max_depth: Option<usize>,
    min_depth: usize,
}

impl Query {
    fn matches(&self, name: &str, meta: &Metadata, depth: usize) -> bool {
        if depth < self.min_depth {
            return false;
        }
        let ft = meta.file_type();
        let kind_ok = match self.kind {
            None => true,
            Some('f') => ft.is_file(),
            Some('d') => ft.is_dir(),
            Some('l') => ft.is_symlink(),
            Some(_) => false,
        };
        kind_ok && self.names.iter().all(|(pat, ci)| fnmatch_name(pat, name, *ci))
    }
}

/// `find -name` matches dotfiles with `*` too (unlike shell globs).
fn fnmatch_name(pattern: &str, name: &str, ci: bool) -> bool {
    if name.starts_with('.') && !pattern.starts_with('.') && pattern.starts_with(['*', '?', '[']) {
        return fnmatch(&format!(".{pattern}"), name, ci) || fnmatch(pattern, &name[1..], ci);
    }
    fnmatch(pattern, name, ci)
}

pub fn find(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let mut paths = Vec::new();
    let mut i = 1;
    while let Some(a) = args.get(i) {
        if a.starts_with('-') || a == "!" || a == "(" {
            break;
        }
        paths.push(a.clone());
        i += 1;
    }
    if paths.is_empty() {
        paths.push(".".to_string());
    }
    let mut q = Query::default();
    while let Some(a) = args.get(i) {
        i += 1;
        let mut value = || {
            let v = args.get(i).cloned();
            i += 1;
            v
        };
        match a.as_str() {
            "-print" | "-print0" | "-xdev" | "-mount" => {}
            "-type" => match value().as_deref() {
                Some(t @ ("f" | "d" | "l")) => q.kind = t.chars().next(),
                other => {
                    io.errln(&format!("find: bad -type '{}'", other.unwrap_or("")));
                    return 1;
                }
            },
            "-name" | "-iname" => match value() {
                Some(p) => q.names.push((p, a == "-iname")),
                None => {
                    io.errln(&format!("find: '{a}' needs 1 arg"));
                    return 1;
                }
            },
            "-maxdepth" | "-mindepth" => match value().and_then(|v| v.parse::<usize>().ok()) {
                Some(n) if a == "-maxdepth" => q.max_depth = Some(n),
                Some(n) => q.min_depth = n,
                None => {
                    io.errln(&format!("find: '{a}' needs a number"));
                    return 1;
                }
            },
            other => {
                io.errln(&format!("find: Unknown option '{other}'"));
                return 1;
            }
        }
    }
    let mut rc = 0;
    for start in &paths {
        let found = sh.resolve(start, true).and_then(|p| sh.vfs.metadata(&sh.who, &p).map(|m| (p, m)));
        match found {
            Ok((p, m)) => {
                let name = p.name().unwrap_or("/").to_string();
                rc |= walk(sh, io, &q, start, &name, &p, &m, 0);
            }
            Err(e) => {
                io.errln(&format!("find: {start}: {e}"));
                rc = 1;
            }
        }
    }
    rc
}

#[allow(clippy::too_many_arguments)]
fn walk(
    sh: &Shell,
    io: &Io,
    q: &Query,
    shown: &str,
    name: &str,
    p: &VPath,
    meta: &Metadata,
    depth: usize,
) -> i32 {
    if q.matches(name, meta, depth) {
        io.outln(shown);
    }
    if !meta.is_dir() || q.max_depth.is_some_and(|m| depth >= m) {
        return 0;
    }
    let entries = match sh.vfs.read_dir(&sh.who, p) {
        Ok(e) => e,
        Err(e) => {
            io.errln(&format!("find: {shown}: {e}"));
            return 1;
        }
    };
    let mut rc = 0;
    for (child_name, child_meta) in entries {
        let Ok(child) = p.child(&child_name) else { continue };
        let child_shown = if shown.ends_with('/') {
            format!("{shown}{child_name}")
        } else {
            format!("{shown}/{child_name}")
        };
        rc |= walk(sh, io, q, &child_shown, &child_name, &child, &child_meta, depth + 1);
    }
    rc
}
