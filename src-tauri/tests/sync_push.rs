//! Sync over real HTTP with the embedded server: the outbox reaches the server once, another
//! desktop's changes arrive by pull, and an unreachable or refusing server keeps every edit.

mod common;

use hallkeeper_core::proto::{BindInput, BindingPriority, SyncConnection, WindowState};
use hallkeeper_desktop::hall_server::ServerLink;
use serde_json::Value;

async fn pulled(link: &ServerLink) -> Vec<Value> {
    let page: Value = link.admin().get("sync/pull?cursor=0&limit=5000").await.unwrap();
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

    let (link, _token, admin) = common::embedded_signed_in(dir.path()).await;
    assert_eq!(store.adopt_unauthored_ops(&admin).unwrap() as usize, written);
    link.sync_now(&store).await.unwrap();
    let status = store.outbox_status().unwrap();
    assert_eq!((status.pending, status.rejected), (0, 0), "{status:?}");
    let changes = pulled(&link).await;
    assert_eq!(changes.len(), written, "every operation once in the server's change log");
    let ids: Vec<i64> = changes.iter().map(|c| c["changeId"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|p| p[1] == p[0] + 1), "change ids without gaps");

    store.set_window_state(&admin, &w.id, WindowState::Paused).unwrap();
    link.sync_now(&store).await.unwrap();
    link.sync_now(&store).await.unwrap();
    let after = pulled(&link).await;
    assert_eq!(after.len(), written + 1, "one more change, sent once");
    assert_eq!(after.last().unwrap()["change"]["fields"]["state"], "paused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_on_another_desktop_arrives_by_pull() {
    let dir1 = tempfile::tempdir().unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let pc1 = common::store_with_sample_catalog(dir1.path());
    let pc2 = common::store_with_sample_catalog(dir2.path());
    let w = common::open_window(&pc1, "A01");
    let (server, token, admin) = common::embedded_signed_in(dir1.path()).await;
    let other = common::remote(&server, &token).await;
    pc1.adopt_unauthored_ops(&admin).unwrap();
    pc2.adopt_unauthored_ops(&admin).unwrap();
    server.sync_now(&pc1).await.unwrap();
    // (The client's own loops may pull first: what counts is what the store holds after.)
    other.sync_now(&pc2).await.unwrap();
    assert_eq!(pc2.get_window(&w.id).unwrap().number, "A01", "PC1's window is on PC2");
    assert_eq!(pc2.catalog().unwrap().matters.len(), 347, "one catalog imported twice is one set of rows");

    pc2.set_window_state(&admin, &w.id, WindowState::Paused).unwrap();
    other.sync_now(&pc2).await.unwrap();
    server.sync_now(&pc1).await.unwrap();
    assert_eq!(pc1.get_window(&w.id).unwrap().state, WindowState::Paused, "PC2's pause is on PC1");
    let status = other.start_sync(pc2.clone()).status();
    assert_eq!((status.connection, status.pending), (SyncConnection::Online, 0), "{status:?}");
    assert!(status.last_sync_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_or_refusing_server_keeps_the_edits_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::store_with_sample_catalog(dir.path());
    // A port nothing listens on: bind one, note it, free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gone = ServerLink::remote(
        &format!("http://127.0.0.1:{port}"),
        "local",
        hallkeeper_client::Credential::new("hks_token"),
    )
    .await
    .unwrap();
    let err = gone.sync_now(&store).await.unwrap_err();
    assert!(err.retryable(), "{err}");
    let status = gone.start_sync(store.clone()).status();
    assert_eq!(status.connection, SyncConnection::Offline);
    assert!(status.pending > 0, "the edits wait in the outbox");
    assert!(status.last_error.unwrap().contains("连不上"), "said in the supervisor's words");

    let (server, _token, _) = common::embedded_signed_in(dir.path()).await;
    let wrong = common::remote(&server, "hks_not-a-session").await;
    let err = wrong.sync_now(&store).await.unwrap_err();
    assert!(!err.retryable(), "a refusal is not retried blindly: {err}");
    assert_eq!(wrong.start_sync(store.clone()).status().connection, SyncConnection::Refused);
    assert!(store.outbox_status().unwrap().pending > 0, "nothing is dropped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pc_joining_a_hall_does_not_take_its_configuration_away() {
    let (dir1, dir2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let pc1 = common::store_with_sample_catalog(dir1.path());
    let w = common::open_window(&pc1, "A01");
    let m = pc1.catalog().unwrap().matters[0].id.clone();
    pc1.bind_matters(
        "t",
        &BindInput { window_id: w.id.clone(), matter_ids: vec![m], priority: BindingPriority::Primary },
    )
    .unwrap();
    let (server, token, admin) = common::embedded_signed_in(dir1.path()).await;
    pc1.adopt_unauthored_ops(&admin).unwrap();
    server.sync_now(&pc1).await.unwrap();
    server
        .push_config(&pc1.hall_config(hallkeeper_desktop::hall_server::default_settings()).unwrap())
        .await
        .unwrap();

    // A new PC with an empty store joins the hall and starts putting its configuration.
    let pc2 = std::sync::Arc::new(
        hallkeeper_core::Store::open_in_dir(dir2.path(), std::sync::Arc::new(hallkeeper_core::SystemClock))
            .unwrap(),
    );
    let other = std::sync::Arc::new(common::remote(&server, &token).await);
    let pusher = tokio::spawn(other.clone().keep_config_pushed(pc2.clone()));
    let started = std::time::Instant::now();
    loop {
        let config: Value = server.admin().get("config").await.unwrap();
        assert_eq!(
            config["matters"].as_array().map(Vec::len),
            Some(347),
            "the server's queue never loses the hall's matters: {}",
            config["matters"]
        );
        if pc2.list_windows().unwrap().len() == 1
            && started.elapsed() > std::time::Duration::from_millis(1500)
        {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "PC2 did not catch up");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(pc2.list_bindings().unwrap().len(), 1, "PC2 holds the hall's binding");
    pusher.abort();
}

/// Issue 17: the server re-checks each queued operation's author when it receives it. A 值班长's
/// change made (offline) before an administrator disabled them is refused and kept as a refused
/// change — never silently lost — while the administrator's own change applies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_authors_queued_change_is_refused_and_kept() {
    use hallkeeper_client::{api_url, Method};
    let dir = tempfile::tempdir().unwrap();
    let store = common::store_with_sample_catalog(dir.path());
    let (link, _token, admin) = common::embedded_signed_in(dir.path()).await;
    store.adopt_unauthored_ops(&admin).unwrap();
    link.sync_now(&store).await.unwrap();
    let input = serde_json::json!({ "login": "lead", "displayName": "值班长丙", "password": "值班长的口令-2026",
                                    "grants": [{ "hallId": "local", "role": "shift_lead" }] });
    let url = |path: &[&str]| {
        api_url(
            link.base_url(),
            ["api", "v1", "admin", "halls", "local"].into_iter().chain(path.iter().copied()),
            None,
        )
        .unwrap()
    };
    let lead: hallkeeper_core::proto::Account =
        link.admin().api().post(url(&["accounts"]), &input).await.unwrap();
    let lead = hallkeeper_core::access::Person::from_account(&lead);

    let w = common::open_window(&store, "Z09");
    store.adopt_unauthored_ops(&admin).unwrap();
    store.set_window_state(&lead, &w.id, WindowState::Paused).unwrap();
    store.set_window_state(&admin, &w.id, WindowState::Closed).unwrap();
    let disable = serde_json::json!({ "active": false });
    let answer = link
        .admin()
        .api()
        .exchange(Method::Patch, url(&["accounts", &lead.account_id]), Some(&disable))
        .await
        .unwrap();
    assert!(answer.status < 300, "{}", String::from_utf8_lossy(&answer.body));

    link.sync_now(&store).await.unwrap();
    let status = store.outbox_status().unwrap();
    assert_eq!((status.pending, status.rejected), (0, 1), "{status:?}");
    let shown = link.start_sync(store.clone()).status().rejected;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].reason.contains("access.author_disabled"), "{shown:?}");
    let changes = pulled(&link).await;
    let last = changes.iter().rev().find(|c| c["key"] == w.id.as_str()).unwrap();
    assert_eq!(last["change"]["fields"]["state"], "closed", "the administrator's change applied");
}
