//! SQLCipher: a database's key, its settings, and which SQLCipher wrote it.
//!
//! - A passphrase is derived **once** per database per process: here, with
//!   PBKDF2 over the file's salt, on the settings the file turned out to
//!   use; every pooled connection is then given the derived raw key, so the
//!   readers and the writer never pay the KDF (256,000 rounds in SQLCipher 4).
//! - The settings are found by trying SQLCipher 4's defaults, then
//!   compatibility 3, 2 and 1 (explicit settings narrow or override that).
//! - Keys never reach logs or errors: [`CipherKey`]'s `Debug` is redacted and
//!   key bytes live in zeroized buffers.

use crate::error::{DbError, Result};
use rusqlite::{Connection, OpenFlags};
use std::fmt;
use std::path::Path;
use zeroize::Zeroizing;

/// Settings a user may give (`--cipher-pragma NAME=VALUE`); each is applied
/// after the key, before the first read.
const SETTINGS: &[&str] = &[
    "cipher_compatibility",
    "kdf_iter",
    "cipher_page_size",
    "cipher_hmac_algorithm",
    "cipher_kdf_algorithm",
    "cipher_use_hmac",
    "cipher_plaintext_header_size",
    "cipher_salt",
];

/// What the user knows: the secret, and any settings given explicitly.
#[derive(Clone)]
pub struct CipherKey {
    secret: Secret,
    settings: Vec<(String, String)>,
}

#[derive(Clone)]
enum Secret {
    Passphrase(Zeroizing<String>),
    /// 32 key bytes (SQLCipher's `x'<64 hex>'`), optionally the 16-byte salt.
    Raw {
        key: Zeroizing<Vec<u8>>,
        salt: Option<[u8; 16]>,
    },
}

impl fmt::Debug for CipherKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.secret {
            Secret::Passphrase(_) => "passphrase",
            Secret::Raw { .. } => "raw key",
        };
        f.debug_struct("CipherKey").field("secret", &kind).field("settings", &self.settings).finish()
    }
}

impl CipherKey {
    /// `x'<64 hex>'` (or `x'<96 hex>'` with the salt) is a raw key; anything
    /// else is a passphrase, used as given.
    pub fn parse(text: &str) -> Result<CipherKey> {
        let raw =
            text.strip_prefix("x'").or_else(|| text.strip_prefix("X'")).and_then(|t| t.strip_suffix('\''));
        let secret = match raw {
            Some(hex_text) => {
                let bytes = Zeroizing::new(hex::decode(hex_text).map_err(|_| {
                    DbError::BadKey("a raw key is x'<64 hex digits>' (or 96 with the salt)".into())
                })?);
                match bytes.len() {
                    32 => Secret::Raw { key: bytes, salt: None },
                    48 => {
                        let mut salt = [0u8; 16];
                        salt.copy_from_slice(&bytes[32..]);
                        Secret::Raw { key: Zeroizing::new(bytes[..32].to_vec()), salt: Some(salt) }
                    }
                    _ => {
                        return Err(DbError::BadKey(
                            "a raw key is x'<64 hex digits>' (or 96 with the salt)".into(),
                        ))
                    }
                }
            }
            None if text.is_empty() => return Err(DbError::BadKey("the key is empty".into())),
            None => Secret::Passphrase(Zeroizing::new(text.to_owned())),
        };
        Ok(CipherKey { secret, settings: Vec::new() })
    }

