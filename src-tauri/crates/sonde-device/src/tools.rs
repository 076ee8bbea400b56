//! Tool discovery: where adb, the libimobiledevice tools and xcrun are, and
//! which version, found concurrently (a hung tool delays nothing beyond its
//! own timeout).
//!
//! adb honours `ADB`, `ANDROID_HOME`, `ANDROID_SDK_ROOT`, then `PATH`, then
//! the usual SDK, Homebrew and system locations of the host OS. Every tool
//! can be pinned with `SONDE_<TOOL>` (e.g. `SONDE_AFCCLIENT=/opt/x/afcclient`).
//! Where to look is a pure function of a [`HostOs`] and the environment, so
//! each OS's answer is tested on any host.

use crate::host::HostOs;
use crate::runner::{self, CancellationToken, ToolCall};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const VERSION_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Tool {
    Adb,
    IdeviceId,
    Ideviceinfo,
    Ideviceinstaller,
    Afcclient,
    Xcrun,
    /// The Android SDK's emulator (boots virtual devices).
    Emulator,
}

impl Tool {
    pub const ALL: [Tool; 7] = [
        Tool::Adb,
        Tool::IdeviceId,
        Tool::Ideviceinfo,
        Tool::Ideviceinstaller,
        Tool::Afcclient,
        Tool::Xcrun,
        Tool::Emulator,
    ];

    /// The tool's name (messages, `SONDE_<TOOL>`); see [`HostOs::executable`]
    /// for its file name.
    pub fn binary(self) -> &'static str {
        match self {
            Tool::Adb => "adb",
            Tool::IdeviceId => "idevice_id",
            Tool::Ideviceinfo => "ideviceinfo",
            Tool::Ideviceinstaller => "ideviceinstaller",
            Tool::Afcclient => "afcclient",
            Tool::Xcrun => "xcrun",
            Tool::Emulator => "emulator",
        }
    }

    fn version_args(self) -> &'static [&'static str] {
        match self {
            Tool::Adb => &["version"],
            Tool::Emulator => &["-version"],
            _ => &["--version"],
        }
    }

    /// The Android SDK folder the tool lives in.
    fn sdk_dir(self) -> Option<&'static str> {
        match self {
            Tool::Adb => Some("platform-tools"),
            Tool::Emulator => Some("emulator"),
            _ => None,
        }
    }

    /// What to do when the tool is not found on `os`.
    pub fn install_hint(self, os: HostOs) -> &'static str {
        match (self, os) {
            (Tool::Adb, HostOs::Linux) => {
                "install Android platform-tools (Debian/Ubuntu: apt install adb) or set ADB / ANDROID_HOME"
            }
            (Tool::Adb, HostOs::MacOs) => {
                "install Android platform-tools (brew install --cask android-platform-tools) or set ADB / ANDROID_HOME"
            }
            (Tool::Adb, HostOs::Windows) => {
                "install Android SDK Platform-Tools (https://developer.android.com/tools/releases/platform-tools) or set ADB / ANDROID_HOME"
            }
            (Tool::Emulator, _) => {
                "install the Android Emulator (Android Studio: SDK Manager → SDK Tools) or set ANDROID_HOME"
            }
            (Tool::Xcrun, HostOs::MacOs) => "install Xcode (macOS only)",
            (Tool::Xcrun, _) => "not available on this system (xcrun comes with Xcode, on macOS only)",
            (_, HostOs::Linux) => {
                "install libimobiledevice (Debian/Ubuntu: apt install libimobiledevice-utils ideviceinstaller)"
            }
            (_, HostOs::MacOs) => "install libimobiledevice (brew install libimobiledevice ideviceinstaller)",
            (_, HostOs::Windows) => {
                "install libimobiledevice for Windows and add its folder to PATH; the iOS drivers come with iTunes or the Apple Devices app"
            }
        }
    }
}

/// The environment discovery reads (a copy, so tests can inject one) and
/// the OS whose conventions it follows.
#[derive(Debug, Clone, Default)]
pub struct ToolEnv {
    vars: HashMap<String, String>,
    os: HostOs,
}

impl ToolEnv {
    /// The process environment (variables that are not UTF-8 are skipped,
    /// never a panic), on the current OS.
    pub fn from_process() -> Self {
        let vars =
            std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        ToolEnv { vars: vars.collect(), os: HostOs::current() }
    }

    /// An empty environment following `os`'s conventions.
    pub fn for_os(os: HostOs) -> Self {
        ToolEnv { vars: HashMap::new(), os }
    }

    pub fn with_os(mut self, os: HostOs) -> Self {
        self.os = os;
        self
    }

