//! The pair record of a device: what this computer proved when the user
//! tapped "Trust" (host certificate and key, HostID, SystemBUID). Asked of
//! usbmuxd (`ReadPairRecord`), else read where the system keeps it
//! (`/var/lib/lockdown`, `/var/db/lockdown`, `%ProgramData%\Apple\Lockdown`).
//! It stays in memory: never copied, never logged (no `Debug` of its keys),
//! the private key zeroed when dropped.

use super::usbmux::{self, MuxAddress};
use crate::error::{DeviceError, Result};
use plist::Value;
use std::path::PathBuf;
use zeroize::Zeroizing;

pub struct PairRecord {
    pub host_id: String,
    pub system_buid: String,
    /// PEM.
    pub host_certificate: Vec<u8>,
    /// PEM; zeroed on drop.
    pub host_private_key: Zeroizing<Vec<u8>>,
    pub escrow_bag: Option<Zeroizing<Vec<u8>>>,
}

impl std::fmt::Debug for PairRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairRecord").field("host_id", &self.host_id).finish_non_exhaustive()
    }
}

/// Where the system keeps pair records, for a UDID.
pub fn system_paths(udid: &str) -> Vec<PathBuf> {
    let file = format!("{udid}.plist");
    let mut dirs = Vec::with_capacity(3);
    if cfg!(windows) {
        if let Some(data) = std::env::var_os("ProgramData") {
            dirs.push(PathBuf::from(data).join("Apple").join("Lockdown"));
        }
    } else if cfg!(target_os = "macos") {
        dirs.push(PathBuf::from("/var/db/lockdown"));
    } else {
        dirs.push(PathBuf::from("/var/lib/lockdown"));
    }
    dirs.into_iter().map(|d| d.join(&file)).collect()
}

/// The device's pair record; `Untrusted` when this computer never paired
/// with it.
pub async fn load(mux: &MuxAddress, udid: &str) -> Result<PairRecord> {
    let bytes = match usbmux::read_pair_record(mux, udid).await? {
        Some(bytes) => Zeroizing::new(bytes),
        None => {
            let mut found = None;
            for path in system_paths(udid) {
                match tokio::fs::read(&path).await {
                    Ok(b) => {
                        found = Some(Zeroizing::new(b));
                        break;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(DeviceError::io(path, e)),
                }
            }
            found.ok_or_else(|| DeviceError::Untrusted { udid: udid.to_owned() })?
        }
    };
    parse(&bytes, udid)
}

/// A pair record plist → its parts.
pub fn parse(bytes: &[u8], udid: &str) -> Result<PairRecord> {
    let bad = |what: &str| DeviceError::ToolFailed {
        tool: "usbmuxd",
        code: -1,
        message: format!("the pair record of {udid} has no {what}: pair again (idevicepair pair)"),
    };
    let value = Value::from_reader(std::io::Cursor::new(bytes)).map_err(|_| bad("plist"))?;
    let dict = value.as_dictionary().ok_or_else(|| bad("dictionary"))?;
    let text = |k: &str| dict.get(k).and_then(Value::as_string).map(str::to_owned).ok_or_else(|| bad(k));
    let data = |k: &str| dict.get(k).and_then(Value::as_data).map(<[u8]>::to_vec).ok_or_else(|| bad(k));
    Ok(PairRecord {
        host_id: text("HostID")?,
        system_buid: text("SystemBUID")?,
        host_certificate: data("HostCertificate")?,
        host_private_key: Zeroizing::new(data("HostPrivateKey")?),
        escrow_bag: dict.get("EscrowBag").and_then(Value::as_data).map(|b| Zeroizing::new(b.to_vec())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use plist::Dictionary;

    #[test]
    fn parses_a_record_and_never_shows_its_key() {
        let mut d = Dictionary::new();
        d.insert("HostID".into(), "H-1".into());
        d.insert("SystemBUID".into(), "B-1".into());
        d.insert("HostCertificate".into(), Value::Data(b"CERT".to_vec()));
        d.insert("HostPrivateKey".into(), Value::Data(b"SECRET-KEY".to_vec()));
        let mut bytes = Vec::new();
        Value::Dictionary(d.clone()).to_writer_xml(&mut bytes).expect("xml");
        let record = parse(&bytes, "U").expect("parse");
        assert_eq!(record.host_id, "H-1");
        assert!(record.escrow_bag.is_none());
        assert!(!format!("{record:?}").contains("SECRET"));
        d.remove("HostPrivateKey");
        let mut bytes = Vec::new();
        Value::Dictionary(d).to_writer_xml(&mut bytes).expect("xml");
        let e = parse(&bytes, "U").expect_err("no key");
        assert!(e.to_string().contains("HostPrivateKey"), "{e}");
        assert!(system_paths("U1")[0].ends_with("U1.plist"));
    }
}
