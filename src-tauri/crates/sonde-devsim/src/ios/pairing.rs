//! Pairing: the keys and certificates of lockdownd's trust, on both sides.
//!
//! * Host side (what usbmuxd keeps in `/var/lib/lockdown/<UDID>.plist`):
//!   `pairing/<UDID>.plist` with DeviceCertificate, HostCertificate,
//!   RootCertificate (PEM data), HostPrivateKey, RootPrivateKey (PEM data),
//!   HostID, SystemBUID, EscrowBag, WiFiMACAddress. `ReadPairRecord`,
//!   `SavePairRecord`, `DeletePairRecord` act on it.
//!   `pairing/SystemConfiguration.plist` holds the SystemBUID (`ReadBUID`).
//! * Phone side: `pairing/device_key.pem` (the phone's RSA key; its public
//!   half is `DevicePublicKey`, PKCS#1 PEM as lockdownd gives it) and
//!   `pairing/hosts/<HostID>.plist`, one per host the phone trusts (the
//!   PairRecord the host sent with `Pair`, plus the EscrowBag given back).
//!   lockdownd's TLS server uses the DeviceCertificate of the session's
//!   host with the phone's key.

use std::path::{Path, PathBuf};

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::ssl::{SslContext, SslMethod, SslVerifyMode};
use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use openssl::x509::{X509NameBuilder, X509};
use plist::{Dictionary, Value};

use super::phone::{valid_udid, write_atomic, Phone, Trust};
use super::plist_io::{self, get_data, get_str};
use super::IosError;

pub const DEVICE_KEY_FILE: &str = "device_key.pem";
pub const SYSTEM_CONFIGURATION: &str = "SystemConfiguration.plist";

fn ssl_err(e: openssl::error::ErrorStack) -> IosError {
    IosError::Tls(e.to_string())
}

