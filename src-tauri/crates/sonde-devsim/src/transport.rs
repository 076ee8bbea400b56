//! One TCP connection from the adb server: handshake, then stream
//! multiplexing.
//!
//! Tasks per connection: a reader (socket → messages), a writer (queued
//! messages → socket) and one task per open stream. The main loop routes
//! host messages to streams and reacts to stream requests. When it returns
//! (EOF, protocol error, or a `drop` fault) every task is aborted and both
//! socket halves are dropped, which closes the connection.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::io::AsyncReadExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::faults::{ActiveFault, FaultAction};
use crate::protocol::{
    read_message, write_message, Message, ProtocolError, AUTH_SIGNATURE, AUTH_TOKEN, A_AUTH, A_CLSE, A_CNXN,
    A_OKAY, A_OPEN, A_VERSION, A_WRTE, DEVICE_MAX_PAYLOAD,
};
use crate::server::Device;
use crate::services::{self, Service};
use crate::stream::{Control, Outgoing, StreamEvent, StreamIo};

/// Handles a connection until it ends. Never panics on peer input.
pub async fn handle_connection(socket: TcpStream, device: Arc<Device>) {
    let _ = socket.set_nodelay(true);
    let (mut reader, mut writer) = socket.into_split();
    let config = device.config();
    if config.faults.offline {
        // Accept but never speak: swallow input until the host gives up.
        let mut sink = vec![0u8; 4096];
        while matches!(reader.read(&mut sink).await, Ok(n) if n > 0) {}
        return;
    }
    let host_max = match handshake(&mut reader, &mut writer, &device).await {
        Ok(Some(max)) => max,
        Ok(None) => return,
        Err(e) => {
            tracing::info!("handshake ended: {e}");
            return;
        }
    };
    let max_payload = (host_max.min(DEVICE_MAX_PAYLOAD) as usize).max(1024);
    Connection::new(device, max_payload).run(reader, writer).await;
}

/// Waits for the host's CNXN. Returns the host's maxdata once we answered
/// with our CNXN; `None` if the host left. With `unauthorized`, answers with
/// AUTH TOKENs forever and never returns `Some`.
async fn handshake(
    reader: &mut OwnedReadHalf,
    writer: &mut OwnedWriteHalf,
    device: &Device,
) -> Result<Option<u32>, ProtocolError> {
    loop {
        let Some(msg) = read_message(reader).await? else {
            return Ok(None);
        };
        match msg.command {
            A_CNXN => {
                let config = device.config();
                if config.faults.unauthorized {
                    write_message(writer, &auth_token()).await?;
                    continue;
                }
                let banner = config.banner().into_bytes();
                let reply = Message::new(A_CNXN, A_VERSION, DEVICE_MAX_PAYLOAD, banner);
                write_message(writer, &reply).await?;
                return Ok(Some(msg.arg1));
            }
            // A rejected signature gets a fresh token, like adbd; a public
            // key would prompt the user, who never answers.
            A_AUTH if msg.arg0 == AUTH_SIGNATURE => {
                write_message(writer, &auth_token()).await?;
            }
            _ => {}
        }
    }
}

fn auth_token() -> Message {
    let seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let token: Vec<u8> =
        (0..20u32).map(|i| ((seed >> ((i % 16) * 8)) as u8) ^ (i as u8).wrapping_mul(37)).collect();
    Message::new(A_AUTH, AUTH_TOKEN, 0, token)
}

struct StreamEntry {
    remote: u32,
    inbox: mpsc::UnboundedSender<StreamEvent>,
}

struct Connection {
    device: Arc<Device>,
    max_payload: usize,
    streams: HashMap<u32, StreamEntry>,
    next_id: u32,
    tasks: JoinSet<()>,
    out: mpsc::UnboundedSender<Outgoing>,
    out_rx: Option<mpsc::UnboundedReceiver<Outgoing>>,
    ctl: mpsc::UnboundedSender<Control>,
    ctl_rx: mpsc::UnboundedReceiver<Control>,
}

impl Connection {
    fn new(device: Arc<Device>, max_payload: usize) -> Self {
        let (out, out_rx) = mpsc::unbounded_channel();
        let (ctl, ctl_rx) = mpsc::unbounded_channel();
        Self {
            device,
            max_payload,
            streams: HashMap::new(),
            next_id: 1,
            tasks: JoinSet::new(),
            out,
            out_rx: Some(out_rx),
            ctl,
            ctl_rx,
        }
    }

