//! AFC packets: a 40-byte header — magic `CFA6LPAA`, entire_length,
//! this_length, packet_num, operation (u64 little-endian) — then
//! `this_length - 40` bytes of header payload and `entire_length -
//! this_length` bytes of data. Operation and status numbers are
//! libimobiledevice's (src/afc.h, include/libimobiledevice/afc.h).

use crate::ios::link::Link;
use crate::ios::IosError;

pub const MAGIC: &[u8; 8] = b"CFA6LPAA";
pub const HEADER_LEN: u64 = 40;
/// Largest packet accepted: a FILE_WRITE of 8 MiB plus its header.
pub const MAX_PACKET: u64 = 8 * 1024 * 1024 + 4096;
/// Largest FILE_READ answer (clients ask for up to 64 KiB at a time).
pub const MAX_READ: u64 = 4 * 1024 * 1024;

pub mod op {
    pub const STATUS: u64 = 0x01;
    pub const DATA: u64 = 0x02;
    pub const READ_DIR: u64 = 0x03;
    pub const READ_FILE: u64 = 0x04;
    pub const WRITE_FILE: u64 = 0x05;
    pub const WRITE_PART: u64 = 0x06;
    pub const TRUNCATE: u64 = 0x07;
    pub const REMOVE_PATH: u64 = 0x08;
    pub const MAKE_DIR: u64 = 0x09;
    pub const GET_FILE_INFO: u64 = 0x0a;
    pub const GET_DEVINFO: u64 = 0x0b;
    pub const WRITE_FILE_ATOM: u64 = 0x0c;
    pub const FILE_OPEN: u64 = 0x0d;
    pub const FILE_OPEN_RES: u64 = 0x0e;
    pub const FILE_READ: u64 = 0x0f;
    pub const FILE_WRITE: u64 = 0x10;
    pub const FILE_SEEK: u64 = 0x11;
    pub const FILE_TELL: u64 = 0x12;
    pub const FILE_TELL_RES: u64 = 0x13;
    pub const FILE_CLOSE: u64 = 0x14;
    pub const FILE_SET_SIZE: u64 = 0x15;
    pub const GET_CON_INFO: u64 = 0x16;
    pub const SET_CON_OPTIONS: u64 = 0x17;
    pub const RENAME_PATH: u64 = 0x18;
    pub const SET_FS_BS: u64 = 0x19;
    pub const SET_SOCKET_BS: u64 = 0x1a;
    pub const FILE_LOCK: u64 = 0x1b;
    pub const MAKE_LINK: u64 = 0x1c;
    pub const GET_FILE_HASH: u64 = 0x1d;
    pub const SET_FILE_MOD_TIME: u64 = 0x1e;
    pub const GET_FILE_HASH_RANGE: u64 = 0x1f;
    pub const FILE_SET_IMMUTABLE_HINT: u64 = 0x20;
    pub const GET_SIZE_OF_PATH_CONTENTS: u64 = 0x21;
    pub const REMOVE_PATH_AND_CONTENTS: u64 = 0x22;
    pub const DIR_OPEN: u64 = 0x23;
    pub const DIR_OPEN_RESULT: u64 = 0x24;
    pub const DIR_READ: u64 = 0x25;
    pub const DIR_CLOSE: u64 = 0x26;
    pub const FILE_READ_OFFSET: u64 = 0x27;
    pub const FILE_WRITE_OFFSET: u64 = 0x28;
}