    /// Adds an explicit setting (`kdf_iter=10000`, `cipher_page_size=8192`, …).
    pub fn with_setting(mut self, assignment: &str) -> Result<CipherKey> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| DbError::BadKey(format!("{assignment:?}: a setting is NAME=VALUE")))?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if !SETTINGS.contains(&name.as_str()) {
            return Err(DbError::BadKey(format!(
                "{name}: not a SQLCipher setting (one of {})",
                SETTINGS.join(", ")
            )));
        }
        // Values are numbers, algorithm names or a quoted hex salt: nothing
        // that could end the PRAGMA statement.
        let safe = !value.is_empty()
            && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '"'));
        let number = || value.parse::<u32>().is_ok();
        let valid = safe
            && match name.as_str() {
                "kdf_iter" | "cipher_page_size" | "cipher_compatibility" | "cipher_plaintext_header_size" => {
                    number()
                }
                "cipher_use_hmac" => matches!(value.to_ascii_uppercase().as_str(), "ON" | "OFF" | "0" | "1"),
                "cipher_kdf_algorithm" => parse_kdf(value).is_ok(),
                "cipher_hmac_algorithm" => {
                    matches!(value.to_ascii_uppercase().as_str(), "HMAC_SHA1" | "HMAC_SHA256" | "HMAC_SHA512")
                }
                _ => true,
            };
        if !valid {
            return Err(DbError::BadKey(format!("{name}: {value:?} is not a valid value")));
        }
        self.settings.retain(|(n, _)| *n != name);
        self.settings.push((name, value.to_owned()));
        Ok(self)
    }

    fn setting(&self, name: &str) -> Option<&str> {
        self.settings.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The key of an opened encrypted database as every connection applies it:
/// the raw key (derived once) and the settings the file was found to use.
pub struct Keyed {
    /// `x'<hex>'`, ready for `PRAGMA key`.
    raw: Zeroizing<String>,
    compatibility: u8,
    settings: Vec<(String, String)>,
}

impl fmt::Debug for Keyed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyed").field("compatibility", &self.compatibility).finish_non_exhaustive()
    }
}

impl Keyed {
    /// Keys a fresh connection: the raw key, then the settings, before any read.
    pub fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.execute_batch(&format!("PRAGMA key = \"{}\";", self.raw.as_str()))?;
        conn.execute_batch(&format!("PRAGMA cipher_compatibility = {};", self.compatibility))?;
        for (name, value) in &self.settings {
            if name != "kdf_iter" && name != "cipher_kdf_algorithm" && name != "cipher_compatibility" {
                conn.execute_batch(&format!("PRAGMA {name} = {value};"))?;
            }
        }
        // Sorts and temporary tables of an encrypted database stay in memory.
        conn.execute_batch("PRAGMA temp_store = MEMORY;")
    }

    /// The SQLCipher major version whose defaults the file uses.
    pub fn compatibility(&self) -> u8 {
        self.compatibility
    }
}

/// PBKDF2's hash, as SQLCipher names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kdf {
    Sha1,
    Sha256,
    Sha512,
}

/// A KDF's hash and rounds.
type KdfParams = (Kdf, u32);

/// SQLCipher `major`'s KDF defaults: (hash, iterations).
fn kdf_defaults(major: u8) -> (Kdf, u32) {
    match major {
        4 => (Kdf::Sha512, 256_000),
        3 => (Kdf::Sha1, 64_000),
        _ => (Kdf::Sha1, 4_000),
    }
}

fn derive(passphrase: &[u8], salt: &[u8; 16], kdf: Kdf, rounds: u32) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(vec![0u8; 32]);
    match kdf {
        Kdf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(passphrase, salt, rounds, &mut key),
        Kdf::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase, salt, rounds, &mut key),
        Kdf::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(passphrase, salt, rounds, &mut key),
    }
    key
}

fn parse_kdf(value: &str) -> Result<Kdf> {
    match value.trim_matches(|c| c == '\'' || c == '"').to_ascii_uppercase().as_str() {
        "PBKDF2_HMAC_SHA1" => Ok(Kdf::Sha1),
        "PBKDF2_HMAC_SHA256" => Ok(Kdf::Sha256),
        "PBKDF2_HMAC_SHA512" => Ok(Kdf::Sha512),
        other => Err(DbError::BadKey(format!("{other}: not a KDF algorithm (PBKDF2_HMAC_SHA1/256/512)"))),
    }
}

