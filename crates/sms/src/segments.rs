//! How many billable SMS segments a reminder costs.
//!
//! Both providers publish the same rule for mainland (domestic) messages, and the hall pays per
//! segment, so the editor shows the count live:
//!
//! - length = characters of the signature **including the 【】 the platform adds** + characters of
//!   the body;
//! - every character counts 1 — Chinese, Latin letters, digits, punctuation in full or half width,
//!   spaces;
//! - ≤ 70 characters is one message; above that the message is split at 67 characters each.
//!
//! Sources (checked through the documentation corpus): Alibaba Cloud SMS "Message sending rules"
//! / "Billing overview" (help.aliyun.com/en/sms/user-guide/message-rules: "Simplified Chinese
//! characters, letters, numbers, and punctuation marks are all counted as one character …
//! 70 characters or less … one message … split … based on 67 characters per message", with the
//! worked example 160 → 67 + 67 + 26), and Tencent Cloud SMS "Billing Overview"
//! (tencentcloud.com/document/product/382/18052: "One Chinese character, letter, digit, punctuation
//! mark (both fullwidth and halfwidth forms), or space will be calculated as 1 character … 70
//! characters or less … one message; otherwise … 67"). Tencent's GSM-7 rule (160/153, extended
//! characters count 2) applies only to pure-English *global* SMS; a mainland message always carries
//! a 【签名】, so it is never pure GSM-7. Tencent's 2025 note that some emoji and rare characters
//! count 2 is also for global SMS; mainland reminders here count Unicode scalar values.

use serde::Serialize;

/// The longest message billed as one segment.
pub const SINGLE_SEGMENT_CHARS: usize = 70;
/// The size of each segment once a message is longer than [`SINGLE_SEGMENT_CHARS`]; the other
/// three characters carry the concatenation header.
pub const LONG_SEGMENT_CHARS: usize = 67;

/// A message's length as the providers bill it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentCount {
    pub chars: usize,
    pub segments: usize,
}

/// Counts a complete message text (signature already included).
pub fn count_text(full_text: &str) -> SegmentCount {
    let chars = full_text.chars().count();
    let segments = match chars {
        0 => 0,
        n if n <= SINGLE_SEGMENT_CHARS => 1,
        n => n.div_ceil(LONG_SEGMENT_CHARS),
    };
    SegmentCount { chars, segments }
}

/// The text the citizen's phone shows: the platform prefixes the signature in 【】.
pub fn signed_text(sign_name: &str, body: &str) -> String {
    format!("【{sign_name}】{body}")
}

/// Counts `body` sent under the signature `sign_name` (without brackets).
pub fn count(sign_name: &str, body: &str) -> SegmentCount {
    count_text(&signed_text(sign_name, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> String {
        "字".repeat(n)
    }

    #[test]
    fn hand_computed_boundaries() {
        assert_eq!(count_text(&text(70)), SegmentCount { chars: 70, segments: 1 });
        assert_eq!(count_text(&text(71)), SegmentCount { chars: 71, segments: 2 });
        assert_eq!(count_text(&text(134)), SegmentCount { chars: 134, segments: 2 });
        assert_eq!(count_text(&text(135)), SegmentCount { chars: 135, segments: 3 });
        // Alibaba's published example: 160 characters → 67 + 67 + 26.
        assert_eq!(count_text(&text(160)).segments, 3);
        assert_eq!(count_text("").segments, 0);
    }

    #[test]
    fn ascii_counts_one_like_chinese() {
        assert_eq!(count_text(&"a".repeat(70)).segments, 1);
        assert_eq!(count_text(&"a".repeat(71)).segments, 2);
    }

    #[test]
    fn signature_and_its_brackets_count() {
        // 【市民中心】 is 6 characters; 64 + 6 = 70 → 1, 65 + 6 = 71 → 2.
        assert_eq!(count("市民中心", &text(64)), SegmentCount { chars: 70, segments: 1 });
        assert_eq!(count("市民中心", &text(65)), SegmentCount { chars: 71, segments: 2 });
    }

    #[test]
    fn emoji_is_one_scalar_value() {
        assert_eq!(count_text("😀").chars, 1);
    }
}