/// The name of an operation, as in afc.h without `AFC_OP_` (`OP_<n>` for
/// numbers afc.h does not name).
pub fn op_name(operation: u64) -> String {
    let name = match operation {
        op::STATUS => "STATUS",
        op::DATA => "DATA",
        op::READ_DIR => "READ_DIR",
        op::READ_FILE => "READ_FILE",
        op::WRITE_FILE => "WRITE_FILE",
        op::WRITE_PART => "WRITE_PART",
        op::TRUNCATE => "TRUNCATE",
        op::REMOVE_PATH => "REMOVE_PATH",
        op::MAKE_DIR => "MAKE_DIR",
        op::GET_FILE_INFO => "GET_FILE_INFO",
        op::GET_DEVINFO => "GET_DEVINFO",
        op::WRITE_FILE_ATOM => "WRITE_FILE_ATOM",
        op::FILE_OPEN => "FILE_OPEN",
        op::FILE_OPEN_RES => "FILE_OPEN_RES",
        op::FILE_READ => "FILE_READ",
        op::FILE_WRITE => "FILE_WRITE",
        op::FILE_SEEK => "FILE_SEEK",
        op::FILE_TELL => "FILE_TELL",
        op::FILE_TELL_RES => "FILE_TELL_RES",
        op::FILE_CLOSE => "FILE_CLOSE",
        op::FILE_SET_SIZE => "FILE_SET_SIZE",
        op::GET_CON_INFO => "GET_CON_INFO",
        op::SET_CON_OPTIONS => "SET_CON_OPTIONS",
        op::RENAME_PATH => "RENAME_PATH",
        op::SET_FS_BS => "SET_FS_BS",
        op::SET_SOCKET_BS => "SET_SOCKET_BS",
        op::FILE_LOCK => "FILE_LOCK",
        op::MAKE_LINK => "MAKE_LINK",
        op::GET_FILE_HASH => "GET_FILE_HASH",
        op::SET_FILE_MOD_TIME => "SET_FILE_MOD_TIME",
        op::GET_FILE_HASH_RANGE => "GET_FILE_HASH_RANGE",
        op::FILE_SET_IMMUTABLE_HINT => "FILE_SET_IMMUTABLE_HINT",
        op::GET_SIZE_OF_PATH_CONTENTS => "GET_SIZE_OF_PATH_CONTENTS",
        op::REMOVE_PATH_AND_CONTENTS => "REMOVE_PATH_AND_CONTENTS",
        op::DIR_OPEN => "DIR_OPEN",
        op::DIR_OPEN_RESULT => "DIR_OPEN_RESULT",
        op::DIR_READ => "DIR_READ",
        op::DIR_CLOSE => "DIR_CLOSE",
        op::FILE_READ_OFFSET => "FILE_READ_OFFSET",
        op::FILE_WRITE_OFFSET => "FILE_WRITE_OFFSET",
        other => return format!("OP_{other}"),
    };
    name.to_string()
}

/// `afc_error_t` values.
pub mod status {
    pub const SUCCESS: u64 = 0;
    pub const UNKNOWN_ERROR: u64 = 1;
    pub const OP_HEADER_INVALID: u64 = 2;
    pub const NO_RESOURCES: u64 = 3;
    pub const READ_ERROR: u64 = 4;
    pub const WRITE_ERROR: u64 = 5;
    pub const UNKNOWN_PACKET_TYPE: u64 = 6;
    pub const INVALID_ARG: u64 = 7;
    pub const OBJECT_NOT_FOUND: u64 = 8;
    pub const OBJECT_IS_DIR: u64 = 9;
    pub const PERM_DENIED: u64 = 10;
    pub const SERVICE_NOT_CONNECTED: u64 = 11;
    pub const OP_TIMEOUT: u64 = 12;
    pub const TOO_MUCH_DATA: u64 = 13;
    pub const END_OF_DATA: u64 = 14;
    pub const OP_NOT_SUPPORTED: u64 = 15;
    pub const OBJECT_EXISTS: u64 = 16;
    pub const OBJECT_BUSY: u64 = 17;
    pub const NO_SPACE_LEFT: u64 = 18;
    pub const OP_WOULD_BLOCK: u64 = 19;
    pub const IO_ERROR: u64 = 20;
    pub const OP_INTERRUPTED: u64 = 21;
    pub const OP_IN_PROGRESS: u64 = 22;
    pub const INTERNAL_ERROR: u64 = 23;
    pub const MUX_ERROR: u64 = 30;
    pub const NO_MEM: u64 = 31;
    pub const NOT_ENOUGH_DATA: u64 = 32;
    pub const DIR_NOT_EMPTY: u64 = 33;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub packet_num: u64,
    pub operation: u64,
    /// The header payload followed by the data: clients split arguments
    /// differently (libimobiledevice puts them in the header payload,
    /// others in the data), so operations parse the concatenation.
    pub body: Vec<u8>,
    /// Where the data starts in `body`.
    pub header_payload_len: usize,
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(w)
}

