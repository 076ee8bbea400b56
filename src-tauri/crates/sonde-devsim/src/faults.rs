//! Fault injection: the `faults` object of `device.json`.
//!
//! Tests flip these while the server runs (the file is re-read on every new
//! connection and on every OPEN), so a test can make the next pull fail
//! without restarting the device.
//!
//! ```json
//! "faults": {
//!   "unauthorized": false,
//!   "offline": false,
//!   "trace": true,
//!   "rules": [
//!     { "match": "sync:", "action": "drop", "after_bytes": 1048576, "times": 1 },
//!     { "match": "", "action": "drop", "when": "close", "skip": 4, "times": 1 },
//!     { "match": "sha256sum", "action": "stall" },
//!     { "match": "exec:", "action": "never_open" },
//!     { "match": "cat ", "action": "slow", "bytes_per_sec": 65536 }
//!   ]
//! }
//! ```
//!
//! * `unauthorized` (connection level): answer the host's CNXN with an AUTH
//!   TOKEN and never accept any signature or public key. `adb devices` shows
//!   the device as `unauthorized`. Checked when a connection's handshake
//!   starts; flipping it back requires a reconnect (`adb disconnect`).
//! * `offline` (connection level): accept the TCP connection, read and
//!   discard everything, never send CNXN. `adb connect` gives up after ~10 s
//!   and the device stays `offline`.
//! * `trace` (default false): append one line per OPEN to `DIR/streams.log`:
//!   the fault that was selected for the stream (`-` for none, else e.g.
//!   `drop`, `stall@close`), a tab, and the service string (newlines shown
//!   as `\n`). Lets a test learn which streams an operation opens, in order.
//! * `rules` (stream level): each OPEN's service string (e.g.
//!   `shell,v2,TERM=xterm,raw:ls /sdcard`, `exec:cat '/sdcard/a.db'`,
//!   `sync:`) is compared with every rule in order; the first rule whose
//!   `match` is a substring of it and whose `times` budget is not exhausted
//!   applies to that stream.
//!   * `action`:
//!     * `drop` — close the whole TCP connection abruptly (every stream on it
//!       dies; the adb server will show the device offline and reconnect).
//!     * `stall` — stop servicing the stream forever while keeping the
//!       socket open; no more data, no OKAY for host data, no CLSE.
//!     * `never_open` — never answer the OPEN (no OKAY, no CLSE).
//!     * `slow` — after `after_bytes`, pace the stream to `bytes_per_sec`
//!       in both directions (outgoing WRTEs are delayed; OKAYs for incoming
//!       WRTEs are delayed).
//!   * `after_bytes` (default 0): stream *payload* bytes counted separately
//!     in each direction — bytes we send to the host in WRTE messages and
//!     bytes the host sends us in WRTE messages (for `sync:` this includes the
//!     sync framing: request headers, `DATA` headers, paths). `drop`/`stall`
//!     fire at the first byte that would make either count exceed
//!     `after_bytes`: outgoing data is cut so that exactly `after_bytes`
//!     bytes reach the host; an incoming WRTE that crosses the limit is not
//!     processed (so for a push, at most `after_bytes` bytes of sync traffic
//!     reach the device and the partial file is discarded). With the default
//!     0 the action fires at the stream's first byte in either direction.
//!   * `when` (for `drop` and `stall`, default `"open"`): `"open"` fires by
//!     `after_bytes` as above. `"start"` fires as soon as the stream is
//!     open (OKAY sent), before the service does anything: the command never
//!     runs, the sync session never starts. `"close"` lets the stream do its work and
//!     fires instead of its final reply, ignoring `after_bytes`: for
//!     `shell:`/`exec:` the command ran and its output was sent, but the
//!     exit status (shell v2) and the CLSE never come; for `sync:` a `SEND`
//!     was written into place (or a `RECV`'s data was sent) but its
//!     `OKAY`/`DONE` never comes (a sync stream without transfers fires at
//!     `QUIT`/close). `drop` then closes the connection, `stall` hangs.
//!   * `bytes_per_sec` (for `slow`, default 16384).
//!   * `skip` (default 0): the rule lets the first `skip` streams it matches
//!     pass untouched (they are compared with the later rules instead), so
//!     `{"match": "", "skip": 3, "times": 1, ...}` hits exactly the fourth
//!     stream opened after the rule appeared.
//!   * `times` (optional): only the first N streams matched by this rule
//!     (after the skipped ones) are affected. Counts are kept in memory per rule, keyed by the rule's
//!     canonical JSON, and forgotten when the rule disappears from the file
//!     (so re-adding a rule restarts its budget).
//!
//! Other keys in a rule are allowed and become part of its identity, e.g. a
//! `"id": 2` to restart a budget deliberately.

