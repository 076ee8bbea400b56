//! Shell builtins and tiny utilities: true/false/exit/cd/pwd/echo/printf,
//! test/[, sh, sleep, id/whoami, uname, which/command, basename/dirname.

use std::time::Duration;

use super::format::user_name;
use super::{flags_or_usage, lookup};
use crate::toybox::fs::{Access, Identity};
use crate::toybox::interp::Shell;
use crate::toybox::io::Io;

pub fn true_(_: &mut Shell, _: &[String], _: &Io) -> i32 {
    0
}

pub fn false_(_: &mut Shell, _: &[String], _: &Io) -> i32 {
    1
}

pub fn exit(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let code = match args.get(1) {
        None => sh.last_rc,
        Some(a) => match a.parse::<i64>() {
            Ok(n) => (n & 0xff) as i32,
            Err(_) => {
                io.errln(&format!("sh: exit: {a}: bad number"));
                2
            }
        },
    };
    sh.exit = Some(code);
    code
}

pub fn cd(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let target = args.get(1).cloned().unwrap_or_else(|| "/".to_string());
    let result = sh.resolve(&target, true).and_then(|p| {
        let meta = sh.vfs.metadata(&sh.who, &p)?;
        if !meta.is_dir() {
            return Err(crate::toybox::FsError::NotDir);
        }
        // Entering a directory needs search permission on it, which for
        // another app's private dir is denied even though stat works.
        sh.vfs.check_enter(&sh.who, &p)?;
        Ok(p)
    });
    match result {
        Ok(p) => {
            sh.cwd = p.device();
            0
        }
        Err(e) => {
            io.errln(&format!("sh: cd: {target}: {e}"));
            1
        }
    }
}

pub fn pwd(sh: &mut Shell, _: &[String], io: &Io) -> i32 {
    io.outln(&sh.cwd);
    0
}

