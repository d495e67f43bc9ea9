//! Set-up of a hall through the admin API: the hall, its configuration from a catalog, and the
//! devices (kiosks, the display, a caller and a rating pad per window), whose tokens are kept in
//! the state file so that a restart reuses them.

use crate::client::Api;
use crate::error::{Result, SimError};
use crate::model::{hall_config, read_catalog};
use crate::state::{key, DeviceToken, HallDevices, StateFile};
use hallkeeper_proto::{Device, DeviceInput, DeviceKind, HallConfig, HallInput};
use std::collections::HashMap;
use std::path::PathBuf;

/// Which hall, built how.
#[derive(Debug, Clone)]
pub struct SetupOptions {
    /// The server's root URL.
    pub server: String,
    pub admin_token: String,
    pub hall_id: String,
    pub hall_name: String,
    /// Windows of a hall built from the catalog.
    pub windows: usize,
    /// A catalog export (CSV, XLSX, JSON); None for the built-in sample catalog.
    pub catalog: Option<PathBuf>,
    pub kiosks: usize,
    /// Where device tokens are kept between runs; None registers new devices every time.
    pub state_file: Option<PathBuf>,
}

impl SetupOptions {
    pub fn new(server: &str, admin_token: &str) -> Self {
        Self {
            server: server.to_owned(),
            admin_token: admin_token.to_owned(),
            hall_id: "hall-sim".into(),
            hall_name: "模拟政务服务中心".into(),
            windows: 20,
            catalog: None,
            kiosks: 1,
            state_file: None,
        }
    }
}

/// A hall ready to simulate.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub config: HallConfig,
    pub devices: HallDevices,
    pub created_hall: bool,
    pub pushed_config: bool,
    /// Devices registered now (0 when the state file had them all).
    pub registered: usize,
}

/// Creates the hall if it does not exist, pushes the configuration built from the catalog, and
/// registers the devices the state file does not already hold.
pub async fn setup(api: &Api, opts: &SetupOptions) -> Result<Prepared> {
    prepare(api, opts, true).await
}

/// What a run needs: with `force`, or when the hall does not exist or has no configuration, a
/// full [`setup`]; otherwise the hall's own configuration (as the supervisor made it) is used as
/// it is. Devices are reused from the state file when they are still registered.
pub async fn prepare(api: &Api, opts: &SetupOptions, force: bool) -> Result<Prepared> {
    let admin = opts.admin_token.as_str();
    let exists = api.halls(admin).await?.iter().any(|h| h.id == opts.hall_id);
    let mut created_hall = false;
    if !exists {
        api.create_hall(admin, &HallInput { id: opts.hall_id.clone(), name: opts.hall_name.clone() }).await?;
        tracing::info!(hall = %opts.hall_id, "hall created");
        created_hall = true;
    }
    let current = if created_hall {
        None
    } else {
        match api.config(admin, &opts.hall_id).await {
            Ok(c) => Some(c),
            Err(e) if e.code() == Some("hall.not_configured") => None,
            Err(e) => return Err(e),
        }
    };
    let (config, pushed_config) = match current {
        Some(c) if !force => (c, false),
        _ => {
            let matters = read_catalog(opts.catalog.as_deref())?;
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let config = hall_config(&matters, opts.windows, &now)?;
            api.put_config(admin, &opts.hall_id, &config).await?;
            tracing::info!(
                hall = %opts.hall_id,
                windows = config.windows.len(),
                matters = config.matters.len(),
                bindings = config.bindings.len(),
                "configuration pushed"
            );
            (config, true)
        }
    };
    let (devices, registered) = ensure_devices(api, opts, &config).await?;
    Ok(Prepared { config, devices, created_hall, pushed_config, registered })
}

