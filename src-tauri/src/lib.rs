//! Hallkeeper's desktop shell: starts Tauri, opens the local store and hands the UI thin
//! commands over `hallkeeper-core`. No rule lives here.

mod cli;
pub mod commands;
pub mod dashboard_feed;
mod error;
pub mod hall_server;
mod notifications;
pub mod poor_ratings;
mod session_watch;
mod simulation;
mod state;

pub use cli::Options;
pub use error::{CommandError, DesktopError};
pub use state::AppState;

use std::time::Instant;
use tauri::{Manager, Runtime};

/// Registers the app's commands on a builder (the real one, or the mock runtime in tests), behind
/// one gate: before any command runs, core decides whether the person signed in may run it
/// (`hallkeeper_core::access::authorize`: `session.required`, `session.locked`,
/// `access.forbidden` naming the capability; a command core does not list is refused too), so no
/// command can skip the check, whatever the UI shows or whoever invokes it.
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    let handler = registered_commands();
    builder.invoke_handler(move |invoke| {
        let webview = invoke.message.webview();
        let command = invoke.message.command();
        let verdict = match webview.try_state::<AppState>() {
            // The lock is the supervisor's window's; the hall display keeps showing the stars.
            Some(state) => state.authorize(command, webview.label() != commands::stars::DISPLAY_LABEL),
            None => Err(CommandError(hallkeeper_core::notices::internal(
                hallkeeper_core::proto::Locale::ZhCn,
                "the app state is not ready",
            ))),
        };
        match verdict {
            Ok(()) => handler(invoke),
            Err(refusal) => {
                tracing::warn!(command, code = %refusal.0.code, "command refused before it ran");
                invoke.resolver.reject(refusal);
                true
            }
        }
    })
}

/// Every command the UI can invoke (the gate above stands before each).
#[allow(clippy::type_complexity)]
fn registered_commands<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::session::session_status,
        commands::session::sign_in,
        commands::session::sign_out,
        commands::session::change_password,
        commands::session::lock,
        commands::session::unlock,
        commands::session::set_lock_minutes,
        commands::session::first_run_status,
        commands::session::create_first_administrator,
        commands::windows::list_windows,
        commands::windows::create_window,
        commands::windows::update_window,
        commands::windows::set_window_state,
        commands::windows::delete_window,
        commands::windows::reorder_windows,
        commands::audit::list_audit,
        commands::settings::get_settings,
        commands::settings::set_locale,
        commands::app::ui_ready,
        commands::app::report_ui_error,
        commands::catalog::get_catalog,
        commands::catalog::get_coverage,
        commands::catalog::inspect_catalog_file,
        commands::catalog::preview_catalog_import,
        commands::catalog::apply_catalog_import,
        commands::bindings::list_bindings,
        commands::bindings::bind_matters,
        commands::bindings::unbind_matters,
        commands::staff::list_staff,
        commands::staff::create_staff,
        commands::staff::update_staff,
        commands::staff::delete_staff,
        commands::staff::get_roster,
        commands::staff::set_seat,
        commands::sync::get_sync_status,
        commands::sync::sync_now,
        commands::dashboard::get_dashboard,
        commands::dashboard::get_thresholds,
        commands::dashboard::set_thresholds,
        commands::dashboard::bind_overflow_today,
        commands::queue_actions::move_waiting_tickets,
        commands::rectification::list_poor_ratings,
        commands::rectification::get_case,
        commands::rectification::case_action,
        commands::rectification::mark_case_read,
        commands::rectification::unread_case_count,
        commands::rectification::case_alerts,
        commands::rectification::attach_evidence,
        commands::rectification::list_deadline_profiles,
        commands::rectification::get_deadline_profile,
        commands::rectification::set_deadline_profile,
        commands::sms::get_sms_rules,
        commands::sms::set_sms_rules,
        commands::sms::preview_sms_template,
        commands::sms::sms_budget,
        commands::sms::sms_outbox,
        commands::sms::sms_counts,
        commands::sms::sms_status,
        commands::sms::sms_test_send,
        commands::devices::list_devices,
        commands::devices::add_device,
        commands::devices::new_device_pairing_code,
        commands::devices::update_device,
        commands::devices::revoke_device,
        commands::accounts::list_accounts,
        commands::accounts::create_account,
        commands::accounts::update_account,
        commands::accounts::reset_account_password,
        commands::reports::get_report,
        commands::reports::export_report_xlsx,
        commands::rating_reasons::get_rating_reasons,
        commands::rating_reasons::set_rating_reasons,
        commands::stars::get_star_rule,
        commands::stars::set_star_rule,
        commands::stars::get_monthly_stars,
        commands::stars::open_display_window,
        commands::stars::close_display_window,
    ]
}

