//! The supervisor's actions on the hall's live queue. The queue lives on the central server (the
//! embedded one by default), so these commands are HTTP calls to its admin API rather than store
//! calls; the events they cause come back to this desktop by sync, like the callers' events.

use crate::{AppState, CommandError};
use hallkeeper_client::{AdminClient, ClientError};
use hallkeeper_core::proto::{Locale, MoveWaitingOutcome, MoveWaitingRequest};
use hallkeeper_core::{notices, FailureCode};
use tauri::State;

/// 整队转移: sends every ticket waiting in the matter's queue to the window, each keeping its
/// number and place (the server's `POST /admin/halls/{hallId}/queue/move-waiting`). The
/// server's refusals arrive with its code and field (`queue.window_closed` on `toWindowId`,
/// `queue.nothing_to_move` on `matterId` …).
#[tauri::command]
pub async fn move_waiting_tickets(
    state: State<'_, AppState>,
    matter_id: String,
    to_window_id: String,
) -> Result<MoveWaitingOutcome, CommandError> {
    let locale = state.locale();
    let Some(link) = state.link().cloned() else {
        return Err(CommandError(notices::not_connected(locale, FailureCode::ServerNotConnected.as_str())));
    };
    let outcome = move_waiting(link.admin(), &matter_id, &to_window_id, locale).await?;
    tracing::info!(matter = %matter_id, window = %to_window_id, moved = outcome.moved, "waiting tickets moved");
    let (actor, ids) = (state.person()?, outcome.ticket_ids.clone());
    state.call(move |s| s.record_queue_move(&actor, &matter_id, &to_window_id, &ids)).await?;
    Ok(outcome)
}

/// The call, apart from Tauri's state so tests can make it against a server of their own.
pub async fn move_waiting(
    admin: &AdminClient,
    matter_id: &str,
    to_window_id: &str,
    locale: Locale,
) -> Result<MoveWaitingOutcome, CommandError> {
    let body = MoveWaitingRequest { matter_id: matter_id.to_owned(), to_window_id: to_window_id.to_owned() };
    admin.move_waiting(&body).await.map_err(|e| CommandError(said(e, locale)))
}

