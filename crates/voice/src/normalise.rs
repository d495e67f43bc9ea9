//! Reading a call aloud: which clips, in which order.
//!
//! `A012` at window `3` is read 请 A 零 一 二 号 到 三 号窗口办理: a ticket's digits one by one
//! (a ticket is a code, and 零十二 would be heard as twelve), a window's digits as a number (the
//! counter says 12, people hear 十二). A recall opens each sentence with 重呼, as JackQChen's
//! announcer does; the repeat count repeats the whole sentence, the chime plays once.

use crate::clip::Clip;
use crate::error::VoiceError;

/// A ticket number longer than this is not a ticket Hallkeeper prints (prefix + at least three
/// digits); reading it would take longer than a call should.
pub const TICKET_MAX_CHARS: usize = 12;
/// The same limit as a window number in the hall's configuration (`core::windows`).
pub const WINDOW_MAX_CHARS: usize = 8;
/// A run of digits in a window number is read as a number up to 9999 (千); a longer run is not
/// a window number anyone would say.
pub const NUMBER_MAX_DIGITS: usize = 4;
pub const REPEAT_MIN: u32 = 1;
pub const REPEAT_MAX: u32 = 3;

/// One call as the display receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// As printed on the ticket, e.g. `A012`; letters and digits (case does not matter).
    pub ticket: String,
    /// The window's number as printed on the counter, e.g. `3`, `12`, `A03`, `B-2`.
    pub window: String,
    /// A recall (重呼) rather than a first call.
    pub recall: bool,
    /// How many times the sentence is spoken, 1–3.
    pub repeat: u32,
}

impl Call {
    /// A first call spoken once.
    pub fn new(ticket: impl Into<String>, window: impl Into<String>) -> Self {
        Call { ticket: ticket.into(), window: window.into(), recall: false, repeat: 1 }
    }
}

/// The ordered clips of a call: the chime, then the sentence `repeat` times.
pub fn normalise(call: &Call) -> Result<Vec<Clip>, VoiceError> {
    if !(REPEAT_MIN..=REPEAT_MAX).contains(&call.repeat) {
        return Err(VoiceError::RepeatOutOfRange { repeat: call.repeat, min: REPEAT_MIN, max: REPEAT_MAX });
    }
    let ticket = read_ticket(&call.ticket)?;
    let window = read_window(&call.window)?;
    let mut sentence = Vec::with_capacity(ticket.len() + window.len() + 5);
    if call.recall {
        sentence.push(Clip::Chonghu);
    }
    sentence.push(Clip::Qing);
    sentence.extend_from_slice(&ticket);
    sentence.push(Clip::Hao);
    sentence.push(Clip::Dao);
    sentence.extend_from_slice(&window);
    sentence.push(Clip::HaoChuangkouBanli);

    let mut clips = Vec::with_capacity(1 + sentence.len() * call.repeat as usize);
    clips.push(Clip::Chime);
    for _ in 0..call.repeat {
        clips.extend_from_slice(&sentence);
    }
    Ok(clips)
}

/// A ticket number read character by character: letters by name, digits one by one.
pub fn read_ticket(raw: &str) -> Result<Vec<Clip>, VoiceError> {
    let value = checked(raw, "ticket", TICKET_MAX_CHARS, |c| c.is_ascii_alphanumeric())?;
    Ok(value.chars().filter_map(char_clip).collect())
}

/// A window number: letters by name, a hyphen as 杠, each run of digits as a number (`12` →
/// 十二, `A03` → A 三, `105` → 一百零五).
pub fn read_window(raw: &str) -> Result<Vec<Clip>, VoiceError> {
    let value = checked(raw, "window", WINDOW_MAX_CHARS, |c| c.is_ascii_alphanumeric() || c == '-')?;
    let mut clips = Vec::new();
    let mut chars = value.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c == '-' {
            clips.push(Clip::Gang);
            continue;
        }
        if !c.is_ascii_digit() {
            // `checked` admitted only letters, digits and '-' here, so this is a letter.
            clips.extend(char_clip(c));
            continue;
        }
        let mut end = start + 1;
        while let Some(&(i, d)) = chars.peek() {
            if !d.is_ascii_digit() {
                break;
            }
            end = i + 1;
            chars.next();
        }
        let digits = &value[start..end];
        // Leading zeros are how a counter is printed (`03`), not how it is said.
        let significant = digits.trim_start_matches('0');
        if significant.len() > NUMBER_MAX_DIGITS {
            return Err(VoiceError::NumberTooLong {
                field: "window",
                value: value.clone(),
                digits: digits.to_string(),
                max: NUMBER_MAX_DIGITS,
            });
        }
        let n = significant.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
        read_number(n, &mut clips);
    }
    Ok(clips)
}

/// A number 0–9999 the way it is said: 十二 (not 一十二), 二十, 一百零五, 一千零一十.
pub fn read_number(n: u32, out: &mut Vec<Clip>) {
    debug_assert!(n <= 9999, "read_window bounds the digits");
    if n == 0 {
        out.push(Clip::Digit(0));
        return;
    }
    let digits = [n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10];
    let units = [Some(Clip::Qian), Some(Clip::Bai), Some(Clip::Shi), None];
    let mut started = false;
    let mut zero_pending = false;
    for (i, (&d, unit)) in digits.iter().zip(units).enumerate() {
        if d == 0 {
            // One 零 stands for any run of inner zeros, and none is said at the end (一百, 一千).
            zero_pending |= started;
            continue;
        }
        if zero_pending {
            out.push(Clip::Digit(0));
            zero_pending = false;
        }
        // 10–19 open with 十, not 一十.
        let leading_ten = i == 2 && d == 1 && !started;
        if !leading_ten {
            out.push(Clip::Digit(d as u8));
        }
        out.extend(unit);
        started = true;
    }
}

