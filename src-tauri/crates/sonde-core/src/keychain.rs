//! Keys of encrypted databases remembered in the operating system's
//! keychain, when the user asks for it (opt-in, per database, with forget):
//! Keychain on macOS, Credential Manager on Windows, the Secret Service on
//! Linux (the `keyring` crate).
//!
//! One entry per database: service [`SERVICE`], account the location's
//! stable key (`/path/notes.db`, `android://…`), secret the key text and its
//! settings as JSON. Every call blocks (D-Bus, Security.framework): callers
//! run them with `blocking`. Secrets pass through [`Zeroizing`] buffers and
//! never reach a log or an error message.

use keyring::{Entry, Error as KeyringError};
use zeroize::Zeroizing;

/// The keychain's service name: the app's identifier.
pub const SERVICE: &str = "dev.sonde.app";

/// What is kept for a database: the key as the user typed it, and its
/// SQLCipher settings (`NAME=VALUE`).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct RememberedKey {
    pub key: String,
    #[serde(default)]
    pub settings: Vec<String>,
}

impl Drop for RememberedKey {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.key.zeroize();
    }
}

/// The keychain could not be used (no Secret Service running, a locked
/// store the user did not unlock, …): what the platform said, without any
/// secret.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeychainError(String);

impl From<String> for KeychainError {
    fn from(message: String) -> Self {
        KeychainError(message)
    }
}

fn entry(location: &str) -> Result<Entry, KeychainError> {
    Entry::new(SERVICE, location).map_err(|e| KeychainError(platform_message(&e)))
}

/// The platform's words, never a secret: `BadEncoding` carries the secret's
/// bytes, so no variant's payload is shown but the platform error's.
fn platform_message(e: &KeyringError) -> String {
    match e {
        KeyringError::PlatformFailure(inner) | KeyringError::NoStorageAccess(inner) => inner.to_string(),
        KeyringError::NoEntry => "no entry".into(),
        KeyringError::BadEncoding(_) => "the stored key is not text".into(),
        KeyringError::TooLong(name, limit) => format!("{name} is longer than the keychain allows ({limit})"),
        KeyringError::Invalid(name, reason) => format!("{name} is invalid: {reason}"),
        KeyringError::Ambiguous(_) => "more than one entry matches".into(),
        _ => "keychain failure".into(),
    }
}

/// Stores (replacing) the key of the database at `location`.
pub fn store(location: &str, key: &RememberedKey) -> Result<(), KeychainError> {
    let secret = Zeroizing::new(
        serde_json::to_string(key).map_err(|e| KeychainError(format!("cannot encode the key: {e}")))?,
    );
    entry(location)?.set_password(&secret).map_err(|e| KeychainError(platform_message(&e)))
}

/// The key remembered for `location`, if any. An entry that is not ours to
/// read (not our JSON) counts as none.
pub fn recall(location: &str) -> Result<Option<RememberedKey>, KeychainError> {
    match entry(location)?.get_password() {
        Ok(secret) => {
            let secret = Zeroizing::new(secret);
            Ok(serde_json::from_str(&secret).ok())
        }
        Err(KeyringError::NoEntry) => Ok(None),
        Err(e) => Err(KeychainError(platform_message(&e))),
    }
}

/// Removes the key remembered for `location`; `false` when there was none.
pub fn forget(location: &str) -> Result<bool, KeychainError> {
    match entry(location)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(KeyringError::NoEntry) => Ok(false),
        Err(e) => Err(KeychainError(platform_message(&e))),
    }
}
