//! A running `sonde watch`, its stdout read line by line (tests wait on its
//! lines, never on timers).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

pub const HANG: Duration = Duration::from_secs(60);

/// A running `sonde watch`, its stdout read line by line.
pub struct Watch {
    child: Child,
    lines: Receiver<String>,
}

impl Watch {
    pub fn spawn(mut cmd: Command) -> Watch {
        let mut child =
            cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("spawn sonde watch");
        let out = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Watch { child, lines }
    }

    pub fn line(&self) -> String {
        self.lines.recv_timeout(HANG).expect("a line from sonde watch")
    }

    /// With `--count`, the watch exits by itself after its last line.
    pub fn exits(mut self) {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "{status}");
                return;
            }
            assert!(start.elapsed() < HANG, "sonde watch --count did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
