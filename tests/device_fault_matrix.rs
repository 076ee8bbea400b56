//! Device faults, systematically (issue 5, "Hardening").
//!
//! The stream sequence of a healthy `sonde pull` and `sonde push` is
//! recorded through sonde-devsim's trace (`faults.trace` → `streams.log`);
//! then every step gets each fault in turn, injected at exactly that stream
//! (`skip: i, times: 1`):
//!
//! * drop before (`when: start`: the command never runs),
//! * drop during (`after_bytes` mid-way, for streams that carry data),
//! * drop after (`when: close`: the work is done, the reply is lost),
//! * stall during (mid-way; `when: start` for streams without data),
//! * stall after (`when: close`).
//!
//! After each: the call returned (a one-line `error:` or success) within
//! the hang bound; the device holds exactly the old set of files (db +
//! `-wal` + `-journal`, by hash) or exactly the new one, never a mix; the
//! local snapshot keeps its edit (and stays dirty when the push failed);
//! with the faults cleared the same push succeeds, the device holds the new
//! version and no Sonde file is left on the device (leftovers of a failed
//! push — a staged copy, a temp upload — are allowed until then: the next
//! successful push removes them; the one empty directory that stays by
//! design is the claim `.shop.db.sonde-pushed-<version>` of the last push).
//! Pulls keep nothing partial and a later pull is verified.
//!
//! Also: unauthorized and offline mid-session, the device database changing
//! between pull and push (and during the push), and racing pushes.

mod common;

use common::device::Lab;
use common::{json, sha256};
use serde_json::json as j;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// adb command / transfer timeout given to sonde.
const TIMEOUT_MS: u64 = 2000;
/// A faulted call still running after this is a hang (one stalled step
/// costs one timeout; retries of an offline device a few seconds more).
const BOUND: Duration = Duration::from_secs(30);
const DB: &str = "data/data/com.example.shop/databases/shop.db";

/// One demo device with short tool timeouts.
fn fault_lab() -> Lab {
    let mut lab = Lab::demo(1);
    lab.timeout_ms = TIMEOUT_MS;
    lab
}

fn uri(lab: &Lab) -> String {
    format!("android://{}/com.example.shop/databases/shop.db", lab.sim().serial)
}

/// Runs the real `sonde` like the harness does, with a chosen data dir, and
/// fails the test if it outlives [`BOUND`].
struct Sonde<'l> {
    lab: &'l Lab,
    data: PathBuf,
}

struct Run {
    out: Output,
    took: Duration,
}

impl Run {
    fn ok(&self) -> bool {
        self.out.status.success()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).trim_end().to_owned()
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    /// Success, or exactly one `error:` line.
    fn outcome(&self) -> Result<(), String> {
        if self.ok() {
            return Ok(());
        }
        let err = self.stderr();
        assert!(err.starts_with("error: ") && err.lines().count() == 1, "not a one-line error: {err}");
        Err(err)
    }
}

impl<'l> Sonde<'l> {
    fn new(lab: &'l Lab, data: PathBuf) -> Sonde<'l> {
        std::fs::create_dir_all(&data).expect("data dir");
        Sonde { lab, data }
    }

    fn run(&self, args: &[&str]) -> Run {
        let start = Instant::now();
        let out = common::run_within(self.lab.sonde_command(&self.data, args), BOUND);
        Run { out, took: start.elapsed() }
    }

    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(run.ok(), "sonde {args:?} failed: {}", run.stderr());
        run.stdout()
    }

    /// The working copy of the shop snapshot.
    fn snapshot_db(&self) -> PathBuf {
        let files = common::walk(&self.data.join("snapshots/android"));
        let rel = files
            .iter()
            .find(|f| f.ends_with("/db.sqlite") && !f.contains("original/") && !f.contains(".staging-"))
            .unwrap_or_else(|| panic!("no snapshot in {files:?}"));
        self.data.join("snapshots/android").join(rel)
    }

    fn manifest(&self) -> serde_json::Value {
        let db = self.snapshot_db();
        json(&std::fs::read_to_string(db.with_file_name("manifest.json")).expect("manifest"))
    }

