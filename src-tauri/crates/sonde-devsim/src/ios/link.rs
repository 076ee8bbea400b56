//! One tunnelled connection (a usbmuxd socket after `Connect`): plain
//! bytes, or TLS on the same socket after lockdownd's `StartSession` (the
//! phone is the TLS server). TLS runs through OpenSSL over in-memory
//! buffers, so that after `StopSession` the connection goes back to plain
//! bytes with nothing lost, as lockdownd does.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::time::Duration;

use openssl::ssl::{ErrorCode, Ssl, SslContext, SslStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use super::faults::{Action, Fault, When};
use super::IosError;

/// The socket side of OpenSSL: bytes received but not yet consumed by TLS,
/// and bytes TLS produced that still have to be sent.
#[derive(Default)]
struct MemIo {
    incoming: VecDeque<u8>,
    outgoing: Vec<u8>,
}

impl Read for MemIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.incoming.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(self.incoming.len());
        for (slot, byte) in buf.iter_mut().zip(self.incoming.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }
}

impl Write for MemIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outgoing.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What a finished TLS handshake negotiated (for the trace and the notes).
#[derive(Debug, Clone)]
pub struct TlsInfo {
    pub version: String,
    pub cipher: String,
    /// Subject of the certificate the client presented, if any.
    pub peer: Option<String>,
}

pub struct Link {
    stream: UnixStream,
    tls: Option<SslStream<MemIo>>,
    /// Plain bytes received before TLS stopped, not yet read.
    pending: VecDeque<u8>,
    /// Set after a TLS session ended: TLS records (a close_notify) at the
    /// start of a read are skipped.
    after_tls: bool,
}

const READ_CHUNK: usize = 16 * 1024;

impl Link {
    pub fn new(stream: UnixStream) -> Link {
        Link { stream, tls: None, pending: VecDeque::new(), after_tls: false }
    }

    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    async fn fill_tls(&mut self) -> Result<(), IosError> {
        let mut buf = vec![0u8; READ_CHUNK];
        let n = self.stream.read(&mut buf).await?;
        if n == 0 {
            return Err(IosError::Closed);
        }
        if let Some(tls) = self.tls.as_mut() {
            tls.get_mut().incoming.extend(&buf[..n]);
        }
        Ok(())
    }

    async fn flush_tls(&mut self) -> Result<(), IosError> {
        let out = match self.tls.as_mut() {
            Some(tls) => std::mem::take(&mut tls.get_mut().outgoing),
            None => return Ok(()),
        };
        if !out.is_empty() {
            self.stream.write_all(&out).await?;
        }
        Ok(())
    }

