//! The server's configuration: a TOML file, overridden by flags.
//!
//! ```toml
//! listen = "127.0.0.1:8720"
//! # Break-glass (off by default, docs/accounts.md): the shared admin token opens the admin API as
//! # 系统管理员 only together with break_glass = true (or HALLKEEPER_BREAK_GLASS=1); every use is
//! # audited as `break-glass`. People sign in with their accounts (`hallkeeper-server account`).
//! # break_glass = true
//! # admin_token = "…"        # or HALLKEEPER_ADMIN_TOKEN; at least 32 characters
//! # Window terminals (docs/devices.md): every caller request must carry the signed-in person's
//! # terminal session; off, a caller device token alone still works (hardware callers, the
//! # simulator) and a session sent is checked and audited all the same.
//! terminal_sign_in_required = true
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
    pub break_glass: bool,
    #[serde(default)]
    pub storage: StorageConfig,
    #[serde(default)]
    pub sms: crate::sms::config::SmsFileConfig,
    #[serde(default)]
    pub terminal_sign_in_required: bool,
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
    /// The break-glass token: Some only when break-glass is on (and then a token is required).
    pub admin_token: Option<String>,
    pub storage: StorageChoice,
    /// As the file has it; environment overrides are applied by `SmsFileConfig::with_env`.
    pub sms: crate::sms::config::SmsFileConfig,
    /// Whether the caller routes require a window terminal session (`crate::terminal`).
    pub terminal_sign_in_required: bool,
}

pub const USAGE: &str =
    "usage: hallkeeper-server [--config FILE] [--listen ADDR] [--sqlite PATH | --postgres URL]
       hallkeeper-server account create --login L --name NAME (--system-admin | --hall H --role R) [storage]
       hallkeeper-server account reset --login L [storage]
       hallkeeper-server account disable --login L [storage]

  --config FILE     TOML configuration (see the crate docs); flags override it
  --listen ADDR     address to listen on (default 127.0.0.1:8720)
  --sqlite PATH     SQLite file (the default: ./hallkeeper-server.db)
  --postgres URL    PostgreSQL connection URL instead of SQLite

  account create|reset read the password from standard input (one line; never from the command
  line). Roles: hall_admin, shift_lead, supervisor, window_staff.
  Break-glass (off by default): break_glass = true in the file or HALLKEEPER_BREAK_GLASS=1, with
  admin_token in the file or HALLKEEPER_ADMIN_TOKEN (at least 32 characters).";

/// The shortest break-glass token accepted (security review F1: tokens of at least 32 characters).
pub const ADMIN_TOKEN_MIN: usize = 32;

/// What the environment says (read by the binary, passed in so tests set it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// `HALLKEEPER_ADMIN_TOKEN`.
    pub admin_token: Option<String>,
    /// `HALLKEEPER_BREAK_GLASS=1` (or `true`).
    pub break_glass: bool,
}

impl Env {
    pub fn from_process() -> Self {
        let break_glass =
            std::env::var("HALLKEEPER_BREAK_GLASS").is_ok_and(|v| matches!(v.trim(), "1" | "true"));
        Self { admin_token: std::env::var("HALLKEEPER_ADMIN_TOKEN").ok(), break_glass }
    }
}

pub fn read_file(path: &std::path::Path) -> Result<FileConfig, StartError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| StartError::Config(format!("{}: {e}", path.display())))?;
    toml::from_str::<FileConfig>(&text).map_err(|e| StartError::Config(format!("{}: {e}", path.display())))
}

/// Which store: the flags over the file, SQLite in the working directory by default.
pub fn storage_choice(
    sqlite: Option<PathBuf>,
    postgres: Option<String>,
    from_file: &StorageConfig,
) -> Result<StorageChoice, StartError> {
    Ok(match (sqlite, postgres) {
        (Some(_), Some(_)) => {
            return Err(StartError::Config("choose --sqlite or --postgres, not both".into()))
        }
        (Some(p), None) => StorageChoice::Sqlite(p),
        (None, Some(u)) => StorageChoice::Postgres(u),
        (None, None) => match (from_file.sqlite.clone(), from_file.postgres.clone()) {
            (Some(_), Some(_)) => {
                return Err(StartError::Config("[storage] names both sqlite and postgres; keep one".into()))
            }
            (_, Some(u)) => StorageChoice::Postgres(u),
            (Some(p), None) => StorageChoice::Sqlite(p),
            (None, None) => StorageChoice::Sqlite(PathBuf::from("hallkeeper-server.db")),
        },
    })
}

