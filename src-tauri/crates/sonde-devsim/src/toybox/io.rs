//! Standard streams of emulated commands.
//!
//! Commands run synchronously on a blocking thread; their output is
//! collected in memory (`Outputs`) and sent when the command ends. File
//! descriptors 1 and 2 are `Sink`s so that redirections (`>f`, `2>&1`,
//! `2>/dev/null`) are just sink swaps. Stdin is read lazily: only commands
//! that consume it (e.g. `cat` with no file) wait for the host's data.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use tokio::sync::mpsc::UnboundedReceiver;

/// What the top-level script produced.
#[derive(Debug, Default)]
pub struct Outputs {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Where fd 1 or fd 2 goes.
#[derive(Clone)]
pub enum Sink {
    Stdout,
    Stderr,
    Null,
    File(Rc<RefCell<std::fs::File>>),
    Buffer(Rc<RefCell<Vec<u8>>>),
}

/// Stdin of a command.
pub enum Input {
    Empty,
    Bytes(Vec<u8>),
    /// Host data arriving on the adb stream; `None` from the channel is EOF.
    Channel(UnboundedReceiver<Vec<u8>>),
}

impl Input {
    /// Reads everything until EOF (blocking; call only off the runtime).
    pub fn read_all(&mut self) -> Vec<u8> {
        match std::mem::replace(self, Input::Empty) {
            Input::Empty => Vec::new(),
            Input::Bytes(b) => b,
            Input::Channel(mut rx) => {
                let mut out = Vec::new();
                while let Some(chunk) = rx.blocking_recv() {
                    out.extend_from_slice(&chunk);
                }
                out
            }
        }
    }
}

/// The streams one command sees.
#[derive(Clone)]
pub struct Io {
    pub stdin: Rc<RefCell<Input>>,
    pub out: Sink,
    pub err: Sink,
    top: Rc<RefCell<Outputs>>,
}

impl Io {
    /// Top-level streams; with `merge_stderr` fd 2 goes to stdout (shell v1).
    pub fn new(stdin: Input, merge_stderr: bool) -> Self {
        Self {
            stdin: Rc::new(RefCell::new(stdin)),
            out: Sink::Stdout,
            err: if merge_stderr { Sink::Stdout } else { Sink::Stderr },
            top: Rc::new(RefCell::new(Outputs::default())),
        }
    }

    /// Takes the collected top-level output.
    pub fn take_outputs(&self) -> Outputs {
        std::mem::take(&mut *self.top.borrow_mut())
    }

    fn write_to(&self, sink: &Sink, data: &[u8]) {
        match sink {
            Sink::Stdout => self.top.borrow_mut().stdout.extend_from_slice(data),
            Sink::Stderr => self.top.borrow_mut().stderr.extend_from_slice(data),
            Sink::Null => {}
            Sink::File(f) => {
                if let Err(e) = f.borrow_mut().write_all(data) {
                    tracing::warn!("redirect write failed: {e}");
                }
            }
            Sink::Buffer(b) => b.borrow_mut().extend_from_slice(data),
        }
    }

    pub fn out(&self, data: &[u8]) {
        self.write_to(&self.out, data);
    }

    pub fn outln(&self, line: &str) {
        let mut v = line.as_bytes().to_vec();
        v.push(b'\n');
        self.out(&v);
    }

    pub fn err(&self, data: &[u8]) {
        self.write_to(&self.err, data);
    }

    pub fn errln(&self, line: &str) {
        let mut v = line.as_bytes().to_vec();
        v.push(b'\n');
        self.err(&v);
    }

    /// Reads all of stdin.
    pub fn read_stdin(&self) -> Vec<u8> {
        self.stdin.borrow_mut().read_all()
    }

    /// The same streams with a different stdin.
    pub fn with_stdin(&self, input: Input) -> Io {
        Io { stdin: Rc::new(RefCell::new(input)), ..self.clone() }
    }
}
