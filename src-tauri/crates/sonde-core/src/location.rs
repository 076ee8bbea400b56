//! Where a database lives: a local file, or a file inside an app on a
//! device or simulator (see `sonde_device::uri` for the URI forms).

use crate::error::Result;
use sonde_device::DeviceUri;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Local(PathBuf),
    Device(DeviceUri),
}

impl Location {
    /// `android://`, `ios://`, `sim://` are device locations; `file://` and
    /// anything else is a local path.
    pub fn parse(text: &str) -> Result<Location> {
        if let Some(path) = text.strip_prefix("file://") {
            return Ok(Location::Local(PathBuf::from(path)));
        }
        if ["android://", "ios://", "sim://"].iter().any(|s| text.starts_with(s)) {
            return Ok(Location::Device(DeviceUri::parse(text)?));
        }
        if text.is_empty() {
            return Err(crate::CoreError::BadLocation { location: text.into(), reason: "empty" });
        }
        Ok(Location::Local(PathBuf::from(text)))
    }

    /// Stable text form (the key of the change log and recent list).
    pub fn key(&self) -> String {
        match self {
            Location::Local(p) => {
                let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                format!("file://{}", abs.display())
            }
            Location::Device(uri) => uri.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        assert!(matches!(Location::parse("/tmp/a.db"), Ok(Location::Local(_))));
        assert!(
            matches!(Location::parse("file:///tmp/a.db"), Ok(Location::Local(p)) if p == std::path::Path::new("/tmp/a.db"))
        );
        assert!(matches!(Location::parse("android://s/com.x/databases/a.db"), Ok(Location::Device(_))));
        assert!(Location::parse("android://s/com.x/../../etc").is_err());
        assert!(Location::parse("").is_err());
    }
}
