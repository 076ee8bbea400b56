//! Images: the format from the file signature and the pixel size from the
//! headers, without decoding pixels (the UI draws the bytes itself).
//!
//! Header reading is bounds-checked everywhere: a truncated or lying image
//! gives `None` dimensions, never a panic. For HEIC the size is the largest
//! `ispe` (image spatial extents) property in `meta/iprp/ipco`: iPhone photos
//! are grids of 512×512 tiles plus the full-size grid item, and the largest
//! extent is the picture's size (resolving the primary item through `pitm`
//! and `ipma` would be exact, and is more than a preview needs).

use crate::{DecodeError, Decoded, Kind, Raw};
use serde::{Deserialize, Serialize};

/// An image file format recognised by its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// `89 50 4E 47 0D 0A 1A 0A`.
    Png,
    /// `FF D8 FF`.
    Jpeg,
    /// `GIF87a` / `GIF89a`.
    Gif,
    /// `RIFF....WEBP`.
    Webp,
    /// An ISO-BMFF `ftyp` box with a HEIF/HEIC brand.
    Heic,
}

impl ImageFormat {
    /// Upper-case name for one-line text (`PNG`, `JPEG`...).
    pub fn label(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Gif => "GIF",
            ImageFormat::Webp => "WebP",
            ImageFormat::Heic => "HEIC",
        }
    }
}

/// The image format of bytes, by signature alone.
pub fn sniff(b: &[u8]) -> Option<ImageFormat> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        Some(ImageFormat::Webp)
    } else if is_heic(b) {
        Some(ImageFormat::Heic)
    } else {
        None
    }
}

pub(crate) fn decode(value: Raw) -> Result<Decoded, DecodeError> {
    let bytes = match value {
        Raw::Blob(b) => b,
        other => {
            return Err(DecodeError::WrongStorage {
                kind: Kind::Image,
                found: other.storage_name(),
                wanted: "a BLOB",
            })
        }
    };
    let format = sniff(bytes).ok_or_else(|| DecodeError::NoImageSignature(crate::hex_preview(bytes, 8)))?;
    let size = match format {
        ImageFormat::Png => png_size(bytes),
        ImageFormat::Jpeg => jpeg_size(bytes),
        ImageFormat::Gif => gif_size(bytes),
        ImageFormat::Webp => webp_size(bytes),
        ImageFormat::Heic => heic_size(bytes),
    };
    let (width, height) = match size {
        Some((w, h)) => (Some(w), Some(h)),
        None => (None, None),
    };
    Ok(Decoded::Image { format, width, height, bytes: bytes.len() })
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let [b0, b1, b2]: [u8; 3] = b.get(at..at.checked_add(3)?)?.try_into().ok()?;
    Some(u32::from_le_bytes([b0, b1, b2, 0]))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// The IHDR chunk comes first: length, `IHDR`, width, height (big-endian).
fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    (b.get(12..16)? == b"IHDR").then_some(())?;
    Some((be32(b, 16)?, be32(b, 20)?))
}

/// Walks the marker segments up to the first SOFn frame header.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    loop {
        // Markers are 0xFF (any number of fill bytes) then a code.
        while *b.get(i)? != 0xFF {
            i += 1;
        }
        while *b.get(i)? == 0xFF {
            i += 1;
        }
        let marker = *b.get(i)?;
        i += 1;
        match marker {
            // Standalone markers: TEM, RSTn, SOI; and stuffed 0xFF00.
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            // End of image, or the scan starts: no frame header before it.
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let len = usize::from(be16(b, i)?);
        if len < 2 {
            return None;
        }
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            // length(2) precision(1) height(2) width(2)
            let h = be16(b, i + 3)?;
            let w = be16(b, i + 5)?;
            return Some((u32::from(w), u32::from(h)));
        }
        i = i.checked_add(len)?;
    }
}

/// The logical screen size follows the signature (little-endian).
fn gif_size(b: &[u8]) -> Option<(u32, u32)> {
    Some((u32::from(le16(b, 6)?), u32::from(le16(b, 8)?)))
}