/// Reuses the state file's devices that are still registered (same kind and window), registers
/// the rest, and writes the file back.
async fn ensure_devices(api: &Api, opts: &SetupOptions, config: &HallConfig) -> Result<(HallDevices, usize)> {
    let admin = opts.admin_token.as_str();
    let mut file = match &opts.state_file {
        Some(p) => StateFile::load(p)?,
        None => StateFile::default(),
    };
    let slot = key(&opts.server, &opts.hall_id);
    let known = file.halls.get(&slot).cloned().unwrap_or_default();
    let live: HashMap<String, Device> = api
        .devices(admin, &opts.hall_id)
        .await?
        .into_iter()
        .filter(|d| d.revoked_at.is_none())
        .map(|d| (d.id.clone(), d))
        .collect();
    let usable = |t: &DeviceToken, kind: DeviceKind, window: Option<&str>| {
        live.get(&t.device_id).is_some_and(|d| d.kind == kind && d.window_id.as_deref() == window)
    };

    let mut out = HallDevices::default();
    let mut registered = 0;
    let result: Result<()> = async {
        let mut register =
            async |kind: DeviceKind, name: String, window: Option<&str>| -> Result<DeviceToken> {
                let input = DeviceInput { kind, name, window_id: window.map(str::to_owned) };
                let created = api.add_device(admin, &opts.hall_id, &input).await?;
                registered += 1;
                Ok(DeviceToken { device_id: created.device.id, token: created.token })
            };
        out.kiosks = known
            .kiosks
            .iter()
            .filter(|t| usable(t, DeviceKind::Kiosk, None))
            .take(opts.kiosks)
            .cloned()
            .collect();
        while out.kiosks.len() < opts.kiosks.max(1) {
            let n = out.kiosks.len() + 1;
            out.kiosks.push(register(DeviceKind::Kiosk, format!("取号机 {n}"), None).await?);
        }
        out.display = match known.display.as_ref().filter(|t| usable(t, DeviceKind::Display, None)) {
            Some(t) => Some(t.clone()),
            None => Some(register(DeviceKind::Display, "大厅显示屏".into(), None).await?),
        };
        for w in &config.windows {
            let id = w.id.as_str();
            let caller = match known.callers.get(id).filter(|t| usable(t, DeviceKind::Caller, Some(id))) {
                Some(t) => t.clone(),
                None => register(DeviceKind::Caller, format!("{} 叫号器", w.number), Some(id)).await?,
            };
            out.callers.insert(w.id.clone(), caller);
            let pad = match known.pads.get(id).filter(|t| usable(t, DeviceKind::RatingPad, Some(id))) {
                Some(t) => t.clone(),
                None => register(DeviceKind::RatingPad, format!("{} 评价器", w.number), Some(id)).await?,
            };
            out.pads.insert(w.id.clone(), pad);
        }
        Ok(())
    }
    .await;
    // Whatever was registered is kept, even when a later registration failed.
    if let Some(path) = &opts.state_file {
        let entry = if result.is_ok() {
            Some(out.clone())
        } else if registered > 0 {
            let mut partial = known.clone();
            if !out.kiosks.is_empty() {
                partial.kiosks = out.kiosks.clone();
            }
            partial.display = out.display.clone().or(known.display.clone());
            partial.callers.extend(out.callers.clone());
            partial.pads.extend(out.pads.clone());
            Some(partial)
        } else {
            None
        };
        if let Some(entry) = entry {
            file.halls.insert(slot, entry);
            file.save(path)?;
        }
    }
    result?;
    if registered > 0 {
        tracing::info!(hall = %opts.hall_id, registered, "devices registered");
    } else {
        tracing::info!(hall = %opts.hall_id, "devices reused from the state file");
    }
    Ok((out, registered))
}

/// The admin token, or why a run cannot start without one.
pub fn need_admin(token: Option<&str>, hall_id: &str) -> Result<String> {
    token
        .filter(|t| !t.trim().is_empty())
        .map(str::to_owned)
        .ok_or_else(|| SimError::AdminTokenNeeded(hall_id.to_owned()))
}
