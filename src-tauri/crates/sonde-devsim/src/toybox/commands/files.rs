//! File commands: cat, cp, mv, rm, rmdir, mkdir, chmod, touch.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;

use crate::toybox::fs::{Access, FsError, VPath};
use crate::toybox::interp::Shell;
use crate::toybox::io::Io;

pub fn cat(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("cat", args, "uvtTeEAs", "", io);
    let operands = if f.operands.is_empty() { vec!["-".to_string()] } else { f.operands };
    let mut rc = 0;
    for op in &operands {
        if op == "-" {
            io.out(&io.read_stdin());
            continue;
        }
        let result = sh.resolve(op, true).and_then(|p| {
            let mut file = sh.vfs.open_read(&sh.who, &p)?;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = file.read(&mut buf).map_err(|e| FsError::from_io(&e))?;
                if n == 0 {
                    break;
                }
                io.out(&buf[..n]);
            }
            Ok(())
        });
        if let Err(e) = result {
            io.errln(&format!("cat: {op}: {e}"));
            rc = 1;
        }
    }
    rc
}

/// Copies one regular file (streaming) to a destination path.
fn copy_file(sh: &Shell, src: &VPath, dst: &VPath) -> Result<(), FsError> {
    if src.host() == dst.host() {
        return Err(FsError::Invalid);
    }
    let mut from = sh.vfs.open_read(&sh.who, src)?;
    let mut to = sh.vfs.open_write(&sh.who, dst, false)?;
    std::io::copy(&mut from, &mut to).map_err(|e| FsError::from_io(&e))?;
    to.flush().map_err(|e| FsError::from_io(&e))
}

fn copy_tree(sh: &Shell, src: &VPath, dst: &VPath, io: &Io) -> i32 {
    let meta = match sh.vfs.metadata(&sh.who, src) {
        Ok(m) => m,
        Err(e) => {
            io.errln(&format!("cp: {}: {e}", src.device()));
            return 1;
        }
    };
    if !meta.is_dir() {
        return match copy_file(sh, src, dst) {
            Ok(()) => 0,
            Err(e) => {
                io.errln(&format!("cp: {}: {e}", dst.device()));
                1
            }
        };
    }
    if dst.host().starts_with(src.host()) {
        io.errln(&format!("cp: {}: cannot copy a directory into itself", src.device()));
        return 1;
    }
    if std::fs::symlink_metadata(dst.host()).is_err() {
        if let Err(e) = sh.vfs.mkdir(&sh.who, dst) {
            io.errln(&format!("cp: {}: {e}", dst.device()));
            return 1;
        }
    }
    let entries = match sh.vfs.read_dir(&sh.who, src) {
        Ok(e) => e,
        Err(e) => {
            io.errln(&format!("cp: {}: {e}", src.device()));
            return 1;
        }
    };
    let mut rc = 0;
    for (name, _) in entries {
        let (Ok(s), Ok(d)) = (src.child(&name), dst.child(&name)) else {
            continue;
        };
        rc |= copy_tree(sh, &s, &d, io);
    }
    rc
}

/// Destination for SRC: inside DEST when DEST is a directory.
fn target_for(dest: &VPath, dest_is_dir: bool, src: &VPath) -> Result<VPath, FsError> {
    if dest_is_dir {
        dest.child(src.name().ok_or(FsError::Invalid)?)
    } else {
        Ok(dest.clone())
    }
}

fn dest_info(sh: &Shell, dest: &str) -> Result<(VPath, bool), FsError> {
    let p = sh.resolve(dest, true)?;
    let is_dir = sh.vfs.metadata(&sh.who, &p).map(|m| m.is_dir()).unwrap_or(false);
    Ok((p, is_dir))
}

