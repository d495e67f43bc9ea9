//! A table's rows, read through a column mapping, become matters — or the first row that cannot
//! names itself (row, column, what is wrong). Nothing is half-read: one bad row refuses the file.

use super::mapping;
use super::table::{Table, TableRow};
use crate::error::{Code, Rejection, Result};
use hallkeeper_proto::{ColumnMapping, MatterField, MatterState};
use std::collections::HashMap;

pub const MAX_CODE_CHARS: usize = 64;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DEPARTMENT_CHARS: usize = 100;
pub const MAX_TYPE_CHARS: usize = 40;
pub const MAX_TIME_LIMIT_DAYS: i64 = 3650;

/// A matter as the file states it. `None` means the file does not say (column not mapped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMatter {
    pub row: u32,
    pub catalog_code: String,
    pub name: String,
    pub department: String,
    pub department_code: Option<String>,
    pub matter_type: Option<String>,
    pub required: Option<bool>,
    /// Some(None): the column is mapped and the cell is empty (time limit unknown).
    pub time_limit_days: Option<Option<i64>>,
    pub ticket_prefix: Option<String>,
    pub state: Option<MatterState>,
}

/// Reads every row; refuses the file at its first bad row.
pub fn read(table: &Table, mapping: &ColumnMapping) -> Result<Vec<FileMatter>> {
    mapping::check(table, mapping)?;
    let mut out = Vec::with_capacity(table.rows.len());
    let mut first_row_of_code: HashMap<String, u32> = HashMap::with_capacity(table.rows.len());
    let mut department_names: HashMap<String, (String, u32)> = HashMap::new();
    for row in &table.rows {
        let m = read_row(table, mapping, row)?;
        if let Some(first) = first_row_of_code.insert(m.catalog_code.clone(), row.number) {
            return Err(problem(
                table,
                Code::ImportDuplicateCode,
                row.number,
                mapping,
                MatterField::CatalogCode,
            )
            .arg("value", &m.catalog_code)
            .arg("first_row", first)
            .into());
        }
        // One department code, one name: a file that names a code two ways is ambiguous.
        if let Some(code) = &m.department_code {
            match department_names.get(code) {
                Some((name, first)) if *name != m.department => {
                    return Err(problem(
                        table,
                        Code::ImportValueInvalid,
                        row.number,
                        mapping,
                        MatterField::Department,
                    )
                    .arg("value", &m.department)
                    .arg("reason", format!("department code {code} is \"{name}\" at row {first}"))
                    .into());
                }
                Some(_) => {}
                None => {
                    department_names.insert(code.clone(), (m.department.clone(), row.number));
                }
            }
        }
        out.push(m);
    }
    Ok(out)
}

fn problem(table: &Table, code: Code, row: u32, mapping: &ColumnMapping, field: MatterField) -> Rejection {
    let mut r = table.locate(row, mapping.get(field)).field(field.as_str());
    r.code = code;
    r
}

fn read_row(table: &Table, mapping: &ColumnMapping, row: &TableRow) -> Result<FileMatter> {
    let cell = |field: MatterField| mapping.get(field).map(|c| table.cell(row, c));
    let fail = |code: Code, field: MatterField, value: &str, reason: &str| -> crate::error::Error {
        problem(table, code, row.number, mapping, field).arg("value", value).arg("reason", reason).into()
    };
    let text = |field: MatterField, max: usize, required: bool| -> Result<Option<String>> {
        let Some(v) = cell(field) else { return Ok(None) };
        if required && v.is_empty() {
            return Err(fail(Code::ImportValueEmpty, field, v, ""));
        }
        if v.chars().any(char::is_control) {
            return Err(fail(Code::ImportValueInvalid, field, v, "control"));
        }
        if v.chars().count() > max {
            return Err(fail(Code::ImportValueInvalid, field, v, &format!("max:{max}")));
        }
        Ok(Some(v.to_owned()))
    };

    let catalog_code = text(MatterField::CatalogCode, MAX_CODE_CHARS, true)?.unwrap_or_default();
    if let Some(c) = catalog_code.chars().find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c))) {
        return Err(fail(
            Code::ImportValueInvalid,
            MatterField::CatalogCode,
            &catalog_code,
            &format!("char:{c}"),
        ));
    }
    let name = text(MatterField::Name, MAX_NAME_CHARS, true)?.unwrap_or_default();
    let department = text(MatterField::Department, MAX_DEPARTMENT_CHARS, true)?.unwrap_or_default();
    let department_code = text(MatterField::DepartmentCode, MAX_CODE_CHARS, true)?;
    let matter_type = text(MatterField::MatterType, MAX_TYPE_CHARS, false)?;

    let required = match cell(MatterField::Required) {
        None => None,
        Some(v) => Some(parse_yes_no(v).ok_or_else(|| {
            let code = if v.is_empty() { Code::ImportValueEmpty } else { Code::ImportValueInvalid };
            fail(code, MatterField::Required, v, "yes_no")
        })?),
    };
    let time_limit_days = match cell(MatterField::TimeLimitDays) {
        None => None,
        Some(v) => Some(
            parse_days(v)
                .map_err(|_| fail(Code::ImportValueInvalid, MatterField::TimeLimitDays, v, "days"))?,
        ),
    };
    let ticket_prefix = match cell(MatterField::TicketPrefix) {
        None => None,
        Some(v) => {
            let up = v.to_ascii_uppercase();
            if !(up.is_empty() || (up.len() == 1 && up.as_bytes()[0].is_ascii_uppercase())) {
                return Err(fail(Code::ImportValueInvalid, MatterField::TicketPrefix, v, "letter"));
            }
            Some(up)
        }
    };
    let state = match cell(MatterField::State) {
        None => None,
        Some(v) => Some(
            parse_state(v).ok_or_else(|| fail(Code::ImportValueInvalid, MatterField::State, v, "state"))?,
        ),
    };
    Ok(FileMatter {
        row: row.number,
        catalog_code,
        name,
        department,
        department_code,
        matter_type,
        required,
        time_limit_days,
        ticket_prefix,
        state,
    })
}

pub fn parse_yes_no(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "是" | "必进" | "进驻" | "y" | "yes" | "true" | "1" | "√" => Some(true),
        "否" | "非必进" | "不进驻" | "n" | "no" | "false" | "0" | "×" => Some(false),
        _ => None,
    }
}

/// `15`, `15.0`, `15个工作日`, `即办` (0), or empty (unknown).
pub fn parse_days(v: &str) -> std::result::Result<Option<i64>, ()> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.contains("即办") {
        return Ok(Some(0));
    }
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let rest = v[digits.len()..].trim();
    if digits.is_empty()
        || !(rest.is_empty() || rest.starts_with("个工作日") || rest.starts_with("工作日") || rest == "天")
    {
        return Err(());
    }
    let n: f64 = digits.parse().map_err(|_| ())?;
    if n.fract() != 0.0 || !(0.0..=MAX_TIME_LIMIT_DAYS as f64).contains(&n) {
        return Err(());
    }
    Ok(Some(n as i64))
}

pub fn parse_state(v: &str) -> Option<MatterState> {
    match v.trim().to_lowercase().as_str() {
        "在用" | "有效" | "启用" | "正常" | "active" | "" => Some(MatterState::Active),
        "停用" | "废止" | "取消" | "已取消" | "失效" | "retired" | "inactive" => {
            Some(MatterState::Retired)
        }
        _ => None,
    }
}
