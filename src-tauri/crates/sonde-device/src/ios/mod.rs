//! iOS devices through libimobiledevice (`idevice_id`, `ideviceinfo`,
//! `ideviceinstaller`, `afcclient`). Being written: see `layer.rs` for the
//! interface it must provide.

use crate::error::{DeviceError, Result};
use crate::model::{App, DbFile, Device, PushOptions, PushReport};
use crate::runner::CancellationToken;
use crate::snapshot::{Snapshot, Workspace};
use crate::tools::Tools;
use crate::uri::DeviceUri;

pub struct Ios;

impl Ios {
    pub fn new(_tools: &Tools) -> Result<Ios> {
        Err(DeviceError::Unsupported("iOS devices are not supported yet".into()))
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
    pub async fn pull(&self, _w: &Workspace, _u: &DeviceUri, _c: &CancellationToken) -> Result<Snapshot> {
        Err(DeviceError::Unsupported("iOS devices are not supported yet".into()))
    }
    pub async fn push(
        &self,
        _w: &Workspace,
        _s: &mut Snapshot,
        _o: PushOptions,
        _c: &CancellationToken,
    ) -> Result<PushReport> {
        Err(DeviceError::Unsupported("iOS devices are not supported yet".into()))
    }
}