pub fn cp(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("cp", args, "rRfpaPLHdnviFlsu", "", io);
    let recursive = f.has('r') || f.has('R') || f.has('a');
    if f.operands.len() < 2 {
        io.errln("cp: Need 2 arguments");
        return 1;
    }
    let (srcs, dest) = f.operands.split_at(f.operands.len() - 1);
    let dest = &dest[0];
    let (dpath, dest_is_dir) = match dest_info(sh, dest) {
        Ok(x) => x,
        Err(e) => {
            io.errln(&format!("cp: {dest}: {e}"));
            return 1;
        }
    };
    if srcs.len() > 1 && !dest_is_dir {
        io.errln(&format!("cp: '{dest}' not directory"));
        return 1;
    }
    let mut rc = 0;
    for src in srcs {
        let found = sh.resolve(src, true).and_then(|p| sh.vfs.metadata(&sh.who, &p).map(|m| (p, m)));
        let (spath, meta) = match found {
            Ok(x) => x,
            Err(FsError::NotFound) => {
                io.errln(&format!("cp: bad '{src}': No such file or directory"));
                rc = 1;
                continue;
            }
            Err(e) => {
                io.errln(&format!("cp: {src}: {e}"));
                rc = 1;
                continue;
            }
        };
        if meta.is_dir() && !recursive {
            io.errln(&format!("cp: Skipped dir '{src}'"));
            rc = 1;
            continue;
        }
        let target = match target_for(&dpath, dest_is_dir, &spath) {
            Ok(t) => t,
            Err(e) => {
                io.errln(&format!("cp: {src}: {e}"));
                rc = 1;
                continue;
            }
        };
        if target.host() == spath.host() {
            io.errln(&format!("cp: '{src}' and '{dest}' are the same file"));
            rc = 1;
            continue;
        }
        rc |= copy_tree(sh, &spath, &target, io);
    }
    rc
}

pub fn mv(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("mv", args, "finvT", "", io);
    if f.operands.len() < 2 {
        io.errln("mv: Need 2 arguments");
        return 1;
    }
    let (srcs, dest) = f.operands.split_at(f.operands.len() - 1);
    let dest = &dest[0];
    let (dpath, dest_is_dir) = match dest_info(sh, dest) {
        Ok(x) => x,
        Err(e) => {
            io.errln(&format!("mv: {dest}: {e}"));
            return 1;
        }
    };
    if srcs.len() > 1 && !dest_is_dir {
        io.errln(&format!("mv: '{dest}' not directory"));
        return 1;
    }
    let mut rc = 0;
    for src in srcs {
        let result = sh.resolve(src, false).and_then(|spath| {
            sh.vfs.metadata(&sh.who, &spath)?;
            let target = target_for(&dpath, dest_is_dir, &spath)?;
            if target.host() == spath.host() {
                return Ok(());
            }
            sh.vfs.rename(&sh.who, &spath, &target)
        });
        if let Err(e) = result {
            io.errln(&format!("mv: {src}: {e}"));
            rc = 1;
        }
    }
    rc
}

fn remove_tree(sh: &Shell, p: &VPath, io: &Io) -> i32 {
    let meta = match sh.vfs.metadata(&sh.who, p) {
        Ok(m) => m,
        Err(e) => {
            io.errln(&format!("rm: {}: {e}", p.device()));
            return 1;
        }
    };
    let mut rc = 0;
    if meta.is_dir() {
        match sh.vfs.read_dir(&sh.who, p) {
            Ok(entries) => {
                for (name, _) in entries {
                    if let Ok(child) = p.child(&name) {
                        rc |= remove_tree(sh, &child, io);
                    }
                }
            }
            Err(e) => {
                io.errln(&format!("rm: {}: {e}", p.device()));
                return 1;
            }
        }
    }
    if let Err(e) = sh.vfs.remove(&sh.who, p) {
        io.errln(&format!("rm: {}: {e}", p.device()));
        rc = 1;
    }
    rc
}

pub fn rm(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("rm", args, "frRivd", "", io);
    let force = f.has('f');
    let recursive = f.has('r') || f.has('R');
    if f.operands.is_empty() && !force {
        io.errln("rm: Need 1 argument");
        return 1;
    }
    let mut rc = 0;
    for op in &f.operands {
        let last = op.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if last == "." || last == ".." {
            io.errln(&format!("rm: {op}: Invalid argument"));
            rc = 1;
            continue;
        }
        let found = sh.resolve(op, false).and_then(|p| sh.vfs.metadata(&sh.who, &p).map(|m| (p, m)));
        let (p, meta) = match found {
            Ok(x) => x,
            Err(FsError::NotFound) if force => continue,
            Err(e) => {
                io.errln(&format!("rm: {op}: {e}"));
                rc = 1;
                continue;
            }
        };
        // Refuse up front when the entry itself may not be removed, so that
        // `rm -rf /sdcard` cannot empty it (on a device /sdcard is a symlink
        // on the read-only root).
        if let Err(e) = sh.vfs.check(&sh.who, &p, Access::Write) {
            io.errln(&format!("rm: {op}: {e}"));
            rc = 1;
            continue;
        }
        if meta.is_dir() && !recursive {
            if f.has('d') {
                if let Err(e) = sh.vfs.remove(&sh.who, &p) {
                    io.errln(&format!("rm: {op}: {e}"));
                    rc = 1;
                }
            } else {
                io.errln(&format!("rm: {op}: Is a directory"));
                rc = 1;
            }
            continue;
        }
        if remove_tree(sh, &p, io) != 0 {
            rc = 1;
        }
    }
    rc
}

