//! File hashing (streamed, never the whole file in memory).

use crate::error::{DeviceError, Result};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

/// Lower-case hex SHA-256 and size of a local file.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    hash_copying(path, None)
}

/// Hashes `path` and, in the same pass, copies it to `copy` (a snapshot's
/// pristine backup costs no second read).
pub fn sha256_file_copying(path: &Path, copy: &Path) -> Result<(String, u64)> {
    hash_copying(path, Some(copy))
}

fn hash_copying(path: &Path, copy: Option<&Path>) -> Result<(String, u64)> {
    let mut file = std::fs::File::open(path).map_err(|e| DeviceError::io(path, e))?;
    let mut out = match copy {
        Some(c) => Some((std::fs::File::create(c).map_err(|e| DeviceError::io(c, e))?, c)),
        None => None,
    };
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| DeviceError::io(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
        if let Some((f, c)) = &mut out {
            f.write_all(&buf[..n]).map_err(|e| DeviceError::io(*c, e))?;
        }
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// Async wrapper (hashing is blocking I/O).
pub async fn sha256_file_async(path: &Path) -> Result<(String, u64)> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || sha256_file(&path))
        .await
        .map_err(|e| DeviceError::Internal(format!("hashing task: {e}")))?
}

/// Async wrapper of [`sha256_file_copying`].
pub async fn sha256_file_copying_async(path: &Path, copy: &Path) -> Result<(String, u64)> {
    let (path, copy) = (path.to_owned(), copy.to_owned());
    tokio::task::spawn_blocking(move || sha256_file_copying(&path, &copy))
        .await
        .map_err(|e| DeviceError::Internal(format!("hashing task: {e}")))?
}
