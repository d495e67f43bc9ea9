//! The HTTP API, one module per kind of caller (`appointments` is the online booking channel's).
//! Each handler authenticates, validates, runs one operation on the hall's live queue (or
//! storage), and answers with proto types.

pub mod accounts;
pub mod admin;
pub mod appointments;
pub mod caller;
pub mod device_front;
pub mod device_stream;
pub mod devices;
pub mod display;
pub mod kiosk;
pub mod pad;
pub mod params;
pub mod session;
pub mod sms;
pub mod sync;
pub mod terminal;

use crate::error::ApiError;
use crate::AppState;
use axum::routing::{delete, get, post, put};
use axum::Router;
use hallkeeper_access::Capability as C;
pub use params::{AdminRoute, Need};
use std::sync::Arc;
use Need::{Hall, Server, Signed};

/// Declares every admin route once: the router registers each behind the guard with its
/// [`Need`], and [`ADMIN_ROUTES`] lists them (the docs, the role × route test). A route added
/// anywhere else has no guard, and its handler's extractors refuse it (fail closed); the test
/// also reads this file and fails on an admin path outside the table.
macro_rules! admin_routes {
    ($($method:ident $path:literal => $handler:expr, $need:expr, $action:literal;)*) => {
        /// Every admin route, with what it needs of its caller.
        pub const ADMIN_ROUTES: &[AdminRoute] = &[
            $(AdminRoute { method: admin_routes!(@upper $method), path: $path, need: $need, action: $action },)*
        ];

        fn admin_router(state: &Arc<AppState>) -> Router<Arc<AppState>> {
            let mut router = Router::new();
            $(
                {
                    const ROUTE: &AdminRoute =
                        &AdminRoute { method: admin_routes!(@upper $method), path: $path, need: $need, action: $action };
                    let guard = axum::middleware::from_fn_with_state((state.clone(), ROUTE), params::guard);
                    router = router.route($path, axum::routing::$method($handler).layer(guard));
                }
            )*
            router
        }
    };
    (@upper get) => { "GET" };
    (@upper post) => { "POST" };
    (@upper put) => { "PUT" };
    (@upper patch) => { "PATCH" };
    (@upper delete) => { "DELETE" };
}

