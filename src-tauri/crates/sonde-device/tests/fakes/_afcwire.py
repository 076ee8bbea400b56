"""Wire mode of the fake `afcclient`: the real tool's conversation, spoken
to a usbmuxd socket (in the tests, the simulated iPhone of `sonde-devsim
ios`), so faults injected in the phone reach the tool path.

Chosen by `afcclient` when `USBMUXD_SOCKET_ADDRESS` is set and a
`.fake-wire` marker lies next to it. Nothing is read from or logged to a
fake root here: the phone is the only state.

The sequence follows libimobiledevice (tools/afcclient.c, the 2023
rewrite, over libusbmuxd 2.0 and lockdown.c): usbmuxd `ListDevices`
(falling back to `Listen` as libusbmuxd does), `Connect` to lockdownd
(62078), `QueryType`, `GetValue ProductVersion`, `ReadPairRecord`,
`StartSession` and TLS with the pair record's RootCertificate/RootPrivateKey
(what idevice.c presents), `StartService com.apple.mobile.house_arrest`,
`Connect` to its port, `VendContainer`/`VendDocuments`, `StopSession`, then
AFC on the house_arrest connection. Each command issues the AFC operations
the real command does, in its order, and prints what it prints.

Where the real tool's texts come from:
- AFC failures: `Error: <what>: <afc_strerror> (<afc_error_t>)` on stdout,
  exit status 0. A connection that breaks (EOF, reset, TLS error) is
  AFC_E_MUX_ERROR, `MUX error (30)`; the connection then stays dead, so the
  remaining operations fail the same way, as in libimobiledevice.
- lockdownd refusals: `ERROR: Could not connect to lockdownd: <text> (<n>)`
  or `ERROR: Failed to start service <name>: <text> (<n>)` on stderr, exit
  1, with libimobiledevice 1.3.0's `lockdownd_strerror` texts and
  `lockdownd_error_t` numbers.
- house_arrest: `ERROR: <Error>` (+ a hint for InstallationLookupFailed) on
  stderr, exit 0.

Deliberate differences from the real tool (the brief of these fakes):
- An unknown UDID or an unreachable usbmuxd/lockdownd prints `ERROR:
  Device <udid> not found!` and exits 1 (the real tool prints `No device
  found...` or waits for the device to appear).
- A broken connection is always reported: the real `ls` prints zeroed
  entries when a per-entry GET_FILE_INFO fails, and the real `put` says
  nothing when FILE_OPEN fails; here a MUX error prints an `Error:` line.
  `put`'s write failure carries its code (`Error: Failed to write to
  device file: MUX error (30)`; the real tool prints no code).
- Without a pair record the fake cannot pair (that needs new X.509
  certificates): it sends `Pair` only to learn why the phone would refuse
  (locked, dialog pending, denied) and reports that.
- No colours, no interactive mode.

Kept from the real tool on purpose: `put` opens with AFC_FOPEN_RW (`r+`,
no truncation), so `put -f` over a longer file keeps the old tail; a `get`
whose read breaks keeps the bytes that arrived (a partial file) and prints
the error; a stalled phone blocks forever (no receive timeout).
"""

import json
import os
import plistlib
import socket
import ssl
import stat
import struct
import sys
import tempfile
import time
import uuid

PROG = "afcclient"
LOCKDOWN_PORT = 62078
HOUSE_ARREST = "com.apple.mobile.house_arrest"
CHUNK = 0x100000  # afcclient reads and writes 1 MiB at a time
PROGRESS_FROM = 0x400000  # and shows progress above 4 MiB

# afc_error_t (include/libimobiledevice/afc.h) and afc_strerror's texts.
AFC_STRERROR = {
    0: "Success",
    1: "Unknown Error",
    2: "Operation header invalid",
    3: "No resources",
    4: "Read error",
    5: "Write error",
    6: "Unknown packet type",
    7: "Invalid argument",
    8: "Not found",
    9: "Object is a directory",
    10: "Permission denied",
    11: "Service not connected",
    12: "Timeout",
    13: "Too much data",
    14: "End of data",
    15: "Operation not supported",
    16: "Object exists",
    17: "Object busy",
    18: "No space left on device",
    19: "Operation would block",
    20: "I/O error",
    21: "Operation interrupted",
    22: "Operation on progress",
    23: "Internal error",
    30: "MUX error",
    31: "Out of memory",
    32: "Not enough data",
    33: "Directory not empty",
}
AFC_NOT_FOUND = 8
AFC_READ_ERROR = 4
AFC_MUX_ERROR = 30
AFC_DIR_NOT_EMPTY = 33

