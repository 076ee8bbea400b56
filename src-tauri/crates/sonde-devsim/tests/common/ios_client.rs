//! A small test-only client for the simulated iPhone: usbmuxd requests,
//! lockdownd with a TLS session (the host's pair record from the phone
//! directory, as libimobiledevice uses it: RootCertificate + RootPrivateKey
//! as the client certificate), StartService, house_arrest and AFC.
//! Synchronous, std sockets, every read under a timeout. Included with
//! `#[path = "common/ios_client.rs"]`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use openssl::pkey::PKey;
use openssl::ssl::{SslConnector, SslMethod, SslStream, SslVerifyMode};
use openssl::x509::X509;
use plist::{Dictionary, Value};

pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

pub fn d(pairs: &[(&str, Value)]) -> Dictionary {
    let mut out = Dictionary::new();
    for (k, v) in pairs {
        out.insert((*k).to_string(), v.clone());
    }
    out
}

fn xml(dict: &Dictionary) -> Vec<u8> {
    let mut out = Vec::new();
    Value::Dictionary(dict.clone()).to_writer_xml(&mut out).expect("xml");
    out
}

fn parse(bytes: &[u8]) -> Dictionary {
    Value::from_reader(std::io::Cursor::new(bytes)).expect("plist").into_dictionary().expect("dictionary")
}

pub fn open_mux(socket: &Path) -> UnixStream {
    let s = UnixStream::connect(socket).expect("connect usbmuxd");
    s.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    s
}

/// Sends one usbmuxd plist request (version 1, tag 7).
pub fn mux_send(s: &mut UnixStream, dict: &Dictionary) {
    let body = xml(dict);
    let mut out = Vec::new();
    out.extend_from_slice(&(16 + body.len() as u32).to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&7u32.to_le_bytes());
    out.extend_from_slice(&body);
    s.write_all(&out).expect("write usbmuxd");
}

/// Reads one usbmuxd message: (header words, plist).
pub fn mux_recv(s: &mut UnixStream) -> std::io::Result<([u32; 4], Dictionary)> {
    let mut head = [0u8; 16];
    s.read_exact(&mut head)?;
    let w = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let words = [w(0), w(4), w(8), w(12)];
    let mut body = vec![0u8; words[0] as usize - 16];
    s.read_exact(&mut body)?;
    Ok((words, parse(&body)))
}

pub fn mux_message(kind: &str) -> Dictionary {
    d(&[
        ("MessageType", kind.into()),
        ("ClientVersionString", "sonde-test".into()),
        ("ProgName", "sonde-test".into()),
        ("kLibUSBMuxVersion", Value::Integer(3.into())),
    ])
}

pub fn result_number(reply: &Dictionary) -> Option<u64> {
    reply.get("Number").and_then(Value::as_unsigned_integer)
}

/// usbmuxd `Connect` to `port`: the tunnel, or the Result number.
pub fn connect(socket: &Path, port: u16) -> Result<UnixStream, u64> {
    let mut s = open_mux(socket);
    let mut m = mux_message("Connect");
    m.insert("DeviceID".into(), Value::Integer(1.into()));
    m.insert("PortNumber".into(), Value::Integer(u64::from(port.to_be()).into()));
    mux_send(&mut s, &m);
    let (_, reply) = mux_recv(&mut s).expect("Connect answer");
    match result_number(&reply) {
        Some(0) => Ok(s),
        Some(n) => Err(n),
        None => panic!("Connect answered {reply:?}"),
    }
}

pub enum Wire {
    Plain(UnixStream),
    Tls(Box<SslStream<UnixStream>>),
}

impl Read for Wire {
    fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Wire::Plain(s) => s.read(b),
            Wire::Tls(s) => s.read(b),
        }
    }
}

impl Write for Wire {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        match self {
            Wire::Plain(s) => s.write(b),
            Wire::Tls(s) => s.write(b),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Wire::Plain(s) => s.flush(),
            Wire::Tls(s) => s.flush(),
        }
    }
}

/// 4-byte big-endian length + plist.
pub fn plist_send(w: &mut impl Write, dict: &Dictionary) {
    let body = xml(dict);
    w.write_all(&(body.len() as u32).to_be_bytes()).expect("write len");
    w.write_all(&body).expect("write plist");
}

pub fn plist_recv(r: &mut impl Read) -> std::io::Result<Dictionary> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    r.read_exact(&mut body)?;
    Ok(parse(&body))
}

pub struct Lockdown {
    pub wire: Wire,
}

impl Lockdown {
    pub fn connect(socket: &Path) -> Lockdown {
        let s = connect(socket, 62078).expect("connect lockdownd");
        Lockdown { wire: Wire::Plain(s) }
    }

    pub fn request(&mut self, dict: &Dictionary) -> Dictionary {
        plist_send(&mut self.wire, dict);
        plist_recv(&mut self.wire).expect("lockdown answer")
    }

    pub fn simple(&mut self, request: &str) -> Dictionary {
        self.request(&d(&[("Request", request.into()), ("Label", "sonde-test".into())]))
    }

