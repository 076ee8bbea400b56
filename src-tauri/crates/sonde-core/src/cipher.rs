//! Keys of encrypted (SQLCipher) databases, as the faces give them.
//!
//! Keys live in this process only (the engine's pool registry): never in the
//! app-state database, a log or an error message. What Sonde keeps about an
//! encrypted database that holds its values (pending edits, conflicts,
//! console history) goes to a state file of its own, encrypted with the
//! database's key, never to the shared app-state database.

use crate::blocking::blocking;
use crate::error::Result;
use crate::service::Sonde;
use sha2::Digest;
use sonde_db::appstate::AppState;
use sonde_db::cipher::CipherKey;
use sonde_db::pool::pools;
use sonde_db::DbError;
use std::path::Path;
use std::sync::Arc;

/// A key as a face takes it: the key text (a passphrase or `x'<hex>'`) and
/// its `NAME=VALUE` settings.
pub fn parse_cipher_key(text: &str, settings: &[String]) -> Result<CipherKey> {
    let mut key = CipherKey::parse(text)?;
    for setting in settings {
        key = key.with_setting(setting)?;
    }
    Ok(key)
}

/// Registers a location's given key (see [`Sonde::given_key`]) for one of
/// its local files (the database, a snapshot, a version copy). Blocking.
pub(crate) fn key_file(given: Option<&Arc<CipherKey>>, path: &Path) -> sonde_db::Result<()> {
    match given {
        Some(k) => pools().set_key(path, Some(Arc::clone(k))),
        None => Ok(()),
    }
}

impl Sonde {
    /// The key for every encrypted database this process opens without a
    /// key of its own (the CLI's `--cipher-key`).
    pub fn use_cipher_key(&self, key: Option<CipherKey>) {
        pools().set_default_key(key);
    }

    /// The key of the encrypted database at `location` (a local file, a
    /// device or simulator database), for this process's life; `None`
    /// forgets it. Its files (snapshot, versions) are opened with it.
    pub fn set_location_key(&self, location: &str, key: Option<CipherKey>) -> Result<()> {
        let key_of = crate::location::Location::parse(location)?.key();
        if let Ok(mut map) = self.location_keys.lock() {
            match key {
                Some(k) => {
                    map.insert(key_of, Arc::new(k));
                }
                None => {
                    map.remove(&key_of);
                }
            }
        }
        Ok(())
    }

    /// The key the user gave for location `key`, if any.
    pub(crate) fn given_key(&self, key: &str) -> Option<Arc<CipherKey>> {
        self.location_keys.lock().ok().and_then(|m| m.get(key).cloned())
    }

    /// The state database for location `key` whose local file is `db`: the
    /// shared one, or for an encrypted database its own encrypted one.
    pub(crate) async fn state_for(&self, key: &str, db: &Path) -> Result<Arc<AppState>> {
        if let Some(state) = self.secret_states.lock().ok().and_then(|m| m.get(key).cloned()) {
            return Ok(state);
        }
        let digest = hex::encode(sha2::Sha256::digest(key.as_bytes()));
        let file = self.config.data_dir.join("secret-state").join(format!("{digest}.sqlite"));
        let db = db.to_owned();
        let opened = blocking(move || {
            let keyed = match pools().open(&db) {
                Ok(_) => pools().keyed_of(&db),
                Err(e @ (DbError::Encrypted(_) | DbError::WrongKey(_) | DbError::BadKey(_))) => {
                    return Err(e.into())
                }
                // Gone or unreadable: nothing of it can be in a secret state.
                Err(_) => None,
            };
            match keyed {
                Some(k) => Ok(Some(Arc::new(AppState::open_keyed(&file, Some(&k))?))),
                None => Ok(None),
            }
        })
        .await?;
        let Some(state) = opened else { return Ok(Arc::clone(&self.state)) };
        if let Ok(mut map) = self.secret_states.lock() {
            map.insert(key.to_owned(), Arc::clone(&state));
        }
        Ok(state)
    }

    /// Runs `f` off the runtime on [`Sonde::state_for`]`(key, db)`.
    pub(crate) async fn with_state_for<T: Send + 'static>(
        &self,
        key: &str,
        db: &Path,
        f: impl FnOnce(&AppState) -> sonde_db::Result<T> + Send + 'static,
    ) -> Result<T> {
        let state = self.state_for(key, db).await?;
        blocking(move || Ok(f(&state)?)).await
    }
}
