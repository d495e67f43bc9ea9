//! The sim's state file: the tokens of the devices it registered, per server and hall, so a
//! restart reuses them instead of registering new devices. Tokens are secrets: the file is
//! written with mode 0600 (Unix), replaced atomically.

use crate::error::{Result, SimError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceToken {
    pub device_id: String,
    pub token: String,
}

/// The devices of one hall on one server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HallDevices {
    pub kiosks: Vec<DeviceToken>,
    pub display: Option<DeviceToken>,
    /// Window id → its caller (叫号器).
    pub callers: BTreeMap<String, DeviceToken>,
    /// Window id → its rating pad (评价器).
    pub pads: BTreeMap<String, DeviceToken>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateFile {
    /// Keyed by `<hall id>@<server URL>`.
    pub halls: BTreeMap<String, HallDevices>,
}

pub fn key(server: &str, hall_id: &str) -> String {
    format!("{hall_id}@{}", server.trim_end_matches('/'))
}

impl StateFile {
    /// The file's contents, or an empty state when it does not exist yet.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(SimError::StateFile { path: path.to_owned(), message: e.to_string() }),
        };
        serde_json::from_str(&text)
            .map_err(|e| SimError::StateFile { path: path.to_owned(), message: e.to_string() })
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let fail = |e: std::io::Error| SimError::StateFile { path: path.to_owned(), message: e.to_string() };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| SimError::StateFile { path: path.to_owned(), message: e.to_string() })?;
        let tmp = path.with_extension("tmp");
        {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(&tmp).map_err(fail)?;
            std::io::Write::write_all(&mut f, json.as_bytes()).map_err(fail)?;
            f.sync_all().map_err(fail)?;
        }
        std::fs::rename(&tmp, path).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_file_round_trips_and_a_missing_one_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        assert_eq!(StateFile::load(&path).unwrap(), StateFile::default());
        let mut s = StateFile::default();
        let t = DeviceToken { device_id: "d1".into(), token: "hk_x".into() };
        s.halls.entry(key("http://h:1/", "hall")).or_default().callers.insert("w-a01".into(), t.clone());
        s.save(&path).unwrap();
        let back = StateFile::load(&path).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.halls["hall@http://h:1"].callers["w-a01"], t);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "{").unwrap();
        assert!(StateFile::load(&path).unwrap_err().to_string().contains("state.json"));
    }
}
