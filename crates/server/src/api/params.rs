//! Request checks that more than one kind of caller's handlers share: the admin routes' guard
//! (who calls, what the route needs of them, the hall its path names — all before any body is
//! read — and the audit entry of a write), the extractors handlers get its findings through, a
//! mobile number given with a ticket or a booking, the SMS rules of a hall's configuration.

use crate::accounts::{Actor, Principal};
use crate::api::check_id;
use crate::audit::{self, AuditDetail};
use crate::auth;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hallkeeper_access::Capability;
use hallkeeper_proto::{Device, DeviceKind, Hall, SmsRuleSet};
use hallkeeper_sms::rules::RuleSetExt as _;
use std::marker::PhantomData;
use std::net::SocketAddr;
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

/// What an admin route requires of its caller: a signed-in person (`Signed`), a server-wide
/// capability (`Server`, 系统管理员's), or a capability in the hall its path names (`Hall`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Signed,
    Server(Capability),
    Hall(Capability),
}

impl Need {
    pub fn capability(self) -> Option<Capability> {
        match self {
            Need::Signed => None,
            Need::Server(c) | Need::Hall(c) => Some(c),
        }
    }
}

/// One admin route: its method, path (axum's syntax), what it needs and the audit action its
/// writes are logged under. `api::ADMIN_ROUTES` lists every one; the router is built from the
/// same table, so a route cannot be registered without its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub need: Need,
    pub action: &'static str,
}

/// What the guard found, for the handler: who calls and, on a hall's routes, the hall.
#[derive(Debug, Clone)]
pub struct Checked {
    pub principal: Principal,
    pub hall: Option<Hall>,
}

/// The peer address of a request (`axum::serve` with connect info, as `start` runs it); `unknown`
/// when served another way (a router driven directly).
pub(crate) fn peer(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ConnectInfo(a)| a.ip().to_string())
}

/// The route guard, a layer on every admin route (`api::router`): authenticates the caller from
/// the request's head (before any body is read), checks the route's [`Need`] — 403
/// `access.forbidden` naming the capability, checked before the hall is looked up so a hall the
/// caller has no role in is not told to exist — then the hall (`hall.not_found`). After the
/// handler, every successful write (and every use of the break-glass token) goes into the audit
/// log with the handler's [`AuditDetail`], if it left one.
pub async fn guard(
    State((state, route)): State<(Arc<AppState>, &'static AdminRoute)>,
    params: RawPathParams,
    mut req: Request,
    next: Next,
) -> Response {
    let address = peer(req.extensions());
    let principal = match auth::principal(&state, req.headers(), address, false).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let param = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_owned());
    let hall_id = param("hall_id");
    let checked = match check_need(&state, &principal, route, hall_id.as_deref()).await {
        Ok(hall) => Checked { principal: principal.clone(), hall },
        Err(e) => {
            if matches!(e, ApiError::Forbidden { .. }) {
                let entry = audit::entry((state.now)(), principal.account_id(), principal.actor_name(), &principal.address, hall_id.as_deref(), "access.forbidden")
                    .target(&format!("{} {}", route.method, route.path))
                    .after(serde_json::json!({ "action": route.action, "need": route.need.capability().map(Capability::as_str) }));
                write_audit(&state, entry.build()).await;
            }
            return e.into_response();
        }
    };
    let write = req.method() != Method::GET;
    req.extensions_mut().insert(checked);
    let mut response = next.run(req).await;
    let break_glass = principal.actor == Actor::BreakGlass;
    if response.status().is_success() && (write || break_glass) {
        let detail = response.extensions_mut().remove::<AuditDetail>().unwrap_or_default();
        // What the path names after the hall (a device, an account), unless the handler said.
        let target = params.iter().filter(|(k, _)| *k != "hall_id").map(|(_, v)| v.to_owned()).last();
        let mut entry = audit::entry(
            (state.now)(),
            principal.account_id(),
            principal.actor_name(),
            &principal.address,
            hall_id.as_deref(),
            route.action,
        );
        if let Some(t) = &target {
            entry = entry.target(t);
        }
        write_audit(&state, entry.detail(detail).build()).await;
    }
    response
}

/// Appends to the audit log; a failure is logged, not answered (the action itself is done).
pub(crate) async fn write_audit(state: &AppState, entry: crate::storage::accounts::NewAuditEntry) {
    if let Err(e) = state.storage.accounts().append_audit(&entry).await {
        tracing::error!(action = %entry.action, "audit entry not written: {e}");
    }
}

async fn check_need(
    state: &AppState,
    principal: &Principal,
    route: &AdminRoute,
    hall_id: Option<&str>,
) -> Result<Option<Hall>, ApiError> {
    match route.need {
        Need::Signed => Ok(None),
        Need::Server(cap) => {
            if principal.allows("", cap) {
                Ok(None)
            } else {
                Err(forbidden(cap))
            }
        }
        Need::Hall(cap) => {
            let id = hall_id.unwrap_or_default();
            check_id("hallId", id)?;
            if !principal.allows(id, cap) {
                return Err(forbidden(cap));
            }
            Ok(Some(hall_exists(state, id).await?))
        }
    }
}

/// 403 `access.forbidden`, naming the capability the caller lacks.
pub fn forbidden(cap: Capability) -> ApiError {
    ApiError::Forbidden {
        code: "access.forbidden",
        message: format!("你没有此操作的权限（{}）", cap.as_str()),
    }
}

/// What the guard put in the request: fails closed (401) on a route registered without it.
fn checked(parts: &Parts) -> Result<Checked, ApiError> {
    parts.extensions.get::<Checked>().cloned().ok_or(ApiError::TokenMissing)
}

/// The caller of an admin route without a hall, as the guard checked them.
pub struct Admin(pub Principal);

impl FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &Arc<AppState>) -> Result<Self, ApiError> {
        Ok(Admin(checked(parts)?.principal))
    }
}

/// The hall an admin route's path names (`{hall_id}`) and its caller, as the guard checked them.
pub struct AdminHall {
    pub id: String,
    pub hall: Hall,
    pub who: Principal,
}

impl FromRequestParts<Arc<AppState>> for AdminHall {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &Arc<AppState>) -> Result<Self, ApiError> {
        let c = checked(parts)?;
        let hall = c.hall.ok_or(ApiError::TokenMissing)?;
        Ok(AdminHall { id: hall.id.clone(), hall, who: c.principal })
    }
}

/// A signed-in person on the session routes (`GET`/`DELETE /session`, the password change): a
/// session, not the break-glass token; allowed while a password change is pending.
pub struct Person {
    pub principal: Principal,
    pub account: hallkeeper_proto::Account,
    pub session_hash: String,
}

impl FromRequestParts<Arc<AppState>> for Person {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let principal = auth::principal(state, &parts.headers, peer(&parts.extensions), true).await?;
        match &principal.actor {
            Actor::Person { account, session_hash } => {
                let (account, session_hash) = (account.clone(), session_hash.clone());
                Ok(Person { principal, account, session_hash })
            }
            Actor::BreakGlass => Err(ApiError::TokenInvalid),
        }
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
