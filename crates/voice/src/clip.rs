//! The clips a call is made of, and the file name each has in a pack.

use std::fmt;

/// One recorded word or sound. A pack holds one WAV file per clip, named [`Clip::file_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Clip {
    /// The chime played once before the first sentence.
    Chime,
    /// 请
    Qing,
    /// 号 (after the ticket number)
    Hao,
    /// 到
    Dao,
    /// 号窗口办理, one clip so that the sentence's end is spoken as one phrase.
    HaoChuangkouBanli,
    /// 重呼, opening each sentence of a recall.
    Chonghu,
    /// 十
    Shi,
    /// 百
    Bai,
    /// 千
    Qian,
    /// 杠, for a hyphen in a window number (`A-3`).
    Gang,
    /// 零 … 九; always 0–9.
    Digit(u8),
    /// A letter's Mandarin name; always `A`–`Z`.
    Letter(char),
}

impl Clip {
    /// Every clip a pack must hold, in a stable order (the fixed words, the digits, the letters).
    pub fn all() -> Vec<Clip> {
        let mut all = vec![
            Clip::Chime,
            Clip::Qing,
            Clip::Hao,
            Clip::Dao,
            Clip::HaoChuangkouBanli,
            Clip::Chonghu,
            Clip::Shi,
            Clip::Bai,
            Clip::Qian,
            Clip::Gang,
        ];
        all.extend((0..=9).map(Clip::Digit));
        all.extend(('A'..='Z').map(Clip::Letter));
        all
    }

    /// The clip's file name in a pack folder, e.g. `digit-0.wav`, `letter-A.wav`, `qing.wav`.
    pub fn file_name(self) -> String {
        format!("{}.wav", self.stem())
    }

    /// The file name without `.wav`.
    pub fn stem(self) -> String {
        match self {
            Clip::Chime => "chime".into(),
            Clip::Qing => "qing".into(),
            Clip::Hao => "hao".into(),
            Clip::Dao => "dao".into(),
            Clip::HaoChuangkouBanli => "hao-chuangkou-banli".into(),
            Clip::Chonghu => "chonghu".into(),
            Clip::Shi => "shi".into(),
            Clip::Bai => "bai".into(),
            Clip::Qian => "qian".into(),
            Clip::Gang => "gang".into(),
            Clip::Digit(d) => format!("digit-{d}"),
            Clip::Letter(c) => format!("letter-{c}"),
        }
    }

    /// What the clip says, as the hall would write it (`请`, `零`, `A`); the chime is `♪`.
    pub fn text(self) -> String {
        const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        match self {
            Clip::Chime => "♪".into(),
            Clip::Qing => "请".into(),
            Clip::Hao => "号".into(),
            Clip::Dao => "到".into(),
            Clip::HaoChuangkouBanli => "号窗口办理".into(),
            Clip::Chonghu => "重呼".into(),
            Clip::Shi => "十".into(),
            Clip::Bai => "百".into(),
            Clip::Qian => "千".into(),
            Clip::Gang => "杠".into(),
            Clip::Digit(d) => DIGITS.get(usize::from(d)).copied().unwrap_or("?").into(),
            Clip::Letter(c) => c.to_string(),
        }
    }

    /// Whether a sentence (or the chime) ends with this clip: the joiner leaves a longer pause
    /// after it than between words.
    pub fn ends_phrase(self) -> bool {
        matches!(self, Clip::Chime | Clip::HaoChuangkouBanli | Clip::Chonghu)
    }
}

impl fmt::Display for Clip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stem())
    }
}

/// The clips' texts run together: `♪请A零一二号到三号窗口办理`.
pub fn spoken_text(clips: &[Clip]) -> String {
    clips.iter().map(|c| c.text()).collect()
}
