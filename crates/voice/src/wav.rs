//! The little of RIFF/WAVE a clip pack needs: 16-bit mono PCM in, 16-bit mono PCM out.
//!
//! Written here rather than taken from a crate because the format is this small and the
//! refusals must name the clip file (a hall records its own pack with whatever editor it has).

use crate::error::VoiceError;

/// 16-bit mono PCM samples at one rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wav {
    pub sample_rate: u32,
    pub samples: Vec<i16>,
}

impl Wav {
    pub fn duration_secs(&self) -> f64 {
        if self.sample_rate == 0 {
            return 0.0;
        }
        self.samples.len() as f64 / f64::from(self.sample_rate)
    }
}

const FORMAT_PCM: u16 = 1;
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// Parses a WAV file's bytes; `file` names it in the errors. Accepts plain PCM and
/// WAVE_FORMAT_EXTENSIBLE with the PCM sub-format (what some editors write), skips chunks it
/// does not need (LIST, fact, …) and refuses anything but 16-bit mono.
pub fn parse(bytes: &[u8], file: &str) -> Result<Wav, VoiceError> {
    let not_wav =
        |reason: &str| VoiceError::ClipNotWav { file: file.to_string(), reason: reason.to_string() };
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(not_wav("no RIFF/WAVE header"));
    }
    let mut format: Option<(u16, u16, u32, u16)> = None;
    let mut pos = 12usize;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32_at(bytes, pos + 4) as usize;
        let body_start = pos + 8;
        let body_end = body_start.checked_add(size).ok_or_else(|| not_wav("chunk size overflows"))?;
        if id == b"fmt " {
            if size < 16 || body_end > bytes.len() {
                return Err(not_wav("fmt chunk is truncated"));
            }
            let body = &bytes[body_start..body_end];
            let mut tag = u16_at(body, 0);
            if tag == FORMAT_EXTENSIBLE {
                // The sub-format GUID's first two bytes are the actual format tag.
                if body.len() < 26 {
                    return Err(not_wav("extensible fmt chunk is truncated"));
                }
                tag = u16_at(body, 24);
            }
            format = Some((tag, u16_at(body, 2), u32_at(body, 4), u16_at(body, 14)));
        } else if id == b"data" {
            let (tag, channels, rate, bits) =
                format.ok_or_else(|| not_wav("data chunk before the fmt chunk"))?;
            if tag != FORMAT_PCM || channels != 1 || bits != 16 {
                let kind = if tag == FORMAT_PCM { "PCM".to_string() } else { format!("format tag {tag}") };
                return Err(VoiceError::ClipFormat {
                    file: file.to_string(),
                    found: format!("{kind}, {bits}-bit, {channels} channel(s)"),
                });
            }
            if rate == 0 {
                return Err(not_wav("sample rate 0"));
            }
            if body_end > bytes.len() {
                return Err(not_wav("data chunk is truncated"));
            }
            let samples = bytes[body_start..body_end]
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect();
            return Ok(Wav { sample_rate: rate, samples });
        }
        // Chunks are padded to an even length.
        pos = body_end.saturating_add(size & 1);
    }
    Err(not_wav("no data chunk"))
}

/// A canonical 44-byte-header WAV file of the samples.
pub fn write(wav: &Wav) -> Vec<u8> {
    let data_len = (wav.samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&FORMAT_PCM.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&wav.sample_rate.to_le_bytes());
    out.extend_from_slice(&(wav.sample_rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in &wav.samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2).map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
        let mut b = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * u32::from(channels) * u32::from(bits / 8)).to_le_bytes());
        b.extend_from_slice(&(channels * bits / 8).to_le_bytes());
        b.extend_from_slice(&bits.to_le_bytes());
        b
    }

    #[test]
    fn round_trips_and_skips_unknown_chunks() {
        let wav = Wav { sample_rate: 22050, samples: vec![0, 1, -1, i16::MAX, i16::MIN] };
        assert_eq!(parse(&write(&wav), "x.wav").unwrap(), wav);

        let mut b = header(1, 1, 16000, 16);
        b.extend_from_slice(b"LIST");
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(b"abc\0"); // odd size, padded
        b.extend_from_slice(b"data");
        b.extend_from_slice(&4u32.to_le_bytes());
        b.extend_from_slice(&[1, 0, 2, 0]);
        assert_eq!(parse(&b, "x.wav").unwrap(), Wav { sample_rate: 16000, samples: vec![1, 2] });
    }

    #[test]
    fn refuses_what_is_not_16_bit_mono_pcm_naming_the_file() {
        for (tag, channels, bits, found) in [
            (1, 2, 16, "PCM, 16-bit, 2 channel(s)"),
            (1, 1, 24, "PCM, 24-bit, 1 channel(s)"),
            (3, 1, 32, "format tag 3, 32-bit, 1 channel(s)"),
        ] {
            let mut b = header(tag, channels, 44100, bits);
            b.extend_from_slice(b"data\0\0\0\0");
            let err = parse(&b, "digit-3.wav").unwrap_err();
            assert_eq!(err, VoiceError::ClipFormat { file: "digit-3.wav".into(), found: found.into() });
        }
        let err = parse(b"ID3\x03 not a wav", "qing.wav").unwrap_err();
        assert_eq!((err.code(), err.file()), ("voice.clip_not_wav", Some("qing.wav")));
        let mut truncated = header(1, 1, 16000, 16);
        truncated.extend_from_slice(b"data");
        truncated.extend_from_slice(&100u32.to_le_bytes());
        truncated.extend_from_slice(&[0; 10]);
        assert!(parse(&truncated, "hao.wav").unwrap_err().to_string().contains("truncated"));
    }
}