# AFC operations (src/afc.h).
OP_STATUS = 0x01
OP_DATA = 0x02
OP_READ_DIR = 0x03
OP_REMOVE_PATH = 0x08
OP_MAKE_DIR = 0x09
OP_GET_FILE_INFO = 0x0A
OP_FILE_OPEN = 0x0D
OP_FILE_OPEN_RES = 0x0E
OP_FILE_READ = 0x0F
OP_FILE_WRITE = 0x10
OP_FILE_CLOSE = 0x14
OP_RENAME_PATH = 0x18
OP_REMOVE_PATH_AND_CONTENTS = 0x22
AFC_MAGIC = b"CFA6LPAA"
AFC_HEADER = 40
AFC_FOPEN_RDONLY = 1
AFC_FOPEN_RW = 2  # r+: what afcclient's put uses
MAX_AFC_PACKET = 16 << 20
MAX_MESSAGE = 16 << 20
# GET_FILE_INFO values libimobiledevice turns into integers.
NUMERIC_INFO = ("st_size", "st_blocks", "st_nlink", "st_mtime", "st_birthtime")

# lockdownd's Error strings -> (lockdownd_error_t, lockdownd_strerror) of
# libimobiledevice 1.3.0 (include/libimobiledevice/lockdown.h, lockdown.c).
LOCKDOWN_ERRORS = {
    "InvalidResponse": (-10, "Invalid response"),
    "MissingKey": (-11, "Missing key"),
    "MissingValue": (-12, "Missing value"),
    "GetProhibited": (-13, "Get value prohibited"),
    "SetProhibited": (-14, "Set value prohibited"),
    "RemoveProhibited": (-15, "Remove value prohibited"),
    "ImmutableValue": (-16, "Immutable value"),
    "PasswordProtected": (-17, "Password protected"),
    "UserDeniedPairing": (-18, "User denied pairing"),
    "PairingDialogResponsePending": (-19, "Pairing dialog response pending"),
    "MissingHostID": (-20, "Missing HostID"),
    "InvalidHostID": (-21, "Invalid HostID"),
    "SessionActive": (-22, "Session active"),
    "SessionInactive": (-23, "Session inactive"),
    "MissingSessionID": (-24, "Missing session ID"),
    "InvalidSessionID": (-25, "Invalid session ID"),
    "MissingService": (-26, "Missing service"),
    "InvalidService": (-27, "Invalid service"),
    "ServiceLimit": (-28, "Service limit reached"),
    "MissingPairRecord": (-29, "Missing pair record"),
    "SavePairRecordFailed": (-30, "Saving pair record failed"),
    "InvalidPairRecord": (-31, "Invalid pair record"),
    "InvalidActivationRecord": (-32, "Invalid activation record"),
    "MissingActivationRecord": (-33, "Missing activation record"),
    "ServiceProhibited": (-34, "Service prohibited"),
    "EscrowLocked": (-35, "Escrow lockded"),  # sic, as libimobiledevice 1.3.0 spells it
    "PairingProhibitedOverThisConnection": (-36, "Pairing prohibited over this connection"),
    "FMiPProtected": (-37, "Find My iPhone/iPod/iPad protected"),
    "MCProtected": (-38, "MC protected"),
    "MCChallengeRequired": (-39, "MC challenge required"),
}
LD_PLIST_ERROR = (-3, "PropertyList error")
LD_PAIRING_FAILED = (-4, "Pairing failed")
LD_SSL_ERROR = (-5, "SSL error")
LD_MUX_ERROR = (-8, "Mux error")
LD_UNKNOWN = (-256, "Unknown Error")


class Broken(Exception):
    """The connection ended: EOF, reset, TLS failure or garbage."""


class Refused(Exception):
    """usbmuxd answered a Connect with a non-zero Result."""


class AfcError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code

    def __str__(self):
        return "%s (%d)" % (AFC_STRERROR.get(self.code, "Unknown Error"), self.code)


def die(message, code):
    sys.stderr.write(message + "\n")
    sys.exit(code)


# ---- sockets ----


