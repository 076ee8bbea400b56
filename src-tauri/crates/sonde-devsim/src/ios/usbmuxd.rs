//! The usbmuxd protocol as libusbmuxd 2.0 speaks it: a 16-byte header
//! (length including the header, version, message type, tag; little-endian
//! u32s), then for message type 8 an XML property list whose `MessageType`
//! is the request. Answers carry the client's tag and version. Requests:
//! `ListDevices`, `Listen` (Result, then `Attached`/`Detached` events on the
//! same socket), `Connect` (`PortNumber` is the port in network byte order
//! stored in an integer; Result 0 and the socket becomes the tunnel, 3 for
//! a closed port, 2 for a device that is not there), `ReadPairRecord`,
//! `SavePairRecord`, `DeletePairRecord`, `ReadBUID`. Binary (version 0)
//! requests are answered with Result 1 (BadCommand).

use std::sync::Arc;

use plist::{Dictionary, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use super::pairing;
use super::plist_io::{self, dict, get_data, get_str, get_uint};
use super::server::{tunnel, Sim, DEVICE_ID};
use super::IosError;

pub const HEADER_LEN: usize = 16;
pub const MESSAGE_RESULT: u32 = 1;
pub const MESSAGE_PLIST: u32 = 8;
/// Largest request accepted (a SavePairRecord is ~10 KiB).
pub const MAX_REQUEST: u32 = 1024 * 1024;

pub const RESULT_OK: u64 = 0;
pub const RESULT_BADCOMMAND: u64 = 1;
pub const RESULT_BADDEV: u64 = 2;
pub const RESULT_CONNREFUSED: u64 = 3;
pub const RESULT_BADVERSION: u64 = 6;
/// What usbmuxd answers for a pair record it does not have (ENOENT).
pub const RESULT_NO_RECORD: u64 = 2;
/// EINVAL, for a pair record we will not store.
pub const RESULT_EINVAL: u64 = 22;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub length: u32,
    pub version: u32,
    pub message: u32,
    pub tag: u32,
}

impl Header {
    pub fn parse(b: &[u8; HEADER_LEN]) -> Header {
        let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Header { length: word(0), version: word(4), message: word(8), tag: word(12) }
    }

    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..4].copy_from_slice(&self.length.to_le_bytes());
        out[4..8].copy_from_slice(&self.version.to_le_bytes());
        out[8..12].copy_from_slice(&self.message.to_le_bytes());
        out[12..16].copy_from_slice(&self.tag.to_le_bytes());
        out
    }
}

/// Reads one message; `Ok(None)` at a clean end of stream.
async fn recv(stream: &mut UnixStream) -> Result<Option<(Header, Vec<u8>)>, IosError> {
    let mut head = [0u8; HEADER_LEN];
    let mut filled = 0;
    while filled < HEADER_LEN {
        let n = stream.read(&mut head[filled..]).await?;
        if n == 0 {
            return if filled == 0 { Ok(None) } else { Err(IosError::Closed) };
        }
        filled += n;
    }
    let header = Header::parse(&head);
    if header.length < HEADER_LEN as u32 || header.length > MAX_REQUEST {
        return Err(IosError::Protocol(format!("usbmuxd message of {} bytes", header.length)));
    }
    let mut body = vec![0u8; header.length as usize - HEADER_LEN];
    stream.read_exact(&mut body).await.map_err(|_| IosError::Closed)?;
    Ok(Some((header, body)))
}

async fn send_plist(stream: &mut UnixStream, version: u32, tag: u32, d: &Dictionary) -> Result<(), IosError> {
    let xml = plist_io::dict_to_xml(d)?;
    let length = u32::try_from(xml.len() + HEADER_LEN).map_err(|_| IosError::Protocol("too large".into()))?;
    let mut out = Header { length, version, message: MESSAGE_PLIST, tag }.encode().to_vec();
    out.extend_from_slice(&xml);
    stream.write_all(&out).await?;
    Ok(())
}

async fn send_result(stream: &mut UnixStream, version: u32, tag: u32, number: u64) -> Result<(), IosError> {
    let d = dict([("MessageType", "Result".into()), ("Number", Value::Integer(number.into()))]);
    send_plist(stream, version, tag, &d).await
}

