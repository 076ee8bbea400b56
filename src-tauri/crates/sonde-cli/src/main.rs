//! `sonde`: Sonde's services on the command line.
//!
//! Output goes to stdout; diagnostics, `--stats` and errors to stderr. Exit
//! code 0 on success; on failure a single `error: ...` line and code 1.

mod cli;
mod commands;
mod render;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    init_tracing();
    let stats = args.stats;
    let result = commands::cipher_key(args.cipher_key.as_deref(), &args.cipher_pragma)
        .and_then(|key| commands::run(args.command, key));
    if stats {
        let snapshot = sonde_metrics::snapshot();
        let _ = write!(std::io::stderr(), "{}", sonde_metrics::render_table(&snapshot));
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let line = e.message().replace('\n', " ");
            // Error details may quote names from a database or a device.
            let line = render::escape_controls(&line, false);
            let _ = writeln!(std::io::stderr(), "error: {line}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr and only when asked (`SONDE_LOG=debug`): service spans
/// with their durations (on close); they never contain cell values.
fn init_tracing() {
    let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("SONDE_LOG") else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .try_init();
}
