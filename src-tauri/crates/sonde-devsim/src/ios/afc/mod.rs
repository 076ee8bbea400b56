//! AFC (Apple File Conduit) over a directory: `com.apple.afc` (media),
//! house_arrest containers, `com.apple.crashreportcopymobile`.
//!
//! Operations: `READ_DIR` (names with `.` and `..`), `GET_FILE_INFO`
//! (`st_size`, `st_blocks`, `st_nlink`, `st_ifmt` S_IFREG/S_IFDIR/S_IFLNK,
//! `st_mtime`, `st_birthtime` in ns, `LinkTarget` for links; never follows
//! the last symlink), `GET_DEVINFO`, `FILE_OPEN` (modes 1..6: r, r+, w, w+,
//! a, a+ → `FILE_OPEN_RES` handle), `FILE_READ` (DATA, at most 4 MiB),
//! `FILE_WRITE`, `FILE_SEEK` (whence 0/1/2), `FILE_TELL` (`FILE_TELL_RES`),
//! `FILE_SET_SIZE`, `FILE_CLOSE`, `FILE_LOCK` (accepted), `REMOVE_PATH`
//! (a file or an empty directory; a non-empty one answers 1
//! UNKNOWN_ERROR as iOS does — libimobiledevice turns that into
//! AFC_E_DIR_NOT_EMPTY), `REMOVE_PATH_AND_CONTENTS`, `RENAME_PATH`
//! (replaces an existing file, like rename(2)), `MAKE_DIR` (with parents;
//! an existing directory is fine), `GET_FILE_HASH` (SHA-1, 20 bytes),
//! `SET_FILE_MOD_TIME`. Other operations of afc.h: 15 OP_NOT_SUPPORTED
//! (`MAKE_LINK` among them: clients cannot make links here); numbers afc.h
//! does not know: 6 UNKNOWN_PACKET_TYPE. Bad arguments: 7 INVALID_ARG; an
//! unknown handle: 7; `READ_DIR` of a file: 4 READ_ERROR; a path through a
//! file or missing directory: 8; escaping the root: 10 PERM_DENIED (see
//! [`fs`]). Answers carry the request's packet number.

pub mod fs;
pub mod proto;

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use fs::{AfcRoot, Target};
use proto::{op, status, Args, Packet};

use super::faults::{Action, Fault, When};
use super::link::{act, pace, Link};
use super::server::Sim;
use super::IosError;

/// Most files one connection may hold open.
pub const MAX_OPEN: usize = 256;

struct OpenFile {
    file: std::fs::File,
    path: String,
    readable: bool,
    writable: bool,
}

enum Reply {
    Status(u64),
    Data(Vec<u8>),
    Handle(u64),
    Tell(u64),
}

struct Session<'a> {
    root: &'a AfcRoot,
    model: String,
    files: HashMap<u64, OpenFile>,
    next_handle: u64,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The step name of a request (see [`super::faults`]).
fn label(p: &Packet, files: &HashMap<u64, OpenFile>) -> String {
    let name = proto::op_name(p.operation);
    let mut args = Args::new(&p.body);
    let detail = match p.operation {
        op::FILE_OPEN => {
            let _ = args.u64();
            args.cstr().map(text)
        }
        op::FILE_READ
        | op::FILE_WRITE
        | op::FILE_SEEK
        | op::FILE_TELL
        | op::FILE_SET_SIZE
        | op::FILE_CLOSE
        | op::FILE_LOCK => args.u64().and_then(|h| files.get(&h)).map(|f| f.path.clone()),
        op::RENAME_PATH => {
            let from = args.cstr().map(text).unwrap_or_default();
            let to = args.cstr().map(text).unwrap_or_default();
            Some(format!("{from} {to}"))
        }
        op::SET_FILE_MOD_TIME => {
            let _ = args.u64();
            args.cstr().map(text)
        }
        op::GET_DEVINFO => None,
        _ => args.cstr().map(text),
    };
    match detail {
        Some(d) => format!("afc:{name} {d}"),
        None => format!("afc:{name}"),
    }
}

