//! A report as an Excel workbook, the form halls hand their figures on in: a title naming the
//! dimension and period, a header row, one row per key. Rates are stored as fractions with a
//! percentage format (so Excel can still sum and chart them); durations as minutes.

use super::{Dimension, PeriodKind, ReportRow, ReportTable};
use hallkeeper_proto::Locale;
use hallkeeper_proto::ReportPeriod;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// The first data row (0-based): title, blank, header, then data.
pub const FIRST_DATA_ROW: u32 = 3;
/// The header row (0-based).
pub const HEADER_ROW: u32 = 2;

#[derive(Clone, Copy)]
enum Cell {
    Count(fn(&ReportRow) -> u64),
    Minutes(fn(&ReportRow) -> Option<f64>),
    Rate(fn(&ReportRow) -> Option<f64>),
}

/// (zh-CN header, en-US header, cell).
const COLUMNS: &[(&str, &str, Cell)] = &[
    ("取号量", "Tickets issued", Cell::Count(|r| r.issued)),
    ("办结量", "Served", Cell::Count(|r| r.served)),
    ("过号", "No-shows", Cell::Count(|r| r.no_shows)),
    ("取消", "Cancelled", Cell::Count(|r| r.cancelled)),
    ("未办结", "Open", Cell::Count(|r| r.open)),
    ("转号次数", "Transfers", Cell::Count(|r| r.transfers)),
    ("平均等候(分)", "Avg wait (min)", Cell::Minutes(|r| r.avg_wait_secs)),
    ("P90等候(分)", "P90 wait (min)", Cell::Minutes(|r| r.p90_wait_secs.map(f64::from))),
    ("平均办理(分)", "Avg service (min)", Cell::Minutes(|r| r.avg_service_secs)),
    ("P90办理(分)", "P90 service (min)", Cell::Minutes(|r| r.p90_service_secs.map(f64::from))),
    ("评价数", "Ratings", Cell::Count(|r| r.ratings)),
    ("非常满意", "Very satisfied", Cell::Count(|r| r.levels.very_satisfied)),
    ("满意", "Satisfied", Cell::Count(|r| r.levels.satisfied)),
    ("基本满意", "Neutral", Cell::Count(|r| r.levels.neutral)),
    ("不满意", "Dissatisfied", Cell::Count(|r| r.levels.dissatisfied)),
    ("非常不满意", "Very dissatisfied", Cell::Count(|r| r.levels.very_dissatisfied)),
    ("申诉成立(剔除)", "Excluded (appeal upheld)", Cell::Count(|r| r.excluded)),
    ("主动评价率", "Rating rate", Cell::Rate(|r| r.rating_rate)),
    ("好评率", "Good rate", Cell::Rate(|r| r.good_rate)),
    ("差评率", "Poor rate", Cell::Rate(|r| r.poor_rate)),
    ("差评已整改", "Poor rectified", Cell::Count(|r| r.rectified)),
    ("差评整改率", "Rectification rate", Cell::Rate(|r| r.rectification_rate)),
    ("按期整改率", "On-time rectification rate", Cell::Rate(|r| r.on_time_rectification_rate)),
    ("已回访", "Called back", Cell::Count(|r| r.called_back)),
    ("回访率", "Call-back rate", Cell::Rate(|r| r.call_back_rate)),
];

/// The header cells, in order: key, name, then one per figure.
pub fn headers(locale: Locale) -> Vec<&'static str> {
    let zh = locale == Locale::ZhCn;
    let mut h = vec![if zh { "编号" } else { "Id" }, if zh { "名称" } else { "Name" }];
    h.extend(COLUMNS.iter().map(|(z, e, _)| if zh { *z } else { *e }));
    h
}

pub fn title(table: &ReportTable, locale: Locale) -> String {
    let zh = locale == Locale::ZhCn;
    let by = match (table.dimension, zh) {
        (Dimension::Hall, true) => "全厅",
        (Dimension::Window, true) => "按窗口",
        (Dimension::Staff, true) => "按工作人员",
        (Dimension::Matter, true) => "按事项",
        (Dimension::Department, true) => "按部门",
        (Dimension::Hall, false) => "whole hall",
        (Dimension::Window, false) => "by window",
        (Dimension::Staff, false) => "by staff",
        (Dimension::Matter, false) => "by matter",
        (Dimension::Department, false) => "by department",
    };
    let period = period_label(&table.period, zh);
    if zh {
        format!("政务服务好差评与排队统计 · {by} · {period}")
    } else {
        format!("Service and rating report · {by} · {period}")
    }
}

fn period_label(p: &ReportPeriod, zh: bool) -> String {
    let (s, e) = (p.start, p.end);
    match p.kind {
        PeriodKind::Day => s.to_string(),
        _ if zh => format!("{s} 至 {e}"),
        _ => format!("{s} to {e}"),
    }
}

/// The workbook's bytes.
pub fn export(table: &ReportTable, locale: Locale) -> Result<Vec<u8>, XlsxError> {
    let zh = locale == Locale::ZhCn;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(if zh { "统计报表" } else { "Report" })?;
    let bold = Format::new().set_bold();
    let title_format = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Left);
    let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Center);
    let percent = Format::new().set_num_format("0.0%");
    let minutes = Format::new().set_num_format("0.0");
    let headers = headers(locale);
    let last_col = (headers.len() - 1) as u16;
    sheet.merge_range(0, 0, 0, last_col, &title(table, locale), &title_format)?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, *h, &header)?;
    }
    sheet.set_column_width(0, 38)?;
    sheet.set_column_width(1, 24)?;
    for c in 2..=last_col {
        sheet.set_column_width(c, 11)?;
    }
    sheet.set_freeze_panes(FIRST_DATA_ROW, 2)?;
    let none_label = match (table.dimension, zh) {
        (Dimension::Hall, true) => "全厅",
        (Dimension::Hall, false) => "Whole hall",
        (_, true) => "未分配",
        (_, false) => "Unassigned",
    };
    for (i, row) in table.rows.iter().enumerate() {
        let r = FIRST_DATA_ROW + i as u32;
        sheet.write_string(r, 0, row.key.as_deref().unwrap_or(""))?;
        let label = row.label.as_deref().or(row.key.is_none().then_some(none_label)).unwrap_or("");
        sheet.write_string_with_format(r, 1, label, &bold)?;
        for (c, (_, _, cell)) in COLUMNS.iter().enumerate() {
            let col = c as u16 + 2;
            match *cell {
                Cell::Count(f) => {
                    sheet.write_number(r, col, f(row) as f64)?;
                }
                Cell::Minutes(f) => {
                    if let Some(secs) = f(row) {
                        sheet.write_number_with_format(r, col, secs / 60.0, &minutes)?;
                    }
                }
                Cell::Rate(f) => {
                    if let Some(rate) = f(row) {
                        sheet.write_number_with_format(r, col, rate, &percent)?;
                    }
                }
            }
        }
    }
    book.save_to_buffer()
}
