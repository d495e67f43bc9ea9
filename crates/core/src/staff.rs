//! Rules for staff records: employee numbers and names.

use crate::error::{Code, Rejection, Result};
use hallkeeper_proto::StaffInput;

pub const MAX_EMPLOYEE_NO_CHARS: usize = 20;
pub const MAX_NAME_CHARS: usize = 40;

/// Trims and checks a staff form; the employee number is upper-cased (工号 are case-blind).
pub fn validate(input: &StaffInput) -> Result<StaffInput> {
    let employee_no = input.employee_no.trim().to_ascii_uppercase();
    if employee_no.is_empty() {
        return Err(Rejection::new(Code::StaffEmployeeNoEmpty).field("employeeNo").into());
    }
    if employee_no.chars().count() > MAX_EMPLOYEE_NO_CHARS
        || !employee_no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(Rejection::new(Code::StaffEmployeeNoInvalid)
            .field("employeeNo")
            .arg("value", &employee_no)
            .arg("max", MAX_EMPLOYEE_NO_CHARS)
            .into());
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        return Err(Rejection::new(Code::StaffNameEmpty).field("name").into());
    }
    let len = name.chars().count();
    if len > MAX_NAME_CHARS {
        return Err(Rejection::new(Code::StaffNameTooLong)
            .field("name")
            .arg("max", MAX_NAME_CHARS)
            .arg("len", len)
            .into());
    }
    if name.chars().any(char::is_control) {
        return Err(Rejection::new(Code::StaffNameInvalid).field("name").into());
    }
    let department_id = input.department_id.as_ref().map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    Ok(StaffInput { employee_no, name, department_id })
}
