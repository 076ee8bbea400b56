//! One module per group of commands. Every `<DB>` is resolved through
//! `sonde-core` (a local path, or a device URI that becomes a snapshot),
//! then one service is called.

mod device;
mod edit;
mod export;
mod read;

use crate::cli::Command;
use sonde_core::device::runner::CancellationToken;
use sonde_core::{CoreConfig, CoreError, OpenDb, Sonde};

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(transparent)]
    Db(#[from] sonde_db::DbError),
    #[error(transparent)]
    Device(#[from] sonde_core::device::DeviceError),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// A closed stdout (`sonde rows ... | head`) is not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        let io = match self {
            CliError::Output(e) => Some(e),
            CliError::Db(sonde_db::DbError::Output(e)) => Some(e),
            CliError::Core(CoreError::Db(sonde_db::DbError::Output(e))) => Some(e),
            _ => None,
        };
        io.is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

/// What every command gets: the shared services and a runtime for the
/// device layer.
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
        let core = Sonde::new(CoreConfig::from_env())?;
        Ok(Ctx { rt, core, cancel: CancellationToken::new() })
    }

    /// Applies edits through the core (change log, dirty snapshot).
    pub fn apply(
        &self,
        db: &OpenDb,
        edits: Vec<sonde_db::mutation::Edit>,
    ) -> CliResult<Vec<sonde_db::mutation::Change>> {
        Ok(self.rt.block_on(self.core.apply(db, edits))?)
    }

    /// Marks a database written by SQL (dirty snapshot).
    pub fn note_write(&self, db: &OpenDb) -> CliResult {
        Ok(self.core.note_write(db)?)
    }

    /// Resolves `<DB>` to a local SQLite file.
    pub fn open(&self, db: &str) -> CliResult<OpenDb> {
        Ok(self.rt.block_on(self.core.open(db, &self.cancel))?)
    }
}

pub fn run(command: Command) -> CliResult {
    let ctx = Ctx::new()?;
    match command {
        Command::Tables { db, json } => read::tables(&ctx.open(&db)?.path, json),
        Command::Schema { db, table, json } => read::schema(&ctx.open(&db)?.path, &table, json),
        Command::Rows { db, table, limit, after, order, filters, json } => {
            read::rows(&ctx.open(&db)?.path, table, limit, after, &order, &filters, json)
        }
        Command::Query { db, sql, json } => read::query(&ctx, &ctx.open(&db)?, &sql, json),
        Command::Export { db, table, format, query, order, filters, output } => {
            export::run(&ctx.open(&db)?.path, table, &format, query, &order, &filters, output.as_deref())
        }
        Command::Update { db, table, key, set, json } => {
            edit::update(&ctx, &ctx.open(&db)?, table, key, &set, json)
        }
        Command::Insert { db, table, set, json } => edit::insert(&ctx, &ctx.open(&db)?, table, &set, json),
        Command::Delete { db, table, keys, json } => edit::delete(&ctx, &ctx.open(&db)?, table, keys, json),
        Command::Devices { json } => device::devices(&ctx, json),
        Command::Apps { device, all, json } => device::apps(&ctx, &device, all, json),
        Command::Dbs { device, app, json } => device::dbs(&ctx, &device, &app, json),
        Command::Pull { uri, output } => device::pull(&ctx, &uri, output.as_deref()),
        Command::Push { uri, no_stop, json } => device::push(&ctx, &uri, !no_stop, json),
        Command::Doctor { json } => device::doctor(&ctx, json),
    }
}
