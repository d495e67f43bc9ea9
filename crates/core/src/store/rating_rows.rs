//! A rating row as the store keeps it (`ratings` table) and how it maps to a [`StoredRating`]:
//! the one reading of a rating that storing, the inbox and the report facts share.

use super::StoredRating;
use crate::error::Result;
use hallkeeper_proto::RatingLevel;
use rusqlite::{Connection, OptionalExtension};

pub(crate) const COLUMNS: &str =
    "id, seq, hall_day, ticket_id, ticket_number, window_id, matter_id, staff_id, level, reasons, comment, at";

pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRating> {
    let bad = |i: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
    };
    let level: String = r.get(8)?;
    let reasons: String = r.get(9)?;
    Ok(StoredRating {
        id: r.get(0)?,
        seq: r.get(1)?,
        hall_day: r.get(2)?,
        ticket_id: r.get(3)?,
        ticket_number: r.get(4)?,
        window_id: r.get(5)?,
        matter_id: r.get(6)?,
        staff_id: r.get(7)?,
        level: RatingLevel::parse(&level).ok_or_else(|| bad(8, format!("rating level {level:?}")))?,
        reasons: serde_json::from_str(&reasons).map_err(|e| bad(9, format!("rating reasons: {e}")))?,
        comment: r.get(10)?,
        at: r.get(11)?,
    })
}

/// One rating by id, inside a read or a write.
pub(crate) fn rating_in(c: &Connection, id: &str) -> Result<Option<StoredRating>> {
    Ok(c.prepare_cached(&format!("SELECT {COLUMNS} FROM ratings WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}
