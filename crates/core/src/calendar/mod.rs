//! Working days in mainland China, for the rectification deadline of a poor rating.
//!
//! 国办发〔2019〕51号 counts the rectification deadline in working days, so statutory holidays
//! and their make-up working days (调休上班) both matter: a Saturday can be a working day and a
//! Wednesday a holiday. The days come from the State Council General Office's yearly notice
//! (`data/holidays-cn.json`, embedded; a newer file can be loaded with [`Calendar::from_json`]).
//!
//! A year whose notice is not out is never guessed: a weekday in it may yet become a holiday.
//! Questions about such a day fail with [`CalendarError::YearUnpublished`], and a deadline whose
//! counting reaches such a day is [`Deadline::Unpublished`] — no date, only a proven lower bound —
//! so the UI shows a flag instead of a date that might be wrong.
//!
//! # Counting convention
//! A case opened on day D with a limit of n working days is due at the end of the n-th working
//! day *after* D; D itself never counts, whether or not it is a working day. This is the general
//! rule of Chinese law for periods counted in days (民法典 第二百零一条: 开始的当日不计入，自下一日
//! 开始计算), and it is the reading that never shortens the time the department has: a rating left
//! at 17:50 must not lose a whole working day. Because only working days are counted, a deadline
//! never lands on a holiday, so the 第二百零三条 rule (a period ending on a holiday moves to the
//! next working day) is already honoured. The domain brief says only that the deadline counts
//! working days with holidays and 调休 honoured; it does not say when counting starts.

mod error;
mod file;

pub use error::{CalendarError, EntryProblem};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The shipped holiday file. Years missing from it are treated exactly like unpublished years.
pub const EMBEDDED_JSON: &str = include_str!("../../../../data/holidays-cn.json");

/// 元旦 can reach back into the year before: the 2019 notice gave 2018-12-30 and 12-31 off and
/// made Saturday 2018-12-29 a working day. So from this day of December on, a date is only
/// known once the *next* year's notice is out too.
pub const REACH_BACK_FROM_DAY: u32 = 29;

/// Which State Council notice a year's days come from, so a reader can check them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// e.g. 国务院办公厅关于2025年部分节假日安排的通知
    pub title: String,
    /// The document number (文号), e.g. 国办发明电〔2024〕12号, when known.
    #[serde(default)]
    pub id: Option<String>,
    /// The date the notice was issued.
    #[serde(default)]
    pub issued: Option<NaiveDate>,
    /// Where the notice is published.
    #[serde(default)]
    pub url: Option<String>,
}

/// A year the loaded file mentions, for the settings page ("2027: not yet published").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct YearInfo {
    pub year: i32,
    pub published: bool,
    pub notice: Option<Notice>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Special {
    Holiday(String),
    MakeUp(String),
}

/// What kind of day a date is, with the holiday it belongs to, so the UI can explain a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    Weekend,
    Holiday {
        name: String,
    },
    /// A weekend day worked in exchange for a holiday (调休上班).
    MakeUpWorkday {
        holiday: String,
    },
}

impl DayKind {
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeUpWorkday { .. })
    }
}

/// When a case is due: proto's `CaseDeadline` (a known date, or `Unpublished` with a proven
/// lower bound), under the name the rules use.
pub use hallkeeper_proto::CaseDeadline as Deadline;

/// What a deadline answers about a day.
pub trait DeadlineExt {
    /// Whether the deadline has passed by the end of `day`: `None` when only the unpublished
    /// notice can tell.
    fn passed_by(&self, day: NaiveDate) -> Option<bool>;
    /// Whether something done on `day` was within the deadline: `None` when only the
    /// unpublished notice can tell.
    fn met_by(&self, day: NaiveDate) -> Option<bool>;
}

impl DeadlineExt for Deadline {
    fn passed_by(&self, day: NaiveDate) -> Option<bool> {
        match self {
            Deadline::Known { date } => Some(*date < day),
            Deadline::Unpublished { earliest, .. } => (day <= *earliest).then_some(false),
        }
    }

    fn met_by(&self, day: NaiveDate) -> Option<bool> {
        match self {
            Deadline::Known { date } => Some(day <= *date),
            Deadline::Unpublished { earliest, .. } => (day <= *earliest).then_some(true),
        }
    }
}

/// The holidays and make-up days of the published years.
#[derive(Debug, Clone)]
pub struct Calendar {
    years: BTreeMap<i32, YearInfo>,
    days: HashMap<NaiveDate, Special>,
}

impl Calendar {
    /// Reads and checks a holiday file; a refusal names the year and the entry at fault.
    pub fn from_json(json: &str) -> Result<Self, CalendarError> {
        let parsed = file::parse(json)?;
        Ok(Self { years: parsed.years, days: parsed.days })
    }

