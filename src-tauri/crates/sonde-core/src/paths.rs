//! Where Sonde keeps its data and its logs, by each OS's convention, as
//! pure functions of a [`HostOs`] and an environment (so every OS is tested
//! on any host):
//!
//! | | data | logs |
//! |---|---|---|
//! | Linux | `$XDG_DATA_HOME/sonde`, else `~/.local/share/sonde` | `<data>/logs` |
//! | macOS | `~/Library/Application Support/sonde` | `~/Library/Logs/sonde` |
//! | Windows | `%APPDATA%\sonde` | `%LOCALAPPDATA%\sonde\logs` |
//!
//! `SONDE_DATA_DIR` replaces the data dir everywhere, and then the logs are
//! in its `logs/` too, so one directory isolates a whole instance (tests).
//! The data dirs are what the `dirs` crate gives. Linux logs stay in the data
//! dir, where Sonde has always written them (not `$XDG_STATE_HOME`): moving
//! them would leave the old logs behind and the files users were told about.

use sonde_device::HostOs;
use std::ffi::OsString;
use std::path::PathBuf;

/// Sonde's data directory on `os`; `None` when `env` names no base (no home).
pub fn data_dir(os: HostOs, env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |key: &str| env(key).filter(|v| !v.is_empty());
    if let Some(dir) = var("SONDE_DATA_DIR") {
        return Some(PathBuf::from(dir));
    }
    match os {
        HostOs::Linux => {
            // Like `dirs`: a relative XDG_DATA_HOME is ignored (the spec says so).
            let xdg = var("XDG_DATA_HOME").filter(|d| d.to_string_lossy().starts_with('/'));
            match xdg {
                Some(xdg) => Some(os.join(xdg, &["sonde"])),
                None => var("HOME").map(|home| os.join(home, &[".local", "share", "sonde"])),
            }
        }
        HostOs::MacOs => var("HOME").map(|home| os.join(home, &["Library", "Application Support", "sonde"])),
        HostOs::Windows => var("APPDATA")
            .map(|d| os.join(d, &["sonde"]))
            .or_else(|| var("USERPROFILE").map(|p| os.join(p, &["AppData", "Roaming", "sonde"]))),
    }
}

/// Where Sonde's log files go on `os`; `None` when `env` names no base.
pub fn log_dir(os: HostOs, env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |key: &str| env(key).filter(|v| !v.is_empty());
    if var("SONDE_DATA_DIR").is_some() || os == HostOs::Linux {
        return data_dir(os, &env).map(|d| os.join(d, &["logs"]));
    }
    match os {
        HostOs::MacOs => var("HOME").map(|home| os.join(home, &["Library", "Logs", "sonde"])),
        _ => var("LOCALAPPDATA")
            .map(|d| os.join(d, &["sonde", "logs"]))
            .or_else(|| var("USERPROFILE").map(|p| os.join(p, &["AppData", "Local", "sonde", "logs"]))),
    }
}

/// The process environment, with the home and (on Windows) the known
/// folders from the OS when their variables are unset, as `dirs` finds them.
pub fn process_env(key: &str) -> Option<OsString> {
    std::env::var_os(key).filter(|v| !v.is_empty()).or_else(|| {
        let known = match key {
            "HOME" | "USERPROFILE" => dirs::home_dir(),
            "APPDATA" if cfg!(windows) => dirs::data_dir(),
            "LOCALAPPDATA" if cfg!(windows) => dirs::data_local_dir(),
            _ => None,
        };
        known.map(PathBuf::into_os_string)
    })
}

/// This machine's data dir (the temporary dir's `sonde` when there is no home).
pub fn current_data_dir() -> PathBuf {
    data_dir(HostOs::current(), process_env).unwrap_or_else(|| std::env::temp_dir().join("sonde"))
}