    /// Drops the recorded versions: the next pull copies every file (a
    /// pull reuses the newest version's database file when the device still
    /// holds it).
    fn forget_versions(&self) {
        let _ = std::fs::remove_dir_all(self.data.join("versions"));
    }

    fn staging_dirs(&self) -> Vec<String> {
        common::walk(&self.data.join("snapshots")).into_iter().filter(|f| f.contains(".staging-")).collect()
    }

    /// The username of user 1 in the local snapshot.
    fn user1(&self, uri: &str) -> String {
        let page = json(&self.ok(&["rows", uri, "users", "--where", "id = 1", "--json"]));
        page["rows"][0]["values"][1].as_str().unwrap_or("").to_owned()
    }
}

/// Hashes of the device's db, -wal and -journal.
type State = Vec<Option<String>>;

fn device_state(lab: &Lab) -> State {
    common::side_hashes(&lab.sim().fs(DB))
}

/// What a push of the snapshot installs: one checkpointed file, no side files.
fn pushed_state(db: &Path) -> State {
    vec![Some(sha256(db)), None, None]
}

/// Sonde's files left on the device (staged copies, temp uploads, set-aside WALs).
fn device_leftovers(lab: &Lab) -> Vec<String> {
    common::walk(&lab.sim().fs("")).into_iter().filter(|p| p.contains("sonde")).collect()
}

/// The app writes on the device and leaves its change in a `-wal`, like a
/// running app would.
fn app_writes(lab: &Lab, price: i64) {
    let conn = rusqlite::Connection::open(lab.sim().fs(DB)).expect("open device db");
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(())).expect("wal");
    conn.query_row("PRAGMA wal_autocheckpoint=0", [], |_| Ok(())).expect("no autocheckpoint");
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).expect("no ckpt");
    conn.execute("UPDATE products SET price = ?1 WHERE id = 2", [price]).expect("app write");
    drop(conn);
    let _ = std::fs::remove_file(lab.sim().fs(&format!("{DB}-shm")));
    assert!(lab.sim().fs(&format!("{DB}-wal")).exists(), "the app's change sits in the -wal");
}

fn trace_path(lab: &Lab) -> PathBuf {
    lab.sim().dir.join("streams.log")
}

/// Lines of the trace since the last reset: (fault label, service).
fn trace(lab: &Lab) -> Vec<(String, String)> {
    std::fs::read_to_string(trace_path(lab))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let (label, service) = l.split_once('\t').unwrap_or(("?", l));
            (label.to_owned(), service.to_owned())
        })
        .collect()
}

fn reset_trace(lab: &Lab) {
    let _ = std::fs::remove_file(trace_path(lab));
}

/// Clears the faults (tracing on) and waits until adb sees the device again.
fn heal(lab: &Lab) {
    lab.sim().set_faults(j!({"trace": true}));
    lab.wait_ready(&lab.sim().serial);
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    DropBefore,
    DropDuring,
    DropAfter,
    StallDuring,
    StallAfter,
}

impl Kind {
    const ALL: [Kind; 5] =
        [Kind::DropBefore, Kind::DropDuring, Kind::DropAfter, Kind::StallDuring, Kind::StallAfter];

    /// The rule hitting exactly stream `step`; `None` when the kind does
    /// not apply (no data to cut mid-way).
    fn rule(self, step: usize, carries_data: bool, case: usize) -> Option<serde_json::Value> {
        let mid = 20; // bytes: inside every data-carrying stream, past none of the exit-only ones
        let (action, when, after) = match self {
            Kind::DropBefore => ("drop", "start", 0),
            Kind::DropDuring if carries_data => ("drop", "open", mid),
            Kind::DropDuring => return None,
            Kind::DropAfter => ("drop", "close", 0),
            Kind::StallDuring if carries_data => ("stall", "open", mid),
            Kind::StallDuring => ("stall", "start", 0),
            Kind::StallAfter => ("stall", "close", 0),
        };
        Some(j!({"match": "", "action": action, "when": when, "after_bytes": after,
                 "skip": step, "times": 1, "case": case}))
    }
}