    /// The shipped calendar, parsed once.
    pub fn builtin() -> &'static Calendar {
        static BUILTIN: OnceLock<Calendar> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The file is part of the build, not user input; a test parses it.
            Calendar::from_json(EMBEDDED_JSON).expect("data/holidays-cn.json is valid")
        })
    }

    /// The years the file mentions, published or not, oldest first.
    pub fn years(&self) -> impl Iterator<Item = &YearInfo> {
        self.years.values()
    }

    pub fn is_published(&self, year: i32) -> bool {
        self.years.get(&year).is_some_and(|y| y.published)
    }

    /// The status of `date` is settled only by its own year's notice and, in the last days of
    /// December, the next year's too (see [`REACH_BACK_FROM_DAY`]).
    fn check_known(&self, date: NaiveDate) -> Result<(), CalendarError> {
        let year = date.year();
        if !self.is_published(year) {
            return Err(CalendarError::YearUnpublished { year });
        }
        if date.month() == 12 && date.day() >= REACH_BACK_FROM_DAY && !self.is_published(year + 1) {
            return Err(CalendarError::YearUnpublished { year: year + 1 });
        }
        Ok(())
    }

    pub fn day_kind(&self, date: NaiveDate) -> Result<DayKind, CalendarError> {
        self.check_known(date)?;
        Ok(match self.days.get(&date) {
            Some(Special::Holiday(name)) => DayKind::Holiday { name: name.clone() },
            Some(Special::MakeUp(holiday)) => DayKind::MakeUpWorkday { holiday: holiday.clone() },
            None if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) => DayKind::Weekend,
            None => DayKind::Workday,
        })
    }

    /// Weekends are off unless they are make-up days; holidays are off.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.day_kind(date)?.is_working())
    }

    /// The n-th working day after `start` (see the module's counting convention); `n == 0` is
    /// `start` itself, for matters settled on the spot.
    ///
    /// Reaching a day whose year is unpublished is not an error but a [`Deadline::Unpublished`],
    /// because a case still needs a deadline to carry (and to recompute when the notice is out).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<Deadline, CalendarError> {
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            day = next(day)?;
            match self.is_working_day(day) {
                Ok(true) => counted += 1,
                Ok(false) => {}
                Err(CalendarError::YearUnpublished { year }) => {
                    let earliest = day
                        .checked_add_signed(Duration::days(i64::from(n - counted - 1)))
                        .ok_or(CalendarError::DateOutOfRange { date: day })?;
                    return Ok(Deadline::Unpublished { year, counted, required: n, earliest });
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Deadline::Known { date: day })
    }

    /// Working days after `a` up to and including `b`, so that
    /// `add_working_days(a, n) == Known(b)` implies `working_days_between(a, b) == n`.
    /// Negative when `b` is before `a`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        let (from, to, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0i64;
        let mut day = from;
        while day < to {
            day = next(day)?;
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    /// Working days left until `deadline` as seen on `today`, for due-soon alerts: 0 means due
    /// today, 1 due on the next working day, negative overdue by that many working days.
    pub fn days_until(&self, deadline: NaiveDate, today: NaiveDate) -> Result<i64, CalendarError> {
        self.working_days_between(today, deadline)
    }
}

fn next(day: NaiveDate) -> Result<NaiveDate, CalendarError> {
    day.succ_opt().ok_or(CalendarError::DateOutOfRange { date: day })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_file_parses_and_covers_2024_to_2026() {
        let c = Calendar::builtin();
        for y in 2024..=2026 {
            assert!(c.is_published(y), "{y}");
        }
        assert!(!c.is_published(2027));
        assert!(!c.is_published(2028));
    }

    #[test]
    fn counting_starts_the_day_after() {
        let c = Calendar::builtin();
        // Monday 2025-03-03 + 1 is Tuesday; + 5 is the next Monday.
        assert_eq!(
            c.add_working_days(d("2025-03-03"), 1).unwrap(),
            Deadline::Known { date: d("2025-03-04") }
        );
        assert_eq!(
            c.add_working_days(d("2025-03-03"), 5).unwrap(),
            Deadline::Known { date: d("2025-03-10") }
        );
        // Opened on a Saturday: Monday is the first working day.
        assert_eq!(
            c.add_working_days(d("2025-03-08"), 1).unwrap(),
            Deadline::Known { date: d("2025-03-10") }
        );
        assert_eq!(
            c.add_working_days(d("2025-03-08"), 0).unwrap(),
            Deadline::Known { date: d("2025-03-08") }
        );
    }

    #[test]
    fn the_last_days_of_december_wait_for_the_next_notice() {
        let c = Calendar::builtin();
        assert_eq!(c.is_working_day(d("2026-12-28")), Ok(true));
        assert_eq!(c.is_working_day(d("2026-12-29")), Err(CalendarError::YearUnpublished { year: 2027 }));
        assert_eq!(c.is_working_day(d("2025-12-31")), Ok(true));
    }

    #[test]
    fn deadline_bounds_answer_only_what_is_certain() {
        let u = Deadline::Unpublished { year: 2027, counted: 3, required: 5, earliest: d("2027-01-02") };
        assert_eq!(u.passed_by(d("2027-01-02")), Some(false));
        assert_eq!(u.passed_by(d("2027-01-03")), None);
        assert_eq!(u.met_by(d("2027-01-02")), Some(true));
        assert_eq!(u.met_by(d("2027-01-03")), None);
        let k = Deadline::Known { date: d("2025-02-20") };
        assert_eq!(k.passed_by(d("2025-02-20")), Some(false));
        assert_eq!(k.passed_by(d("2025-02-21")), Some(true));
        assert_eq!(k.met_by(d("2025-02-21")), Some(false));
    }
}
