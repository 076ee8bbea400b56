//! A usbmuxd client: the daemon that owns the USB link to iOS devices
//! (Apple's on macOS and Windows, libimobiledevice's `usbmuxd` on Linux).
//!
//! Messages are a 16-byte little-endian header (total length, protocol
//! version 1, message type 8 = plist, tag) and an XML plist. After a
//! successful `Connect` the socket is a raw byte tunnel to a TCP port on
//! the device. Where the daemon listens follows libusbmuxd:
//! `USBMUXD_SOCKET_ADDRESS` (`UNIX:/path` or `host:port`), else
//! `/var/run/usbmuxd`, or `127.0.0.1:27015` on Windows.

use super::stream::{boxed, BoxStream};
use crate::error::{DeviceError, Result};
use plist::{Dictionary, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HEADER: usize = 16;
const VERSION_PLIST: u32 = 1;
const MESSAGE_PLIST: u32 = 8;
/// Replies larger than this are not a usbmuxd talking.
const MAX_REPLY: usize = 4 << 20;
/// usbmuxd `Result` numbers (usbmuxd `src/usbmuxd-proto.h`).
const RESULT_BADDEV: u64 = 2;
const RESULT_CONNREFUSED: u64 = 3;

/// Where usbmuxd listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MuxAddress {
    Unix(String),
    Tcp(String),
}

impl MuxAddress {
    /// From the value of `USBMUXD_SOCKET_ADDRESS` (absent: the system's).
    pub fn from_env(value: Option<&str>) -> MuxAddress {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => match v.strip_prefix("UNIX:") {
                Some(path) => MuxAddress::Unix(path.to_owned()),
                None => MuxAddress::Tcp(v.to_owned()),
            },
            None if cfg!(windows) => MuxAddress::Tcp("127.0.0.1:27015".into()),
            None => MuxAddress::Unix("/var/run/usbmuxd".into()),
        }
    }

    pub fn from_process() -> MuxAddress {
        MuxAddress::from_env(std::env::var("USBMUXD_SOCKET_ADDRESS").ok().as_deref())
    }

    async fn connect(&self) -> Result<BoxStream> {
        let down = |e: std::io::Error| DeviceError::MuxUnavailable {
            address: self.to_string(),
            detail: e.to_string(),
        };
        match self {
            #[cfg(unix)]
            MuxAddress::Unix(path) => Ok(boxed(tokio::net::UnixStream::connect(path).await.map_err(down)?)),
            #[cfg(not(unix))]
            MuxAddress::Unix(_) => Err(down(std::io::Error::other("Unix sockets are not available here"))),
            MuxAddress::Tcp(addr) => Ok(boxed(tokio::net::TcpStream::connect(addr).await.map_err(down)?)),
        }
    }
}

impl std::fmt::Display for MuxAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MuxAddress::Unix(p) => write!(f, "UNIX:{p}"),
            MuxAddress::Tcp(a) => f.write_str(a),
        }
    }
}

/// One attached device as usbmuxd lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MuxDevice {
    pub device_id: u64,
    pub udid: String,
}

/// One conversation with usbmuxd (a new socket per request, as libusbmuxd
/// does: `Connect` turns the socket into a tunnel).
struct Conversation {
    stream: BoxStream,
    tag: u32,
}

impl Conversation {
    async fn open(addr: &MuxAddress) -> Result<Conversation> {
        Ok(Conversation { stream: addr.connect().await?, tag: 0 })
    }

    async fn ask(&mut self, message_type: &str, fields: Dictionary) -> Result<Dictionary> {
        let mut dict = Dictionary::new();
        dict.insert("MessageType".into(), message_type.into());
        dict.insert("ClientVersionString".into(), concat!("sonde ", env!("CARGO_PKG_VERSION")).into());
        dict.insert("ProgName".into(), "sonde".into());
        dict.insert("kLibUSBMuxVersion".into(), Value::Integer(3.into()));
        for (k, v) in fields {
            dict.insert(k, v);
        }
        let mut body = Vec::with_capacity(512);
        Value::Dictionary(dict).to_writer_xml(&mut body).map_err(|e| internal(&e))?;
        self.tag += 1;
        let mut frame = Vec::with_capacity(HEADER + body.len());
        for word in [(HEADER + body.len()) as u32, VERSION_PLIST, MESSAGE_PLIST, self.tag] {
            frame.extend_from_slice(&word.to_le_bytes());
        }
        frame.extend_from_slice(&body);
        self.stream.write_all(&frame).await.map_err(|e| lost(&e))?;
        self.stream.flush().await.map_err(|e| lost(&e))?;
        let mut header = [0u8; HEADER];
        self.stream.read_exact(&mut header).await.map_err(|e| lost(&e))?;
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        if !(HEADER..=MAX_REPLY).contains(&len) {
            return Err(garbled(format!("a reply of {len} bytes")));
        }
        let mut payload = vec![0u8; len - HEADER];
        self.stream.read_exact(&mut payload).await.map_err(|e| lost(&e))?;
        match Value::from_reader(std::io::Cursor::new(payload)) {
            Ok(Value::Dictionary(d)) => Ok(d),
            _ => Err(garbled("a reply that is not a plist dictionary".into())),
        }
    }
}

