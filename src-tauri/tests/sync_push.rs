//! The desktop's outbox reaches the central server over HTTP: every change once, acknowledged,
//! and a second "sync now" sends nothing new.

mod common;

use hallkeeper_core::proto::{BindInput, BindingPriority, WindowState};
use hallkeeper_desktop::hall_server::ServerLink;
use serde_json::Value;

async fn pulled(link: &ServerLink) -> Vec<Value> {
    let url = format!("{}/api/v1/admin/halls/{}/sync/pull?cursor=0&limit=5000", link.base_url, link.hall_id);
    let page: Value = reqwest::Client::new()
        .get(url)
        .bearer_auth(link.admin_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["changes"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_reaches_the_server_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::store_with_sample_catalog(dir.path());
    let w = common::open_window(&store, "A01");
    let m = store.catalog().unwrap().matters[0].id.clone();
    store
        .bind_matters(
            "t",
            &BindInput { window_id: w.id.clone(), matter_ids: vec![m], priority: BindingPriority::Primary },
        )
        .unwrap();
    let written = store.pending_ops(10_000).unwrap().len();
    assert_eq!(written, 15 + 347 + 1 + 1);

    let link = ServerLink::embedded(dir.path()).await.unwrap();
    link.sync_now(&store).await.unwrap();
    let status = store.outbox_status().unwrap();
    assert_eq!((status.pending, status.rejected), (0, 0), "{status:?}");
    let changes = pulled(&link).await;
    assert_eq!(changes.len(), written, "every operation once in the server's change log");
    let ids: Vec<i64> = changes.iter().map(|c| c["changeId"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|p| p[1] == p[0] + 1), "change ids without gaps");

    store.set_window_state("t", &w.id, WindowState::Paused).unwrap();
    link.sync_now(&store).await.unwrap();
    link.sync_now(&store).await.unwrap();
    let after = pulled(&link).await;
    assert_eq!(after.len(), written + 1, "one more change, sent once");
    assert_eq!(after.last().unwrap()["change"]["fields"]["state"], "paused");
}
