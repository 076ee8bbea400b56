//! lockdownd (device port 62078) and the services it starts: a 4-byte
//! big-endian length and a plist per message. A session (`StartSession`
//! with the pair record's HostID and SystemBUID) switches the connection to
//! TLS; `StartService` then hands out a port for one service, which may ask
//! for TLS too (`EnableServiceSSL`).

use super::pair::PairRecord;
use super::stream::BoxStream;
use super::tls;
use super::usbmux::{self, MuxAddress, MuxDevice};
use crate::error::{DeviceError, Result};
use plist::{Dictionary, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const LOCKDOWN_PORT: u16 = 62078;
/// Messages larger than this are refused (a directory listing of a few
/// thousand names is far below).
const MAX_MESSAGE: usize = 16 << 20;
const LABEL: &str = "sonde";

/// A connection speaking length-prefixed plists (lockdownd, house_arrest,
/// installation_proxy).
pub struct PlistConn {
    pub stream: BoxStream,
    udid: String,
}

impl PlistConn {
    pub fn new(stream: BoxStream, udid: &str) -> PlistConn {
        PlistConn { stream, udid: udid.to_owned() }
    }

    pub fn lost(&self, e: &std::io::Error) -> DeviceError {
        DeviceError::Offline { device: format!("{}: connection lost ({e})", self.udid) }
    }

    pub async fn send(&mut self, dict: Dictionary) -> Result<()> {
        let mut body = Vec::with_capacity(512);
        Value::Dictionary(dict)
            .to_writer_xml(&mut body)
            .map_err(|e| DeviceError::Internal(format!("plist encoding: {e}")))?;
        let mut frame = Vec::with_capacity(4 + body.len());
        frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
        frame.extend_from_slice(&body);
        self.stream.write_all(&frame).await.map_err(|e| self.lost(&e))?;
        self.stream.flush().await.map_err(|e| self.lost(&e))
    }

    pub async fn receive(&mut self) -> Result<Dictionary> {
        let mut len = [0u8; 4];
        self.stream.read_exact(&mut len).await.map_err(|e| self.lost(&e))?;
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_MESSAGE {
            return Err(self.garbled(format!("a message of {len} bytes")));
        }
        let mut body = vec![0u8; len];
        self.stream.read_exact(&mut body).await.map_err(|e| self.lost(&e))?;
        match Value::from_reader(std::io::Cursor::new(body)) {
            Ok(Value::Dictionary(d)) => Ok(d),
            _ => Err(self.garbled("a message that is not a plist dictionary".into())),
        }
    }

    fn garbled(&self, what: String) -> DeviceError {
        DeviceError::ToolFailed { tool: "lockdownd", code: -1, message: format!("{} sent {what}", self.udid) }
    }
}

/// lockdownd's `Error` strings as Sonde's errors (names from
/// libimobiledevice `src/lockdown.c`, `lockdownd_strerror`).
pub fn lockdown_error(udid: &str, error: &str) -> DeviceError {
    match error {
        "PasswordProtected" | "DeviceLocked" => DeviceError::Locked { udid: udid.to_owned() },
        "PairingDialogResponsePending"
        | "UserDeniedPairing"
        | "InvalidHostID"
        | "InvalidPairRecord"
        | "SessionInactive"
        | "InvalidSessionID"
        | "NotPaired" => DeviceError::Untrusted { udid: udid.to_owned() },
        other => DeviceError::ToolFailed {
            tool: "lockdownd",
            code: -1,
            message: format!("{udid} refused the request: {other}"),
        },
    }
}

fn request(name: &str) -> Dictionary {
    let mut d = Dictionary::new();
    d.insert("Label".into(), LABEL.into());
    d.insert("Request".into(), name.into());
    d
}

/// An open lockdownd session (TLS, when the device asked for it).
pub struct Lockdown<'a> {
    conn: PlistConn,
    mux: &'a MuxAddress,
    device: MuxDevice,
    pair: &'a PairRecord,
}

impl<'a> Lockdown<'a> {
    /// Connects to lockdownd and starts a session with the pair record.
    pub async fn start(mux: &'a MuxAddress, device: MuxDevice, pair: &'a PairRecord) -> Result<Lockdown<'a>> {
        let stream = usbmux::connect(mux, &device, LOCKDOWN_PORT).await?;
        let mut conn = PlistConn::new(stream, &device.udid);
        let reply = ask(&mut conn, &device.udid, request("QueryType")).await?;
        if reply.get("Type").and_then(Value::as_string) != Some("com.apple.mobile.lockdown") {
            return Err(conn.garbled("an answer that is not lockdownd's".into()));
        }
        let mut start = request("StartSession");
        start.insert("HostID".into(), pair.host_id.as_str().into());
        start.insert("SystemBUID".into(), pair.system_buid.as_str().into());
        let reply = ask(&mut conn, &device.udid, start).await?;
        if reply.get("EnableSessionSSL").and_then(Value::as_boolean).unwrap_or(false) {
            conn.stream = tls::wrap(conn.stream, pair, &device.udid).await?;
        }
        Ok(Lockdown { conn, mux, device, pair })
    }

    /// Starts `service` and connects to it (with TLS when it asks for it).
    pub async fn service(&mut self, service: &str) -> Result<BoxStream> {
        let mut start = request("StartService");
        start.insert("Service".into(), service.into());
        if let Some(bag) = &self.pair.escrow_bag {
            start.insert("EscrowBag".into(), Value::Data(bag.to_vec()));
        }
        let reply = ask(&mut self.conn, &self.device.udid, start).await?;
        let port = reply
            .get("Port")
            .and_then(Value::as_unsigned_integer)
            .and_then(|p| u16::try_from(p).ok())
            .ok_or_else(|| self.conn.garbled(format!("no port for {service}")))?;
        let ssl = reply.get("EnableServiceSSL").and_then(Value::as_boolean).unwrap_or(false);
        let stream = usbmux::connect(self.mux, &self.device, port).await?;
        if ssl {
            tls::wrap(stream, self.pair, &self.device.udid).await
        } else {
            Ok(stream)
        }
    }

    /// Ends the session politely (best effort: the device cleans up anyway).
    pub async fn stop(mut self) {
        let _ = self.conn.send(request("Goodbye")).await;
    }
}

/// Sends a request and returns the reply, or the device's refusal.
async fn ask(conn: &mut PlistConn, udid: &str, req: Dictionary) -> Result<Dictionary> {
    conn.send(req).await?;
    let reply = conn.receive().await?;
    match reply.get("Error").and_then(Value::as_string) {
        Some(error) => Err(lockdown_error(udid, error)),
        None => Ok(reply),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockdown_errors_map_to_what_the_user_must_do() {
        assert!(matches!(lockdown_error("U", "PasswordProtected"), DeviceError::Locked { .. }));
        assert!(matches!(lockdown_error("U", "PairingDialogResponsePending"), DeviceError::Untrusted { .. }));
        assert!(matches!(lockdown_error("U", "InvalidHostID"), DeviceError::Untrusted { .. }));
        let other = lockdown_error("U", "InvalidService");
        assert!(other.to_string().contains("InvalidService"), "{other}");
    }
}