class Link:
    """A stream socket, plain or (after start_tls) TLS."""

    def __init__(self, sock):
        self.sock = sock

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:  # ssl.SSLError is an OSError too
            raise Broken(str(e)) from None

    def recv_upto(self, n):
        """Up to n bytes; fewer only when the connection ended."""
        parts, got = [], 0
        while got < n:
            try:
                part = self.sock.recv(min(n - got, 1 << 20))
            except OSError:
                break
            if not part:
                break
            parts.append(part)
            got += len(part)
        return b"".join(parts)

    def recv_exact(self, n):
        data = self.recv_upto(n)
        if len(data) < n:
            raise Broken("connection closed after %d of %d bytes" % (len(data), n))
        return data

    def start_tls(self, pair, product_version):
        """TLS client on this socket, as libimobiledevice's idevice.c does it:
        the pair record's root certificate and key, no server verification
        (the phone's certificate has no CA the host could check)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        # Pair records made by idevicepair are SHA-1 signed, which OpenSSL 3
        # refuses at its default security level.
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        if _major(product_version) < 10:
            # libimobiledevice caps the protocol at TLS 1.0 for old phones.
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1
        cert = pair.get("RootCertificate")
        key = pair.get("RootPrivateKey")
        if not isinstance(cert, bytes) or not isinstance(key, bytes):
            cert, key = pair.get("HostCertificate"), pair.get("HostPrivateKey")
        if not isinstance(cert, bytes) or not isinstance(key, bytes):
            raise ssl.SSLError("the pair record has no certificate and key")
        # load_cert_chain only reads files: the key goes to a 0600 file
        # (mkstemp's mode) that is removed as soon as it is loaded.
        fd, path = tempfile.mkstemp(prefix="afcwire-", suffix=".pem")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, cert.rstrip(b"\n") + b"\n" + key)
            os.close(fd)
            fd = -1
            ctx.load_cert_chain(path)
        finally:
            if fd >= 0:
                os.close(fd)
            os.unlink(path)
        self.sock = ctx.wrap_socket(self.sock, server_side=False, server_hostname=None)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _major(version):
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return 99


# ---- usbmuxd ----


def mux_socket():
    """A new connection to usbmuxd (libusbmuxd's USBMUXD_SOCKET_ADDRESS:
    `UNIX:path` or `host:port`); None when nothing listens there."""
    addr = os.environ.get("USBMUXD_SOCKET_ADDRESS", "")
    try:
        if addr.startswith("UNIX:"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(addr[len("UNIX:"):])
            return s
        host, sep, port = addr.rpartition(":")
        if sep and host and port.isdigit():
            return socket.create_connection((host, int(port)))
    except OSError:
        pass
    return None


class Mux:
    """One usbmuxd conversation (plist protocol: 16-byte little-endian
    header length/version 1/message 8/tag, then an XML plist)."""

    def __init__(self):
        s = mux_socket()
        if s is None:
            raise Broken("usbmuxd is not reachable")
        self.link = Link(s)
        self.tag = 0

    def send(self, message_type, fields=None):
        msg = {
            "MessageType": message_type,
            "ClientVersionString": "libusbmuxd 2.0.2",
            "ProgName": PROG,
            "kLibUSBMuxVersion": 3,
        }
        msg.update(fields or {})
        body = plistlib.dumps(msg, fmt=plistlib.FMT_XML)
        self.tag += 1
        self.link.send(struct.pack("<IIII", 16 + len(body), 1, 8, self.tag) + body)

    def receive(self):
        length, _version, message, _tag = struct.unpack("<IIII", self.link.recv_exact(16))
        if length < 16 or length > MAX_MESSAGE:
            raise Broken("usbmuxd message of %d bytes" % length)
        body = self.link.recv_exact(length - 16)
        if message != 8:
            raise Broken("binary usbmuxd message")
        return parse_plist(body)

    def ask(self, message_type, fields=None):
        self.send(message_type, fields)
        return self.receive()

    def close(self):
        self.link.close()


def parse_plist(data):
    try:
        value = plistlib.loads(data)
    except Exception:  # plistlib raises several kinds on garbage
        raise Broken("not a property list") from None
    if not isinstance(value, dict):
        raise Broken("not a dictionary")
    return value


def result_number(reply):
    if reply.get("MessageType") == "Result":
        return reply.get("Number")
    return None


def _devices_of(entries):
    devices = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        props = entry.get("Properties") or {}
        serial, device_id = props.get("SerialNumber"), props.get("DeviceID", entry.get("DeviceID"))
        if isinstance(serial, str) and isinstance(device_id, int):
            devices.append((props.get("ConnectionType") == "Network", device_id, serial))
    return [(d, s) for _, d, s in sorted(devices, key=lambda x: x[0])]  # USB first


def list_devices():
    """[(device_id, udid)]. When ListDevices fails libusbmuxd falls back to
    Listen and collects the Attached events that come at once."""
    try:
        mux = Mux()
        try:
            reply = mux.ask("ListDevices")
        finally:
            mux.close()
        entries = reply.get("DeviceList")
        if isinstance(entries, list):
            return _devices_of(entries)
    except Broken:
        pass
    try:
        mux = Mux()
    except Broken:
        return []
    try:
        if result_number(mux.ask("Listen")) != 0:
            return []
        mux.link.sock.settimeout(0.5)
        seen = {}
        while True:
            try:
                event = mux.receive()
            except Broken:
                break
            if event.get("MessageType") == "Attached":
                seen[event.get("DeviceID")] = event
            elif event.get("MessageType") == "Detached":
                seen.pop(event.get("DeviceID"), None)
        return _devices_of(list(seen.values()))
    except Broken:
        return []
    finally:
        mux.close()


def mux_connect(device_id, port):
    """A byte tunnel to `port` on the phone. Raises Refused or Broken."""
    mux = Mux()
    try:
        # usbmuxd wants the port in network byte order inside the integer.
        swapped = struct.unpack("<H", struct.pack(">H", port))[0]
        reply = mux.ask("Connect", {"DeviceID": device_id, "PortNumber": swapped})
    except Broken:
        mux.close()
        raise
    number = result_number(reply)
    if number != 0:
        mux.close()
        raise Refused(number)
    return mux.link


def read_pair_record(udid):
    """The host's pair record (a dict) or None."""
    try:
        mux = Mux()
    except Broken:
        return None
    try:
        reply = mux.ask("ReadPairRecord", {"PairRecordID": udid})
        data = reply.get("PairRecordData")
        return parse_plist(data) if isinstance(data, bytes) else None
    except Broken:
        return None
    finally:
        mux.close()


