//! Request checks that more than one kind of caller's handlers share: the administrator and the
//! hall a path names (as extractors, before any body), a mobile number given with a ticket or a
//! booking, the SMS rules of a hall's configuration.

use crate::api::check_id;
use crate::auth;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use hallkeeper_proto::{Device, DeviceKind, Hall, SmsRuleSet};
use hallkeeper_sms::rules::RuleSetExt as _;
use std::marker::PhantomData;
use std::sync::Arc;

/// The hall a path names, or `hall.not_found`.
pub(crate) async fn hall_exists(state: &AppState, hall_id: &str) -> Result<Hall, ApiError> {
    check_id("hallId", hall_id)?;
    state
        .storage
        .hall(hall_id)
        .await?
        .ok_or_else(|| ApiError::NotFound { code: "hall.not_found", what: format!("大厅 {hall_id}") })
}

/// The administrator, authenticated from the request's head: as an extractor before the body's,
/// no body is read for a caller without the admin token.
pub struct Admin;

impl FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        auth::admin(state, &parts.headers)?;
        Ok(Admin)
    }
}

/// The hall an administrator's request names (`{hall_id}` in the path): the admin token checked
/// first, then the id, then the hall loaded (`hall.not_found`), all before the body is read.
pub struct AdminHall {
    pub id: String,
    pub hall: Hall,
}

impl FromRequestParts<Arc<AppState>> for AdminHall {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        auth::admin(state, &parts.headers)?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad("request.path_invalid", "hallId", e.body_text()))?;
        let id = params.iter().find(|(k, _)| *k == "hall_id").map(|(_, v)| v.to_owned()).unwrap_or_default();
        let hall = hall_exists(state, &id).await?;
        Ok(AdminHall { id, hall })
    }
}

/// What a device extractor requires: the one kind of device an endpoint serves.
pub trait Kind {
    const KIND: DeviceKind;
}

macro_rules! kinds {
    ($($name:ident => $kind:ident),* $(,)?) => {
        $(
            pub struct $name;
            impl Kind for $name {
                const KIND: DeviceKind = DeviceKind::$kind;
            }
        )*
    };
}

kinds!(Kiosk => Kiosk, Caller => Caller, Pad => RatingPad, Display => Display, Online => Online);

/// The device calling, of kind `K`, authenticated by its token from the request's head: as an
/// extractor before the body's, no body is read for a caller without a valid token.
pub struct DeviceAs<K>(pub Device, pub PhantomData<K>);

impl<K: Kind> FromRequestParts<Arc<AppState>> for DeviceAs<K> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        Ok(DeviceAs(auth::device(state, &parts.headers, &[K::KIND]).await?, PhantomData))
    }
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
