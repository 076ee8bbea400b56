//! `sonde-core`: the one facade over the engine (`sonde-db`) and the device
//! layer (`sonde-device`), shared by the CLI and the desktop app.
//!
//! - [`Sonde::open`]: a location becomes a local SQLite file: the file
//!   itself, a simulator database in place, or a verified device snapshot
//!   (reused while it holds unpushed edits, pulled fresh otherwise).
//! - [`Sonde::apply`]: edits through the mutation service, recorded in the
//!   pending change log; a snapshot is marked dirty.
//! - [`Sonde::push`]: checkpoint + integrity check of the snapshot, then the
//!   device layer's verified transfer; the change log is cleared.
//!
//! SQLite work runs on blocking threads (`spawn_blocking`), never on the
//! async runtime.

pub mod error;
pub mod location;
mod service;

pub use error::{CoreError, Result};
pub use location::Location;
pub use service::{CoreConfig, OpenDb, Sonde};
pub use sonde_device as device;