/// Runs the app; returns the process exit code.
pub fn run(started: Instant) -> i32 {
    prefer_software_painting();
    init_logging();
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{}", cli::USAGE);
            return 0;
        }
        Err(e) => {
            eprintln!("hallkeeper: {e}\n\n{}", cli::USAGE);
            return 2;
        }
    };

    let builder = with_commands(tauri::Builder::default())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let data_dir = match &options.data_dir {
                Some(dir) => dir.clone(),
                None => app.path().app_data_dir()?,
            };
            let state = AppState::open(&data_dir, started)?;
            if let Some(hall) = &options.hall {
                state.set_hall_id(hall);
            }
            tracing::info!(data_dir = %data_dir.display(), "local store open");
            app.manage(state);
            app.manage(std::sync::Arc::new(dashboard_feed::FeedTrigger::default()));
            // Before any notification: only those shown while a handler exists report a click.
            notifications::handle_clicks(app.handle());
            let store = app.state::<AppState>().store();
            tauri::async_runtime::spawn(poor_ratings::run_alerts(app.handle().clone(), store));
            connect_server(app.handle().clone(), options.clone(), data_dir);
            Ok(())
        });

    match builder.run(tauri::generate_context!()) {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!("hallkeeper stopped: {e}");
            eprintln!("hallkeeper: {e}");
            1
        }
    }
}

/// Starts the embedded central server (or reaches the remote one) and keeps the hall's
/// configuration and changes pushed to it — in the background, so neither start-up nor an
/// unreachable remote server holds the window back. Without a server the desktop still works
/// on its local store.
fn connect_server<R: Runtime>(app: tauri::AppHandle<R>, options: Options, data_dir: std::path::PathBuf) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let credential = state.credential().clone();
        let link = match &options.server {
            None => {
                let port = options.device_port.unwrap_or(cli::DEFAULT_DEVICE_PORT);
                hall_server::ServerLink::embedded(&data_dir, port, credential).await
            }
            Some(url) => {
                let hall = options.hall.as_deref().unwrap_or(hall_server::LOCAL_HALL);
                hall_server::ServerLink::remote(url, hall, credential).await
            }
        };
        match link {
            Ok(link) => {
                tracing::info!(url = %link.base_url(), hall = %link.hall_id(), "central server connected");
                let link = std::sync::Arc::new(link);
                state.set_link(link.clone());
                watch_session(app.clone());
                tauri::async_runtime::spawn(link.clone().keep_config_pushed(state.store()));
                let sync = link.start_sync(state.store());
                poor_ratings::wire(&app, &sync, state.store());
                start_dashboard_feed(&app, Some(sync.subscribe_pulled()));
                tauri::async_runtime::spawn(commands::forward_sync(app.clone(), sync));
                if let Some(speed) = options.simulate {
                    let sim = simulation::Simulation {
                        speed,
                        state_file: data_dir.join("server").join("simulator.json"),
                    };
                    tracing::info!(speed, "simulated hall traffic on");
                    let seeded_app = app.clone();
                    let who_app = app.clone();
                    tauri::async_runtime::spawn(sim.run(
                        link,
                        state.store(),
                        hallkeeper_sim::CancellationToken::new(),
                        move || {
                            use commands::Entity;
                            for entity in [Entity::Catalog, Entity::Windows, Entity::Bindings] {
                                commands::notify_changed(&seeded_app, entity);
                            }
                        },
                        move || who_app.state::<AppState>().signed_in().map(|s| s.person),
                    ));
                }
            }
            Err(e) => {
                tracing::warn!("working without the central server: {e}");
                start_dashboard_feed(&app, None);
            }
        }
    });
}

/// Keeps the signed-in session true to the server for the life of the app (revocation signs the
/// person out; an offline person gets a server session once it answers): see `session_watch`.
pub fn watch_session<R: Runtime>(app: tauri::AppHandle<R>) {
    tauri::async_runtime::spawn(session_watch::run(app));
}

/// Starts the dashboard feed (the `dashboard` event and the queue-alarm notifications), following
/// sync's pulls when there is a server.
fn start_dashboard_feed<R: Runtime>(
    app: &tauri::AppHandle<R>,
    pulled: Option<tokio::sync::watch::Receiver<hallkeeper_client::PulledTick>>,
) {
    let Some(trigger) = app.try_state::<std::sync::Arc<dashboard_feed::FeedTrigger>>() else { return };
    let store = app.state::<AppState>().store();
    tauri::async_runtime::spawn(dashboard_feed::run(app.clone(), store, trigger.inner().clone(), pulled));
}

/// WebKitGTK composites with OpenGL; on a hall PC without a GPU that means llvmpipe (software GL
/// through LLVM), which costs ~85 MiB per window and buys nothing for a UI of forms and lists.
/// `HALLKEEPER_COMPOSITING=1` keeps WebKit's default. Runs before any thread exists, so
/// changing the environment is safe.
fn prefer_software_painting() {
    const WEBKIT_VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(WEBKIT_VAR).is_none() && std::env::var_os("HALLKEEPER_COMPOSITING").is_none() {
        std::env::set_var(WEBKIT_VAR, "1");
    }
}

fn init_logging() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("HALLKEEPER_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only on a terminal: log files (and the e2e suite's scans of them) get plain text.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