/// Streams whose payload exceeds the "mid-way" cut: transfers and commands
/// with output (stat, sha256sum); the others only carry an exit status.
fn carries_data(service: &str) -> bool {
    service.starts_with("exec:")
        || service == "sync:"
        || service.contains("'stat'")
        || service.contains("'sha256sum'")
}

/// Tally of injected faults and outcomes, for the summary line.
#[derive(Default)]
struct Tally {
    cases: usize,
    ok: usize,
    failed: usize,
    /// Failed, yet the new version had landed (the reply was lost).
    landed: usize,
    slowest: Duration,
}

impl Tally {
    fn add(&mut self, run: &Run) {
        self.cases += 1;
        if run.ok() {
            self.ok += 1;
        } else {
            self.failed += 1;
        }
        self.slowest = self.slowest.max(run.took);
    }
}

/// The healthy stream sequence of a command.
fn record(lab: &Lab, sonde: &Sonde, args: &[&str]) -> Vec<String> {
    heal(lab);
    reset_trace(lab);
    sonde.ok(args);
    trace(lab).into_iter().map(|(_, s)| s).collect()
}

/// The fault was selected at exactly `step` (and nowhere else).
fn assert_hit(lab: &Lab, step: usize, what: &str) -> String {
    let lines = trace(lab);
    let hits: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].0 != "-").collect();
    assert_eq!(hits, [step], "{what}: fault at the wrong stream: {lines:?}");
    lines[step].1.clone()
}