    async fn run(mut self, mut reader: OwnedReadHalf, mut writer: OwnedWriteHalf) {
        let Some(mut out_rx) = self.out_rx.take() else { return };
        self.tasks.spawn(async move {
            while let Some(item) = out_rx.recv().await {
                match item {
                    Outgoing::Msg(m) => {
                        if let Err(e) = write_message(&mut writer, &m).await {
                            tracing::info!("write failed: {e}");
                            break;
                        }
                    }
                    Outgoing::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        let (in_tx, mut in_rx) = mpsc::channel::<Message>(64);
        self.tasks.spawn(async move {
            loop {
                match read_message(&mut reader).await {
                    Ok(Some(m)) => {
                        if in_tx.send(m).await.is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::info!("read failed: {e}");
                        break;
                    }
                }
            }
        });
        loop {
            tokio::select! {
                msg = in_rx.recv() => match msg {
                    Some(m) => self.on_message(m),
                    None => break,
                },
                ctl = self.ctl_rx.recv() => match ctl {
                    Some(Control::StreamDone(id)) => {
                        self.streams.remove(&id);
                        // Reap finished stream tasks so long sessions stay small.
                        while self.tasks.try_join_next().is_some() {}
                    }
                    Some(Control::DropConnection) => {
                        tracing::info!("dropping connection (fault)");
                        break;
                    }
                    None => break,
                },
            }
        }
        // Dropping the JoinSet aborts the reader, writer and stream tasks;
        // the socket halves they own are dropped with them.
        self.tasks.abort_all();
    }

    fn send(&self, msg: Message) {
        let _ = self.out.send(Outgoing::Msg(msg));
    }

    fn on_message(&mut self, m: Message) {
        tracing::trace!(?m, "host message");
        match m.command {
            A_OPEN => self.on_open(m.arg0, &m.payload),
            A_WRTE => match self.streams.get(&m.arg1) {
                Some(s) if s.remote == m.arg0 => {
                    let _ = s.inbox.send(StreamEvent::Data(m.payload));
                }
                _ => tracing::debug!(local = m.arg1, "WRTE for unknown stream"),
            },
            A_OKAY => {
                if let Some(s) = self.streams.get(&m.arg1) {
                    let _ = s.inbox.send(StreamEvent::Okay);
                }
            }
            A_CLSE => {
                if let Some(s) = self.streams.remove(&m.arg1) {
                    let _ = s.inbox.send(StreamEvent::Closed);
                }
            }
            A_CNXN => {
                // The host restarted the session on this socket.
                let banner = self.device.config().banner().into_bytes();
                self.send(Message::new(A_CNXN, A_VERSION, DEVICE_MAX_PAYLOAD, banner));
            }
            _ => {}
        }
    }

    fn on_open(&mut self, remote: u32, payload: &[u8]) {
        let end = payload.iter().position(|b| *b == 0).unwrap_or(payload.len());
        let name = String::from_utf8_lossy(&payload[..end]).into_owned();
        let config = self.device.config();
        let fault = self.device.tracker().select(&config.faults.rules, &name).map(ActiveFault::from);
        tracing::info!(service = %name, ?fault, "OPEN");
        if config.faults.trace {
            self.device.trace_open(&name, fault.as_ref());
        }
        if fault.is_some_and(|f| f.action == FaultAction::NeverOpen) {
            return;
        }
        let Some(service) = Service::parse(&name) else {
            tracing::info!(service = %name, "unsupported service");
            self.send(Message::new(A_CLSE, 0, remote, Vec::new()));
            return;
        };
        let local = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        let (inbox, inbox_rx) = mpsc::unbounded_channel();
        self.streams.insert(local, StreamEntry { remote, inbox });
        self.send(Message::new(A_OKAY, local, remote, Vec::new()));
        let io = StreamIo::new(
            local,
            remote,
            self.max_payload,
            self.out.clone(),
            self.ctl.clone(),
            inbox_rx,
            fault,
        );
        let env = self.device.env(config);
        let tmp = self.device.tmp_dir();
        self.tasks.spawn(async move { services::run(service, io, env, tmp).await });
    }
}