/// Reads a packet; `Ok(None)` at a clean end of stream. A bad magic or
/// impossible lengths end the connection (iOS closes it too).
pub async fn recv(link: &mut Link) -> Result<Option<Packet>, IosError> {
    let mut head = [0u8; HEADER_LEN as usize];
    let first = link.read_some(&mut head).await?;
    if first == 0 {
        return Ok(None);
    }
    link.read_exact(&mut head[first..]).await?;
    if &head[0..8] != MAGIC {
        return Err(IosError::Protocol("AFC packet without CFA6LPAA magic".into()));
    }
    let entire = u64_at(&head, 8);
    let this = u64_at(&head, 16);
    if this < HEADER_LEN || entire < this || entire > MAX_PACKET {
        return Err(IosError::Protocol(format!("AFC packet lengths {entire}/{this}")));
    }
    let mut body = vec![0u8; (entire - HEADER_LEN) as usize];
    link.read_exact(&mut body).await?;
    Ok(Some(Packet {
        packet_num: u64_at(&head, 24),
        operation: u64_at(&head, 32),
        body,
        header_payload_len: (this - HEADER_LEN) as usize,
    }))
}

/// Encodes an answer: `header_payload` counts in this_length, `data` not.
pub fn encode(packet_num: u64, operation: u64, header_payload: &[u8], data: &[u8]) -> Vec<u8> {
    let this = HEADER_LEN + header_payload.len() as u64;
    let entire = this + data.len() as u64;
    let mut out = Vec::with_capacity(entire as usize);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&entire.to_le_bytes());
    out.extend_from_slice(&this.to_le_bytes());
    out.extend_from_slice(&packet_num.to_le_bytes());
    out.extend_from_slice(&operation.to_le_bytes());
    out.extend_from_slice(header_payload);
    out.extend_from_slice(data);
    out
}

/// Arguments of a request: little-endian words and NUL-terminated strings.
pub struct Args<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Args<'a> {
    pub fn new(bytes: &'a [u8]) -> Args<'a> {
        Args { bytes, pos: 0 }
    }

    pub fn u64(&mut self) -> Option<u64> {
        let end = self.pos.checked_add(8)?;
        if end > self.bytes.len() {
            return None;
        }
        let v = u64_at(self.bytes, self.pos);
        self.pos = end;
        Some(v)
    }

    /// A string up to the next NUL (or the end). Empty when nothing is left.
    pub fn cstr(&mut self) -> Option<&'a [u8]> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let rest = &self.bytes[self.pos..];
        let len = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
        self.pos += (len + 1).min(rest.len());
        Some(&rest[..len])
    }

    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos.min(self.bytes.len())..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_lengths() {
        let p = encode(7, op::STATUS, &8u64.to_le_bytes(), &[]);
        assert_eq!(p.len(), 48);
        assert_eq!(u64_at(&p, 8), 48);
        assert_eq!(u64_at(&p, 16), 48);
        let d = encode(1, op::DATA, &[], b"abc");
        assert_eq!((u64_at(&d, 8), u64_at(&d, 16)), (43, 40));
    }

    #[test]
    fn args_parse_hostile_input() {
        let mut a = Args::new(b"\x01\x00");
        assert_eq!(a.u64(), None);
        assert_eq!(a.cstr(), Some(&b"\x01"[..]));
        assert_eq!(a.cstr(), None);
        let mut a = Args::new(b"/a\0/b");
        assert_eq!(a.cstr(), Some(&b"/a"[..]));
        assert_eq!(a.cstr(), Some(&b"/b"[..]));
        assert_eq!(a.cstr(), None);
        assert_eq!(op_name(0x4242), "OP_16962");
    }
}
