//! The holiday file (`data/holidays-cn.json`): its shape and the checks a file must pass before
//! the app counts a deadline with it. A newer file can be loaded at runtime, so every entry is
//! checked and a refusal names the year and the entry.

use super::error::{CalendarError, EntryProblem};
use super::{Notice, Special, YearInfo, REACH_BACK_FROM_DAY};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

pub(super) const FORMAT_VERSION: u32 = 1;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Doc {
    version: u32,
    years: Vec<Year>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Year {
    year: i32,
    published: bool,
    #[serde(default)]
    notice: Option<Notice>,
    #[serde(default)]
    holidays: Vec<Holiday>,
    #[serde(default)]
    make_up_days: Vec<MakeUpDay>,
}

#[derive(Deserialize)]
struct Holiday {
    name: String,
    start: NaiveDate,
    end: NaiveDate,
}

#[derive(Deserialize)]
struct MakeUpDay {
    date: NaiveDate,
    holiday: String,
}

pub(super) struct Parsed {
    pub years: BTreeMap<i32, YearInfo>,
    pub days: HashMap<NaiveDate, Special>,
}

/// Only the version is read first, so a file of a newer format is refused as such rather than
/// as a confusing shape error.
#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

pub(super) fn parse(json: &str) -> Result<Parsed, CalendarError> {
    let invalid = |e: serde_json::Error| CalendarError::FileInvalid {
        line: e.line(),
        column: e.column(),
        detail: e.to_string(),
    };
    let version: VersionOnly = serde_json::from_str(json).map_err(invalid)?;
    if version.version != FORMAT_VERSION {
        return Err(CalendarError::VersionUnsupported { found: version.version, supported: FORMAT_VERSION });
    }
    let doc: Doc = serde_json::from_str(json).map_err(invalid)?;
    debug_assert_eq!(doc.version, FORMAT_VERSION);

    let mut years = BTreeMap::new();
    let mut days: HashMap<NaiveDate, Special> = HashMap::new();
    for (i, y) in doc.years.into_iter().enumerate() {
        let at = |entry: String, problem: EntryProblem| CalendarError::EntryInvalid {
            year: y.year,
            entry: format!("years[{i}]{entry}"),
            problem,
        };
        if years.contains_key(&y.year) {
            return Err(CalendarError::DuplicateYear { year: y.year });
        }
        if !y.published {
            if !y.holidays.is_empty() || !y.make_up_days.is_empty() {
                return Err(at(String::new(), EntryProblem::UnpublishedWithDays));
            }
            years.insert(y.year, YearInfo { year: y.year, published: false, notice: y.notice });
            continue;
        }
        match &y.notice {
            None => return Err(at(".notice".into(), EntryProblem::NoticeMissing)),
            Some(n) if n.title.trim().is_empty() => {
                return Err(at(".notice.title".into(), EntryProblem::NoticeTitleEmpty))
            }
            Some(_) => {}
        }
        if y.holidays.is_empty() {
            return Err(at(".holidays".into(), EntryProblem::PublishedWithoutHolidays));
        }
        let in_scope = |d: NaiveDate| {
            d.year() == y.year
                || (d.year() == y.year - 1 && d.month() == 12 && d.day() >= REACH_BACK_FROM_DAY)
        };
        for (j, h) in y.holidays.iter().enumerate() {
            let entry = format!(".holidays[{j}]");
            if h.name.trim().is_empty() {
                return Err(at(format!("{entry}.name"), EntryProblem::NameEmpty));
            }
            if h.start > h.end {
                return Err(at(entry, EntryProblem::StartAfterEnd { start: h.start, end: h.end }));
            }
            for d in [h.start, h.end] {
                if !in_scope(d) {
                    return Err(at(entry, EntryProblem::OutsideYear { date: d }));
                }
            }
            for d in h.start.iter_days().take_while(|d| *d <= h.end) {
                if days.insert(d, Special::Holiday(h.name.clone())).is_some() {
                    return Err(at(entry, EntryProblem::Duplicate { date: d }));
                }
            }
        }
        for (j, m) in y.make_up_days.iter().enumerate() {
            let entry = format!(".makeUpDays[{j}]");
            if !in_scope(m.date) {
                return Err(at(entry, EntryProblem::OutsideYear { date: m.date }));
            }
            if !matches!(m.date.weekday(), Weekday::Sat | Weekday::Sun) {
                return Err(at(entry, EntryProblem::MakeUpOnWeekday { date: m.date }));
            }
            if !y.holidays.iter().any(|h| h.name == m.holiday) {
                return Err(at(
                    format!("{entry}.holiday"),
                    EntryProblem::UnknownHoliday { name: m.holiday.clone() },
                ));
            }
            if days.insert(m.date, Special::MakeUp(m.holiday.clone())).is_some() {
                return Err(at(entry, EntryProblem::Duplicate { date: m.date }));
            }
        }
        years.insert(y.year, YearInfo { year: y.year, published: true, notice: y.notice });
    }
    Ok(Parsed { years, days })
}
