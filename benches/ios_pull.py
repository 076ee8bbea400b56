#!/usr/bin/env python3
"""Pull of a 50 MB database from the simulated iPhone (`sonde-devsim ios`):

- `sonde pull` through Sonde's native AFC client (usbmuxd, lockdown with
  TLS, house_arrest, AFC; no `afcclient` on PATH): stat the database and
  its -wal, copy, stat again, hash, install a verified snapshot;
- vs the real libimobiledevice tools' AFC path on the same phone and the
  same bytes: `idevicecrashreport -k -e` copying a 50 MB file from the
  phone's crash-report service (Debian packages no `afcclient`; this is
  the libimobiledevice AFC client that is installable here);
- and a local `cp` of the file, for scale.

Prints medians of several runs and the ratio (Sonde / baseline; < 1 is faster).
"""
import os, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release")
SONDE = os.path.join(BIN, "sonde")
DEVSIM = os.path.join(BIN, "sonde-devsim")
APP = "com.example.journal"
REL = "Documents/big.sqlite"


def median_time(run, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def row(name, ours, base):
    print(f"{name:<52} sonde {ours * 1000:8.1f} ms   baseline {base * 1000:8.1f} ms   ratio {ours / base:5.2f}")


def main():
    work = tempfile.mkdtemp()
    phone = os.path.join(work, "phone")
    subprocess.run([DEVSIM, "ios-demo", phone], check=True, stdout=subprocess.DEVNULL)
    db = os.path.join(phone, "containers", APP, REL)
    c = sqlite3.connect(db)
    c.execute("CREATE TABLE blobs(b)")
    c.executemany("INSERT INTO blobs VALUES (randomblob(10000))", [()] * 5000)
    c.commit()
    c.close()
    size = os.path.getsize(db)
    # Only the big file in the crash-report service, so both copy the same bytes.
    crashes = os.path.join(phone, "crashes")
    shutil.rmtree(crashes, ignore_errors=True)
    os.makedirs(crashes)
    shutil.copyfile(db, os.path.join(crashes, "big.ips"))

    sock = os.path.join(work, "mux.sock")
    sim = subprocess.Popen([DEVSIM, "ios", "--exit-with-stdin", "--root", phone, "--socket", sock],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        words = sim.stdout.readline().split()
        if len(words) != 3 or words[0] != "usbmuxd":
            sys.exit(f"sonde-devsim ios did not get ready: {words}")
        udid = words[2]
        env = dict(os.environ, USBMUXD_SOCKET_ADDRESS=f"UNIX:{sock}", PATH="/usr/bin:/bin",
                   SONDE_DATA_DIR=os.path.join(work, "data"), SONDE_IOS_AFC="native")
        uri = f"ios://{udid}/{APP}/{REL}"

        def sonde_pull():
            out = os.path.join(work, "pulled")
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run([SONDE, "pull", uri, "-o", out, "--discard"], check=True, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def crashreport():
            out = os.path.join(work, "crash-out")
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            subprocess.run(["idevicecrashreport", "-u", udid, "-k", "-e", out], check=True, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            got = os.path.join(out, "big.ips")
            if os.path.getsize(got) != size:
                sys.exit("idevicecrashreport copied a short file")

        def local_copy():
            shutil.copyfile(db, os.path.join(work, "copy.sqlite"))

        print(f"pull of a {size / 1e6:.1f} MB database from the simulated iPhone")
        ours = median_time(sonde_pull)
        row("sonde pull (native AFC) vs idevicecrashreport (AFC)", ours, median_time(crashreport))
        row("sonde pull (native AFC) vs local cp", ours, median_time(local_copy))
    finally:
        sim.stdin.close()
        sim.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
