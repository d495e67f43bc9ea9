//! `hallkeeper-server account create|reset|disable`: accounts from the server's own command line
//! (COMMON item 6): a remote server's first administrator, and the way back in when every
//! administrator is locked out. Runs against the store directly (migrating it first), so it works
//! with the server stopped. The password is read from standard input (one line), never from the
//! command line, where `ps` and the shell history would keep it. Every change goes into the audit
//! log as done by `cli`.

use crate::accounts::{self, check_display_name, check_login, check_password};
use crate::audit;
use crate::config::{read_file, storage_choice, FileConfig, StorageChoice};
use crate::storage::{postgres::PostgresStorage, sqlite::SqliteStorage, to_millis, Storage, StorageError};
use chrono::{DateTime, Utc};
use hallkeeper_proto::{HallRole, Role};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

/// The CLI's refusals: `Usage` exits 2, the others 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// Opens (does not migrate) the store the configuration names.
pub async fn open_storage(choice: &StorageChoice) -> Result<Arc<dyn Storage>, StorageError> {
    Ok(match choice {
        StorageChoice::Sqlite(path) => Arc::new(SqliteStorage::open(path)?),
        StorageChoice::Postgres(url) => Arc::new(PostgresStorage::connect(url).await?),
    })
}

#[derive(Debug, Default)]
struct Args {
    verb: String,
    login: Option<String>,
    name: Option<String>,
    system_admin: bool,
    hall: Option<String>,
    role: Option<String>,
    config: Option<PathBuf>,
    sqlite: Option<PathBuf>,
    postgres: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, CliError> {
    let mut it = args.iter();
    let verb = it.next().ok_or_else(|| CliError::Usage("account needs create, reset or disable".into()))?;
    if !matches!(verb.as_str(), "create" | "reset" | "disable") {
        return Err(CliError::Usage(format!("unknown account command {verb:?}")));
    }
    let mut a = Args { verb: verb.clone(), ..Args::default() };
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| CliError::Usage(format!("{flag} needs a value")));
        match flag.as_str() {
            "--login" => a.login = Some(value()?),
            "--name" => a.name = Some(value()?),
            "--system-admin" => a.system_admin = true,
            "--hall" => a.hall = Some(value()?),
            "--role" => a.role = Some(value()?),
            "--config" => a.config = Some(PathBuf::from(value()?)),
            "--sqlite" => a.sqlite = Some(PathBuf::from(value()?)),
            "--postgres" => a.postgres = Some(value()?),
            "--password" => {
                return Err(CliError::Usage(
                    "the password is read from standard input, never from the command line".into(),
                ))
            }
            other => return Err(CliError::Usage(format!("unknown argument {other:?}"))),
        }
    }
    Ok(a)
}

/// The first line of `input`, without its line end.
fn read_password(input: &mut dyn BufRead) -> Result<String, CliError> {
    let mut line = String::new();
    input.read_line(&mut line).map_err(|e| CliError::Refused(format!("reading the password: {e}")))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(CliError::Usage("no password on standard input".into()));
    }
    Ok(password)
}

/// Runs `account …` (the arguments after `account`); answers what to print.
pub async fn account(
    args: &[String],
    input: &mut dyn BufRead,
    now: DateTime<Utc>,
) -> Result<String, CliError> {
    let a = parse(args)?;
    let file = match &a.config {
        Some(p) => read_file(p).map_err(|e| CliError::Usage(e.to_string()))?,
        None => FileConfig::default(),
    };
    let choice = storage_choice(a.sqlite.clone(), a.postgres.clone(), &file.storage)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let login = check_login(a.login.as_deref().ok_or_else(|| CliError::Usage("--login is required".into()))?)
        .map_err(|e| CliError::Usage(e.body().message))?;
    let storage = open_storage(&choice).await?;
    storage.migrate().await?;
    match a.verb.as_str() {
        "create" => create(&*storage, &a, &login, input, now).await,
        "reset" => reset(&*storage, &login, input, now).await,
        _ => disable(&*storage, &login, now).await,
    }
}

fn refused(e: crate::error::ApiError) -> CliError {
    let b = e.body();
    CliError::Refused(format!("{} ({})", b.message, b.code))
}

