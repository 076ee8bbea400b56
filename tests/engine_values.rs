//! Every value survives a round trip exactly: through the mutation service,
//! the CLI's `--set` / `--json`, and every export format.

mod common;

use base64::Engine as _;
use common::*;
use sonde_db::export::{self, Format, Source};
use sonde_db::mutation::{self, Assignment, Edit};
use sonde_db::query::{self, PageRequest};
use sonde_db::Value;

/// Values that break naive tools. `-0.0` lives in a column without
/// affinity: SQLite itself stores -0.0 as integer 0 in REAL columns.
fn nasty_values() -> Vec<Value> {
    vec![
        Value::Null,
        Value::Integer(i64::MAX),
        Value::Integer(i64::MIN),
        Value::Integer(9_007_199_254_740_993),
        Value::Real(-0.0),
        Value::Real(0.1 + 0.2),
        Value::Real(f64::INFINITY),
        Value::Real(f64::NEG_INFINITY),
        Value::Real(1e300),
        Value::Text(String::new()),
        Value::Text("line\nbreak, \"quoted\" 'single' \u{0} nul é 表".into()),
        Value::TextBytes(vec![0xff, 0xfe, 0x00, b'x']),
        Value::Blob(Vec::new()),
        Value::Blob((0..=255).collect()),
    ]
}

fn blank_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let db = make_db(dir.path(), "values.db", "CREATE TABLE v(id INTEGER PRIMARY KEY, x);");
    (dir, db)
}

#[test]
fn values_round_trip_through_mutation_and_query() {
    let (_dir, db) = blank_db();
    let edits: Vec<Edit> = nasty_values()
        .into_iter()
        .map(|value| Edit::Insert {
            table: "v".into(),
            values: vec![Assignment { column: "x".into(), value }],
            rowid: None,
        })
        .collect();
    let changes = mutation::apply(&db, &edits).expect("insert all");
    assert_eq!(changes.len(), nasty_values().len());
    let page =
        query::page(&db, &PageRequest { table: "v".into(), limit: 100, ..Default::default() }).expect("page");
    let got: Vec<Value> = page.rows.iter().map(|r| r.values[1].clone()).collect();
    assert_eq!(got, nasty_values());
    // Update each row to its neighbour's value and back: still exact.
    let keys: Vec<String> = page.rows.iter().map(|r| r.key.clone().expect("key")).collect();
    let swap: Vec<Edit> = keys
        .iter()
        .zip(nasty_values().into_iter().rev())
        .map(|(key, value)| Edit::Update {
            table: "v".into(),
            key: key.clone(),
            set: vec![Assignment { column: "x".into(), value }],
        })
        .collect();
    let changes = mutation::apply(&db, &swap).expect("swap");
    mutation::undo(&db, &changes).expect("undo");
    let page =
        query::page(&db, &PageRequest { table: "v".into(), limit: 100, ..Default::default() }).expect("page");
    let got: Vec<Value> = page.rows.iter().map(|r| r.values[1].clone()).collect();
    assert_eq!(got, nasty_values());
}

#[test]
fn values_round_trip_through_the_cli_json() {
    let (_dir, db) = blank_db();
    let dbs = db.display().to_string();
    for value in nasty_values() {
        let encoded = serde_json::to_string(&value).expect("encode");
        let key = sonde_ok(["insert", &dbs, "v", "--set", &format!("x={encoded}")]);
        let key = key.trim();
        let page = json(&sonde_ok(["rows", &dbs, "v", "--where", &format!("id = {key}"), "--json"]));
        let back: Value = serde_json::from_value(page["rows"][0]["values"][1].clone()).expect("decode");
        assert_eq!(back, value, "via {encoded}");
        assert_eq!(page["rows"][0]["key"], serde_json::Value::String(key.to_owned()));
    }
    // Plain text that is not JSON is taken as text; 64-bit integers are exact in JSON.
    let key = sonde_ok(["insert", &dbs, "v", "--set", "x=hello world"]);
    let out =
        sonde_ok(["query", &dbs, &format!("SELECT x, typeof(x) FROM v WHERE id = {}", key.trim()), "--json"]);
    assert!(out.contains("[\"hello world\",\"text\"]"), "{out}");
    let out = sonde_ok(["query", &dbs, "SELECT 9223372036854775807, -0.0 + 0, 1.0", "--json"]);
    assert!(out.contains("[9223372036854775807,0.0,1.0]"), "{out}");
    let err = sonde_err(["insert", &dbs, "v", "--set", "x=99999999999999999999"]);
    assert!(err.contains("64-bit"), "{err}");
}

