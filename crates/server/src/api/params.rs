//! Request checks that more than one kind of caller's handlers share: the hall a path names, a
//! mobile number given with a ticket or a booking, the SMS rules of a hall's configuration.

use crate::api::check_id;
use crate::error::ApiError;
use crate::AppState;
use hallkeeper_proto::{Hall, SmsRuleSet};
use hallkeeper_sms::rules::RuleSetExt as _;

/// The hall a path names, or `hall.not_found`.
pub(crate) async fn hall_exists(state: &AppState, hall_id: &str) -> Result<Hall, ApiError> {
    check_id("hallId", hall_id)?;
    state
        .storage
        .hall(hall_id)
        .await?
        .ok_or_else(|| ApiError::NotFound { code: "hall.not_found", what: format!("大厅 {hall_id}") })
}

/// Mainland mobile numbers: 11 digits starting 13–19.
pub(crate) fn valid_mobile(phone: &str) -> bool {
    phone.len() == 11
        && phone.starts_with('1')
        && phone.as_bytes()[1].is_ascii_digit()
        && phone.as_bytes()[1] >= b'3'
        && phone.bytes().all(|b| b.is_ascii_digit())
}

/// The hall configuration's rules, refused with the first problem's field (`sms.rules[2].template`).
pub(crate) fn check_rules(rules: &SmsRuleSet) -> Result<(), ApiError> {
    rules.validate().map_err(|e| ApiError::BadRequest {
        code: e.code(),
        message: format!("短信提醒规则有误：{e}"),
        field: Some(e.field().map_or_else(|| "sms".to_owned(), |f| format!("sms.{f}"))),
    })
}