    /// StartSession with the host's pair record, then TLS.
    pub fn start_session(&mut self, record: &Dictionary) -> Dictionary {
        let host_id = record.get("HostID").and_then(Value::as_string).expect("HostID").to_string();
        let buid = record.get("SystemBUID").and_then(Value::as_string).expect("SystemBUID").to_string();
        let reply = self.request(&d(&[
            ("Request", "StartSession".into()),
            ("HostID", host_id.into()),
            ("SystemBUID", buid.into()),
        ]));
        if reply.get("EnableSessionSSL").and_then(Value::as_boolean) != Some(true) {
            return reply;
        }
        let cert = X509::from_pem(record.get("RootCertificate").and_then(Value::as_data).expect("root cert"))
            .expect("x509");
        let key = PKey::private_key_from_pem(
            record.get("RootPrivateKey").and_then(Value::as_data).expect("root key"),
        )
        .expect("key");
        let mut b = SslConnector::builder(SslMethod::tls_client()).expect("connector");
        b.set_security_level(0);
        b.set_verify(SslVerifyMode::NONE);
        b.set_certificate(&cert).expect("cert");
        b.set_private_key(&key).expect("key");
        let connector = b.build();
        let plain = match std::mem::replace(&mut self.wire, Wire::Plain(UnixStream::pair().expect("pair").0))
        {
            Wire::Plain(s) => s,
            Wire::Tls(_) => panic!("already in TLS"),
        };
        let tls = connector
            .configure()
            .expect("configure")
            .verify_hostname(false)
            .use_server_name_indication(false)
            .connect("device", plain)
            .expect("TLS handshake with lockdownd");
        self.wire = Wire::Tls(Box::new(tls));
        reply
    }
}

pub fn host_record(root: &Path, udid: &str) -> Dictionary {
    let bytes = std::fs::read(root.join("pairing").join(format!("{udid}.plist"))).expect("pair record");
    parse(&bytes)
}

/// Starts `service` through a lockdown session; the port or lockdown's Error.
pub fn start_service(socket: &Path, root: &Path, udid: &str, service: &str) -> Result<u16, String> {
    let mut l = Lockdown::connect(socket);
    let record = host_record(root, udid);
    let s = l.start_session(&record);
    if let Some(e) = s.get("Error").and_then(Value::as_string) {
        return Err(e.to_string());
    }
    let reply = l.request(&d(&[("Request", "StartService".into()), ("Service", service.into())]));
    if let Some(e) = reply.get("Error").and_then(Value::as_string) {
        return Err(e.to_string());
    }
    let port = reply.get("Port").and_then(Value::as_unsigned_integer).expect("Port");
    Ok(u16::try_from(port).expect("port"))
}

pub const AFC_STATUS: u64 = 1;
pub const AFC_DATA: u64 = 2;
pub const READ_DIR: u64 = 3;
pub const REMOVE_PATH: u64 = 8;
pub const MAKE_DIR: u64 = 9;
pub const GET_FILE_INFO: u64 = 10;
pub const GET_DEVINFO: u64 = 11;
pub const FILE_OPEN: u64 = 13;
pub const FILE_OPEN_RES: u64 = 14;
pub const FILE_READ: u64 = 15;
pub const FILE_WRITE: u64 = 16;
pub const FILE_SEEK: u64 = 17;
pub const FILE_TELL: u64 = 18;
pub const FILE_TELL_RES: u64 = 19;
pub const FILE_CLOSE: u64 = 20;
pub const FILE_SET_SIZE: u64 = 21;
pub const RENAME_PATH: u64 = 24;
pub const MAKE_LINK: u64 = 28;
pub const GET_FILE_HASH: u64 = 29;
pub const REMOVE_PATH_AND_CONTENTS: u64 = 34;

pub struct Afc {
    pub s: UnixStream,
    num: u64,
}

/// An AFC answer: operation, header payload + data.
#[derive(Debug)]
pub struct AfcReply {
    pub op: u64,
    pub num: u64,
    pub body: Vec<u8>,
}

impl AfcReply {
    pub fn word(&self) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.body[..8]);
        u64::from_le_bytes(w)
    }
}

fn cpath(p: &[u8]) -> Vec<u8> {
    let mut v = p.to_vec();
    v.push(0);
    v
}

impl Afc {
    pub fn new(s: UnixStream) -> Afc {
        s.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
        Afc { s, num: 0 }
    }

    /// Sends a packet as libimobiledevice does (arguments in the header
    /// payload, bulk data after it).
    pub fn send(&mut self, op: u64, header_payload: &[u8], data: &[u8]) -> std::io::Result<()> {
        self.num += 1;
        let this = 40 + header_payload.len() as u64;
        let entire = this + data.len() as u64;
        let mut out = Vec::new();
        out.extend_from_slice(b"CFA6LPAA");
        out.extend_from_slice(&entire.to_le_bytes());
        out.extend_from_slice(&this.to_le_bytes());
        out.extend_from_slice(&self.num.to_le_bytes());
        out.extend_from_slice(&op.to_le_bytes());
        out.extend_from_slice(header_payload);
        out.extend_from_slice(data);
        self.s.write_all(&out)
    }