fn char_clip(c: char) -> Option<Clip> {
    if let Some(d) = c.to_digit(10) {
        Some(Clip::Digit(d as u8))
    } else if c.is_ascii_uppercase() {
        Some(Clip::Letter(c))
    } else {
        None
    }
}

/// Trimmed, upper-cased and checked against the field's length and characters.
fn checked(
    raw: &str,
    field: &'static str,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<String, VoiceError> {
    let value = raw.trim().to_ascii_uppercase();
    if value.is_empty() {
        return Err(VoiceError::Empty { field });
    }
    let len = value.chars().count();
    if len > max {
        return Err(VoiceError::TooLong { field, value, len, max });
    }
    if let Some((position, ch)) = value.chars().enumerate().find(|&(_, c)| !allowed(c)) {
        return Err(VoiceError::InvalidChar { field, value, ch, position });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clip::spoken_text;

    fn said(call: &Call) -> String {
        spoken_text(&normalise(call).expect("readable call"))
    }

    fn number(n: u32) -> String {
        let mut clips = Vec::new();
        read_number(n, &mut clips);
        spoken_text(&clips)
    }

    #[test]
    fn the_issue_s_example_reads_ticket_digits_one_by_one() {
        assert_eq!(said(&Call::new("A012", "3")), "♪请A零一二号到三号窗口办理");
    }

    #[test]
    fn window_numbers_are_read_as_numbers() {
        let cases = [
            (0, "零"),
            (1, "一"),
            (3, "三"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (21, "二十一"),
            (99, "九十九"),
            (100, "一百"),
            (101, "一百零一"),
            (105, "一百零五"),
            (110, "一百一十"),
            (115, "一百一十五"),
            (200, "二百"),
            (999, "九百九十九"),
            (1000, "一千"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (1100, "一千一百"),
            (2019, "二千零一十九"),
            (9999, "九千九百九十九"),
        ];
        for (n, text) in cases {
            assert_eq!(number(n), text, "{n}");
        }
        assert_eq!(said(&Call::new("A012", "12")), "♪请A零一二号到十二号窗口办理");
        assert_eq!(said(&Call::new("B100", "105")), "♪请B一零零号到一百零五号窗口办理");
    }

    #[test]
    fn a_window_with_letters_leading_zeros_or_a_hyphen() {
        assert_eq!(spoken_text(&read_window("A03").unwrap()), "A三");
        assert_eq!(spoken_text(&read_window("007").unwrap()), "七");
        assert_eq!(spoken_text(&read_window("00").unwrap()), "零");
        assert_eq!(spoken_text(&read_window("b-12").unwrap()), "B杠十二");
        assert_eq!(spoken_text(&read_window("2a").unwrap()), "二A");
    }

    #[test]
    fn tickets_are_case_and_space_insensitive() {
        assert_eq!(read_ticket(" a012 ").unwrap(), read_ticket("A012").unwrap());
        assert_eq!(spoken_text(&read_ticket("AB1000").unwrap()), "AB一零零零");
    }

    #[test]
    fn a_recall_opens_each_sentence_with_chonghu() {
        let call = Call { recall: true, ..Call::new("A012", "3") };
        assert_eq!(said(&call), "♪重呼请A零一二号到三号窗口办理");
        let twice = Call { repeat: 2, ..call };
        assert_eq!(said(&twice), "♪重呼请A零一二号到三号窗口办理重呼请A零一二号到三号窗口办理");
    }

    #[test]
    fn the_repeat_count_repeats_the_sentence_and_not_the_chime() {
        let clips = normalise(&Call { repeat: 3, ..Call::new("C7", "8") }).unwrap();
        assert_eq!(clips.iter().filter(|c| **c == Clip::Chime).count(), 1);
        assert_eq!(spoken_text(&clips), format!("♪{}", "请C七号到八号窗口办理".repeat(3)));
    }

    #[test]
    fn refusals_name_the_field() {
        let cases: [(Call, &str, &str); 9] = [
            (Call::new("", "3"), "voice.empty", "ticket"),
            (Call::new("A012", "  "), "voice.empty", "window"),
            (Call::new("A0123456789012", "3"), "voice.too_long", "ticket"),
            (Call::new("A012", "123456789"), "voice.too_long", "window"),
            (Call::new("A-012", "3"), "voice.invalid_char", "ticket"),
            (Call::new("A01２", "3"), "voice.invalid_char", "ticket"),
            (Call::new("A012", "3号"), "voice.invalid_char", "window"),
            (Call::new("A012", "12345"), "voice.number_too_long", "window"),
            (Call { repeat: 0, ..Call::new("A012", "3") }, "voice.repeat_out_of_range", "repeat"),
        ];
        for (call, code, field) in cases {
            let err = normalise(&call).expect_err(&format!("{call:?} is refused"));
            assert_eq!((err.code(), err.field()), (code, Some(field)), "{call:?}: {err}");
        }
        let err = normalise(&Call { repeat: 4, ..Call::new("A012", "3") }).unwrap_err();
        assert_eq!(err.to_string(), "repeat must be 1 to 3, got 4");
        let err = normalise(&Call::new("A_12", "3")).unwrap_err();
        assert_eq!(err.to_string(), "ticket \"A_12\": cannot read '_' (char 1)");
    }

    #[test]
    fn zeros_padding_a_window_do_not_count_against_its_digits() {
        assert_eq!(spoken_text(&read_window("00012").unwrap()), "十二");
    }
}
