//! Just enough of Apple's binary property list format (`bplist00`, as
//! written by CoreFoundation's `CFBinaryPList.c`) to read one string value
//! of a top-level dictionary: CoreSimulator's container metadata files
//! (`.com.apple.mobile_container_manager.metadata.plist`, key
//! `MCMMetadataIdentifier`) are binary plists.
//!
//! Layout: `bplist00`, the objects, an offset table, and a 32-byte trailer
//! (6 unused bytes, offset size, reference size, object count, top object,
//! offset-table position; big-endian). Object markers used here: `0x1n`
//! integer of 2^n bytes, `0x5n` ASCII string, `0x6n` UTF-16BE string,
//! `0xDn` dictionary (n keys refs, then n value refs); a count nibble of
//! 0xF means the count follows as an integer object.
//!
//! Total: every read is bounds-checked, so any input yields `None` or a
//! value, never a panic.

const MAGIC: &[u8] = b"bplist00";
const TRAILER: usize = 32;
/// More entries than this in one dictionary is not a metadata file.
const MAX_ENTRIES: u64 = 4096;

struct Doc<'a> {
    bytes: &'a [u8],
    offset_size: usize,
    ref_size: usize,
    objects: u64,
    table: usize,
}

/// Big-endian unsigned integer of `len` (1..=8) bytes at `at`.
fn uint(bytes: &[u8], at: usize, len: usize) -> Option<u64> {
    if !(1..=8).contains(&len) {
        return None;
    }
    let slice = bytes.get(at..at.checked_add(len)?)?;
    Some(slice.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b)))
}

impl Doc<'_> {
    fn offset_of(&self, object: u64) -> Option<usize> {
        if object >= self.objects {
            return None;
        }
        let at = self.table.checked_add(usize::try_from(object).ok()?.checked_mul(self.offset_size)?)?;
        usize::try_from(uint(self.bytes, at, self.offset_size)?).ok()
    }

    /// The count of the object at `at` and where its payload starts.
    fn count(&self, at: usize) -> Option<(u64, usize)> {
        let marker = *self.bytes.get(at)?;
        let nibble = u64::from(marker & 0x0f);
        if nibble != 0x0f {
            return Some((nibble, at.checked_add(1)?));
        }
        let int_marker = *self.bytes.get(at.checked_add(1)?)?;
        if int_marker & 0xf0 != 0x10 {
            return None;
        }
        let len = 1usize << (int_marker & 0x0f).min(3);
        let start = at.checked_add(2)?;
        Some((uint(self.bytes, start, len)?, start.checked_add(len)?))
    }

    fn string(&self, object: u64) -> Option<String> {
        let at = self.offset_of(object)?;
        let (count, start) = self.count(at)?;
        let count = usize::try_from(count).ok()?;
        match self.bytes.get(at)? >> 4 {
            0x5 => {
                let raw = self.bytes.get(start..start.checked_add(count)?)?;
                raw.is_ascii().then(|| String::from_utf8_lossy(raw).into_owned())
            }
            0x6 => {
                let raw = self.bytes.get(start..start.checked_add(count.checked_mul(2)?)?)?;
                let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
                String::from_utf16(&units).ok()
            }
            _ => None,
        }
    }
}

/// The string stored under `key` in the top-level dictionary, if any.
pub fn dict_string(bytes: &[u8], key: &str) -> Option<String> {
    if bytes.len() < MAGIC.len() + TRAILER || !bytes.starts_with(MAGIC) {
        return None;
    }
    let t = bytes.len() - TRAILER;
    let doc = Doc {
        bytes,
        offset_size: usize::from(*bytes.get(t + 6)?),
        ref_size: usize::from(*bytes.get(t + 7)?),
        objects: uint(bytes, t + 8, 8)?,
        table: usize::try_from(uint(bytes, t + 24, 8)?).ok()?,
    };
    let top = uint(bytes, t + 16, 8)?;
    let at = doc.offset_of(top)?;
    if bytes.get(at)? >> 4 != 0xD {
        return None;
    }
    let (entries, refs) = doc.count(at)?;
    if entries > MAX_ENTRIES {
        return None;
    }
    let entries = usize::try_from(entries).ok()?;
    let reference = |i: usize| uint(bytes, refs.checked_add(i.checked_mul(doc.ref_size)?)?, doc.ref_size);
    (0..entries).find_map(|i| {
        (doc.string(reference(i)?)? == key).then(|| doc.string(reference(entries + i)?)).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `plistlib.dumps({...}, fmt=plistlib.FMT_BINARY)` (Python 3.11) of a
    /// container metadata dictionary: `MCMMetadataIdentifier` =
    /// `com.example.notes`, an integer, a nested dictionary and
    /// `Name` = `Café 表` (a UTF-16 string).
    const METADATA: &str = "62706c6973743030d60102030405060708090c0d0e5f10174d434d4d65746164617461436f6e74656e74436c6173735f10154d434d4d657461646174614964656e7469666965725f100f4d434d4d65746164617461496e666f5f10184d434d4d65746164617461536368656d6156657273696f6e5f100f4d434d4d6574616461746155554944544e616d6510025f1011636f6d2e6578616d706c652e6e6f746573d10a0b5f102a636f6d2e6170706c652e4d6f62696c65496e7374616c6c6174696f6e2e42756e646c6556657273696f6e513110015f102442313143374436352d303636312d343043322d423045342d4435303535333030304142316600430061006600e90020886800080015002f0047005900740086008b008d00a100a400d100d300d500fc0000000000000201000000000000000f00000000000000000000000000000109";

    fn bytes() -> Vec<u8> {
        hex::decode(METADATA).expect("hex")
    }

    #[test]
    fn reads_strings_of_a_real_binary_plist() {
        let b = bytes();
        assert_eq!(dict_string(&b, "MCMMetadataIdentifier").as_deref(), Some("com.example.notes"));
        assert_eq!(
            dict_string(&b, "MCMMetadataUUID").as_deref(),
            Some("B11C7D65-0661-40C2-B0E4-D50553000AB1")
        );
        assert_eq!(dict_string(&b, "Name").as_deref(), Some("Café 表"));
        assert_eq!(dict_string(&b, "MCMMetadataContentClass"), None, "an integer is not a string");
        assert_eq!(dict_string(&b, "MCMMetadataInfo"), None, "a dictionary is not a string");
        assert_eq!(dict_string(&b, "Missing"), None);
    }

    #[test]
    fn never_panics_on_damaged_input() {
        let good = bytes();
        assert_eq!(dict_string(b"", "k"), None);
        assert_eq!(dict_string(b"bplist00", "k"), None);
        for cut in 0..good.len() {
            let _ = dict_string(&good[..cut], "MCMMetadataIdentifier");
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..good.len() * 64 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut damaged = good.clone();
            damaged[i % good.len()] = state as u8;
            damaged[(state >> 8) as usize % good.len()] ^= (state >> 16) as u8;
            let _ = dict_string(&damaged, "MCMMetadataIdentifier");
        }
    }
}
