//! # sonde-devsim — a simulated Android device for the real `adb` client
//!
//! Speaks the adb transport protocol over TCP on 127.0.0.1 so that
//! `adb connect 127.0.0.1:PORT` (Debian adb 29) attaches it like a
//! network device; `adb -s 127.0.0.1:PORT shell|exec-out|pull|push|devices`
//! then work against a directory on the host. Built for Sonde's end-to-end
//! tests: deterministic, no emulator, and with injectable faults.
//!
//! ## Usage
//! ```text
//! sonde-devsim demo DIR [--small]          # write a demo device
//! sonde-devsim chat --root DIR             # the demo chat app receives a message
//! sonde-devsim serve --root DIR [--port N] [--live MS] # prints "adb-device 127.0.0.1:PORT"
//! adb connect 127.0.0.1:PORT
//! ```
//!
//! ## Device directory
//! * `DIR/device.json` — see [`config::DeviceConfig`]:
//!   `{"props": {...}, "packages": [{"name", "debuggable", "system", "uid"?}],
//!   "features": [...]?, "restrict_android_data": false, "faults": {...}}`.
//!   Re-read on every connection and every OPEN.
//! * `DIR/fs/` — the device filesystem (`fs/sdcard`, `fs/data/local/tmp`,
//!   `fs/data/data/<pkg>/databases/...`). Paths can never escape it; see
//!   [`toybox::fs`] for the mapping and the permission model.
//! * `DIR/am.log` — one line per `am force-stop <pkg>` / `am kill <pkg>`.
//! * `DIR/.devsim-tmp/` — in-flight pushes (renamed into place on DONE).
//! * `DIR/streams.log` — with `faults.trace`, one line per OPEN (fault
//!   label or `-`, tab, service string).
//!
//! ## Protocol
//! CNXN without AUTH (banner `device::ro.product.name=..;ro.product.model=..;
//! ro.product.device=..;features=shell_v2,cmd,stat_v2,fixed_push_mkdir`),
//! OPEN/OKAY/WRTE/CLSE with one WRTE in flight per stream, our maxdata
//! 256 KiB (the host's is honoured when smaller). Services: `shell:` (v1),
//! `shell,v2,...:` (shell protocol v2), `exec:`, `sync:` — see
//! [`services`].
//!
//! ## Faults
//! `device.json` → `faults`: `unauthorized`, `offline`, `trace`, and
//! per-stream `rules` (`drop`, `stall`, `never_open`, `slow`, with
//! `after_bytes`, `when`, `bytes_per_sec`, `skip`, `times`). Full schema in
//! [`faults`].
//!
//! ## Shell
//! A POSIX-ish `sh` ([`toybox::parser`]) with toybox-like commands
//! ([`toybox::commands::NAMES`]): getprop, pm, cmd package, run-as, am,
//! ls, cat, cp, mv, rm, rmdir, mkdir, chmod, touch, stat, find, head, tail,
//! wc, sha256sum, echo, printf, test/[, sh, cd, pwd, id, whoami, uname,
//! which, command -v, basename, dirname, sleep, true, false, exit. Unknown
//! commands print `<cmd>: inaccessible or not found` (rc 127). No host
//! program is ever executed.

pub mod config;
pub mod demo;
pub mod fault_rules;
pub mod faults;
#[cfg(target_os = "linux")]
pub mod ios;
pub mod live;
pub mod protocol;
pub mod server;
pub mod services;
pub mod stream;
pub mod toybox;
pub mod transport;

pub use config::{DeviceConfig, Package};
pub use faults::{FaultAction, FaultRule, Faults};
pub use server::{bind, prepare, serve, spawn, Device, ServerError};
