//! The `[sms]` section of the server's configuration, and the environment that overrides it.
//!
//! ```toml
//! [sms]
//! provider = "log"            # log (the default: sends nothing, for demos) | alibaba | tencent | off
//! sign_name = "市民服务中心"    # the approved signature, without 【】
//! log_file = "sms.jsonl"      # log provider: also append one JSON line per message (numbers masked)
//! key = "…"                   # 32 bytes, hex or base64; better HALLKEEPER_SMS_KEY
//! key_file = "/var/lib/hallkeeper/sms.key"   # else: sms.key next to the SQLite file
//! retention_days = 30         # phone numbers are nulled this long after they were given
//! max_attempts = 6            # retryable provider errors, per message
//!
//! [sms.templates]             # rule id → the provider's approved template (SMS_… / numeric id);
//! issued = "SMS_123456789"    # "test" is the template of the supervisor's free-text test message
//!
//! [sms.alibaba]
//! access_key_id = "…"         # secret: HALLKEEPER_SMS_ALIBABA_ACCESS_KEY_SECRET
//! endpoint = "https://dysmsapi.aliyuncs.com"
//!
//! [sms.tencent]
//! secret_id = "…"             # secret: HALLKEEPER_SMS_TENCENT_SECRET_KEY
//! sdk_app_id = "1400000000"
//! region = "ap-guangzhou"
//! ```
//!
//! Environment: `HALLKEEPER_SMS_PROVIDER`, `HALLKEEPER_SMS_SIGN_NAME`, `HALLKEEPER_SMS_LOG_FILE`,
//! `HALLKEEPER_SMS_KEY`, `HALLKEEPER_SMS_KEY_FILE`, `HALLKEEPER_SMS_ALIBABA_ACCESS_KEY_ID`,
//! `HALLKEEPER_SMS_ALIBABA_ACCESS_KEY_SECRET`, `HALLKEEPER_SMS_ALIBABA_ENDPOINT`,
//! `HALLKEEPER_SMS_TENCENT_SECRET_ID`, `HALLKEEPER_SMS_TENCENT_SECRET_KEY`,
//! `HALLKEEPER_SMS_TENCENT_SDK_APP_ID`, `HALLKEEPER_SMS_TENCENT_ENDPOINT` override the file.
//! Secrets belong in the environment (or a file only the service user reads).
//!
//! The key: `key` / `HALLKEEPER_SMS_KEY` if given; otherwise the file `key_file` (default
//! `sms.key` in the directory of the SQLite file, or the working directory with PostgreSQL),
//! made on first start from the OS's randomness with mode 0600. Losing it makes the stored
//! numbers unreadable (pending reminders then fail with `sms.phone_unavailable`); it is never
//! logged. Several servers sharing one PostgreSQL database must share the key.

