//! Output formatting shared by `ls -l`, `stat` and `id`: mode strings,
//! owners, dates (UTC, no timezone database on the "device").

use std::fs::Metadata;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use crate::toybox::fs::VPath;
use crate::toybox::interp::Shell;

/// Android user name of a uid (`u0_a100` for apps).
pub fn user_name(uid: u32) -> String {
    match uid {
        0 => "root".into(),
        1000 => "system".into(),
        2000 => "shell".into(),
        9997 => "everybody".into(),
        u if u >= 10_000 => format!("u0_a{}", u - 10_000),
        u => u.to_string(),
    }
}

/// Owner uid and gid of a device path, derived from where it lives.
pub fn owner_of(sh: &Shell, path: &VPath) -> (u32, u32) {
    let c: Vec<&str> = path.comps().iter().map(String::as_str).collect();
    let app = |pkg: &str| sh.env.config.uid_of(pkg).unwrap_or(1000);
    match c.as_slice() {
        ["data", "data", pkg, ..] | ["data", "user" | "user_de", _, pkg, ..] => {
            let uid = app(pkg);
            (uid, uid)
        }
        ["sdcard", "Android", "data", pkg, ..] => (app(pkg), 9997),
        ["sdcard", ..] => (0, 9997),
        ["data", "local", "tmp", ..] => (2000, 2000),
        _ => (0, 0),
    }
}

/// `drwxr-x---` style mode string.
pub fn mode_string(meta: &Metadata) -> String {
    let ft = meta.file_type();
    let kind = if ft.is_dir() {
        'd'
    } else if ft.is_symlink() {
        'l'
    } else if meta.mode() & 0o170000 == 0o020000 {
        'c'
    } else if meta.mode() & 0o170000 == 0o060000 {
        'b'
    } else if meta.mode() & 0o170000 == 0o010000 {
        'p'
    } else if meta.mode() & 0o170000 == 0o140000 {
        's'
    } else {
        '-'
    };
    let mode = meta.permissions().mode();
    let mut s = String::with_capacity(10);
    s.push(kind);
    for (shift, special, special_char) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        let x = bits & 1 != 0;
        s.push(match (mode & special != 0, x) {
            (true, true) => special_char,
            (true, false) => special_char.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    s
}

/// `%F` of stat.
pub fn file_type_name(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        "directory"
    } else if ft.is_symlink() {
        "symbolic link"
    } else if ft.is_file() {
        if meta.len() == 0 {
            "regular empty file"
        } else {
            "regular file"
        }
    } else {
        match meta.mode() & 0o170000 {
            0o020000 => "character special file",
            0o060000 => "block special file",
            0o010000 => "fifo",
            0o140000 => "socket",
            _ => "unknown",
        }
    }
}

/// Days since 1970-01-01 to (year, month, day) — Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD HH:MM` (ls -l).
pub fn date_minutes(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", rem / 3600, rem % 3600 / 60)
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn +0000` (stat %y).
pub fn date_full(secs: i64, nanos: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{nanos:09} +0000", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_minutes(0), "1970-01-01 00:00");
        assert_eq!(date_minutes(1_704_067_200 + 3_661), "2024-01-01 01:01");
        assert_eq!(date_full(951_782_400, 5), "2000-02-29 00:00:00.000000005 +0000");
    }

    #[test]
    fn users() {
        assert_eq!(user_name(10_123), "u0_a123");
        assert_eq!(user_name(2000), "shell");
    }
}
