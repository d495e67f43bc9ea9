//! Clip packs: the default one built into the binary, or a folder a hall records itself.
//!
//! A pack folder holds one WAV file per [`Clip`], named [`Clip::file_name`] (`chime.wav`,
//! `qing.wav`, `digit-0.wav` … `letter-Z.wav`; docs/voice.md lists them), all 16-bit mono PCM
//! at one sample rate. Other files in the folder are ignored.

use std::collections::HashMap;
use std::path::Path;

use crate::clip::Clip;
use crate::error::VoiceError;
use crate::join::{self, PHRASE_PAUSE_MS, WORD_PAUSE_MS};
use crate::normalise::{normalise, Call};
use crate::wav::{self, Wav};

/// The environment variable naming a pack folder that replaces the built-in pack.
pub const PACK_ENV: &str = "HALLKEEPER_VOICE_PACK";
/// A clip longer than this after trimming is a wrong file (a whole recording session), not a
/// word.
pub const CLIP_MAX_SECONDS: u32 = 10;

macro_rules! embedded {
    ($($stem:literal,)*) => {
        &[$(($stem, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/voice/cmn/", $stem, ".wav")) as &[u8]),)*]
    };
}

/// The default pack (scripts/make-voice-pack.sh, espeak-ng `cmn-latn-pinyin` and sox), built in
/// so that the server speaks without any files installed next to it.
static EMBEDDED: &[(&str, &[u8])] = embedded!(
    "chime",
    "qing",
    "hao",
    "dao",
    "hao-chuangkou-banli",
    "chonghu",
    "shi",
    "bai",
    "qian",
    "gang",
    "digit-0",
    "digit-1",
    "digit-2",
    "digit-3",
    "digit-4",
    "digit-5",
    "digit-6",
    "digit-7",
    "digit-8",
    "digit-9",
    "letter-A",
    "letter-B",
    "letter-C",
    "letter-D",
    "letter-E",
    "letter-F",
    "letter-G",
    "letter-H",
    "letter-I",
    "letter-J",
    "letter-K",
    "letter-L",
    "letter-M",
    "letter-N",
    "letter-O",
    "letter-P",
    "letter-Q",
    "letter-R",
    "letter-S",
    "letter-T",
    "letter-U",
    "letter-V",
    "letter-W",
    "letter-X",
    "letter-Y",
    "letter-Z",
);

/// A loaded, validated pack, its clips trimmed and ready to join.
#[derive(Debug, Clone)]
pub struct Pack {
    sample_rate: u32,
    clips: HashMap<Clip, Vec<i16>>,
    source: String,
}

impl Pack {
    /// The built-in pack.
    pub fn embedded() -> Result<Pack, VoiceError> {
        let files: HashMap<&str, &[u8]> = EMBEDDED.iter().copied().collect();
        let file_of = |clip: Clip| format!("built-in pack/{}", clip.file_name());
        Pack::build("built-in pack", file_of, |clip| {
            let stem = clip.stem();
            files
                .get(stem.as_str())
                .map(|b| b.to_vec())
                .ok_or_else(|| VoiceError::ClipMissing { clip: stem.clone(), path: file_of(clip) })
        })
    }

    /// A pack folder; every clip must be there.
    pub fn from_dir(dir: &Path) -> Result<Pack, VoiceError> {
        let file_of = |clip: Clip| dir.join(clip.file_name()).display().to_string();
        Pack::build(&dir.display().to_string(), file_of, |clip| {
            let path = dir.join(clip.file_name());
            std::fs::read(&path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    VoiceError::ClipMissing { clip: clip.stem(), path: path.display().to_string() }
                } else {
                    VoiceError::ClipUnreadable { file: path.display().to_string(), reason: e.to_string() }
                }
            })
        })
    }

    /// The folder if one is given, else the built-in pack.
    pub fn load(dir: Option<&Path>) -> Result<Pack, VoiceError> {
        match dir {
            Some(dir) => Pack::from_dir(dir),
            None => Pack::embedded(),
        }
    }

    /// The folder named by `HALLKEEPER_VOICE_PACK` if it is set and not empty, else the built-in
    /// pack.
    pub fn from_env() -> Result<Pack, VoiceError> {
        let dir = std::env::var_os(PACK_ENV).filter(|v| !v.is_empty());
        Pack::load(dir.as_deref().map(Path::new))
    }

    /// `file_of` names a clip's file in errors; `read` gives its bytes.
    fn build(
        source: &str,
        file_of: impl Fn(Clip) -> String,
        mut read: impl FnMut(Clip) -> Result<Vec<u8>, VoiceError>,
    ) -> Result<Pack, VoiceError> {
        let mut clips = HashMap::new();
        let mut first: Option<(u32, String)> = None;
        for clip in Clip::all() {
            let bytes = read(clip)?;
            let file = file_of(clip);
            let wav = wav::parse(&bytes, &file)?;
            match &first {
                None => first = Some((wav.sample_rate, file.clone())),
                Some((rate, first_file)) if *rate != wav.sample_rate => {
                    return Err(VoiceError::ClipSampleRate {
                        file,
                        rate: wav.sample_rate,
                        pack_rate: *rate,
                        first_file: first_file.clone(),
                    });
                }
                Some(_) => {}
            }
            let ready = join::prepare(&wav.samples, wav.sample_rate);
            if ready.is_empty() {
                return Err(VoiceError::ClipSilent { file });
            }
            let millis = ready.len() as u64 * 1000 / u64::from(wav.sample_rate);
            if millis > u64::from(CLIP_MAX_SECONDS) * 1000 {
                return Err(VoiceError::ClipTooLong { file, millis, max_seconds: CLIP_MAX_SECONDS });
            }
            clips.insert(clip, ready);
        }
        let sample_rate = first.map_or(0, |(rate, _)| rate);
        Ok(Pack { sample_rate, clips, source: source.to_string() })
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Where the pack came from: a folder path or `built-in pack`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A clip's trimmed samples.
    pub fn clip(&self, clip: Clip) -> &[i16] {
        self.clips.get(&clip).map_or(&[], Vec::as_slice)
    }

    /// The clips joined, with the short pause between words and the longer one after a phrase.
    pub fn render(&self, clips: &[Clip]) -> Wav {
        let pieces: Vec<(&[i16], u32)> = clips
            .iter()
            .map(|&c| (self.clip(c), if c.ends_phrase() { PHRASE_PAUSE_MS } else { WORD_PAUSE_MS }))
            .collect();
        Wav { sample_rate: self.sample_rate, samples: join::join(&pieces, self.sample_rate) }
    }

    /// The announcement of a call as WAV file bytes.
    pub fn announce(&self, call: &Call) -> Result<Vec<u8>, VoiceError> {
        Ok(wav::write(&self.render(&normalise(call)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_pack_holds_every_clip_at_one_rate() {
        let pack = Pack::embedded().expect("the committed pack loads");
        assert_eq!(pack.sample_rate(), 22050);
        assert_eq!(EMBEDDED.len(), Clip::all().len());
        for clip in Clip::all() {
            let secs = pack.clip(clip).len() as f64 / 22050.0;
            assert!((0.15..=2.0).contains(&secs), "{clip}: {secs:.3} s");
        }
    }

    #[test]
    fn an_announcement_is_its_clips_and_pauses_end_to_end() {
        let pack = Pack::embedded().unwrap();
        let clips = normalise(&Call { recall: true, ..Call::new("A012", "12") }).unwrap();
        let rate = pack.sample_rate();
        let pause = |c: &Clip| if c.ends_phrase() { PHRASE_PAUSE_MS } else { WORD_PAUSE_MS };
        let expected: usize = clips.iter().map(|&c| pack.clip(c).len()).sum::<usize>()
            + clips[..clips.len() - 1].iter().map(|c| join::ms_to_samples(pause(c), rate)).sum::<usize>();
        assert_eq!(pack.render(&clips).samples.len(), expected);
    }
}
