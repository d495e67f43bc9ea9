//! 窗口叫号: the window terminal's side of the caller API (docs/devices.md) — a person's sign-in
//! at a paired caller device with 工号 and password, the gate every caller route passes (the
//! terminal session beside the device token, and the audit entry naming the person for every
//! queue action), the terminal's screen, a chosen ticket called out of order, and the searchable
//! list of transfer targets. The caller's own handlers stay in `api::caller`.

use crate::accounts::normalize_login;
use crate::api::check_id;
use crate::api::params::{peer, write_audit, Caller, DeviceAs};
use crate::appointments::hall_day;
use crate::audit;
use crate::error::ApiError;
use crate::halls::HallRuntime;
use crate::json::ApiJson;
use crate::terminal::{self, rfc3339, SignInRule, TerminalSessionRecord};
use crate::AppState;
use axum::extract::{FromRequest, Path, Query, RawPathParams, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use hallkeeper_access::{verify_password, verify_unknown_account, AccessError, Capability};
use hallkeeper_proto::{
    Device, DeviceKind, MatterState, TerminalPerson, TerminalSession, TerminalSignIn, TerminalView,
    TerminalWindow, Ticket, TransferMatter, TransferTargets, TransferWindow, WindowState,
};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the gate found: the person signed in at the terminal, if any (None only where sign-in is
/// optional).
#[derive(Debug, Clone)]
pub struct Staffed(pub Option<TerminalSessionRecord>);

fn session_token(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    match headers.get(terminal::SESSION_HEADER) {
        None => Ok(None),
        Some(v) => {
            let t = v.to_str().map_err(|_| terminal::expired())?.trim();
            Ok((!t.is_empty()).then_some(t))
        }
    }
}

/// The terminal session of a request at this device: checked against the device, the account
/// still active (a disabled person is signed out at once, not at the day's end).
async fn staffed(state: &AppState, headers: &HeaderMap, device: &Device) -> Result<Staffed, ApiError> {
    let Some(token) = session_token(headers)? else {
        return match state.terminal_sign_in {
            SignInRule::Required => Err(terminal::sign_in_required()),
            SignInRule::Optional => Ok(Staffed(None)),
        };
    };
    let hash = hallkeeper_access::token_hash(token);
    let record = state.terminals.check(&hash, &device.id, (state.now)())?;
    let account = state.storage.accounts().account(&record.person.account_id).await?;
    if !account.is_some_and(|a| a.account.active) {
        state.terminals.revoke(&hash);
        return Err(terminal::expired());
    }
    Ok(Staffed(Some(record)))
}

/// The layer on every caller route (`api::router`): the device token and, per
/// [`SignInRule`], the person's terminal session; after a successful write, an audit entry
/// naming who did it (`terminal.<action>`, target the ticket, the window and 工号 after).
pub async fn gate(
    State(state): State<Arc<AppState>>,
    params: RawPathParams,
    mut req: Request,
    next: Next,
) -> Response {
    let device = match crate::auth::device(&state, req.headers(), &[DeviceKind::Caller]).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let who = match staffed(&state, req.headers(), &device).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let write = req.method() != Method::GET;
    let address = peer(req.extensions());
    let ticket = params.iter().find(|(k, _)| *k == "ticket_id").map(|(_, v)| v.to_owned());
    let action = req.uri().path().rsplit('/').next().unwrap_or_default().to_owned();
    req.extensions_mut().insert(who.clone());
    let response = next.run(req).await;
    if write && response.status().is_success() {
        let (account, name, employee_no) = match &who.0 {
            Some(s) => (
                Some(s.person.account_id.as_str()),
                s.person.display_name.as_str(),
                Some(&s.person.employee_no),
            ),
            None => (None, device.name.as_str(), None),
        };
        let mut entry = audit::entry(
            (state.now)(),
            account,
            name,
            &address,
            Some(&device.hall_id),
            &format!("terminal.{action}"),
        );
        if let Some(t) = &ticket {
            entry = entry.target(t);
        }
        let entry = entry
            .after(json!({ "windowId": device.window_id, "deviceId": device.id, "employeeNo": employee_no }));
        write_audit(&state, entry.build()).await;
    }
    response
}

fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "terminal.wrong_credentials",
        message: "工号或密码不正确".into(),
        field: Some("password".into()),
    }
}

fn window_of(device: &Device) -> Result<String, ApiError> {
    device.window_id.clone().ok_or(ApiError::WrongDevice)
}

