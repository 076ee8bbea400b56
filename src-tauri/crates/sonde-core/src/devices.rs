//! Devices, their apps and databases, and the tools Sonde found.

use crate::error::Result;
use crate::service::Sonde;
use sonde_device::layer::DeviceListing;
use sonde_device::runner::CancellationToken;
use sonde_device::tools::ToolInfo;
use sonde_device::{App, DbFile};

impl Sonde {
    /// Devices of every platform; a platform whose tools are missing or
    /// failing is a `problem`, not an error.
    pub async fn devices(&self, cancel: &CancellationToken) -> DeviceListing {
        self.devices.devices(cancel).await
    }

    /// Apps on a device (`android://SERIAL`, `ios://UDID`, `sim://UDID` or
    /// a bare id); third-party ones unless `include_system`.
    pub async fn apps(
        &self,
        device: &str,
        include_system: bool,
        cancel: &CancellationToken,
    ) -> Result<Vec<App>> {
        let device = self.devices.find_device(device, cancel).await?;
        Ok(self.devices.apps(&device, include_system, cancel).await?)
    }

    /// The SQLite databases of an app.
    pub async fn databases(
        &self,
        device: &str,
        app: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<DbFile>> {
        let device = self.devices.find_device(device, cancel).await?;
        Ok(self.devices.databases(&device, app, cancel).await?)
    }

    /// The external tools Sonde looked for, with versions or problems.
    pub async fn doctor(&self) -> Vec<ToolInfo> {
        self.devices.tool_report().await
    }
}
