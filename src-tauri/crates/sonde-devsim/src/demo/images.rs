//! Small PNG images for the demo databases (avatars, attachments, covers),
//! drawn from a seed so they are the same bytes on every machine.

use super::{DemoError, Seq};

/// A `size`×`size` RGB picture: a two-colour diagonal pattern from `seed`.
pub fn png(size: u32, seed: u64) -> Result<Vec<u8>, DemoError> {
    let mut seq = Seq::new(seed);
    let mut colour = || [seq.below(256) as u8, seq.below(256) as u8, seq.below(256) as u8];
    let (a, b) = (colour(), colour());
    let stripe = 2 + (seed % 5) as u32;
    let mut pixels = Vec::with_capacity((size * size * 3) as usize);
    for y in 0..size {
        for x in 0..size {
            let c = if ((x + y) / stripe).is_multiple_of(2) { a } else { b };
            pixels.extend_from_slice(&c);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size, size);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

/// A contact's 24×24 avatar.
pub fn avatar(id: u64) -> Result<Vec<u8>, DemoError> {
    png(24, 0xA7A7 ^ id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pictures_are_png_and_deterministic() {
        let a = super::png(16, 7).expect("png");
        assert_eq!(&a[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(a, super::png(16, 7).expect("again"));
        assert_ne!(a, super::png(16, 8).expect("other"));
    }
}
