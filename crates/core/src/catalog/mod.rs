//! The matter catalog (事项目录) and its import from a provincial export.
//!
//! An import runs in three pure steps — read the file into a [`table::Table`], turn its rows
//! into matters with a [`ColumnMapping`](hallkeeper_proto::ColumnMapping) ([`rows`]), and compare
//! them with the hall's catalog ([`diff`]) — so the preview a person confirms is exactly what the
//! store then applies in one transaction (`store/catalog.rs`).

pub mod diff;
pub mod mapping;
pub mod rows;
pub mod table;

/// Files larger than this are refused before they are read: a provincial catalog of 10,000
/// matters is about 2 MB as CSV, so this leaves room for any real export.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