/// `POST /api/v1/terminal/session` (device token): signs a person in at the terminal's window.
/// Throttled like a desktop sign-in (per 工号 in the hall, per address); an unknown 工号 costs the
/// same password work and gets the same answer as a wrong password. Every attempt is audited.
pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    req: Request,
) -> Result<Json<TerminalSession>, ApiError> {
    let address = peer(req.extensions());
    let ApiJson(input): ApiJson<TerminalSignIn> = ApiJson::from_request(req, &state).await?;
    let window_id = window_of(&device)?;
    let hall_id = device.hall_id.clone();
    let employee_no = input.employee_no.trim().to_owned();
    if employee_no.is_empty() || employee_no.chars().count() > 32 {
        return Err(ApiError::bad("terminal.employee_no_invalid", "employeeNo", "请输入工号"));
    }
    let now = (state.now)();
    let throttle_key = format!("terminal:{hall_id}:{}", normalize_login(&employee_no));
    let refused = |account: Option<&str>, name: &str, reason: &str| {
        audit::entry(now, account, name, &address, Some(&hall_id), "terminal.sign_in_refused")
            .target(&employee_no)
            .after(json!({ "reason": reason, "windowId": window_id, "deviceId": device.id }))
            .build()
    };
    if let Err(wait) = state.throttles.begin(&throttle_key, &address, now) {
        write_audit(&state, refused(None, &employee_no, "throttled")).await;
        return Err(ApiError::Throttled { seconds: wait.seconds });
    }
    let staff = state.storage.sync_rows(&hall_id, "staff", "").await?.into_iter().find(|(_, f)| {
        f.get("employeeNo").and_then(|v| v.as_str()).map(str::trim) == Some(employee_no.as_str())
    });
    let account = match &staff {
        Some((staff_id, _)) => {
            let accounts = state.storage.accounts().accounts(Some(&hall_id)).await?;
            match accounts.into_iter().find(|a| a.staff_id.as_deref() == Some(staff_id.as_str())) {
                Some(a) => state.storage.accounts().account(&a.id).await?,
                None => None,
            }
        }
        None => None,
    };
    let password = input.password;
    let hash = account.as_ref().map(|r| r.password_hash.clone());
    let verified = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            // The same work as a known account's, and the same answer.
            let _ = verify_unknown_account(&password);
            Ok(false)
        }
    })
    .await
    .map_err(|e| ApiError::Access(AccessError::HashFailed { reason: e.to_string() }))?;
    let (record, staff_id) = match (verified, account, staff) {
        (Ok(true), Some(r), Some((staff_id, _))) => (r, staff_id),
        (Err(e), r, _) => {
            tracing::error!(employee_no = %employee_no, "stored password hash unreadable: {e}");
            let a = r.as_ref().map(|r| &r.account);
            write_audit(
                &state,
                refused(
                    a.map(|a| a.id.as_str()),
                    a.map_or(employee_no.as_str(), |a| &a.display_name),
                    e.code(),
                ),
            )
            .await;
            return Err(ApiError::Access(e));
        }
        (_, r, _) => {
            state.throttles.failed(&address, now);
            let a = r.as_ref().map(|r| &r.account);
            write_audit(
                &state,
                refused(
                    a.map(|a| a.id.as_str()),
                    a.map_or(employee_no.as_str(), |a| &a.display_name),
                    "wrong_credentials",
                ),
            )
            .await;
            return Err(wrong_credentials());
        }
    };
    state.throttles.succeeded(&throttle_key);
    let a = &record.account;
    let refuse = async |reason: &str, e: ApiError| {
        write_audit(&state, refused(Some(&a.id), &a.display_name, reason)).await;
        Err(e)
    };
    if !a.active {
        let e = ApiError::Forbidden {
            code: "session.account_disabled",
            message: "该账号已停用，请联系管理员".into(),
        };
        return refuse("account_disabled", e).await;
    }
    if a.must_change_password {
        let e = ApiError::Forbidden {
            code: "terminal.password_change_required",
            message: "请先在电脑端登录并修改密码，再登录窗口叫号".into(),
        };
        return refuse("password_change_required", e).await;
    }
    let Some(role) = terminal::highest_role(&a.grants, &hall_id)
        .filter(|_| hallkeeper_access::allows(&a.grants, &hall_id, Capability::UseWindowTerminal))
    else {
        let e = ApiError::Forbidden {
            code: "terminal.no_role",
            message: "该账号在本大厅没有窗口人员角色".into(),
        };
        return refuse("no_role", e).await;
    };
    let seated = crate::seating::seated_staff_id(state.storage.as_ref(), &hall_id, hall_day(now), &window_id)
        .await?
        .is_some_and(|seated| seated == staff_id);
    if !seated && !terminal::may_sign_in_unseated(&a.grants, &hall_id) {
        let e = ApiError::Forbidden {
            code: "terminal.not_seated",
            message: "今天的座位表没有安排你在本窗口，请联系值班长".into(),
        };
        return refuse("not_seated", e).await;
    }
    let token = format!("{}{}", terminal::TOKEN_PREFIX, hallkeeper_access::new_session_token()?.token);
    let absolute = terminal::absolute_end(now);
    let person = TerminalPerson {
        account_id: a.id.clone(),
        display_name: a.display_name.clone(),
        employee_no: employee_no.clone(),
        staff_id,
        role,
        seated,
        expires_at: rfc3339(absolute),
    };
    let session = TerminalSessionRecord {
        device_id: device.id.clone(),
        hall_id: hall_id.clone(),
        window_id: window_id.clone(),
        person: person.clone(),
        idle_expires_at: (now + terminal::IDLE).min(absolute),
        absolute_expires_at: absolute,
    };
    let replaced = state.terminals.open(hallkeeper_access::token_hash(&token), session, now);
    let entry = audit::entry(now, Some(&a.id), &a.display_name, &address, Some(&hall_id), "terminal.sign_in")
        .target(&employee_no)
        .after(
            json!({ "windowId": window_id, "deviceId": device.id, "seated": seated, "replaced": replaced }),
        );
    write_audit(&state, entry.build()).await;
    Ok(Json(TerminalSession { token, person, window_id }))
}

