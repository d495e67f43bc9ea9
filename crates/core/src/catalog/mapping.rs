//! Which column holds which field. Provinces name their columns differently, so the app
//! proposes a mapping from known header names and the person confirms or corrects it.

use super::table::Table;
use crate::error::{Code, Rejection, Result};
use hallkeeper_proto::{ColumnMapping, MatterField};

/// Header names seen in provincial exports, per field, normalised (see [`normalise`]). The
/// first field whose list contains a header wins; exact matches beat prefix matches.
const SYNONYMS: &[(MatterField, &[&str])] = &[
    (
        MatterField::DepartmentCode,
        &[
            "实施主体编码",
            "实施主体代码",
            "部门编码",
            "部门代码",
            "实施机构编码",
            "统一社会信用代码",
            "departmentcode",
            "deptcode",
        ],
    ),
    (
        MatterField::CatalogCode,
        &[
            "事项编码",
            "实施编码",
            "事项代码",
            "基本编码",
            "目录编码",
            "实施清单编码",
            "编码",
            "catalogcode",
            "code",
            "mattercode",
        ],
    ),
    (MatterField::Name, &["事项名称", "实施事项名称", "实施清单名称", "名称", "mattername", "name"]),
    (
        MatterField::Department,
        &[
            "实施主体",
            "实施主体名称",
            "实施部门",
            "实施机构",
            "部门",
            "部门名称",
            "所属部门",
            "责任部门",
            "department",
            "dept",
        ],
    ),
    (MatterField::MatterType, &["事项类型", "权力类型", "事项类别", "类型", "mattertype", "type"]),
    (MatterField::Required, &["是否必进", "必进事项", "是否进驻", "是否进厅", "进驻", "必进", "required"]),
    (
        MatterField::TimeLimitDays,
        &[
            "承诺时限",
            "承诺办结时限",
            "承诺期限",
            "承诺办理时限",
            "办结时限",
            "承诺时限工作日",
            "timelimit",
            "timelimitdays",
        ],
    ),
    (
        MatterField::TicketPrefix,
        &["取号字母", "取号前缀", "叫号前缀", "号段字母", "号码前缀", "ticketprefix", "prefix"],
    ),
    (MatterField::State, &["事项状态", "状态", "state", "status"]),
];

/// Lower case, no spaces, punctuation or bracketed notes: `承诺时限（工作日）` → `承诺时限`.
pub fn normalise(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in header.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// The columns in the order of the province's standard catalog export (事项编码, 事项名称, 实施主体,
/// 实施主体编码, 事项类型, 是否必进, 承诺时限, 取号字母; no state column): the order of the sample
/// catalog and of the files the benches and tests write.
pub fn standard_order() -> ColumnMapping {
    ColumnMapping {
        catalog_code: Some(0),
        name: Some(1),
        department: Some(2),
        department_code: Some(3),
        matter_type: Some(4),
        required: Some(5),
        time_limit_days: Some(6),
        ticket_prefix: Some(7),
        state: None,
    }
}

/// The mapping the app proposes for a file's headers.
pub fn suggest(headers: &[String]) -> ColumnMapping {
    let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let mut mapping = ColumnMapping::default();
    let mut taken = vec![false; headers.len()];
    // Exact names first, over all fields, then prefixes: "事项编码" must not go to "编码"'s field.
    for exact in [true, false] {
        for (field, names) in SYNONYMS {
            if mapping.get(*field).is_some() {
                continue;
            }
            let hit = normalised.iter().enumerate().find(|(i, h)| {
                !taken[*i]
                    && !h.is_empty()
                    && names.iter().any(|n| if exact { *h == n } else { h.starts_with(n) })
            });
            if let Some((i, _)) = hit {
                taken[i] = true;
                mapping.set(*field, Some(i as u32));
            }
        }
    }
    mapping
}

/// Refuses a mapping that lacks a required field, points past the file's columns, or reads
/// one column as two fields.
pub fn check(table: &Table, mapping: &ColumnMapping) -> Result<()> {
    for field in MatterField::REQUIRED {
        if mapping.get(field).is_none() {
            return Err(Rejection::new(Code::ImportColumnMissing)
                .field(field.as_str())
                .arg("file", &table.file_name)
                .arg("field", field.as_str())
                .into());
        }
    }
    let mut seen: Vec<(u32, MatterField)> = Vec::new();
    for field in MatterField::ALL {
        let Some(col) = mapping.get(field) else { continue };
        if col as usize >= table.headers.len() {
            return Err(Rejection::new(Code::ImportMappingOutOfRange)
                .field(field.as_str())
                .arg("file", &table.file_name)
                .arg("field", field.as_str())
                .arg("column", col + 1)
                .arg("columns", table.headers.len())
                .into());
        }
        if let Some((_, other)) = seen.iter().find(|(c, _)| *c == col) {
            return Err(Rejection::new(Code::ImportMappingOutOfRange)
                .field(field.as_str())
                .arg("file", &table.file_name)
                .arg("field", field.as_str())
                .arg("other", other.as_str())
                .arg("column", col + 1)
                .arg("columns", table.headers.len())
                .into());
        }
        seen.push((col, field));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn proposes_the_sample_catalogs_columns() {
        let m = suggest(&headers(&[
            "事项编码",
            "事项名称",
            "实施主体",
            "实施主体编码",
            "事项类型",
            "是否必进",
            "承诺时限（工作日）",
            "取号字母",
        ]));
        assert_eq!(m, standard_order());
    }

    #[test]
    fn another_provinces_headers_map_too_and_unknown_ones_stay_unmapped() {
        let m =
            suggest(&headers(&["序号", "实施清单名称", "实施编码", "实施部门", "承诺办结时限(天)", "备注"]));
        assert_eq!(
            (m.name, m.catalog_code, m.department, m.time_limit_days),
            (Some(1), Some(2), Some(3), Some(4))
        );
        assert_eq!((m.required, m.ticket_prefix, m.department_code), (None, None, None));
    }

    #[test]
    fn english_headers_map() {
        let m = suggest(&headers(&["Code", "Name", "Department", "Department code", "Required"]));
        assert_eq!(
            (m.catalog_code, m.name, m.department, m.department_code, m.required),
            (Some(0), Some(1), Some(2), Some(3), Some(4))
        );
    }
}