/// An upper-case random UUID (HostID, SystemBUID, SessionID).
pub fn new_uuid() -> String {
    let mut b = [0u8; 16];
    if openssl::rand::rand_bytes(&mut b).is_err() {
        // Never happens with a working libcrypto; a fixed value still works.
        b = *b"sonde-devsim-ios";
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode_upper(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn host_record_path(phone: &Phone) -> PathBuf {
    phone.pairing().join(format!("{}.plist", phone.udid()))
}

fn valid_host_id(id: &str) -> bool {
    valid_udid(id)
}

fn host_path(phone: &Phone, host_id: &str) -> Option<PathBuf> {
    valid_host_id(host_id).then(|| phone.pairing().join("hosts").join(format!("{host_id}.plist")))
}

/// The SystemBUID (made and kept on first use).
pub fn system_buid(phone: &Phone) -> Result<String, IosError> {
    let path = phone.pairing().join(SYSTEM_CONFIGURATION);
    if let Ok(bytes) = std::fs::read(&path) {
        if let Some(buid) =
            plist_io::parse_dict(&bytes).ok().and_then(|d| get_str(&d, "SystemBUID").map(String::from))
        {
            return Ok(buid);
        }
    }
    let buid = new_uuid();
    write_system_buid(phone.pairing().as_path(), &buid)?;
    Ok(buid)
}

fn write_system_buid(pairing: &Path, buid: &str) -> Result<(), IosError> {
    let d = plist_io::dict([("SystemBUID", buid.into())]);
    write_atomic(&pairing.join(SYSTEM_CONFIGURATION), &plist_io::dict_to_xml(&d)?)
}

/// The host's pair record for `id` (only the phone's own UDID has one).
pub fn read_host_record(phone: &Phone, id: &str) -> Option<Vec<u8>> {
    (id == phone.udid()).then(|| std::fs::read(host_record_path(phone)).ok()).flatten()
}

/// Stores the host's pair record (a property list; kept as XML).
pub fn save_host_record(phone: &Phone, id: &str, data: &[u8]) -> Result<(), IosError> {
    if id != phone.udid() {
        return Err(IosError::Protocol(format!("pair record for another device: {id:?}")));
    }
    let record = plist_io::parse_dict(data)?;
    write_atomic(&host_record_path(phone), &plist_io::dict_to_xml(&record)?)
}

pub fn delete_host_record(phone: &Phone, id: &str) -> bool {
    id == phone.udid() && std::fs::remove_file(host_record_path(phone)).is_ok()
}

fn device_key(phone: &Phone) -> Result<PKey<Private>, IosError> {
    let pem = std::fs::read(phone.pairing().join(DEVICE_KEY_FILE))
        .map_err(|e| IosError::Config(format!("pairing/{DEVICE_KEY_FILE}: {e}")))?;
    PKey::private_key_from_pem(&pem).map_err(ssl_err)
}

/// `DevicePublicKey`: the phone's public key as PKCS#1 PEM.
pub fn device_public_key(phone: &Phone) -> Result<Vec<u8>, IosError> {
    device_key(phone)?.rsa().and_then(|r| r.public_key_to_pem_pkcs1()).map_err(ssl_err)
}

/// The record of a host the phone trusts now (trust is `trusted` and the
/// host paired with it).
pub fn trusted_host(phone: &Phone, host_id: &str) -> Option<Dictionary> {
    if phone.state().trust != Trust::Trusted {
        return None;
    }
    let bytes = std::fs::read(host_path(phone, host_id)?).ok()?;
    plist_io::parse_dict(&bytes).ok()
}

/// Remembers a host after an accepted `Pair`: checks that the
/// DeviceCertificate the host made carries the phone's key.
pub fn remember_host(phone: &Phone, record: &Dictionary, escrow: &[u8]) -> Result<(), String> {
    let host_id = get_str(record, "HostID").ok_or("MissingHostID")?;
    let path = host_path(phone, host_id).ok_or("InvalidHostID")?;
    for key in ["DeviceCertificate", "HostCertificate", "RootCertificate"] {
        if get_data(record, key).is_none() {
            return Err("InvalidPairRecord".into());
        }
    }
    let cert = get_data(record, "DeviceCertificate")
        .and_then(|pem| X509::from_pem(pem).ok())
        .ok_or("InvalidPairRecord")?;
    let ours = device_key(phone).map_err(|e| e.to_string())?;
    let matches = cert.public_key().map(|k| k.public_eq(&ours)).unwrap_or(false);
    if !matches {
        return Err("InvalidPairRecord".into());
    }
    let mut stored = record.clone();
    stored.insert("EscrowBag".into(), Value::Data(escrow.to_vec()));
    let xml = plist_io::dict_to_xml(&stored).map_err(|e| e.to_string())?;
    write_atomic(&path, &xml).map_err(|e| e.to_string())
}

pub fn forget_host(phone: &Phone, host_id: &str) {
    if let Some(path) = host_path(phone, host_id) {
        let _ = std::fs::remove_file(path);
    }
}

/// The phone's escrow bag for a newly paired host.
pub fn new_escrow_bag() -> Vec<u8> {
    let mut bag = vec![0u8; 64];
    let _ = openssl::rand::rand_bytes(&mut bag);
    bag
}

/// lockdownd's TLS server for a session with `host`: the host's
/// DeviceCertificate and the phone's key. Any protocol version and cipher
/// OpenSSL has is allowed (security level 0), the client certificate is
/// asked for and not checked (the client presents its RootCertificate).
pub fn tls_context(phone: &Phone, host: &Dictionary) -> Result<SslContext, IosError> {
    let cert_pem =
        get_data(host, "DeviceCertificate").ok_or_else(|| IosError::Config("no DeviceCertificate".into()))?;
    let cert = X509::from_pem(cert_pem).map_err(ssl_err)?;
    let key = device_key(phone)?;
    let mut b = SslContext::builder(SslMethod::tls_server()).map_err(ssl_err)?;
    b.set_security_level(0);
    b.set_min_proto_version(None).map_err(ssl_err)?;
    b.set_cipher_list("ALL:@SECLEVEL=0").map_err(ssl_err)?;
    b.set_certificate(&cert).map_err(ssl_err)?;
    b.set_private_key(&key).map_err(ssl_err)?;
    b.check_private_key().map_err(ssl_err)?;
    b.set_verify_callback(SslVerifyMode::PEER, |_, _| true);
    Ok(b.build())
}

fn rsa_key() -> Result<PKey<Private>, IosError> {
    let rsa = Rsa::generate(2048).map_err(ssl_err)?;
    PKey::from_rsa(rsa).map_err(ssl_err)
}

fn certificate(
    cn: &str,
    subject_key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
    ca: bool,
) -> Result<X509, IosError> {
    let mut name = X509NameBuilder::new().map_err(ssl_err)?;
    name.append_entry_by_text("CN", cn).map_err(ssl_err)?;
    let name = name.build();
    let mut b = X509::builder().map_err(ssl_err)?;
    b.set_version(2).map_err(ssl_err)?;
    let mut serial = BigNum::new().map_err(ssl_err)?;
    serial.rand(63, MsbOption::MAYBE_ZERO, false).map_err(ssl_err)?;
    let serial = serial.to_asn1_integer().map_err(ssl_err)?;
    b.set_serial_number(&serial).map_err(ssl_err)?;
    b.set_subject_name(&name).map_err(ssl_err)?;
    match issuer {
        Some((issuer_cert, _)) => b.set_issuer_name(issuer_cert.subject_name()).map_err(ssl_err)?,
        None => b.set_issuer_name(&name).map_err(ssl_err)?,
    }
    b.set_pubkey(subject_key).map_err(ssl_err)?;
    let not_before = Asn1Time::days_from_now(0).map_err(ssl_err)?;
    let not_after = Asn1Time::days_from_now(3650).map_err(ssl_err)?;
    b.set_not_before(&not_before).map_err(ssl_err)?;
    b.set_not_after(&not_after).map_err(ssl_err)?;
    let mut bc = BasicConstraints::new();
    bc.critical();
    if ca {
        bc.ca();
    }
    b.append_extension(bc.build().map_err(ssl_err)?).map_err(ssl_err)?;
    let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(None, None)).map_err(ssl_err)?;
    b.append_extension(ski).map_err(ssl_err)?;
    let mut usage = KeyUsage::new();
    usage.critical().digital_signature().key_encipherment();
    if ca {
        usage.key_cert_sign();
    }
    b.append_extension(usage.build().map_err(ssl_err)?).map_err(ssl_err)?;
    let signer = issuer.map_or(subject_key, |(_, k)| k);
    b.sign(signer, MessageDigest::sha256()).map_err(ssl_err)?;
    Ok(b.build())
}

fn pem(cert: &X509) -> Result<Value, IosError> {
    cert.to_pem().map(Value::Data).map_err(ssl_err)
}

fn key_pem(key: &PKey<Private>) -> Result<Value, IosError> {
    key.rsa().and_then(|r| r.private_key_to_pem()).map(Value::Data).map_err(ssl_err)
}

/// Makes a paired phone: the phone's key, a root CA, host and device
/// certificates, the host's pair record (`pairing/<UDID>.plist`), the
/// SystemBUID, and the phone's record of the host.
pub fn generate(pairing: &Path, udid: &str, wifi_mac: &str) -> Result<(), IosError> {
    std::fs::create_dir_all(pairing.join("hosts"))?;
    let device = rsa_key()?;
    let root = rsa_key()?;
    let host = rsa_key()?;
    let root_cert = certificate("Sonde Simulated Root CA", &root, None, true)?;
    let host_cert = certificate("Sonde Simulated Host", &host, Some((&root_cert, &root)), false)?;
    let device_cert = certificate("Sonde Simulated Device", &device, Some((&root_cert, &root)), false)?;
    let host_id = new_uuid();
    let buid = new_uuid();
    let escrow = new_escrow_bag();
    let device_pem = device.rsa().and_then(|r| r.private_key_to_pem()).map_err(ssl_err)?;
    write_atomic(&pairing.join(DEVICE_KEY_FILE), &device_pem)?;
    write_system_buid(pairing, &buid)?;
    let record = plist_io::dict([
        ("DeviceCertificate", pem(&device_cert)?),
        ("EscrowBag", Value::Data(escrow.clone())),
        ("HostCertificate", pem(&host_cert)?),
        ("HostID", host_id.as_str().into()),
        ("HostPrivateKey", key_pem(&host)?),
        ("RootCertificate", pem(&root_cert)?),
        ("RootPrivateKey", key_pem(&root)?),
        ("SystemBUID", buid.as_str().into()),
        ("WiFiMACAddress", wifi_mac.into()),
    ]);
    write_atomic(&pairing.join(format!("{udid}.plist")), &plist_io::dict_to_xml(&record)?)?;
    let phone_side = plist_io::dict([
        ("DeviceCertificate", pem(&device_cert)?),
        ("EscrowBag", Value::Data(escrow)),
        ("HostCertificate", pem(&host_cert)?),
        ("HostID", host_id.as_str().into()),
        ("RootCertificate", pem(&root_cert)?),
        ("SystemBUID", buid.as_str().into()),
    ]);
    write_atomic(
        &pairing.join("hosts").join(format!("{host_id}.plist")),
        &plist_io::dict_to_xml(&phone_side)?,
    )?;
    Ok(())
}