async fn create(
    storage: &dyn Storage,
    a: &Args,
    login: &str,
    input: &mut dyn BufRead,
    now: DateTime<Utc>,
) -> Result<String, CliError> {
    let name =
        check_display_name(a.name.as_deref().ok_or_else(|| CliError::Usage("--name is required".into()))?)
            .map_err(refused)?;
    let grant = match (a.system_admin, &a.hall, &a.role) {
        (true, None, None) => HallRole { hall_id: None, role: Role::SystemAdmin },
        (false, Some(h), Some(r)) => {
            let role = Role::parse(r).filter(|r| *r != Role::SystemAdmin).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown role {r:?} (hall_admin, shift_lead, supervisor, window_staff)"
                ))
            })?;
            if storage.hall(h).await?.is_none() {
                return Err(CliError::Refused(format!("no hall {h} on this server")));
            }
            HallRole { hall_id: Some(h.clone()), role }
        }
        _ => return Err(CliError::Usage("give --system-admin, or --hall H and --role R".into())),
    };
    let password = read_password(input)?;
    check_password(login, &password, "password").map_err(refused)?;
    let store = storage.accounts();
    if a.system_admin && !store.has_any_account().await? {
        // The first administrator chose this password at the terminal: no forced change.
        let account = accounts::create_first_administrator(storage, now, login, &name, &password)
            .await
            .map_err(|e| CliError::Refused(format!("{e} ({})", e.code())))?;
        return Ok(format!("created {} ({}), 系统管理员", account.login, account.id));
    }
    // Someone else's account: they choose their own password at their first sign-in.
    let record = tokio::task::spawn_blocking({
        let (login, name) = (login.to_owned(), name.clone());
        move || accounts::new_record(now, &login, &name, None, vec![grant], &password, true)
    })
    .await
    .map_err(|e| CliError::Refused(e.to_string()))?
    .map_err(|e| CliError::Refused(e.to_string()))?;
    store.create_account(&record).await.map_err(|e| match e {
        StorageError::Conflict(_) => CliError::Refused(format!("the login {login} is taken")),
        other => other.into(),
    })?;
    let entry =
        audit::entry(now, None, "cli", "cli", record.account.grants[0].hall_id.as_deref(), "account.create")
            .target(&record.account.id)
            .after(audit::account_json(&record.account));
    store.append_audit(&entry.build()).await?;
    Ok(format!(
        "created {} ({}); the password must be changed at the first sign-in",
        login, record.account.id
    ))
}

async fn reset(
    storage: &dyn Storage,
    login: &str,
    input: &mut dyn BufRead,
    now: DateTime<Utc>,
) -> Result<String, CliError> {
    let store = storage.accounts();
    let mut record = store
        .account_by_login(login)
        .await?
        .ok_or_else(|| CliError::Refused(format!("no account {login}")))?;
    let password = read_password(input)?;
    check_password(login, &password, "password").map_err(refused)?;
    let before = audit::account_json(&record.account);
    record.password_hash = tokio::task::spawn_blocking(move || hallkeeper_access::hash_password(&password))
        .await
        .map_err(|e| CliError::Refused(e.to_string()))?
        .map_err(|e| CliError::Refused(e.to_string()))?;
    record.account.must_change_password = true;
    // A reset is also how a locked-out administrator gets back in: the account is enabled again.
    record.account.active = true;
    record.updated_at = to_millis(now);
    store.update_account(&record).await?;
    let revoked = store.revoke_sessions_of(&record.account.id, None, to_millis(now)).await?;
    let entry = audit::entry(now, None, "cli", "cli", None, "account.reset")
        .target(&record.account.id)
        .before(before)
        .after(audit::account_json(&record.account));
    store.append_audit(&entry.build()).await?;
    Ok(format!("reset {login}: {revoked} session(s) ended; the password must be changed at the next sign-in"))
}

async fn disable(storage: &dyn Storage, login: &str, now: DateTime<Utc>) -> Result<String, CliError> {
    let store = storage.accounts();
    let mut record = store
        .account_by_login(login)
        .await?
        .ok_or_else(|| CliError::Refused(format!("no account {login}")))?;
    let before = audit::account_json(&record.account);
    record.account.active = false;
    record.updated_at = to_millis(now);
    store.update_account(&record).await?;
    let revoked = store.revoke_sessions_of(&record.account.id, None, to_millis(now)).await?;
    let entry = audit::entry(now, None, "cli", "cli", None, "account.update")
        .target(&record.account.id)
        .before(before)
        .after(audit::account_json(&record.account));
    store.append_audit(&entry.build()).await?;
    Ok(format!("disabled {login}: {revoked} session(s) ended"))
}
