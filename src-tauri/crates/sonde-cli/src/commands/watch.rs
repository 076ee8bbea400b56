//! `versions`, `watch`, `conflicts`, `resolve`: a database's history, live.

use super::device::print_json;
use super::read::stdout;
use super::{CliError, CliResult, Ctx};
use crate::render;
use sonde_core::{Conflict, Keep, Location, OpenDb, VersionInfo, WatchEvent};
use std::io::Write;
use std::time::{Duration, SystemTime};

/// RFC 3339 UTC with milliseconds, from ms since the epoch.
fn time_of(ms: i64) -> String {
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(at).to_string()
}

fn version_json(v: &VersionInfo) -> serde_json::Value {
    serde_json::json!({
        "version": v.number,
        "at": time_of(v.at),
        "at_ms": v.at,
        "bytes": v.bytes,
        "sha256": v.sha256,
        "producer": v.producer,
        "wal": v.wal,
        "journal": v.journal,
        "moved_bytes": v.moved_bytes,
        "pinned": v.pinned,
    })
}

pub fn versions(ctx: &Ctx, db: &str, json: bool) -> CliResult {
    let list = ctx.run(ctx.core.versions(&Location::parse(db)?))?;
    if json {
        return print_json(&list.iter().map(version_json).collect::<Vec<_>>());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|v| {
            let files = match (v.wal, v.journal) {
                (true, _) => "db+wal",
                (false, true) => "db+journal",
                _ => "db",
            };
            vec![
                v.number.to_string(),
                time_of(v.at),
                v.bytes.to_string(),
                files.to_owned(),
                v.sha256.chars().take(16).collect(),
                format!("{:?}", v.producer).to_lowercase() + if v.pinned { " (baseline)" } else { "" },
            ]
        })
        .collect();
    let header: Vec<String> =
        ["version", "at", "bytes", "files", "sha256", "producer"].iter().map(|s| (*s).to_owned()).collect();
    let mut out = stdout();
    write!(out, "{}", render::table(&header, &rows))?;
    out.flush()?;
    Ok(())
}

pub fn watch(ctx: &Ctx, db: &str, interval_ms: u64, count: Option<u64>, json: bool) -> CliResult {
    let open = ctx.open(db)?;
    let stop = ctx.cancel.clone();
    let mut lines = 0u64;
    let mut failure: Option<std::io::Error> = None;
    let mut emit = |line: String| {
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
            failure.get_or_insert(e);
            stop.cancel();
            return;
        }
        lines += 1;
        if count.is_some_and(|n| lines >= n) {
            stop.cancel();
        }
    };
    if count == Some(0) {
        return Ok(());
    }
    let interrupt = ctx.cancel.clone();
    ctx.rt.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            interrupt.cancel();
        }
    });
    let on_event = |event: WatchEvent| match event {
        WatchEvent::Started { version } => emit(if json {
            let mut v = version_json(&version);
            v["started"] = true.into();
            v["tables"] = serde_json::json!([]);
            v.to_string()
        } else {
            format!(
                "watching {} from version {} ({}, {} bytes)",
                render::escape_controls(&open.label, false),
                version.number,
                time_of(version.at),
                version.bytes
            )
        }),
        WatchEvent::Version { version, diff, replaced, rebased, conflicts } => {
            let tables = diff.tables.iter().filter(|t| t.counts.changed() || t.header.schema_changed);
            emit(if json {
                let tables: Vec<serde_json::Value> = tables
                    .map(|t| {
                        serde_json::json!({
                            "name": t.header.name,
                            "status": t.header.status,
                            "inserted": t.counts.inserted,
                            "deleted": t.counts.deleted,
                            "updated": t.counts.updated,
                            "schema_changed": t.header.schema_changed,
                        })
                    })
                    .collect();
                let mut v = version_json(&version);
                v["tables"] = tables.into();
                v["schema"] = serde_json::to_value(&diff.schema).unwrap_or_default();
                v["replaced"] = replaced.into();
                v["rebased"] = rebased.into();
                v["conflicts"] = conflicts.len().into();
                v.to_string()
            } else {
                let mut parts: Vec<String> = tables
                    .map(|t| {
                        let schema = if t.header.schema_changed { " (schema changed)" } else { "" };
                        format!(
                            "{} +{} -{} ~{}{schema}",
                            render::escape_controls(&t.header.name, false),
                            t.counts.inserted,
                            t.counts.deleted,
                            t.counts.updated
                        )
                    })
                    .collect();
                if parts.is_empty() {
                    parts.push("no row changes".into());
                }
                let mut line =
                    format!("version {} at {}: {}", version.number, time_of(version.at), parts.join(", "));
                if replaced {
                    line.push_str(" [database file replaced]");
                }
                if rebased > 0 || !conflicts.is_empty() {
                    line.push_str(&format!(" [rebased {rebased} pending, {} conflicts]", conflicts.len()));
                }
                line
            })
        }
        WatchEvent::Paused { reason } => eprintln!("paused: {}", render::escape_controls(&reason, false)),
        WatchEvent::Resumed => eprintln!("resumed"),
        WatchEvent::Error { error } => {
            eprintln!("warning: {}", render::escape_controls(&error.message, false))
        }
        WatchEvent::Stopped => {}
    };
    let interval = Duration::from_millis(interval_ms.max(50));
    ctx.run(ctx.core.watch(&open, interval, &ctx.cancel, on_event))?;
    match failure {
        Some(e) => Err(CliError::Output(e)),
        None => Ok(()),
    }
}

pub fn conflicts(ctx: &Ctx, db: &OpenDb, json: bool) -> CliResult {
    let list = ctx.run(ctx.core.conflicts(db))?;
    print_conflicts(&list, json)
}

pub fn resolve(ctx: &Ctx, db: &OpenDb, id: i64, keep: Keep, json: bool) -> CliResult {
    let left = ctx.run(ctx.core.resolve_conflict(db, id, keep))?;
    print_conflicts(&left, json)
}

fn print_conflicts(list: &[Conflict], json: bool) -> CliResult {
    if json {
        return print_json(&list);
    }
    let cells = |v: &Option<Vec<sonde_core::Value>>| match v {
        Some(values) => values.iter().map(render::display).collect::<Vec<_>>().join(", "),
        None => "(no row)".into(),
    };
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                format!("{} {}", c.op, c.table),
                c.key.clone().unwrap_or_default(),
                c.columns.join(", "),
                cells(&c.saw),
                cells(&c.theirs),
                cells(&c.mine),
            ]
        })
        .collect();
    let header: Vec<String> = ["id", "change", "key", "columns", "you saw", "theirs", "mine"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut out = stdout();
    write!(out, "{}", render::table(&header, &rows))?;
    out.flush()?;
    Ok(())
}