/// This machine's log dir (next to the fallback data dir when there is no home).
pub fn current_log_dir() -> PathBuf {
    log_dir(HostOs::current(), process_env).unwrap_or_else(|| current_data_dir().join("logs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |key| vars.iter().find(|(k, _)| *k == key).map(|(_, v)| OsString::from(v))
    }

    fn text(dir: Option<PathBuf>) -> Option<String> {
        dir.map(|d| d.display().to_string())
    }

    #[test]
    fn linux_follows_xdg_like_dirs() {
        let os = HostOs::Linux;
        let home = [("HOME", "/home/ana")];
        assert_eq!(text(data_dir(os, env(&home))).as_deref(), Some("/home/ana/.local/share/sonde"));
        assert_eq!(text(log_dir(os, env(&home))).as_deref(), Some("/home/ana/.local/share/sonde/logs"));
        let xdg = [("HOME", "/home/ana"), ("XDG_DATA_HOME", "/data"), ("XDG_STATE_HOME", "/state")];
        assert_eq!(text(data_dir(os, env(&xdg))).as_deref(), Some("/data/sonde"));
        assert_eq!(text(log_dir(os, env(&xdg))).as_deref(), Some("/data/sonde/logs"));
        let relative = [("HOME", "/home/ana"), ("XDG_DATA_HOME", "rel")];
        assert_eq!(text(data_dir(os, env(&relative))).as_deref(), Some("/home/ana/.local/share/sonde"));
        assert_eq!(data_dir(os, env(&[])), None);
    }

    #[test]
    fn macos_uses_library_dirs() {
        let os = HostOs::MacOs;
        let vars = [("HOME", "/Users/ana"), ("XDG_DATA_HOME", "/ignored")];
        assert_eq!(
            text(data_dir(os, env(&vars))).as_deref(),
            Some("/Users/ana/Library/Application Support/sonde")
        );
        assert_eq!(text(log_dir(os, env(&vars))).as_deref(), Some("/Users/ana/Library/Logs/sonde"));
    }

    #[test]
    fn windows_uses_appdata_roaming_and_local() {
        let os = HostOs::Windows;
        let vars = [
            ("APPDATA", r"C:\Users\ana\AppData\Roaming"),
            ("LOCALAPPDATA", r"C:\Users\ana\AppData\Local"),
            ("HOME", "/home/ignored"),
        ];
        assert_eq!(text(data_dir(os, env(&vars))).as_deref(), Some(r"C:\Users\ana\AppData\Roaming\sonde"));
        assert_eq!(text(log_dir(os, env(&vars))).as_deref(), Some(r"C:\Users\ana\AppData\Local\sonde\logs"));
        let profile = [("USERPROFILE", r"C:\Users\ana")];
        assert_eq!(text(data_dir(os, env(&profile))).as_deref(), Some(r"C:\Users\ana\AppData\Roaming\sonde"));
        assert_eq!(
            text(log_dir(os, env(&profile))).as_deref(),
            Some(r"C:\Users\ana\AppData\Local\sonde\logs")
        );
    }

    /// `SONDE_DATA_DIR` wins on every OS, and takes the logs with it.
    #[test]
    fn linux_macos_windows_honour_sonde_data_dir() {
        for (os, dir, logs) in [
            (HostOs::Linux, "/x/sonde", "/x/sonde/logs"),
            (HostOs::MacOs, "/x/sonde", "/x/sonde/logs"),
            (HostOs::Windows, r"D:\sonde", r"D:\sonde\logs"),
        ] {
            let vars =
                [("SONDE_DATA_DIR", dir), ("HOME", "/h"), ("APPDATA", r"C:\a"), ("LOCALAPPDATA", r"C:\l")];
            assert_eq!(text(data_dir(os, env(&vars))).as_deref(), Some(dir), "{os:?}");
            assert_eq!(text(log_dir(os, env(&vars))).as_deref(), Some(logs), "{os:?}");
        }
        let empty = [("SONDE_DATA_DIR", ""), ("HOME", "/home/ana")];
        assert_eq!(
            text(data_dir(HostOs::Linux, env(&empty))).as_deref(),
            Some("/home/ana/.local/share/sonde")
        );
    }

    /// On this host the result is what `dirs` gives (what Sonde used before).
    #[test]
    fn current_os_matches_dirs() {
        if std::env::var_os("SONDE_DATA_DIR").is_none() {
            assert_eq!(Some(current_data_dir()), dirs::data_dir().map(|d| d.join("sonde")));
        }
    }
}
