//! A rating row as the store keeps it (`ratings` table) and how it maps to a [`StoredRating`]:
//! the one reading of a rating that storing, the inbox and the report facts share.

use super::columns::{conversion_error, parsed_column};
use super::StoredRating;
use crate::error::Result;
use hallkeeper_proto::RatingLevel;
use rusqlite::{Connection, OptionalExtension};

pub(crate) const COLUMNS: &str =
    "id, seq, hall_day, ticket_id, ticket_number, window_id, matter_id, staff_id, level, reasons, comment, at";

pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRating> {
    let reasons = |text: String| {
        serde_json::from_str(&text).map_err(|e| conversion_error(9, format!("rating reasons: {e}")))
    };
    Ok(from_columns!(r => StoredRating {
        id, seq, hall_day, ticket_id, ticket_number, window_id, matter_id, staff_id,
        level = parsed_column(r, 8, "rating level", RatingLevel::parse)?,
        reasons = reasons(r.get(9)?)?,
        comment, at,
    }))
}

/// One rating by id, inside a read or a write.
pub(crate) fn rating_in(c: &Connection, id: &str) -> Result<Option<StoredRating>> {
    Ok(c.prepare_cached(&format!("SELECT {COLUMNS} FROM ratings WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}
