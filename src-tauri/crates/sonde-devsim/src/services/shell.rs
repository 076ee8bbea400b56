//! `shell:` (v1), `exec:` and `shell,v2,...:` services.
//!
//! The command runs on a blocking thread (see [`crate::toybox`]); meanwhile
//! host data is forwarded to it as stdin. Output is sent when the command
//! has finished.
//!
//! Shell protocol v2 packets are `id: u8`, `len: u32 LE`, `data`; ids: 0
//! stdin, 1 stdout, 2 stderr, 3 exit (1 byte code), 4 close-stdin, 5
//! window-size. Packets may span WRTE boundaries in both directions.
//!
//! A `when: close` fault fires once the command ran and its output was
//! sent: instead of the exit packet (v2) and the CLSE.

use tokio::sync::mpsc;

use crate::stream::StreamIo;
use crate::toybox::{self, DeviceEnv, ExecResult, Input};

const ID_STDIN: u8 = 0;
const ID_STDOUT: u8 = 1;
const ID_STDERR: u8 = 2;
const ID_EXIT: u8 = 3;
const ID_CLOSE_STDIN: u8 = 4;
/// Largest data part of one packet we emit.
const PACKET_DATA_MAX: usize = 64 * 1024;

/// Runs the command, feeding it host data as stdin through `feed`, which
/// turns raw stream bytes into stdin chunks (`None` = close stdin).
async fn execute<F>(
    io: &mut StreamIo,
    env: DeviceEnv,
    cmd: String,
    merge_stderr: bool,
    mut feed: F,
) -> Option<ExecResult>
where
    F: FnMut(Vec<u8>) -> Vec<Option<Vec<u8>>>,
{
    let (stdin_tx, stdin_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let mut stdin_tx = Some(stdin_tx);
    let mut job = tokio::task::spawn_blocking(move || {
        toybox::run_script(&env, &cmd, Input::Channel(stdin_rx), merge_stderr)
    });
    let mut host_open = true;
    loop {
        tokio::select! {
            done = &mut job => {
                return match done {
                    Ok(result) => Some(result),
                    Err(e) => {
                        tracing::error!("command task failed: {e}");
                        Some(ExecResult {
                            stderr: b"sh: internal error\n".to_vec(),
                            rc: 255,
                            ..ExecResult::default()
                        })
                    }
                };
            }
            data = io.read(), if host_open => match data {
                Some(bytes) => {
                    for item in feed(bytes) {
                        match item {
                            Some(chunk) => {
                                if let Some(tx) = &stdin_tx {
                                    let _ = tx.send(chunk);
                                }
                            }
                            None => stdin_tx = None,
                        }
                    }
                }
                None => {
                    // The host closed the stream: nobody will read our
                    // output. Let the command finish with EOF on stdin.
                    host_open = false;
                    stdin_tx = None;
                }
            },
        }
    }
}

/// `shell:` v1 (`merge_stderr`) and `exec:` (stdout only).
pub async fn run_raw(mut io: StreamIo, env: DeviceEnv, cmd: String, merge_stderr: bool) {
    let Some(result) = execute(&mut io, env, cmd, merge_stderr, |b| vec![Some(b)]).await else {
        return;
    };
    if !result.stderr.is_empty() {
        tracing::debug!(
            stderr = %String::from_utf8_lossy(&result.stderr),
            "exec stderr (not sent)"
        );
    }
    if io.write_all(&result.stdout).await.is_ok() {
        io.at_close().await;
    }
}

/// Incremental decoder of host → device shell v2 packets.
#[derive(Default)]
struct PacketDecoder {
    buf: Vec<u8>,
}

impl PacketDecoder {
    /// Returns stdin chunks; `None` marks close-stdin.
    fn push(&mut self, bytes: Vec<u8>) -> Vec<Option<Vec<u8>>> {
        self.buf.extend_from_slice(&bytes);
        let mut out = Vec::new();
        loop {
            if self.buf.len() < 5 {
                break;
            }
            let len = u32::from_le_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
            let len = len as usize;
            if self.buf.len() < 5 + len {
                break;
            }
            let id = self.buf[0];
            let data: Vec<u8> = self.buf[5..5 + len].to_vec();
            self.buf.drain(..5 + len);
            match id {
                ID_STDIN => out.push(Some(data)),
                ID_CLOSE_STDIN => out.push(None),
                _ => {} // window-size and unknown packets are ignored
            }
        }
        out
    }
}

fn encode_packets(id: u8, data: &[u8], out: &mut Vec<u8>) {
    for chunk in data.chunks(PACKET_DATA_MAX) {
        out.push(id);
        out.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
        out.extend_from_slice(chunk);
    }
}

/// `shell,v2,...:` — stdout, stderr and exit packets.
pub async fn run_v2(mut io: StreamIo, env: DeviceEnv, cmd: String) {
    let mut decoder = PacketDecoder::default();
    let Some(result) = execute(&mut io, env, cmd, false, |b| decoder.push(b)).await else {
        return;
    };
    let mut out = Vec::with_capacity(result.stdout.len() + result.stderr.len() + 32);
    encode_packets(ID_STDOUT, &result.stdout, &mut out);
    encode_packets(ID_STDERR, &result.stderr, &mut out);
    if io.write_all(&out).await.is_err() {
        return;
    }
    // A `when: close` fault replaces the exit status.
    io.at_close().await;
    out.clear();
    out.push(ID_EXIT);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.push((result.rc & 0xff) as u8);
    let _ = io.write_all(&out).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_split_packets() {
        let mut d = PacketDecoder::default();
        let mut bytes = Vec::new();
        encode_packets(ID_STDIN, b"hello", &mut bytes);
        bytes.extend_from_slice(&[ID_CLOSE_STDIN, 0, 0, 0, 0]);
        let (a, b) = bytes.split_at(3);
        assert!(d.push(a.to_vec()).is_empty());
        assert_eq!(d.push(b.to_vec()), vec![Some(b"hello".to_vec()), None]);
    }

    #[test]
    fn encodes_large_output_in_chunks() {
        let mut out = Vec::new();
        encode_packets(ID_STDOUT, &vec![7u8; PACKET_DATA_MAX + 1], &mut out);
        assert_eq!(out.len(), PACKET_DATA_MAX + 1 + 10);
        assert_eq!(out[PACKET_DATA_MAX + 5], ID_STDOUT);
    }
}
