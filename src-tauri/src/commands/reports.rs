//! Statistics and reports (统计报表): a report for a period and a dimension, computed by core from
//! its rollups (docs/reports.md), and the same table written as an XLSX file where the UI's save
//! dialog chose. A period the UI got wrong is refused as `report.period_invalid` naming its
//! field; a file that cannot be written as `report.export_failed` naming the file.

use crate::{AppState, CommandError};
use chrono::NaiveDate;
use hallkeeper_core::error::Code;
use hallkeeper_core::proto::{ReportDimension, ReportPeriodInput, ReportPeriodKind};
use hallkeeper_core::reports::{xlsx, Period, PeriodError, ReportTable};
use hallkeeper_core::Rejection;
use std::path::PathBuf;
use tauri::State;

fn invalid(field: &'static str, value: impl ToString) -> Rejection {
    Rejection::new(Code::ReportPeriodInvalid).field(field).arg("field", field).arg("value", value)
}

fn need<T: Copy>(v: Option<T>, field: &'static str) -> Result<T, Rejection> {
    v.ok_or_else(|| invalid(field, "—"))
}

/// The core period of what the UI picked; the refusal names the field at fault.
pub fn period(input: &ReportPeriodInput) -> Result<Period, Rejection> {
    let date = |i: &ReportPeriodInput| need(i.date, "date");
    let from_error = |e: PeriodError| match e {
        PeriodError::EndBeforeStart { end, .. } => invalid("end", end),
        PeriodError::Month { month, .. } => invalid("month", month),
        PeriodError::Quarter { quarter, .. } => invalid("quarter", quarter),
        PeriodError::Year(y) => invalid("year", y),
    };
    let year_of = |i: &ReportPeriodInput| -> Result<i32, Rejection> {
        let y = need(i.year, "year")?;
        if !(2000..=2100).contains(&y) {
            return Err(invalid("year", y));
        }
        Ok(y)
    };
    match input.kind {
        ReportPeriodKind::Day => Ok(Period::day(date(input)?)),
        ReportPeriodKind::Week => Ok(Period::week_of(date(input)?)),
        ReportPeriodKind::Month => match (input.year, input.month, input.date) {
            (None, None, Some(d)) => Ok(Period::month_of(d)),
            _ => Period::month(year_of(input)?, need(input.month, "month")?).map_err(from_error),
        },
        ReportPeriodKind::Quarter => match (input.year, input.quarter, input.date) {
            (None, None, Some(d)) => Ok(Period::quarter_of(d)),
            _ => Period::quarter(year_of(input)?, need(input.quarter, "quarter")?).map_err(from_error),
        },
        ReportPeriodKind::Year => Period::year(year_of(input)?).map_err(from_error),
        ReportPeriodKind::Custom => {
            let (start, end): (NaiveDate, NaiveDate) = (need(input.start, "start")?, need(input.end, "end")?);
            if (end - start).num_days() > 366 * 10 {
                return Err(invalid("end", end));
            }
            Period::custom(start, end).map_err(from_error)
        }
    }
}

fn refused(state: &AppState, r: Rejection) -> CommandError {
    CommandError(hallkeeper_core::Error::Rejected(r).to_body(state.locale()))
}

/// The report (`ReportTable` in the TS bindings): one row per key with a ticket or a rating in
/// the period, the unassigned row first.
#[tauri::command]
pub async fn get_report(
    state: State<'_, AppState>,
    period: ReportPeriodInput,
    dimension: ReportDimension,
) -> Result<ReportTable, CommandError> {
    let p = self::period(&period).map_err(|r| refused(&state, r))?;
    state.call(move |s| s.report(p, dimension)).await
}

/// Writes the report as an XLSX workbook (the UI's language) to `path`; answers the path.
#[tauri::command]
pub async fn export_report_xlsx(
    state: State<'_, AppState>,
    period: ReportPeriodInput,
    dimension: ReportDimension,
    path: PathBuf,
) -> Result<String, CommandError> {
    let p = self::period(&period).map_err(|r| refused(&state, r))?;
    let locale = state.locale();
    state
        .call(move |s| {
            let table = s.report(p, dimension)?;
            let failed = |reason: String| {
                let file = path
                    .file_name()
                    .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
                hallkeeper_core::Error::Rejected(
                    Rejection::new(Code::ReportExportFailed)
                        .field("path")
                        .arg("file", file)
                        .arg("reason", reason),
                )
            };
            let bytes = xlsx::export(&table, locale).map_err(|e| failed(e.to_string()))?;
            std::fs::write(&path, bytes).map_err(|e| failed(e.to_string()))?;
            Ok(path.display().to_string())
        })
        .await
}
