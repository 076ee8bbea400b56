//! Parsers for adb and device-side tool output (formats recorded in
//! `docs/adb-facts.md`). Total: odd lines are skipped, never panic.

use crate::model::{Device, DeviceKind, DeviceState, Platform};

/// `adb devices -l`: `List of devices attached`, then per device
/// `SERIAL  STATE product:P model:M device:D transport_id:N`.
pub fn devices(text: &str) -> Vec<Device> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("List of devices") && !l.starts_with('*'))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let serial = words.next()?;
            let raw_state = words.next()?;
            let mut model = None;
            let mut product = None;
            for w in words {
                if let Some(v) = w.strip_prefix("model:") {
                    model = Some(v.replace('_', " "));
                } else if let Some(v) = w.strip_prefix("product:") {
                    product = Some(v.to_owned());
                }
            }
            let state = match raw_state {
                "device" => DeviceState::Ready,
                "offline" => DeviceState::Offline,
                "unauthorized" => DeviceState::Unauthorized,
                _ => DeviceState::Unknown,
            };
            let kind = if serial.starts_with("emulator-") {
                DeviceKind::Emulator
            } else if serial.contains(':') {
                DeviceKind::Network
            } else {
                DeviceKind::Physical
            };
            Some(Device {
                platform: Platform::Android,
                id: serial.to_owned(),
                name: model.clone().or(product).unwrap_or_else(|| serial.to_owned()),
                model,
                os_version: None,
                kind,
                state,
                raw_state: raw_state.to_owned(),
            })
        })
        .collect()
}

/// `pm list packages`: `package:<name>` lines (with `-f`: `package:<apk>=<name>`).
pub fn packages(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("package:"))
        .map(|rest| rest.rsplit_once('=').map_or(rest, |(_, name)| name))
        .map(|name| name.split_whitespace().next().unwrap_or(name).to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `sha256sum FILE...`: `<64 hex>  <path>` lines → (path, hash).
pub fn sha256sums(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let (hash, path) = l.split_once("  ")?;
            let ok = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
            ok.then(|| (path.to_owned(), hash.to_ascii_lowercase()))
        })
        .collect()
}

/// `stat -c '%s %n' FILE...` → (path, size). Names may contain spaces.
pub fn sizes(text: &str) -> Vec<(String, u64)> {
    text.lines()
        .filter_map(|l| {
            let (size, name) = l.split_once(' ')?;
            Some((name.to_owned(), size.parse().ok()?))
        })
        .collect()
}

/// `find DIR -type f` → paths relative to DIR (`./a/b` → `a/b`).
pub fn find_relative(text: &str, dir: &str) -> Vec<String> {
    let prefix = format!("{}/", dir.trim_end_matches('/'));
    text.lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter(|rel| !rel.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_devices_l() {
        let text = "List of devices attached\n\
            127.0.0.1:40123        device product:sonde_sim model:Sonde_Simulated_Pixel device:sim transport_id:1\n\
            emulator-5554          offline transport_id:2\n\
            R58M123ABC             unauthorized usb:1-1 transport_id:3\n\n";
        let d = devices(text);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].name, "Sonde Simulated Pixel");
        assert_eq!((d[0].state, d[0].kind), (DeviceState::Ready, DeviceKind::Network));
        assert_eq!((d[1].state, d[1].kind), (DeviceState::Offline, DeviceKind::Emulator));
        assert_eq!((d[2].state, d[2].kind), (DeviceState::Unauthorized, DeviceKind::Physical));
        assert!(devices("* daemon not running; starting now at tcp:5037\n").is_empty());
    }

    #[test]
    fn parses_tool_lines() {
        assert_eq!(
            packages("package:b.x\npackage:/data/app/a.apk=a.y\ngarbage\npackage:c uid:10001\n"),
            ["a.y", "b.x", "c"]
        );
        let h =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  databases/x y.db\nbad line\n";
        assert_eq!(sha256sums(h)[0].0, "databases/x y.db");
        assert_eq!(sizes("12 databases/a b.db\nx y\n"), vec![("databases/a b.db".to_string(), 12)]);
        assert_eq!(find_relative("./databases/a.db\n./f/x\nother\n", "."), ["databases/a.db", "f/x"]);
    }
}