/// The `Properties` of the attached phone, as usbmuxd 1.1 reports a USB device.
pub fn properties(sim: &Sim) -> Dictionary {
    let udid = sim.phone.udid();
    dict([
        ("ConnectionSpeed", Value::Integer(480_000_000u64.into())),
        ("ConnectionType", "USB".into()),
        ("DeviceID", Value::Integer(u64::from(DEVICE_ID).into())),
        ("LocationID", Value::Integer(0x0110_0000u64.into())),
        ("ProductID", Value::Integer(0x12a8u64.into())),
        ("SerialNumber", udid.into()),
        // A12 and later phones report the UDID without its dash over USB.
        ("USBSerialNumber", udid.replace('-', "").into()),
    ])
}

fn attached_message(sim: &Sim) -> Dictionary {
    dict([
        ("DeviceID", Value::Integer(u64::from(DEVICE_ID).into())),
        ("MessageType", "Attached".into()),
        ("Properties", Value::Dictionary(properties(sim))),
    ])
}

fn detached_message() -> Dictionary {
    dict([("DeviceID", Value::Integer(u64::from(DEVICE_ID).into())), ("MessageType", "Detached".into())])
}

/// Serves one usbmuxd client until it closes, listens forever, or connects
/// a tunnel.
pub async fn serve_client(sim: Arc<Sim>, mut stream: UnixStream) -> Result<(), IosError> {
    loop {
        let Some((header, body)) = recv(&mut stream).await? else {
            return Ok(());
        };
        if header.message != MESSAGE_PLIST {
            let step = format!("usbmuxd:binary:{}", header.message);
            let _ = sim.step(&step).await?;
            // The binary protocol (version 0) is not spoken here.
            let number = if header.version == 0 { RESULT_BADVERSION } else { RESULT_BADCOMMAND };
            let mut out =
                Header { length: 20, version: header.version, message: MESSAGE_RESULT, tag: header.tag }
                    .encode()
                    .to_vec();
            out.extend_from_slice(&u32::try_from(number).unwrap_or(1).to_le_bytes());
            stream.write_all(&out).await?;
            continue;
        }
        let request = match plist_io::parse_dict(&body) {
            Ok(d) => d,
            Err(e) => {
                tracing::info!("usbmuxd: {e}");
                send_result(&mut stream, header.version, header.tag, RESULT_BADCOMMAND).await?;
                continue;
            }
        };
        let kind = get_str(&request, "MessageType").unwrap_or("").to_string();
        tracing::debug!(
            kind,
            prog = get_str(&request, "ProgName").unwrap_or(""),
            client = get_str(&request, "ClientVersionString").unwrap_or(""),
            lib = get_uint(&request, "kLibUSBMuxVersion").unwrap_or(0),
            "usbmuxd request"
        );
        let (v, tag) = (header.version, header.tag);
        match kind.as_str() {
            "ListDevices" => {
                let fault = sim.step("usbmuxd:ListDevices").await?;
                let list: Vec<Value> =
                    if sim.is_attached() { vec![Value::Dictionary(attached_message(&sim))] } else { vec![] };
                let answer = dict([("DeviceList", Value::Array(list))]);
                send_faulted(&mut stream, v, tag, &answer, fault.as_ref()).await?;
                sim.finish(fault.as_ref()).await?;
            }
            "Listen" => {
                let fault = sim.step("usbmuxd:Listen").await?;
                send_result(&mut stream, v, tag, RESULT_OK).await?;
                sim.finish(fault.as_ref()).await?;
                return listen(&sim, stream, v).await;
            }
            "Connect" => {
                let device = get_uint(&request, "DeviceID").unwrap_or(0);
                let raw = get_uint(&request, "PortNumber").unwrap_or(0);
                // libusbmuxd stores htons(port) in the integer.
                let port = u16::try_from(raw).map(u16::from_be).unwrap_or(0);
                let fault = sim.step(&format!("usbmuxd:Connect:{port}")).await?;
                let number = if device != u64::from(DEVICE_ID) || !sim.is_attached() {
                    RESULT_BADDEV
                } else if !sim.port_is_open(port) {
                    RESULT_CONNREFUSED
                } else {
                    RESULT_OK
                };
                send_result(&mut stream, v, tag, number).await?;
                sim.finish(fault.as_ref()).await?;
                if number == RESULT_OK {
                    tunnel(sim, stream, port).await;
                    return Ok(());
                }
            }
            "ReadBUID" => {
                let fault = sim.step("usbmuxd:ReadBUID").await?;
                let buid = pairing::system_buid(&sim.phone)?;
                send_faulted(&mut stream, v, tag, &dict([("BUID", buid.into())]), fault.as_ref()).await?;
                sim.finish(fault.as_ref()).await?;
            }
            "ReadPairRecord" => {
                let fault = sim.step("usbmuxd:ReadPairRecord").await?;
                let id = get_str(&request, "PairRecordID").unwrap_or("");
                match pairing::read_host_record(&sim.phone, id) {
                    Some(bytes) => {
                        let answer = dict([("PairRecordData", Value::Data(bytes))]);
                        send_faulted(&mut stream, v, tag, &answer, fault.as_ref()).await?;
                    }
                    None => send_result(&mut stream, v, tag, RESULT_NO_RECORD).await?,
                }
                sim.finish(fault.as_ref()).await?;
            }
            "SavePairRecord" => {
                let fault = sim.step("usbmuxd:SavePairRecord").await?;
                let id = get_str(&request, "PairRecordID").unwrap_or("");
                let number = match get_data(&request, "PairRecordData") {
                    Some(data) => match pairing::save_host_record(&sim.phone, id, data) {
                        Ok(()) => RESULT_OK,
                        Err(e) => {
                            tracing::info!("SavePairRecord: {e}");
                            RESULT_EINVAL
                        }
                    },
                    None => RESULT_EINVAL,
                };
                send_result(&mut stream, v, tag, number).await?;
                sim.finish(fault.as_ref()).await?;
            }
            "DeletePairRecord" => {
                let fault = sim.step("usbmuxd:DeletePairRecord").await?;
                let id = get_str(&request, "PairRecordID").unwrap_or("");
                let number =
                    if pairing::delete_host_record(&sim.phone, id) { RESULT_OK } else { RESULT_NO_RECORD };
                send_result(&mut stream, v, tag, number).await?;
                sim.finish(fault.as_ref()).await?;
            }
            other => {
                let _ = sim.step(&format!("usbmuxd:{other}")).await?;
                send_result(&mut stream, v, tag, RESULT_BADCOMMAND).await?;
            }
        }
    }
}