pub fn rmdir(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("rmdir", args, "p", "", io);
    let mut rc = 0;
    for op in &f.operands {
        let result = sh.resolve(op, false).and_then(|p| {
            let m = sh.vfs.metadata(&sh.who, &p)?;
            if !m.is_dir() {
                return Err(FsError::NotDir);
            }
            sh.vfs.remove(&sh.who, &p)
        });
        if let Err(e) = result {
            io.errln(&format!("rmdir: {op}: {e}"));
            rc = 1;
        }
    }
    rc
}

pub fn mkdir(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("mkdir", args, "pv", "mZ", io);
    if f.operands.is_empty() {
        io.errln("mkdir: Need 1 argument");
        return 1;
    }
    let mut rc = 0;
    for op in &f.operands {
        let result = sh.resolve(op, true).and_then(|p| {
            if f.has('p') {
                sh.vfs.mkdir_all(&sh.who, &p)
            } else {
                sh.vfs.check(&sh.who, &p.parent(), Access::Stat)?;
                sh.vfs.mkdir(&sh.who, &p)
            }
        });
        if let Err(e) = result {
            io.errln(&format!("mkdir: {op}: {e}"));
            rc = 1;
        }
    }
    rc
}

/// Validates a chmod mode: octal, or symbolic like `u+rw,go-w`.
fn parse_mode(mode: &str) -> Option<Option<u32>> {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) && mode.len() <= 4 {
        return u32::from_str_radix(mode, 8).ok().map(Some);
    }
    let valid = mode.split(',').all(|clause| {
        let body = clause.trim_start_matches(['u', 'g', 'o', 'a']);
        !body.is_empty()
            && body.starts_with(['+', '-', '='])
            && body.chars().all(|c| "+-=rwxXstugo".contains(c))
    });
    valid.then_some(None)
}

/// chmod: octal modes are applied (owner rw is always kept so the simulator
/// can still read its files); symbolic modes are validated and ignored.
pub fn chmod(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("chmod", args, "Rvf", "", io);
    let Some((mode, files)) = f.operands.split_first() else {
        io.errln("chmod: Need 2 arguments");
        return 1;
    };
    if files.is_empty() {
        io.errln("chmod: Need 2 arguments");
        return 1;
    }
    let Some(octal) = parse_mode(mode) else {
        io.errln(&format!("chmod: {mode}: bad mode"));
        return 1;
    };
    let mut rc = 0;
    for op in files {
        let result = sh.resolve(op, true).and_then(|p| {
            let meta = sh.vfs.metadata(&sh.who, &p)?;
            sh.vfs.check(&sh.who, &p, Access::Write)?;
            if let Some(bits) = octal {
                let keep = if meta.is_dir() { 0o700 } else { 0o600 };
                std::fs::set_permissions(p.host(), std::fs::Permissions::from_mode(bits | keep))
                    .map_err(|e| FsError::from_io(&e))?;
            }
            Ok(())
        });
        if let Err(e) = result {
            io.errln(&format!("chmod: {op}: {e}"));
            rc = 1;
        }
    }
    rc
}

pub fn touch(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = flags!("touch", args, "acmh", "dtr", io);
    if f.operands.is_empty() {
        io.errln("touch: Need 1 argument");
        return 1;
    }
    let mut rc = 0;
    for op in &f.operands {
        let result = sh.resolve(op, true).and_then(|p| {
            match sh.vfs.metadata(&sh.who, &p) {
                Ok(_) => {
                    sh.vfs.check(&sh.who, &p, Access::Write)?;
                    let file = std::fs::OpenOptions::new()
                        .append(true)
                        .open(p.host())
                        .map_err(|e| FsError::from_io(&e))?;
                    file.set_modified(std::time::SystemTime::now()).map_err(|e| FsError::from_io(&e))?;
                }
                Err(FsError::NotFound) if f.has('c') => {}
                Err(FsError::NotFound) => {
                    sh.vfs.open_write(&sh.who, &p, true)?;
                }
                Err(e) => return Err(e),
            }
            Ok(())
        });
        if let Err(e) = result {
            io.errln(&format!("touch: {op}: {e}"));
            rc = 1;
        }
    }
    rc
}

#[cfg(test)]
mod tests {
    use super::parse_mode;

    #[test]
    fn modes() {
        assert_eq!(parse_mode("644"), Some(Some(0o644)));
        assert_eq!(parse_mode("u+rw,go-w"), Some(None));
        assert_eq!(parse_mode("999"), None);
        assert_eq!(parse_mode("hello"), None);
    }
}
