//! The admin client's device calls against the real server on loopback (SQLite in a temporary
//! folder): add a kiosk with a pairing code, the device pairs over HTTP, list (last seen), rename,
//! new code (token rotated), revoke (next request 401); refusals come back with their codes.

mod common;

use hallkeeper_client::ClientError;
use hallkeeper_core::proto::{DeviceCreated, DeviceInput, DeviceKind, DeviceUpdate, HallConfig, PairDevice};

const ADMIN: &str = "devices-test-admin";

fn config() -> HallConfig {
    serde_json::from_value(serde_json::json!({
        "windows": [{ "id": "w-a", "number": "A01", "name": "A01窗口", "zone": "", "kind": "general",
                      "state": "open", "position": 0, "createdAt": "2026-11-25T00:00:00.000Z", "updatedAt": "2026-11-25T00:00:00.000Z" }],
        "departments": [{ "id": "d-pol", "code": "D-POL", "name": "成都市公安局" }],
        "matters": [{ "id": "m-id", "catalogCode": "M-ID", "name": "居民身份证换领", "departmentId": "d-pol", "matterType": "公共服务",
                      "required": true, "timeLimitDays": 0, "ticketPrefix": "A", "state": "active" }],
        "bindings": [{ "windowId": "w-a", "matterId": "m-id", "priority": "primary" }],
        "settings": { "maxRecalls": 2, "fallbackPrefix": "Z" }
    }))
    .unwrap()
}

async fn pair(http: &reqwest::Client, base: &str, code: &str) -> DeviceCreated {
    let resp = http
        .post(format!("{base}/api/v1/devices/pair"))
        .json(&PairDevice { code: code.to_owned() })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

async fn take_ticket(http: &reqwest::Client, base: &str, token: &str) -> u16 {
    let req = http.post(format!("{base}/api/v1/kiosk/tickets")).bearer_auth(token);
    common::status(req.json(&serde_json::json!({ "matterId": "m-id" }))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_is_paired_renamed_repaired_and_revoked_through_the_admin_client() {
    let (_dir, running, base, admin) = common::server(ADMIN, "hall-1").await;
    admin.ensure_hall("成都市政务服务中心").await.unwrap();
    admin.put_config(&config()).await.unwrap();
    let http = reqwest::Client::new();

    let input = DeviceInput { kind: DeviceKind::Kiosk, name: "一号取号机".into(), window_id: None };
    let code = admin.add_device_for_pairing(&input).await.unwrap();
    assert_eq!(code.code.len(), 8);
    let id = code.device.id.clone();
    let paired = pair(&http, &base, &code.code).await;
    assert_eq!(take_ticket(&http, &base, &paired.token).await, 201);

    let listed = admin.devices().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_seen_at.is_some(), "{listed:?}");

    let renamed = admin
        .update_device(&id, &DeviceUpdate { name: Some("大厅东门取号机".into()), window_id: None })
        .await
        .unwrap();
    assert_eq!(renamed.name, "大厅东门取号机");
    let refused = admin
        .update_device(&id, &DeviceUpdate { name: None, window_id: Some("w-a".into()) })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "device.window_not_applicable", "{refused:?}");

    let again = admin.new_pairing_code(&id).await.unwrap();
    let repaired = pair(&http, &base, &again.code).await;
    assert_eq!(take_ticket(&http, &base, &paired.token).await, 401, "the old token stops working");
    assert_eq!(take_ticket(&http, &base, &repaired.token).await, 201);

    admin.revoke_device(&id).await.unwrap();
    assert_eq!(take_ticket(&http, &base, &repaired.token).await, 401);
    assert!(admin.devices().await.unwrap()[0].revoked_at.is_some());
    let gone: ClientError = admin.revoke_device("no-such-device").await.unwrap_err();
    assert_eq!(gone.code(), "device.not_found", "{gone:?}");
    running.stop().await.unwrap();
}
