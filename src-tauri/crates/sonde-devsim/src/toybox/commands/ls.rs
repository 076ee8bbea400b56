//! `ls [-1aAlndRrtS] [PATH...]`: one name per line (never a tty), sorted by
//! name; `-l` prints toybox-style long lines with Android owners.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;

use super::format::{date_minutes, mode_string, owner_of, user_name};
use crate::toybox::fs::VPath;
use crate::toybox::interp::Shell;
use crate::toybox::io::Io;

/// Joins a directory as the user typed it with an entry name.
fn join_display(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

struct LsOpts {
    all: bool,
    almost_all: bool,
    long: bool,
    numeric: bool,
    recursive: bool,
    sort_time: bool,
    sort_size: bool,
    reverse: bool,
}

pub fn ls(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("ls", args, "1aAlndRrtSshFCx", "", io);
    let opts = LsOpts {
        all: f.has('a'),
        almost_all: f.has('A'),
        long: f.has('l') || f.has('n'),
        numeric: f.has('n'),
        recursive: f.has('R'),
        sort_time: f.has('t'),
        sort_size: f.has('S'),
        reverse: f.has('r'),
    };
    let dir_itself = f.has('d');
    let operands = if f.operands.is_empty() { vec![".".to_string()] } else { f.operands.clone() };
    let mut rc = 0;
    let mut files: Vec<(String, VPath, Metadata)> = Vec::new();
    let mut dirs: Vec<(String, VPath)> = Vec::new();
    for op in &operands {
        let follow = !(opts.long || dir_itself) || op.ends_with('/');
        let found = sh.resolve(op, follow).and_then(|p| {
            let m = sh.vfs.metadata(&sh.who, &p)?;
            Ok((p, m))
        });
        match found {
            Ok((p, m)) if m.is_dir() && !dir_itself => dirs.push((op.clone(), p)),
            Ok((p, m)) => files.push((op.clone(), p, m)),
            Err(e) => {
                io.errln(&format!("ls: {op}: {e}"));
                rc = 1;
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    dirs.sort_by(|a, b| a.0.cmp(&b.0));
    let many = files.len() + dirs.len() > 1 || opts.recursive;
    let mut first = files.is_empty();
    print_entries(sh, io, &opts, files);
    let mut queue: Vec<(String, VPath)> = dirs;
    queue.reverse();
    while let Some((shown, dir)) = queue.pop() {
        if many {
            if !first {
                io.out(b"\n");
            }
            io.outln(&format!("{shown}:"));
        }
        first = false;
        let entries = match sh.vfs.read_dir(&sh.who, &dir) {
            Ok(e) => e,
            Err(e) => {
                io.errln(&format!("ls: {shown}: {e}"));
                rc = 1;
                continue;
            }
        };
        let mut listed: Vec<(String, VPath, Metadata)> = Vec::new();
        if opts.all {
            for (name, p) in [(".", dir.clone()), ("..", dir.parent())] {
                if let Ok(m) = std::fs::symlink_metadata(p.host()) {
                    listed.push((name.to_string(), p, m));
                }
            }
        }
        for (name, meta) in entries {
            if name.starts_with('.') && !(opts.all || opts.almost_all) {
                continue;
            }
            let Ok(child) = dir.child(&name) else { continue };
            listed.push((name, child, meta));
        }
        if opts.long {
            let blocks: u64 = listed.iter().map(|(_, _, m)| m.blocks()).sum();
            io.outln(&format!("total {}", blocks / 2));
        }
        let subdirs: Vec<(String, VPath)> = if opts.recursive {
            listed
                .iter()
                .filter(|(n, _, m)| m.is_dir() && n != "." && n != "..")
                .map(|(n, p, _)| (join_display(&shown, n), p.clone()))
                .collect()
        } else {
            Vec::new()
        };
        print_entries(sh, io, &opts, listed);
        for d in subdirs.into_iter().rev() {
            queue.push(d);
        }
    }
    rc
}

fn print_entries(sh: &Shell, io: &Io, opts: &LsOpts, mut entries: Vec<(String, VPath, Metadata)>) {
    if opts.sort_time {
        entries.sort_by(|a, b| b.2.mtime().cmp(&a.2.mtime()).then(a.0.cmp(&b.0)));
    } else if opts.sort_size {
        entries.sort_by(|a, b| b.2.len().cmp(&a.2.len()).then(a.0.cmp(&b.0)));
    }
    if opts.reverse {
        entries.reverse();
    }
    if !opts.long {
        for (name, _, _) in &entries {
            io.outln(name);
        }
        return;
    }
    let rows: Vec<[String; 6]> = entries
        .iter()
        .map(|(name, p, m)| {
            let (uid, gid) = owner_of(sh, p);
            let (user, group) = if opts.numeric {
                (uid.to_string(), gid.to_string())
            } else {
                (user_name(uid), user_name(gid))
            };
            let mut shown = name.clone();
            if m.file_type().is_symlink() {
                if let Ok(t) = std::fs::read_link(p.host()) {
                    shown = format!("{shown} -> {}", t.to_string_lossy());
                }
            }
            [
                mode_string(m),
                m.nlink().to_string(),
                user,
                group,
                m.len().to_string(),
                format!("{} {shown}", date_minutes(m.mtime())),
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0);
    let (w1, w2, w3, w4) = (width(1), width(2), width(3), width(4));
    for r in rows {
        io.outln(&format!("{} {:>w1$} {:<w2$} {:<w3$} {:>w4$} {}", r[0], r[1], r[2], r[3], r[4], r[5]));
    }
}
