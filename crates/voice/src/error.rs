//! The crate's one error type, with stable codes for the UI's message table and the server's
//! refusals.

/// Why a call could not be read or a clip pack could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoiceError {
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} {value:?} is {len} characters long, at most {max} can be read")]
    TooLong { field: &'static str, value: String, len: usize, max: usize },
    #[error("{field} {value:?}: cannot read {ch:?} (char {position})")]
    InvalidChar { field: &'static str, value: String, ch: char, position: usize },
    #[error(
        "{field} {value:?}: the number {digits} has more than {max} digits, too long to read as a number"
    )]
    NumberTooLong { field: &'static str, value: String, digits: String, max: usize },
    #[error("repeat must be {min} to {max}, got {repeat}")]
    RepeatOutOfRange { repeat: u32, min: u32, max: u32 },
    #[error("clip {clip} is missing: {path}")]
    ClipMissing { clip: String, path: String },
    #[error("clip file {file} could not be read: {reason}")]
    ClipUnreadable { file: String, reason: String },
    #[error("clip file {file} is not a usable WAV file: {reason}")]
    ClipNotWav { file: String, reason: String },
    #[error("clip file {file} is {found}; the pack needs 16-bit mono PCM")]
    ClipFormat { file: String, found: String },
    #[error("clip file {file} is sampled at {rate} Hz, the rest of the pack at {pack_rate} Hz (first seen in {first_file})")]
    ClipSampleRate { file: String, rate: u32, pack_rate: u32, first_file: String },
    #[error("clip file {file} is silent (no sample reaches the silence threshold)")]
    ClipSilent { file: String },
    #[error("clip file {file} is {millis} ms long, at most {max_seconds} s after trimming")]
    ClipTooLong { file: String, millis: u64, max_seconds: u32 },
}

impl VoiceError {
    /// The stable code, independent of the message's wording.
    pub fn code(&self) -> &'static str {
        match self {
            VoiceError::Empty { .. } => "voice.empty",
            VoiceError::TooLong { .. } => "voice.too_long",
            VoiceError::InvalidChar { .. } => "voice.invalid_char",
            VoiceError::NumberTooLong { .. } => "voice.number_too_long",
            VoiceError::RepeatOutOfRange { .. } => "voice.repeat_out_of_range",
            VoiceError::ClipMissing { .. } => "voice.clip_missing",
            VoiceError::ClipUnreadable { .. } => "voice.clip_unreadable",
            VoiceError::ClipNotWav { .. } => "voice.clip_not_wav",
            VoiceError::ClipFormat { .. } => "voice.clip_format",
            VoiceError::ClipSampleRate { .. } => "voice.clip_sample_rate",
            VoiceError::ClipSilent { .. } => "voice.clip_silent",
            VoiceError::ClipTooLong { .. } => "voice.clip_too_long",
        }
    }

    /// The call's field at fault (`ticket`, `window`, `repeat`), for an error about the call.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            VoiceError::Empty { field }
            | VoiceError::TooLong { field, .. }
            | VoiceError::InvalidChar { field, .. }
            | VoiceError::NumberTooLong { field, .. } => Some(field),
            VoiceError::RepeatOutOfRange { .. } => Some("repeat"),
            _ => None,
        }
    }

    /// The clip file at fault, for an error about the pack.
    pub fn file(&self) -> Option<&str> {
        match self {
            VoiceError::ClipMissing { path, .. } => Some(path),
            VoiceError::ClipUnreadable { file, .. }
            | VoiceError::ClipNotWav { file, .. }
            | VoiceError::ClipFormat { file, .. }
            | VoiceError::ClipSampleRate { file, .. }
            | VoiceError::ClipSilent { file }
            | VoiceError::ClipTooLong { file, .. } => Some(file),
            _ => None,
        }
    }
}