# ---- lockdownd and house_arrest: 4-byte big-endian length + plist ----


class PlistConn:
    def __init__(self, link):
        self.link = link

    def send(self, d):
        body = plistlib.dumps(d, fmt=plistlib.FMT_XML)
        self.link.send(struct.pack(">I", len(body)) + body)

    def receive(self):
        (length,) = struct.unpack(">I", self.link.recv_exact(4))
        if length == 0 or length > MAX_MESSAGE:
            raise Broken("plist message of %d bytes" % length)
        return parse_plist(self.link.recv_exact(length))

    def ask(self, d):
        self.send(d)
        return self.receive()


def request(name, **fields):
    d = {"Label": PROG, "Request": name}
    d.update(fields)
    return d


def lockdown_error(reply):
    return LOCKDOWN_ERRORS.get(reply.get("Error"), LD_UNKNOWN)


def lockdown_failed(err):
    die("ERROR: Could not connect to lockdownd: %s (%d)" % (err[1], err[0]), 1)


def handshake(ld, udid):
    """lockdownd_client_new_with_handshake: QueryType, ProductVersion, the
    pair record, StartSession and TLS. Returns the pair record."""
    try:
        reply = ld.ask(request("QueryType"))
    except Broken:
        lockdown_failed(LD_MUX_ERROR)
    if reply.get("Type") != "com.apple.mobile.lockdown":
        lockdown_failed(LD_UNKNOWN)
    # Only used to pick the TLS version; libimobiledevice goes on without it.
    version = None
    try:
        version = ld.ask(request("GetValue", Key="ProductVersion")).get("Value")
    except Broken:
        pass
    pair = read_pair_record(udid)
    if pair is None:
        # Pairing needs new X.509 certificates, which the standard library
        # cannot make: ask anyway, to report why the phone would refuse.
        record = {"HostID": str(uuid.uuid4()).upper(), "SystemBUID": str(uuid.uuid4()).upper()}
        try:
            reply = ld.ask(request("Pair", PairRecord=record, ProtocolVersion="2"))
        except Broken:
            lockdown_failed(LD_PLIST_ERROR)
        lockdown_failed(lockdown_error(reply) if "Error" in reply else LD_PAIRING_FAILED)
    try:
        start = request("StartSession", HostID=pair.get("HostID", ""), SystemBUID=pair.get("SystemBUID", ""))
        reply = ld.ask(start)
    except Broken:
        lockdown_failed(LD_PLIST_ERROR)
    if "Error" in reply:
        lockdown_failed(lockdown_error(reply))
    if reply.get("EnableSessionSSL"):
        try:
            ld.link.start_tls(pair, version)
        except (OSError, Broken):
            lockdown_failed(LD_SSL_ERROR)
    return pair, reply.get("SessionID")


