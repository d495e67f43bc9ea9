//! Reminder templates: `请{ticket}号到{window}号窗口办理{matter}` and the like.
//!
//! The supervisor writes the text once; the hall fills it per ticket. The same template feeds
//! both providers, which want its values differently — Tencent as an ordered list (`{1}`, `{2}` in
//! the approved template), Alibaba as a JSON object keyed by variable name (`${ticket}`) — so the
//! parsed form keeps placeholders in order of first appearance.
//!
//! `{{` and `}}` write literal braces. Positions in errors are 0-based counts of characters
//! (Unicode scalar values), which is what a text field's cursor uses.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Result, SmsError};
use crate::segments::{self, SegmentCount};

/// A value the hall can put into a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placeholder {
    /// The ticket number, e.g. `A023`.
    Ticket,
    /// The window number the ticket is called to.
    Window,
    /// How many people are ahead.
    Ahead,
    /// Estimated wait in whole minutes.
    WaitMin,
    /// The matter's name.
    Matter,
    /// The hall's name.
    Hall,
}

impl Placeholder {
    pub const ALL: [Placeholder; 6] = [
        Placeholder::Ticket,
        Placeholder::Window,
        Placeholder::Ahead,
        Placeholder::WaitMin,
        Placeholder::Matter,
        Placeholder::Hall,
    ];

    /// The name written between the braces, and the variable name in an Alibaba template.
    pub fn as_str(self) -> &'static str {
        match self {
            Placeholder::Ticket => "ticket",
            Placeholder::Window => "window",
            Placeholder::Ahead => "ahead",
            Placeholder::WaitMin => "wait_min",
            Placeholder::Matter => "matter",
            Placeholder::Hall => "hall",
        }
    }

    pub fn from_name(name: &str) -> Option<Placeholder> {
        Placeholder::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}", self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Slot { placeholder: Placeholder, position: usize },
}

/// A parsed, valid template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

/// The values for one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateValues(BTreeMap<Placeholder, String>);

impl TemplateValues {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, placeholder: Placeholder, value: impl Into<String>) -> Self {
        self.0.insert(placeholder, value.into());
        self
    }

    pub fn set(&mut self, placeholder: Placeholder, value: impl Into<String>) {
        self.0.insert(placeholder, value.into());
    }

    pub fn get(&self, placeholder: Placeholder) -> Option<&str> {
        self.0.get(&placeholder).map(String::as_str)
    }

    /// Believable values for the editor's live preview, long enough not to flatter the segment
    /// count (a three-digit wait, a long matter name).
    pub fn sample() -> Self {
        Self::new()
            .with(Placeholder::Ticket, "A023")
            .with(Placeholder::Window, "12")
            .with(Placeholder::Ahead, "3")
            .with(Placeholder::WaitMin, "15")
            .with(Placeholder::Matter, "不动产登记（转移登记）")
            .with(Placeholder::Hall, "市民服务中心")
    }
}

impl Template {
    pub fn parse(source: &str) -> Result<Template> {
        if source.trim().is_empty() {
            return Err(SmsError::TemplateEmpty);
        }
        let chars: Vec<char> = source.chars().collect();
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '{' if chars.get(i + 1) == Some(&'{') => {
                    text.push('{');
                    i += 2;
                }
                '}' if chars.get(i + 1) == Some(&'}') => {
                    text.push('}');
                    i += 2;
                }
                '}' => return Err(SmsError::TemplateUnopenedBrace { position: i }),
                '{' => {
                    let start = i;
                    let Some(len) = chars[i + 1..].iter().position(|&c| c == '}' || c == '{') else {
                        return Err(SmsError::TemplateUnclosedBrace { position: start });
                    };
                    let end = i + 1 + len;
                    if chars[end] == '{' {
                        // `{tic{ket}`: the first brace never closes before another opens.
                        return Err(SmsError::TemplateUnclosedBrace { position: start });
                    }
                    let name: String = chars[i + 1..end].iter().collect();
                    if name.trim().is_empty() {
                        return Err(SmsError::TemplateEmptyPlaceholder { position: start });
                    }
                    let placeholder = Placeholder::from_name(name.trim()).ok_or_else(|| {
                        SmsError::TemplateUnknownPlaceholder { name: name.clone(), position: start }
                    })?;
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Slot { placeholder, position: start });
                    i = end + 1;
                }
                c => {
                    text.push(c);
                    i += 1;
                }
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { source: source.to_owned(), parts })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Distinct placeholders in order of first appearance — Tencent's `TemplateParamSet` order.
    pub fn placeholders(&self) -> Vec<Placeholder> {
        let mut seen = Vec::new();
        for part in &self.parts {
            if let Part::Slot { placeholder, .. } = part {
                if !seen.contains(placeholder) {
                    seen.push(*placeholder);
                }
            }
        }
        seen
    }

    /// Each placeholder occurrence with its character position, for checks that point at it.
    pub fn occurrences(&self) -> impl Iterator<Item = (Placeholder, usize)> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Slot { placeholder, position } => Some((*placeholder, *position)),
            Part::Text(_) => None,
        })
    }

    pub fn render(&self, values: &TemplateValues) -> Result<String> {
        let mut out = String::with_capacity(self.source.len() + 32);
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Slot { placeholder, .. } => {
                    out.push_str(values.get(*placeholder).ok_or_else(|| SmsError::TemplateMissingValue {
                        name: placeholder.as_str().to_owned(),
                    })?)
                }
            }
        }
        Ok(out)
    }

    /// The provider parameters for `values`: `(name, value)` in placeholder order. Tencent takes
    /// the values in this order, Alibaba takes them by name.
    pub fn params(&self, values: &TemplateValues) -> Result<Vec<(String, String)>> {
        self.placeholders()
            .into_iter()
            .map(|p| {
                values
                    .get(p)
                    .map(|v| (p.as_str().to_owned(), v.to_owned()))
                    .ok_or_else(|| SmsError::TemplateMissingValue { name: p.as_str().to_owned() })
            })
            .collect()
    }
}