#[test]
fn every_step_of_pull_and_push_under_every_fault() {
    let lab = fault_lab();
    let sonde = Sonde::new(&lab, lab.root.path().join("data"));
    let uri = uri(&lab);
    let mut pulls = Tally::default();
    let mut pushes = Tally::default();

    // ---- pull: the demo device has a -wal, so a full pull copies two
    // files; a re-pull with the database file unchanged copies the -wal only.
    let mut case = 0;
    for reuse in [false, true] {
        if !reuse {
            sonde.forget_versions();
        }
        let pull_steps = record(&lab, &sonde, &["pull", &uri]);
        // stat, then sha256sum and the copies (concurrent: which stream a
        // step number hits varies from run to run; every one carries data).
        assert_eq!(pull_steps.len(), if reuse { 3 } else { 4 }, "reuse {reuse}: {pull_steps:#?}");
        let device = device_state(&lab);
        assert!(device[1].is_some(), "the demo db has a -wal");
        for (step, service) in pull_steps.iter().enumerate() {
            for kind in Kind::ALL {
                let Some(rule) = kind.rule(step, carries_data(service), case) else { continue };
                case += 1;
                let what = format!("pull (reuse {reuse}) step {step} ({service}) {kind:?}");
                let previous = sha256(&sonde.snapshot_db());
                if !reuse {
                    sonde.forget_versions();
                }
                lab.sim().set_faults(j!({"trace": true, "rules": [rule]}));
                reset_trace(&lab);
                let run = sonde.run(&["pull", &uri]);
                heal(&lab);
                assert_hit(&lab, step, &what);
                pulls.add(&run);
                match run.outcome() {
                    // Whatever Sonde got, it verified it.
                    Ok(()) => {
                        assert_eq!(
                            sha256(&sonde.snapshot_db()),
                            device[0].clone().unwrap_or_default(),
                            "{what}"
                        )
                    }
                    Err(_) => {
                        assert_eq!(sha256(&sonde.snapshot_db()), previous, "{what}: old snapshot intact")
                    }
                }
                assert!(
                    sonde.staging_dirs().is_empty(),
                    "{what}: partial pull kept: {:?}",
                    sonde.staging_dirs()
                );
                assert_eq!(device_state(&lab), device, "{what}: a pull never changes the device");
                // A later pull is a verified copy of the db and its -wal.
                let path = PathBuf::from(sonde.ok(&["pull", &uri]).trim());
                assert_eq!(Some(sha256(&path)), device[0], "{what}");
                assert_eq!(
                    Some(sha256(&PathBuf::from(format!("{}-wal", path.display())))),
                    device[1],
                    "{what}"
                );
            }
        }
    }

    // ---- push: every case starts from an app change in a -wal and a fresh
    // pull with one edit, so the old set is db + -wal and the new one a
    // single file.
    let mut round = 0i64;
    let prepare = |round: i64| -> String {
        app_writes(&lab, 1000 + round);
        let value = format!("case {round}");
        sonde.ok(&["update", &uri, "users", "--key", "1", "--set", &format!("username={value}")]);
        value
    };
    let value = prepare(round);
    let push_steps = record(&lab, &sonde, &["push", &uri]);
    assert_eq!(push_steps.len(), 13, "{push_steps:#?}");
    assert_eq!(sonde.user1(&uri), value);
    for (step, service) in push_steps.iter().enumerate() {
        for kind in Kind::ALL {
            let Some(rule) = kind.rule(step, carries_data(service), case) else { continue };
            case += 1;
            round += 1;
            let what = format!("push step {step} ({service}) {kind:?}");
            let value = prepare(round);
            let old = device_state(&lab);
            assert!(old[1].is_some(), "{what}: the old version has a -wal");
            lab.sim().set_faults(j!({"trace": true, "rules": [rule]}));
            reset_trace(&lab);
            let run = sonde.run(&["push", &uri]);
            heal(&lab);
            assert_hit(&lab, step, &what);
            pushes.add(&run);
            let new = pushed_state(&sonde.snapshot_db());
            let now = device_state(&lab);
            match run.outcome() {
                Ok(()) => assert_eq!(now, new, "{what}: a successful push installed the new version"),
                Err(err) => {
                    assert!(now == old || now == new, "{what}: old or new, never a mix: {now:?} ({err})");
                    pushes.landed += usize::from(now == new);
                    assert_eq!(sonde.manifest()["dirty"], true, "{what}: still pending ({err})");
                }
            }
            assert_eq!(sonde.user1(&uri), value, "{what}: the edit survives");
            // Healthy again: the same push goes through, and cleans up.
            let retry = sonde.run(&["push", &uri]);
            assert!(retry.ok(), "{what}: retry failed: {}", retry.stderr());
            assert_eq!(device_state(&lab), new, "{what}: the retry installed the new version");
            assert_eq!(device_leftovers(&lab), Vec::<String>::new(), "{what}: leftovers after the retry");
            assert_eq!(sonde.manifest()["dirty"], false, "{what}");
        }
    }
    eprintln!(
        "fault matrix: {} pull cases ({} steps, full and -wal-only: {} ok, {} typed errors), {} push cases ({} steps: {} ok, {} typed errors of which {} had landed); slowest faulted call {:?} (pull) / {:?} (push)",
        pulls.cases,
        4 + 3,
        pulls.ok,
        pulls.failed,
        pushes.cases,
        push_steps.len(),
        pushes.ok,
        pushes.failed,
        pushes.landed,
        pulls.slowest,
        pushes.slowest
    );
}

/// A pulled snapshot with one pending edit; returns its value.
fn edit(sonde: &Sonde, uri: &str, value: &str) {
    sonde.ok(&["update", uri, "users", "--key", "1", "--set", &format!("username={value}")]);
    assert_eq!(sonde.manifest()["dirty"], true);
}

/// The device went away mid-session: the push fails fast with a typed
/// error, the device keeps its files, the edit stays pending; once the
/// device is back the push goes through.
#[test]
fn unauthorized_or_offline_mid_session() {
    let lab = fault_lab();
    let sonde = Sonde::new(&lab, lab.root.path().join("data"));
    let uri = uri(&lab);
    let serial = lab.sim().serial.clone();
    for (fault, words) in
        [("unauthorized", ["unauthorized", "not found"]), ("offline", ["offline", "not found"])]
    {
        app_writes(&lab, 7);
        sonde.ok(&["pull", &uri]);
        edit(&sonde, &uri, &format!("before {fault}"));
        let before = device_state(&lab);
        lab.sim().set_faults(j!({ fault: true }));
        lab.reconnect(&serial);
        let run = sonde.run(&["push", &uri]);
        let err = run.outcome().expect_err("push to a missing device");
        assert!(words.iter().any(|w| err.contains(w)), "{fault}: {err}");
        assert!(run.took < BOUND, "{fault}: {:?}", run.took);
        assert_eq!(device_state(&lab), before, "{fault}: device untouched");
        assert_eq!(sonde.user1(&uri), format!("before {fault}"), "{fault}: edit kept");
        assert_eq!(sonde.manifest()["dirty"], true, "{fault}: still pending");
        lab.sim().set_faults(j!({}));
        lab.reconnect(&serial);
        lab.wait_ready(&serial);
        sonde.ok(&["push", &uri]);
        assert_eq!(device_state(&lab), pushed_state(&sonde.snapshot_db()), "{fault}: pushed once back");
    }
}

