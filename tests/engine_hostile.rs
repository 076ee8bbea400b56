//! Hostile identifiers: tables and columns named with quotes, brackets,
//! keywords, unicode, spaces and SQL fragments work in every command and
//! change nothing else.

mod common;

use common::*;
use sonde_db::ident::quote;

const NAMES: &[&str] = &[
    "x\"; DROP TABLE victim; --",
    "select",
    "a]b[c",
    "naïve 表 🚀",
    " leading and trailing ",
    "'single'",
    "back`tick",
    "per%cent_under",
    "rowid",
];

fn hostile_db(dir: &std::path::Path) -> std::path::PathBuf {
    let mut sql = String::from("CREATE TABLE victim(v); INSERT INTO victim VALUES ('still here');\n");
    for (i, name) in NAMES.iter().enumerate() {
        sql.push_str(&format!(
            "CREATE TABLE {t}({c} INTEGER PRIMARY KEY, {c2} TEXT);\nINSERT INTO {t} VALUES ({i}, 'row of {i}');\n",
            t = quote(name),
            c = quote(&format!("{name} id")),
            c2 = quote(name),
        ));
    }
    make_db(dir, "hostile.db", &sql)
}

#[test]
fn every_command_works_on_hostile_names() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = hostile_db(dir.path());
    let dbs = db.display().to_string();
    let tables = json(&sonde_ok(["tables", &dbs, "--json"]));
    let names: Vec<&str> =
        tables.as_array().expect("list").iter().map(|t| t["name"].as_str().expect("name")).collect();
    for name in NAMES {
        assert!(names.contains(name), "{name} listed");
    }
    for (i, name) in NAMES.iter().enumerate() {
        let schema = json(&sonde_ok(["schema", &dbs, name, "--json"]));
        assert_eq!(schema["name"], *name);
        assert_eq!(schema["columns"][1]["name"], *name);
        let page = json(&sonde_ok([
            "rows",
            &dbs,
            name,
            "--json",
            "--order",
            &format!("{name}:desc"),
            "--where",
            &format!("{} = 'row of {i}'", quote(name)),
        ]));
        assert_eq!(page["rows"][0]["values"][1], format!("row of {i}"), "{name}");
        let key = page["rows"][0]["key"].as_str().expect("key").to_owned();
        sonde_ok(["update", &dbs, name, "--key", &key, "--set", &format!("{name}=edited {i}")]);
        let new_key = sonde_ok(["insert", &dbs, name, "--set", &format!("{name}=inserted")]);
        sonde_ok(["delete", &dbs, name, "--key", new_key.trim()]);
        for format in ["csv", "json", "jsonl", "sql"] {
            let out = sonde_ok(["export", &dbs, name, "--format", format]);
            assert!(out.contains(&format!("edited {i}")), "{name} {format}: {out}");
        }
    }
    let victim = json(&sonde_ok(["query", &dbs, "SELECT v FROM victim", "--json"]));
    assert_eq!(victim["rows"], serde_json::json!([["still here"]]));
    assert_eq!(json(&sonde_ok(["tables", &dbs, "--json"])).as_array().expect("list").len(), NAMES.len() + 1);
}

#[test]
fn sql_exports_of_hostile_tables_replay_exactly() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = hostile_db(dir.path());
    let dbs = db.display().to_string();
    let replay = rusqlite::Connection::open_in_memory().expect("mem");
    for name in NAMES {
        let sql = sonde_ok(["export", &dbs, name, "--format", "sql"]);
        replay.execute_batch(&sql).unwrap_or_else(|e| panic!("{name}: {e}\n{sql}"));
        let n: i64 = replay
            .query_row(&format!("SELECT count(*) FROM {}", quote(name)), [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 1, "{name}");
    }
}

#[test]
fn unknown_tables_and_columns_are_errors_not_sql() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = hostile_db(dir.path());
    let dbs = db.display().to_string();
    let before = sha256(&db);
    assert!(sonde_err(["rows", &dbs, "victim; DROP TABLE victim"]).contains("no such table"));
    assert!(sonde_err(["rows", &dbs, "victim", "--order", "v) ; DROP TABLE victim; --"])
        .contains("no such column"));
    assert!(sonde_err(["rows", &dbs, "victim", "--where", "nope = 1"]).contains("no such column"));
    assert!(sonde_err(["update", &dbs, "victim", "--key", "1 OR 1=1", "--set", "v=x"])
        .contains("invalid row key"));
    assert_eq!(sha256(&db), before);
}