def open_container(udid, bundle, documents):
    """usbmuxd → lockdownd → house_arrest; returns the AFC connection or
    exits the way afcclient does."""
    not_found = "ERROR: Device %s not found!" % udid
    devices = list_devices()
    match = [d for d, serial in devices if udid is None or serial == udid]
    if not match:
        if udid is None:
            die("No device found. Plug in a device or pass UDID with -u to wait for device to be available.", 1)
        die(not_found, 1)
    device_id = match[0]
    if udid is None:
        udid = [s for d, s in devices if d == device_id][0]
    if not bundle:
        die("fake afcclient: only --container/--documents access is emulated", 1)

    try:
        link = mux_connect(device_id, LOCKDOWN_PORT)
    except Refused:
        # usbmuxd says the phone (or its lockdownd) cannot be reached.
        die(not_found, 1)
    except Broken:
        lockdown_failed(LD_MUX_ERROR)
    ld = PlistConn(link)
    pair, session = handshake(ld, udid)

    def service_failed(err):
        die("ERROR: Failed to start service %s: %s (%d)" % (HOUSE_ARREST, err[1], err[0]), 1)

    try:
        reply = ld.ask(request("StartService", Service=HOUSE_ARREST))
    except Broken:
        service_failed(LD_PLIST_ERROR)
    if "Error" in reply:
        service_failed(lockdown_error(reply))
    port = reply.get("Port")
    if not isinstance(port, int):
        service_failed(LD_UNKNOWN)
    try:
        ha_link = mux_connect(device_id, port)
        if reply.get("EnableServiceSSL"):
            ha_link.start_tls(pair, None)
    except (Refused, Broken, OSError):
        die("Could not start document sharing service!", 1)
    ha = PlistConn(ha_link)
    try:
        ha.send({"Command": "VendDocuments" if documents else "VendContainer", "Identifier": bundle})
    except Broken:
        die("Could not send house_arrest command!", 1)
    try:
        result = ha.receive()
    except Broken:
        # afcclient leaves its exit status at 0 here.
        die("Could not get result from document sharing service!", 0)
    if "Error" in result:
        error = result.get("Error")
        sys.stderr.write("ERROR: %s\n" % error)
        if error == "InstallationLookupFailed":
            sys.stderr.write(
                "The App '%s' is either not present on the device, or the 'UIFileSharingEnabled' key is not set "
                "in its Info.plist. Starting with iOS 8.3 this key is mandatory to allow access to an app's "
                "Documents folder.\n" % bundle
            )
        sys.exit(0)
    # lockdownd_client_free: StopSession, then the socket is closed; its
    # answer does not matter.
    try:
        ld.ask(request("StopSession", SessionID=session or ""))
    except Broken:
        pass
    ld.link.close()
    return Afc(ha_link)


# ---- AFC ----


def _u64(data, at=0):
    return struct.unpack_from("<Q", data, at)[0] if len(data) >= at + 8 else 0


def _cpath(path):
    return os.fsencode(path) + b"\0"


