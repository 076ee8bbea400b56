//! `devices`, `apps`, `dbs`, `pull`, `push`, `doctor`.

use super::read::stdout;
use super::{CliError, CliResult, Ctx};
use crate::render;
use crate::render::PushMeter;
use sonde_core::device::model::PushOptions;
use sonde_core::device::DeviceUri;
use sonde_core::{PushOutcome, Pushed};
use std::io::Write;
use std::path::Path;

pub(super) fn print_json<T: serde::Serialize>(value: &T) -> CliResult {
    let mut out = stdout();
    serde_json::to_writer(&mut out, value).map_err(|e| CliError::Output(e.into()))?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

pub fn devices(ctx: &Ctx, json: bool) -> CliResult {
    let listing = ctx.rt.block_on(ctx.core.devices(&ctx.cancel));
    for problem in &listing.problems {
        tracing::info!(%problem, "platform unavailable");
    }
    if json {
        return print_json(&listing.devices);
    }
    let rows: Vec<Vec<String>> = listing
        .devices
        .iter()
        .map(|d| {
            vec![
                d.uri(),
                d.name.clone(),
                format!("{:?}", d.kind).to_lowercase(),
                d.raw_state.clone(),
                d.os_version.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table_with_notes(&["device", "name", "kind", "state", "os"], &rows, &listing.problems)
}

/// A table, then one `note:` line per platform that could not answer.
pub(super) fn table_with_notes(header: &[&str], rows: &[Vec<String>], problems: &[String]) -> CliResult {
    let mut out = stdout();
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    out.write_all(render::table(&header, rows).as_bytes())?;
    for problem in problems {
        writeln!(out, "note: {}", render::escape_controls(problem, false))?;
    }
    out.flush()?;
    Ok(())
}

pub fn apps(ctx: &Ctx, device: &str, all: bool, json: bool) -> CliResult {
    let apps = ctx.run(ctx.core.apps(device, all, &ctx.cancel))?;
    if json {
        return print_json(&apps);
    }
    let rows: Vec<Vec<String>> = apps
        .iter()
        .map(|a| {
            let debuggable = match a.debuggable {
                Some(true) => "debuggable",
                Some(false) => "not debuggable",
                None => "",
            };
            vec![a.id.clone(), a.name.clone().unwrap_or_default(), debuggable.to_owned()]
        })
        .collect();
    let mut out = stdout();
    out.write_all(render::table(&["app".into(), "name".into(), "access".into()], &rows).as_bytes())?;
    out.flush()?;
    Ok(())
}

pub fn dbs(ctx: &Ctx, device: &str, app: &str, json: bool) -> CliResult {
    let dbs = ctx.run(ctx.core.databases(device, app, &ctx.cancel))?;
    if json {
        return print_json(&dbs);
    }
    let rows: Vec<Vec<String>> = dbs
        .iter()
        .map(|d| {
            let mut notes = Vec::new();
            if d.wal {
                notes.push("wal");
            }
            if d.journal {
                notes.push("journal");
            }
            vec![d.uri.clone(), d.size.map(|s| s.to_string()).unwrap_or_default(), notes.join(",")]
        })
        .collect();
    let mut out = stdout();
    out.write_all(
        render::table(&["database".into(), "bytes".into(), "side files".into()], &rows).as_bytes(),
    )?;
    out.flush()?;
    Ok(())
}

pub fn pull(ctx: &Ctx, uri: &str, output: Option<&Path>, discard: bool) -> CliResult {
    let uri = DeviceUri::parse(uri)?;
    let printed = ctx.run(ctx.core.pull(&uri, discard, output, &ctx.cancel))?;
    let mut out = stdout();
    writeln!(out, "{}", printed.display())?;
    out.flush()?;
    Ok(())
}

pub fn discard(ctx: &Ctx, uri: &str) -> CliResult {
    let parsed = DeviceUri::parse(uri)?;
    let (fresh, _) = ctx.run(ctx.core.discard(&parsed, &ctx.cancel))?;
    let mut out = stdout();
    writeln!(
        out,
        "discarded the edits of {}; pulled the device's version into {}",
        uri,
        fresh.path.display()
    )?;
    out.flush()?;
    Ok(())
}

pub fn push(
    ctx: &Ctx,
    uri: &str,
    stop_app: bool,
    rebase: bool,
    allow_schema_change: bool,
    json: bool,
) -> CliResult {
    let uri = DeviceUri::parse(uri)?;
    let meter = PushMeter::on_stderr();
    let outcome = ctx.run(ctx.core.push(
        &uri,
        PushOptions { stop_app },
        rebase,
        allow_schema_change,
        |p| meter.show(p),
        &ctx.cancel,
    ));
    meter.finish();
    let outcome = outcome?;
    if json {
        return print_json(&outcome);
    }
    let mut out = stdout();
    match outcome {
        PushOutcome::Pushed(Pushed { report, rebased }) => {
            writeln!(out, "pushed {} ({} bytes, sha256 {})", report.uri, report.bytes, report.sha256)?;
            writeln!(out, "previous version kept in {}", report.backup.display())?;
            if rebased > 0 {
                let edits = if rebased == 1 { "edit" } else { "edits" };
                writeln!(out, "re-applied {rebased} {edits} on top of what the app wrote since the pull")?;
            }
        }
        PushOutcome::Unchanged => {
            writeln!(
                out,
                "nothing to push: {uri} has no edits since it was pulled (the device was not touched)"
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

pub fn doctor(ctx: &Ctx, json: bool) -> CliResult {
    let report = ctx.rt.block_on(ctx.core.doctor());
    if json {
        return print_json(&report);
    }
    let rows: Vec<Vec<String>> = report
        .iter()
        .map(|t| {
            vec![
                format!("{:?}", t.tool).to_lowercase(),
                t.path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "-".into()),
                [t.version.as_deref().or(t.problem.as_deref()), t.note.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    let mut out = stdout();
    out.write_all(
        render::table(&["tool".into(), "path".into(), "version / problem / note".into()], &rows).as_bytes(),
    )?;
    out.flush()?;
    Ok(())
}