admin_routes! {
    post "/api/v1/admin/halls" => admin::create_hall, Server(C::ManageHalls), "hall.create";
    get "/api/v1/admin/halls" => admin::halls, Signed, "hall.list";
    put "/api/v1/admin/halls/{hall_id}/config" => admin::put_config, Hall(C::EditWindows), "config.put";
    get "/api/v1/admin/halls/{hall_id}/config" => admin::config, Hall(C::ReadHall), "config.get";
    post "/api/v1/admin/halls/{hall_id}/devices" => devices::add_device, Hall(C::ManageDevices), "device.add";
    get "/api/v1/admin/halls/{hall_id}/devices" => devices::devices, Hall(C::ManageDevices), "device.list";
    delete "/api/v1/admin/halls/{hall_id}/devices/{device_id}" => devices::revoke_device, Hall(C::ManageDevices), "device.revoke";
    patch "/api/v1/admin/halls/{hall_id}/devices/{device_id}" => devices::update_device, Hall(C::ManageDevices), "device.update";
    post "/api/v1/admin/halls/{hall_id}/devices/{device_id}/pairing" => devices::repair, Hall(C::ManageDevices), "device.pairing_code";
    post "/api/v1/admin/halls/{hall_id}/pairings" => devices::add_pairing, Hall(C::ManageDevices), "device.add_for_pairing";
    get "/api/v1/admin/halls/{hall_id}/tickets" => admin::tickets, Hall(C::ReadDashboard), "ticket.list";
    post "/api/v1/admin/halls/{hall_id}/queue/move-waiting" => admin::move_waiting, Hall(C::MoveWaiting), "queue.move_waiting";
    get "/api/v1/admin/halls/{hall_id}/ratings" => admin::ratings, Hall(C::ReadRatings), "rating.list";
    put "/api/v1/admin/halls/{hall_id}/appointment-slots" => admin::put_slots, Hall(C::EditAppointmentSlots), "appointment_slots.put";
    get "/api/v1/admin/halls/{hall_id}/appointment-slots" => admin::slots, Hall(C::ReadAppointments), "appointment_slots.get";
    get "/api/v1/admin/halls/{hall_id}/appointments" => admin::appointments, Hall(C::ReadAppointments), "appointment.list";
    get "/api/v1/admin/halls/{hall_id}/sms/outbox" => sms::outbox, Hall(C::ReadSms), "sms.outbox";
    get "/api/v1/admin/halls/{hall_id}/sms/counts" => sms::counts, Hall(C::ReadSms), "sms.counts";
    get "/api/v1/admin/halls/{hall_id}/sms/status" => sms::status, Hall(C::ReadSms), "sms.status";
    post "/api/v1/admin/halls/{hall_id}/sms/test" => sms::test, Hall(C::SendTestSms), "sms.test";
    post "/api/v1/admin/halls/{hall_id}/sync/push" => sync::push, Hall(C::ReadHall), "sync.push";
    get "/api/v1/admin/halls/{hall_id}/sync/pull" => sync::pull, Hall(C::ReadHall), "sync.pull";
    get "/api/v1/admin/halls/{hall_id}/sync/events" => sync::events, Hall(C::ReadHall), "sync.events";
    get "/api/v1/admin/halls/{hall_id}/sync/ratings" => sync::ratings, Hall(C::ReadHall), "sync.ratings";
    get "/api/v1/admin/halls/{hall_id}/sync/stream" => sync::stream, Hall(C::ReadHall), "sync.stream";
    put "/api/v1/admin/halls/{hall_id}/sync/evidence/{sha256}" => sync::upload, Hall(C::WorkCases), "sync.evidence_upload";
    get "/api/v1/admin/halls/{hall_id}/sync/evidence/{sha256}" => sync::download, Hall(C::ReadCases), "sync.evidence_download";
    get "/api/v1/admin/accounts" => accounts::list_all, Server(C::ManageAllAccounts), "account.list";
    post "/api/v1/admin/accounts" => accounts::create_any, Server(C::ManageAllAccounts), "account.create";
    patch "/api/v1/admin/accounts/{account_id}" => accounts::update_any, Server(C::ManageAllAccounts), "account.update";
    post "/api/v1/admin/accounts/{account_id}/reset" => accounts::reset_any, Server(C::ManageAllAccounts), "account.reset";
    get "/api/v1/admin/halls/{hall_id}/accounts" => accounts::list_hall, Hall(C::ManageAccounts), "account.list";
    post "/api/v1/admin/halls/{hall_id}/accounts" => accounts::create_in_hall, Hall(C::ManageAccounts), "account.create";
    patch "/api/v1/admin/halls/{hall_id}/accounts/{account_id}" => accounts::update_in_hall, Hall(C::ManageAccounts), "account.update";
    post "/api/v1/admin/halls/{hall_id}/accounts/{account_id}/reset" => accounts::reset_in_hall, Hall(C::ManageAccounts), "account.reset";
    get "/api/v1/admin/halls/{hall_id}/audit" => accounts::hall_audit, Hall(C::ReadAudit), "audit.read";
    get "/api/v1/admin/audit" => accounts::server_audit, Server(C::ReadServerAudit), "audit.read_all";
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/session", post(session::sign_in).get(session::me).delete(session::sign_out))
        .route("/api/v1/session/password", put(session::change_password))
        .route("/api/v1/kiosk/matters", get(kiosk::matters))
        .route("/api/v1/kiosk/tickets", post(kiosk::take_ticket))
        .route("/api/v1/kiosk/checkins", post(kiosk::check_in))
        .route("/api/v1/kiosk/home", get(device_front::home))
        // No token: a phone following its ticket by the QR code (no personal data in the answer).
        .route("/api/v1/follow/{follow_id}", get(device_front::follow))
        .merge(caller_router(&state))
        // The terminal's sign-in itself needs only the device token.
        .route("/api/v1/terminal/session", post(terminal::sign_in).get(terminal::me))
        .route("/api/v1/terminal/session", delete(terminal::sign_out))
        .route("/api/v1/terminal/window", get(terminal::window))
        .route("/api/v1/pad", get(pad::show))
        .route("/api/v1/pad/events", get(pad::events))
        .route("/api/v1/pad/ratings", post(pad::rate))
        .route("/api/v1/display", get(display::feed))
        .route("/api/v1/display/announcements/{seq}", get(display::announcement))
        .route("/api/v1/display/events", get(display::events))
        .route("/api/v1/appointments", post(appointments::book))
        .route("/api/v1/appointments/slots", get(appointments::slots))
        .route("/api/v1/appointments/{code}", get(appointments::show).delete(appointments::cancel))
        // No token: the pairing code is the credential (throttled per address, `crate::pairing`).
        .route("/api/v1/devices/pair", post(devices::pair))
        .merge(admin_router(&state))
        .merge(crate::device_pages::Pages::embedded().router())
        .fallback(|| async {
            ApiError::NotFound { code: "request.no_such_endpoint", what: "该接口".into() }
        })
        .with_state(state)
}

/// The caller's routes, each behind the terminal gate (`terminal::gate`: the device token, the
/// person's terminal session when required, the audit entry of every action naming them).
fn caller_router(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/caller", get(caller::show))
        .route("/api/v1/caller/next", post(caller::call_next))
        .route("/api/v1/caller/window-state", put(caller::window_state))
        .route("/api/v1/caller/terminal", get(terminal::view))
        .route("/api/v1/caller/transfer-targets", get(terminal::transfer_targets))
        .route("/api/v1/caller/tickets/{ticket_id}/transfer", post(caller::transfer))
        .route("/api/v1/caller/tickets/{ticket_id}/finish-and-next", post(caller::finish_and_call_next))
        .route("/api/v1/caller/tickets/{ticket_id}/call", post(terminal::call_chosen))
        .route("/api/v1/caller/tickets/{ticket_id}/ask-rating", post(caller::ask_rating))
        .route("/api/v1/caller/tickets/{ticket_id}/{action}", post(caller::act))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), terminal::gate))
}

pub(crate) use crate::ids::check_id;