class Afc:
    """AFC client (40-byte header: magic, entire_length, this_length,
    packet_num, operation; u64 little-endian). Arguments go in the header
    payload, file bytes after it, as libimobiledevice sends them."""

    def __init__(self, link):
        self.link = link
        self.packet = 0
        self.dead = False

    def call(self, operation, header=b"", payload=b""):
        """(answer operation, answer data); a failure status raises AfcError."""
        if self.dead:
            raise AfcError(AFC_MUX_ERROR)
        self.packet += 1
        this = AFC_HEADER + len(header)
        entire = this + len(payload)
        packet = AFC_MAGIC + struct.pack("<QQQQ", entire, this, self.packet, operation) + header
        try:
            self.link.send(packet + payload)
            head = self.link.recv_exact(AFC_HEADER)
        except Broken:
            self.dead = True
            raise AfcError(AFC_MUX_ERROR) from None
        entire, this, _num, answer = struct.unpack_from("<QQQQ", head, 8)
        if head[:8] != AFC_MAGIC or this < AFC_HEADER or entire < this or entire > MAX_AFC_PACKET:
            self.dead = True
            raise AfcError(AFC_MUX_ERROR)
        body = self.link.recv_upto(entire - AFC_HEADER)
        if len(body) < entire - AFC_HEADER:
            self.dead = True
            # libimobiledevice's afc_receive_data only warns when a DATA
            # answer is cut short: the bytes that arrived count as read.
            if answer == OP_DATA and len(body) >= this - AFC_HEADER:
                return answer, body
            raise AfcError(AFC_MUX_ERROR)
        if answer == OP_STATUS:
            code = _u64(body)
            if code != 0:
                raise AfcError(code)
        return answer, body

    def data(self, operation, header=b""):
        answer, body = self.call(operation, header)
        return body if answer == OP_DATA else b""

    def read_dir(self, path):
        names = self.data(OP_READ_DIR, _cpath(path)).split(b"\0")
        return [os.fsdecode(n) for n in names if n]

    def info(self, path):
        parts = self.data(OP_GET_FILE_INFO, _cpath(path)).split(b"\0")
        info = {}
        for i in range(0, len(parts) - 1, 2):
            key, value = os.fsdecode(parts[i]), os.fsdecode(parts[i + 1])
            if not key:
                continue
            info[key] = int(value) if key in NUMERIC_INFO and value.isdigit() else value
        return info

    def open(self, path, mode):
        answer, body = self.call(OP_FILE_OPEN, struct.pack("<Q", mode) + _cpath(path))
        if answer != OP_FILE_OPEN_RES:
            raise AfcError(1)
        return _u64(body)

    def read(self, handle, length):
        return self.data(OP_FILE_READ, struct.pack("<QQ", handle, length))

    def write(self, handle, data):
        self.call(OP_FILE_WRITE, struct.pack("<Q", handle), data)

    def close(self, handle):
        self.call(OP_FILE_CLOSE, struct.pack("<Q", handle))

    def rename(self, old, new):
        self.call(OP_RENAME_PATH, _cpath(old) + _cpath(new))

    def remove(self, path):
        try:
            self.call(OP_REMOVE_PATH, _cpath(path))
        except AfcError as e:
            # afc_remove_path: iOS answers UNKNOWN_ERROR for a directory
            # that is not empty.
            raise AfcError(AFC_DIR_NOT_EMPTY if e.code == 1 else e.code) from None

    def remove_all(self, path):
        self.call(OP_REMOVE_PATH_AND_CONTENTS, _cpath(path))

    def mkdir(self, path):
        self.call(OP_MAKE_DIR, _cpath(path))


# ---- the commands (afcclient.c's handle_*) ----


def absolute(path):
    """get_absolute_path with the current directory at /."""
    return path if path.startswith("/") else "/" + path


def basename(path):
    return path.rsplit("/", 1)[-1]


def strip_slash(path):
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


def child(parent, name):
    return "/" + name if parent == "/" else parent + "/" + name


def is_local_dir(path):
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def parse_flags(args):
    """get/put/rm flags: -r, -f, -rf, -fr, then `--` or the first other word."""
    force = recursive = False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            i += 1
            break
        if a == "-r":
            recursive = True
        elif a == "-f":
            force = True
        elif a in ("-rf", "-fr"):
            recursive = force = True
        else:
            break
        i += 1
    return force, recursive, args[i:]