/// Interprets backslash escapes (`echo -e`, printf formats). Returns the
/// bytes and whether `\c` asked to stop all output.
fn unescape(s: &str) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = b[i];
        i += 1;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'e' => out.push(27),
            b'\\' => out.push(b'\\'),
            b'c' => return (out, true),
            b'0'..=b'7' => {
                // \0NNN (echo) or \NNN (printf): up to 3 octal digits.
                let mut v: u32 = if c == b'0' { 0 } else { u32::from(c - b'0') };
                let mut n = 0;
                while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push((v & 0xff) as u8);
            }
            b'x' => {
                let mut v: u32 = 0;
                let mut n = 0;
                while n < 2 && i < b.len() && b[i].is_ascii_hexdigit() {
                    v = v * 16 + (b[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                if n == 0 {
                    out.extend_from_slice(b"\\x");
                } else {
                    out.push((v & 0xff) as u8);
                }
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    (out, false)
}

pub fn echo(_: &mut Shell, args: &[String], io: &Io) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 1;
    while let Some(a) = args.get(i) {
        let is_flag =
            a.len() > 1 && a.starts_with('-') && a.chars().skip(1).all(|c| matches!(c, 'n' | 'e' | 'E'));
        if !is_flag {
            break;
        }
        for c in a.chars().skip(1) {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        i += 1;
    }
    let text = args.get(i..).unwrap_or(&[]).join(" ");
    let (mut bytes, stop) = if escapes { unescape(&text) } else { (text.into_bytes(), false) };
    if newline && !stop {
        bytes.push(b'\n');
    }
    io.out(&bytes);
    0
}

pub fn printf(_: &mut Shell, args: &[String], io: &Io) -> i32 {
    let Some(format) = args.get(1) else {
        io.errln("printf: Need 1 argument");
        return 1;
    };
    let mut rest: Vec<&String> = args.iter().skip(2).collect();
    rest.reverse();
    let mut rc = 0;
    let mut out = Vec::new();
    // The format is reused while arguments remain (POSIX).
    loop {
        let consumed_before = rest.len();
        let f: Vec<char> = format.chars().collect();
        let mut i = 0;
        let mut literal = String::new();
        while i < f.len() {
            if f[i] != '%' {
                literal.push(f[i]);
                i += 1;
                continue;
            }
            let (bytes, _) = unescape(&literal);
            out.extend_from_slice(&bytes);
            literal.clear();
            i += 1;
            let mut spec = String::from("%");
            while i < f.len() && "-+ #0123456789.".contains(f[i]) {
                spec.push(f[i]);
                i += 1;
            }
            let Some(&conv) = f.get(i) else { break };
            i += 1;
            if conv == '%' {
                out.push(b'%');
                continue;
            }
            let arg = rest.pop().map(String::as_str).unwrap_or("");
            let width: usize = spec
                .trim_start_matches('%')
                .trim_start_matches(['-', '+', ' ', '#', '0'])
                .split('.')
                .next()
                .and_then(|w| w.parse().ok())
                .unwrap_or(0);
            let left = spec.contains('-');
            let pad = |s: String| -> String {
                if s.chars().count() >= width {
                    s
                } else if left {
                    format!("{s:<width$}")
                } else if spec.contains('0') && conv != 's' {
                    format!("{s:0>width$}")
                } else {
                    format!("{s:>width$}")
                }
            };
            let text = match conv {
                's' => pad(arg.to_string()),
                'b' => pad(String::from_utf8_lossy(&unescape(arg).0).into_owned()),
                'c' => arg.chars().next().map(String::from).unwrap_or_default(),
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                    let n = if arg.is_empty() { Ok(0) } else { arg.parse::<i64>() };
                    let n = n.unwrap_or_else(|_| {
                        io.errln(&format!("printf: invalid number '{arg}'"));
                        rc = 1;
                        0
                    });
                    pad(match conv {
                        'x' => format!("{n:x}"),
                        'X' => format!("{n:X}"),
                        'o' => format!("{n:o}"),
                        _ => n.to_string(),
                    })
                }
                other => {
                    io.errln(&format!("printf: bad conversion '%{other}'"));
                    return 1;
                }
            };
            out.extend_from_slice(text.as_bytes());
        }
        let (bytes, stop) = unescape(&literal);
        out.extend_from_slice(&bytes);
        if stop || rest.is_empty() || rest.len() == consumed_before {
            break;
        }
    }
    io.out(&out);
    rc
}

/// `test` / `[`: 0 true, 1 false, 2 error.
pub fn test(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let mut operands: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    if args.first().map(String::as_str) == Some("[") {
        if operands.last() != Some(&"]") {
            io.errln("[: missing ]");
            return 2;
        }
        operands.pop();
    }
    match eval_test(sh, &operands) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            io.errln(&format!("test: {e}"));
            2
        }
    }
}

fn eval_test(sh: &Shell, a: &[&str]) -> Result<bool, String> {
    if let Some(i) = a.iter().rposition(|x| *x == "-o") {
        if i > 0 && i + 1 < a.len() {
            return Ok(eval_test(sh, &a[..i])? || eval_test(sh, &a[i + 1..])?);
        }
    }
    if let Some(i) = a.iter().rposition(|x| *x == "-a") {
        if i > 0 && i + 1 < a.len() {
            return Ok(eval_test(sh, &a[..i])? && eval_test(sh, &a[i + 1..])?);
        }
    }
    match a {
        [] => Ok(false),
        [s] => Ok(!s.is_empty()),
        ["!", rest @ ..] => Ok(!eval_test(sh, rest)?),
        [op, v] => unary(sh, op, v),
        [l, op, r] => binary(l, op, r),
        _ => Err("too many arguments".into()),
    }
}

