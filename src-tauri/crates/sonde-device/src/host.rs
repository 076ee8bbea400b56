//! The operating system Sonde runs on, as a value: code that differs per OS
//! takes a [`HostOs`] so every OS's answer is unit-tested on any host.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostOs {
    /// Linux and the other Unixes that follow the XDG conventions.
    Linux,
    MacOs,
    Windows,
}

impl Default for HostOs {
    fn default() -> Self {
        HostOs::current()
    }
}

impl HostOs {
    /// The OS this binary was built for.
    pub const fn current() -> HostOs {
        if cfg!(target_os = "windows") {
            HostOs::Windows
        } else if cfg!(target_os = "macos") {
            HostOs::MacOs
        } else {
            HostOs::Linux
        }
    }

    pub fn is_windows(self) -> bool {
        self == HostOs::Windows
    }

    /// The directory separator of this OS's paths.
    pub fn separator(self) -> char {
        if self.is_windows() {
            '\\'
        } else {
            '/'
        }
    }

    /// What separates the directories of `PATH`.
    pub fn path_list_separator(self) -> char {
        if self.is_windows() {
            ';'
        } else {
            ':'
        }
    }

    /// The file name of executable `name` (`adb.exe` on Windows).
    pub fn executable(self, name: &str) -> String {
        if self.is_windows() {
            format!("{name}.exe")
        } else {
            name.to_owned()
        }
    }

    /// `base` joined with `parts` using this OS's separator, built as text
    /// because a `Path` only understands the host's own separator.
    pub fn join(self, base: impl AsRef<OsStr>, parts: &[&str]) -> PathBuf {
        let mut out = OsString::from(base.as_ref());
        for part in parts {
            let text = out.to_string_lossy();
            let ends_with_sep =
                text.ends_with(self.separator()) || (self.is_windows() && text.ends_with('/'));
            if !text.is_empty() && !ends_with_sep {
                out.push(self.separator().to_string());
            }
            out.push(part);
        }
        PathBuf::from(out)
    }

    /// The directories of a `PATH` value, in order; empty entries (which
    /// would mean the working directory) are skipped, and Windows entries may
    /// be quoted.
    pub fn split_path_list(self, list: &str) -> Vec<String> {
        list.split(self.path_list_separator())
            .map(|d| if self.is_windows() { d.trim_matches('"') } else { d })
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_joins_with_backslashes_and_names_exe() {
        let os = HostOs::Windows;
        assert_eq!(os.executable("adb"), "adb.exe");
        assert_eq!(
            os.join(r"C:\sdk", &["platform-tools", "adb.exe"]),
            PathBuf::from(r"C:\sdk\platform-tools\adb.exe")
        );
        assert_eq!(os.join(r"C:\sdk\", &["adb.exe"]), PathBuf::from(r"C:\sdk\adb.exe"));
        assert_eq!(
            os.split_path_list(r#"C:\Windows;;"C:\Program Files\x";D:\bin"#),
            [r"C:\Windows", r"C:\Program Files\x", r"D:\bin"]
        );
    }

    #[test]
    fn linux_joins_with_slashes_and_splits_on_colons() {
        let os = HostOs::Linux;
        assert_eq!(os.executable("adb"), "adb");
        assert_eq!(os.join("/sdk/", &["platform-tools", "adb"]), PathBuf::from("/sdk/platform-tools/adb"));
        assert_eq!(os.split_path_list("/a::/b"), ["/a", "/b"]);
        assert_eq!(os.split_path_list("/a;b"), ["/a;b"]);
    }

    #[test]
    fn macos_is_unix_like() {
        assert_eq!(HostOs::MacOs.separator(), '/');
        assert_eq!(HostOs::MacOs.path_list_separator(), ':');
        assert_eq!(HostOs::MacOs.executable("xcrun"), "xcrun");
    }

    #[test]
    fn current_matches_the_build_target() {
        assert_eq!(HostOs::current().is_windows(), cfg!(windows));
    }
}
