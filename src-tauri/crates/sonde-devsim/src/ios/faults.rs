//! Fault injection for the simulated iPhone: `faults.json` in the phone
//! directory, re-read at every step (a usbmuxd request, a lockdown request,
//! a service's start, an installation_proxy / house_arrest command, an AFC
//! operation), so tests flip it while the simulator runs.
//!
//! ```json
//! {
//!   "trace": true,
//!   "detach": false,
//!   "rules": [
//!     {"match": "lockdown:StartService", "action": "drop"},
//!     {"match": "afc:FILE_READ", "action": "drop", "when": "during", "after_bytes": 4096, "times": 1},
//!     {"match": "afc:FILE_OPEN /Documents/journal.sqlite", "action": "stall"},
//!     {"match": "instproxy:Browse", "action": "slow", "bytes_per_sec": 2048}
//!   ]
//! }
//! ```
//!
//! * Steps (a rule applies when its `match` is a substring of the step):
//!   `usbmuxd:<MessageType>` (`usbmuxd:Connect:<port>` for a Connect),
//!   `lockdown:<Request>` (`lockdown:GetValue:<Key>`,
//!   `lockdown:StartService:<service>`), `service:<name>` (a connection to a
//!   started service, before its first message), `instproxy:<Command>`,
//!   `house_arrest:<Command> <bundle id>`, `afc:<OPERATION> <path>`
//!   (libimobiledevice's `AFC_OP_` names without the prefix; handle
//!   operations carry the path the handle was opened with).
//! * `action`: `drop` closes the connection, `stall` never answers (the
//!   socket stays open until the client gives up or the phone is
//!   detached), `slow` sends the step's answer at `bytes_per_sec` (default
//!   16384) and charges incoming data of the step the same time.
//! * `when` (drop, stall): `before` (default; the request was read, nothing
//!   happens), `after` (the step is done and answered, then the connection
//!   drops/stalls), `during` (the answer is cut after `after_bytes` bytes;
//!   for `afc:FILE_WRITE` only the first `after_bytes` bytes of the data
//!   reach the file, then the connection drops/stalls without an answer).
//! * `times`: only the first N matches; `skip`: the first N matches pass.
//!   Budgets live in memory per rule (its canonical JSON) and restart when
//!   the rule disappears from the file.
//! * `trace`: one line per step in `trace.log`: the fault label (`-` for
//!   none, else e.g. `drop`, `stall@after`), a tab, the step.
//! * `detach`: the phone is unplugged while true (see [`super::server`]).
//!
//! Unknown keys are ignored (the fake tools keep theirs in the same file).

use std::io::Write;
use std::path::Path;

use serde::Deserialize;

use crate::fault_rules;
pub use crate::fault_rules::{Tracker, DEFAULT_BYTES_PER_SEC};

/// The parsed `faults.json`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IosFaults {
    #[serde(default)]
    pub trace: bool,
    #[serde(default)]
    pub detach: bool,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl IosFaults {
    /// Reads the file; missing or unreadable means no faults (a broken file
    /// is logged and ignored, as a half-written file must not crash us).
    pub fn load(path: &Path) -> IosFaults {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!("{}: {e}", path.display());
                IosFaults::default()
            }),
            Err(_) => IosFaults::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Drop,
    Stall,
    Slow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    #[default]
    Before,
    During,
    After,
}

/// One rule of `faults.json`.
pub type Rule = fault_rules::Rule<Action, When>;

/// The fault a step runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub action: Action,
    pub when: When,
    pub after_bytes: u64,
    pub bytes_per_sec: u64,
}

impl Fault {
    pub fn label(&self) -> String {
        let action = match self.action {
            Action::Drop => "drop",
            Action::Stall => "stall",
            Action::Slow => return "slow".to_string(),
        };
        match self.when {
            When::Before => action.to_string(),
            When::During => format!("{action}@during"),
            When::After => format!("{action}@after"),
        }
    }

    /// A drop or stall at this point.
    pub fn fires(&self, when: When) -> bool {
        self.when == when && matches!(self.action, Action::Drop | Action::Stall)
    }
}

impl From<&Rule> for Fault {
    fn from(rule: &Rule) -> Self {
        Fault {
            action: rule.action,
            when: rule.when,
            after_bytes: rule.after_bytes,
            bytes_per_sec: rule.bytes_per_sec,
        }
    }
}

/// Appends one line to the trace file (errors are only logged).
pub fn trace(path: &Path, fault: Option<&Fault>, step: &str) {
    let label = fault.map_or_else(|| "-".to_string(), Fault::label);
    let line = format!("{label}\t{}\n", step.replace('\n', "\\n"));
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        tracing::warn!("cannot write {}: {e}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(json: &str) -> Vec<Rule> {
        serde_json::from_str(json).expect("rules")
    }

    #[test]
    fn defaults_and_labels() {
        let r = rules(r#"[{"match":"afc:","action":"drop"}]"#);
        assert_eq!(r[0].when, When::Before);
        assert_eq!(r[0].bytes_per_sec, DEFAULT_BYTES_PER_SEC);
        let t = Tracker::default();
        let f = t.select(&r, "afc:FILE_OPEN /x").map(Fault::from).expect("fault");
        assert_eq!(f.label(), "drop");
        assert!(f.fires(When::Before));
        let r = rules(r#"[{"match":"","action":"stall","when":"after"}]"#);
        assert_eq!(t.select(&r, "x").map(|r| Fault::from(r).label()), Some("stall@after".into()));
        assert!(serde_json::from_str::<Vec<Rule>>(r#"[{"match":"","action":"boom"}]"#).is_err());
        assert!(
            serde_json::from_str::<Vec<Rule>>(r#"[{"match":"","action":"drop","when":"later"}]"#).is_err()
        );
    }

    #[test]
    fn skip_times_and_reset() {
        let t = Tracker::default();
        let r = rules(r#"[{"match":"lockdown:","action":"drop","skip":1,"times":1}]"#);
        let hits: Vec<bool> =
            ["lockdown:QueryType", "usbmuxd:Listen", "lockdown:GetValue", "lockdown:StartSession"]
                .iter()
                .map(|s| t.select(&r, s).is_some())
                .collect();
        assert_eq!(hits, [false, false, true, false]);
        assert!(t.select::<Action, When>(&[], "lockdown:x").is_none());
        assert!(t.select(&r, "lockdown:x").is_none(), "skip restarts with the budget");
        assert!(t.select(&r, "lockdown:x").is_some());
    }

    #[test]
    fn unknown_keys_are_ignored() {
        let f: IosFaults =
            serde_json::from_str(r#"{"afc_hang": true, "detach": true, "rules": []}"#).expect("parse");
        assert!(f.detach && !f.trace && f.rules.is_empty());
    }
}
