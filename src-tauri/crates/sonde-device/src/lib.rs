//! `sonde-device`: reaching databases on devices.
//!
//! - [`runner`]: the one place external tools run (argv only, timeouts that
//!   kill, cancellation, retries with backoff and jitter, typed errors).
//! - [`tools`]: concurrent discovery of adb / libimobiledevice / xcrun.
//! - [`host`]: the host OS as a value, for the code that differs per OS.
//! - [`android`], [`ios`], [`sim`]: one adapter per platform.
//! - [`snapshot`]: the local workspace of pulled databases and their
//!   manifests (what was pulled, with which hashes).
//! - [`uri`]: `android://`, `ios://`, `sim://` locations.
//!
//! This crate moves bytes and never opens SQLite; `sonde-core` combines it
//! with the engine.

pub mod android;
pub mod error;
pub mod hash;
pub mod host;
pub mod ios;
pub mod layer;
pub mod model;
pub mod quote;
pub mod runner;
pub mod sim;
pub mod snapshot;
pub mod tools;
pub mod uri;
pub mod virtual_devices;

pub use error::{DeviceError, Result};
pub use host::HostOs;

/// Runs blocking work (whole-file copies, hashing, directory walks) off the
/// async runtime's worker threads.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| DeviceError::Internal(format!("blocking task: {e}")))?
}
pub use layer::DeviceLayer;
pub use model::{App, DbFile, Device, DeviceState, Platform};
pub use uri::DeviceUri;