fn result_number(reply: &Dictionary) -> Option<u64> {
    match reply.get("MessageType").and_then(Value::as_string) {
        Some("Result") => reply.get("Number").and_then(Value::as_unsigned_integer),
        _ => None,
    }
}

fn lost(e: &std::io::Error) -> DeviceError {
    DeviceError::Offline { device: format!("usbmuxd connection lost: {e}") }
}

fn garbled(what: String) -> DeviceError {
    DeviceError::ToolFailed { tool: "usbmuxd", code: -1, message: format!("usbmuxd sent {what}") }
}

fn internal(e: &dyn std::fmt::Display) -> DeviceError {
    DeviceError::Internal(format!("plist encoding: {e}"))
}

/// Attached devices (USB first, as libimobiledevice prefers them).
pub async fn list_devices(addr: &MuxAddress) -> Result<Vec<MuxDevice>> {
    let mut c = Conversation::open(addr).await?;
    let reply = c.ask("ListDevices", Dictionary::new()).await?;
    let list =
        reply.get("DeviceList").and_then(Value::as_array).ok_or_else(|| garbled("no DeviceList".into()))?;
    let mut devices: Vec<(bool, MuxDevice)> = Vec::with_capacity(list.len());
    for entry in list {
        let Some(props) =
            entry.as_dictionary().and_then(|d| d.get("Properties")).and_then(Value::as_dictionary)
        else {
            continue;
        };
        let id = props.get("DeviceID").and_then(Value::as_unsigned_integer);
        let udid = props.get("SerialNumber").and_then(Value::as_string);
        if let (Some(device_id), Some(udid)) = (id, udid) {
            let usb = props.get("ConnectionType").and_then(Value::as_string) != Some("Network");
            devices.push((usb, MuxDevice { device_id, udid: udid.to_owned() }));
        }
    }
    devices.sort_by_key(|(usb, _)| !*usb);
    Ok(devices.into_iter().map(|(_, d)| d).collect())
}

/// The attached device with this UDID.
pub async fn find(addr: &MuxAddress, udid: &str) -> Result<MuxDevice> {
    list_devices(addr)
        .await?
        .into_iter()
        .find(|d| d.udid == udid)
        .ok_or_else(|| DeviceError::DeviceNotFound { device: format!("ios://{udid}") })
}

/// A byte tunnel to `port` on the device.
pub async fn connect(addr: &MuxAddress, device: &MuxDevice, port: u16) -> Result<BoxStream> {
    let mut c = Conversation::open(addr).await?;
    let mut fields = Dictionary::new();
    fields.insert("DeviceID".into(), Value::Integer(device.device_id.into()));
    // usbmuxd wants the port in network byte order inside the integer.
    fields.insert("PortNumber".into(), Value::Integer(u64::from(port.swap_bytes()).into()));
    let reply = c.ask("Connect", fields).await?;
    match result_number(&reply) {
        Some(0) => Ok(c.stream),
        Some(RESULT_BADDEV) => Err(DeviceError::DeviceNotFound { device: format!("ios://{}", device.udid) }),
        Some(RESULT_CONNREFUSED) => Err(DeviceError::Offline {
            device: format!("{}: port {port} refused the connection", device.udid),
        }),
        other => Err(garbled(format!("Connect result {other:?}"))),
    }
}

/// The pair record usbmuxd keeps for the device (a plist), `None` when the
/// device was never paired with this computer.
pub async fn read_pair_record(addr: &MuxAddress, udid: &str) -> Result<Option<Vec<u8>>> {
    let mut c = Conversation::open(addr).await?;
    let mut fields = Dictionary::new();
    fields.insert("PairRecordID".into(), udid.into());
    let reply = c.ask("ReadPairRecord", fields).await?;
    if let Some(data) = reply.get("PairRecordData").and_then(Value::as_data) {
        return Ok(Some(data.to_vec()));
    }
    match result_number(&reply) {
        Some(0) | None => Err(garbled("a ReadPairRecord reply without data".into())),
        Some(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_address_follows_libusbmuxd() {
        assert_eq!(MuxAddress::from_env(Some("UNIX:/tmp/mux")), MuxAddress::Unix("/tmp/mux".into()));
        assert_eq!(MuxAddress::from_env(Some("127.0.0.1:27015")), MuxAddress::Tcp("127.0.0.1:27015".into()));
        let default = MuxAddress::from_env(Some("  "));
        if cfg!(windows) {
            assert_eq!(default, MuxAddress::Tcp("127.0.0.1:27015".into()));
        } else {
            assert_eq!(default, MuxAddress::Unix("/var/run/usbmuxd".into()));
        }
        assert_eq!(MuxAddress::Unix("/a".into()).to_string(), "UNIX:/a");
    }
}
