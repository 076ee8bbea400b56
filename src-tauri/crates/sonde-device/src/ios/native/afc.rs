//! The AFC protocol (Apple File Conduit), client side. Each packet is a
//! 40-byte little-endian header (magic `CFA6LPAA`, entire length, header
//! length, packet number, operation), the operation's header data (paths
//! NUL-terminated, handles and sizes as u64) and a payload (file bytes).
//! Answers are `STATUS` (an `afc_error_t`), `DATA` or `FILE_OPEN_RES`.
//! Codes and operation numbers from libimobiledevice `src/afc.h` and
//! `include/libimobiledevice/afc.h`.

use super::stream::BoxStream;
use crate::error::{DeviceError, Result};
use crate::ios::parse::{Kind, Stat};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MAGIC: &[u8; 8] = b"CFA6LPAA";
const HEADER: usize = 40;
/// Largest answer accepted (a read chunk plus slack).
const MAX_PACKET: u64 = 8 << 20;
/// Bytes asked for per read and sent per write.
pub const CHUNK: usize = 1 << 20;

mod op {
    pub const STATUS: u64 = 0x01;
    pub const DATA: u64 = 0x02;
    pub const READ_DIR: u64 = 0x03;
    pub const REMOVE_PATH: u64 = 0x08;
    pub const GET_FILE_INFO: u64 = 0x0A;
    pub const FILE_OPEN: u64 = 0x0D;
    pub const FILE_OPEN_RES: u64 = 0x0E;
    pub const FILE_READ: u64 = 0x0F;
    pub const FILE_WRITE: u64 = 0x10;
    pub const FILE_CLOSE: u64 = 0x14;
    pub const RENAME_PATH: u64 = 0x18;
}

/// `afc_file_mode_t`.
#[derive(Debug, Clone, Copy)]
pub enum OpenMode {
    ReadOnly = 1,
    /// O_WRONLY | O_CREAT | O_TRUNC.
    WriteTruncate = 3,
}

/// afc_error_t values.
pub const NOT_FOUND: u64 = 8;
pub const PERM_DENIED: u64 = 10;
/// Codes that mean the connection is unusable (worth a new one and a retry).
const TRANSIENT: [u64; 6] = [11, 12, 20, 21, 30, 32];

fn code_name(code: u64) -> &'static str {
    match code {
        1 => "unknown error",
        2 => "invalid header",
        3 => "no resources",
        4 => "read error",
        5 => "write error",
        6 => "unknown packet type",
        7 => "invalid argument",
        8 => "not found",
        9 => "is a directory",
        10 => "permission denied",
        11 => "service not connected",
        12 => "operation timed out",
        13 => "too much data",
        14 => "end of data",
        15 => "operation not supported",
        16 => "object exists",
        17 => "object busy",
        18 => "no space left on the device",
        19 => "operation would block",
        20 => "I/O error",
        21 => "operation interrupted",
        22 => "operation in progress",
        23 => "internal error",
        30 => "MUX error",
        31 => "out of memory",
        32 => "not enough data",
        33 => "directory not empty",
        _ => "unknown AFC error",
    }
}

/// An AFC failure as Sonde's error; `subject` is the container-relative path.
pub fn afc_error(code: u64, udid: &str, subject: &str) -> DeviceError {
    match code {
        NOT_FOUND => DeviceError::NoSuchFile { path: subject.to_owned() },
        PERM_DENIED => DeviceError::PermissionDenied { path: subject.to_owned() },
        c if TRANSIENT.contains(&c) => {
            DeviceError::Offline { device: format!("{udid}: AFC {} ({c})", code_name(c)) }
        }
        c => DeviceError::ToolFailed {
            tool: "afc",
            code: c as i32,
            message: format!("{} on /{subject} ({c})", code_name(c)),
        },
    }
}

pub struct AfcConn {
    stream: BoxStream,
    packet: u64,
    udid: String,
}

fn path_arg(path: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(path.len() + 1);
    v.extend_from_slice(path.as_bytes());
    v.push(0);
    v
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    data.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes)
}

