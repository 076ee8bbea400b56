//! `emulators`, `boot`.

use super::device::{print_json, table_with_notes};
use super::read::stdout;
use super::{CliResult, Ctx};
use crate::render;
use sonde_core::device::virtual_devices::BootStep;
use sonde_core::device::Platform;
use std::io::{IsTerminal, Write};
use std::time::Duration;

pub fn emulators(ctx: &Ctx, json: bool) -> CliResult {
    let listing = ctx.rt.block_on(ctx.core.virtual_devices(&ctx.cancel));
    for problem in &listing.problems {
        tracing::info!(%problem, "virtual devices unavailable");
    }
    if json {
        return print_json(&listing.devices);
    }
    let rows: Vec<Vec<String>> = listing
        .devices
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                d.name.clone(),
                if d.platform == Platform::Sim { "simulator" } else { "avd" }.to_owned(),
                d.os_version.clone().unwrap_or_default(),
                d.running.as_ref().map_or_else(|| "shut down".to_owned(), |r| format!("running ({r})")),
            ]
        })
        .collect();
    table_with_notes(&["id", "name", "kind", "os", "state"], &rows, &listing.problems)
}

/// Boots, showing the steps on a terminal; prints the device it runs as.
pub fn boot(ctx: &Ctx, name: &str, timeout: Option<u64>, json: bool) -> CliResult {
    let live = std::io::stderr().is_terminal();
    let show = |step: BootStep| {
        if !live {
            return;
        }
        let text = match step {
            BootStep::Starting { name } => format!("starting {name}"),
            BootStep::Booting { device } => format!("{device} is booting"),
            BootStep::Booted { device } => format!("{device} has booted"),
        };
        let _ = write!(std::io::stderr(), "\r\x1b[2Kboot: {}", render::escape_controls(&text, false));
    };
    let result = ctx.run(ctx.core.boot(name, timeout.map(Duration::from_secs), &show, &ctx.cancel));
    if live {
        let _ = writeln!(std::io::stderr());
    }
    let report = result?;
    if json {
        return print_json(&report);
    }
    let mut out = stdout();
    writeln!(out, "{}", report.device)?;
    out.flush()?;
    Ok(())
}