fn unary(sh: &Shell, op: &str, v: &str) -> Result<bool, String> {
    let meta =
        |follow: bool| sh.resolve(v, follow).and_then(|p| sh.vfs.metadata(&sh.who, &p).map(|m| (p, m))).ok();
    Ok(match op {
        "-z" => v.is_empty(),
        "-n" => !v.is_empty(),
        "-e" => meta(true).is_some(),
        "-f" => meta(true).is_some_and(|(_, m)| m.is_file()),
        "-d" => meta(true).is_some_and(|(_, m)| m.is_dir()),
        "-s" => meta(true).is_some_and(|(_, m)| m.len() > 0),
        "-L" | "-h" => meta(false).is_some_and(|(_, m)| m.file_type().is_symlink()),
        "-r" => meta(true).is_some_and(|(p, _)| sh.vfs.check(&sh.who, &p, Access::Read).is_ok()),
        "-w" => meta(true).is_some_and(|(p, _)| sh.vfs.check(&sh.who, &p, Access::Write).is_ok()),
        "-x" => meta(true).is_some_and(|(_, m)| {
            use std::os::unix::fs::PermissionsExt;
            m.is_dir() || m.permissions().mode() & 0o111 != 0
        }),
        "-b" | "-c" | "-p" | "-S" => false,
        _ => return Err(format!("{op}: unknown operator")),
    })
}

fn binary(l: &str, op: &str, r: &str) -> Result<bool, String> {
    let num = |s: &str| s.trim().parse::<i64>().map_err(|_| format!("{s}: bad number"));
    Ok(match op {
        "=" | "==" => l == r,
        "!=" => l != r,
        "-eq" => num(l)? == num(r)?,
        "-ne" => num(l)? != num(r)?,
        "-lt" => num(l)? < num(r)?,
        "-le" => num(l)? <= num(r)?,
        "-gt" => num(l)? > num(r)?,
        "-ge" => num(l)? >= num(r)?,
        _ => return Err(format!("{op}: unknown operator")),
    })
}

/// `sh -c SCRIPT [NAME [ARGS...]]`, `sh FILE`, or `sh` reading stdin.
pub fn sh(shell: &mut Shell, args: &[String], io: &Io) -> i32 {
    let who = shell.who.clone();
    let cwd = shell.cwd.clone();
    let mut i = 1;
    let mut command: Option<String> = None;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-c" => {
                let Some(src) = args.get(i + 1) else {
                    io.errln("sh: -c: option requires an argument");
                    return 2;
                };
                command = Some(src.clone());
                i += 2;
            }
            // Harmless options scripts pass (`sh -e -c`, `sh -x`).
            "-e" | "-x" | "-u" | "-s" | "-l" | "-i" => i += 1,
            _ => break,
        }
    }
    let rest: Vec<String> = args.get(i..).unwrap_or(&[]).to_vec();
    match command {
        Some(src) => {
            let positional = if rest.is_empty() { vec!["sh".to_string()] } else { rest };
            shell.run_child_source(who, &cwd, &src, positional, io)
        }
        None => match rest.first() {
            Some(file) => {
                let data = shell.resolve(file, true).and_then(|p| shell.vfs.read_file(&shell.who, &p));
                match data {
                    Ok(bytes) => {
                        let src = String::from_utf8_lossy(&bytes).into_owned();
                        shell.run_child_source(who, &cwd, &src, rest, io)
                    }
                    Err(e) => {
                        io.errln(&format!("sh: {file}: {e}"));
                        127
                    }
                }
            }
            None => {
                let src = String::from_utf8_lossy(&io.read_stdin()).into_owned();
                shell.run_child_source(who, &cwd, &src, Vec::new(), io)
            }
        },
    }
}

pub fn sleep(_: &mut Shell, args: &[String], io: &Io) -> i32 {
    let Some(a) = args.get(1) else {
        io.errln("sleep: Need 1 argument");
        return 1;
    };
    let secs = a.trim_end_matches('s').parse::<f64>();
    match secs {
        Ok(s) if s.is_finite() && s >= 0.0 => {
            std::thread::sleep(Duration::from_secs_f64(s.min(1.0e6)));
            0
        }
        _ => {
            io.errln(&format!("sleep: invalid number '{a}'"));
            1
        }
    }
}

fn uid_of(sh: &Shell) -> u32 {
    match &sh.who {
        Identity::Shell => 2000,
        Identity::App(p) => sh.env.config.uid_of(p).unwrap_or(10_000),
    }
}

