//! Executes parsed scripts: expansion, redirections, pipelines, `&&`/`||`.
//!
//! Every command is emulated in-process against the virtual filesystem; no
//! host program is ever run.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::commands;
use super::fs::{FsError, Identity, VPath, Vfs};
use super::glob;
use super::io::{Input, Io, Sink};
use super::parser::{self, AndOr, Connector, Part, Pipeline, RedirKind, Script, SimpleCommand, Word};
use super::DeviceEnv;

/// Nesting limit for `sh -c` / `run-as` inside scripts.
const MAX_DEPTH: u32 = 16;

/// Directories whose programs we resolve by basename (`/system/bin/ls`).
const BIN_DIRS: &[&str] =
    &["/system/bin", "/system/xbin", "/bin", "/vendor/bin", "/product/bin", "/apex/com.android.runtime/bin"];

/// Interpreter state for one shell (or subshell).
pub struct Shell<'e> {
    pub env: &'e DeviceEnv,
    pub vfs: Vfs,
    pub who: Identity,
    pub cwd: String,
    pub last_rc: i32,
    pub vars: HashMap<String, String>,
    /// `$0`, `$1`, ...
    pub positional: Vec<String>,
    /// Set by `exit`: stops the current (sub)shell with that code.
    pub exit: Option<i32>,
    depth: u32,
}

impl<'e> Shell<'e> {
    pub fn new(env: &'e DeviceEnv, who: Identity, cwd: &str) -> Self {
        let mut vars = HashMap::new();
        for (k, v) in [
            ("HOME", "/"),
            ("PATH", "/product/bin:/apex/com.android.runtime/bin:/system/bin:/system/xbin:/vendor/bin"),
            ("ANDROID_DATA", "/data"),
            ("EXTERNAL_STORAGE", "/sdcard"),
            ("TMPDIR", "/data/local/tmp"),
            ("SHELL", "/system/bin/sh"),
        ] {
            vars.insert(k.to_string(), v.to_string());
        }
        vars.insert(
            "USER".to_string(),
            match &who {
                Identity::Shell => "shell".to_string(),
                Identity::App(p) => commands::user_name(env.config.uid_of(p).unwrap_or(10_000)),
            },
        );
        Self {
            env,
            vfs: env.vfs(),
            who,
            cwd: cwd.to_string(),
            last_rc: 0,
            vars,
            positional: vec!["sh".to_string()],
            exit: None,
            depth: 0,
        }
    }