/// The salt: the file's first 16 bytes (`head`), unless the settings or the
/// raw key give it (a plaintext header moves it out of the file).
fn salt_of(head: &[u8; 16], key: &CipherKey) -> Result<[u8; 16]> {
    if let Some(hex_text) = key.setting("cipher_salt") {
        let digits = hex_text.trim_matches(|c| c == '\'' || c == '"').trim_start_matches(['x', 'X']);
        let digits = digits.trim_matches('\'');
        let bytes =
            hex::decode(digits).map_err(|_| DbError::BadKey("cipher_salt is x'<32 hex digits>'".into()))?;
        return bytes.try_into().map_err(|_| DbError::BadKey("cipher_salt is x'<32 hex digits>'".into()));
    }
    if let Secret::Raw { salt: Some(salt), .. } = &key.secret {
        return Ok(*salt);
    }
    Ok(*head)
}

/// The first 16 bytes of `path` (an encrypted file's salt).
pub fn head_of(path: &Path) -> Result<[u8; 16]> {
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| crate::pool::io_error(path, e))?;
    std::io::Read::read_exact(&mut file, &mut head).map_err(|_| DbError::Encrypted(path.to_owned()))?;
    Ok(head)
}

/// Finds which SQLCipher settings open `path` (whose first 16 bytes are
/// `head`) with `key`, deriving the key once per KDF tried. A key that
/// opens nothing is [`DbError::WrongKey`].
#[tracing::instrument(skip_all, fields(path = %path.display()))]
pub fn resolve(path: &Path, head: &[u8; 16], key: &CipherKey) -> Result<Keyed> {
    let majors: Vec<u8> = match key.setting("cipher_compatibility") {
        Some(v) => vec![v
            .parse()
            .ok()
            .filter(|m| (1..=4).contains(m))
            .ok_or_else(|| DbError::BadKey("cipher_compatibility is 1, 2, 3 or 4".into()))?],
        None => vec![4, 3, 2, 1],
    };
    let rounds_given = match key.setting("kdf_iter") {
        Some(v) => Some(v.parse::<u32>().map_err(|_| DbError::BadKey("kdf_iter is a number".into()))?),
        None => None,
    };
    let kdf_given = key.setting("cipher_kdf_algorithm").map(parse_kdf).transpose()?;
    let salt = match &key.secret {
        Secret::Passphrase(_) => Some(salt_of(head, key)?),
        Secret::Raw { .. } => None,
    };
    // Keys derived so far, by (hash, rounds): 2 and 1 share one.
    let mut derived: Vec<(KdfParams, Zeroizing<Vec<u8>>)> = Vec::new();
    for major in majors {
        let raw = match &key.secret {
            Secret::Raw { key, salt } => raw_literal(key, salt.as_ref()),
            Secret::Passphrase(pass) => {
                let salt = salt.ok_or_else(|| DbError::Internal("a passphrase without a salt".into()))?;
                let (kdf, rounds) = kdf_defaults(major);
                let params = (kdf_given.unwrap_or(kdf), rounds_given.unwrap_or(rounds));
                let known = derived.iter().position(|(p, _)| *p == params);
                let at = match known {
                    Some(at) => at,
                    None => {
                        let started = std::time::Instant::now();
                        derived.push((params, derive(pass.as_bytes(), &salt, params.0, params.1)));
                        let ms = started.elapsed().as_millis() as u64;
                        tracing::debug!(rounds = params.1, ms, "derived a key");
                        derived.len() - 1
                    }
                };
                raw_literal(&derived[at].1, None)
            }
        };
        let keyed = Keyed { raw, compatibility: major, settings: key.settings.clone() };
        if opens(path, &keyed)? {
            return Ok(keyed);
        }
    }
    Err(DbError::WrongKey(path.to_owned()))
}

fn raw_literal(key: &[u8], salt: Option<&[u8; 16]>) -> Zeroizing<String> {
    let mut text = Zeroizing::new(String::with_capacity(2 + 96 + 1));
    text.push_str("x'");
    text.push_str(&hex::encode(key));
    if let Some(salt) = salt {
        text.push_str(&hex::encode(salt));
    }
    text.push('\'');
    text
}

