//! The core's state: the device layer, Sonde's own state database, the
//! console's open cursors and the built-in simulated device.

use crate::blocking::blocking;
use crate::cursors::Cursors;
use crate::error::Result;
use crate::simulated::SimulatedDevice;
use crate::simulated_iphone::SimulatedIphone;
use sonde_db::appstate::AppState;
use sonde_device::layer::{DeviceConfig, DeviceLayer};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// Sonde's data directory: `state.sqlite`, `snapshots/`, `versions/`, `simdevice/`.
    pub data_dir: PathBuf,
    /// Versions kept per database (`SONDE_VERSIONS_KEEP`, default 20).
    pub versions_keep: usize,
    /// Disk budget of one database's versions (`SONDE_VERSIONS_BUDGET_MB`, default 2 GiB).
    pub versions_budget: u64,
}

impl CoreConfig {
    /// `$SONDE_DATA_DIR`, else the OS's data dir (`~/.local/share/sonde`
    /// on Linux; see [`crate::paths`]).
    pub fn from_env() -> CoreConfig {
        CoreConfig::in_dir(crate::paths::current_data_dir())
    }

    /// A config for `data_dir`, versions as the environment says.
    pub fn in_dir(data_dir: PathBuf) -> CoreConfig {
        let number = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
        CoreConfig {
            data_dir,
            versions_keep: number("SONDE_VERSIONS_KEEP")
                .map_or(crate::versions::DEFAULT_KEEP, |n| n as usize),
            versions_budget: number("SONDE_VERSIONS_BUDGET_MB")
                .map_or(crate::versions::DEFAULT_BUDGET_BYTES, |mb| mb.saturating_mul(1024 * 1024)),
        }
    }
}

pub struct Sonde {
    pub(crate) config: CoreConfig,
    pub(crate) devices: DeviceLayer,
    pub(crate) state: Arc<AppState>,
    pub(crate) cursors: Cursors,
    pub(crate) versions: crate::versions::Versions,
    pub(crate) simulated: Mutex<Option<SimulatedDevice>>,
    pub(crate) simulated_iphone: Mutex<Option<SimulatedIphone>>,
    pub(crate) writes: crate::write_lock::WriteLocks,
    /// The files' state right after Sonde's own last write to a local or
    /// simulator database, by location (see `watch`).
    pub(crate) own_writes: Mutex<std::collections::HashMap<String, Vec<crate::watch::Stamp>>>,
    /// The encrypted state of encrypted databases, by location (`cipher.rs`).
    pub(crate) secret_states: Mutex<std::collections::HashMap<String, Arc<AppState>>>,
    /// Keys the user gave for encrypted databases, by location (`cipher.rs`).
    pub(crate) location_keys: Mutex<std::collections::HashMap<String, Arc<sonde_db::cipher::CipherKey>>>,
    /// Locations whose key this process stored in or found in the OS
    /// keychain (`unlock.rs`), so a reopen says so without asking it again.
    #[cfg_attr(not(feature = "keychain"), allow(dead_code))]
    pub(crate) remembered_keys: Mutex<std::collections::HashSet<String>>,
}

impl Sonde {
    /// Opens (creating and migrating as needed) Sonde's state in the data dir.
    pub async fn new(config: CoreConfig) -> Result<Sonde> {
        let path = config.data_dir.join("state.sqlite");
        let state = blocking(move || Ok(AppState::open(&path)?)).await?;
        let devices = DeviceLayer::new(DeviceConfig::from_env(config.data_dir.join("snapshots")));
        let versions = crate::versions::Versions::new(
            config.data_dir.join("versions"),
            config.versions_keep,
            config.versions_budget,
        );
        Ok(Sonde {
            versions,
            config,
            devices,
            state: Arc::new(state),
            cursors: Cursors::default(),
            simulated: Mutex::new(None),
            simulated_iphone: Mutex::new(None),
            writes: Default::default(),
            own_writes: Mutex::default(),
            secret_states: Mutex::default(),
            location_keys: Mutex::default(),
            remembered_keys: Mutex::default(),
        })
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.config.data_dir
    }

    /// Runs `f` on the app-state database off the runtime.
    pub(crate) async fn with_state<T: Send + 'static>(
        &self,
        f: impl FnOnce(&AppState) -> sonde_db::Result<T> + Send + 'static,
    ) -> Result<T> {
        let state = Arc::clone(&self.state);
        blocking(move || Ok(f(&state)?)).await
    }
}
