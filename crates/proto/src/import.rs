use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The kinds of file a catalog import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    Csv,
    Xlsx,
    Json,
}

/// The text encoding a CSV file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    Gbk,
}

/// A field of a matter that a column of the file can supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MatterField {
    CatalogCode,
    Name,
    Department,
    DepartmentCode,
    MatterType,
    Required,
    TimeLimitDays,
    TicketPrefix,
    State,
}

impl MatterField {
    pub const ALL: [MatterField; 9] = [
        Self::CatalogCode,
        Self::Name,
        Self::Department,
        Self::DepartmentCode,
        Self::MatterType,
        Self::Required,
        Self::TimeLimitDays,
        Self::TicketPrefix,
        Self::State,
    ];

    /// The columns an import cannot do without.
    pub const REQUIRED: [MatterField; 3] = [Self::CatalogCode, Self::Name, Self::Department];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CatalogCode => "catalogCode",
            Self::Name => "name",
            Self::Department => "department",
            Self::DepartmentCode => "departmentCode",
            Self::MatterType => "matterType",
            Self::Required => "required",
            Self::TimeLimitDays => "timeLimitDays",
            Self::TicketPrefix => "ticketPrefix",
            Self::State => "state",
        }
    }
}

/// Which column (0-based) of the file supplies each field; None leaves the field out. Fields
/// left out keep the hall's value for known matters and take a default for new ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ColumnMapping {
    pub catalog_code: Option<u32>,
    pub name: Option<u32>,
    pub department: Option<u32>,
    pub department_code: Option<u32>,
    pub matter_type: Option<u32>,
    pub required: Option<u32>,
    pub time_limit_days: Option<u32>,
    pub ticket_prefix: Option<u32>,
    pub state: Option<u32>,
}

impl ColumnMapping {
    pub fn get(&self, field: MatterField) -> Option<u32> {
        match field {
            MatterField::CatalogCode => self.catalog_code,
            MatterField::Name => self.name,
            MatterField::Department => self.department,
            MatterField::DepartmentCode => self.department_code,
            MatterField::MatterType => self.matter_type,
            MatterField::Required => self.required,
            MatterField::TimeLimitDays => self.time_limit_days,
            MatterField::TicketPrefix => self.ticket_prefix,
            MatterField::State => self.state,
        }
    }

    pub fn set(&mut self, field: MatterField, column: Option<u32>) {
        let slot = match field {
            MatterField::CatalogCode => &mut self.catalog_code,
            MatterField::Name => &mut self.name,
            MatterField::Department => &mut self.department,
            MatterField::DepartmentCode => &mut self.department_code,
            MatterField::MatterType => &mut self.matter_type,
            MatterField::Required => &mut self.required,
            MatterField::TimeLimitDays => &mut self.time_limit_days,
            MatterField::TicketPrefix => &mut self.ticket_prefix,
            MatterField::State => &mut self.state,
        };
        *slot = column;
    }
}

/// The first look at a file: its shape, a few rows, and the mapping the app proposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportInspection {
    pub file_name: String,
    pub format: ImportFormat,
    /// For CSV: the encoding found (UTF-8 or GBK).
    pub encoding: Option<TextEncoding>,
    /// For XLSX: the worksheet read.
    pub sheet: Option<String>,
    pub headers: Vec<String>,
    /// Up to 5 data rows, cells as text.
    pub sample_rows: Vec<Vec<String>>,
    pub row_count: u32,
    pub mapping: ColumnMapping,
}

/// A file and how to read it: what the preview and the apply steps take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportRequest {
    pub path: String,
    pub mapping: ColumnMapping,
}

/// A matter named in a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatterSummary {
    pub catalog_code: String,
    pub name: String,
    pub department: String,
    pub required: bool,
}

/// One field of a matter that the import would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field: MatterField,
    pub before: String,
    pub after: String,
}

/// A matter the import would change, field by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatterChange {
    pub catalog_code: String,
    pub name: String,
    pub fields: Vec<FieldChange>,
}

/// A department the import would add or rename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentChange {
    pub code: String,
    pub name: String,
    /// The name before, for a rename; None for a new department.
    pub before: Option<String>,
}

/// What applying the file would do. Nothing has been written yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub file_name: String,
    pub row_count: u32,
    pub added: Vec<MatterSummary>,
    pub changed: Vec<MatterChange>,
    /// Matters of the hall that the file no longer lists; they would be retired.
    pub retired: Vec<MatterSummary>,
    pub unchanged: u32,
    pub departments: Vec<DepartmentChange>,
    /// Retired matters that are still bound to a window (the coverage audit will flag them).
    pub retired_still_bound: u32,
    /// Identifies this exact diff; apply refuses if the file or the catalog changed since.
    pub fingerprint: String,
}

/// What an applied import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    pub added: u32,
    pub changed: u32,
    pub retired: u32,
    pub unchanged: u32,
    pub departments: u32,
}

/// Where a long import stands, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportStage {
    Reading,
    Parsing,
    Comparing,
    Applying,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub stage: ImportStage,
    pub done: u32,
    pub total: u32,
}
