//! `--simulate`: simulated hall traffic against the embedded server, so a demo (or the live
//! dashboard) has a hall that is alive. An empty local store is first seeded with the
//! simulator's demo hall (the sample catalog over 20 windows) and that configuration is pushed
//! to the server; then the simulator runs day after day as kiosks, callers and rating pads would,
//! until the app quits.

use crate::hall_server::{default_settings, ServerLink};
use hallkeeper_core::Store;
use hallkeeper_sim::{CancellationToken, SimOptions};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Windows of the demo hall.
const DEMO_WINDOWS: usize = 20;

pub struct Simulation {
    pub speed: f64,
    pub state_file: PathBuf,
}

impl Simulation {
    /// Runs until `cancel` fires. Errors are logged: a simulation never takes the app down.
    /// `seeded` is told when the demo hall was written into the store (the UI then reloads).
    pub async fn run(
        self,
        link: Arc<ServerLink>,
        store: Arc<Store>,
        cancel: CancellationToken,
        seeded: impl FnOnce() + Send,
        who: impl Fn() -> Option<hallkeeper_core::access::Person> + Send,
    ) {
        // The simulated hall is driven as the person signed in here (the demo hall is seeded in
        // their name, so the server takes its operations): not before someone is.
        let person = loop {
            match who() {
                Some(p) if !link.session_token().is_empty() => break p,
                _ => tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                },
            }
        };
        match seed_if_empty(&link, &store, person).await {
            Ok(true) => seeded(),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!("simulation not started: {e}");
                return;
            }
        }
        let opts = SimOptions {
            server: link.base_url().to_owned(),
            admin_token: Some(link.session_token()),
            hall_id: link.hall_id().to_owned(),
            windows: DEMO_WINDOWS,
            speed: self.speed,
            state_file: Some(self.state_file.clone()),
            ..SimOptions::default()
        };
        while !cancel.is_cancelled() {
            match hallkeeper_sim::run_day(opts.clone(), cancel.clone()).await {
                Ok(report) => tracing::info!(?report.stop, "simulated day over; starting another"),
                Err(e) => {
                    tracing::warn!("simulation stopped: {e}");
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        _ = tokio::time::sleep(Duration::from_secs(10)) => {}
                    }
                }
            }
        }
    }
}

/// Ok(true) when the store was empty and now holds the demo hall.
async fn seed_if_empty(
    link: &ServerLink,
    store: &Arc<Store>,
    person: hallkeeper_core::access::Person,
) -> Result<bool, String> {
    let s = store.clone();
    let empty = tokio::task::spawn_blocking(move || s.is_empty_hall()).await.map_err(|e| e.to_string())?;
    let empty = empty.map_err(|e| e.to_string())?;
    if empty {
        let matters = hallkeeper_sim::model::read_catalog(None).map_err(|e| e.to_string())?;
        let now = store.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let config =
            hallkeeper_sim::model::hall_config(&matters, DEMO_WINDOWS, &now).map_err(|e| e.to_string())?;
        let s = store.clone();
        tokio::task::spawn_blocking(move || s.seed_hall(&person, &config))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        tracing::info!(windows = DEMO_WINDOWS, "empty store seeded with the demo hall");
    }
    // The simulator must find the hall configured: send it now rather than wait for the pusher.
    let s = store.clone();
    let config = tokio::task::spawn_blocking(move || s.hall_config(default_settings()))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    link.push_config(&config).await.map_err(|e| e.to_string())?;
    Ok(empty)
}
