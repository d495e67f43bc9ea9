//! The desktop's embedded central server: started from the data folder, fed the hall's
//! configuration from the local store over HTTP, and then serving a kiosk for it.

mod common;

use hallkeeper_core::proto::{BindInput, BindingPriority};
use hallkeeper_desktop::hall_server::{default_settings, ServerLink};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisors_configuration_reaches_the_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::store_with_sample_catalog(dir.path());
    let w = common::open_window(&store, "A01");
    let matter = store.catalog().unwrap().matters.into_iter().find(|m| m.ticket_prefix == "A").unwrap();
    store
        .bind_matters(
            "t",
            &BindInput {
                window_id: w.id.clone(),
                matter_ids: vec![matter.id.clone()],
                priority: BindingPriority::Primary,
            },
        )
        .unwrap();

    let link = ServerLink::embedded(dir.path()).await.unwrap();
    assert!(link.base_url.starts_with("http://127.0.0.1:"), "{}", link.base_url);
    link.push_config(&store.hall_config(default_settings()).unwrap()).await.unwrap();

    let http = reqwest::Client::new();
    let devices = format!("{}/api/v1/admin/halls/{}/devices", link.base_url, link.hall_id);
    let created: Value = http
        .post(&devices)
        .bearer_auth(link.admin_token())
        .json(&json!({ "kind": "kiosk", "name": "一号取号机" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = created["token"].as_str().unwrap();
    let listing: Value = http
        .get(format!("{}/api/v1/kiosk/matters", link.base_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offered: Vec<&str> = listing
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["matters"].as_array().unwrap())
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(offered, [matter.id.as_str()], "only the bound matter with an open window is offered");
    let issued: Value = http
        .post(format!("{}/api/v1/kiosk/tickets", link.base_url))
        .bearer_auth(token)
        .json(&json!({ "matterId": matter.id }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(issued["ticket"]["number"], "A001", "{issued}");
}