/// Parses flags (and the file they name); `Ok(None)` for --help.
pub fn from_args(args: impl IntoIterator<Item = String>, env: Env) -> Result<Option<Config>, StartError> {
    let mut args = args.into_iter();
    let (mut file, mut listen, mut sqlite, mut postgres) = (None, None, None, None);
    while let Some(a) = args.next() {
        let mut value =
            |name: &str| args.next().ok_or_else(|| StartError::Config(format!("{name} needs a value")));
        match a.as_str() {
            "--config" => file = Some(PathBuf::from(value("--config")?)),
            "--listen" => listen = Some(value("--listen")?),
            "--sqlite" => sqlite = Some(PathBuf::from(value("--sqlite")?)),
            "--postgres" => postgres = Some(value("--postgres")?),
            "--admin-token" => {
                return Err(StartError::Config(
                    "--admin-token is gone (a token on the command line shows in `ps`): set admin_token in the file or HALLKEEPER_ADMIN_TOKEN, with break_glass = true".into(),
                ))
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(StartError::Config(format!("unknown argument {other:?}"))),
        }
    }
    let from_file = match &file {
        Some(path) => read_file(path)?,
        None => FileConfig::default(),
    };
    let listen = listen.or(from_file.listen).unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listen: SocketAddr = listen
        .parse()
        .map_err(|_| StartError::Config(format!("listen address {listen:?} is not host:port")))?;
    let storage = storage_choice(sqlite, postgres, &from_file.storage)?;
    let token = from_file.admin_token.or(env.admin_token).filter(|t| !t.trim().is_empty());
    let admin_token = match (from_file.break_glass || env.break_glass, token) {
        (false, Some(_)) => {
            tracing::warn!("an admin token is configured but break_glass is off: it opens nothing");
            None
        }
        (false, None) => None,
        (true, None) => {
            return Err(StartError::Config(
                "break_glass is on but no admin_token (or HALLKEEPER_ADMIN_TOKEN) is set".into(),
            ))
        }
        (true, Some(t)) if t.trim().chars().count() < ADMIN_TOKEN_MIN => {
            return Err(StartError::Config(format!(
                "the admin token must have at least {ADMIN_TOKEN_MIN} characters"
            )))
        }
        (true, Some(t)) => Some(t.trim().to_owned()),
    };
    let terminal_sign_in_required = from_file.terminal_sign_in_required;
    Ok(Some(Config { listen, admin_token, storage, sms: from_file.sms, terminal_sign_in_required }))
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
        let token = "t".repeat(32);
        std::fs::write(&file, format!("listen = \"0.0.0.0:9000\"\nbreak_glass = true\nadmin_token = \"{token}\"\nterminal_sign_in_required = true\n[storage]\npostgres = \"postgres://x\"\n")).unwrap();
        let c =
            from_args(args(&["--config", file.to_str().unwrap(), "--listen", "127.0.0.1:1"]), Env::default())
                .unwrap()
                .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:1");
        assert_eq!(c.admin_token.as_deref(), Some(token.as_str()));
        assert_eq!(c.storage, StorageChoice::Postgres("postgres://x".into()));
        assert!(c.terminal_sign_in_required);
        let env = |break_glass| Env { admin_token: Some("e".repeat(40)), break_glass };
        let d = from_args(args(&[]), env(true)).unwrap().unwrap();
        assert_eq!(d.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(d.storage, StorageChoice::Sqlite("hallkeeper-server.db".into()));
        assert_eq!(d.admin_token, Some("e".repeat(40)));
        assert!(!d.terminal_sign_in_required, "off unless configured");
    }

    #[test]
    fn the_admin_token_opens_nothing_without_break_glass() {
        let with = |admin_token: Option<&str>, break_glass| Env {
            admin_token: admin_token.map(Into::into),
            break_glass,
        };
        let long = "x".repeat(32);
        assert_eq!(from_args(args(&[]), with(Some(&long), false)).unwrap().unwrap().admin_token, None);
        assert_eq!(
            from_args(args(&[]), with(Some(&long), true)).unwrap().unwrap().admin_token,
            Some(long.clone())
        );
        let err = |env| from_args(args(&[]), env).unwrap_err().to_string();
        assert!(err(with(None, true)).contains("no admin_token"));
        assert!(err(with(Some("short"), true)).contains("32"));
        assert!(from_args(args(&["--admin-token", "x"]), Env::default())
            .unwrap_err()
            .to_string()
            .contains("ps"));
    }

    #[test]
    fn bad_flags_and_files_are_named() {
        let err = |a: &[&str]| from_args(args(a), Env::default()).unwrap_err().to_string();
        assert!(err(&["--bogus"]).contains("--bogus"));
        assert!(err(&["--listen", "nowhere"]).contains("nowhere"));
        assert!(err(&["--sqlite", "a", "--postgres", "b"]).contains("not both"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "lisen = 1\n").unwrap();
        assert!(err(&["--config", file.to_str().unwrap()]).contains("lisen"));
        assert!(from_args(args(&["--help"]), Env::default()).unwrap().is_none());
    }
}
