"""Shared helpers of Sonde's fake libimobiledevice and xcrun tools.

The real tools need an iOS device on USB (usbmuxd) or macOS with Xcode, so
they cannot run on Linux CI. These fakes print the same formats and are
backed by a plain directory, the fake root:

- ``$SONDE_FAKE_IOS_ROOT`` when set, else the path written in a file named
  ``.fake-root`` next to the fake (tests copy the fakes into a temporary
  ``bin/`` and write that file, so no process-wide environment is needed);
- ``ROOT/devices/<udid>/info.json``: ``ideviceinfo`` keys (``DeviceName``,
  ``ProductType``, ``ProductVersion``...); ``{"_lockdown_error": "..."}``
  makes lockdown fail with that text;
- ``ROOT/devices/<udid>/apps.json``: ``[{"id", "version", "name", "type":
  "User"|"System", "developer": bool}]`` (``developer``: the container is
  vended, as for development-signed apps);
- ``ROOT/devices/<udid>/containers/<bundle>/``: the app container;
- ``ROOT/faults.json`` and ``ROOT/devices/<udid>/faults.json`` (the latter
  wins): fault injection, see ``afcclient``;
- ``ROOT/devices/<udid>/calls.jsonl``: one JSON argv per call, appended;
- ``ROOT/usbmuxd-down``: when present, no device list can be retrieved;
- ``ROOT/sims/devices.json`` and ``ROOT/sims/<udid>/...``: see ``xcrun``.
"""

import json
import os
import sys
import time


def die(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def root():
    env = os.environ.get("SONDE_FAKE_IOS_ROOT")
    if env:
        return env
    marker = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), ".fake-root")
    try:
        with open(marker, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        die("fake: SONDE_FAKE_IOS_ROOT is not set and there is no .fake-root marker", 2)


def load_json(path, default):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def device_dir(udid):
    if not udid or "/" in udid or udid.startswith("."):
        return None
    path = os.path.join(root(), "devices", udid)
    return path if os.path.isdir(path) else None


def faults(udid=None):
    merged = dict(load_json(os.path.join(root(), "faults.json"), {}))
    if udid and device_dir(udid):
        merged.update(load_json(os.path.join(device_dir(udid), "faults.json"), {}))
    return merged


def log_call(udid, tool):
    if not udid or not device_dir(udid):
        return
    with open(os.path.join(device_dir(udid), "calls.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps([tool] + sys.argv[1:]) + "\n")


def hang():
    """A stalled device: the real tools block forever."""
    while True:
        time.sleep(3600)


def take_counter(udid, name):
    """Decrements a per-device fault counter; True while it was positive."""
    path = os.path.join(device_dir(udid), "fault-counters.json")
    counters = load_json(path, {})
    left = counters.get(name, faults(udid).get(name, 0))
    if left <= 0:
        return False
    counters[name] = left - 1
    with open(path, "w", encoding="utf-8") as f:
        json.dump(counters, f)
    return True


def wants_version(args, flags=("--version", "-v")):
    return any(a in flags for a in args)
