//! SMS reminders for Hallkeeper (短信提醒): the part that needs no database.
//!
//! - [`template`] and [`segments`]: what the supervisor writes and what it costs;
//! - [`rules`] and [`budget`]: when reminders go out, and whether the providers will let them;
//! - [`phone`] and [`cipher`]: citizens' numbers, validated, masked in every log line, sealed at rest;
//! - [`provider`]: Alibaba Cloud and Tencent Cloud adapters and a log-only provider;
//! - `imitation` (feature `imitation`): local stand-ins for both providers' HTTP APIs.
//!
//! `cipher` and `provider` (HTTP, crypto) are behind the default feature `providers`; without it
//! the crate is the pure part only, which the desktop's core uses to validate rule sets.
//!
//! The server's outbox and the desktop's editor are built on these; nothing here does I/O except
//! the providers.

pub mod budget;
#[cfg(feature = "providers")]
pub mod cipher;
pub mod error;
#[cfg(feature = "imitation")]
pub mod imitation;
pub mod phone;
#[cfg(feature = "providers")]
pub mod provider;
pub mod provider_error;
mod redact;
pub mod rules;
pub mod segments;
pub mod template;

#[cfg(feature = "providers")]
pub use cipher::PhoneCipher;
pub use error::SmsError;
pub use phone::Phone;
#[cfg(feature = "providers")]
pub use provider::{OutgoingSms, ProviderReceipt, SmsProvider};
pub use provider_error::ProviderError;
pub use rules::{RuleExt, RuleSetExt, TriggerExt};
pub use segments::SegmentCount;
pub use template::{Placeholder, Template, TemplateValues};
