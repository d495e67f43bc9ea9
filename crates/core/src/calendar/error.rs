//! The calendar's refusals. Each has a stable code (the UI and tests key on it) and the values its
//! message names, so the core's error type can carry it as a `Rejection` unchanged.

use chrono::NaiveDate;
use hallkeeper_proto::Locale;

/// What is wrong with one entry of a holiday file. Kept apart from the error so both languages'
/// messages can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryProblem {
    /// A year with a notice must say what the notice says: at least one holiday.
    PublishedWithoutHolidays,
    /// An unpublished year cannot list days: that would be a guess.
    UnpublishedWithDays,
    /// A published year must name its notice, so a reader can check the days against it.
    NoticeMissing,
    NoticeTitleEmpty,
    NameEmpty,
    StartAfterEnd {
        start: NaiveDate,
        end: NaiveDate,
    },
    /// A year's notice governs that year and, for 元旦, at most the last days of December before.
    OutsideYear {
        date: NaiveDate,
    },
    /// The same date is a holiday or make-up day twice (in this year or another year's notice).
    Duplicate {
        date: NaiveDate,
    },
    /// 调休 only ever moves work onto a weekend; a weekday "make-up day" is a transcription slip.
    MakeUpOnWeekday {
        date: NaiveDate,
    },
    /// A make-up day belongs to a holiday of the same notice.
    UnknownHoliday {
        name: String,
    },
}

impl EntryProblem {
    fn en(&self) -> String {
        match self {
            Self::PublishedWithoutHolidays => "a published year lists no holidays".into(),
            Self::UnpublishedWithDays => "an unpublished year cannot list holidays or make-up days".into(),
            Self::NoticeMissing => "a published year must name its State Council notice".into(),
            Self::NoticeTitleEmpty => "the notice has no title".into(),
            Self::NameEmpty => "the holiday has no name".into(),
            Self::StartAfterEnd { start, end } => format!("starts on {start}, after its end {end}"),
            Self::OutsideYear { date } => format!("{date} is outside the year the notice covers"),
            Self::Duplicate { date } => format!("{date} is listed more than once"),
            Self::MakeUpOnWeekday { date } => format!("make-up day {date} is not a Saturday or Sunday"),
            Self::UnknownHoliday { name } => {
                format!("names the holiday \"{name}\", which this year does not list")
            }
        }
    }

    fn zh(&self) -> String {
        match self {
            Self::PublishedWithoutHolidays => "已发布的年份没有列出任何节假日".into(),
            Self::UnpublishedWithDays => "未发布的年份不能列出节假日或调休上班日".into(),
            Self::NoticeMissing => "已发布的年份须注明国务院办公厅通知".into(),
            Self::NoticeTitleEmpty => "通知标题为空".into(),
            Self::NameEmpty => "节假日名称为空".into(),
            Self::StartAfterEnd { start, end } => format!("开始日期 {start} 晚于结束日期 {end}"),
            Self::OutsideYear { date } => format!("{date} 不在该通知所管的年份内"),
            Self::Duplicate { date } => format!("{date} 重复出现"),
            Self::MakeUpOnWeekday { date } => format!("调休上班日 {date} 不是周六或周日"),
            Self::UnknownHoliday { name } => format!("所属节日“{name}”不在该年的节假日中"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The day's status depends on a notice that is not out yet (or not in the loaded file).
    #[error("the holiday arrangement for {year} has not been published; working days in {year} are unknown")]
    YearUnpublished { year: i32 },
    #[error("date out of the supported range after {date}")]
    DateOutOfRange { date: NaiveDate },
    #[error(
        "the holiday file is not valid JSON of the expected shape (line {line}, column {column}): {detail}"
    )]
    FileInvalid { line: usize, column: usize, detail: String },
    #[error("the holiday file has format version {found}; this app reads version {supported}")]
    VersionUnsupported { found: u32, supported: u32 },
    #[error("the holiday file lists the year {year} twice")]
    DuplicateYear { year: i32 },
    #[error("holiday file, year {year}, {entry}: {}", .problem.en())]
    EntryInvalid { year: i32, entry: String, problem: EntryProblem },
}

impl CalendarError {
    /// Stable codes; never rename.
    pub fn code(&self) -> &'static str {
        match self {
            Self::YearUnpublished { .. } => "calendar.year_unpublished",
            Self::DateOutOfRange { .. } => "calendar.date_out_of_range",
            Self::FileInvalid { .. } => "calendar.file_invalid",
            Self::VersionUnsupported { .. } => "calendar.version_unsupported",
            Self::DuplicateYear { .. } => "calendar.duplicate_year",
            Self::EntryInvalid { .. } => "calendar.entry_invalid",
        }
    }

    /// The path into the holiday file at fault (`years[1].holidays[2]`), when there is one.
    pub fn field(&self) -> Option<String> {
        match self {
            Self::EntryInvalid { entry, .. } => Some(entry.clone()),
            _ => None,
        }
    }

    /// The values the message names, for the core's `Rejection::arg`.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::YearUnpublished { year } | Self::DuplicateYear { year } => vec![("year", year.to_string())],
            Self::DateOutOfRange { date } => vec![("date", date.to_string())],
            Self::FileInvalid { line, column, detail } => {
                vec![("line", line.to_string()), ("column", column.to_string()), ("detail", detail.clone())]
            }
            Self::VersionUnsupported { found, supported } => {
                vec![("found", found.to_string()), ("supported", supported.to_string())]
            }
            Self::EntryInvalid { year, entry, problem } => vec![
                ("year", year.to_string()),
                ("entry", entry.clone()),
                ("problemEn", problem.en()),
                ("problemZh", problem.zh()),
            ],
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        match locale {
            Locale::EnUs => self.to_string(),
            Locale::ZhCn => {
                match self {
                    Self::YearUnpublished { year } => {
                        format!("国务院办公厅尚未发布 {year} 年节假日安排，{year} 年的工作日无法确定，期限暂不能计算")
                    }
                    Self::DateOutOfRange { date } => format!("{date} 之后的日期超出支持范围"),
                    Self::FileInvalid { line, column, detail } => {
                        format!("节假日文件格式不正确（第 {line} 行第 {column} 列）：{detail}")
                    }
                    Self::VersionUnsupported { found, supported } => {
                        format!("节假日文件格式版本为 {found}，本程序只能读取版本 {supported}，请更新程序")
                    }
                    Self::DuplicateYear { year } => format!("节假日文件中 {year} 年出现了两次"),
                    Self::EntryInvalid { year, entry, problem } => {
                        format!("节假日文件 {year} 年 {entry}：{}", problem.zh())
                    }
                }
            }
        }
    }
}