/// The server's refusal in the UI's language, or why there was none.
fn said(e: ClientError, locale: Locale) -> hallkeeper_core::proto::ErrorBody {
    if let Some(refusal) = e.server_error() {
        tracing::info!(code = %refusal.code, "move of waiting tickets refused");
        return notices::server_refusal(refusal, locale);
    }
    tracing::warn!("moving the waiting tickets failed: {e}");
    match e {
        ClientError::BadUrl { .. } => notices::server_url_invalid(locale),
        ClientError::Refused { status, .. } | ClientError::Unreadable { status, .. } => {
            notices::server_bad_answer(locale, status)
        }
        _ => notices::server_unreachable(locale),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hallkeeper_client::{api_url, halls_url, Api, Endpoint, Method};
    use hallkeeper_server::storage::sqlite::SqliteStorage;
    use hallkeeper_server::{start, system_now, AppState as ServerState};
    use serde_json::json;
    use std::sync::Arc;

    const TOKEN: &str = "hk_test-admin";

    fn admin(base: &str, hall_id: &str, token: &str) -> AdminClient {
        let endpoint = Endpoint {
            base_url: base.to_owned(),
            hall_id: hall_id.to_owned(),
            admin_token: token.to_owned(),
        };
        AdminClient::new(endpoint)
    }

    /// A server with hall `h1`: window A01 bound to 身份证 (m-id) and an idle open window C01,
    /// and two tickets for m-id waiting. Returns the server and its base URL.
    async fn server(dir: &std::path::Path) -> (hallkeeper_server::Running, String) {
        let storage = SqliteStorage::open(&dir.join("server.db")).unwrap();
        let state = Arc::new(ServerState::new(Arc::new(storage), system_now()).with_break_glass_token(TOKEN));
        let running = start(([127, 0, 0, 1], 0).into(), state).await.unwrap();
        let base = format!("http://{}", running.addr);
        let h1 = admin(&base, "h1", TOKEN);
        let hall = json!({ "id": "h1", "name": "测试大厅" });
        let r = h1.api().exchange(Method::Post, halls_url(&base).unwrap(), Some(&hall)).await.unwrap();
        assert_eq!(r.status, 201);
        let window = |id: &str, number: &str, position: i64| {
            json!({ "id": id, "number": number, "name": number, "zone": "", "kind": "general", "state": "open",
                    "position": position, "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z" })
        };
        let config = json!({
            "windows": [window("w-a", "A01", 0), window("w-c", "C01", 1)],
            "departments": [{ "id": "d", "code": "D", "name": "公安局" }],
            "matters": [{ "id": "m-id", "catalogCode": "M-ID", "name": "居民身份证换领", "departmentId": "d", "matterType": "",
                          "required": true, "timeLimitDays": 0, "ticketPrefix": "A", "state": "active" }],
            "bindings": [{ "windowId": "w-a", "matterId": "m-id", "priority": "primary" }],
            "settings": { "maxRecalls": 2, "fallbackPrefix": "A" }
        });
        let r = h1.exchange(Method::Put, "config", Some(&config)).await.unwrap();
        assert_eq!(r.status, 204);
        let kiosk: serde_json::Value =
            h1.post("devices", &json!({ "kind": "kiosk", "name": "取号机" })).await.unwrap();
        let device = Api::new(kiosk["token"].as_str().unwrap());
        let tickets = api_url(&base, ["api", "v1", "kiosk", "tickets"], None).unwrap();
        for _ in 0..2 {
            let r = device
                .exchange(Method::Post, tickets.clone(), Some(&json!({ "matterId": "m-id" })))
                .await
                .unwrap();
            assert_eq!(r.status, 201);
        }
        (running, base)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_move_reaches_the_server_and_its_refusals_come_back_as_command_errors() {
        let dir = tempfile::tempdir().unwrap();
        let (running, base) = server(dir.path()).await;

        let done = move_waiting(&admin(&base, "h1", TOKEN), "m-id", "w-c", Locale::ZhCn).await.unwrap();
        assert_eq!((done.moved, done.ticket_ids.len()), (2, 2));

        let again = move_waiting(&admin(&base, "h1", TOKEN), "m-id", "w-a", Locale::ZhCn).await.unwrap_err();
        assert_eq!(
            (again.0.code.as_str(), again.0.field.as_deref()),
            ("queue.nothing_to_move", Some("matterId"))
        );
        assert!(again.0.message.contains("没有排队等候"), "{}", again.0.message);
        let english =
            move_waiting(&admin(&base, "h1", TOKEN), "m-id", "w-nope", Locale::EnUs).await.unwrap_err();
        assert_eq!(
            (english.0.code.as_str(), english.0.field.as_deref(), english.0.message.as_str()),
            ("queue.window_not_found", Some("toWindowId"), "This hall has no such window")
        );
        let token =
            move_waiting(&admin(&base, "h1", "hk_wrong"), "m-id", "w-c", Locale::ZhCn).await.unwrap_err();
        assert_eq!(token.0.code, "auth.token_invalid");
        // A hall id is one path segment, whatever it holds.
        let odd =
            move_waiting(&admin(&base, "h1/queue", TOKEN), "m-id", "w-c", Locale::ZhCn).await.unwrap_err();
        assert_eq!(odd.0.code, "hall.not_found");

        running.stop().await.unwrap();
        let gone = move_waiting(&admin(&base, "h1", TOKEN), "m-id", "w-c", Locale::ZhCn).await.unwrap_err();
        assert_eq!(gone.0.code, "server.unreachable");
        let bad =
            move_waiting(&admin("not a url", "h1", TOKEN), "m-id", "w-c", Locale::EnUs).await.unwrap_err();
        assert_eq!(bad.0.code, "server.url_invalid");
    }
}
