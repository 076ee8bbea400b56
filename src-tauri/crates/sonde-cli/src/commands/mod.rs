//! One module per group of commands. Each command is an adapter: parse its
//! arguments, resolve `<DB>` with `sonde-core`'s `open` (a local path, or a
//! device URI that becomes a snapshot), call one core function, render.

mod device;
mod diff;
mod edit;
mod emulators;
mod export;
mod read;
mod watch;

use crate::cli::Command;
use sonde_core::device::runner::CancellationToken;
use sonde_core::{CoreConfig, CoreError, Face, OpenDb, Sonde};
use std::future::Future;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
}

impl From<sonde_core::DbError> for CliError {
    fn from(e: sonde_core::DbError) -> Self {
        CliError::Core(e.into())
    }
}

impl From<sonde_core::device::DeviceError> for CliError {
    fn from(e: sonde_core::device::DeviceError) -> Self {
        CliError::Core(e.into())
    }
}

impl CliError {
    /// A closed stdout (`sonde rows ... | head`) is not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        let io = match self {
            CliError::Output(e) => Some(e),
            CliError::Core(CoreError::Db(sonde_core::DbError::Output(e))) => Some(e),
            _ => None,
        };
        io.is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The message for the terminal (core errors say which command helps).
    pub fn message(&self) -> String {
        match self {
            CliError::Core(e) => e.message_for(Face::Cli),
            other => other.to_string(),
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

/// What every command gets: the core and a runtime to drive it.
pub struct Ctx {
    rt: tokio::runtime::Runtime,
    core: Sonde,
    cancel: CancellationToken,
}

impl Ctx {
    fn new() -> CliResult<Ctx> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(CliError::Output)?;
        let core = rt.block_on(Sonde::new(CoreConfig::from_env()))?;
        Ok(Ctx { rt, core, cancel: CancellationToken::new() })
    }

    /// Drives one core call to its end.
    pub fn run<T>(&self, call: impl Future<Output = sonde_core::Result<T>>) -> CliResult<T> {
        Ok(self.rt.block_on(call)?)
    }

    /// Resolves `<DB>` to a local SQLite file.
    pub fn open(&self, db: &str) -> CliResult<OpenDb> {
        self.run(self.core.open(db, &self.cancel))
    }
}

/// The `--cipher-key` / `SONDE_CIPHER_KEY` key with its `--cipher-pragma` settings.
pub fn cipher_key(key: Option<&str>, settings: &[String]) -> CliResult<Option<sonde_core::CipherKey>> {
    let Some(text) = key else {
        if settings.is_empty() {
            return Ok(None);
        }
        return Err(CliError::Usage(
            "--cipher-pragma needs a key (--cipher-key KEY or SONDE_CIPHER_KEY)".into(),
        ));
    };
    Ok(Some(sonde_core::parse_cipher_key(text, settings)?))
}

pub fn run(command: Command, key: Option<sonde_core::CipherKey>) -> CliResult {
    let ctx = Ctx::new()?;
    ctx.core.use_cipher_key(key);
    match command {
        Command::Tables { db, json } => read::tables(&ctx, &ctx.open(&db)?, json),
        Command::Schema { db, table, json } => read::schema(&ctx, &ctx.open(&db)?, &table, json),
        Command::Rows { db, table, limit, after, order, filters, json, display } => {
            let output = match (json, display) {
                (true, true) => {
                    return Err(CliError::Usage(
                        "--display is for text output (--json values stay raw and exact)".into(),
                    ))
                }
                (true, false) => read::RowsOutput::Json,
                (false, true) => read::RowsOutput::Display,
                (false, false) => read::RowsOutput::Text,
            };
            read::rows(&ctx, &ctx.open(&db)?, table, limit, after, &order, &filters, output)
        }
        Command::Query { db, sql, json } => read::query(&ctx, &ctx.open(&db)?, &sql, json),
        Command::Export { db, table, format, query, order, filters, output } => {
            export::run(&ctx, &ctx.open(&db)?, table, &format, query, &order, &filters, output)
        }
        Command::Update { db, table, key, set, json } => {
            edit::update(&ctx, &ctx.open(&db)?, table, key, &set, json)
        }
        Command::Insert { db, table, set, json } => edit::insert(&ctx, &ctx.open(&db)?, table, &set, json),
        Command::Delete { db, table, keys, json } => edit::delete(&ctx, &ctx.open(&db)?, table, keys, json),
        Command::Devices { json } => device::devices(&ctx, json),
        Command::Apps { device, all, json } => device::apps(&ctx, &device, all, json),
        Command::Dbs { device, app, json } => device::dbs(&ctx, &device, &app, json),
        Command::Pull { uri, output, discard } => device::pull(&ctx, &uri, output.as_deref(), discard),
        Command::Discard { uri } => device::discard(&ctx, &uri),
        Command::Push { uri, no_stop, no_rebase, allow_schema_change, json } => {
            device::push(&ctx, &uri, !no_stop, !no_rebase, allow_schema_change, json)
        }
        Command::Doctor { json } => device::doctor(&ctx, json),
        Command::Emulators { json } => emulators::emulators(&ctx, json),
        Command::Boot { name, timeout, json } => emulators::boot(&ctx, &name, timeout, json),
        Command::Versions { db, json } => watch::versions(&ctx, &db, json),
        Command::Watch { db, interval, count, json } => watch::watch(&ctx, &db, interval, count, json),
        Command::Conflicts { uri, json } => watch::conflicts(&ctx, &ctx.open(&uri)?, json),
        Command::Resolve { uri, id, keep, json } => {
            let keep = if keep == "mine" { sonde_core::Keep::Mine } else { sonde_core::Keep::Theirs };
            watch::resolve(&ctx, &ctx.open(&uri)?, id, keep, json)
        }
        Command::Diff { a, b, from, to, tables, json, sql } => {
            let format = if sql {
                diff::Format::Sql
            } else if json {
                diff::Format::Json
            } else {
                diff::Format::Text
            };
            diff::run(&ctx, &a, b.as_deref(), from, to, tables, format)
        }
    }
}
