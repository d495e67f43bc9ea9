//! Properties that hand-picked cases could miss.

use hallkeeper_sms::segments::{count_text, LONG_SEGMENT_CHARS, SINGLE_SEGMENT_CHARS};
use hallkeeper_sms::{Phone, PhoneCipher, Template};
use proptest::prelude::*;

proptest! {
    #[test]
    fn segments_hold_the_text_and_no_more(text in "\\PC{0,400}") {
        let c = count_text(&text);
        prop_assert_eq!(c.chars, text.chars().count());
        if c.chars <= SINGLE_SEGMENT_CHARS {
            prop_assert_eq!(c.segments, usize::from(c.chars > 0));
        } else {
            prop_assert!(c.segments * LONG_SEGMENT_CHARS >= c.chars);
            prop_assert!((c.segments - 1) * LONG_SEGMENT_CHARS < c.chars);
        }
    }

    #[test]
    fn parse_never_panics_and_errors_point_inside(text in "\\PC{0,60}") {
        if let Err(e) = Template::parse(&text) {
            if let Some(p) = e.position() {
                prop_assert!(p < text.chars().count());
            }
        }
    }

    #[test]
    fn sealed_numbers_round_trip_and_mask(second in 3u8..=9, rest in "[0-9]{9}", key in any::<[u8; 32]>()) {
        let digits = format!("1{second}{rest}");
        let phone = Phone::parse(&digits).unwrap();
        let cipher = PhoneCipher::new(&key).unwrap();
        prop_assert_eq!(cipher.open(&cipher.seal(&phone).unwrap()).unwrap(), phone.clone());
        let shown = format!("{phone} {phone:?}");
        prop_assert!(!shown.contains(&digits));
    }
}
