//! The `sync:` file transfer service (AOSP `SYNC.TXT`,
//! `file_sync_protocol.h`), run as the shell user.
//!
//! Requests are `id[4] + len: u32 LE + path[len]`. Supported: `STAT` (v1
//! lstat: mode, size, mtime; zeros on error), `STA2`/`LST2` (v2 stat/lstat
//! with errno), `LIST` (`DENT` entries then `DONE`), `RECV` (`DATA` chunks of
//! at most 64 KiB then `DONE`, or `FAIL msg`), `SEND` (`path,mode`, then
//! `DATA`... and `DONE mtime`; answered `OKAY` or `FAIL msg`) and `QUIT`.
//!
//! A push is written to a temp file outside the device tree and renamed
//! into place on `DONE`, so an interrupted push leaves nothing behind (the
//! temp file is removed when the stream task is dropped, including when a
//! `drop` fault aborts the connection).
//!
//! A `when: close` fault fires after a `SEND`'s file is in place (instead of
//! its `OKAY`), after a `RECV`'s data (instead of its `DONE`), or at the end
//! of a session without transfers.

use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use crate::stream::{StreamClosed, StreamIo};
use crate::toybox::{Access, DeviceEnv, FsError, Identity, Vfs};

/// Largest DATA chunk we send (adb's SYNC_DATA_MAX).
const SYNC_DATA_MAX: usize = 64 * 1024;
/// Largest path a request may carry.
const MAX_PATH: usize = 1024;
/// Largest DATA chunk we accept from the host.
const MAX_INCOMING_DATA: usize = 1024 * 1024;

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A push in progress; removed on drop unless renamed into place.
struct TempFile {
    path: Option<PathBuf>,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

struct Sync {
    io: StreamIo,
    vfs: Vfs,
    tmp_dir: PathBuf,
    /// Host bytes not yet parsed.
    inbuf: Vec<u8>,
    /// Reply bytes not yet sent.
    outbuf: Vec<u8>,
}

type Flow<T> = Result<T, StreamClosed>;

impl Sync {
    async fn read_exact(&mut self, n: usize) -> Flow<Vec<u8>> {
        while self.inbuf.len() < n {
            match self.io.read().await {
                Some(bytes) => self.inbuf.extend_from_slice(&bytes),
                None => return Err(StreamClosed),
            }
        }
        Ok(self.inbuf.drain(..n).collect())
    }

    async fn read_header(&mut self) -> Flow<([u8; 4], u32)> {
        let h = self.read_exact(8).await?;
        let id = [h[0], h[1], h[2], h[3]];
        Ok((id, u32::from_le_bytes([h[4], h[5], h[6], h[7]])))
    }

    fn put(&mut self, bytes: &[u8]) {
        self.outbuf.extend_from_slice(bytes);
    }

    fn put_u32(&mut self, v: u32) {
        self.outbuf.extend_from_slice(&v.to_le_bytes());
    }

    fn put_u64(&mut self, v: u64) {
        self.outbuf.extend_from_slice(&v.to_le_bytes());
    }

