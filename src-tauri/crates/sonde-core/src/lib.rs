//! `sonde-core`: the one facade over the engine (`sonde-db`) and the device
//! layer (`sonde-device`), shared by the CLI and the desktop app.
//!
//! Opening a database = resolving its location to a local file (a device
//! database becomes a verified snapshot); editing = the mutation service
//! plus the pending change log; pushing = safety checks plus transfer.

pub mod error;
pub mod location;

pub use error::{CoreError, Result};
pub use location::Location;
