//! The framing lockdownd and most services speak: a 4-byte big-endian
//! length, then a property list (XML or binary accepted; we answer XML).

use plist::Dictionary;

use super::faults::Fault;
use super::link::Link;
use super::{plist_io, IosError};

/// Largest message accepted (a Pair request with its certificates is a few
/// KiB; the biggest real ones are installation_proxy answers).
pub const MAX_MESSAGE: u32 = 4 * 1024 * 1024;

/// Reads one message. `Ok(None)`: the client closed the connection between
/// messages.
pub async fn recv(link: &mut Link) -> Result<Option<Dictionary>, IosError> {
    let mut len = [0u8; 4];
    let first = link.read_some(&mut len).await?;
    if first == 0 {
        return Ok(None);
    }
    link.read_exact(&mut len[first..]).await?;
    let len = u32::from_be_bytes(len);
    if len == 0 || len > MAX_MESSAGE {
        return Err(IosError::Protocol(format!("plist message of {len} bytes")));
    }
    let mut body = vec![0u8; len as usize];
    link.read_exact(&mut body).await?;
    plist_io::parse_dict(&body).map(Some)
}

/// Encodes one message (length + XML).
pub fn encode(dict: &Dictionary) -> Result<Vec<u8>, IosError> {
    let xml = plist_io::dict_to_xml(dict)?;
    let len = u32::try_from(xml.len()).map_err(|_| IosError::Protocol("answer too large".into()))?;
    let mut out = Vec::with_capacity(xml.len() + 4);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&xml);
    Ok(out)
}

/// Sends one message under a step's fault (see [`Link::write_faulted`]).
pub async fn send(link: &mut Link, dict: &Dictionary, fault: Option<&Fault>) -> Result<(), IosError> {
    let bytes = encode(dict)?;
    link.write_faulted(&bytes, fault).await
}