/// What the editor shows while the supervisor types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// The message as the phone shows it, signature included.
    pub text: String,
    #[serde(flatten)]
    pub count: SegmentCount,
}

/// Renders `source` with [`TemplateValues::sample`] under `sign_name` and counts it.
pub fn preview(source: &str, sign_name: &str) -> Result<Preview> {
    let body = Template::parse(source)?.render(&TemplateValues::sample())?;
    let text = segments::signed_text(sign_name, &body);
    let count = segments::count_text(&text);
    Ok(Preview { text, count })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_all_placeholders() {
        let t =
            Template::parse("请{ticket}号到{window}号窗口（前面{ahead}人，约{wait_min}分钟）{matter}@{hall}")
                .unwrap();
        let out = t.render(&TemplateValues::sample()).unwrap();
        assert_eq!(out, "请A023号到12号窗口（前面3人，约15分钟）不动产登记（转移登记）@市民服务中心");
    }

    #[test]
    fn unknown_placeholder_names_itself_and_char_position() {
        // 中文 before the brace: the position counts characters, not bytes.
        let err = Template::parse("您好{tikcet}号").unwrap_err();
        assert_eq!(err, SmsError::TemplateUnknownPlaceholder { name: "tikcet".into(), position: 2 });
        assert_eq!(err.code(), "sms.template_unknown_placeholder");
        assert!(err.to_string().contains("{tikcet}"));
        assert!(err.to_string().contains("char 2"));
    }

    #[test]
    fn brace_errors() {
        assert_eq!(
            Template::parse("请到{window号窗口").unwrap_err(),
            SmsError::TemplateUnclosedBrace { position: 2 }
        );
        assert_eq!(
            Template::parse("a{tic{ket}").unwrap_err(),
            SmsError::TemplateUnclosedBrace { position: 1 }
        );
        assert_eq!(Template::parse("a}b").unwrap_err(), SmsError::TemplateUnopenedBrace { position: 1 });
        assert_eq!(Template::parse("a{}b").unwrap_err(), SmsError::TemplateEmptyPlaceholder { position: 1 });
        assert_eq!(Template::parse("  ").unwrap_err(), SmsError::TemplateEmpty);
    }

    #[test]
    fn doubled_braces_are_literal() {
        let t = Template::parse("{{{ticket}}}").unwrap();
        assert_eq!(t.render(&TemplateValues::sample()).unwrap(), "{A023}");
    }

    #[test]
    fn params_follow_first_appearance_and_dedupe() {
        let t = Template::parse("{window}{ticket}{window}").unwrap();
        assert_eq!(t.placeholders(), vec![Placeholder::Window, Placeholder::Ticket]);
        let params = t.params(&TemplateValues::sample()).unwrap();
        assert_eq!(params, vec![("window".into(), "12".into()), ("ticket".into(), "A023".into())]);
    }

    #[test]
    fn missing_value_is_named() {
        let t = Template::parse("{hall}").unwrap();
        assert_eq!(
            t.render(&TemplateValues::new()).unwrap_err(),
            SmsError::TemplateMissingValue { name: "hall".into() }
        );
    }

    #[test]
    fn preview_counts_signature() {
        let p = preview("请{ticket}号到{window}号窗口", "市民中心").unwrap();
        assert_eq!(p.text, "【市民中心】请A023号到12号窗口");
        assert_eq!(p.count, SegmentCount { chars: 18, segments: 1 });
    }
}