    pub fn os(&self) -> HostOs {
        self.os
    }

    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.vars.insert(key.into(), value.into());
        self
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// Where to look for `tool`, best first.
    pub fn candidates(&self, tool: Tool) -> Vec<PathBuf> {
        let os = self.os;
        // Xcode's tools do not exist on Windows; on Linux only an explicit
        // pin or `PATH` can offer one (the tests' fake xcrun).
        if tool == Tool::Xcrun && os.is_windows() {
            return Vec::new();
        }
        let file = os.executable(tool.binary());
        let mut out = Vec::new();
        if let Some(p) = self.get(&format!("SONDE_{}", tool.binary().to_ascii_uppercase())) {
            out.push(PathBuf::from(p));
        }
        if tool == Tool::Adb {
            if let Some(p) = self.get("ADB") {
                out.push(PathBuf::from(p));
            }
        }
        if let Some(dir) = tool.sdk_dir() {
            for var in ["ANDROID_HOME", "ANDROID_SDK_ROOT"] {
                if let Some(sdk) = self.get(var) {
                    out.push(os.join(sdk, &[dir, &file]));
                }
            }
        }
        if let Some(path) = self.get("PATH") {
            out.extend(os.split_path_list(path).iter().map(|d| os.join(d, &[&file])));
        }
        out.extend(self.usual_locations(tool, &file));
        out
    }

