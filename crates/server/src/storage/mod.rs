//! Where the server keeps its records, behind one trait with two implementations: SQLite (the
//! embedded default, one file) and PostgreSQL (a city's or province's halls). Both pass the same
//! behaviour suite (`tests/storage.rs`) and the same HTTP tests.
//!
//! The queue itself is event-sourced: storage appends ticket events and hands a hall's events of
//! a day back for replay; it never interprets them.

pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{Device, Hall, HallConfig, Rating, TicketEvent};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A uniqueness rule said no (a second rating for a ticket, a hall id taken…).
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("storage schema version {found} is newer than this server supports ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("storage failed: {0}")]
    Backend(String),
}

pub type StorageResult<T> = Result<T, StorageError>;

/// A device as stored: the public record and the hash of its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub device: Device,
    pub token_hash: String,
}

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Brings the schema up to date (numbered migrations, each in its own transaction).
    async fn migrate(&self) -> StorageResult<()>;

    async fn create_hall(&self, hall: &Hall) -> StorageResult<()>;
    async fn hall(&self, id: &str) -> StorageResult<Option<Hall>>;
    async fn halls(&self) -> StorageResult<Vec<Hall>>;

    /// Replaces the hall's configuration (windows, catalog, bindings, queue rules).
    async fn put_config(&self, hall_id: &str, config: &HallConfig, at: DateTime<Utc>) -> StorageResult<()>;
    async fn config(&self, hall_id: &str) -> StorageResult<Option<HallConfig>>;

    async fn add_device(&self, device: &DeviceRecord) -> StorageResult<()>;
    /// Only devices not revoked.
    async fn device_by_token_hash(&self, token_hash: &str) -> StorageResult<Option<Device>>;
    async fn devices(&self, hall_id: &str) -> StorageResult<Vec<Device>>;
    /// Returns false when there was no such live device.
    async fn revoke_device(&self, hall_id: &str, device_id: &str, at: DateTime<Utc>) -> StorageResult<bool>;

    /// Appends one event to the hall's log; `day` is the hall day of the ticket it belongs to.
    async fn append_event(&self, hall_id: &str, day: NaiveDate, event: &TicketEvent) -> StorageResult<()>;
    /// A day's events of a hall, in the order they were appended.
    async fn events(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<TicketEvent>>;

    /// Stores a rating; `Conflict` if the ticket already has one.
    async fn add_rating(&self, rating: &Rating) -> StorageResult<()>;
    async fn ratings(&self, hall_id: &str, since: DateTime<Utc>) -> StorageResult<Vec<Rating>>;
}
