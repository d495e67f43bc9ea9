//! The server's configuration: a TOML file, overridden by flags.
//!
//! ```toml
//! listen = "127.0.0.1:8720"
//! admin_token = "…"          # or HALLKEEPER_ADMIN_TOKEN; without one the admin API is closed
//! [storage]
//! sqlite = "/var/lib/hallkeeper/server.db"
//! # postgres = "postgres://hallkeeper:…@db.internal/hallkeeper"
//! [sms]                      # SMS reminders; see `crate::sms::config` for every key
//! provider = "log"           # log (default) | alibaba | tencent | off
//! ```

use crate::error::StartError;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8720";

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub admin_token: Option<String>,
    #[serde(default)]
    pub storage: StorageConfig,
    #[serde(default)]
    pub sms: crate::sms::config::SmsFileConfig,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub sqlite: Option<PathBuf>,
    pub postgres: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageChoice {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub admin_token: Option<String>,
    pub storage: StorageChoice,
    /// As the file has it; environment overrides are applied by `SmsFileConfig::with_env`.
    pub sms: crate::sms::config::SmsFileConfig,
}

pub const USAGE: &str = "usage: hallkeeper-server [--config FILE] [--listen ADDR] [--sqlite PATH | --postgres URL] [--admin-token TOKEN]

  --config FILE     TOML configuration (see the crate docs); flags override it
  --listen ADDR     address to listen on (default 127.0.0.1:8720)
  --sqlite PATH     SQLite file (the default: ./hallkeeper-server.db)
  --postgres URL    PostgreSQL connection URL instead of SQLite
  --admin-token T   token of the admin API (also HALLKEEPER_ADMIN_TOKEN)";

/// Parses flags (and the file they name); `Ok(None)` for --help.
pub fn from_args(
    args: impl IntoIterator<Item = String>,
    env_admin: Option<String>,
) -> Result<Option<Config>, StartError> {
    let mut args = args.into_iter();
    let (mut file, mut listen, mut sqlite, mut postgres, mut admin) = (None, None, None, None, None);
    while let Some(a) = args.next() {
        let mut value =
            |name: &str| args.next().ok_or_else(|| StartError::Config(format!("{name} needs a value")));
        match a.as_str() {
            "--config" => file = Some(PathBuf::from(value("--config")?)),
            "--listen" => listen = Some(value("--listen")?),
            "--sqlite" => sqlite = Some(PathBuf::from(value("--sqlite")?)),
            "--postgres" => postgres = Some(value("--postgres")?),
            "--admin-token" => admin = Some(value("--admin-token")?),
            "-h" | "--help" => return Ok(None),
            other => return Err(StartError::Config(format!("unknown argument {other:?}"))),
        }
    }
    let from_file = match &file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| StartError::Config(format!("{}: {e}", path.display())))?;
            toml::from_str::<FileConfig>(&text)
                .map_err(|e| StartError::Config(format!("{}: {e}", path.display())))?
        }
        None => FileConfig::default(),
    };
    let listen = listen.or(from_file.listen).unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listen: SocketAddr = listen
        .parse()
        .map_err(|_| StartError::Config(format!("listen address {listen:?} is not host:port")))?;
    let storage = match (sqlite, postgres) {
        (Some(_), Some(_)) => {
            return Err(StartError::Config("choose --sqlite or --postgres, not both".into()))
        }
        (Some(p), None) => StorageChoice::Sqlite(p),
        (None, Some(u)) => StorageChoice::Postgres(u),
        (None, None) => match (from_file.storage.sqlite, from_file.storage.postgres) {
            (Some(_), Some(_)) => {
                return Err(StartError::Config("[storage] names both sqlite and postgres; keep one".into()))
            }
            (_, Some(u)) => StorageChoice::Postgres(u),
            (Some(p), None) => StorageChoice::Sqlite(p),
            (None, None) => StorageChoice::Sqlite(PathBuf::from("hallkeeper-server.db")),
        },
    };
    let admin_token = admin.or(from_file.admin_token).or(env_admin).filter(|t| !t.trim().is_empty());
    Ok(Some(Config { listen, admin_token, storage, sms: from_file.sms }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_override_the_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nadmin_token = \"from-file\"\n[storage]\npostgres = \"postgres://x\"\n").unwrap();
        let c = from_args(args(&["--config", file.to_str().unwrap(), "--listen", "127.0.0.1:1"]), None)
            .unwrap()
            .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:1");
        assert_eq!(c.admin_token.as_deref(), Some("from-file"));
        assert_eq!(c.storage, StorageChoice::Postgres("postgres://x".into()));
        let d = from_args(args(&[]), Some("env".into())).unwrap().unwrap();
        assert_eq!(d.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(d.storage, StorageChoice::Sqlite("hallkeeper-server.db".into()));
        assert_eq!(d.admin_token.as_deref(), Some("env"));
    }

    #[test]
    fn bad_flags_and_files_are_named() {
        let err = |a: &[&str]| from_args(args(a), None).unwrap_err().to_string();
        assert!(err(&["--bogus"]).contains("--bogus"));
        assert!(err(&["--listen", "nowhere"]).contains("nowhere"));
        assert!(err(&["--sqlite", "a", "--postgres", "b"]).contains("not both"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "lisen = 1\n").unwrap();
        assert!(err(&["--config", file.to_str().unwrap()]).contains("lisen"));
        assert!(from_args(args(&["--help"]), None).unwrap().is_none());
    }
}
