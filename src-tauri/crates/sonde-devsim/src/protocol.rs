//! adb transport message framing (AOSP `protocol.txt`).
//!
//! Every message is a 24-byte little-endian header — command, arg0, arg1,
//! payload length, payload checksum, `command ^ 0xffffffff` — followed by the
//! payload. adb 29 neither sends nor checks checksums for protocol version
//! 0x01000001, but we still fill ours in so older hosts would be happy.

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub const A_CNXN: u32 = 0x4e58_4e43;
pub const A_AUTH: u32 = 0x4854_5541;
pub const A_OPEN: u32 = 0x4e45_504f;
pub const A_OKAY: u32 = 0x5941_4b4f;
pub const A_CLSE: u32 = 0x4553_4c43;
pub const A_WRTE: u32 = 0x4554_5257;
pub const A_SYNC: u32 = 0x434e_5953;
pub const A_STLS: u32 = 0x534c_5453;

/// The protocol version we speak (the one without mandatory checksums).
pub const A_VERSION: u32 = 0x0100_0001;
/// Largest payload we accept from the host and announce in our CNXN.
pub const DEVICE_MAX_PAYLOAD: u32 = 256 * 1024;
/// Hard cap on what we are willing to buffer for a single incoming message,
/// whatever the host claims (its CNXN arrives before it knows our maxdata).
pub const MAX_INCOMING_PAYLOAD: u32 = 1024 * 1024;

/// `arg0` values of AUTH messages.
pub const AUTH_TOKEN: u32 = 1;
pub const AUTH_SIGNATURE: u32 = 2;
pub const AUTH_RSAPUBLICKEY: u32 = 3;

const HEADER_LEN: usize = 24;

#[derive(Debug, Error)]
pub enum ProtocolError {
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("bad magic in message header (command {0:#010x})")]
    BadMagic(u32),
    #[error("payload of {0} bytes exceeds the limit")]
    TooLarge(u32),
}

/// One transport message.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    pub command: u32,
    pub arg0: u32,
    pub arg1: u32,
    pub payload: Vec<u8>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("command", &command_name(self.command))
            .field("arg0", &self.arg0)
            .field("arg1", &self.arg1)
            .field("len", &self.payload.len())
            .finish()
    }
}

impl Message {
    pub fn new(command: u32, arg0: u32, arg1: u32, payload: Vec<u8>) -> Self {
        Self { command, arg0, arg1, payload }
    }

    /// Serialises header and payload into one buffer (one `write_all`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.payload.len());
        let checksum: u32 = self.payload.iter().fold(0u32, |acc, b| acc.wrapping_add(u32::from(*b)));
        for word in [
            self.command,
            self.arg0,
            self.arg1,
            // Payloads are bounded by DEVICE_MAX_PAYLOAD, far below u32::MAX.
            u32::try_from(self.payload.len()).unwrap_or(u32::MAX),
            checksum,
            self.command ^ 0xffff_ffff,
        ] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&self.payload);
        out
    }
}

/// Human-readable command name for logs.
pub fn command_name(command: u32) -> String {
    let bytes = command.to_le_bytes();
    if bytes.iter().all(|b| b.is_ascii_uppercase()) {
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        format!("{command:#010x}")
    }
}

/// Reads one message; `Ok(None)` on a clean EOF before the header.
pub async fn read_message<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Option<Message>, ProtocolError> {
    let mut header = [0u8; HEADER_LEN];
    // Distinguish EOF at a message boundary (normal close) from a torn header.
    let first = reader.read(&mut header).await?;
    if first == 0 {
        return Ok(None);
    }
    if first < HEADER_LEN {
        reader.read_exact(&mut header[first..]).await?;
    }
    let word = |i: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&header[i * 4..i * 4 + 4]);
        u32::from_le_bytes(w)
    };
    let (command, arg0, arg1, len, magic) = (word(0), word(1), word(2), word(3), word(5));
    if magic != command ^ 0xffff_ffff {
        return Err(ProtocolError::BadMagic(command));
    }
    if len > MAX_INCOMING_PAYLOAD {
        return Err(ProtocolError::TooLarge(len));
    }
    let mut payload = vec![0u8; len as usize];
    reader.read_exact(&mut payload).await?;
    Ok(Some(Message { command, arg0, arg1, payload }))
}

/// Writes one message.
pub async fn write_message<W: AsyncWrite + Unpin>(
    writer: &mut W,
    message: &Message,
) -> Result<(), ProtocolError> {
    writer.write_all(&message.encode()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn roundtrip() {
        let msg = Message::new(A_WRTE, 7, 9, b"hello".to_vec());
        let bytes = msg.encode();
        assert_eq!(bytes.len(), 29);
        let mut cursor = std::io::Cursor::new(bytes);
        let back = read_message(&mut cursor).await.expect("read").expect("msg");
        assert_eq!(back, msg);
        assert!(read_message(&mut cursor).await.expect("eof").is_none());
    }

    #[tokio::test]
    async fn rejects_bad_magic() {
        let mut bytes = Message::new(A_OKAY, 1, 2, vec![]).encode();
        bytes[20] ^= 1;
        let mut cursor = std::io::Cursor::new(bytes);
        assert!(matches!(read_message(&mut cursor).await, Err(ProtocolError::BadMagic(_))));
    }

    #[test]
    fn names() {
        assert_eq!(command_name(A_CNXN), "CNXN");
        assert_eq!(command_name(A_WRTE), "WRTE");
    }
}
