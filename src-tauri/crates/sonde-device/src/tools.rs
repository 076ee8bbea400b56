//! Tool discovery: where adb, the libimobiledevice tools and xcrun are, and
//! which version, found concurrently (a hung tool delays nothing beyond its
//! own timeout).
//!
//! adb honours `ADB`, `ANDROID_HOME`, `ANDROID_SDK_ROOT`, then `PATH`, then
//! the usual SDK and Homebrew locations. Every tool can be pinned with
//! `SONDE_<TOOL>` (e.g. `SONDE_AFCCLIENT=/opt/x/afcclient`).

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
}

impl Tool {
    pub const ALL: [Tool; 6] =
        [Tool::Adb, Tool::IdeviceId, Tool::Ideviceinfo, Tool::Ideviceinstaller, Tool::Afcclient, Tool::Xcrun];

    pub fn binary(self) -> &'static str {
        match self {
            Tool::Adb => "adb",
            Tool::IdeviceId => "idevice_id",
            Tool::Ideviceinfo => "ideviceinfo",
            Tool::Ideviceinstaller => "ideviceinstaller",
            Tool::Afcclient => "afcclient",
            Tool::Xcrun => "xcrun",
        }
    }

    fn version_args(self) -> &'static [&'static str] {
        match self {
            Tool::Adb => &["version"],
            _ => &["--version"],
        }
    }

    fn install_hint(self) -> &'static str {
        match self {
            Tool::Adb => "install Android platform-tools (Debian: apt install adb) or set ADB / ANDROID_HOME",
            Tool::Xcrun => "install Xcode (macOS only)",
            _ => "install libimobiledevice (Debian: apt install libimobiledevice-utils; macOS: brew install libimobiledevice)",
        }
    }
}

/// The environment discovery reads (a copy, so tests can inject one).
#[derive(Debug, Clone, Default)]
pub struct ToolEnv {
    vars: HashMap<String, String>,
}

impl ToolEnv {
    pub fn from_process() -> Self {
        ToolEnv { vars: std::env::vars().collect() }
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
        let bin = tool.binary();
        let mut out = Vec::new();
        if let Some(p) = self.get(&format!("SONDE_{}", bin.to_ascii_uppercase())) {
            out.push(PathBuf::from(p));
        }
        if tool == Tool::Adb {
            if let Some(p) = self.get("ADB") {
                out.push(PathBuf::from(p));
            }
            for var in ["ANDROID_HOME", "ANDROID_SDK_ROOT"] {
                if let Some(sdk) = self.get(var) {
                    out.push(Path::new(sdk).join("platform-tools").join(bin));
                }
            }
        }
        if let Some(path) = self.get("PATH") {
            out.extend(std::env::split_paths(path).map(|d| d.join(bin)));
        }
        if let Some(home) = self.get("HOME") {
            if tool == Tool::Adb {
                out.push(Path::new(home).join("Library/Android/sdk/platform-tools").join(bin));
                out.push(Path::new(home).join("Android/Sdk/platform-tools").join(bin));
            }
        }
        for dir in ["/opt/homebrew/bin", "/usr/local/bin", "/usr/bin"] {
            out.push(Path::new(dir).join(bin));
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
            .unwrap_or_else(|| tool.install_hint().to_owned());
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
    Tools { found, report }
}

async fn probe(env: &ToolEnv, tool: Tool, cancel: &CancellationToken) -> ToolInfo {
    let Some(path) = env.candidates(tool).into_iter().find(|p| is_executable(p)) else {
        return ToolInfo {
            tool,
            path: None,
            version: None,
            problem: Some(tool.install_hint().to_owned()),
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

    #[test]
    fn adb_search_order() {
        let env = ToolEnv::default()
            .with("ADB", "/pinned/adb")
            .with("ANDROID_HOME", "/sdk")
            .with("PATH", "/a:/b")
            .with("HOME", "/home/u");
        let c = env.candidates(Tool::Adb);
        assert_eq!(c[0], PathBuf::from("/pinned/adb"));
        assert_eq!(c[1], PathBuf::from("/sdk/platform-tools/adb"));
        assert_eq!(c[2], PathBuf::from("/a/adb"));
        assert!(c.contains(&PathBuf::from("/home/u/Library/Android/sdk/platform-tools/adb")));
        assert!(c.contains(&PathBuf::from("/opt/homebrew/bin/adb")));
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
