#!/usr/bin/env python3
"""Ratios of Sonde against baselines, on the same files, same machine:

- export of 1,000,000 rows to CSV: `sonde export` vs `sqlite3 -csv`;
- a query: `sonde query --json` vs `sqlite3 -json`;
- pull of the demo shop database (db + wal, verified) vs raw `adb pull` /
  `adb exec-out cat` of the same two files from sonde-devsim.

Prints medians of several runs and the ratio (Sonde / baseline; < 1 is faster).
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release")
SONDE = os.path.join(BIN, "sonde")
DEVSIM = os.path.join(BIN, "sonde-devsim")
BIG = os.path.join(ROOT, "target", "bench-data", "big.db")


def median_time(cmd, runs=5, env=None, stdout=subprocess.DEVNULL):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=stdout, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def row(name, ours, base):
    print(f"{name:<44} sonde {ours * 1000:9.1f} ms   baseline {base * 1000:9.1f} ms   ratio {ours / base:5.2f}")
    return {"name": name, "sonde_ms": round(ours * 1000, 1), "baseline_ms": round(base * 1000, 1), "ratio": round(ours / base, 2)}


def main():
    results = []
    env = dict(os.environ, SONDE_DATA_DIR=tempfile.mkdtemp())
    sql = "SELECT * FROM events WHERE id <= 1000000"
    ours = median_time([SONDE, "export", BIG, "events", "--format", "csv", "--query", sql], env=env)
    base = median_time(["sqlite3", "-csv", "-header", BIG, sql])
    results.append(row("export 1M rows to CSV", ours, base))
    q = "SELECT kind, count(*), sum(user_id) FROM events GROUP BY kind"
    results.append(row("aggregate query over 10M rows (JSON)", median_time([SONDE, "query", BIG, q, "--json"], env=env), median_time(["sqlite3", "-json", BIG, q])))

    work = tempfile.mkdtemp()
    try:
        dev = os.path.join(work, "dev")
        subprocess.run([DEVSIM, "demo", dev], check=True, stdout=subprocess.DEVNULL)
        # A bigger database for the transfer: 20 MB of rows in shop.db.
        import sqlite3
        db = os.path.join(dev, "fs/data/data/com.example.shop/databases/shop.db")
        c = sqlite3.connect(db)
        c.execute("CREATE TABLE IF NOT EXISTS blobs(b)")
        c.executemany("INSERT INTO blobs VALUES (randomblob(10000))", [()] * 2000)
        c.commit()
        c.close()
        server = subprocess.Popen([DEVSIM, "serve", "--root", dev], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        serial = server.stdout.readline().decode().split()[1]
        aenv = dict(env, ANDROID_ADB_SERVER_PORT="15177", HOME=os.path.join(work, "home"), TMPDIR=work)
        os.makedirs(aenv["HOME"], exist_ok=True)
        subprocess.run(["adb", "connect", serial], env=aenv, check=True, stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        uri = f"android://{serial}/com.example.shop/databases/shop.db"
        ours = median_time([SONDE, "pull", uri], env=aenv)
        out = os.path.join(work, "raw.db")
        def raw():
            with open(out, "wb") as f:
                subprocess.run(["adb", "-s", serial, "exec-out", "run-as com.example.shop cat databases/shop.db"], env=aenv, check=True, stdout=f)
        base = statistics.median([timed(raw) for _ in range(5)])
        results.append(row("pull 20 MB db (verified snapshot) vs exec-out cat", ours, base))
        subprocess.run(["adb", "kill-server"], env=aenv)
        server.kill()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results))


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


if __name__ == "__main__":
    sys.exit(main())