/// `DELETE /api/v1/terminal/session`: signs the terminal's person out (204; 401 when the session
/// had already ended).
pub async fn sign_out(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    req: Request,
) -> Result<StatusCode, ApiError> {
    let address = peer(req.extensions());
    let token = session_token(req.headers())?.ok_or_else(terminal::sign_in_required)?;
    let hash = hallkeeper_access::token_hash(token);
    let now = (state.now)();
    let record = state.terminals.check(&hash, &device.id, now)?;
    state.terminals.revoke(&hash);
    let p = &record.person;
    let entry = audit::entry(
        now,
        Some(&p.account_id),
        &p.display_name,
        &address,
        Some(&device.hall_id),
        "terminal.sign_out",
    )
    .target(&p.employee_no)
    .after(json!({ "windowId": record.window_id, "deviceId": device.id }));
    write_audit(&state, entry.build()).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/terminal/session`: who is signed in with this token (401 when nobody).
pub async fn me(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    headers: HeaderMap,
) -> Result<Json<TerminalPerson>, ApiError> {
    match staffed(&state, &headers, &device).await?.0 {
        Some(s) => Ok(Json(s.person)),
        None => Err(terminal::sign_in_required()),
    }
}

/// `GET /api/v1/terminal/window` (device token): the hall and window the sign-in screen names.
pub async fn window(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
) -> Result<Json<TerminalWindow>, ApiError> {
    let window_id = window_of(&device)?;
    let required = state.terminal_sign_in == SignInRule::Required;
    let w = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| {
            let w = rt.config.windows.iter().find(|w| w.id == window_id).ok_or_else(|| {
                ApiError::Queue(hallkeeper_queue::QueueError::WindowNotFound(window_id.clone()))
            })?;
            Ok(TerminalWindow {
                hall_name: rt.hall.name.clone(),
                window_id: w.id.clone(),
                window_number: w.number.clone(),
                window_name: w.name.clone(),
                sign_in_required: required,
            })
        })
        .await?;
    Ok(Json(w))
}

/// How many tickets the terminal lists to choose from.
const WAITING_LIST: usize = 50;

fn terminal_view(
    rt: &HallRuntime,
    window_id: &str,
    who: &Staffed,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<TerminalView, ApiError> {
    let window =
        rt.config.windows.iter().find(|w| w.id == window_id).ok_or_else(|| {
            ApiError::Queue(hallkeeper_queue::QueueError::WindowNotFound(window_id.to_owned()))
        })?;
    let q = &rt.queue;
    let current = q.current(window_id).cloned();
    let waiting_list: Vec<Ticket> = q.queue_of(window_id)?.take(WAITING_LIST).cloned().collect();
    let parked: Vec<Ticket> = q.parked_at(window_id).into_iter().cloned().collect();
    let names: BTreeMap<&str, &str> =
        rt.config.matters.iter().map(|m| (m.id.as_str(), m.name.as_str())).collect();
    let matter_names = current
        .iter()
        .chain(&waiting_list)
        .chain(&parked)
        .filter_map(|t| names.get(t.matter_id.as_str()).map(|n| (t.matter_id.clone(), (*n).to_owned())))
        .collect();
    // The queue's own copy of the state: a pause is applied there first.
    let state = q.config().windows.iter().find(|w| w.id == window_id).map_or(window.state, |w| w.state);
    Ok(TerminalView {
        window_id: window_id.to_owned(),
        window_number: window.number.clone(),
        window_name: window.name.clone(),
        window_state: state,
        current,
        matter_names,
        waiting: u32::try_from(q.queue_len(window_id)?).unwrap_or(u32::MAX),
        waiting_list,
        parked,
        max_recalls: q.config().settings.max_recalls,
        person: who.0.as_ref().map(|s| s.person.clone()),
        now: rfc3339(now),
    })
}

/// `GET /api/v1/caller/terminal`: the terminal's screen.
pub async fn view(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    Extension(who): Extension<Staffed>,
) -> Result<Json<TerminalView>, ApiError> {
    let window_id = window_of(&device)?;
    let now = (state.now)();
    let v = state
        .halls
        .with(&*state.storage, &device.hall_id, now, async |rt| terminal_view(rt, &window_id, &who, now))
        .await?;
    Ok(Json(v))
}

/// `POST /api/v1/caller/tickets/{ticketId}/call`: calls a chosen waiting ticket of the window's
/// queue out of order (`HallQueue::call_chosen`). A parked one comes back with `…/resume`.
pub async fn call_chosen(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    Path(ticket_id): Path<String>,
) -> Result<Json<Ticket>, ApiError> {
    let window_id = window_of(&device)?;
    check_id("ticketId", &ticket_id)?;
    let t = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| {
            let event = rt.queue.call_chosen(&window_id, &ticket_id, (state.now)())?;
            rt.record(&*state.storage, event).await?;
            rt.queue.ticket(&ticket_id).cloned().ok_or_else(|| {
                ApiError::Queue(hallkeeper_queue::QueueError::TicketNotFound(ticket_id.clone()))
            })
        })
        .await?;
    Ok(Json(t))
}

#[derive(Debug, serde::Deserialize)]
pub struct TargetQuery {
    #[serde(default)]
    q: String,
}

fn matches(q: &str, fields: &[&str]) -> bool {
    q.is_empty() || fields.iter().any(|f| f.to_lowercase().contains(q))
}

/// `GET /api/v1/caller/transfer-targets?q=`: where the current ticket can go — matters a kiosk
/// would ticket now (with their department and waiting count) and the other windows that are
/// open — filtered by `q` on name, number, code or id.
pub async fn transfer_targets(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    Query(query): Query<TargetQuery>,
) -> Result<Json<TransferTargets>, ApiError> {
    let window_id = window_of(&device)?;
    let q = query.q.trim().to_lowercase();
    if q.chars().count() > 50 {
        return Err(ApiError::bad("request.query_too_long", "q", "搜索词太长"));
    }
    let targets = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| {
            let totals = hallkeeper_queue::derived::matter_totals(&rt.queue);
            let departments: BTreeMap<&str, &str> =
                rt.config.departments.iter().map(|d| (d.id.as_str(), d.name.as_str())).collect();
            let matters = rt
                .config
                .matters
                .iter()
                .filter(|m| m.state == MatterState::Active && rt.queue.refusal(&m.id).is_none())
                .filter(|m| matches(&q, &[&m.name, &m.id, &m.catalog_code]))
                .map(|m| TransferMatter {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    department_name: departments
                        .get(m.department_id.as_str())
                        .map_or_else(String::new, |d| (*d).to_owned()),
                    waiting: totals.iter().find(|t| t.matter_id == m.id).map_or(0, |t| t.counts.waiting),
                })
                .collect();
            let mut windows = Vec::new();
            for w in rt.queue.config().windows.iter() {
                if w.id == window_id || w.state != WindowState::Open {
                    continue;
                }
                let name = rt.config.windows.iter().find(|c| c.id == w.id).map_or("", |c| c.name.as_str());
                if !matches(&q, &[&w.number, name, &w.id]) {
                    continue;
                }
                windows.push(TransferWindow {
                    id: w.id.clone(),
                    number: w.number.clone(),
                    name: name.to_owned(),
                    state: w.state,
                    waiting: u32::try_from(rt.queue.queue_len(&w.id)?).unwrap_or(u32::MAX),
                });
            }
            Ok(TransferTargets { matters, windows })
        })
        .await?;
    Ok(Json(targets))
}
