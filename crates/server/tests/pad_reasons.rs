//! The rating pad's reason tags (issue 18): the list a desktop syncs (`rating_reasons`) is what
//! `GET /pad` offers and the only reasons `POST /pad/ratings` takes; until one is synced, the
//! server's defaults. The push re-checks the author's role (值班长 and up) and core's rules.
//! Runs on SQLite, and on PostgreSQL when the test set-up provides one.

mod common;

use common::api::{each_backend, Fixture, AUTHOR};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn op(seq: i64, fields: Value, author: &str) -> Value {
    json!({ "seq": seq, "opId": format!("pc1-{seq}"), "hlc": format!("{:018}-00000-pc1", 1_000 + seq),
            "entity": "rating_reasons", "key": "hall", "change": { "kind": "upsert", "fields": fields },
            "author": author })
}

/// Pushes `ops`; the (seq, code) of each refused one.
async fn push(fx: &Fixture, ops: Vec<Value>) -> Vec<(i64, String)> {
    let body =
        json!({ "deviceId": "pc1", "schemaVersion": hallkeeper_proto::SYNC_SCHEMA_VERSION, "ops": ops });
    let (s, pushed) = fx.admin_post(&format!("/api/v1/admin/halls/{}/sync/push", fx.hall), body).await;
    assert_eq!(s, StatusCode::OK, "{pushed}");
    pushed["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["seq"].as_i64().unwrap(), r["code"].as_str().unwrap_or("").to_owned()))
        .collect()
}

/// A ticket of window A taken, called and finished: one the pad may rate.
async fn finished(fx: &Fixture, kiosk: &str, caller: &str) -> String {
    let (s, t) = fx.post(kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["ticket"]["id"].as_str().unwrap().to_owned();
    let (s, called) = fx.post(caller, "/api/v1/caller/next", json!(null)).await;
    assert_eq!(s, StatusCode::OK, "{called}");
    let (s, body) = fx.post(caller, &format!("/api/v1/caller/tickets/{id}/finish"), json!(null)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_list_is_what_the_pad_offers_and_takes() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let pad = fx.device("rating_pad", Some(&fx.window_a)).await;

        // Until a desktop syncs a list: the defaults, and a reason from them is taken.
        let (s, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(s, StatusCode::OK, "{view}");
        assert_eq!(view["reasonTags"][0], "等候时间长");
        assert_eq!(view["reasonTags"].as_array().map(Vec::len), Some(6));
        let t = finished(&fx, &kiosk, &caller).await;
        let rating = json!({ "ticketId": t, "level": "dissatisfied", "reasons": ["等候时间长"] });
        let (s, body) = fx.post(&pad, "/api/v1/pad/ratings", rating).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");

        // A 监督员 may not change it; core's rules hold on the server too.
        let (_, watcher) = fx.person("watch", json!([{ "hallId": fx.hall, "role": "supervisor" }])).await;
        let list = json!({ "document": { "tags": ["排队太久", "态度冷淡", "材料反复补"] } });
        let refused = push(
            &fx,
            vec![
                op(1, list.clone(), &watcher),
                op(2, json!({ "document": { "tags": ["重复", "重复"] } }), AUTHOR),
                op(3, json!({ "document": { "tags": [] } }), AUTHOR),
            ],
        )
        .await;
        let want: Vec<(i64, String)> =
            [(1, "access.forbidden"), (2, "sync.field_invalid"), (3, "sync.field_invalid")]
                .into_iter()
                .map(|(s, c)| (s, c.to_owned()))
                .collect();
        assert_eq!(refused, want);
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(view["reasonTags"].as_array().map(Vec::len), Some(6), "nothing refused was kept");

        // A 值班长's list: the pad offers it, in its order.
        let (_, lead) = fx.person("lead", json!([{ "hallId": fx.hall, "role": "shift_lead" }])).await;
        assert_eq!(push(&fx, vec![op(4, list, &lead)]).await, []);
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(view["reasonTags"], json!(["排队太久", "态度冷淡", "材料反复补"]), "{view}");

        // A reason of the old list, or of none, is refused at `reasons`; the list's own is taken.
        let t = finished(&fx, &kiosk, &caller).await;
        for reason in ["等候时间长", "随便写的"] {
            let rating = json!({ "ticketId": t, "level": "very_dissatisfied", "reasons": [reason] });
            let (s, e) = fx.post(&pad, "/api/v1/pad/ratings", rating).await;
            assert_eq!(
                (s, e["code"].as_str(), e["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("rating.reason_unknown"), Some("reasons")),
                "{e}"
            );
        }
        let rating =
            json!({ "ticketId": t, "level": "very_dissatisfied", "reasons": [" 态度冷淡"], "comment": "" });
        let (s, body) = fx.post(&pad, "/api/v1/pad/ratings", rating).await;
        assert_eq!((s, &body["reasons"]), (StatusCode::CREATED, &json!(["态度冷淡"])), "{body}");
        fx.stop().await;
    })
    .await;
}
