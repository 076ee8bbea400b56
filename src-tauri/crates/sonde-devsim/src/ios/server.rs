//! The simulator: one phone behind a usbmuxd socket. Holds what every
//! connection shares (the phone directory, fault budgets, the ports
//! `StartService` handed out, the attached/detached state) and routes a
//! usbmuxd `Connect` to lockdownd or a service.
//!
//! `detach` in faults.json is polled every 100 ms (and checked at every
//! step): while it is true the phone is unplugged — listeners get
//! `Detached`, every tunnel is closed at once, `ListDevices` is empty and
//! `Connect` answers 2 (BadDevice); back to false, listeners get `Attached`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;

use super::faults::{trace, Fault, IosFaults, Tracker, When};
use super::link::{act, Link};
use super::phone::Phone;
use super::{lockdown, services, usbmuxd, IosError};

/// lockdownd's port.
pub const LOCKDOWN_PORT: u16 = 62078;
/// The usbmuxd device id of the phone.
pub const DEVICE_ID: u32 = 1;

pub struct Sim {
    pub phone: Phone,
    tracker: Tracker,
    ports: Mutex<HashMap<u16, String>>,
    next_port: AtomicU16,
    attached: watch::Sender<bool>,
}

impl Sim {
    pub fn new(phone: Phone) -> Arc<Sim> {
        let detached = IosFaults::load(&phone.faults_file()).detach;
        let (attached, _) = watch::channel(!detached);
        Arc::new(Sim {
            phone,
            tracker: Tracker::default(),
            ports: Mutex::new(HashMap::new()),
            next_port: AtomicU16::new(49152),
            attached,
        })
    }

    pub fn faults(&self) -> IosFaults {
        let faults = IosFaults::load(&self.phone.faults_file());
        self.set_attached(!faults.detach);
        faults
    }

    pub fn is_attached(&self) -> bool {
        *self.attached.borrow()
    }

    fn set_attached(&self, attached: bool) {
        self.attached.send_if_modified(|now| {
            let changed = *now != attached;
            *now = attached;
            changed
        });
    }

    pub fn watch_attached(&self) -> watch::Receiver<bool> {
        self.attached.subscribe()
    }

    /// Enters a step: reads faults.json, traces, picks the fault, and
    /// carries out a `before` drop/stall. The caller applies the rest
    /// ([`Link::write_faulted`], [`Sim::finish`]).
    pub async fn step(&self, label: &str) -> Result<Option<Fault>, IosError> {
        let faults = self.faults();
        let fault = self.tracker.select(&faults.rules, label).map(Fault::from);
        if faults.trace {
            trace(&self.phone.trace_file(), fault.as_ref(), label);
        }
        tracing::debug!(step = label, fault = ?fault, "step");
        if let Some(f) = fault.filter(|f| f.fires(When::Before)) {
            act(f.action).await?;
        }
        Ok(fault)
    }

    /// Writes a trace line outside any step (e.g. what TLS negotiated).
    pub fn note(&self, line: &str) {
        if self.faults().trace {
            trace(&self.phone.trace_file(), None, line);
        }
    }

    /// Ends a step whose answer was sent: an `after` drop/stall fires now.
    pub async fn finish(&self, fault: Option<&Fault>) -> Result<(), IosError> {
        match fault {
            Some(f) if f.fires(When::After) => act(f.action).await,
            _ => Ok(()),
        }
    }

    /// A new port for `service` (what `StartService` answers).
    pub fn open_port(&self, service: &str) -> u16 {
        let mut ports = match self.ports.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        // Ports handed out and never connected to are forgotten rather than
        // letting a client exhaust the range.
        if ports.len() >= 8192 {
            ports.clear();
        }
        loop {
            let port = self.next_port.fetch_add(1, Ordering::Relaxed);
            let port = if port < 49152 {
                self.next_port.store(49153, Ordering::Relaxed);
                49152
            } else {
                port
            };
            if let std::collections::hash_map::Entry::Vacant(e) = ports.entry(port) {
                e.insert(service.to_string());
                return port;
            }
        }
    }

    /// The service a port was opened for (each port serves one connection).
    pub fn take_port(&self, port: u16) -> Option<String> {
        match self.ports.lock() {
            Ok(mut g) => g.remove(&port),
            Err(p) => p.into_inner().remove(&port),
        }
    }

    pub fn port_is_open(&self, port: u16) -> bool {
        port == LOCKDOWN_PORT
            || match self.ports.lock() {
                Ok(g) => g.contains_key(&port),
                Err(p) => p.into_inner().contains_key(&port),
            }
    }
}

/// Serves a usbmuxd client connection after a successful `Connect`: the
/// socket is now a byte tunnel to `port` of the phone. Closed at once when
/// the phone is detached.
pub async fn tunnel(sim: Arc<Sim>, stream: UnixStream, port: u16) {
    let mut detached = sim.watch_attached();
    let work = async {
        let link = Link::new(stream);
        let result = if port == LOCKDOWN_PORT {
            lockdown::serve(&sim, link).await
        } else {
            match sim.take_port(port) {
                Some(service) => services::serve(&sim, link, &service).await,
                None => Err(IosError::Protocol(format!("port {port} is not open"))),
            }
        };
        match result {
            Ok(()) | Err(IosError::Closed) => {}
            Err(IosError::Dropped) => tracing::info!(port, "connection dropped by a fault"),
            Err(e) => tracing::info!(port, "connection ended: {e}"),
        }
    };
    tokio::select! {
        () = work => {}
        _ = detached.wait_for(|attached| !*attached) => {
            tracing::info!(port, "phone detached: tunnel closed");
        }
    }
}

/// Binds the usbmuxd socket at `path` (a stale socket file is replaced).
pub fn bind(path: &Path) -> Result<UnixListener, IosError> {
    if path.exists() {
        std::fs::remove_file(path)?;
    }
    Ok(UnixListener::bind(path)?)
}

/// Serves usbmuxd clients until the listener fails.
pub async fn serve(listener: UnixListener, sim: Arc<Sim>) -> Result<(), IosError> {
    let poller = sim.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let _ = poller.faults();
        }
    });
    loop {
        let (stream, _) = listener.accept().await?;
        let sim = sim.clone();
        tokio::spawn(async move {
            match usbmuxd::serve_client(sim, stream).await {
                Ok(()) | Err(IosError::Closed) => {}
                Err(IosError::Dropped) => tracing::info!("usbmuxd client dropped by a fault"),
                Err(e) => tracing::info!("usbmuxd client: {e}"),
            }
        });
    }
}

/// Opens the phone in `root` and binds its socket: what `sonde-devsim ios`
/// does before printing its ready line.
pub fn prepare(root: &Path, socket: &Path) -> Result<(Arc<Sim>, UnixListener), IosError> {
    let phone = Phone::open(root)?;
    let sim = Sim::new(phone);
    let listener = bind(socket)?;
    Ok((sim, listener))
}

/// The default socket path inside a phone directory, for callers without one.
pub fn default_socket(root: &Path) -> PathBuf {
    root.join("usbmuxd.sock")
}
