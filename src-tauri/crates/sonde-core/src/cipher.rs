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
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl Sonde {
    /// The key for every encrypted database this process opens without a
    /// key of its own (the CLI's `--cipher-key`).
    pub fn use_cipher_key(&self, key: Option<CipherKey>) {
        pools().set_default_key(key);
    }

    /// The key of the encrypted database at the local file `path` (a local
    /// database, a snapshot or a version copy), or `None` to forget it.
    pub async fn set_cipher_key(&self, path: PathBuf, key: Option<CipherKey>) -> Result<()> {
        blocking(move || Ok(pools().set_key(&path, key)?)).await
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
