//! iOS simulators through `xcrun simctl`. Being written: see `layer.rs`
//! for the interface it must provide.

use crate::error::{DeviceError, Result};
use crate::model::{App, DbFile, Device};
use crate::runner::CancellationToken;
use crate::uri::DeviceUri;
use std::path::PathBuf;

pub struct Sim {
    #[allow(dead_code)]
    xcrun: PathBuf,
}

impl Sim {
    pub fn new(xcrun: PathBuf) -> Sim {
        Sim { xcrun }
    }
    pub async fn devices(&self, _c: &CancellationToken) -> Result<Vec<Device>> {
        Ok(Vec::new())
    }
    pub async fn apps(&self, _u: &str, _s: bool, _c: &CancellationToken) -> Result<Vec<App>> {
        Ok(Vec::new())
    }
    pub async fn databases(&self, _u: &str, _b: &str, _c: &CancellationToken) -> Result<Vec<DbFile>> {
        Ok(Vec::new())
    }
    pub async fn resolve(&self, _u: &DeviceUri, _c: &CancellationToken) -> Result<PathBuf> {
        Err(DeviceError::Unsupported("simulators are not supported yet".into()))
    }
}