    pub fn recv(&mut self) -> std::io::Result<AfcReply> {
        let mut h = [0u8; 40];
        self.s.read_exact(&mut h)?;
        assert_eq!(&h[..8], b"CFA6LPAA", "magic");
        let w = |i: usize| u64::from_le_bytes(h[i..i + 8].try_into().expect("8 bytes"));
        let entire = w(8);
        let mut body = vec![0u8; (entire - 40) as usize];
        self.s.read_exact(&mut body)?;
        Ok(AfcReply { op: w(32), num: w(24), body })
    }

    pub fn call(&mut self, op: u64, header_payload: &[u8], data: &[u8]) -> AfcReply {
        self.send(op, header_payload, data).expect("write afc");
        let r = self.recv().expect("afc answer");
        assert_eq!(r.num, self.num, "packet number echoed");
        r
    }

    /// Status of an operation that answers STATUS (0 = success).
    pub fn status(&mut self, op: u64, header_payload: &[u8]) -> u64 {
        let r = self.call(op, header_payload, &[]);
        assert_eq!(r.op, AFC_STATUS, "expected STATUS, got {r:?}");
        r.word()
    }

    pub fn open(&mut self, path: &[u8], mode: u64) -> Result<u64, u64> {
        let mut p = mode.to_le_bytes().to_vec();
        p.extend(cpath(path));
        let r = self.call(FILE_OPEN, &p, &[]);
        match r.op {
            FILE_OPEN_RES => Ok(r.word()),
            AFC_STATUS => Err(r.word()),
            other => panic!("FILE_OPEN answered op {other}"),
        }
    }

    pub fn read(&mut self, h: u64, len: u64) -> Result<Vec<u8>, u64> {
        let mut p = h.to_le_bytes().to_vec();
        p.extend(len.to_le_bytes());
        let r = self.call(FILE_READ, &p, &[]);
        match r.op {
            AFC_DATA => Ok(r.body),
            AFC_STATUS => Err(r.word()),
            other => panic!("FILE_READ answered op {other}"),
        }
    }

    pub fn read_all(&mut self, h: u64) -> Vec<u8> {
        let mut all = Vec::new();
        loop {
            let chunk = self.read(h, 65536).expect("read");
            if chunk.is_empty() {
                return all;
            }
            all.extend(chunk);
        }
    }

    pub fn write(&mut self, h: u64, data: &[u8]) -> u64 {
        let r = self.call(FILE_WRITE, &h.to_le_bytes(), data);
        assert_eq!(r.op, AFC_STATUS);
        r.word()
    }

    pub fn close(&mut self, h: u64) -> u64 {
        self.status(FILE_CLOSE, &h.to_le_bytes())
    }

    pub fn path_op(&mut self, op: u64, path: &[u8]) -> u64 {
        self.status(op, &cpath(path))
    }

    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> u64 {
        let mut p = cpath(from);
        p.extend(cpath(to));
        self.status(RENAME_PATH, &p)
    }

    pub fn list(&mut self, path: &[u8]) -> Result<Vec<String>, u64> {
        let r = self.call(READ_DIR, &cpath(path), &[]);
        match r.op {
            AFC_DATA => Ok(r
                .body
                .split(|b| *b == 0)
                .filter(|s| !s.is_empty())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()),
            AFC_STATUS => Err(r.word()),
            other => panic!("READ_DIR answered op {other}"),
        }
    }

    pub fn info(&mut self, path: &[u8]) -> Result<HashMap<String, String>, u64> {
        let r = self.call(GET_FILE_INFO, &cpath(path), &[]);
        match r.op {
            AFC_DATA => {
                let parts: Vec<String> =
                    r.body.split(|b| *b == 0).map(|s| String::from_utf8_lossy(s).into_owned()).collect();
                Ok(parts.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0].clone(), c[1].clone())).collect())
            }
            AFC_STATUS => Err(r.word()),
            other => panic!("GET_FILE_INFO answered op {other}"),
        }
    }
}

/// house_arrest `command` for `bundle`: AFC on success, else the Error.
pub fn house_arrest(
    socket: &Path,
    root: &Path,
    udid: &str,
    command: &str,
    bundle: &str,
) -> Result<Afc, String> {
    let port = start_service(socket, root, udid, "com.apple.mobile.house_arrest")?;
    let mut s = connect(socket, port).map_err(|n| format!("connect {n}"))?;
    plist_send(&mut s, &d(&[("Command", command.into()), ("Identifier", bundle.into())]));
    let reply = plist_recv(&mut s).expect("house_arrest answer");
    if let Some(e) = reply.get("Error").and_then(Value::as_string) {
        return Err(e.to_string());
    }
    assert_eq!(reply.get("Status").and_then(Value::as_string), Some("Complete"), "{reply:?}");
    Ok(Afc::new(s))
}