    /// Sends whole max-size WRTEs while enough data is buffered.
    async fn flush_full(&mut self) -> Flow<()> {
        let max = self.io.max_payload();
        if self.outbuf.len() >= max {
            let whole = self.outbuf.len() / max * max;
            let chunk: Vec<u8> = self.outbuf.drain(..whole).collect();
            self.io.write_all(&chunk).await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Flow<()> {
        if !self.outbuf.is_empty() {
            let chunk = std::mem::take(&mut self.outbuf);
            self.io.write_all(&chunk).await?;
        }
        Ok(())
    }

    fn put_fail(&mut self, msg: &str) {
        self.put(b"FAIL");
        self.put_u32(msg.len() as u32);
        self.put(msg.as_bytes());
    }

    fn lookup(&self, path: &str, follow: bool) -> Result<std::fs::Metadata, FsError> {
        let p = self.vfs.resolve(&Identity::Shell, "/", path, follow)?;
        self.vfs.metadata(&Identity::Shell, &p)
    }

    fn stat_v1(&mut self, path: &str) {
        let (mode, size, mtime) = match self.lookup(path, false) {
            Ok(m) => (m.mode(), m.len() as u32, m.mtime() as u32),
            Err(_) => (0, 0, 0),
        };
        self.put(b"STAT");
        self.put_u32(mode);
        self.put_u32(size);
        self.put_u32(mtime);
    }

    fn stat_v2(&mut self, id: &[u8; 4], path: &str) {
        let result = self.lookup(path, id == b"STA2");
        self.put(id);
        match result {
            Ok(m) => {
                self.put_u32(0);
                self.put_u64(m.dev());
                self.put_u64(m.ino());
                self.put_u32(m.mode());
                self.put_u32(m.nlink() as u32);
                self.put_u32(0);
                self.put_u32(0);
                self.put_u64(m.len());
                self.put_u64(m.atime() as u64);
                self.put_u64(m.mtime() as u64);
                self.put_u64(m.ctime() as u64);
            }
            Err(e) => {
                self.put_u32(e.errno());
                self.put(&[0u8; 64]);
            }
        }
    }

    fn list(&mut self, path: &str) {
        let who = Identity::Shell;
        let entries = self
            .vfs
            .resolve(&who, "/", path, true)
            .and_then(|dir| {
                let mut all = Vec::new();
                for (name, p) in [(".", dir.clone()), ("..", dir.parent())] {
                    if let Ok(m) = std::fs::symlink_metadata(p.host()) {
                        all.push((name.to_string(), m));
                    }
                }
                all.extend(self.vfs.read_dir(&who, &dir)?);
                Ok(all)
            })
            .unwrap_or_default();
        for (name, m) in entries {
            self.put(b"DENT");
            self.put_u32(m.mode());
            self.put_u32(m.len() as u32);
            self.put_u32(m.mtime() as u32);
            self.put_u32(name.len() as u32);
            self.put(name.as_bytes());
        }
        self.put(b"DONE");
        self.put(&[0u8; 16]);
    }

    /// Sends a file; `Ok(false)` when a FAIL ended the session.
    async fn recv(&mut self, path: &str) -> Flow<bool> {
        let who = Identity::Shell;
        let opened = self.vfs.resolve(&who, "/", path, true).and_then(|p| self.vfs.open_read(&who, &p));
        let mut file = match opened {
            Ok(f) => f,
            Err(e) => {
                self.put_fail(&format!("open failed: {e}"));
                return Ok(false);
            }
        };
        let mut buf = vec![0u8; SYNC_DATA_MAX];
        loop {
            let n = match file.read(&mut buf) {
                Ok(n) => n,
                Err(e) => {
                    self.put_fail(&format!("read failed: {}", FsError::from_io(&e)));
                    return Ok(false);
                }
            };
            if n == 0 {
                break;
            }
            self.put(b"DATA");
            self.put_u32(n as u32);
            self.outbuf.extend_from_slice(&buf[..n]);
            self.flush_full().await?;
        }
        // All data sent: a `when: close` fault replaces the DONE.
        self.flush().await?;
        self.io.at_close().await;
        self.put(b"DONE");
        self.put_u32(0);
        Ok(true)
    }

    /// Prepares the destination of a push: the final host path.
    fn send_target(&self, path: &str) -> Result<PathBuf, String> {
        let who = Identity::Shell;
        let target =
            self.vfs.resolve(&who, "/", path, true).map_err(|e| format!("couldn't create file: {e}"))?;
        let parent = target.parent();
        if std::fs::symlink_metadata(parent.host()).is_err() {
            self.vfs.mkdir_all(&who, &parent).map_err(|e| format!("secure_mkdirs failed: {e}"))?;
        }
        if let Ok(m) = std::fs::symlink_metadata(target.host()) {
            if m.is_dir() {
                return Err(format!("couldn't create file: {}", FsError::IsDir));
            }
        }
        self.vfs.check(&who, &target, Access::Write).map_err(|e| format!("couldn't create file: {e}"))?;
        Ok(target.host().to_path_buf())
    }

    fn temp_file(&self) -> Result<(TempFile, std::fs::File), String> {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = self.tmp_dir.join(format!("push-{}-{n}", std::process::id()));
        let _ = std::fs::create_dir_all(&self.tmp_dir);
        let file = std::fs::File::create(&path)
            .map_err(|e| format!("couldn't create file: {}", FsError::from_io(&e)))?;
        Ok((TempFile { path: Some(path) }, file))
    }

    /// Receives a pushed file; `Ok(false)` when a FAIL ended the session.
    async fn send(&mut self, spec: &str) -> Flow<bool> {
        let mut error: Option<String> = None;
        let (path, mode) = match spec.rsplit_once(',') {
            Some((p, m)) => (p.to_string(), m.parse::<u32>().unwrap_or(0o644)),
            None => {
                error = Some("missing , in ID_SEND".to_string());
                (spec.to_string(), 0)
            }
        };
        if error.is_none() && mode & 0o170000 == 0o120000 {
            error = Some("symlinks are not supported".to_string());
        }
        let mut target = None;
        let mut temp = None;
        if error.is_none() {
            match self.send_target(&path).and_then(|t| Ok((t, self.temp_file()?))) {
                Ok((t, tf)) => {
                    target = Some(t);
                    temp = Some(tf);
                }
                Err(e) => error = Some(e),
            }
        }
        // Read DATA until DONE even after an error, as adbd does, so the
        // host sees our FAIL instead of a reset.
        let mtime = loop {
            let (id, len) = self.read_header().await?;
            match &id {
                b"DATA" => {
                    let len = len as usize;
                    if len > MAX_INCOMING_DATA {
                        self.put_fail("data chunk too large");
                        return Ok(false);
                    }
                    let data = self.read_exact(len).await?;
                    if let (None, Some((_, file))) = (&error, temp.as_mut()) {
                        if let Err(e) = file.write_all(&data) {
                            error = Some(format!("write failed: {}", FsError::from_io(&e)));
                        }
                    }
                }
                b"DONE" => break len,
                _ => {
                    self.put_fail("invalid data message");
                    return Ok(false);
                }
            }
        };
        if let Some(e) = error {
            self.put_fail(&e);
            return Ok(false);
        }
        let (Some(target), Some((mut guard, file))) = (target, temp) else {
            self.put_fail("internal error");
            return Ok(false);
        };
        let finished = (|| -> std::io::Result<()> {
            file.set_permissions(std::fs::Permissions::from_mode((mode & 0o777) | 0o600))?;
            file.set_modified(UNIX_EPOCH + Duration::from_secs(u64::from(mtime)))?;
            file.sync_all()?;
            drop(file);
            if let Some(tmp) = guard.path.as_ref() {
                std::fs::rename(tmp, &target)?;
            }
            guard.path = None;
            Ok(())
        })();
        match finished {
            Ok(()) => {
                // The file is in place: a `when: close` fault replaces the OKAY.
                self.flush().await?;
                self.io.at_close().await;
                self.put(b"OKAY");
                self.put_u32(0);
                Ok(true)
            }
            Err(e) => {
                self.put_fail(&format!("couldn't create file: {}", FsError::from_io(&e)));
                Ok(false)
            }
        }
    }

    async fn serve(&mut self) -> Flow<()> {
        loop {
            let (id, len) = self.read_header().await?;
            if &id == b"QUIT" {
                return Ok(());
            }
            let known = matches!(&id, b"STAT" | b"STA2" | b"LST2" | b"LIST" | b"RECV" | b"SEND");
            if !known {
                self.put_fail("unknown command");
                return self.flush().await;
            }
            let len = len as usize;
            if len > MAX_PATH {
                self.put_fail("path too long");
                return self.flush().await;
            }
            let raw = self.read_exact(len).await?;
            let path = String::from_utf8_lossy(&raw).into_owned();
            tracing::debug!(request = %String::from_utf8_lossy(&id), %path, "sync");
            let keep_going = match &id {
                b"STAT" => {
                    self.stat_v1(&path);
                    true
                }
                b"STA2" | b"LST2" => {
                    self.stat_v2(&id, &path);
                    true
                }
                b"LIST" => {
                    self.list(&path);
                    true
                }
                b"RECV" => self.recv(&path).await?,
                _ => self.send(&path).await?,
            };
            self.flush().await?;
            if !keep_going {
                return Ok(());
            }
        }
    }
}

/// Runs the sync service until QUIT, a FAIL, or the host closes.
pub async fn run(io: StreamIo, env: DeviceEnv, tmp_dir: PathBuf) {
    let mut sync = Sync { io, vfs: env.vfs(), tmp_dir, inbuf: Vec::new(), outbuf: Vec::new() };
    let _ = sync.serve().await;
    // No transfer fired a `when: close` fault: it fires at the end.
    sync.io.at_close().await;
}