/// SQLCipher logs a failed HMAC check (every wrong key tried) to stderr by
/// default: errors are ours to report, once, in the user's terms.
fn quiet() {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        if let Ok(conn) = Connection::open_in_memory() {
            let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        }
    });
}

/// Whether `keyed` opens `path` (read-only; nothing is written).
fn opens(path: &Path, keyed: &Keyed) -> Result<bool> {
    quiet();
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| DbError::CannotOpen { path: path.to_owned(), reason: e.to_string() })?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
        .map_err(|e| DbError::CannotOpen { path: path.to_owned(), reason: e.to_string() })?;
    if keyed.apply(&conn).is_err() {
        return Ok(false);
    }
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(())) {
        Ok(()) => Ok(true),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => Ok(false),
        Err(e) => Err(DbError::CannotOpen { path: path.to_owned(), reason: e.to_string() }),
    }
}

/// The SQLCipher this engine was built with (`4.14.0 community`), if any.
pub fn version() -> Option<String> {
    let conn = Connection::open_in_memory().ok()?;
    conn.query_row("PRAGMA cipher_version", [], |r| r.get::<_, String>(0)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_never_show() {
        let raw = CipherKey::parse(&format!("x'{}'", "ab".repeat(32))).expect("raw");
        assert!(matches!(raw.secret, Secret::Raw { salt: None, .. }));
        let salted = CipherKey::parse(&format!("x'{}{}'", "ab".repeat(32), "01".repeat(16))).expect("salted");
        assert!(matches!(salted.secret, Secret::Raw { salt: Some(_), .. }));
        assert!(CipherKey::parse("x'abc'").is_err());
        assert!(CipherKey::parse("").is_err());
        let pass =
            CipherKey::parse("hunter2 secret").expect("pass").with_setting("kdf_iter=10000").expect("set");
        let shown = format!("{pass:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("kdf_iter"));
    }

    #[test]
    fn settings_are_checked_before_they_reach_sql() {
        let key = CipherKey::parse("k").expect("k");
        assert!(key.clone().with_setting("cipher_page_size=8192").is_ok());
        assert!(key.clone().with_setting("KDF_ITER = 64000").is_ok(), "names in any case, spaces around");
        assert!(key.clone().with_setting("journal_mode=DELETE").is_err());
        assert!(key.clone().with_setting("kdf_iter=1; DROP TABLE t").is_err());
        assert!(key.clone().with_setting("kdf_iter").is_err());
        assert!(key.clone().with_setting("kdf_iter=many").is_err());
        assert!(key.clone().with_setting("cipher_hmac_algorithm=HMAC_SHA1").is_ok());
        assert!(key.with_setting("cipher_kdf_algorithm=MD5").is_err());
    }

    /// SQLCipher 4's PBKDF2-HMAC-SHA512 as SQLCipher computes it: a raw key
    /// derived here opens a database SQLCipher keyed with the passphrase.
    #[test]
    fn a_passphrase_is_derived_here_and_opens_as_a_raw_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("enc.db");
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch(
            "PRAGMA key = 'correct horse'; PRAGMA kdf_iter = 4000; CREATE TABLE t(x); INSERT INTO t VALUES (42);",
        )
        .expect("encrypt");
        drop(conn);
        let key = CipherKey::parse("correct horse").expect("k").with_setting("kdf_iter=4000").expect("s");
        let keyed = resolve(&path, &head_of(&path).expect("head"), &key).expect("resolve");
        assert_eq!(keyed.compatibility(), 4);
        let wrong = CipherKey::parse("wrong").expect("k").with_setting("kdf_iter=4000").expect("s");
        assert!(matches!(resolve(&path, &head_of(&path).expect("head"), &wrong), Err(DbError::WrongKey(_))));
        let conn = Connection::open(&path).expect("open");
        keyed.apply(&conn).expect("key");
        let x: i64 = conn.query_row("SELECT x FROM t", [], |r| r.get(0)).expect("row");
        assert_eq!(x, 42);
    }
}