async fn send_faulted(
    stream: &mut UnixStream,
    version: u32,
    tag: u32,
    d: &Dictionary,
    fault: Option<&super::faults::Fault>,
) -> Result<(), IosError> {
    use super::faults::{Action, When};
    match fault {
        Some(f) if f.fires(When::During) => {
            let xml = plist_io::dict_to_xml(d)?;
            let length = u32::try_from(xml.len() + HEADER_LEN).unwrap_or(u32::MAX);
            let mut out = Header { length, version, message: MESSAGE_PLIST, tag }.encode().to_vec();
            out.extend_from_slice(&xml);
            let cut = usize::try_from(f.after_bytes).unwrap_or(usize::MAX).min(out.len());
            stream.write_all(&out[..cut]).await?;
            super::link::act(f.action).await
        }
        Some(f) if f.action == Action::Slow => {
            let xml = plist_io::dict_to_xml(d)?;
            tokio::time::sleep(super::link::pace(xml.len() + HEADER_LEN, f.bytes_per_sec)).await;
            send_plist(stream, version, tag, d).await
        }
        _ => send_plist(stream, version, tag, d).await,
    }
}

/// A `Listen` connection: the current device as `Attached`, then an event
/// per change of the attached state, until the client goes away.
async fn listen(sim: &Sim, mut stream: UnixStream, version: u32) -> Result<(), IosError> {
    let mut attached = sim.watch_attached();
    let mut was = *attached.borrow_and_update();
    if was {
        send_plist(&mut stream, version, 0, &attached_message(sim)).await?;
    }
    let mut sink = [0u8; 256];
    loop {
        tokio::select! {
            changed = attached.changed() => {
                if changed.is_err() {
                    return Ok(());
                }
                let now = *attached.borrow_and_update();
                if now != was {
                    let msg = if now { attached_message(sim) } else { detached_message() };
                    send_plist(&mut stream, version, 0, &msg).await?;
                    was = now;
                }
            }
            read = stream.read(&mut sink) => {
                // Clients send nothing after Listen; end of stream ends it.
                if read? == 0 {
                    return Ok(());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let h = Header { length: 300, version: 1, message: 8, tag: 7 };
        assert_eq!(Header::parse(&h.encode()), h);
        assert_eq!(&h.encode()[0..4], &[44, 1, 0, 0]);
    }
}
