//! Where a database lives: a local file, or a file inside an app on a device.
//!
//! `android://<serial>/<package>/<path in the app data dir>`,
//! `ios://<udid>/<bundle>/<path in the container>`,
//! `sim://<udid>/<bundle>/<path>`, or a plain local path (`file://` allowed).

use crate::error::{CoreError, Result};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Local(PathBuf),
}

impl Location {
    pub fn parse(text: &str) -> Result<Location> {
        if text.is_empty() {
            return Err(CoreError::BadLocation { location: text.into(), reason: "empty".into() });
        }
        if let Some(path) = text.strip_prefix("file://") {
            return Ok(Location::Local(PathBuf::from(path)));
        }
        Ok(Location::Local(PathBuf::from(text)))
    }
}
