//! The command-line interface (clap definitions only).

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "sonde", version, about = "Look inside SQLite databases: local files and apps on devices")]
pub struct Args {
    /// Print service metrics (calls, errors, latencies) to stderr afterwards.
    #[arg(long, global = true)]
    pub stats: bool,
    /// Key of an encrypted (SQLCipher) database: a passphrase, or x'<64 hex>'
    /// for a raw key (x'<96 hex>' with the salt). Also from SONDE_CIPHER_KEY,
    /// so the key need not be in the command line.
    #[arg(long, global = true, value_name = "KEY", env = "SONDE_CIPHER_KEY", hide_env_values = true)]
    pub cipher_key: Option<String>,
    /// A SQLCipher setting, NAME=VALUE (repeatable): kdf_iter=10000,
    /// cipher_page_size=8192, cipher_compatibility=3, cipher_hmac_algorithm=...,
    /// cipher_kdf_algorithm=..., cipher_use_hmac=OFF, cipher_plaintext_header_size=32,
    /// cipher_salt="x'<32 hex>'". Without any, SQLCipher 4, 3, 2 and 1 defaults are tried.
    #[arg(long, global = true, value_name = "NAME=VALUE")]
    pub cipher_pragma: Vec<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List tables and views with their row counts.
    Tables {
        db: String,
        #[arg(long)]
        json: bool,
    },
    /// Show the schema of a table or view.
    Schema {
        db: String,
        table: String,
        #[arg(long)]
        json: bool,
    },
    /// Print a page of rows (walk pages with --after NEXT).
    Rows {
        db: String,
        table: String,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Cursor printed as `next` by the previous page.
        #[arg(long)]
        after: Option<String>,
        /// Sort by COL or COL:desc (repeatable; later terms break ties).
        #[arg(long = "order")]
        order: Vec<String>,
        /// Filter "COL OP VALUE" (repeatable, all must hold).
        #[arg(long = "where")]
        filters: Vec<String>,
        #[arg(long)]
        json: bool,
        /// Show values as what they mean (dates, UUIDs, images, plists,
        /// JSON, protobuf...), as `schema` lists them; text output only
        /// (`--json` values stay raw and exact).
        #[arg(long)]
        display: bool,
    },
    /// Run SQL: reads print rows, writes report rows affected.
    Query {
        db: String,
        sql: String,
        #[arg(long)]
        json: bool,
    },
    /// Export a table (or --query result) as csv, json, jsonl or sql.
    Export {
        db: String,
        table: String,
        #[arg(long)]
        format: String,
        /// Export the result of this SELECT instead (TABLE names it in SQL output).
        #[arg(long)]
        query: Option<String>,
        #[arg(long = "order")]
        order: Vec<String>,
        #[arg(long = "where")]
        filters: Vec<String>,
        /// Output file (written atomically); stdout when absent.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Update cells of one row: --set COL=VALUE (VALUE is JSON if valid JSON, else text).
    Update {
        db: String,
        table: String,
        #[arg(long)]
        key: String,
        #[arg(long = "set", required = true)]
        set: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Insert a row (columns not set take their defaults); prints its row key.
    Insert {
        db: String,
        table: String,
        #[arg(long = "set")]
        set: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List attached devices and simulators (Android, iOS, simulators).
    Devices {
        #[arg(long)]
        json: bool,
    },
    /// List apps on a device (third-party unless --all).
    Apps {
        /// Device id or android://SERIAL, ios://UDID, sim://UDID.
        device: String,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the SQLite databases of an app.
    Dbs {
        device: String,
        app: String,
        #[arg(long)]
        json: bool,
    },
    /// Pull a verified snapshot of a device database (with its -wal); prints its local path.
    Pull {
        uri: String,
        /// Also copy the snapshot's files into this directory.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Drop unpushed edits of the current snapshot instead of refusing.
        #[arg(long)]
        discard: bool,
    },
    /// Drop the unpushed edits of a device database and pull its current version.
    Discard { uri: String },
    /// Push the edited snapshot back to the device. If the app wrote since the
    /// pull, your changes are rebased onto its new version first (refused
    /// while any conflicts: see `sonde conflicts`).
    Push {
        uri: String,
        /// Do not force-stop the app before replacing its database.
        #[arg(long)]
        no_stop: bool,
        /// Refuse instead of rebasing when the device copy changed since the pull.
        #[arg(long)]
        no_rebase: bool,
        /// Push a Room database whose schema changed since the pull (Room
        /// refuses a schema the app does not migrate to).
        #[arg(long)]
        allow_schema_change: bool,
        #[arg(long)]
        json: bool,
    },
    /// Row-level diff of two databases (or of two versions of one with --from).
    Diff {
        /// A database (local path or device URI).
        a: String,
        /// The database to compare A with (not with --from).
        b: Option<String>,
        /// Compare versions of A: this one...
        #[arg(long)]
        from: Option<u32>,
        /// ...with this one (default: the newest).
        #[arg(long, requires = "from")]
        to: Option<u32>,
        /// Only these tables (repeatable).
        #[arg(long = "table")]
        tables: Vec<String>,
        #[arg(long, conflicts_with = "sql")]
        json: bool,
        /// SQL that turns a copy of A into B, in one transaction.
        #[arg(long)]
        sql: bool,
    },
    /// List the versions of a database: number, time, size, hash, what produced it.
    Versions {
        db: String,
        #[arg(long)]
        json: bool,
    },
    /// Watch a database: the first line is the version it starts from, then
    /// one line per new version with its per-table counts.
    Watch {
        db: String,
        /// How often a device is looked at, in milliseconds (one cheap stat each).
        #[arg(long, default_value_t = 1000)]
        interval: u64,
        /// Exit after this many lines (the first line counts).
        #[arg(long)]
        count: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// List the pending edits a rebase could not re-apply (the app changed their rows).
    Conflicts {
        uri: String,
        #[arg(long)]
        json: bool,
    },
    /// Settle a conflict: keep your change (mine) or what the app wrote (theirs).
    Resolve {
        uri: String,
        id: i64,
        #[arg(long, value_parser = ["mine", "theirs"])]
        keep: String,
        #[arg(long)]
        json: bool,
    },
    /// List Android virtual devices (AVDs) and iOS simulators, running or not.
    Emulators {
        #[arg(long)]
        json: bool,
    },
    /// Boot an AVD (by name) or a simulator (by name or UDID) and wait until it is usable;
    /// prints the device it runs as (android://SERIAL, sim://UDID).
    Boot {
        name: String,
        /// Seconds to wait for the boot to finish (default 300).
        #[arg(long)]
        timeout: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// Show the external tools Sonde found (adb, libimobiledevice, xcrun).
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// Delete rows by key (all in one transaction).
    Delete {
        db: String,
        table: String,
        #[arg(long = "key", required = true, num_args = 1..)]
        keys: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}
