//! # A simulated iPhone for the real libimobiledevice tools
//!
//! `sonde-devsim ios --root DIR --socket PATH` is a usbmuxd on the Unix
//! socket PATH with one phone attached, served from the phone directory
//! DIR. With `USBMUXD_SOCKET_ADDRESS=UNIX:PATH`, Debian's `idevice_id`,
//! `ideviceinfo`, `idevicepair`, `ideviceinstaller` and
//! `idevicecrashreport` (libimobiledevice 1.3.0, libusbmuxd 2.0.2) talk to
//! it as to a phone on USB. Ready line on stdout: `usbmuxd PATH UDID`.
//!
//! The layers, one file each:
//! * [`usbmuxd`] — the usbmuxd protocol (ListDevices, Listen, Connect,
//!   pair records, ReadBUID); a `Connect` turns the socket into a tunnel
//!   to a port of the phone ([`server::tunnel`]).
//! * [`lockdown`] — lockdownd on port 62078, with TLS sessions
//!   ([`link`], [`pairing`]) and the trust dialog.
//! * [`services`] — what `StartService` starts: [`instproxy`],
//!   [`house_arrest`], [`afc`] (media partition, crash logs, containers).
//! * [`phone`] — the phone directory; [`faults`] — fault injection;
//!   [`demo`] — `sonde-devsim ios-demo DIR`.
//!
//! ## Phone directory
//! * `info.json` — lockdown values (`ideviceinfo` keys), flat; other
//!   domains under `"_domains": {"<domain>": {...}}`.
//! * `apps.json` — `[{"id", "version", "short_version"?, "build"?, "name",
//!   "type": "User"|"System", "developer": bool, "file_sharing"?: bool,
//!   "groups"?: [...], "signer"?, "executable"?}]` ([`phone::App`]; the
//!   schema of Sonde's fake tools, extended).
//! * `containers/<bundle>/` (Documents/, Library/, tmp/), `groups/<group>/`,
//!   `crashes/` (crashreportcopymobile), `media/` (com.apple.afc).
//! * `pairing/` — see [`pairing`].
//! * `state.json` — `{"locked": bool, "trust": "trusted"|"unpaired"|
//!   "pending"|"denied"}` ([`phone::PhoneState`]).
//! * `faults.json` — see [`faults`]; `trace.log` when tracing.
//!
//! Every file is re-read when used, so tests change the phone while it is
//! served. Nothing outside the phone directory is ever touched through the
//! protocol (AFC paths are confined: [`afc::fs`]).
//!
//! Hostile input: usbmuxd messages are capped at 1 MiB, lockdown and
//! service messages at 4 MiB, AFC packets at 8 MiB; truncated headers,
//! bad magic, bad plists end that connection only.

pub mod afc;
pub mod demo;
pub mod faults;
pub mod house_arrest;
pub mod instproxy;
pub mod link;
pub mod lockdown;
pub mod pairing;
pub mod phone;
pub mod plist_io;
pub mod plist_service;
pub mod server;
pub mod services;
pub mod usbmuxd;

use thiserror::Error;

pub use phone::{Phone, PhoneState, Trust};
pub use server::{prepare, serve, Sim};

#[derive(Debug, Error)]
pub enum IosError {
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("json error: {0}")]
    Json(#[from] serde_json::Error),
    #[error("phone directory: {0}")]
    Config(String),
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("tls: {0}")]
    Tls(String),
    #[error("sqlite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("demo: {0}")]
    Demo(#[from] crate::demo::DemoError),
    /// The peer closed the connection.
    #[error("connection closed")]
    Closed,
    /// A fault closed the connection.
    #[error("connection dropped by a fault")]
    Dropped,
}
