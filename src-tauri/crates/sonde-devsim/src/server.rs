//! The TCP listener and the shared per-device state.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use thiserror::Error;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::DeviceConfig;
use crate::faults::{ActiveFault, FaultTracker};
use crate::toybox::DeviceEnv;
use crate::transport;

#[derive(Debug, Error)]
pub enum ServerError {
    #[error("device directory {0} does not exist")]
    MissingDir(String),
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// The stream trace written when `faults.trace` is on.
pub const STREAMS_LOG: &str = "streams.log";

/// One simulated device: its directory, fault budgets and last good config.
#[derive(Debug)]
pub struct Device {
    dir: PathBuf,
    tracker: FaultTracker,
    last_good: Mutex<Arc<DeviceConfig>>,
}

impl Device {
    pub fn new(dir: impl Into<PathBuf>) -> Arc<Self> {
        Arc::new(Self {
            dir: dir.into(),
            tracker: FaultTracker::new(),
            last_good: Mutex::new(Arc::new(DeviceConfig::default())),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn tracker(&self) -> &FaultTracker {
        &self.tracker
    }

    /// Re-reads `device.json`. A file that fails to parse (e.g. caught
    /// half-written) leaves the previous configuration in force.
    pub fn config(&self) -> Arc<DeviceConfig> {
        let mut last = match self.last_good.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        match DeviceConfig::load(&self.dir) {
            Ok(cfg) => {
                *last = Arc::new(cfg);
            }
            Err(e) => tracing::warn!("{e}; keeping the previous configuration"),
        }
        last.clone()
    }

    /// Appends an OPEN to `DIR/streams.log` (fault `trace`): the selected
    /// fault's label or `-`, a tab, the service string with newlines escaped.
    pub fn trace_open(&self, service: &str, fault: Option<&ActiveFault>) {
        let label = fault.map_or_else(|| "-".to_string(), ActiveFault::label);
        let line = format!("{label}\t{}\n", service.replace('\\', "\\\\").replace('\n', "\\n"));
        let path = self.dir.join(STREAMS_LOG);
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
        if let Err(e) = written {
            tracing::warn!(path = %path.display(), "cannot append to the stream trace: {e}");
        }
    }

    pub fn env(&self, config: Arc<DeviceConfig>) -> DeviceEnv {
        DeviceEnv::new(self.dir.clone(), config)
    }

    /// Scratch space for in-flight pushes, outside the device filesystem
    /// (same host filesystem, so the final rename is atomic).
    pub fn tmp_dir(&self) -> PathBuf {
        self.dir.join(".devsim-tmp")
    }
}

/// Binds 127.0.0.1:`port` (0 = ephemeral).
pub async fn bind(port: u16) -> Result<TcpListener, ServerError> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|source| ServerError::Bind { port, source })
}

/// Accepts connections forever, one task per connection.
pub async fn serve(listener: TcpListener, device: Arc<Device>) -> Result<(), ServerError> {
    loop {
        let (socket, peer) = listener.accept().await?;
        tracing::info!(%peer, "connection");
        let device = device.clone();
        tokio::spawn(async move {
            transport::handle_connection(socket, device).await;
            tracing::info!(%peer, "connection closed");
        });
    }
}

/// Checks the device directory and prepares scratch space.
pub fn prepare(dir: &Path) -> Result<Arc<Device>, ServerError> {
    if !dir.is_dir() {
        return Err(ServerError::MissingDir(dir.display().to_string()));
    }
    let device = Device::new(dir);
    // Leftovers of interrupted pushes from an earlier run.
    let _ = std::fs::remove_dir_all(device.tmp_dir());
    std::fs::create_dir_all(device.tmp_dir())?;
    std::fs::create_dir_all(dir.join("fs"))?;
    Ok(device)
}

/// Starts a device in the current tokio runtime (for other crates' tests).
pub async fn spawn(dir: &Path, port: u16) -> Result<(SocketAddr, JoinHandle<()>), ServerError> {
    let device = prepare(dir)?;
    let listener = bind(port).await?;
    let addr = listener.local_addr()?;
    let handle = tokio::spawn(async move {
        if let Err(e) = serve(listener, device).await {
            tracing::error!("device server stopped: {e}");
        }
    });
    Ok((addr, handle))
}