use serde::Deserialize;

pub use crate::fault_rules::DEFAULT_BYTES_PER_SEC;
use crate::fault_rules::{Rule, Tracker};

/// Connection- and stream-level faults, as read from `device.json`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Faults {
    #[serde(default)]
    pub unauthorized: bool,
    #[serde(default)]
    pub offline: bool,
    #[serde(default)]
    pub trace: bool,
    #[serde(default)]
    pub rules: Vec<FaultRule>,
}

/// What a matching rule does to its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    Drop,
    Stall,
    NeverOpen,
    Slow,
}

impl FaultAction {
    fn name(self) -> &'static str {
        match self {
            FaultAction::Drop => "drop",
            FaultAction::Stall => "stall",
            FaultAction::NeverOpen => "never_open",
            FaultAction::Slow => "slow",
        }
    }
}

/// When a `drop`/`stall` fires: by byte count, or instead of the final reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultWhen {
    #[default]
    Open,
    Start,
    Close,
}

/// One stream-level rule.
pub type FaultRule = Rule<FaultAction, FaultWhen>;

/// The part of a rule a stream needs once it has been selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveFault {
    pub action: FaultAction,
    pub after_bytes: u64,
    pub bytes_per_sec: u64,
    pub when: FaultWhen,
}

impl ActiveFault {
    /// A `drop`/`stall` that fires at a fixed point (`when` is `start` or
    /// `close`) rather than by byte count.
    pub fn fires_at(&self, when: FaultWhen) -> bool {
        self.when == when && matches!(self.action, FaultAction::Drop | FaultAction::Stall)
    }

    /// Fires by byte count (`after_bytes`).
    pub fn by_bytes(&self) -> bool {
        !self.fires_at(FaultWhen::Start) && !self.fires_at(FaultWhen::Close)
    }

    /// Short label for the trace: `drop`, `stall@close`, `drop@start`, ...
    pub fn label(&self) -> String {
        if self.fires_at(FaultWhen::Close) {
            format!("{}@close", self.action.name())
        } else if self.fires_at(FaultWhen::Start) {
            format!("{}@start", self.action.name())
        } else {
            self.action.name().to_string()
        }
    }
}

impl From<&FaultRule> for ActiveFault {
    fn from(rule: &FaultRule) -> Self {
        Self {
            action: rule.action,
            after_bytes: rule.after_bytes,
            bytes_per_sec: rule.bytes_per_sec,
            when: rule.when,
        }
    }
}

