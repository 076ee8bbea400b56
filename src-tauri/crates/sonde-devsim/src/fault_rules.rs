//! The rule list both simulated devices read from their fault files: a
//! `match` substring, an action, a point (`when`), a byte threshold, a pace,
//! and the `skip` / `times` budgets kept in memory per rule. The Android
//! device ([`crate::faults`]) and the iPhone ([`crate::ios::faults`]) differ
//! only in their actions and points, so those are the type parameters.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::Deserialize;

/// Default pace of a `slow` rule without `bytes_per_sec`.
pub const DEFAULT_BYTES_PER_SEC: u64 = 16 * 1024;

/// One rule; `key` is its canonical JSON (the identity of its budget).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(
    try_from = "serde_json::Value",
    bound(deserialize = "A: DeserializeOwned, W: DeserializeOwned + Default")
)]
pub struct Rule<A, W> {
    pub key: String,
    pub pattern: String,
    pub action: A,
    pub when: W,
    pub after_bytes: u64,
    pub bytes_per_sec: u64,
    pub times: Option<u64>,
    pub skip: u64,
}

/// The fields of a rule, before the canonical key is attached.
#[derive(Deserialize)]
#[serde(bound(deserialize = "A: Deserialize<'de>, W: Deserialize<'de> + Default"))]
struct Fields<A, W> {
    #[serde(rename = "match")]
    pattern: String,
    action: A,
    #[serde(default)]
    when: W,
    #[serde(default)]
    after_bytes: u64,
    #[serde(default)]
    bytes_per_sec: Option<u64>,
    #[serde(default)]
    times: Option<u64>,
    #[serde(default)]
    skip: u64,
}

impl<A: DeserializeOwned, W: DeserializeOwned + Default> TryFrom<serde_json::Value> for Rule<A, W> {
    type Error = String;

    fn try_from(value: serde_json::Value) -> Result<Self, Self::Error> {
        // serde_json's default map is sorted, so this string is canonical.
        let key = value.to_string();
        let f: Fields<A, W> =
            serde_json::from_value(value).map_err(|e| format!("invalid fault rule: {e}"))?;
        Ok(Rule {
            key,
            pattern: f.pattern,
            action: f.action,
            when: f.when,
            after_bytes: f.after_bytes,
            bytes_per_sec: f.bytes_per_sec.filter(|b| *b > 0).unwrap_or(DEFAULT_BYTES_PER_SEC),
            times: f.times,
            skip: f.skip,
        })
    }
}

/// How many steps a rule has seen (matched) and affected.
#[derive(Debug, Default, Clone, Copy)]
struct Budget {
    seen: u64,
    used: u64,
}

/// Remembers each rule's budget (`skip`, `times`) across steps.
#[derive(Debug, Default)]
pub struct Tracker {
    counts: Mutex<HashMap<String, Budget>>,
}

impl Tracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// The first rule whose `match` is in `step` and whose budget allows
    /// it; charges that budget. Rules that vanished from the list are
    /// forgotten, so re-adding one restarts its budget.
    pub fn select<'r, A, W>(&self, rules: &'r [Rule<A, W>], step: &str) -> Option<&'r Rule<A, W>> {
        let mut counts = match self.counts.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let live: HashSet<&str> = rules.iter().map(|r| r.key.as_str()).collect();
        counts.retain(|k, _| live.contains(k.as_str()));
        for rule in rules {
            if !step.contains(&rule.pattern) {
                continue;
            }
            let budget = counts.entry(rule.key.clone()).or_default();
            budget.seen += 1;
            if budget.seen <= rule.skip || rule.times.is_some_and(|t| budget.used >= t) {
                continue;
            }
            budget.used += 1;
            return Some(rule);
        }
        None
    }
}
