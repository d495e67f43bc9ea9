//! Properties of the normaliser and the joiner over generated calls and clips.

use hallkeeper_voice::join::{self, MAX_GAP_MS, SILENCE_THRESHOLD};
use hallkeeper_voice::normalise::{read_number, read_ticket, read_window};
use hallkeeper_voice::{normalise, spoken_text, wav, Call, Clip, Wav};
use proptest::prelude::*;

/// Reads a Chinese numeral back (the inverse of `read_number` for 0–9999).
fn parse_number(text: &str) -> u32 {
    let (mut total, mut digit) = (0, None::<u32>);
    for c in text.chars() {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => {
                digit = Some("零一二三四五六七八九".chars().position(|d| d == c).expect("a digit") as u32);
                continue;
            }
        };
        total += digit.take().unwrap_or(1) * unit;
    }
    total + digit.unwrap_or(0)
}

proptest! {
    #[test]
    fn numbers_read_back_to_themselves(n in 0u32..=9999) {
        let mut clips = Vec::new();
        read_number(n, &mut clips);
        let text = spoken_text(&clips);
        prop_assert_eq!(parse_number(&text), n, "{}", text);
        prop_assert!(!text.contains("零零"), "{}", text);
        prop_assert!(n == 0 || !text.ends_with('零'), "{}", text);
        prop_assert!(!text.starts_with("一十"), "{}", text);
    }

    #[test]
    fn a_ticket_is_read_one_clip_per_character(ticket in "[A-Za-z0-9]{1,12}") {
        let clips = read_ticket(&ticket).unwrap();
        prop_assert_eq!(clips.len(), ticket.len());
        let upper = ticket.to_ascii_uppercase();
        for (clip, c) in clips.iter().zip(upper.chars()) {
            let expected = match c.to_digit(10) { Some(d) => Clip::Digit(d as u8), None => Clip::Letter(c) };
            prop_assert_eq!(*clip, expected);
        }
    }

    #[test]
    fn a_call_is_the_chime_then_the_same_sentence_repeated(
        ticket in "[A-Z]{0,2}[0-9]{1,4}", window in "[A-Z]?[0-9]{1,3}", recall: bool, repeat in 1u32..=3,
    ) {
        let clips = normalise(&Call { ticket: ticket.clone(), window: window.clone(), recall, repeat }).unwrap();
        let sentence = format!(
            "{}请{}号到{}号窗口办理",
            if recall { "重呼" } else { "" },
            spoken_text(&read_ticket(&ticket).unwrap()),
            spoken_text(&read_window(&window).unwrap()),
        );
        prop_assert_eq!(spoken_text(&clips), format!("♪{}", sentence.repeat(repeat as usize)));
    }

    #[test]
    fn unreadable_tickets_are_refused_at_the_ticket(ticket in "[A-Z0-9]{0,3}[^A-Za-z0-9 \t\n\r\u{b}\u{c}]{1,3}[A-Z0-9]{0,3}") {
        let err = normalise(&Call::new(ticket, "3")).unwrap_err();
        prop_assert_eq!(err.field(), Some("ticket"));
    }

    #[test]
    fn wav_files_round_trip(rate in 8000u32..96000, samples in prop::collection::vec(any::<i16>(), 0..2000)) {
        let w = Wav { sample_rate: rate, samples };
        prop_assert_eq!(wav::parse(&wav::write(&w), "x.wav").unwrap(), w);
    }
}

proptest! {
    // Fewer cases than the default: each builds several thousand-sample clips in a debug build.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn no_join_has_a_gap_over_the_rule(
        clips in prop::collection::vec(prop::collection::vec(prop_oneof![Just(0i16), -200i16..200, any::<i16>()], 0..4000), 1..8),
        pauses in prop::collection::vec(0u32..400, 8),
    ) {
        let rate = 8000;
        let ready: Vec<Vec<i16>> = clips.iter().map(|c| join::prepare(c, rate)).filter(|c| !c.is_empty()).collect();
        let pieces: Vec<(&[i16], u32)> = ready.iter().zip(&pauses).map(|(c, &p)| (c.as_slice(), p)).collect();
        let joined = join::join(&pieces, rate);
        let gap_ms = join::longest_gap(&joined, SILENCE_THRESHOLD) as u64 * 1000 / u64::from(rate);
        prop_assert!(gap_ms <= u64::from(MAX_GAP_MS), "{} ms", gap_ms);
        // Every sound of every clip survives: only silence is dropped.
        let sounds = |s: &[i16]| s.iter().filter(|x| x.unsigned_abs() >= SILENCE_THRESHOLD.unsigned_abs()).count();
        prop_assert_eq!(sounds(&joined), clips.iter().map(|c| sounds(c)).sum::<usize>());
    }

}
