//! `hallkeeper-server`: the central server as a process. Logs go to stderr (`RUST_LOG` or
//! `HALLKEEPER_LOG` filters); SIGINT/SIGTERM stop it gracefully.

use hallkeeper_server::config::{self, StorageChoice};
use hallkeeper_server::sms::SmsService;
use hallkeeper_server::storage::{postgres::PostgresStorage, sqlite::SqliteStorage, Storage};
use hallkeeper_server::{start, system_now, AppState};
use std::sync::Arc;

#[tokio::main]
async fn main() {
    let filter = std::env::var("HALLKEEPER_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info,tower_http=warn".to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    std::process::exit(run().await);
}

async fn run() -> i32 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "account") {
        let mut stdin = std::io::stdin().lock();
        return match hallkeeper_server::cli::account(&args[1..], &mut stdin, chrono::Utc::now()).await {
            Ok(done) => {
                println!("{done}");
                0
            }
            Err(e) => {
                eprintln!("hallkeeper-server account: {e}");
                e.exit_code()
            }
        };
    }
    let cfg = match config::from_args(args, config::Env::from_process()) {
        Ok(Some(c)) => c,
        Ok(None) => {
            println!("{}", config::USAGE);
            return 0;
        }
        Err(e) => {
            eprintln!("hallkeeper-server: {e}\n\n{}", config::USAGE);
            return 2;
        }
    };
    let storage: Arc<dyn Storage> = match &cfg.storage {
        StorageChoice::Sqlite(path) => match SqliteStorage::open(path) {
            Ok(s) => Arc::new(s),
            Err(e) => {
                eprintln!("hallkeeper-server: {e}");
                return 1;
            }
        },
        StorageChoice::Postgres(url) => match PostgresStorage::connect(url).await {
            Ok(s) => Arc::new(s),
            Err(e) => {
                eprintln!("hallkeeper-server: {e}");
                return 1;
            }
        },
    };
    let mut state = AppState::new(storage, system_now());
    if cfg.terminal_sign_in_required {
        state = state.with_terminal_sign_in_required();
    }
    if let Some(token) = &cfg.admin_token {
        tracing::warn!("break-glass is on: the shared admin token acts as 系统管理员 (every use audited)");
        state = state.with_break_glass_token(token);
    }
    // sms.key goes next to the SQLite file (or into the working directory with PostgreSQL).
    let data_dir = match &cfg.storage {
        StorageChoice::Sqlite(path) => path.parent().map(|p| p.to_path_buf()).unwrap_or_default(),
        StorageChoice::Postgres(_) => std::path::PathBuf::from("."),
    };
    let sms_config = cfg.sms.clone().with_env(|name| std::env::var(name).ok());
    match SmsService::from_config(&sms_config, &data_dir) {
        Ok(Some(sms)) => state = state.with_sms(Arc::new(sms)),
        Ok(None) => tracing::info!("SMS reminders off"),
        Err(e) => {
            eprintln!("hallkeeper-server: {e}");
            return 2;
        }
    }
    let state = Arc::new(state);
    let running = match start(cfg.listen, state).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hallkeeper-server: {e}");
            return 1;
        }
    };
    shutdown_signal().await;
    tracing::info!("stopping: finishing requests in flight");
    match running.stop().await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("hallkeeper-server: {e}");
            1
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(t) => t,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