/// The first chunk after `RIFF size WEBP`: lossy `VP8 `, lossless `VP8L`
/// or extended `VP8X` (which carries the canvas size).
fn webp_size(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8 " => {
            // Frame tag (3 bytes) then start code 9D 01 2A, then 14-bit sizes.
            (b.get(23..26)? == [0x9D, 0x01, 0x2A]).then_some(())?;
            Some((u32::from(le16(b, 26)? & 0x3FFF), u32::from(le16(b, 28)? & 0x3FFF)))
        }
        b"VP8L" => {
            (*b.get(20)? == 0x2F).then_some(())?;
            let bits = le32(b, 21)?;
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        _ => None,
    }
}

const HEIF_BRANDS: [&[u8; 4]; 8] = [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"];

/// An `ftyp` box whose brands say HEIF with HEVC (not AVIF, which shares `mif1`).
fn is_heic(b: &[u8]) -> bool {
    if b.get(4..8) != Some(b"ftyp") {
        return false;
    }
    let Some(size) = be32(b, 0).and_then(|s| usize::try_from(s).ok()) else { return false };
    let Some(ftyp) = b.get(8..size.min(b.len())) else { return false };
    // major brand, minor version, compatible brands
    let brands: Vec<&[u8]> =
        ftyp.chunks_exact(4).enumerate().filter(|(i, _)| *i != 1).map(|(_, c)| c).take(64).collect();
    let avif = brands.iter().any(|b| *b == b"avif" || *b == b"avis");
    !avif && brands.iter().any(|b| HEIF_BRANDS.iter().any(|h| *b == h.as_slice()))
}

/// The boxes of an ISO-BMFF byte range: (type, body).
fn boxes(b: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let size = be32(b, at)?;
        let kind = b.get(at + 4..at + 8)?;
        let (header, total) = match size {
            0 => (8, b.len() - at),
            1 => (16, usize::try_from(be64(b, at + 8)?).ok()?),
            n => (8, usize::try_from(n).ok()?),
        };
        if total < header {
            return None;
        }
        let end = at.checked_add(total)?;
        let body = b.get(at + header..end)?;
        at = end;
        Some((kind, body))
    })
}

fn child<'a>(b: &'a [u8], kind: &[u8]) -> Option<&'a [u8]> {
    boxes(b).find(|(k, _)| *k == kind).map(|(_, body)| body)
}