use crate::error::StartError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SmsFileConfig {
    pub provider: Option<String>,
    pub sign_name: Option<String>,
    pub log_file: Option<PathBuf>,
    pub key: Option<String>,
    pub key_file: Option<PathBuf>,
    pub retention_days: Option<u32>,
    pub max_attempts: Option<u32>,
    #[serde(default)]
    pub templates: BTreeMap<String, String>,
    #[serde(default)]
    pub alibaba: AlibabaFileConfig,
    #[serde(default)]
    pub tencent: TencentFileConfig,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AlibabaFileConfig {
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<String>,
    pub endpoint: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TencentFileConfig {
    pub secret_id: Option<String>,
    pub secret_key: Option<String>,
    pub sdk_app_id: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
}

impl SmsFileConfig {
    /// The file's values with the environment's on top (`env` is `std::env::var` in the binary).
    pub fn with_env(mut self, env: impl Fn(&str) -> Option<String>) -> Self {
        let set = |slot: &mut Option<String>, name: &str| {
            if let Some(v) = env(name).filter(|v| !v.trim().is_empty()) {
                *slot = Some(v);
            }
        };
        set(&mut self.provider, "HALLKEEPER_SMS_PROVIDER");
        set(&mut self.sign_name, "HALLKEEPER_SMS_SIGN_NAME");
        set(&mut self.key, "HALLKEEPER_SMS_KEY");
        set(&mut self.alibaba.access_key_id, "HALLKEEPER_SMS_ALIBABA_ACCESS_KEY_ID");
        set(&mut self.alibaba.access_key_secret, "HALLKEEPER_SMS_ALIBABA_ACCESS_KEY_SECRET");
        set(&mut self.alibaba.endpoint, "HALLKEEPER_SMS_ALIBABA_ENDPOINT");
        set(&mut self.tencent.secret_id, "HALLKEEPER_SMS_TENCENT_SECRET_ID");
        set(&mut self.tencent.secret_key, "HALLKEEPER_SMS_TENCENT_SECRET_KEY");
        set(&mut self.tencent.sdk_app_id, "HALLKEEPER_SMS_TENCENT_SDK_APP_ID");
        set(&mut self.tencent.endpoint, "HALLKEEPER_SMS_TENCENT_ENDPOINT");
        if let Some(v) = env("HALLKEEPER_SMS_LOG_FILE").filter(|v| !v.trim().is_empty()) {
            self.log_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env("HALLKEEPER_SMS_KEY_FILE").filter(|v| !v.trim().is_empty()) {
            self.key_file = Some(PathBuf::from(v));
        }
        self
    }

    /// The provider's name; `log` when none is configured.
    pub fn provider_name(&self) -> &str {
        self.provider.as_deref().map(str::trim).unwrap_or("log")
    }
}

fn config_error(msg: impl Into<String>) -> StartError {
    StartError::Config(format!("[sms] {}", msg.into()))
}

/// A key as given: 64 hex digits or the base64 of 32 bytes.
pub fn parse_key(text: &str) -> Result<[u8; 32], StartError> {
    use base64::Engine as _;
    let text = text.trim();
    let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(text).map_err(|e| config_error(format!("key: {e}")))?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| config_error("key must be 64 hex digits or the base64 of 32 bytes"))?
    };
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| config_error(format!("key must be 32 bytes, got {}", bytes.len())))
}

/// The key from `path`, or a new one written there (mode 0600, refused if the file appears
/// meanwhile).
pub fn load_or_create_key(path: &Path) -> Result<[u8; 32], StartError> {
    match std::fs::read_to_string(path) {
        Ok(text) => return parse_key(&text).map_err(|e| config_error(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(config_error(format!("{}: {e}", path.display()))),
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| config_error(format!("no OS randomness for the key: {e}")))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| config_error(format!("{}: {e}", dir.display())))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| config_error(format!("{}: {e}", path.display())))?;
    std::io::Write::write_all(&mut file, format!("{}\n", hex::encode(key)).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| config_error(format!("{}: {e}", path.display())))?;
    tracing::warn!(path = %path.display(), "made a new SMS phone key; back it up with the database");
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_hex_or_base64_of_32_bytes() {
        let hex_key = "00".repeat(31) + "ff";
        assert_eq!(parse_key(&hex_key).unwrap()[31], 0xff);
        assert_eq!(parse_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap(), [0u8; 32]);
        assert!(parse_key("abcd").unwrap_err().to_string().contains("32 bytes"));
        assert!(parse_key("not a key!").is_err());
    }

    #[test]
    fn a_key_file_is_made_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("sms.key");
        let a = load_or_create_key(&path).unwrap();
        let b = load_or_create_key(&path).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let file: SmsFileConfig = toml::from_str("provider = \"tencent\"\nsign_name = \"厅\"\n").unwrap();
        let env = |k: &str| (k == "HALLKEEPER_SMS_PROVIDER").then(|| "log".to_owned());
        let c = file.with_env(env);
        assert_eq!(c.provider_name(), "log");
        assert_eq!(c.sign_name.as_deref(), Some("厅"));
        assert!(toml::from_str::<SmsFileConfig>("bogus = 1").is_err());
    }
}
