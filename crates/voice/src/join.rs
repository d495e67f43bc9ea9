//! Joining clips into one announcement with no gap over [`MAX_GAP_MS`].
//!
//! A sample is *silent* when its magnitude is below [`SILENCE_THRESHOLD`]; a *gap* is a run of
//! silent samples between the first and the last sound. Each clip is trimmed to its first and
//! last sound and any silence inside it longer than [`MAX_INNER_SILENCE_MS`] is shortened (a
//! recorded clip may hold a breath), then the clips are laid end to end with a fixed pause
//! ([`WORD_PAUSE_MS`], or [`PHRASE_PAUSE_MS`] after the chime, 重呼 and the end of a sentence).
//! Because every trimmed clip starts and ends with a sound, the gaps of the result are exactly
//! the pauses and the shortened inner silences, so none exceeds 150 ms whatever the pack holds.

/// 1 % of full scale (−40 dBFS): quieter than speech ever is inside a word, louder than a
/// quiet recording's noise floor.
pub const SILENCE_THRESHOLD: i16 = 328;
/// The rule: no silence inside an announcement longer than this.
pub const MAX_GAP_MS: u32 = 150;
/// Between the words of a sentence.
pub const WORD_PAUSE_MS: u32 = 40;
/// After the chime, 重呼, and between repeated sentences: longer, still under the rule.
pub const PHRASE_PAUSE_MS: u32 = 120;
/// A silence inside one clip is shortened to this.
pub const MAX_INNER_SILENCE_MS: u32 = 100;

/// Samples for a duration at a rate.
pub fn ms_to_samples(ms: u32, sample_rate: u32) -> usize {
    (u64::from(ms) * u64::from(sample_rate) / 1000) as usize
}

fn loud(s: i16, threshold: i16) -> bool {
    s.unsigned_abs() >= threshold.unsigned_abs()
}

/// The samples from the first to the last sound; empty if there is none.
pub fn trim(samples: &[i16], threshold: i16) -> &[i16] {
    let Some(first) = samples.iter().position(|&s| loud(s, threshold)) else {
        return &[];
    };
    let last = samples.iter().rposition(|&s| loud(s, threshold)).unwrap_or(first);
    &samples[first..=last]
}

/// Shortens every run of silent samples longer than `max_len` to `max_len`, keeping the run's
/// start and end (where the sound fades out and in) and dropping its middle.
pub fn cap_silences(samples: &[i16], max_len: usize, threshold: i16) -> Vec<i16> {
    let mut out = Vec::with_capacity(samples.len());
    let mut i = 0;
    while i < samples.len() {
        if loud(samples[i], threshold) {
            out.push(samples[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < samples.len() && !loud(samples[i], threshold) {
            i += 1;
        }
        let run = &samples[start..i];
        if run.len() <= max_len {
            out.extend_from_slice(run);
        } else {
            let head = max_len / 2;
            out.extend_from_slice(&run[..head]);
            out.extend_from_slice(&run[run.len() - (max_len - head)..]);
        }
    }
    out
}

/// A clip made ready to join: trimmed, inner silences shortened. Empty if the clip is silent.
pub fn prepare(samples: &[i16], sample_rate: u32) -> Vec<i16> {
    let trimmed = trim(samples, SILENCE_THRESHOLD);
    cap_silences(trimmed, ms_to_samples(MAX_INNER_SILENCE_MS, sample_rate), SILENCE_THRESHOLD)
}

/// Lays prepared clips end to end, each followed by its pause (in ms; the last clip's is
/// ignored). Pauses are capped at [`MAX_GAP_MS`] so a caller cannot break the rule.
pub fn join(pieces: &[(&[i16], u32)], sample_rate: u32) -> Vec<i16> {
    let mut out = Vec::new();
    for (i, (samples, pause_ms)) in pieces.iter().enumerate() {
        out.extend_from_slice(samples);
        if i + 1 < pieces.len() {
            out.resize(out.len() + ms_to_samples((*pause_ms).min(MAX_GAP_MS), sample_rate), 0);
        }
    }
    out
}

/// The longest run of silent samples between the first and the last sound (0 if none).
pub fn longest_gap(samples: &[i16], threshold: i16) -> usize {
    let inner = trim(samples, threshold);
    let (mut longest, mut run) = (0, 0);
    for &s in inner {
        if loud(s, threshold) {
            run = 0;
        } else {
            run += 1;
            longest = longest.max(run);
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_to_the_first_and_last_sound() {
        assert_eq!(trim(&[0, 5, 400, 0, -500, 10, 0], SILENCE_THRESHOLD), &[400, 0, -500]);
        assert!(trim(&[0, 327, -327], SILENCE_THRESHOLD).is_empty());
        assert_eq!(trim(&[-328], SILENCE_THRESHOLD), &[-328]);
        assert_eq!(trim(&[i16::MIN], SILENCE_THRESHOLD), &[i16::MIN]);
    }

    #[test]
    fn caps_inner_silences_keeping_their_ends() {
        let s = [1000, 1, 2, 3, 4, 5, 6, 1000, 0, 1000];
        assert_eq!(cap_silences(&s, 4, SILENCE_THRESHOLD), vec![1000, 1, 2, 5, 6, 1000, 0, 1000]);
    }

    #[test]
    fn the_gaps_of_a_join_are_its_pauses() {
        let rate = 1000;
        let a = [1000i16; 50];
        let b = [-1000i16; 20];
        let joined = join(&[(&a, 40), (&b, 120), (&a, 999)], rate);
        assert_eq!(joined.len(), 50 + 40 + 20 + 120 + 50);
        assert_eq!(longest_gap(&joined, SILENCE_THRESHOLD), 120);
        // An oversized pause is capped at the rule.
        let joined = join(&[(&a, 400), (&b, 0)], rate);
        assert_eq!(longest_gap(&joined, SILENCE_THRESHOLD), 150);
    }

    #[test]
    fn a_breath_inside_a_recorded_clip_is_shortened() {
        let rate = 1000;
        let mut clip = vec![0i16; 30];
        clip.extend([2000; 100]);
        clip.extend([50; 400]);
        clip.extend([-2000; 100]);
        clip.extend([0; 30]);
        let ready = prepare(&clip, rate);
        assert_eq!(ready.len(), 100 + 100 + 100);
        assert_eq!(longest_gap(&ready, SILENCE_THRESHOLD), 100);
    }
}
