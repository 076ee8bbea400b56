//! `update`, `insert`, `delete`: one transaction per command.

use super::read::stdout;
use super::{CliResult, Ctx};
use sonde_core::{Assignment, Change, Edit, OpenDb};
use std::io::Write;

fn assignments(set: &[String]) -> CliResult<Vec<Assignment>> {
    Ok(set.iter().map(|s| Assignment::parse(s)).collect::<Result<Vec<_>, _>>()?)
}

pub fn update(ctx: &Ctx, db: &OpenDb, table: String, key: String, set: &[String], json: bool) -> CliResult {
    let edit = Edit::Update { table, key, set: assignments(set)? };
    let changes = ctx.run(ctx.core.apply(db, vec![edit]))?;
    report(&changes, json, |c| format!("updated 1 row (key {})", c.key_after.as_deref().unwrap_or("?")))
}

pub fn insert(ctx: &Ctx, db: &OpenDb, table: String, set: &[String], json: bool) -> CliResult {
    let edit = Edit::Insert { table, values: assignments(set)?, rowid: None };
    let changes = ctx.run(ctx.core.apply(db, vec![edit]))?;
    report(&changes, json, |c| c.key_after.clone().unwrap_or_default())
}

pub fn delete(ctx: &Ctx, db: &OpenDb, table: String, keys: Vec<String>, json: bool) -> CliResult {
    let edits: Vec<Edit> = keys.into_iter().map(|key| Edit::Delete { table: table.clone(), key }).collect();
    let changes = ctx.run(ctx.core.apply(db, edits))?;
    if json {
        return report(&changes, true, |_| String::new());
    }
    let mut out = stdout();
    writeln!(out, "deleted {} row(s)", changes.len())?;
    out.flush()?;
    Ok(())
}

fn report(changes: &[Change], json: bool, line: impl Fn(&Change) -> String) -> CliResult {
    let mut out = stdout();
    if json {
        serde_json::to_writer(&mut out, changes).map_err(|e| super::CliError::Output(e.into()))?;
        writeln!(out)?;
    } else {
        for c in changes {
            writeln!(out, "{}", line(c))?;
        }
    }
    out.flush()?;
    Ok(())
}
