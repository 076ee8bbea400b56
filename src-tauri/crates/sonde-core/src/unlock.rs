//! Opening a database the app's way: with the key the user typed into the
//! prompt (remembered in the OS keychain when asked), or, for an encrypted
//! database opened without one, with the key the keychain remembers.

use crate::blocking::blocking;
use crate::error::{CoreError, ErrorKind, Result};
use crate::keychain::{self, RememberedKey};
use crate::location::Location;
use crate::open::OpenDb;
use crate::service::Sonde;
use sonde_db::query::TableListing;
use sonde_device::runner::CancellationToken;
use tracing::{instrument, warn};

/// A key the user gave for one database.
pub struct KeyInput {
    /// A passphrase, or `x'<hex>'`.
    pub key: String,
    /// SQLCipher settings, `NAME=VALUE`.
    pub settings: Vec<String>,
    /// Keep it in the OS keychain for the next time.
    pub remember: bool,
}

/// A database opened by [`Sonde::unlock`].
pub struct Unlocked {
    pub db: OpenDb,
    pub tables: Vec<TableListing>,
    /// Its key is in the OS keychain (it opened with the remembered key, or
    /// the user asked to remember the one given).
    pub key_remembered: bool,
    /// Remembering was asked for and the keychain refused (the database is
    /// open all the same): why, for the face to say.
    pub keychain_error: Option<String>,
}

impl Sonde {
    /// Opens `location` (see [`Sonde::open_listed`]). With `given`, an
    /// encrypted database is opened with that key (kept in memory while the
    /// process runs; forgotten again if it does not open the database) and,
    /// when it opens, remembered in the keychain or, unless asked to be,
    /// removed from it (a remembered key that needed replacing). Without one,
    /// an encrypted database the process has no key for is opened with the
    /// key the keychain remembers; a remembered key that no longer opens it
    /// is [`CoreError::RememberedKeyFailed`].
    #[instrument(skip_all, fields(location = %location))]
    pub async fn unlock(
        &self,
        location: &str,
        given: Option<KeyInput>,
        cancel: &CancellationToken,
        recover_hot_journal: bool,
    ) -> Result<Unlocked> {
        let place = Location::parse(location)?.key();
        let Some(given) = given else {
            return match self.open_listed(location, cancel, recover_hot_journal).await {
                Ok((db, tables)) => {
                    let key_remembered = db.encrypted && self.is_key_remembered(&place);
                    Ok(Unlocked { db, tables, key_remembered, keychain_error: None })
                }
                Err(e) if e.kind() == ErrorKind::Encrypted => {
                    self.open_remembered(location, &place, cancel, recover_hot_journal, e).await
                }
                Err(e) => Err(e),
            };
        };
        let key = crate::cipher::parse_cipher_key(&given.key, &given.settings)?;
        let (db, tables) = self.open_with(location, key, cancel, recover_hot_journal).await?;
        let remembered = RememberedKey { key: given.key, settings: given.settings };
        let (key_remembered, keychain_error) = if !db.encrypted {
            (false, None)
        } else if given.remember {
            match self.keychain(&place, move |p| keychain::store(p, &remembered)).await {
                Ok(()) => (true, None),
                Err(e) => (false, Some(e.to_string())),
            }
        } else {
            drop(remembered);
            if let Err(e) = self.keychain(&place, keychain::forget).await {
                warn!(error = %e, "could not remove a remembered key from the keychain");
            }
            (false, None)
        };
        Ok(Unlocked { db, tables, key_remembered, keychain_error })
    }

    /// Removes the key the keychain remembers for `location` (the database
    /// stays open with it in memory); `false` when none was remembered.
    pub async fn forget_remembered_key(&self, location: &str) -> Result<bool> {
        let place = Location::parse(location)?.key();
        self.keychain(&place, keychain::forget).await.map_err(|e| CoreError::Keychain(e.to_string()))
    }

    async fn open_remembered(
        &self,
        location: &str,
        place: &str,
        cancel: &CancellationToken,
        recover: bool,
        encrypted: CoreError,
    ) -> Result<Unlocked> {
        let remembered = match self.keychain(place, keychain::recall).await {
            Ok(Some(r)) => r,
            Ok(None) => return Err(encrypted),
            // The prompt still works: the keychain is only a shortcut.
            Err(e) => {
                warn!(error = %e, "could not read the keychain");
                return Err(encrypted);
            }
        };
        let Ok(key) = crate::cipher::parse_cipher_key(&remembered.key, &remembered.settings) else {
            return Err(CoreError::RememberedKeyFailed);
        };
        drop(remembered);
        match self.open_with(location, key, cancel, recover).await {
            Ok((db, tables)) => Ok(Unlocked { db, tables, key_remembered: true, keychain_error: None }),
            Err(e) if e.kind() == ErrorKind::WrongKey => Err(CoreError::RememberedKeyFailed),
            Err(e) => Err(e),
        }
    }

    /// Opens with `key` registered for the location; a failed open forgets it.
    async fn open_with(
        &self,
        location: &str,
        key: sonde_db::cipher::CipherKey,
        cancel: &CancellationToken,
        recover: bool,
    ) -> Result<(OpenDb, Vec<TableListing>)> {
        self.set_location_key(location, Some(key))?;
        let opened = self.open_listed(location, cancel, recover).await;
        if opened.is_err() {
            self.set_location_key(location, None)?;
        }
        opened
    }

    /// Runs a keychain call off the runtime, keeping track of which
    /// locations this process knows to be remembered.
    async fn keychain<T: KeychainOutcome + Send + 'static>(
        &self,
        place: &str,
        call: impl FnOnce(&str) -> std::result::Result<T, keychain::KeychainError> + Send + 'static,
    ) -> std::result::Result<T, keychain::KeychainError> {
        let owned = place.to_owned();
        let outcome = blocking(move || Ok(call(&owned)))
            .await
            .unwrap_or_else(|e| Err(keychain::KeychainError::from(e.to_string())))?;
        if let (Some(now), Ok(mut set)) = (outcome.remembered(), self.remembered_keys.lock()) {
            if now {
                set.insert(place.to_owned());
            } else {
                set.remove(place);
            }
        }
        Ok(outcome)
    }

    /// Whether this process knows the key of location `place` (its
    /// [`Location::key`]) to be in the keychain.
    pub fn is_key_remembered(&self, place: &str) -> bool {
        self.remembered_keys.lock().map(|s| s.contains(place)).unwrap_or(false)
    }
}

/// What a keychain call says about whether the location is remembered now.
trait KeychainOutcome {
    fn remembered(&self) -> Option<bool>;
}

/// `store`: it is.
impl KeychainOutcome for () {
    fn remembered(&self) -> Option<bool> {
        Some(true)
    }
}

/// `forget`: it is not (whether or not it was).
impl KeychainOutcome for bool {
    fn remembered(&self) -> Option<bool> {
        Some(false)
    }
}

/// `recall`: it is when an entry was found.
impl KeychainOutcome for Option<RememberedKey> {
    fn remembered(&self) -> Option<bool> {
        Some(self.is_some())
    }
}