fn heic_size(b: &[u8]) -> Option<(u32, u32)> {
    // `meta` is a full box: 4 bytes of version and flags before its children.
    let meta = child(b, b"meta")?.get(4..)?;
    let ipco = child(child(meta, b"iprp")?, b"ipco")?;
    boxes(ipco)
        .filter(|(k, _)| *k == b"ispe")
        .filter_map(|(_, body)| Some((be32(body, 4)?, be32(body, 8)?)))
        .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A complete 2×3 grey PNG (IHDR, IDAT, IEND), checksums included.
    pub(crate) fn tiny_png() -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let crc = crc32(&out[start..]);
            out.extend_from_slice(&crc.to_be_bytes());
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&2u32.to_be_bytes());
        ihdr.extend_from_slice(&3u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
        chunk(&mut png, b"IHDR", &ihdr);
        let raw = [0u8, 0x80, 0x80, 0, 0x80, 0x80, 0, 0x80, 0x80]; // filter byte + 2 pixels, 3 rows
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, &raw).unwrap();
        chunk(&mut png, b"IDAT", &z.finish().unwrap());
        chunk(&mut png, b"IEND", &[]);
        png
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn size(b: &[u8]) -> (ImageFormat, Option<u32>, Option<u32>) {
        match decode(Raw::Blob(b)).unwrap() {
            Decoded::Image { format, width, height, bytes } => {
                assert_eq!(bytes, b.len());
                (format, width, height)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn png() {
        assert_eq!(size(&tiny_png()), (ImageFormat::Png, Some(2), Some(3)));
        // Cut inside IHDR: the format is known, the size is not.
        assert_eq!(size(&tiny_png()[..20]), (ImageFormat::Png, None, None));
    }

    #[test]
    fn jpeg() {
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]); // APP0, 14 bytes of body
        j.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        j.extend_from_slice(&[0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80]); // fill, SOF0 640×480
        j.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        j.extend_from_slice(&[0xFF, 0xD9]);
        assert_eq!(size(&j), (ImageFormat::Jpeg, Some(640), Some(480)));
        for cut in 0..j.len() {
            let _ = jpeg_size(&j[..cut]);
        }
        // A scan before any frame header: no size.
        assert_eq!(size(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), (ImageFormat::Jpeg, None, None));
    }

    #[test]
    fn gif() {
        let g = b"GIF89a\x40\x01\xF0\x00\x80\x00\x00";
        assert_eq!(size(g), (ImageFormat::Gif, Some(320), Some(240)));
        assert_eq!(size(b"GIF87a\x01"), (ImageFormat::Gif, None, None));
    }

    fn riff(chunk: &[u8], body: &[u8]) -> Vec<u8> {
        let mut w = b"RIFF".to_vec();
        w.extend_from_slice(&((body.len() + 12) as u32).to_le_bytes());
        w.extend_from_slice(b"WEBP");
        w.extend_from_slice(chunk);
        w.extend_from_slice(&(body.len() as u32).to_le_bytes());
        w.extend_from_slice(body);
        w
    }

    #[test]
    fn webp() {
        let lossy = riff(b"VP8 ", &[0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01, 0, 0]);
        assert_eq!(size(&lossy), (ImageFormat::Webp, Some(640), Some(480)));
        // VP8L: width-1 = 99, height-1 = 49 in 14-bit fields.
        let bits: u32 = 99 | (49 << 14);
        let mut body = vec![0x2F];
        body.extend_from_slice(&bits.to_le_bytes());
        assert_eq!(size(&riff(b"VP8L", &body)), (ImageFormat::Webp, Some(100), Some(50)));
        let ext = riff(b"VP8X", &[0x10, 0, 0, 0, 0xFF, 0x03, 0x00, 0xFF, 0x02, 0x00]);
        assert_eq!(size(&ext), (ImageFormat::Webp, Some(1024), Some(768)));
        assert_eq!(size(&lossy[..24]), (ImageFormat::Webp, None, None));
    }

    fn bmff(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    pub(crate) fn tiny_heic() -> Vec<u8> {
        let ispe = |w: u32, h: u32| {
            let mut body = vec![0, 0, 0, 0];
            body.extend_from_slice(&w.to_be_bytes());
            body.extend_from_slice(&h.to_be_bytes());
            bmff(b"ispe", &body)
        };
        let mut ipco = ispe(512, 512);
        ipco.extend(ispe(4032, 3024));
        let iprp = bmff(b"iprp", &bmff(b"ipco", &ipco));
        let mut meta_body = vec![0, 0, 0, 0];
        meta_body.extend(bmff(b"hdlr", &[0; 24]));
        meta_body.extend(iprp);
        let mut file = bmff(b"ftyp", b"heic\0\0\0\0mif1heic");
        file.extend(bmff(b"meta", &meta_body));
        file.extend(bmff(b"mdat", &[1, 2, 3]));
        file
    }

    #[test]
    fn heic() {
        let file = tiny_heic();
        assert_eq!(size(&file), (ImageFormat::Heic, Some(4032), Some(3024)));
        for cut in 0..file.len() {
            let _ = decode(Raw::Blob(&file[..cut]));
        }
        let avif = bmff(b"ftyp", b"avif\0\0\0\0mif1avif");
        assert_eq!(sniff(&avif), None);
    }

    #[test]
    fn not_images() {
        let e = decode(Raw::Blob(b"hello world")).unwrap_err().to_string();
        assert_eq!(
            e,
            "not an image: no PNG, JPEG, GIF, WebP or HEIC signature (starts with 68656c6c6f20776f…)"
        );
        assert!(decode(Raw::Text(b"\x89PNG")).is_err());
        assert!(decode(Raw::Blob(&[])).is_err());
    }
}