/// Serves AFC on `link` until the client closes it.
pub async fn serve(
    sim: &Sim,
    mut link: Link,
    root: AfcRoot,
    service_fault: Option<Fault>,
) -> Result<(), IosError> {
    let model = sim
        .phone
        .info()
        .ok()
        .and_then(|i| i.get("ProductType").and_then(|v| v.as_str()).map(String::from))
        .unwrap_or_else(|| "iPhone".into());
    let mut s = Session { root: &root, model, files: HashMap::new(), next_handle: 1 };
    loop {
        let Some(p) = proto::recv(&mut link).await? else {
            return Ok(());
        };
        let step = label(&p, &s.files);
        let fault = sim.step(&step).await?.or(service_fault);
        if let Some(f) = fault.filter(|f| f.action == Action::Slow) {
            tokio::time::sleep(pace(p.body.len(), f.bytes_per_sec)).await;
        }
        // A write cut short: only the first after_bytes bytes reach the file.
        let cut_write = fault.filter(|f| p.operation == op::FILE_WRITE && f.fires(When::During));
        let reply = s.handle(&p, cut_write.map(|f| f.after_bytes));
        if let Some(f) = cut_write {
            return act(f.action).await;
        }
        let bytes = match reply {
            Reply::Status(code) => proto::encode(p.packet_num, op::STATUS, &code.to_le_bytes(), &[]),
            Reply::Data(data) => proto::encode(p.packet_num, op::DATA, &[], &data),
            Reply::Handle(h) => proto::encode(p.packet_num, op::FILE_OPEN_RES, &h.to_le_bytes(), &[]),
            Reply::Tell(pos) => proto::encode(p.packet_num, op::FILE_TELL_RES, &pos.to_le_bytes(), &[]),
        };
        link.write_faulted(&bytes, fault.as_ref()).await?;
        sim.finish(fault.as_ref()).await?;
    }
}

fn ns(t: std::io::Result<SystemTime>) -> u128 {
    t.ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos())
}

fn kv(pairs: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        out.extend_from_slice(k.as_bytes());
        out.push(0);
        out.extend_from_slice(v.as_bytes());
        out.push(0);
    }
    out
}