#[test]
fn exports_keep_values_exact() {
    let (_dir, db) = blank_db();
    let edits: Vec<Edit> = nasty_values()
        .into_iter()
        .map(|value| Edit::Insert {
            table: "v".into(),
            values: vec![Assignment { column: "x".into(), value }],
            rowid: None,
        })
        .collect();
    mutation::apply(&db, &edits).expect("insert");
    let source = Source::Table { table: "v".into(), order: vec![], filters: vec![] };
    let run = |format| {
        let mut out = Vec::new();
        let n = export::export(&db, &source, format, &mut out, &mut |_| true).expect("export");
        assert_eq!(n as usize, nasty_values().len());
        out
    };

    // JSON and JSONL decode back to the same values.
    let json_rows: Vec<serde_json::Value> = serde_json::from_slice(&run(Format::Json)).expect("json array");
    let jsonl = run(Format::Jsonl);
    let jsonl_rows: Vec<serde_json::Value> = jsonl
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("jsonl line"))
        .collect();
    assert_eq!(json_rows, jsonl_rows);
    let decoded: Vec<Value> =
        json_rows.iter().map(|r| serde_json::from_value(r["x"].clone()).expect("value")).collect();
    assert_eq!(decoded, nasty_values());

    // SQL replays into an identical table (sqlite itself loads it).
    let sql = String::from_utf8(run(Format::Sql)).expect("sql is utf8");
    let replay = rusqlite::Connection::open_in_memory().expect("mem");
    replay.execute_batch(&sql).expect("replay export");
    let mut stmt = replay.prepare("SELECT x FROM v ORDER BY id").expect("select");
    let replayed: Vec<Value> =
        stmt.query_map([], |r| r.get(0)).expect("q").collect::<Result<_, _>>().expect("rows");
    assert_eq!(replayed, nasty_values());

    // CSV: header, RFC 4180 quoting, NULL empty, "" for empty text, base64 BLOBs.
    let csv = run(Format::Csv);
    let text = String::from_utf8_lossy(&csv);
    let mut lines = text.split("\r\n");
    assert_eq!(lines.next(), Some("id,x"));
    assert_eq!(lines.next(), Some("1,"));
    assert_eq!(lines.next(), Some("2,9223372036854775807"));
    assert!(text.contains("\r\n5,-0.0\r\n"), "{text}");
    assert!(text.contains("\r\n10,\"\"\r\n"), "{text}");
    assert!(text.contains("\"line\nbreak, \"\"quoted\"\" 'single'"), "{text}");
    let all: Vec<u8> = (0..=255).collect();
    assert!(text.contains(&base64::engine::general_purpose::STANDARD.encode(&all)), "{text}");
}

#[test]
fn export_cli_writes_files_atomically_and_matches_stdout() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = catalog_db(dir.path());
    let dbs = db.display().to_string();
    for format in ["csv", "json", "jsonl", "sql"] {
        let out_file = dir.path().join(format!("track.{format}"));
        sonde_ok(["export", &dbs, "Track", "--format", format, "-o", &out_file.display().to_string()]);
        let stdout = sonde(["export", &dbs, "Track", "--format", format]).stdout;
        assert_eq!(std::fs::read(&out_file).expect("read"), stdout, "{format}");
    }
    let lines = std::fs::read_to_string(dir.path().join("track.jsonl")).expect("jsonl");
    assert_eq!(lines.lines().count(), 3503);
    // A failing export leaves no file behind.
    let target = dir.path().join("nope.csv");
    sonde_err(["export", &dbs, "NoSuchTable", "--format", "csv", "-o", &target.display().to_string()]);
    assert!(!target.exists());
    let leftovers = std::fs::read_dir(dir.path()).expect("ls").filter(|e| {
        e.as_ref().map(|e| e.file_name().to_string_lossy().starts_with(".sonde-export")).unwrap_or(false)
    });
    assert_eq!(leftovers.count(), 0);
    // A query export.
    let out = sonde_ok([
        "export",
        &dbs,
        "best",
        "--format",
        "csv",
        "--query",
        "SELECT Name FROM Genre WHERE GenreId < 3 ORDER BY GenreId",
    ]);
    assert_eq!(out, "Name\r\nRock\r\nJazz\r\n");
    let sql = sonde_ok([
        "export",
        &dbs,
        "best",
        "--format",
        "sql",
        "--query",
        "SELECT GenreId AS id FROM Genre LIMIT 1",
    ]);
    assert!(sql.contains("CREATE TABLE \"best\"(\"id\" INTEGER)"), "{sql}");
    assert!(sql.contains("INSERT INTO \"best\"(\"id\") VALUES(1);"), "{sql}");
}