def long_line(info, name):
    ifmt = info.get("st_ifmt")
    perms = {"S_IFDIR": "drwxr-xr-x", "S_IFLNK": "lrwxrwxrwx"}.get(ifmt, "-rw-r--r--")
    when = time.strftime("%d %b %Y %H:%M:%S", time.localtime(int(info.get("st_mtime", 0)) // 1_000_000_000))
    return "%s %4d mobile mobile %10d %s %s" % (
        perms,
        int(info.get("st_nlink", 0)),
        int(info.get("st_size", 0)),
        when,
        name,
    )


class Progress:
    """afcclient's `\\r<n>% (<rate> MB/s)` line for transfers over 4 MiB."""

    def __init__(self, size, on):
        self.size, self.on, self.last, self.start = size, on, 0, time.monotonic()

    def update(self, total):
        if not self.on or self.size <= 0:
            return
        prog = int(total / self.size * 100.0)
        if prog > self.last:
            spent = time.monotonic() - self.start
            rate = total / 1048576.0 / spent if spent > 0 else float("inf")
            sys.stdout.write("\r%d%% (%0.1f MB/s)   " % (prog, rate))
            sys.stdout.flush()
            self.last = prog

    def end(self):
        if self.on:
            sys.stdout.write("\n")


def cmd_ls(afc, args):
    verbose = False
    if not args:
        path = "/"
    elif args[0] == "-l":
        verbose = True
        path = args[1] if len(args) == 2 else "/"
    else:
        path = args[0]
    abspath = absolute(path)

    def show(p):
        try:
            info = afc.info(p)
        except AfcError as e:
            if e.code == AFC_MUX_ERROR:
                # (the real tool would print a zeroed entry and go on)
                print("Error: Failed to list '%s': %s" % (path, e))
                return False
            info = {}
        print(long_line(info, basename(p)) if verbose else basename(p))
        return True

    try:
        names = afc.read_dir(abspath)
    except AfcError as e:
        if e.code == AFC_READ_ERROR:  # a file lists itself
            show(abspath)
        else:
            print("Error: Failed to list '%s': %s" % (path, e))
        return
    for name in names:
        if name in (".", ".."):
            continue
        if not show(child(abspath, name)):
            return


def cmd_info(afc, args):
    if not args:
        print("Error: Missing PATH.")
        return
    try:
        info = afc.info(absolute(args[0]))
    except AfcError as e:
        print("Error: Failed to get file info for %s: %s" % (args[0], e))
        return
    print(json.dumps(info, indent=2))


def get_single_file(afc, src, dst, size, force):
    try:
        handle = afc.open(src, AFC_FOPEN_RDONLY)
    except AfcError as e:
        print("Error: Failed to open file '%s': %s" % (src, e))
        return False
    if os.path.lexists(dst) and not force:
        print("Error: Failed to overwrite existing file without '-f' option: %s" % dst)
        return False
    try:
        out = open(dst, "wb")
    except OSError as e:
        print("Error: Failed to open local file '%s': %s" % (dst, e.strerror))
        return False
    ok, failure, total = True, None, 0
    progress = Progress(size, size > PROGRESS_FROM)
    with out:
        while True:
            try:
                data = afc.read(handle, CHUNK)
            except AfcError as e:
                failure = e
                break
            if not data:
                break
            try:
                # What arrived is kept even when the next read fails.
                out.write(data)
            except OSError:
                progress.end()
                print("Error: Failed to write to local file")
                ok = False
                break
            total += len(data)
            progress.update(total)
        progress.end()
        if failure is not None:
            print("Error: Failed to read from file '%s': %s" % (src, failure))
            ok = False
    try:
        afc.close(handle)
    except AfcError:
        pass
    return ok


def get_file(afc, src, dst, force, recursive):
    try:
        info = afc.info(src)
    except AfcError as e:
        if e.code == AFC_NOT_FOUND:
            print("Error: Failed to read from file '%s': %s" % (src, e))
            return False
        info = {}  # afcclient goes on; FILE_OPEN then reports the failure
    if info.get("st_ifmt") != "S_IFDIR":
        return get_single_file(afc, src, dst, int(info.get("st_size", 0) or 0), force)
    if not recursive:
        print("Error: Failed to get a directory without '-r' option: %s" % src)
        return False
    try:
        names = afc.read_dir(src)
    except AfcError as e:
        print("Error: Failed to list '%s': %s" % (src, e))
        return False
    if is_local_dir(dst):
        if not force:
            print("Error: Failed to write into existing directory without '-f': %s" % dst)
            return False
    else:
        try:
            os.mkdir(dst, 0o755)
        except OSError as e:
            print("Error: Failed to create directory '%s': %s" % (dst, e.strerror))
            return False
    for name in names:
        if name in (".", ".."):
            continue
        # (afcclient.c writes the children of `/` to the local root; not here)
        if not get_file(afc, child(src, name), dst + "/" + name, force, recursive):
            return False
    return True


def cmd_get(afc, args):
    if not args:
        print("Error: Invalid number of arguments")
        return
    force, recursive, rest = parse_flags(args)
    if len(rest) == 1:
        tmp = strip_slash(rest[0])
        src, dst = absolute(tmp), basename(tmp)
    elif len(rest) == 2:
        src, dst = absolute(strip_slash(rest[0])), strip_slash(rest[1])
    else:
        print("Error: Invalid number of arguments")
        return
    if is_local_dir(dst):
        dst = child(dst, basename(src))
    get_file(afc, src, dst, force, recursive)


def put_single_file(afc, src, dst, force):
    try:
        afc.info(dst)
        exists = True
    except AfcError:
        exists = False
    if exists and not force:
        print("Error: Failed to write into existing file without '-f' option: %s" % dst)
        return False
    try:
        local = open(src, "rb")
    except OSError as e:
        print("Error: Failed to open local file '%s': %s" % (src, e.strerror))
        return False
    ok, handle = True, 0
    with local:
        size = os.fstat(local.fileno()).st_size
        progress = Progress(size, size >= PROGRESS_FROM)
        try:
            handle = afc.open(dst, AFC_FOPEN_RW)
            opened = True
        except AfcError as e:
            opened = False
            # The real tool is silent when the phone refuses to open the
            # file (e.g. a missing directory); a broken link is reported.
            if e.code == AFC_MUX_ERROR:
                print("Error: Failed to open file '%s': %s" % (dst, e))
                ok = False
        total = 0
        while opened:
            data = local.read(CHUNK)
            if not data:
                break
            try:
                afc.write(handle, data)
            except AfcError as e:
                progress.end()
                print("Error: Failed to write to device file: %s" % e)
                ok = False
                break
            total += len(data)
            progress.update(total)
        progress.end()
    try:
        afc.close(handle)
    except AfcError:
        pass
    return ok


def put_file(afc, src, dst, force, recursive):
    if not is_local_dir(src):
        return put_single_file(afc, src, dst, force)
    if not recursive:
        print("Error: Failed to put directory without '-r' option: %s" % src)
        return False
    try:
        afc.info(dst)
        missing = False
    except AfcError as e:
        missing = e.code == AFC_NOT_FOUND
    if missing:
        try:
            afc.mkdir(dst)
        except AfcError as e:
            print("Error: Failed to create directory '%s': %s" % (dst, e))
            return False
    elif not force:
        print("Error: Failed to put existing directory without '-f' option: %s" % dst)
        return False
    try:
        is_dir = afc.info(dst).get("st_ifmt") == "S_IFDIR"
    except AfcError:
        is_dir = False
    if not is_dir:
        print("Error: Failed to create or access directory: '%s'" % dst)
        return False
    try:
        names = os.listdir(src)
    except OSError as e:
        print("Error: Failed to visit directory: '%s': %s" % (src, e.strerror))
        return False
    for name in names:
        if not put_file(afc, os.path.join(src, name), child(dst, name), force, recursive):
            return False
    return True


def cmd_put(afc, args):
    if not args:
        print("Error: Invalid number of arguments")
        return
    force, recursive, rest = parse_flags(args)
    if not rest:
        print("Error: Invalid number of arguments")
        return
    src = strip_slash(rest[0])
    if len(rest) == 1:
        dst = absolute(basename(src))
    elif len(rest) == 2:
        dst = absolute(strip_slash(rest[1]))
    else:
        print("Error: Invalid number of arguments")
        return
    try:
        info, missing = afc.info(dst), False
    except AfcError as e:
        info, missing = {}, e.code == AFC_NOT_FOUND
    if not missing and info.get("st_ifmt") == "S_IFDIR":
        dst = absolute(child(dst, basename(src)))
    put_file(afc, src, dst, force, recursive)


def cmd_mv(afc, args):
    if len(args) != 2:
        print("Error: Invalid number of arguments")
        return
    try:
        afc.rename(absolute(args[0]), absolute(args[1]))
    except AfcError as e:
        print("Error: Failed to rename '%s' -> '%s': %s" % (args[0], args[1], e))


def cmd_rm(afc, args):
    force, recursive, rest = parse_flags(args)
    if recursive and not force:
        sys.stdout.write("WARNING: This operation will remove all contents of the given path(s). Continue? [y/N] ")
        sys.stdout.flush()
        if not sys.stdin.readline().startswith("y"):
            print("Aborted.")
            return
    for p in rest:
        try:
            (afc.remove_all if recursive else afc.remove)(absolute(p))
        except AfcError as e:
            print("Error: Failed to remove '%s': %s" % (p, e))


def cmd_mkdir(afc, args):
    for p in args:
        try:
            afc.mkdir(absolute(p))
        except AfcError as e:
            print("Error: Failed to create directory '%s': %s" % (p, e))


COMMANDS = {
    "ls": cmd_ls,
    "list": cmd_ls,
    "info": cmd_info,
    "get": cmd_get,
    "put": cmd_put,
    "mv": cmd_mv,
    "rename": cmd_mv,
    "rm": cmd_rm,
    "remove": cmd_rm,
    "mkdir": cmd_mkdir,
}


def main(opts, rest):
    """afcclient in wire mode; returns the exit status."""
    # Device names are bytes: print them as they are, not as an exception.
    sys.stdout.reconfigure(errors="surrogateescape")
    bundle = opts["container"] or opts["documents"]
    afc = open_container(opts["udid"], bundle, documents=not opts["container"])
    if not rest:
        die("fake afcclient: interactive mode is not emulated", 1)
    handler = COMMANDS.get(rest[0])
    if handler is None:
        print("Unknown command '%s'. Type 'help' to get a list of available commands." % rest[0])
    else:
        handler(afc, rest[1:])
    afc.link.close()
    return 0
