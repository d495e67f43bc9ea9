//! Who sits where today, read from what the desktops sync: `seat` rows keyed
//! `{YYYY-MM-DD}/{windowId}` (the hall day) holding a `staffId`, and `staff` rows keyed by the
//! staff id. The window terminal's sign-in checks it and the rating pad shows its person; both
//! read it here so the key and the field names are written once.

use crate::storage::{Storage, StorageResult, SyncedRow};
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
    let key = seat_key(day, window_id);
    // The prefix read also answers longer keys (a window id that extends this one): exact only.
    Ok(storage
        .sync_rows(hall_id, "seat", &key)
        .await?
        .into_iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, fields)| fields.get("staffId").and_then(|v| v.as_str()).map(str::to_owned)))
}

/// The live staff row with this id, if any.
pub async fn staff_row(
    storage: &dyn Storage,
    hall_id: &str,
    staff_id: &str,
) -> StorageResult<Option<SyncedRow>> {
    Ok(storage.sync_rows(hall_id, "staff", staff_id).await?.into_iter().find(|(k, _)| k == staff_id))
}
