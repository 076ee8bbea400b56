//! `sonde-db`: everything Sonde does with a SQLite file, with no knowledge of
//! devices or of the desktop shell.
//!
//! Layers, top to bottom:
//! - services: [`query`], [`console`], [`mutation`], [`export`] (what `sonde-core` calls);
//! - [`schema`]: the repository that reads the catalog;
//! - [`pool`]: the connection service (process-wide cache of r2d2 pools);
//! - [`value`], [`ident`], [`rowkey`], [`cursor`], [`filter`]: the vocabulary.
//!
//! Everything here is synchronous (rusqlite); async callers run it on a
//! blocking thread.

pub mod appstate;
pub mod budget;
pub mod cipher;
pub mod console;
pub mod cursor;
pub mod cursor_sql;
pub mod diff;
pub mod display;
pub mod error;
pub mod export;
pub mod filter;
pub mod framework;
pub mod ident;
mod jump;
pub mod mutation;
pub mod pool;
pub mod query;
pub mod rowkey;
pub mod schema;
mod sqlbuild;
pub mod sqltext;
pub mod value;

pub use error::{DbError, Result};
pub use value::Value;
