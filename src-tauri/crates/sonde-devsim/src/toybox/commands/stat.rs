//! `stat [-L] [-c FORMAT] PATH...` with toybox's format letters.

use std::fs::Metadata;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use super::format::{date_full, file_type_name, mode_string, owner_of, user_name};
use crate::toybox::fs::VPath;
use crate::toybox::interp::Shell;
use crate::toybox::io::Io;

const STAT_DEFAULT: &str = "  File: %N\n  Size: %s\t Blocks: %b\t IO Blocks: %o\t%F\nDevice: %Dh/%dd\t Inode: %i\t Links: %h\nAccess: (%a/%A)\tUid: (%5u/%8U)\tGid: (%5g/%8G)\nAccess: %x\nModify: %y\nChange: %z";

fn stat_format(sh: &Shell, fmt: &str, shown: &str, p: &VPath, m: &Metadata) -> String {
    let (uid, gid) = owner_of(sh, p);
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Optional width like %5u (only used by the default format).
        let mut width = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(*d);
            chars.next();
        }
        let Some(spec) = chars.next() else {
            out.push('%');
            break;
        };
        let v = match spec {
            '%' => "%".to_string(),
            'a' => format!("{:o}", m.permissions().mode() & 0o7777),
            'A' => mode_string(m),
            'b' => m.blocks().to_string(),
            'B' => "512".to_string(),
            'd' => m.dev().to_string(),
            'D' => format!("{:x}", m.dev()),
            'f' => format!("{:x}", m.mode()),
            'F' => file_type_name(m).to_string(),
            'g' => gid.to_string(),
            'G' => user_name(gid),
            'h' => m.nlink().to_string(),
            'i' => m.ino().to_string(),
            'n' => shown.to_string(),
            'N' => {
                let mut s = format!("'{shown}'");
                if m.file_type().is_symlink() {
                    if let Ok(t) = std::fs::read_link(p.host()) {
                        s.push_str(&format!(" -> '{}'", t.to_string_lossy()));
                    }
                }
                s
            }
            'o' => "4096".to_string(),
            's' => m.len().to_string(),
            't' | 'T' => "0".to_string(),
            'u' => uid.to_string(),
            'U' => user_name(uid),
            'x' => date_full(m.atime(), m.atime_nsec()),
            'X' => m.atime().to_string(),
            'y' => date_full(m.mtime(), m.mtime_nsec()),
            'Y' => m.mtime().to_string(),
            'z' => date_full(m.ctime(), m.ctime_nsec()),
            'Z' => m.ctime().to_string(),
            other => format!("?{other}"),
        };
        match width.parse::<usize>() {
            Ok(w) => out.push_str(&format!("{v:>w$}")),
            Err(_) => out.push_str(&v),
        }
    }
    out
}

pub fn stat(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("stat", args, "Lft", "c", io);
    if f.operands.is_empty() {
        io.errln("stat: Need 1 argument");
        return 1;
    }
    let fmt = f.value('c').unwrap_or(STAT_DEFAULT).to_string();
    let mut rc = 0;
    for op in &f.operands {
        let found = sh.resolve(op, f.has('L')).and_then(|p| sh.vfs.metadata(&sh.who, &p).map(|m| (p, m)));
        match found {
            Ok((p, m)) => io.outln(&stat_format(sh, &fmt, op, &p, &m)),
            Err(e) => {
                io.errln(&format!("stat: {op}: {e}"));
                rc = 1;
            }
        }
    }
    rc
}
