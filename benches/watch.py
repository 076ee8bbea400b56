#!/usr/bin/env python3
"""Issue 11's measurements, on this machine, in one script:

- `sonde diff` vs `sqldiff` (Debian package sqlite3-tools) on the same two
  files: 1,000,000 rows with 1,000 changed rows, with every row changed,
  and 10,000,000 rows with 1,000 changed; the counts of both must agree
  (sqldiff's INSERT/UPDATE/DELETE statements vs sonde's per-table counts).
  Files without a -wal: sqldiff would checkpoint and delete one.
- `sonde watch --json` on sonde-devsim through the real adb at a 500 ms
  interval: app commit -> line printed, p50 and p95 over 20 commits.
- An idle watch (1,000 ms): device calls seen by the simulated device and
  CPU of the watch process (and the adb clients it ran) over 10 s.
- Bytes moved by a -wal-only re-pull vs the full pull (from `sonde versions`).

Run `cargo build --release --bins` first. Prints a table and JSON.
"""
import json, os, random, shutil, statistics, subprocess, sys, tempfile, threading, time, sqlite3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release")
SONDE = os.path.join(BIN, "sonde")
DEVSIM = os.path.join(BIN, "sonde-devsim")
DATA = os.path.join(ROOT, "target", "bench-data")


def make_table(path, rows):
    if os.path.exists(path):
        return
    tmp = path + ".tmp"
    for p in (tmp, tmp + "-wal", tmp + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    subprocess.run(["sqlite3", tmp], check=True, input=f"""
        PRAGMA page_size=4096;
        CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL, note TEXT);
        WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < {rows})
        INSERT INTO t SELECT x, 'name ' || x, x % 97, x * 0.25, CASE WHEN x % 10 = 0 THEN hex(randomblob(20)) END FROM c;
        CREATE INDEX t_qty ON t(qty);
    """.encode())
    os.rename(tmp, path)


def changed_copy(src, dst, changes, every=False):
    shutil.copyfile(src, dst)
    c = sqlite3.connect(dst)
    if every:
        c.execute("UPDATE t SET qty = qty + 1")
    else:
        rng = random.Random(11)
        n = c.execute("SELECT max(id) FROM t").fetchone()[0]
        for i in range(changes):
            k = rng.randrange(1, n)
            if i % 3 == 0:
                c.execute("UPDATE t SET name = 'changed' || ? WHERE id = ?", (i, k))
            elif i % 3 == 1:
                c.execute("DELETE FROM t WHERE id = ?", (k,))
            else:
                c.execute("INSERT INTO t(name, qty) VALUES ('new', ?)", (i,))
    c.commit()
    c.close()


def timed(cmd, env=None):
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    return time.perf_counter() - t, out


def median_run(cmd, runs, env=None):
    times, out = [], b""
    for _ in range(runs):
        t, out = timed(cmd, env)
        times.append(t)
    return statistics.median(times), out


def diff_case(name, a, b, env, runs):
    ours, out = median_run([SONDE, "diff", a, b, "--json"], runs, env)
    base, sql = median_run(["sqldiff", a, b], runs)
    t = [x for x in json.loads(out)["tables"] if x["name"] == "t"][0]
    lines = sql.decode(errors="replace").splitlines()
    theirs = {k: sum(1 for l in lines if l.startswith(k)) for k in ("INSERT", "UPDATE", "DELETE")}
    mine = {"INSERT": t["inserted"], "UPDATE": t["updated"], "DELETE": t["deleted"]}
    assert mine == theirs, f"{name}: counts differ: sonde {mine} sqldiff {theirs}"
    print(f"{name:<46} sonde {ours*1000:8.0f} ms  sqldiff {base*1000:8.0f} ms  ratio {ours/base:5.2f}  counts {mine}")
    return {"name": name, "sonde_ms": round(ours * 1000), "sqldiff_ms": round(base * 1000), "ratio": round(ours / base, 3), "counts": mine}


def diffs(env):
    os.makedirs(DATA, exist_ok=True)
    one, ten = os.path.join(DATA, "diff-1m.db"), os.path.join(DATA, "diff-10m.db")
    make_table(one, 1_000_000)
    make_table(ten, 10_000_000)
    work = tempfile.mkdtemp(dir=DATA)
    try:
        out = []
        b = os.path.join(work, "b.db")
        changed_copy(one, b, 1000)
        out.append(diff_case("diff 1M rows, 1,000 changed", one, b, env, 5))
        changed_copy(one, b, 0, every=True)
        out.append(diff_case("diff 1M rows, every row changed", one, b, env, 5))
        changed_copy(ten, b, 1000)
        out.append(diff_case("diff 10M rows, 1,000 changed", ten, b, env, 3))
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime stime cutime cstime (fields 14-17), in clock ticks.
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def watch(env):
    work = tempfile.mkdtemp()
    results = []
    try:
        dev = os.path.join(work, "dev")
        subprocess.run([DEVSIM, "demo", dev, "--small"], check=True, stdout=subprocess.DEVNULL)
        db = os.path.join(dev, "fs/data/data/com.example.shop/databases/shop.db")
        # A database of a realistic size (~20 MB), so a -wal-only re-pull is
        # measured against a full pull that is not itself tiny.
        grow = sqlite3.connect(db)
        grow.execute("CREATE TABLE bench_payload(id INTEGER PRIMARY KEY, data BLOB)")
        grow.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 2000) INSERT INTO bench_payload(data) SELECT randomblob(10000) FROM c")
        grow.commit()
        grow.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        grow.close()
        server = subprocess.Popen([DEVSIM, "serve", "--root", dev], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        serial = server.stdout.readline().decode().split()[1]
        aenv = dict(env, ANDROID_ADB_SERVER_PORT="15179", HOME=os.path.join(work, "home"), TMPDIR=work, SONDE_DATA_DIR=os.path.join(work, "data"), SONDE_VERSIONS_KEEP="100")
        os.makedirs(aenv["HOME"], exist_ok=True)
        subprocess.run(["adb", "connect", serial], env=aenv, check=True, stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        uri = f"android://{serial}/com.example.shop/databases/shop.db"

        # Latency: commit -> line, at a 500 ms interval.
        proc = subprocess.Popen([SONDE, "watch", uri, "--json", "--interval", "500"], env=aenv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        proc.stdout.readline()
        app = sqlite3.connect(db, isolation_level=None)
        app.execute("PRAGMA wal_autocheckpoint=0")
        rng = random.Random(5)
        latencies = []
        for i in range(20):
            time.sleep(rng.uniform(0.6, 1.4))
            app.execute("INSERT INTO users(username, email) VALUES (?, 'w@x')", (f"watched {i}",))
            t = time.perf_counter()
            line = proc.stdout.readline()
            latencies.append(time.perf_counter() - t)
            assert '"users"' in line, line
        proc.terminate()
        proc.wait()
        latencies.sort()
        p50, p95 = statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))]
        print(f"watch at 500 ms: commit -> reported  p50 {p50*1000:.0f} ms  p95 {p95*1000:.0f} ms  (max {latencies[-1]*1000:.0f} ms, n={len(latencies)})")
        results.append({"name": "watch latency at 500 ms", "p50_ms": round(p50 * 1000), "p95_ms": round(p95 * 1000), "max_ms": round(latencies[-1] * 1000)})

        # Idle: device calls and CPU over 10 s at the default 1,000 ms.
        conf = os.path.join(dev, "device.json")
        cfg = json.load(open(conf))
        cfg["faults"] = {"trace": True}
        json.dump(cfg, open(conf, "w"))
        trace = os.path.join(dev, "streams.log")
        proc = subprocess.Popen([SONDE, "watch", uri, "--json"], env=aenv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        proc.stdout.readline()
        time.sleep(2)
        before_lines = sum(1 for _ in open(trace)) if os.path.exists(trace) else 0
        before_cpu = cpu_seconds(proc.pid)
        time.sleep(10)
        calls = (sum(1 for _ in open(trace)) if os.path.exists(trace) else 0) - before_lines
        cpu = cpu_seconds(proc.pid) - before_cpu
        proc.terminate()
        proc.wait()
        print(f"idle watch (1,000 ms) over 10 s: {calls} device calls, CPU {cpu:.2f} s ({cpu * 10:.1f}% of one core)")
        results.append({"name": "idle watch 10 s", "device_calls": calls, "cpu_s": round(cpu, 2)})

        versions = json.loads(subprocess.run([SONDE, "versions", uri, "--json"], env=aenv, check=True, stdout=subprocess.PIPE).stdout)
        full = versions[0]
        assert full["producer"] == "pull", full
        wal_only = [v for v in versions if v["producer"] == "watch"]
        moved = statistics.median(v["moved_bytes"] for v in wal_only)
        size = statistics.median(v["bytes"] for v in wal_only)
        print(f"re-pull after a commit: {moved:.0f} bytes moved of {size:.0f} (full pull moved {full['moved_bytes']}); ratio {moved / full['moved_bytes']:.3f}")
        results.append({"name": "wal-only re-pull", "moved_bytes": moved, "version_bytes": size, "full_pull_bytes": full["moved_bytes"]})
        subprocess.run(["adb", "kill-server"], env=aenv)
        server.kill()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main():
    env = dict(os.environ, SONDE_DATA_DIR=tempfile.mkdtemp())
    results = []
    if "--no-diff" not in sys.argv:
        results += diffs(env)
    if "--no-watch" not in sys.argv:
        results += watch(env)
    print(json.dumps(results))


if __name__ == "__main__":
    sys.exit(main())
