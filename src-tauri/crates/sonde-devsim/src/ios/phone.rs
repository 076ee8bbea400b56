//! The phone directory: what the simulated iPhone knows about itself
//! (`info.json`), its apps (`apps.json`), its state (`state.json`), and
//! where the containers, app groups, crash logs and pairing files live.
//! Everything is re-read when needed, so tests edit the files while the
//! simulator runs.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::IosError;

pub const INFO_FILE: &str = "info.json";
pub const APPS_FILE: &str = "apps.json";
pub const STATE_FILE: &str = "state.json";
pub const FAULTS_FILE: &str = "faults.json";
pub const TRACE_FILE: &str = "trace.log";

/// One installed app, as in `apps.json` (the fake tools' schema, extended).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct App {
    pub id: String,
    /// CFBundleShortVersionString (what `ideviceinstaller -l` prints).
    #[serde(default)]
    pub version: Option<String>,
    /// Overrides `version` for CFBundleShortVersionString when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_version: Option<String>,
    /// CFBundleVersion (defaults to the short version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// `User` or `System`.
    #[serde(default = "user_type", rename = "type")]
    pub app_type: String,
    /// A development build (`get-task-allow`): house_arrest vends its container.
    #[serde(default)]
    pub developer: bool,
    /// UIFileSharingEnabled: house_arrest `VendDocuments` works.
    #[serde(default)]
    pub file_sharing: bool,
    /// App group identifiers (`com.apple.security.application-groups`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// SignerIdentity; a default is derived from `developer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The executable name (defaults to the last part of the bundle id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executable: Option<String>,
}

fn user_type() -> String {
    "User".to_string()
}

impl App {
    pub fn is_system(&self) -> bool {
        self.app_type == "System"
    }

    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    pub fn short_version(&self) -> Option<&str> {
        self.short_version.as_deref().or(self.version.as_deref())
    }

    pub fn executable(&self) -> &str {
        self.executable.as_deref().unwrap_or_else(|| self.id.rsplit('.').next().unwrap_or(&self.id))
    }
}

/// `state.json`: what the person holding the phone does.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PhoneState {
    /// Locked with a passcode: `Pair` and `StartService` answer `PasswordProtected`.
    #[serde(default)]
    pub locked: bool,
    #[serde(default)]
    pub trust: Trust,
}

impl Default for PhoneState {
    fn default() -> Self {
        Self { locked: false, trust: Trust::Trusted }
    }
}

/// The phone's answer to "Trust this computer?".
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    /// Paired: hosts in `pairing/hosts/` are trusted; `Pair` is accepted.
    #[default]
    Trusted,
    /// Not paired; the next `Pair` is accepted at once (the user taps Trust).
    Unpaired,
    /// The dialog is up: `Pair` answers `PairingDialogResponsePending`.
    Pending,
    /// The user tapped "Don't Trust": `UserDeniedPairing`.
    Denied,
}

/// A phone directory.
#[derive(Debug, Clone)]
pub struct Phone {
    root: PathBuf,
    udid: String,
}

/// A UDID is safe to use as a file name and looks like one.
pub fn valid_udid(udid: &str) -> bool {
    !udid.is_empty() && udid.len() <= 64 && udid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Phone {
    /// Opens the phone directory at `root` (its `info.json` must name a UDID).
    pub fn open(root: &Path) -> Result<Phone, IosError> {
        let info = read_info(root)?;
        let udid = info
            .get("UniqueDeviceID")
            .and_then(|v| v.as_str())
            .filter(|u| valid_udid(u))
            .ok_or_else(|| IosError::Config(format!("{INFO_FILE} has no valid UniqueDeviceID")))?
            .to_string();
        Ok(Phone { root: root.to_path_buf(), udid })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn udid(&self) -> &str {
        &self.udid
    }

    pub fn info(&self) -> Result<serde_json::Map<String, serde_json::Value>, IosError> {
        read_info(&self.root)
    }

    pub fn apps(&self) -> Vec<App> {
        match std::fs::read(self.root.join(APPS_FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!("{APPS_FILE}: {e}");
                Vec::new()
            }),
            Err(_) => Vec::new(),
        }
    }

    pub fn app(&self, id: &str) -> Option<App> {
        self.apps().into_iter().find(|a| a.id == id)
    }

    /// The state; a missing or broken file is the default (trusted, unlocked).
    pub fn state(&self) -> PhoneState {
        std::fs::read(self.root.join(STATE_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn set_state(&self, state: &PhoneState) -> Result<(), IosError> {
        write_atomic(&self.root.join(STATE_FILE), &serde_json::to_vec_pretty(state)?)
    }

    pub fn container(&self, bundle: &str) -> PathBuf {
        self.root.join("containers").join(bundle)
    }

    pub fn group(&self, group: &str) -> PathBuf {
        self.root.join("groups").join(group)
    }

    pub fn crashes(&self) -> PathBuf {
        self.root.join("crashes")
    }

    pub fn media(&self) -> PathBuf {
        self.root.join("media")
    }

    pub fn pairing(&self) -> PathBuf {
        self.root.join("pairing")
    }

    pub fn faults_file(&self) -> PathBuf {
        self.root.join(FAULTS_FILE)
    }

    pub fn trace_file(&self) -> PathBuf {
        self.root.join(TRACE_FILE)
    }
}

fn read_info(root: &Path) -> Result<serde_json::Map<String, serde_json::Value>, IosError> {
    let bytes = std::fs::read(root.join(INFO_FILE))
        .map_err(|e| IosError::Config(format!("cannot read {}: {e}", root.join(INFO_FILE).display())))?;
    match serde_json::from_slice(&bytes)? {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(IosError::Config(format!("{INFO_FILE} is not an object"))),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IosError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