pub fn id(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let flags = match flags_or_usage("id", args, "ungG", "", io) {
        Ok(f) => f,
        Err(rc) => return rc,
    };
    let uid = uid_of(sh);
    let name = user_name(uid);
    if flags.has('u') || flags.has('g') {
        io.outln(&if flags.has('n') { name } else { uid.to_string() });
        return 0;
    }
    let line = match &sh.who {
        Identity::Shell => "uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats),3009(readproc),3011(uhid) context=u:r:shell:s0".to_string(),
        Identity::App(_) => format!(
            "uid={uid}({name}) gid={uid}({name}) groups={uid}({name}),3003(inet),9997(everybody) context=u:r:untrusted_app:s0"
        ),
    };
    io.outln(&line);
    0
}

pub fn whoami(sh: &mut Shell, _: &[String], io: &Io) -> i32 {
    io.outln(&user_name(uid_of(sh)));
    0
}

pub fn uname(_: &mut Shell, args: &[String], io: &Io) -> i32 {
    let flags = match flags_or_usage("uname", args, "asnrvmo", "", io) {
        Ok(f) => f,
        Err(rc) => return rc,
    };
    let fields = [
        ('s', "Linux"),
        ('n', "localhost"),
        ('r', "5.15.137-android14-sonde"),
        ('v', "#1 SMP PREEMPT"),
        ('m', "aarch64"),
        ('o', "Toybox"),
    ];
    let all = flags.has('a');
    let picked: Vec<&str> = fields.iter().filter(|(c, _)| all || flags.has(*c)).map(|(_, v)| *v).collect();
    io.outln(&if picked.is_empty() { "Linux".to_string() } else { picked.join(" ") });
    0
}

pub fn which(_: &mut Shell, args: &[String], io: &Io) -> i32 {
    let mut rc = 0;
    for name in args.iter().skip(1) {
        if lookup(name).is_some() && !matches!(name.as_str(), "cd" | "exit") {
            io.outln(&format!("/system/bin/{name}"));
        } else {
            rc = 1;
        }
    }
    rc
}

/// Only `command -v NAME` is supported.
pub fn command(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    match args.get(1).map(String::as_str) {
        Some("-v") | Some("-V") => {
            let mut rc = 0;
            for name in args.iter().skip(2) {
                if lookup(name).is_some() {
                    io.outln(name);
                } else {
                    rc = 1;
                }
            }
            rc
        }
        Some(_) => sh.run_argv(&args[1..], io),
        None => 0,
    }
}

pub fn basename(_: &mut Shell, args: &[String], io: &Io) -> i32 {
    let Some(p) = args.get(1) else {
        io.errln("basename: Need 1 argument");
        return 1;
    };
    let trimmed = p.trim_end_matches('/');
    let mut base = if trimmed.is_empty() && !p.is_empty() {
        "/".to_string()
    } else {
        trimmed.rsplit('/').next().unwrap_or("").to_string()
    };
    if let Some(suffix) = args.get(2) {
        if base.len() > suffix.len() && base.ends_with(suffix.as_str()) {
            base.truncate(base.len() - suffix.len());
        }
    }
    io.outln(&base);
    0
}

pub fn dirname(_: &mut Shell, args: &[String], io: &Io) -> i32 {
    let Some(p) = args.get(1) else {
        io.errln("dirname: Need 1 argument");
        return 1;
    };
    let trimmed = p.trim_end_matches('/');
    let dir = match trimmed.rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((d, _)) => d.trim_end_matches('/').to_string(),
        None if p.starts_with('/') => "/".to_string(),
        None => ".".to_string(),
    };
    io.outln(if dir.is_empty() { "/" } else { &dir });
    0
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn escapes() {
        assert_eq!(unescape(r"a\nb\tc").0, b"a\nb\tc");
        assert_eq!(unescape(r"\0101\x41").0, b"AA");
        assert!(unescape(r"x\cy").1);
    }
}