    /// A child shell (for `sh -c`, `run-as`): same variables, its own exit.
    pub fn subshell(&self, who: Identity, cwd: &str) -> Option<Shell<'e>> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        let mut child = Shell::new(self.env, who, cwd);
        for (k, v) in &self.vars {
            if k != "USER" {
                child.vars.insert(k.clone(), v.clone());
            }
        }
        child.last_rc = self.last_rc;
        child.depth = self.depth + 1;
        Some(child)
    }

    /// Resolves a path argument for this shell's identity and cwd.
    pub fn resolve(&self, path: &str, follow_last: bool) -> Result<VPath, FsError> {
        self.vfs.resolve(&self.who, &self.cwd, path, follow_last)
    }

    /// Parses and runs a script; syntax errors give rc 2.
    pub fn run_source(&mut self, src: &str, io: &Io) -> i32 {
        match parser::parse(src) {
            Ok(script) => self.run_script(&script, io),
            Err(e) => {
                io.errln(&format!("sh: syntax error: {e}"));
                self.last_rc = 2;
                2
            }
        }
    }

    pub fn run_script(&mut self, script: &Script, io: &Io) -> i32 {
        for item in &script.items {
            let rc = self.run_and_or(item, io);
            self.last_rc = rc;
            if self.exit.is_some() {
                break;
            }
        }
        self.exit.unwrap_or(self.last_rc)
    }

    fn run_and_or(&mut self, item: &AndOr, io: &Io) -> i32 {
        let mut rc = self.run_pipeline(&item.first, io);
        for (conn, pipeline) in &item.rest {
            self.last_rc = rc;
            if self.exit.is_some() {
                break;
            }
            let run = match conn {
                Connector::And => rc == 0,
                Connector::Or => rc != 0,
            };
            if run {
                rc = self.run_pipeline(pipeline, io);
            }
        }
        rc
    }

    fn run_pipeline(&mut self, p: &Pipeline, io: &Io) -> i32 {
        let rc = if p.commands.len() == 1 {
            self.run_simple(&p.commands[0], io)
        } else {
            // Elements run one after another; each one's output buffer is the
            // next one's stdin. `exit` inside a pipeline element only ends
            // that element, as in a subshell.
            let saved_exit = self.exit;
            let mut input: Option<Vec<u8>> = None;
            let mut rc = 0;
            let last = p.commands.len() - 1;
            for (i, cmd) in p.commands.iter().enumerate() {
                let mut cio = match input.take() {
                    Some(bytes) => io.with_stdin(Input::Bytes(bytes)),
                    None => io.clone(),
                };
                let buffer = Rc::new(RefCell::new(Vec::new()));
                if i != last {
                    cio.out = Sink::Buffer(buffer.clone());
                }
                rc = self.run_simple(cmd, &cio);
                self.exit = saved_exit;
                if i != last {
                    input = Some(std::mem::take(&mut *buffer.borrow_mut()));
                }
            }
            rc
        };
        if p.negate {
            i32::from(rc == 0)
        } else {
            rc
        }
    }

    fn run_simple(&mut self, cmd: &SimpleCommand, io: &Io) -> i32 {
        let mut argv = Vec::new();
        for w in &cmd.words {
            argv.extend(self.expand(w));
        }
        let mut cio = io.clone();
        for r in &cmd.redirects {
            if let Err(rc) = self.apply_redirect(r.fd, r.kind, &r.target, &mut cio) {
                return rc;
            }
        }
        let assigns: Vec<(String, String)> =
            cmd.assigns.iter().map(|(k, w)| (k.clone(), self.expand_single(w))).collect();
        if argv.is_empty() {
            for (k, v) in assigns {
                self.vars.insert(k, v);
            }
            return 0;
        }
        // Prefix assignments only affect that command; we have no
        // environment to pass, so they are visible to it through vars.
        let saved: Vec<(String, Option<String>)> =
            assigns.iter().map(|(k, _)| (k.clone(), self.vars.get(k).cloned())).collect();
        for (k, v) in assigns {
            self.vars.insert(k, v);
        }
        let rc = self.run_argv(&argv, &cio);
        for (k, old) in saved {
            match old {
                Some(v) => self.vars.insert(k, v),
                None => self.vars.remove(&k),
            };
        }
        rc
    }

    /// Runs one command by name with already-expanded arguments.
    pub fn run_argv(&mut self, argv: &[String], io: &Io) -> i32 {
        let Some(name) = argv.first() else { return 0 };
        let base = if name.contains('/') {
            match name.rsplit_once('/') {
                Some((dir, base)) if BIN_DIRS.contains(&dir) => base,
                _ => "",
            }
        } else {
            name.as_str()
        };
        match commands::lookup(base) {
            Some(f) => f(self, argv, io),
            None => {
                io.errln(&format!("{name}: inaccessible or not found"));
                127
            }
        }
    }

    /// Runs a nested script (used by `sh`), with a depth guard.
    pub fn run_child_source(
        &self,
        who: Identity,
        cwd: &str,
        src: &str,
        positional: Vec<String>,
        io: &Io,
    ) -> i32 {
        match self.subshell(who, cwd) {
            Some(mut child) => {
                if !positional.is_empty() {
                    child.positional = positional;
                }
                child.run_source(src, io)
            }
            None => {
                io.errln("sh: too many nested shells");
                2
            }
        }
    }

    fn apply_redirect(&mut self, fd: u32, kind: RedirKind, target: &Word, io: &mut Io) -> Result<(), i32> {
        let target = self.expand_single(target);
        match kind {
            RedirKind::Out | RedirKind::Append => {
                let sink = self.open_sink(&target, kind == RedirKind::Append, io)?;
                self.set_fd(fd, sink, io)
            }
            RedirKind::In => {
                if fd != 0 {
                    io.errln(&format!("sh: {fd}: unsupported file descriptor"));
                    return Err(1);
                }
                let data = self.resolve(&target, true).and_then(|p| self.vfs.read_file(&self.who, &p));
                match data {
                    Ok(bytes) => {
                        *io = io.with_stdin(Input::Bytes(bytes));
                        Ok(())
                    }
                    Err(e) => {
                        io.errln(&format!("sh: can't open {target}: {e}"));
                        Err(1)
                    }
                }
            }
            RedirKind::DupOut => {
                let sink = match target.as_str() {
                    "-" => Sink::Null,
                    "1" => io.out.clone(),
                    "2" => io.err.clone(),
                    _ => {
                        io.errln(&format!("sh: {target}: bad file descriptor"));
                        return Err(1);
                    }
                };
                self.set_fd(fd, sink, io)
            }
            RedirKind::DupIn => {
                if target == "0" || target == "-" {
                    Ok(())
                } else {
                    io.errln(&format!("sh: {target}: bad file descriptor"));
                    Err(1)
                }
            }
        }
    }

    fn set_fd(&self, fd: u32, sink: Sink, io: &mut Io) -> Result<(), i32> {
        match fd {
            1 => io.out = sink,
            2 => io.err = sink,
            _ => {
                io.errln(&format!("sh: {fd}: unsupported file descriptor"));
                return Err(1);
            }
        }
        Ok(())
    }

    fn open_sink(&self, target: &str, append: bool, io: &Io) -> Result<Sink, i32> {
        let opened = self.resolve(target, true).and_then(|p| {
            if p.device() == "/dev/null" {
                return Ok(Sink::Null);
            }
            self.vfs.open_write(&self.who, &p, append).map(|f| Sink::File(Rc::new(RefCell::new(f))))
        });
        opened.map_err(|e| {
            io.errln(&format!("sh: can't create {target}: {e}"));
            1
        })
    }

    fn var(&self, name: &str) -> String {
        match name {
            "?" => self.last_rc.to_string(),
            "$" => "4242".to_string(),
            "!" => String::new(),
            "#" => self.positional.len().saturating_sub(1).to_string(),
            _ if name.chars().all(|c| c.is_ascii_digit()) => {
                name.parse::<usize>().ok().and_then(|i| self.positional.get(i).cloned()).unwrap_or_default()
            }
            _ => self.vars.get(name).cloned().unwrap_or_default(),
        }
    }

    /// Expands a word without globbing (redirect targets, assignments).
    pub fn expand_single(&self, w: &Word) -> String {
        w.parts
            .iter()
            .map(|p| match p {
                Part::Lit { text, .. } => text.clone(),
                Part::Var { name, .. } => self.var(name),
            })
            .collect()
    }

    /// Expands a word into fields: variables (no field splitting), then
    /// globbing of unquoted wildcards. A glob without matches stays as is.
    pub fn expand(&self, w: &Word) -> Vec<String> {
        let mut pattern = String::new();
        let mut magic = false;
        for p in &w.parts {
            match p {
                Part::Lit { text, quoted: false } => {
                    if glob::has_magic(text) {
                        magic = true;
                    }
                    // Unquoted backslashes were consumed by the lexer, so any
                    // remaining one is literal.
                    pattern.push_str(&text.replace('\\', "\\\\"));
                }
                Part::Lit { text, .. } => pattern.push_str(&glob::escape(text)),
                Part::Var { name, .. } => pattern.push_str(&glob::escape(&self.var(name))),
            }
        }
        if magic {
            let matches = self.glob(&pattern);
            if !matches.is_empty() {
                return matches;
            }
        }
        vec![glob::unescape(&pattern)]
    }

    /// Expands a pattern against the filesystem (sorted, readable dirs only).
    fn glob(&self, pattern: &str) -> Vec<String> {
        let absolute = pattern.starts_with('/');
        // (text shown to the command, device directory it denotes)
        let start = if absolute { "/".to_string() } else { self.cwd.clone() };
        let mut current: Vec<(String, String)> = vec![(String::new(), start)];
        let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
        for (i, comp) in comps.iter().enumerate() {
            let is_last = i + 1 == comps.len();
            let mut next = Vec::new();
            for (shown, dir) in &current {
                let join = |name: &str| -> (String, String) {
                    let shown = if shown.is_empty() {
                        if absolute {
                            format!("/{name}")
                        } else {
                            name.to_string()
                        }
                    } else {
                        format!("{shown}/{name}")
                    };
                    let device =
                        if dir.ends_with('/') { format!("{dir}{name}") } else { format!("{dir}/{name}") };
                    (shown, device)
                };
                if glob::has_magic(comp) {
                    let Ok(dpath) = self.resolve(dir, true) else { continue };
                    let Ok(entries) = self.vfs.read_dir(&self.who, &dpath) else {
                        continue;
                    };
                    for (name, meta) in entries {
                        if !glob::fnmatch(comp, &name, false) {
                            continue;
                        }
                        if !is_last && !meta.is_dir() && !meta.file_type().is_symlink() {
                            continue;
                        }
                        next.push(join(&name));
                    }
                } else {
                    let name = glob::unescape(comp);
                    let (shown, device) = join(&name);
                    if is_last {
                        let exists = self
                            .resolve(&device, false)
                            .and_then(|p| self.vfs.metadata(&self.who, &p))
                            .is_ok();
                        if !exists {
                            continue;
                        }
                    }
                    next.push((shown, device));
                }
            }
            current = next;
            if current.is_empty() {
                break;
            }
        }
        let mut out: Vec<String> = current.into_iter().map(|(s, _)| s).collect();
        out.sort();
        out
    }
}