impl Session<'_> {
    fn resolve(&self, path: Option<&[u8]>, follow: bool) -> Result<Target, u64> {
        match path {
            Some(p) if !p.is_empty() => self.root.resolve(p, follow),
            _ => Err(status::INVALID_ARG),
        }
    }

    fn host(&self, path: Option<&[u8]>, follow: bool) -> Result<std::path::PathBuf, u64> {
        match self.resolve(path, follow)? {
            Target::Host(p) => Ok(p),
            Target::VirtualRoot => Err(status::PERM_DENIED),
        }
    }

    /// A path that may be removed or renamed: inside the container and
    /// not its root (symlinks in the last part are not followed).
    fn below_root(&self, path: Option<&[u8]>) -> Result<std::path::PathBuf, u64> {
        let target = self.resolve(path, false)?;
        if self.root.is_root(&target) {
            return Err(status::PERM_DENIED);
        }
        match target {
            Target::Host(p) => Ok(p),
            Target::VirtualRoot => Err(status::PERM_DENIED),
        }
    }

    fn handle(&mut self, p: &Packet, write_limit: Option<u64>) -> Reply {
        match self.run(p, write_limit) {
            Ok(r) => r,
            Err(code) => Reply::Status(code),
        }
    }

    fn run(&mut self, p: &Packet, write_limit: Option<u64>) -> Result<Reply, u64> {
        let mut args = Args::new(&p.body);
        let io = |e: std::io::Error| fs::status_of(&e);
        match p.operation {
            op::READ_DIR => {
                let target = self.resolve(args.cstr(), true)?;
                let mut names: Vec<Vec<u8>> = match &target {
                    Target::VirtualRoot => vec![b"Documents".to_vec()],
                    Target::Host(dir) => {
                        let meta = std::fs::metadata(dir).map_err(io)?;
                        if !meta.is_dir() {
                            return Err(status::READ_ERROR);
                        }
                        let mut names = Vec::new();
                        for entry in std::fs::read_dir(dir).map_err(io)? {
                            let entry = entry.map_err(io)?;
                            names.push(entry.file_name().as_bytes().to_vec());
                        }
                        names.sort();
                        names
                    }
                };
                names.insert(0, b"..".to_vec());
                names.insert(0, b".".to_vec());
                let mut data = Vec::new();
                for n in names {
                    data.extend_from_slice(&n);
                    data.push(0);
                }
                Ok(Reply::Data(data))
            }
            op::GET_FILE_INFO => {
                let host = match self.resolve(args.cstr(), false)? {
                    Target::Host(p) => p,
                    Target::VirtualRoot => self.root.base().to_path_buf(),
                };
                let meta = std::fs::symlink_metadata(&host).map_err(io)?;
                let ft = meta.file_type();
                let ifmt = if ft.is_symlink() {
                    "S_IFLNK"
                } else if ft.is_dir() {
                    "S_IFDIR"
                } else {
                    "S_IFREG"
                };
                let mtime = ns(meta.modified());
                let birth = match meta.created() {
                    Ok(t) => ns(Ok(t)),
                    Err(_) => mtime,
                };
                let mut pairs = vec![
                    ("st_size", meta.len().to_string()),
                    ("st_blocks", meta.blocks().to_string()),
                    ("st_nlink", meta.nlink().to_string()),
                    ("st_ifmt", ifmt.to_string()),
                    ("st_mtime", mtime.to_string()),
                    ("st_birthtime", birth.to_string()),
                ];
                if ft.is_symlink() {
                    let target = std::fs::read_link(&host).map_err(io)?;
                    pairs.push(("LinkTarget", text(target.as_os_str().as_bytes())));
                }
                Ok(Reply::Data(kv(&pairs)))
            }
            op::GET_DEVINFO => Ok(Reply::Data(kv(&[
                ("Model", self.model.clone()),
                ("FSTotalBytes", "127989493760".into()),
                ("FSFreeBytes", "64424509440".into()),
                ("FSBlockSize", "4096".into()),
            ]))),
            op::FILE_OPEN => {
                let mode = args.u64().ok_or(status::INVALID_ARG)?;
                let path = args.cstr();
                let afc_path = path.map(text).unwrap_or_default();
                let host = match self.resolve(path, true)? {
                    Target::Host(p) => p,
                    Target::VirtualRoot => return Err(status::OBJECT_IS_DIR),
                };
                let mut o = std::fs::OpenOptions::new();
                let (readable, writable) = match mode {
                    1 => (true, false),
                    2 => (true, true),
                    3 => (false, true),
                    4 => (true, true),
                    5 => (false, true),
                    6 => (true, true),
                    _ => return Err(status::INVALID_ARG),
                };
                match mode {
                    1 => o.read(true),
                    2 => o.read(true).write(true).create(true),
                    3 => o.write(true).create(true).truncate(true),
                    4 => o.read(true).write(true).create(true).truncate(true),
                    5 => o.append(true).create(true),
                    _ => o.read(true).append(true).create(true),
                };
                if std::fs::metadata(&host).is_ok_and(|m| m.is_dir()) {
                    return Err(status::OBJECT_IS_DIR);
                }
                if self.files.len() >= MAX_OPEN {
                    return Err(status::NO_RESOURCES);
                }
                let file = o.open(&host).map_err(io)?;
                let h = self.next_handle;
                self.next_handle += 1;
                self.files.insert(h, OpenFile { file, path: afc_path, readable, writable });
                Ok(Reply::Handle(h))
            }
            op::FILE_READ => {
                let h = args.u64().ok_or(status::INVALID_ARG)?;
                let len = args.u64().ok_or(status::INVALID_ARG)?.min(proto::MAX_READ);
                let f = self.files.get_mut(&h).ok_or(status::INVALID_ARG)?;
                if !f.readable {
                    return Err(status::PERM_DENIED);
                }
                let mut data = Vec::new();
                (&mut f.file).take(len).read_to_end(&mut data).map_err(io)?;
                Ok(Reply::Data(data))
            }
            op::FILE_WRITE => {
                let h = args.u64().ok_or(status::INVALID_ARG)?;
                let mut data = args.rest();
                if let Some(limit) = write_limit {
                    data = &data[..usize::try_from(limit).unwrap_or(usize::MAX).min(data.len())];
                }
                let f = self.files.get_mut(&h).ok_or(status::INVALID_ARG)?;
                if !f.writable {
                    return Err(status::PERM_DENIED);
                }
                f.file.write_all(data).map_err(io)?;
                Ok(Reply::Status(status::SUCCESS))
            }
            op::FILE_SEEK => {
                let h = args.u64().ok_or(status::INVALID_ARG)?;
                let whence = args.u64().ok_or(status::INVALID_ARG)?;
                let offset = args.u64().ok_or(status::INVALID_ARG)? as i64;
                let f = self.files.get_mut(&h).ok_or(status::INVALID_ARG)?;
                let to = match whence {
                    0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| status::INVALID_ARG)?),
                    1 => SeekFrom::Current(offset),
                    2 => SeekFrom::End(offset),
                    _ => return Err(status::INVALID_ARG),
                };
                f.file.seek(to).map_err(io)?;
                Ok(Reply::Status(status::SUCCESS))
            }
            op::FILE_TELL => {
                let h = args.u64().ok_or(status::INVALID_ARG)?;
                let f = self.files.get_mut(&h).ok_or(status::INVALID_ARG)?;
                Ok(Reply::Tell(f.file.stream_position().map_err(io)?))
            }
            op::FILE_SET_SIZE => {
                let h = args.u64().ok_or(status::INVALID_ARG)?;
                let size = args.u64().ok_or(status::INVALID_ARG)?;
                let f = self.files.get_mut(&h).ok_or(status::INVALID_ARG)?;
                if !f.writable {
                    return Err(status::PERM_DENIED);
                }
                f.file.set_len(size).map_err(io)?;
                Ok(Reply::Status(status::SUCCESS))
            }
            op::FILE_CLOSE => {
                let h = args.u64().ok_or(status::INVALID_ARG)?;
                self.files.remove(&h).ok_or(status::INVALID_ARG)?;
                Ok(Reply::Status(status::SUCCESS))
            }
            op::FILE_LOCK => {
                let h = args.u64().ok_or(status::INVALID_ARG)?;
                self.files.get(&h).ok_or(status::INVALID_ARG)?;
                Ok(Reply::Status(status::SUCCESS))
            }
            op::REMOVE_PATH | op::REMOVE_PATH_AND_CONTENTS => {
                let host = self.below_root(args.cstr())?;
                let meta = std::fs::symlink_metadata(&host).map_err(io)?;
                if !meta.is_dir() {
                    std::fs::remove_file(&host).map_err(io)?;
                } else if p.operation == op::REMOVE_PATH_AND_CONTENTS {
                    std::fs::remove_dir_all(&host).map_err(io)?;
                } else {
                    match std::fs::remove_dir(&host) {
                        Ok(()) => {}
                        // iOS answers UNKNOWN_ERROR for a directory that is not empty.
                        Err(e) if e.raw_os_error() == Some(39) => return Err(status::UNKNOWN_ERROR),
                        Err(e) => return Err(io(e)),
                    }
                }
                Ok(Reply::Status(status::SUCCESS))
            }
            op::RENAME_PATH => {
                let from = self.below_root(args.cstr())?;
                let to = self.below_root(args.cstr())?;
                std::fs::symlink_metadata(&from).map_err(io)?;
                std::fs::rename(&from, &to).map_err(io)?;
                Ok(Reply::Status(status::SUCCESS))
            }
            op::MAKE_DIR => {
                let target = match args.cstr() {
                    Some(p) if !p.is_empty() => self.root.resolve_missing(p)?,
                    _ => return Err(status::INVALID_ARG),
                };
                let host = match target {
                    Target::Host(p) => p,
                    Target::VirtualRoot => return Ok(Reply::Status(status::SUCCESS)),
                };
                match std::fs::metadata(&host) {
                    Ok(m) if m.is_dir() => return Ok(Reply::Status(status::SUCCESS)),
                    Ok(_) => return Err(status::OBJECT_EXISTS),
                    Err(_) => {}
                }
                std::fs::create_dir_all(&host).map_err(io)?;
                Ok(Reply::Status(status::SUCCESS))
            }
            op::GET_FILE_HASH => {
                let host = self.host(args.cstr(), true)?;
                let mut file = std::fs::File::open(&host).map_err(io)?;
                if file.metadata().map_err(io)?.is_dir() {
                    return Err(status::OBJECT_IS_DIR);
                }
                let mut hasher = openssl::sha::Sha1::new();
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = file.read(&mut buf).map_err(io)?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                }
                Ok(Reply::Data(hasher.finish().to_vec()))
            }
            op::SET_FILE_MOD_TIME => {
                let when = args.u64().ok_or(status::INVALID_ARG)?;
                let host = self.host(args.cstr(), true)?;
                let file = std::fs::File::open(&host).map_err(io)?;
                file.set_modified(UNIX_EPOCH + Duration::from_nanos(when)).map_err(io)?;
                Ok(Reply::Status(status::SUCCESS))
            }
            op::STATUS..=op::FILE_WRITE_OFFSET => Err(status::OP_NOT_SUPPORTED),
            _ => Err(status::UNKNOWN_PACKET_TYPE),
        }
    }
}
