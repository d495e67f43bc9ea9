//! Who sits where today, read from what the desktops sync: `seat` rows keyed
//! `{YYYY-MM-DD}/{windowId}` (the hall day) holding a `staffId`, and `staff` rows keyed by the
//! staff id. The window terminal's sign-in checks it and the rating pad shows its person; both
//! read it here so the key and the field names are written once.

use crate::storage::{Storage, StorageResult};
use chrono::NaiveDate;

/// The seat row's key for a window on a hall day.
pub fn seat_key(day: NaiveDate, window_id: &str) -> String {
    format!("{}/{window_id}", day.format("%Y-%m-%d"))
}

/// The staff id seated at the window on the hall day (a live seat row), if any.
pub async fn seated_staff_id(
    storage: &dyn Storage,
    hall_id: &str,
    day: NaiveDate,
    window_id: &str,
) -> StorageResult<Option<String>> {
    let seat = storage.sync_row_fields(hall_id, "seat", &seat_key(day, window_id)).await?;
    Ok(seat.and_then(|f| f.get("staffId").and_then(|v| v.as_str()).map(str::to_owned)))
}

/// The live staff row's fields for this staff id, if any.
pub async fn staff_fields(
    storage: &dyn Storage,
    hall_id: &str,
    staff_id: &str,
) -> StorageResult<Option<serde_json::Map<String, serde_json::Value>>> {
    storage.sync_row_fields(hall_id, "staff", staff_id).await
}