    /// The SDK, Homebrew and system locations of the OS, after `PATH`.
    fn usual_locations(&self, tool: Tool, file: &str) -> Vec<PathBuf> {
        let os = self.os;
        let mut out = Vec::new();
        match os {
            HostOs::Windows => {
                // Android Studio's SDK; libimobiledevice has no usual place.
                let local = self
                    .get("LOCALAPPDATA")
                    .map(|d| os.join(d, &[]))
                    .or_else(|| self.get("USERPROFILE").map(|h| os.join(h, &["AppData", "Local"])));
                if let (Some(dir), Some(local)) = (tool.sdk_dir(), local) {
                    out.push(os.join(local, &["Android", "Sdk", dir, file]));
                }
            }
            HostOs::MacOs if tool == Tool::Xcrun => out.push(os.join("/usr/bin", &[file])),
            HostOs::MacOs => {
                if let (Some(dir), Some(home)) = (tool.sdk_dir(), self.get("HOME")) {
                    out.push(os.join(home, &["Library", "Android", "sdk", dir, file]));
                }
                // Homebrew on Apple silicon, then on Intel, then the system.
                for dir in ["/opt/homebrew/bin", "/usr/local/bin", "/usr/bin"] {
                    out.push(os.join(dir, &[file]));
                }
            }
            HostOs::Linux if tool == Tool::Xcrun => {}
            HostOs::Linux => {
                if let (Some(dir), Some(home)) = (tool.sdk_dir(), self.get("HOME")) {
                    out.push(os.join(home, &["Android", "Sdk", dir, file]));
                }
                for dir in ["/usr/local/bin", "/usr/bin"] {
                    out.push(os.join(dir, &[file]));
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToolInfo {
    pub tool: Tool,
    pub path: Option<PathBuf>,
    pub version: Option<String>,
    /// Why it is unusable, in words a user can act on.
    pub problem: Option<String>,
    /// What Sonde does about it (e.g. which path reaches iOS app
    /// containers); not a problem.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Found tools, by kind.
#[derive(Debug, Clone, Default)]
pub struct Tools {
    found: HashMap<Tool, PathBuf>,
    pub report: Vec<ToolInfo>,
    /// The OS discovery followed (for install hints).
    os: HostOs,
}

impl Tools {
    pub fn path(&self, tool: Tool) -> Option<&Path> {
        self.found.get(&tool).map(PathBuf::as_path)
    }

    /// The error for a tool that is unusable, with discovery's reason.
    pub fn missing(&self, tool: Tool) -> crate::error::DeviceError {
        let hint = self
            .report
            .iter()
            .find(|i| i.tool == tool)
            .and_then(|i| i.problem.clone())
            .unwrap_or_else(|| tool.install_hint(self.os).to_owned());
        crate::error::DeviceError::ToolMissing { tool: tool.binary(), hint }
    }
}

/// Finds every tool concurrently (at most 3 version probes at once).
pub async fn discover(env: &ToolEnv) -> Tools {
    let cancel = CancellationToken::new();
    let report: Vec<ToolInfo> =
        stream::iter(Tool::ALL).map(|tool| probe(env, tool, &cancel)).buffer_unordered(3).collect().await;
    let mut report = report;
    report.sort_by_key(|i| Tool::ALL.iter().position(|t| *t == i.tool));
    let found = report
        .iter()
        .filter(|i| i.problem.is_none())
        .filter_map(|i| i.path.clone().map(|p| (i.tool, p)))
        .collect();
    Tools { found, report, os: env.os }
}

async fn probe(env: &ToolEnv, tool: Tool, cancel: &CancellationToken) -> ToolInfo {
    let Some(path) = env.candidates(tool).into_iter().find(|p| is_executable(p)) else {
        return ToolInfo {
            tool,
            path: None,
            version: None,
            problem: Some(tool.install_hint(env.os).to_owned()),
            note: None,
        };
    };
    let call = ToolCall::new(tool.binary(), "tool.version", &path, VERSION_TIMEOUT)
        .args(tool.version_args().iter().copied())
        .what("version check");
    match runner::run(&call, cancel).await {
        Ok(out) => {
            let text = if out.stdout.is_empty() { out.stderr_text() } else { out.stdout_text() };
            let version = text.lines().next().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
            ToolInfo { tool, path: Some(path), version, problem: None, note: None }
        }
        Err(e) => {
            ToolInfo { tool, path: Some(path), version: None, problem: Some(e.to_string()), note: None }
        }
    }
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(paths: Vec<PathBuf>) -> Vec<String> {
        paths.into_iter().map(|p| p.display().to_string()).collect()
    }

    #[test]
    fn linux_adb_search_order() {
        let env = ToolEnv::for_os(HostOs::Linux)
            .with("SONDE_ADB", "/pin/adb")
            .with("ADB", "/pinned/adb")
            .with("ANDROID_HOME", "/sdk")
            .with("ANDROID_SDK_ROOT", "/root-sdk/")
            .with("PATH", "/a::/b")
            .with("HOME", "/home/u");
        assert_eq!(
            strings(env.candidates(Tool::Adb)),
            [
                "/pin/adb",
                "/pinned/adb",
                "/sdk/platform-tools/adb",
                "/root-sdk/platform-tools/adb",
                "/a/adb",
                "/b/adb",
                "/home/u/Android/Sdk/platform-tools/adb",
                "/usr/local/bin/adb",
                "/usr/bin/adb",
            ]
        );
    }

    #[test]
    fn linux_other_tools_and_xcrun() {
        let env = ToolEnv::for_os(HostOs::Linux).with("PATH", "/a").with("HOME", "/home/u");
        assert_eq!(
            strings(env.candidates(Tool::IdeviceId)),
            ["/a/idevice_id", "/usr/local/bin/idevice_id", "/usr/bin/idevice_id"]
        );
        // No Xcode on Linux: only PATH (or a pin) can offer an xcrun.
        assert_eq!(strings(env.candidates(Tool::Xcrun)), ["/a/xcrun"]);
        assert_eq!(
            Tool::Xcrun.install_hint(HostOs::Linux),
            "not available on this system (xcrun comes with Xcode, on macOS only)"
        );
        assert!(Tool::Adb.install_hint(HostOs::Linux).contains("apt install adb"));
        assert!(Tool::Afcclient
            .install_hint(HostOs::Linux)
            .contains("apt install libimobiledevice-utils ideviceinstaller"));
    }

    #[test]
    fn macos_adb_search_order_and_homebrew() {
        let env = ToolEnv::for_os(HostOs::MacOs).with("PATH", "/a").with("HOME", "/Users/ana");
        assert_eq!(
            strings(env.candidates(Tool::Adb)),
            [
                "/a/adb",
                "/Users/ana/Library/Android/sdk/platform-tools/adb",
                "/opt/homebrew/bin/adb",
                "/usr/local/bin/adb",
                "/usr/bin/adb",
            ]
        );
        assert_eq!(
            strings(env.candidates(Tool::Ideviceinfo)),
            [
                "/a/ideviceinfo",
                "/opt/homebrew/bin/ideviceinfo",
                "/usr/local/bin/ideviceinfo",
                "/usr/bin/ideviceinfo"
            ]
        );
        assert_eq!(strings(env.candidates(Tool::Xcrun)), ["/a/xcrun", "/usr/bin/xcrun"]);
        assert_eq!(Tool::Xcrun.install_hint(HostOs::MacOs), "install Xcode (macOS only)");
        assert!(Tool::Adb.install_hint(HostOs::MacOs).contains("brew install --cask android-platform-tools"));
        assert!(Tool::IdeviceId
            .install_hint(HostOs::MacOs)
            .contains("brew install libimobiledevice ideviceinstaller"));
    }

    #[test]
    fn windows_adb_search_order() {
        let env = ToolEnv::for_os(HostOs::Windows)
            .with("SONDE_ADB", r"D:\pin\adb.exe")
            .with("ANDROID_HOME", r"D:\sdk")
            .with("PATH", r#"C:\Windows;"C:\Program Files\tools""#)
            .with("LOCALAPPDATA", r"C:\Users\ana\AppData\Local")
            .with("HOME", "/home/u");
        assert_eq!(
            strings(env.candidates(Tool::Adb)),
            [
                r"D:\pin\adb.exe",
                r"D:\sdk\platform-tools\adb.exe",
                r"C:\Windows\adb.exe",
                r"C:\Program Files\tools\adb.exe",
                r"C:\Users\ana\AppData\Local\Android\Sdk\platform-tools\adb.exe",
            ]
        );
    }

    #[test]
    fn windows_falls_back_to_the_profile_and_has_no_xcrun() {
        let env =
            ToolEnv::for_os(HostOs::Windows).with("USERPROFILE", r"C:\Users\ana").with("PATH", r"C:\bin");
        assert_eq!(
            strings(env.candidates(Tool::Adb)),
            [r"C:\bin\adb.exe", r"C:\Users\ana\AppData\Local\Android\Sdk\platform-tools\adb.exe"]
        );
        // libimobiledevice: PATH only, no Unix locations.
        assert_eq!(strings(env.candidates(Tool::IdeviceId)), [r"C:\bin\idevice_id.exe"]);
        assert!(env.with("SONDE_XCRUN", r"C:\x\xcrun.exe").candidates(Tool::Xcrun).is_empty());
        assert!(Tool::Xcrun.install_hint(HostOs::Windows).starts_with("not available on this system"));
        assert!(Tool::Adb.install_hint(HostOs::Windows).contains("developer.android.com"));
        assert!(Tool::IdeviceId.install_hint(HostOs::Windows).contains("Apple Devices"));
    }

    /// A missing tool's error carries the OS's own install hint (Windows here).
    #[test]
    fn windows_missing_tool_hint() {
        let tools = Tools { os: HostOs::Windows, ..Tools::default() };
        let e = tools.missing(Tool::Adb).to_string();
        assert!(e.starts_with("adb not found: install Android SDK Platform-Tools"), "{e}");
    }

    fn fake_tool(dir: &Path, name: &str, body: &str) {
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).expect("write");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    /// Probes run concurrently: `adb` (probed first) answers only once
    /// `idevice_id` has been probed, which a one-at-a-time discovery would
    /// never reach.
    #[tokio::test]
    async fn tools_are_probed_concurrently() {
        let dir = tempfile::tempdir().expect("tmp");
        let seen = dir.path().join("idevice_id-probed");
        fake_tool(
            dir.path(),
            "adb",
            &format!(
                "while [ ! -e '{}' ]; do sleep 0.01; done; echo 'Android Debug Bridge version 1.0.41'",
                seen.display()
            ),
        );
        fake_tool(dir.path(), "idevice_id", &format!("touch '{}'; echo 'idevice_id 1.3.0'", seen.display()));
        let env =
            ToolEnv::default().with("PATH", &dir.path().display().to_string()).with("HOME", "/nonexistent");
        let tools = discover(&env).await;
        let adb = &tools.report[0];
        assert_eq!(adb.version.as_deref(), Some("Android Debug Bridge version 1.0.41"), "{adb:?}");
        assert!(tools.path(Tool::IdeviceId).is_some());
    }

    #[tokio::test]
    async fn a_hung_tool_does_not_block_the_others() {
        let dir = tempfile::tempdir().expect("tmp");
        fake_tool(dir.path(), "adb", "echo 'Android Debug Bridge version 1.0.41'");
        fake_tool(dir.path(), "xcrun", "sleep 30");
        fake_tool(dir.path(), "idevice_id", "echo 'idevice_id 1.3.0'");
        let env =
            ToolEnv::default().with("PATH", &dir.path().display().to_string()).with("HOME", "/nonexistent");
        let tools = discover(&env).await;
        assert_eq!(tools.path(Tool::Adb), Some(dir.path().join("adb").as_path()));
        let adb = &tools.report[0];
        assert_eq!(adb.version.as_deref(), Some("Android Debug Bridge version 1.0.41"));
        let xcrun = tools.report.iter().find(|i| i.tool == Tool::Xcrun).expect("xcrun");
        assert!(xcrun.problem.as_deref().unwrap_or("").contains("did not answer"), "{xcrun:?}");
        assert!(tools.path(Tool::Xcrun).is_none());
    }
}
