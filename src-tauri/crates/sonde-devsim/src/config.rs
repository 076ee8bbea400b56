//! `DIR/device.json`: identity, installed packages, features and faults.
//!
//! The file is small and re-read often (every connection and every OPEN) so
//! that tests can change packages and faults while the device runs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

use crate::faults::Faults;

/// Name of the config file inside the device directory.
pub const CONFIG_FILE: &str = "device.json";

/// Features we announce when `features` is not overridden.
pub const DEFAULT_FEATURES: &[&str] = &["shell_v2", "cmd", "stat_v2", "fixed_push_mkdir"];

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("invalid {path}: {source}")]
    Parse { path: String, source: serde_json::Error },
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    #[serde(default)]
    pub debuggable: bool,
    #[serde(default)]
    pub system: bool,
    /// App uid; derived from the package's position when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
}

/// Parsed `device.json`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeviceConfig {
    /// System properties for `getprop` and the CNXN banner. Numbers and
    /// booleans are accepted and stringified.
    #[serde(default, deserialize_with = "props_as_strings")]
    pub props: BTreeMap<String, String>,
    #[serde(default)]
    pub packages: Vec<Package>,
    /// Overrides the features announced in the banner (e.g. `[]` makes adb
    /// fall back to `shell:` v1 and sync STAT v1).
    #[serde(default)]
    pub features: Option<Vec<String>>,
    #[serde(default)]
    pub faults: Faults,
    /// Android 11+-style scoped storage: the shell user may not enter
    /// `/sdcard/Android/data/<pkg>`; only that package (via run-as) may.
    #[serde(default)]
    pub restrict_android_data: bool,
}

fn props_as_strings<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let raw = BTreeMap::<String, serde_json::Value>::deserialize(deserializer)?;
    Ok(raw
        .into_iter()
        .map(|(k, v)| {
            let s = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (k, s)
        })
        .collect())
}

impl DeviceConfig {
    /// Loads `dir/device.json`; a missing file yields the defaults.
    pub fn load(dir: &Path) -> Result<Self, ConfigError> {
        let path = dir.join(CONFIG_FILE);
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(ConfigError::Read { path: path.display().to_string(), source }),
        };
        serde_json::from_slice(&text)
            .map_err(|source| ConfigError::Parse { path: path.display().to_string(), source })
    }

    pub fn prop(&self, key: &str) -> Option<&str> {
        self.props.get(key).map(String::as_str)
    }

    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }

    /// The package's uid: explicit, 1000 for system packages, else 10000+.
    pub fn uid_of(&self, name: &str) -> Option<u32> {
        let index = self.packages.iter().position(|p| p.name == name)?;
        let pkg = &self.packages[index];
        Some(pkg.uid.unwrap_or(if pkg.system { 1000 } else { 10_100 + u32::try_from(index).unwrap_or(0) }))
    }

    pub fn features(&self) -> Vec<String> {
        match &self.features {
            Some(f) => f.clone(),
            None => DEFAULT_FEATURES.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The CNXN banner: `device::ro.product.name=..;ro.product.model=..;...`.
    pub fn banner(&self) -> String {
        // ';' and '=' would break the host's banner parser.
        let clean = |key: &str, default: &str| -> String {
            self.prop(key)
                .unwrap_or(default)
                .chars()
                .map(|c| if c == ';' || c == '=' { '_' } else { c })
                .collect()
        };
        format!(
            "device::ro.product.name={};ro.product.model={};ro.product.device={};features={}",
            clean("ro.product.name", "sonde_sim"),
            clean("ro.product.model", "Sonde Simulated Device"),
            clean("ro.product.device", "sonde_sim"),
            self.features().join(",")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_config() {
        let cfg: DeviceConfig = serde_json::from_str(
            r#"{"props":{"ro.product.model":"Pixel 9","ro.build.version.sdk":34},
                "packages":[{"name":"a.b","debuggable":true},{"name":"sys","system":true}],
                "faults":{"offline":true,"rules":[{"match":"sync:","action":"drop"}]}}"#,
        )
        .expect("parse");
        assert_eq!(cfg.prop("ro.build.version.sdk"), Some("34"));
        assert!(cfg.faults.offline);
        assert_eq!(cfg.uid_of("a.b"), Some(10_100));
        assert_eq!(cfg.uid_of("sys"), Some(1000));
        assert!(cfg.banner().contains("ro.product.model=Pixel 9;"));
        assert!(cfg.banner().ends_with("features=shell_v2,cmd,stat_v2,fixed_push_mkdir"));
    }

    #[test]
    fn missing_file_is_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = DeviceConfig::load(dir.path()).expect("load");
        assert!(cfg.packages.is_empty());
    }

    #[test]
    fn banner_escapes_separators() {
        let mut cfg = DeviceConfig::default();
        cfg.props.insert("ro.product.model".into(), "a;b=c".into());
        assert!(cfg.banner().contains("ro.product.model=a_b_c;"));
    }
}