/// Remembers how many streams each rule has matched and affected (for
/// `skip` and `times`).
pub type FaultTracker = Tracker;

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(json: &str) -> Vec<FaultRule> {
        serde_json::from_str(json).expect("rules parse")
    }

    #[test]
    fn parses_defaults() {
        let r = rules(r#"[{"match":"sync:","action":"slow"}]"#);
        assert_eq!(r[0].action, FaultAction::Slow);
        assert_eq!(r[0].after_bytes, 0);
        assert_eq!(r[0].bytes_per_sec, DEFAULT_BYTES_PER_SEC);
        assert_eq!(r[0].times, None);
        assert_eq!(r[0].skip, 0);
        assert_eq!(r[0].when, FaultWhen::Open);
    }

    #[test]
    fn parses_when_and_skip() {
        let r = rules(r#"[{"match":"","action":"stall","when":"close","skip":3}]"#);
        assert_eq!(r[0].when, FaultWhen::Close);
        assert_eq!(r[0].skip, 3);
        let f = ActiveFault::from(&r[0]);
        assert!(f.fires_at(FaultWhen::Close) && !f.by_bytes());
        assert_eq!(f.label(), "stall@close");
        let start = rules(r#"[{"match":"","action":"drop","when":"start"}]"#);
        assert!(ActiveFault::from(&start[0]).fires_at(FaultWhen::Start));
        assert_eq!(ActiveFault::from(&start[0]).label(), "drop@start");
        let bad: Result<Vec<FaultRule>, _> =
            serde_json::from_str(r#"[{"match":"","action":"drop","when":"later"}]"#);
        assert!(bad.is_err());
        // `when` only concerns drop and stall.
        let slow = rules(r#"[{"match":"","action":"slow","when":"close"}]"#);
        assert!(ActiveFault::from(&slow[0]).by_bytes());
        assert_eq!(ActiveFault::from(&slow[0]).label(), "slow");
    }

    #[test]
    fn skip_hits_exactly_the_nth_stream() {
        let tracker = FaultTracker::new();
        let r = rules(r#"[{"match":"","action":"drop","skip":2,"times":1}]"#);
        let hits: Vec<bool> = ["shell:a", "exec:b", "sync:", "shell:c"]
            .iter()
            .map(|s| tracker.select(&r, s).is_some())
            .collect();
        assert_eq!(hits, [false, false, true, false]);
    }

    #[test]
    fn skipped_streams_fall_through_to_later_rules() {
        let tracker = FaultTracker::new();
        let r = rules(
            r#"[{"match":"exec:","action":"drop","skip":1,"times":1},
                {"match":"exec:","action":"slow"}]"#,
        );
        let got: Vec<Option<FaultAction>> =
            (0..3).map(|_| tracker.select(&r, "exec:cat x").map(|f| f.action)).collect();
        assert_eq!(got, [Some(FaultAction::Slow), Some(FaultAction::Drop), Some(FaultAction::Slow)]);
        // Non-matching streams do not count towards `skip`.
        let tracker = FaultTracker::new();
        let r = rules(r#"[{"match":"sync:","action":"stall","skip":1}]"#);
        assert!(tracker.select(&r, "shell:ls").is_none());
        assert!(tracker.select(&r, "sync:").is_none());
        assert!(tracker.select(&r, "shell:ls").is_none());
        assert!(tracker.select(&r, "sync:").is_some());
    }

    #[test]
    fn rejects_unknown_action() {
        let r: Result<Vec<FaultRule>, _> = serde_json::from_str(r#"[{"match":"x","action":"explode"}]"#);
        assert!(r.is_err());
    }

    #[test]
    fn times_budget_and_reset() {
        let tracker = FaultTracker::new();
        let r = rules(r#"[{"match":"exec:","action":"drop","times":2}]"#);
        assert!(tracker.select(&r, "exec:cat x").is_some());
        assert!(tracker.select(&r, "shell:ls").is_none());
        assert!(tracker.select(&r, "exec:cat y").is_some());
        assert!(tracker.select(&r, "exec:cat z").is_none());
        // Rule removed, then re-added: budget restarts.
        assert!(tracker.select::<FaultAction, FaultWhen>(&[], "exec:cat z").is_none());
        assert!(tracker.select(&r, "exec:cat z").is_some());
    }

    #[test]
    fn first_rule_with_budget_wins() {
        let tracker = FaultTracker::new();
        let r = rules(
            r#"[{"match":"sync:","action":"drop","times":1},
                {"match":"sync:","action":"stall"}]"#,
        );
        let first = tracker.select(&r, "sync:").map(|f| f.action);
        let second = tracker.select(&r, "sync:").map(|f| f.action);
        assert_eq!(first, Some(FaultAction::Drop));
        assert_eq!(second, Some(FaultAction::Stall));
    }
}