impl AfcConn {
    pub fn new(stream: BoxStream, udid: &str) -> AfcConn {
        AfcConn { stream, packet: 0, udid: udid.to_owned() }
    }

    fn lost(&self, e: &std::io::Error) -> DeviceError {
        DeviceError::Offline { device: format!("{}: AFC connection lost ({e})", self.udid) }
    }

    fn garbled(&self, what: &str) -> DeviceError {
        DeviceError::Offline { device: format!("{}: AFC sent {what}", self.udid) }
    }

    /// One request and its answer: (operation, header data + payload).
    async fn call(
        &mut self,
        operation: u64,
        header: &[u8],
        payload: &[u8],
        subject: &str,
    ) -> Result<(u64, Vec<u8>)> {
        self.packet += 1;
        let this = (HEADER + header.len()) as u64;
        let entire = this + payload.len() as u64;
        let mut head = Vec::with_capacity(HEADER + header.len());
        head.extend_from_slice(MAGIC);
        for word in [entire, this, self.packet, operation] {
            head.extend_from_slice(&word.to_le_bytes());
        }
        head.extend_from_slice(header);
        self.stream.write_all(&head).await.map_err(|e| self.lost(&e))?;
        if !payload.is_empty() {
            self.stream.write_all(payload).await.map_err(|e| self.lost(&e))?;
        }
        self.stream.flush().await.map_err(|e| self.lost(&e))?;

        let mut h = [0u8; HEADER];
        self.stream.read_exact(&mut h).await.map_err(|e| self.lost(&e))?;
        let entire = u64_at(&h, 8).unwrap_or(0);
        let this = u64_at(&h, 16).unwrap_or(0);
        if &h[..8] != MAGIC
            || entire < HEADER as u64
            || this < HEADER as u64
            || this > entire
            || entire > MAX_PACKET
        {
            return Err(self.garbled("a packet that is not AFC"));
        }
        let answer = u64_at(&h, 32).unwrap_or(0);
        let mut data = vec![0u8; (entire - HEADER as u64) as usize];
        self.stream.read_exact(&mut data).await.map_err(|e| self.lost(&e))?;
        if answer == op::STATUS {
            let code = u64_at(&data, 0).ok_or_else(|| self.garbled("a short status"))?;
            if code != 0 {
                return Err(afc_error(code, &self.udid, subject));
            }
        }
        Ok((answer, data))
    }

    async fn expect_status(
        &mut self,
        operation: u64,
        header: &[u8],
        payload: &[u8],
        subject: &str,
    ) -> Result<()> {
        match self.call(operation, header, payload, subject).await? {
            (op::STATUS, _) => Ok(()),
            _ => Err(self.garbled("an unexpected answer")),
        }
    }

    async fn expect_data(&mut self, operation: u64, header: &[u8], subject: &str) -> Result<Vec<u8>> {
        match self.call(operation, header, &[], subject).await? {
            (op::DATA, data) => Ok(data),
            (op::STATUS, _) => Ok(Vec::new()),
            _ => Err(self.garbled("an unexpected answer")),
        }
    }

    /// Names in a directory (without `.` and `..`). `abs` is `/rel`.
    pub async fn read_dir(&mut self, abs: &str, subject: &str) -> Result<Vec<String>> {
        let data = self.expect_data(op::READ_DIR, &path_arg(abs), subject).await?;
        Ok(split_strings(&data).into_iter().filter(|n| *n != "." && *n != "..").map(str::to_owned).collect())
    }

