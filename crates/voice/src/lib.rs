//! Spoken calls for the hall: "请A012号到3号窗口办理" in Mandarin, offline.
//!
//! Three pure steps: [`normalise`] reads a [`Call`] as an ordered list of [`Clip`]s (ticket
//! digits one by one, window numbers as numbers, 重呼 on a recall, the sentence repeated);
//! a [`Pack`] holds one trimmed recording per clip (the built-in espeak-ng pack or a folder a
//! hall recorded); [`join`] lays the clips end to end so that no silence exceeds 150 ms, and
//! [`wav`] writes the result as one WAV file. docs/voice.md describes the whole contract.

pub mod clip;
pub mod error;
pub mod join;
pub mod normalise;
pub mod pack;
pub mod wav;

pub use clip::{spoken_text, Clip};
pub use error::VoiceError;
pub use normalise::{normalise, Call};
pub use pack::Pack;
pub use wav::Wav;
