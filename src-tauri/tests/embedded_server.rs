//! The desktop's embedded central server: started from the data folder, fed the hall's
//! configuration from the local store over HTTP, and then serving a kiosk for it.

mod common;

use hallkeeper_client::{api_url, Api};
use hallkeeper_core::proto::{BindInput, BindingPriority};
use hallkeeper_desktop::hall_server::default_settings;
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

    let (link, _token, _) = common::embedded_signed_in(dir.path()).await;
    assert!(link.base_url().starts_with("http://127.0.0.1:"), "{}", link.base_url());
    link.push_config(&store.hall_config(default_settings()).unwrap()).await.unwrap();

    let created: Value =
        link.admin().post("devices", &json!({ "kind": "kiosk", "name": "一号取号机" })).await.unwrap();
    let kiosk = Api::new(created["token"].as_str().unwrap());
    let kiosk_url = |what| api_url(link.base_url(), ["api", "v1", "kiosk", what], None).unwrap();
    let listing: Value = kiosk.get(kiosk_url("matters")).await.unwrap();
    let offered: Vec<&str> = listing
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["matters"].as_array().unwrap())
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(offered, [matter.id.as_str()], "only the bound matter with an open window is offered");
    let issued: Value = kiosk.post(kiosk_url("tickets"), &json!({ "matterId": matter.id })).await.unwrap();
    assert_eq!(issued["ticket"]["number"], "A001", "{issued}");
}