    /// File info; `None` when nothing is at `abs`.
    pub async fn file_info(&mut self, abs: &str, subject: &str) -> Result<Option<Stat>> {
        match self.expect_data(op::GET_FILE_INFO, &path_arg(abs), subject).await {
            Ok(data) => {
                parse_info(&data).map(Some).ok_or_else(|| self.garbled("a file info without st_ifmt"))
            }
            Err(DeviceError::NoSuchFile { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn open(&mut self, abs: &str, mode: OpenMode, subject: &str) -> Result<u64> {
        let mut header = Vec::with_capacity(8 + abs.len() + 1);
        header.extend_from_slice(&(mode as u64).to_le_bytes());
        header.extend_from_slice(&path_arg(abs));
        match self.call(op::FILE_OPEN, &header, &[], subject).await? {
            (op::FILE_OPEN_RES, data) => u64_at(&data, 0).ok_or_else(|| self.garbled("a short file handle")),
            _ => Err(self.garbled("an unexpected answer to open")),
        }
    }

    /// Up to `len` bytes; empty at the end of the file.
    pub async fn read(&mut self, handle: u64, len: usize, subject: &str) -> Result<Vec<u8>> {
        let mut header = [0u8; 16];
        header[..8].copy_from_slice(&handle.to_le_bytes());
        header[8..].copy_from_slice(&(len as u64).to_le_bytes());
        self.expect_data(op::FILE_READ, &header, subject).await
    }

    pub async fn write(&mut self, handle: u64, bytes: &[u8], subject: &str) -> Result<()> {
        self.expect_status(op::FILE_WRITE, &handle.to_le_bytes(), bytes, subject).await
    }

    pub async fn close(&mut self, handle: u64, subject: &str) -> Result<()> {
        self.expect_status(op::FILE_CLOSE, &handle.to_le_bytes(), &[], subject).await
    }

    /// Renames, replacing an existing `to` like rename(2).
    pub async fn rename(&mut self, from: &str, to: &str, subject: &str) -> Result<()> {
        let mut header = path_arg(from);
        header.extend_from_slice(&path_arg(to));
        self.expect_status(op::RENAME_PATH, &header, &[], subject).await
    }

    pub async fn remove(&mut self, abs: &str, subject: &str) -> Result<()> {
        self.expect_status(op::REMOVE_PATH, &path_arg(abs), &[], subject).await
    }
}

/// NUL-separated strings (non-UTF-8 names are dropped: they cannot be named
/// in a location).
fn split_strings(data: &[u8]) -> Vec<&str> {
    data.split(|b| *b == 0).filter(|s| !s.is_empty()).filter_map(|s| std::str::from_utf8(s).ok()).collect()
}

/// `key\0value\0...` → [`Stat`].
fn parse_info(data: &[u8]) -> Option<Stat> {
    let parts = split_strings(data);
    let mut kind = None;
    let (mut size, mut mtime) = (0, None);
    for pair in parts.chunks(2) {
        let [k, v] = pair else { continue };
        match *k {
            "st_ifmt" => {
                kind = Some(match *v {
                    "S_IFREG" => Kind::File,
                    "S_IFDIR" => Kind::Dir,
                    "S_IFLNK" => Kind::Link,
                    _ => Kind::Other,
                })
            }
            "st_size" => size = v.parse().unwrap_or(0),
            "st_mtime" => mtime = v.parse().ok(),
            _ => {}
        }
    }
    Some(Stat { kind: kind?, size, mtime })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_file_info_and_names() {
        let info = b"st_size\x004096\x00st_blocks\x008\x00st_nlink\x001\x00st_ifmt\x00S_IFREG\x00st_mtime\x001700000000000000000\x00";
        assert_eq!(
            parse_info(info),
            Some(Stat { kind: Kind::File, size: 4096, mtime: Some(1_700_000_000_000_000_000) })
        );
        assert_eq!(parse_info(b"st_size\x001\x00"), None);
        assert_eq!(split_strings(b".\x00..\x00a.db\x00\xff\xfe\x00b\x00"), vec![".", "..", "a.db", "b"]);
    }

    #[test]
    fn error_codes_map_to_device_errors() {
        assert!(matches!(afc_error(8, "U", "a"), DeviceError::NoSuchFile { .. }));
        assert!(matches!(afc_error(10, "U", "a"), DeviceError::PermissionDenied { .. }));
        assert!(afc_error(30, "U", "a").is_retryable());
        let e = afc_error(18, "U", "Documents/a.db");
        assert!(e.to_string().contains("no space left"), "{e}");
        assert!(!e.is_retryable());
    }
}