    /// Reads up to `buf.len()` bytes; 0 only at end of stream.
    pub async fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, IosError> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.tls.is_some() {
            loop {
                let result = match self.tls.as_mut() {
                    Some(tls) => tls.ssl_read(buf),
                    None => return Err(IosError::Closed),
                };
                match result {
                    Ok(n) => return Ok(n),
                    Err(e) if e.code() == ErrorCode::ZERO_RETURN => return Ok(0),
                    Err(e) if e.code() == ErrorCode::WANT_READ => {
                        self.flush_tls().await?;
                        self.fill_tls().await?;
                    }
                    Err(e) => return Err(IosError::Tls(e.to_string())),
                }
            }
        }
        if self.after_tls && self.pending.is_empty() {
            self.skip_tls_records().await?;
        }
        if !self.pending.is_empty() {
            let n = buf.len().min(self.pending.len());
            for (slot, byte) in buf.iter_mut().zip(self.pending.drain(..n)) {
                *slot = byte;
            }
            return Ok(n);
        }
        Ok(self.stream.read(buf).await?)
    }

    /// After `StopSession` a client may send its TLS close_notify before
    /// the next plain message: a record header (content type 20..=23,
    /// major version 3) cannot start a plain message (it would announce
    /// more than 335 MB), so such records are read and dropped.
    async fn skip_tls_records(&mut self) -> Result<(), IosError> {
        loop {
            while self.pending.len() < 5 {
                let mut buf = [0u8; 512];
                let n = self.stream.read(&mut buf).await?;
                if n == 0 {
                    return Ok(());
                }
                self.pending.extend(&buf[..n]);
            }
            let head: Vec<u8> = self.pending.iter().take(5).copied().collect();
            if !(20..=23).contains(&head[0]) || head[1] != 3 {
                self.after_tls = false;
                return Ok(());
            }
            let total = 5 + usize::from(u16::from_be_bytes([head[3], head[4]]));
            while self.pending.len() < total {
                let mut buf = [0u8; 512];
                let n = self.stream.read(&mut buf).await?;
                if n == 0 {
                    return Err(IosError::Closed);
                }
                self.pending.extend(&buf[..n]);
            }
            self.pending.drain(..total);
        }
    }

    pub async fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), IosError> {
        let mut filled = 0;
        while filled < buf.len() {
            let n = self.read_some(&mut buf[filled..]).await?;
            if n == 0 {
                return Err(IosError::Closed);
            }
            filled += n;
        }
        Ok(())
    }

    pub async fn write_all(&mut self, data: &[u8]) -> Result<(), IosError> {
        if let Some(tls) = self.tls.as_mut() {
            let mut written = 0;
            while written < data.len() {
                match tls.ssl_write(&data[written..]) {
                    Ok(n) => written += n,
                    Err(e) => return Err(IosError::Tls(e.to_string())),
                }
            }
            return self.flush_tls().await;
        }
        self.stream.write_all(data).await?;
        Ok(())
    }

    /// Writes `data` under a step's fault: `slow` paces it, `during` cuts it
    /// after `after_bytes` bytes and then drops or stalls.
    pub async fn write_faulted(&mut self, data: &[u8], fault: Option<&Fault>) -> Result<(), IosError> {
        let Some(fault) = fault else {
            return self.write_all(data).await;
        };
        if fault.fires(When::During) {
            let cut = usize::try_from(fault.after_bytes).unwrap_or(usize::MAX).min(data.len());
            self.write_all(&data[..cut]).await?;
            return act(fault.action).await;
        }
        if fault.action == Action::Slow {
            return self.write_paced(data, fault.bytes_per_sec).await;
        }
        self.write_all(data).await
    }

    async fn write_paced(&mut self, data: &[u8], bytes_per_sec: u64) -> Result<(), IosError> {
        // Ten chunks a second.
        let chunk = usize::try_from((bytes_per_sec / 10).max(1)).unwrap_or(1);
        for part in data.chunks(chunk) {
            self.write_all(part).await?;
            tokio::time::sleep(pace(part.len(), bytes_per_sec)).await;
        }
        Ok(())
    }

    /// Becomes the TLS server of this connection (lockdownd after
    /// `StartSession`).
    pub async fn accept_tls(&mut self, ctx: &SslContext) -> Result<TlsInfo, IosError> {
        let ssl = Ssl::new(ctx).map_err(|e| IosError::Tls(e.to_string()))?;
        let mut io = MemIo::default();
        io.incoming.extend(self.pending.drain(..));
        let stream = SslStream::new(ssl, io).map_err(|e| IosError::Tls(e.to_string()))?;
        self.tls = Some(stream);
        self.after_tls = false;
        loop {
            let result = match self.tls.as_mut() {
                Some(tls) => tls.accept(),
                None => return Err(IosError::Closed),
            };
            match result {
                Ok(()) => {
                    self.flush_tls().await?;
                    break;
                }
                Err(e) if e.code() == ErrorCode::WANT_READ => {
                    self.flush_tls().await?;
                    self.fill_tls().await?;
                }
                Err(e) => {
                    // Send the alert OpenSSL produced, then give up.
                    let _ = self.flush_tls().await;
                    self.tls = None;
                    return Err(IosError::Tls(e.to_string()));
                }
            }
        }
        let ssl = self.tls.as_ref().map(|t| t.ssl());
        Ok(TlsInfo {
            version: ssl.map(|s| s.version_str().to_string()).unwrap_or_default(),
            cipher: ssl.and_then(|s| s.current_cipher()).map(|c| c.name().to_string()).unwrap_or_default(),
            peer: ssl.and_then(|s| s.peer_certificate()).map(|c| {
                c.subject_name()
                    .entries()
                    .map(|e| String::from_utf8_lossy(e.data().as_slice()).into_owned())
                    .collect::<Vec<_>>()
                    .join(",")
            }),
        })
    }

    /// Ends TLS (lockdownd after answering `StopSession`): our close_notify
    /// goes out, bytes already received stay readable as plain bytes.
    pub async fn stop_tls(&mut self) -> Result<(), IosError> {
        if let Some(mut tls) = self.tls.take() {
            let _ = tls.shutdown();
            let io = tls.get_mut();
            let out = std::mem::take(&mut io.outgoing);
            self.pending.extend(io.incoming.drain(..));
            if !out.is_empty() {
                self.stream.write_all(&out).await?;
            }
            self.after_tls = true;
        }
        Ok(())
    }
}

/// How long `bytes` take at `bytes_per_sec`.
pub fn pace(bytes: usize, bytes_per_sec: u64) -> Duration {
    Duration::from_secs_f64(bytes as f64 / bytes_per_sec.max(1) as f64)
}

/// Carries out a drop (the connection ends) or a stall (never returns).
pub async fn act(action: Action) -> Result<(), IosError> {
    match action {
        Action::Drop => Err(IosError::Dropped),
        Action::Stall => {
            std::future::pending::<()>().await;
            Err(IosError::Dropped)
        }
        Action::Slow => Ok(()),
    }
}
