//! Content commands: head, tail, wc, sha256sum. All binary-safe.

use std::io::Read;

use sha2::{Digest, Sha256};

use super::{flags_or_usage, Flags};
use crate::toybox::fs::FsError;
use crate::toybox::interp::Shell;
use crate::toybox::io::Io;

/// Reads an operand (`-` is stdin) fully.
fn read_operand(sh: &Shell, op: &str, io: &Io) -> Result<Vec<u8>, FsError> {
    if op == "-" {
        return Ok(io.read_stdin());
    }
    let p = sh.resolve(op, true)?;
    sh.vfs.read_file(&sh.who, &p)
}

/// `-N` (old-style count) becomes `-n N`.
fn normalize_count(args: &[String]) -> Vec<String> {
    args.iter()
        .enumerate()
        .map(|(i, a)| {
            if i > 0 && a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_digit()) {
                format!("-n{}", &a[1..])
            } else {
                a.clone()
            }
        })
        .collect()
}

fn count(f: &Flags, c: char, name: &str, io: &Io) -> Result<Option<usize>, i32> {
    match f.value(c) {
        None => Ok(None),
        Some(v) => v.trim_start_matches('+').parse::<usize>().map(Some).map_err(|_| {
            io.errln(&format!("{name}: invalid number '{v}'"));
            1
        }),
    }
}

fn head_tail(sh: &mut Shell, args: &[String], io: &Io, name: &str, tail: bool) -> i32 {
    let args = normalize_count(args);
    let f = match flags_or_usage(name, &args, "qv", "cn", io) {
        Ok(f) => f,
        Err(rc) => return rc,
    };
    let bytes = match count(&f, 'c', name, io) {
        Ok(b) => b,
        Err(rc) => return rc,
    };
    let lines = match count(&f, 'n', name, io) {
        Ok(l) => l.unwrap_or(10),
        Err(rc) => return rc,
    };
    let operands = if f.operands.is_empty() { vec!["-".to_string()] } else { f.operands.clone() };
    let mut rc = 0;
    for op in &operands {
        let data = match read_operand(sh, op, io) {
            Ok(d) => d,
            Err(e) => {
                io.errln(&format!("{name}: {op}: {e}"));
                rc = 1;
                continue;
            }
        };
        let slice: &[u8] = match bytes {
            Some(n) if tail => &data[data.len().saturating_sub(n)..],
            Some(n) => &data[..n.min(data.len())],
            None => {
                // Line boundaries: positions just after each '\n'.
                let ends: Vec<usize> =
                    data.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1).collect();
                if lines == 0 {
                    &data[..0]
                } else if tail {
                    let total = ends.len() + usize::from(data.last().is_some_and(|b| *b != b'\n'));
                    if lines >= total {
                        &data[..]
                    } else {
                        let skip = total - lines;
                        &data[ends[skip - 1]..]
                    }
                } else if lines <= ends.len() {
                    &data[..ends[lines - 1]]
                } else {
                    &data[..]
                }
            }
        };
        io.out(slice);
    }
    rc
}

pub fn head(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    head_tail(sh, args, io, "head", false)
}

pub fn tail(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    head_tail(sh, args, io, "tail", true)
}

pub fn wc(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = match flags_or_usage("wc", args, "clwm", "", io) {
        Ok(f) => f,
        Err(rc) => return rc,
    };
    let all = !(f.has('c') || f.has('l') || f.has('w') || f.has('m'));
    let operands = if f.operands.is_empty() { vec!["-".to_string()] } else { f.operands.clone() };
    let mut rc = 0;
    for op in &operands {
        let data = match read_operand(sh, op, io) {
            Ok(d) => d,
            Err(e) => {
                io.errln(&format!("wc: {op}: {e}"));
                rc = 1;
                continue;
            }
        };
        let mut cols = Vec::new();
        if all || f.has('l') {
            cols.push(data.iter().filter(|b| **b == b'\n').count().to_string());
        }
        if all || f.has('w') {
            cols.push(data.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty()).count().to_string());
        }
        if all || f.has('c') || f.has('m') {
            cols.push(data.len().to_string());
        }
        if op != "-" {
            cols.push(op.clone());
        }
        io.outln(&cols.join(" "));
    }
    rc
}

pub fn sha256sum(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let f = match flags_or_usage("sha256sum", args, "bt", "", io) {
        Ok(f) => f,
        Err(rc) => return rc,
    };
    let operands = if f.operands.is_empty() { vec!["-".to_string()] } else { f.operands.clone() };
    let mut rc = 0;
    for op in &operands {
        let digest = if op == "-" {
            Ok(Sha256::digest(io.read_stdin()).to_vec())
        } else {
            sh.resolve(op, true).and_then(|p| {
                let mut file = sh.vfs.open_read(&sh.who, &p)?;
                let mut hasher = Sha256::new();
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = file.read(&mut buf).map_err(|e| FsError::from_io(&e))?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                }
                Ok(hasher.finalize().to_vec())
            })
        };
        match digest {
            Ok(d) => io.outln(&format!("{}  {op}", hex::encode(d))),
            Err(e) => {
                io.errln(&format!("sha256sum: {op}: {e}"));
                rc = 1;
            }
        }
    }
    rc
}
