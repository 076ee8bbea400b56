#!/usr/bin/env python3
"""Ratios of Sonde against baselines, on the same files, same machine:

- export of 1,000,000 rows to CSV: `sonde export` vs `sqlite3 -csv`;
- a query: `sonde query --json` vs `sqlite3 -json`;
- pull of a 50 MB database from sonde-devsim (`sonde pull`: stat + hash on
  the device, copy, re-hash, install a verified snapshot and its backup) vs
  a plain `adb pull` of the same bytes (from /sdcard: adb cannot read an
  app's private files) and vs `adb exec-out run-as ... cat`;
- tool discovery (`sonde doctor`: adb and the five iOS tools probed
  concurrently, at most 3 at once) vs the sum of the same version probes
  run one after another. The iOS tools here are the Python fakes of
  `sonde-device/tests/fakes` (~0.1 s each, like a slow real tool).

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
        # A bigger database for the transfer: 50 MB of rows in shop.db, and
        # the same bytes on /sdcard for a plain `adb pull`.
        import sqlite3
        db = os.path.join(dev, "fs/data/data/com.example.shop/databases/shop.db")
        c = sqlite3.connect(db)
        c.execute("CREATE TABLE IF NOT EXISTS blobs(b)")
        c.executemany("INSERT INTO blobs VALUES (randomblob(10000))", [()] * 5000)
        c.commit()
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.close()
        size_mb = os.path.getsize(db) / 1e6
        os.makedirs(os.path.join(dev, "fs/sdcard"), exist_ok=True)
        shutil.copyfile(db, os.path.join(dev, "fs/sdcard/shop-copy.db"))
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
        cat = statistics.median([timed(raw) for _ in range(5)])
        plain = median_time(["adb", "-s", serial, "pull", "/sdcard/shop-copy.db", out], env=aenv)
        results.append(row(f"pull {size_mb:.0f} MB db vs plain adb pull", ours, plain))
        results.append(row(f"pull {size_mb:.0f} MB db vs exec-out cat", ours, cat))
        subprocess.run(["adb", "kill-server"], env=aenv)
        server.kill()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results.append(discovery(env))
    print(json.dumps(results))


def discovery(env):
    fakes = os.path.join(ROOT, "src-tauri", "crates", "sonde-device", "tests", "fakes")
    denv = dict(env, PATH=f"{fakes}:/usr/bin:/bin", HOME=tempfile.mkdtemp())
    ours = median_time([SONDE, "doctor", "--json"], env=denv)
    probes = [["/usr/bin/adb", "version"]] + [[os.path.join(fakes, t), "--version"] for t in ("idevice_id", "ideviceinfo", "ideviceinstaller", "afcclient", "xcrun")]
    def sequential():
        for p in probes:
            subprocess.run(p, check=False, env=denv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = statistics.median([timed(sequential) for _ in range(5)])
    return row("tool discovery (6 tools) vs sequential probes", ours, base)


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


if __name__ == "__main__":
    sys.exit(main())
