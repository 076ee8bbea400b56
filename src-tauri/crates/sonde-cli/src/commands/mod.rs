//! One module per group of commands; each resolves `<DB>` through
//! `sonde-core` and calls one service.

mod edit;
mod export;
mod read;

use crate::cli::Command;
use sonde_core::{CoreError, Location};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(transparent)]
    Db(#[from] sonde_db::DbError),
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

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Tables { db, json } => read::tables(&local(&db)?, json),
        Command::Schema { db, table, json } => read::schema(&local(&db)?, &table, json),
        Command::Rows { db, table, limit, after, order, filters, json } => {
            read::rows(&local(&db)?, table, limit, after, &order, &filters, json)
        }
        Command::Query { db, sql, json } => read::query(&local(&db)?, &sql, json),
        Command::Export { db, table, format, query, order, filters, output } => {
            export::run(&local(&db)?, table, &format, query, &order, &filters, output.as_deref())
        }
        Command::Update { db, table, key, set, json } => edit::update(&local(&db)?, table, key, &set, json),
        Command::Insert { db, table, set, json } => edit::insert(&local(&db)?, table, &set, json),
        Command::Delete { db, table, keys, json } => edit::delete(&local(&db)?, table, keys, json),
    }
}

fn local(text: &str) -> CliResult<PathBuf> {
    match Location::parse(text)? {
        Location::Local(path) => Ok(path),
    }
}
