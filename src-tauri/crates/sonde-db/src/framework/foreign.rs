//! Files that sit beside SQLite databases in an app's data and are often
//! taken for one, told by their signatures so "not a database" can say
//! what they are: Realm (`T-DB` at byte 16 of its header), LevelDB (a table
//! file's footer magic, or a database directory's `CURRENT`/`MANIFEST-*`),
//! MMKV (a data file with its `.crc` sibling), property lists
//! (`bplist00`, XML `<plist`) and Android's SharedPreferences XML (`<map>`).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// What a non-SQLite file is, and what opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Foreign {
    pub format: &'static str,
    pub advice: &'static str,
}

const REALM: Foreign = Foreign { format: "a Realm database", advice: "open it with Realm Studio" };
const LEVELDB: Foreign = Foreign {
    format: "LevelDB data (a table or log of a LevelDB directory)",
    advice: "LevelDB is a key-value store: read it with a LevelDB tool (e.g. `leveldbutil dump`)",
};
const MMKV: Foreign = Foreign {
    format: "an MMKV key-value file",
    advice: "read it with MMKV's own tools (its .crc file is beside it)",
};
const PLIST: Foreign =
    Foreign { format: "a property list (e.g. NSUserDefaults)", advice: "open it with `plutil -p` or Xcode" };
const PREFS: Foreign = Foreign {
    format: "Android SharedPreferences (XML)",
    advice: "it is plain XML: any text viewer shows it",
};

/// The little-endian footer magic of a LevelDB table file (`table/format.h`).
const LEVELDB_MAGIC: [u8; 8] = 0xdb47_7524_8b80_fb57u64.to_le_bytes();

/// What the file at `path` is, if Sonde knows its kind.
pub fn identify(path: &Path) -> Option<Foreign> {
    if path.is_dir() {
        return (path.join("CURRENT").is_file() && has_manifest(path)).then_some(LEVELDB);
    }
    let mut file = std::fs::File::open(path).ok()?;
    let mut head = [0u8; 64];
    let n = read_up_to(&mut file, &mut head).ok()?;
    let head = &head[..n];
    if head.get(16..20) == Some(b"T-DB") {
        return Some(REALM);
    }
    if head.starts_with(b"bplist0") {
        return Some(PLIST);
    }
    let text = String::from_utf8_lossy(head);
    if text.trim_start().starts_with("<?xml")
        || text.trim_start().starts_with("<plist")
        || text.trim_start().starts_with("<map")
    {
        if text.contains("<plist") || text.contains("<!DOCTYPE plist") {
            return Some(PLIST);
        }
        if text.contains("<map") {
            return Some(PREFS);
        }
    }
    let mut crc = path.as_os_str().to_owned();
    crc.push(".crc");
    if Path::new(&crc).is_file() {
        return Some(MMKV);
    }
    let mut tail = [0u8; 8];
    if file.seek(SeekFrom::End(-8)).is_ok()
        && read_up_to(&mut file, &mut tail).ok() == Some(8)
        && tail == LEVELDB_MAGIC
    {
        return Some(LEVELDB);
    }
    let in_leveldb_dir = path.parent().is_some_and(|d| d.join("CURRENT").is_file() && has_manifest(d));
    in_leveldb_dir.then_some(LEVELDB)
}

fn has_manifest(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("MANIFEST-")))
        .unwrap_or(false)
}

/// Reads until `buf` is full or the file ends; the bytes read.
pub(crate) fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match file.read(&mut buf[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}
