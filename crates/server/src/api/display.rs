//! 大屏: the hall display's feed — each window's current number and queue, the latest calls.

use crate::api::params::{DeviceAs, Display};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use hallkeeper_proto::{DisplayFeed, DisplayWindow};
use hallkeeper_queue::window_totals;
use std::sync::Arc;

pub async fn feed(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Display>,
) -> Result<Json<DisplayFeed>, ApiError> {
    let feed = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| {
            let totals = window_totals(&rt.queue);
            let mut windows: Vec<_> = rt.config.windows.iter().collect();
            windows.sort_by_key(|w| w.position);
            let windows = windows
                .into_iter()
                .map(|w| {
                    let t = totals.iter().find(|t| t.window_id == w.id);
                    DisplayWindow {
                        window_id: w.id.clone(),
                        number: w.number.clone(),
                        name: w.name.clone(),
                        state: w.state,
                        current: rt.queue.current(&w.id).map(|t| t.number.clone()),
                        waiting: t.map_or(0, |t| t.callable),
                    }
                })
                .collect();
            Ok(DisplayFeed {
                hall_name: rt.hall.name.clone(),
                windows,
                recent_calls: rt.recent_calls.iter().cloned().collect(),
                waiting: rt.queue.waiting().count() as u32,
            })
        })
        .await?;
    Ok(Json(feed))
}