/// The app writes between pull and push (extends device_android's
/// `push_is_refused_when_the_device_copy_changed`: the edit survives, a
/// second try is refused too) and during the push, after the staged copy
/// was verified (refused at the last look, nothing left behind).
#[test]
fn the_device_database_changes_between_pull_and_push() {
    let lab = fault_lab();
    let sonde = Sonde::new(&lab, lab.root.path().join("data"));
    let uri = uri(&lab);

    sonde.ok(&["pull", &uri]);
    edit(&sonde, &uri, "mine");
    app_writes(&lab, 11);
    let theirs = device_state(&lab);
    for attempt in 0..2 {
        let err = sonde.run(&["push", "--no-rebase", &uri]).outcome().expect_err("refused");
        assert!(err.contains("changed since it was pulled"), "attempt {attempt}: {err}");
        assert_eq!(device_state(&lab), theirs, "the app's version stays");
        assert_eq!(sonde.user1(&uri), "mine", "the edit survives");
        assert_eq!(sonde.manifest()["dirty"], true);
    }

    // During the push: the staged copy's hash is answered slowly, and the
    // app writes as soon as that check starts (seen in the trace). A second
    // data dir, since the first one still holds the refused edit.
    let sonde = Sonde::new(&lab, lab.root.path().join("data-2"));
    sonde.ok(&["pull", &uri]);
    edit(&sonde, &uri, "mine again");
    lab.sim().set_faults(j!({"trace": true, "rules": [
        {"match": "'sha256sum' 'databases/.shop.db.sonde-new-", "action": "slow", "bytes_per_sec": 100}
    ]}));
    reset_trace(&lab);
    let err = std::thread::scope(|s| {
        let push = s.spawn(|| sonde.run(&["push", "--no-rebase", &uri]));
        let start = Instant::now();
        while !trace(&lab).iter().any(|(_, svc)| svc.contains("'sha256sum' 'databases/.shop.db.sonde-new-")) {
            assert!(start.elapsed() < BOUND, "the push never verified its staged copy");
            std::thread::sleep(Duration::from_millis(5));
        }
        app_writes(&lab, 12);
        push.join().expect("push thread").outcome().expect_err("refused at the last look")
    });
    heal(&lab);
    assert!(err.contains("changed since it was pulled"), "{err}");
    let after_app = device_state(&lab);
    assert_ne!(after_app, theirs);
    assert_eq!(after_app[0], theirs[0], "the app's change sits in the -wal, the db file is untouched");
    assert_eq!(device_leftovers(&lab), Vec::<String>::new(), "staged copy removed");
    assert_eq!(sonde.user1(&uri), "mine again");
}

