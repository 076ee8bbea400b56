//! The emulated commands, looked up by name.
//!
//! Each command is `fn(&mut Shell, argv, &Io) -> exit code`; errors are
//! printed toybox-style on stderr (`cmd: path: strerror`) and never panic.

/// Parses options or returns the usage error code from the command.
macro_rules! flags {
    ($name:expr, $args:expr, $bools:expr, $valued:expr, $io:expr) => {
        match super::flags_or_usage($name, $args, $bools, $valued, $io) {
            Ok(f) => f,
            Err(rc) => return rc,
        }
    };
}

mod android;
mod builtins;
mod files;
mod find;
mod format;
mod ls;
mod stat;
mod text;

use std::collections::{HashMap, HashSet};

use super::interp::Shell;
use super::io::Io;

pub use format::user_name;

/// Signature shared by all commands.
pub type CmdFn = fn(&mut Shell, &[String], &Io) -> i32;

/// All command names (for `which` and docs).
pub const NAMES: &[&str] = &[
    "[",
    "am",
    "basename",
    "cat",
    "cd",
    "chmod",
    "cmd",
    "command",
    "cp",
    "dirname",
    "echo",
    "exit",
    "false",
    "find",
    "getprop",
    "head",
    "id",
    "ls",
    "mkdir",
    "mv",
    "pm",
    "printf",
    "pwd",
    "rm",
    "rmdir",
    "run-as",
    "sh",
    "sha256sum",
    "sleep",
    "stat",
    "tail",
    "test",
    "touch",
    "true",
    "uname",
    "wc",
    "which",
    "whoami",
];

/// Finds a command by name.
pub fn lookup(name: &str) -> Option<CmdFn> {
    let f: CmdFn = match name {
        "true" => builtins::true_,
        "false" => builtins::false_,
        "exit" => builtins::exit,
        "cd" => builtins::cd,
        "pwd" => builtins::pwd,
        "echo" => builtins::echo,
        "printf" => builtins::printf,
        "test" | "[" => builtins::test,
        "sh" => builtins::sh,
        "sleep" => builtins::sleep,
        "id" => builtins::id,
        "whoami" => builtins::whoami,
        "uname" => builtins::uname,
        "which" => builtins::which,
        "command" => builtins::command,
        "basename" => builtins::basename,
        "dirname" => builtins::dirname,
        "ls" => ls::ls,
        "cat" => files::cat,
        "cp" => files::cp,
        "mv" => files::mv,
        "rm" => files::rm,
        "rmdir" => files::rmdir,
        "mkdir" => files::mkdir,
        "chmod" => files::chmod,
        "touch" => files::touch,
        "stat" => stat::stat,
        "find" => find::find,
        "head" => text::head,
        "tail" => text::tail,
        "wc" => text::wc,
        "sha256sum" => text::sha256sum,
        "getprop" => android::getprop,
        "pm" => android::pm,
        "cmd" => android::cmd,
        "run-as" => android::run_as,
        "am" => android::am,
        _ => return None,
    };
    Some(f)
}

/// Parsed command-line options.
#[derive(Debug, Default)]
pub(crate) struct Flags {
    set: HashSet<char>,
    values: HashMap<char, String>,
    pub operands: Vec<String>,
}

impl Flags {
    pub fn has(&self, c: char) -> bool {
        self.set.contains(&c)
    }

    pub fn value(&self, c: char) -> Option<&str> {
        self.values.get(&c).map(String::as_str)
    }
}

/// Toybox-style option parsing: `-abc` clusters, `-c N` / `-cN` for value
/// options, `--` ends options, a lone `-` is an operand. Options may follow
/// operands. Unknown options are an error message.
pub(crate) fn parse_flags(args: &[String], bools: &str, valued: &str) -> Result<Flags, String> {
    let mut flags = Flags::default();
    let mut i = 0;
    let mut only_operands = false;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if only_operands || a == "-" || !a.starts_with('-') {
            flags.operands.push(a.clone());
            continue;
        }
        if a == "--" {
            only_operands = true;
            continue;
        }
        let chars: Vec<char> = a.chars().skip(1).collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            if valued.contains(c) {
                let rest: String = chars[j..].iter().collect();
                let value = if !rest.is_empty() {
                    rest
                } else if i < args.len() {
                    i += 1;
                    args[i - 1].clone()
                } else {
                    return Err(format!("Missing argument to -{c}"));
                };
                flags.values.insert(c, value);
                break;
            } else if bools.contains(c) {
                flags.set.insert(c);
            } else {
                return Err(format!("Unknown option '{c}'"));
            }
        }
    }
    Ok(flags)
}

/// Parses flags or prints `name: error` and returns rc 1.
pub(crate) fn flags_or_usage(
    name: &str,
    args: &[String],
    bools: &str,
    valued: &str,
    io: &Io,
) -> Result<Flags, i32> {
    parse_flags(args.get(1..).unwrap_or(&[]), bools, valued).map_err(|e| {
        io.errln(&format!("{name}: {e}"));
        1
    })
}

#[cfg(test)]
mod tests;
