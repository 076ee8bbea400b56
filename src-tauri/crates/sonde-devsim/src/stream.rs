//! One adb stream as seen by a service: flow-controlled reads and writes,
//! plus the stream-level fault actions.
//!
//! adb 29 allows one WRTE in flight per stream: after each WRTE we wait for
//! the host's OKAY. Host WRTEs are acknowledged when the service consumes
//! them, which gives natural back-pressure (a stalled service stops the
//! host's sender too).

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::faults::{ActiveFault, FaultAction, FaultWhen};
use crate::protocol::{Message, A_CLSE, A_OKAY, A_WRTE};

/// Messages for the connection's writer task.
#[derive(Debug)]
pub(crate) enum Outgoing {
    Msg(Message),
    /// Answered once every message queued before it has been written.
    Flush(oneshot::Sender<()>),
}

/// Requests from streams to their connection.
#[derive(Debug)]
pub(crate) enum Control {
    /// The stream ended; forget its id.
    StreamDone(u32),
    /// Fault `drop`: close the TCP connection now.
    DropConnection,
}

/// What the connection forwards to a stream.
#[derive(Debug)]
pub(crate) enum StreamEvent {
    Data(Vec<u8>),
    Okay,
    Closed,
}

/// The host closed the stream (or the connection went away).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stream closed by host")]
pub struct StreamClosed;

pub struct StreamIo {
    local: u32,
    remote: u32,
    max_payload: usize,
    out: mpsc::UnboundedSender<Outgoing>,
    ctl: mpsc::UnboundedSender<Control>,
    inbox: mpsc::UnboundedReceiver<StreamEvent>,
    pending: VecDeque<Vec<u8>>,
    host_closed: bool,
    fault: Option<ActiveFault>,
    sent: u64,
    received: u64,
}

impl StreamIo {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        local: u32,
        remote: u32,
        max_payload: usize,
        out: mpsc::UnboundedSender<Outgoing>,
        ctl: mpsc::UnboundedSender<Control>,
        inbox: mpsc::UnboundedReceiver<StreamEvent>,
        fault: Option<ActiveFault>,
    ) -> Self {
        Self {
            local,
            remote,
            max_payload: max_payload.max(1),
            out,
            ctl,
            inbox,
            pending: VecDeque::new(),
            host_closed: false,
            fault,
            sent: 0,
            received: 0,
        }
    }

    /// Largest WRTE payload we may send.
    pub fn max_payload(&self) -> usize {
        self.max_payload
    }

    fn send(&self, msg: Message) -> Result<(), StreamClosed> {
        self.out.send(Outgoing::Msg(msg)).map_err(|_| StreamClosed)
    }

    /// Writes all of `data` as WRTEs, waiting for an OKAY after each.
    pub async fn write_all(&mut self, mut data: &[u8]) -> Result<(), StreamClosed> {
        while !data.is_empty() {
            if self.host_closed {
                return Err(StreamClosed);
            }
            let mut n = data.len().min(self.max_payload);
            if let Some(f) = self.fault.filter(ActiveFault::by_bytes) {
                let budget = f.after_bytes.saturating_sub(self.sent);
                match f.action {
                    FaultAction::Drop | FaultAction::Stall => {
                        if budget == 0 {
                            self.fire(f.action).await;
                        }
                        n = n.min(usize::try_from(budget).unwrap_or(usize::MAX));
                    }
                    FaultAction::Slow => {
                        if budget == 0 {
                            n = n.min(slow_chunk(f.bytes_per_sec));
                            tokio::time::sleep(pace(n, f.bytes_per_sec)).await;
                        } else {
                            n = n.min(usize::try_from(budget).unwrap_or(usize::MAX));
                        }
                    }
                    FaultAction::NeverOpen => {}
                }
            }
            let (chunk, rest) = data.split_at(n);
            self.send(Message::new(A_WRTE, self.local, self.remote, chunk.to_vec()))?;
            self.sent += n as u64;
            data = rest;
            self.wait_okay().await?;
        }
        Ok(())
    }

    async fn wait_okay(&mut self) -> Result<(), StreamClosed> {
        loop {
            match self.inbox.recv().await {
                Some(StreamEvent::Okay) => return Ok(()),
                Some(StreamEvent::Data(d)) => self.pending.push_back(d),
                Some(StreamEvent::Closed) | None => {
                    self.host_closed = true;
                    return Err(StreamClosed);
                }
            }
        }
    }

    /// Next chunk of host data (acknowledged with OKAY); `None` once the host
    /// closed the stream. Cancel-safe unless a `slow` fault is pacing.
    pub async fn read(&mut self) -> Option<Vec<u8>> {
        let data = match self.pending.pop_front() {
            Some(d) => d,
            None => loop {
                if self.host_closed {
                    return None;
                }
                match self.inbox.recv().await {
                    Some(StreamEvent::Data(d)) => break d,
                    Some(StreamEvent::Okay) => continue,
                    Some(StreamEvent::Closed) | None => {
                        self.host_closed = true;
                        return None;
                    }
                }
            },
        };
        if let Some(f) = self.fault.filter(ActiveFault::by_bytes) {
            let total = self.received + data.len() as u64;
            match f.action {
                FaultAction::Drop | FaultAction::Stall if total > f.after_bytes => {
                    self.fire(f.action).await;
                }
                FaultAction::Slow if total > f.after_bytes => {
                    tokio::time::sleep(pace(data.len(), f.bytes_per_sec)).await;
                }
                _ => {}
            }
        }
        self.received += data.len() as u64;
        // Errors mean the connection is gone; the next read will notice.
        let _ = self.send(Message::new(A_OKAY, self.local, self.remote, Vec::new()));
        Some(data)
    }

    /// The service did its work and is about to send its final reply: a
    /// `when: close` fault fires here (and never returns); otherwise a no-op.
    pub async fn at_close(&mut self) {
        if let Some(f) = self.fault.filter(|f| f.fires_at(FaultWhen::Close)) {
            self.fire(f.action).await;
        }
    }

    /// The stream is open and the service about to start: a `when: start`
    /// fault fires here (and never returns); otherwise a no-op.
    pub async fn at_start(&mut self) {
        if let Some(f) = self.fault.filter(|f| f.fires_at(FaultWhen::Start)) {
            self.fire(f.action).await;
        }
    }

    /// Applies `drop` or `stall`; never returns.
    async fn fire(&mut self, action: FaultAction) -> ! {
        tracing::info!(
            stream = self.local,
            sent = self.sent,
            received = self.received,
            ?action,
            "fault fires"
        );
        if action == FaultAction::Drop {
            // Make sure everything sent so far reaches the host first.
            let (tx, rx) = oneshot::channel();
            if self.out.send(Outgoing::Flush(tx)).is_ok() {
                let _ = rx.await;
            }
            let _ = self.ctl.send(Control::DropConnection);
        }
        let never: std::convert::Infallible = std::future::pending().await;
        match never {}
    }
}

impl Drop for StreamIo {
    fn drop(&mut self) {
        if !self.host_closed {
            let _ = self.send(Message::new(A_CLSE, self.local, self.remote, Vec::new()));
        }
        let _ = self.ctl.send(Control::StreamDone(self.local));
    }
}

/// Chunk size for paced writes: about a tenth of a second of data.
fn slow_chunk(bytes_per_sec: u64) -> usize {
    usize::try_from((bytes_per_sec / 10).max(1)).unwrap_or(usize::MAX)
}

fn pace(bytes: usize, bytes_per_sec: u64) -> Duration {
    Duration::from_secs_f64(bytes as f64 / bytes_per_sec.max(1) as f64)
}