/// Two pushes at once: from two data dirs (different edits of the same
/// pulled version) and two processes pushing the same snapshot. The device
/// ends with one complete version; a loser gets a clear error.
#[test]
fn racing_pushes_leave_one_complete_version() {
    let lab = fault_lab();
    let uri = uri(&lab);
    let rounds = 4;
    let mut wins = [0usize; 2];
    for round in 0..rounds {
        // Fresh data dirs: the loser of a round keeps its edit pending.
        let a = Sonde::new(&lab, lab.root.path().join(format!("data-a{round}")));
        let b = Sonde::new(&lab, lab.root.path().join(format!("data-b{round}")));
        app_writes(&lab, 100 + round);
        for (who, sonde) in [("a", &a), ("b", &b)] {
            sonde.ok(&["pull", &uri]);
            edit(sonde, &uri, &format!("{who} {round}"));
        }
        // Both pushes look at the device slowly (the hash is taken at once,
        // the answer dribbles in): both last looks see the same version
        // before either swap, the window where a lost update would happen.
        lab.sim().set_faults(j!({"rules": [
            {"match": "'sha256sum' 'databases/shop.db' 'databases/shop.db-wal'", "action": "slow", "bytes_per_sec": 250}
        ]}));
        let (ra, rb) = std::thread::scope(|s| {
            let ta = s.spawn(|| a.run(&["push", "--no-rebase", &uri]));
            let tb = s.spawn(|| b.run(&["push", "--no-rebase", &uri]));
            (ta.join().expect("a"), tb.join().expect("b"))
        });
        lab.sim().set_faults(j!({}));
        let now = device_state(&lab);
        let (sa, sb) = (pushed_state(&a.snapshot_db()), pushed_state(&b.snapshot_db()));
        assert_ne!(sa, sb);
        match (ra.outcome(), rb.outcome()) {
            (Ok(()), Err(e)) => {
                assert_eq!(now, sa, "round {round}: a won");
                assert!(e.contains("changed since it was pulled"), "round {round}: {e}");
                assert_eq!(b.user1(&uri), format!("b {round}"), "the loser keeps its edit");
                assert_eq!(b.manifest()["dirty"], true);
                wins[0] += 1;
            }
            (Err(e), Ok(())) => {
                assert_eq!(now, sb, "round {round}: b won");
                assert!(e.contains("changed since it was pulled"), "round {round}: {e}");
                assert_eq!(a.user1(&uri), format!("a {round}"), "the loser keeps its edit");
                assert_eq!(a.manifest()["dirty"], true);
                wins[1] += 1;
            }
            other => panic!("round {round}: exactly one push must win: {other:?}, device {now:?}"),
        }
        assert_eq!(device_leftovers(&lab), Vec::<String>::new(), "round {round}");
    }

    // The same snapshot pushed by two processes at once: the device ends
    // with its bytes; each call either succeeded or failed clearly.
    let a = Sonde::new(&lab, lab.root.path().join("data-same"));
    let mut same = (0usize, 0usize);
    for round in 0..rounds {
        app_writes(&lab, 200 + round);
        a.ok(&["pull", &uri]);
        edit(&a, &uri, &format!("same {round}"));
        let runs = std::thread::scope(|s| {
            let t1 = s.spawn(|| a.run(&["push", "--no-rebase", &uri]));
            let t2 = s.spawn(|| a.run(&["push", "--no-rebase", &uri]));
            [t1.join().expect("1"), t2.join().expect("2")]
        });
        let outcomes: Vec<Result<(), String>> = runs.iter().map(Run::outcome).collect();
        assert!(outcomes.iter().any(Result::is_ok), "round {round}: one push succeeds: {outcomes:?}");
        for o in &outcomes {
            match o {
                Ok(()) => same.0 += 1,
                Err(e) => {
                    same.1 += 1;
                    assert!(
                        ["changed since it was pulled", "already pulling or pushing"]
                            .iter()
                            .any(|w| e.contains(w)),
                        "round {round}: {e}"
                    );
                }
            }
        }
        assert_eq!(device_state(&lab), pushed_state(&a.snapshot_db()), "round {round}");
        assert_eq!(a.user1(&uri), format!("same {round}"));
        assert_eq!(device_leftovers(&lab), Vec::<String>::new(), "round {round}");
        // The snapshot's baseline is the device's version: the next push works.
        edit(&a, &uri, &format!("after {round}"));
        a.ok(&["push", &uri]);
        assert_eq!(device_state(&lab), pushed_state(&a.snapshot_db()), "round {round}");
    }
    eprintln!(
        "racing pushes: {rounds} rounds of two data dirs (a won {}, b won {}), {rounds} rounds of one snapshot twice ({} ok, {} refused)",
        wins[0], wins[1], same.0, same.1
    );
}
