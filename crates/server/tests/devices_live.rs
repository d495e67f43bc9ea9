//! What the hall display and the rating pad need beyond the plain device API (issue 18): call
//! sequence numbers that survive a restart, the announcement of a call as WAV, the displays'
//! and pads' event streams, the pad's screen and the terminal's 请评价. Every test runs on
//! SQLite, and on PostgreSQL when the test set-up provides one.

mod common;

use common::api::{each_backend, Fixture};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// The first call number of the fixture's hall day (2026-11-25).
const DAY_BASE: i64 = 20_261_125 * 1_000_000;

async fn take(fx: &Fixture, kiosk: &str) -> String {
    let (s, body) = fx.post(kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["ticket"]["id"].as_str().unwrap().to_owned()
}

async fn call_next(fx: &Fixture, caller: &str) -> Value {
    let (s, body) = fx.post(caller, "/api/v1/caller/next", json!(null)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

async fn act(fx: &Fixture, caller: &str, ticket: &str, action: &str) {
    let (s, body) = fx.post(caller, &format!("/api/v1/caller/tickets/{ticket}/{action}"), json!(null)).await;
    assert_eq!(s, StatusCode::OK, "{action}: {body}");
}

fn seqs(feed: &Value) -> Vec<(i64, bool)> {
    feed["recentCalls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["seq"].as_i64().unwrap(), c["recall"].as_bool().unwrap()))
        .collect()
}

/// An open event stream, read as text until the wanted event arrives.
struct Events {
    resp: reqwest::Response,
    seen: String,
}

impl Events {
    async fn open(fx: &Fixture, token: &str, path: &str) -> Events {
        let resp = fx.http.get(format!("{}{path}", fx.base)).bearer_auth(token).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let kind = resp.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Events { resp, seen: String::new() }
    }

    /// The data of the next event named `name` (skipping others), within 5 s.
    async fn next(&mut self, name: &str) -> Value {
        let wanted = format!("event: {name}\ndata: ");
        tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                if let Some(at) = self.seen.find(&wanted) {
                    let rest = &self.seen[at + wanted.len()..];
                    if let Some(end) = rest.find('\n') {
                        let data: Value = serde_json::from_str(&rest[..end]).unwrap();
                        self.seen = rest[end..].to_owned();
                        return data;
                    }
                }
                let chunk = self.resp.chunk().await.unwrap().expect("the stream ended");
                self.seen.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {name} event within 5 s; read so far: {:?}", self.seen))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_and_recall_gets_a_new_number_that_survives_a_restart() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let display = fx.device("display", None).await;
        let (first, second) = (take(&fx, &kiosk).await, take(&fx, &kiosk).await);
        call_next(&fx, &caller).await;
        act(&fx, &caller, &first, "recall").await;
        act(&fx, &caller, &first, "finish").await;
        call_next(&fx, &caller).await;
        let (s, feed) = fx.get(&display, "/api/v1/display").await;
        assert_eq!(s, StatusCode::OK, "{feed}");
        assert_eq!(seqs(&feed), [(DAY_BASE + 3, false), (DAY_BASE + 2, true), (DAY_BASE + 1, false)]);
        let newest = &feed["recentCalls"][0];
        assert_eq!(
            (newest["ticketId"].as_str(), newest["windowId"].as_str()),
            (Some(second.as_str()), Some("w-a"))
        );
        assert_eq!(
            (newest["ticketNumber"].as_str(), newest["windowNumber"].as_str()),
            (Some("A002"), Some("A01"))
        );

        // Derived from the stored log: the same numbers after a restart, and the next one above.
        let fx = fx.restart().await;
        let (_, again) = fx.get(&display, "/api/v1/display").await;
        assert_eq!(seqs(&again), seqs(&feed));
        act(&fx, &caller, &second, "recall").await;
        let (_, after) = fx.get(&display, "/api/v1/display").await;
        assert_eq!(seqs(&after)[0], (DAY_BASE + 4, true));

        // The next hall day's numbers are above every earlier day's (a new day starts with an
        // empty queue, so yesterday's ticket is finished first).
        act(&fx, &caller, &second, "finish").await;
        fx.set_clock("2026-11-26T01:30:00Z");
        let third = take(&fx, &kiosk).await;
        let called = call_next(&fx, &caller).await;
        assert_eq!(called["id"].as_str(), Some(third.as_str()));
        let (_, next_day) = fx.get(&display, "/api/v1/display").await;
        assert_eq!(seqs(&next_day), [(20_261_126 * 1_000_000 + 1, false)]);
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calls_announcement_is_a_wav_of_two_to_eight_seconds() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let display = fx.device("display", None).await;
        let ticket = take(&fx, &kiosk).await;
        call_next(&fx, &caller).await;
        act(&fx, &caller, &ticket, "recall").await;
        for seq in [DAY_BASE + 1, DAY_BASE + 2] {
            let path = format!("/api/v1/display/announcements/{seq}");
            let resp = fx.http.get(format!("{}{path}", fx.base)).bearer_auth(&display).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(resp.headers()["content-type"], "audio/wav");
            let bytes = resp.bytes().await.unwrap();
            let wav = hallkeeper_voice::wav::parse(&bytes, "announcement").expect("a WAV file");
            let secs = wav.duration_secs();
            assert!((2.0..=8.0).contains(&secs), "call {seq}: {secs:.2} s");
        }
        // The display's repeat setting: three times is longer than once, and 4 is refused.
        let once = format!("{}/api/v1/display/announcements/{}", fx.base, DAY_BASE + 1);
        let len = |bytes: &[u8]| hallkeeper_voice::wav::parse(bytes, "announcement").unwrap().duration_secs();
        let one = fx.http.get(&once).bearer_auth(&display).send().await.unwrap().bytes().await.unwrap();
        let resp = fx.http.get(format!("{once}?repeat=3")).bearer_auth(&display).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let three = resp.bytes().await.unwrap();
        assert!(len(&three) > 2.0 * len(&one), "{:.2} s against {:.2} s", len(&three), len(&one));
        let (s, e) =
            fx.get(&display, &format!("/api/v1/display/announcements/{}?repeat=4", DAY_BASE + 1)).await;
        assert_eq!(
            (s, e["code"].as_str(), e["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("announcement.repeat_invalid"), Some("repeat"))
        );
        let (s, e) = fx.get(&display, &format!("/api/v1/display/announcements/{}", DAY_BASE + 3)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("announcement.not_found")), "{e}");
        let (s, e) = fx.get(&display, "/api/v1/display/announcements/12x").await;
        assert_eq!(
            (s, e["code"].as_str(), e["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("announcement.seq_invalid"), Some("seq"))
        );
        let (s, e) = fx.get(&caller, &format!("/api/v1/display/announcements/{}", DAY_BASE + 1)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("auth.wrong_device")));
        let resp = fx.call("GET", None, &format!("/api/v1/display/announcements/{}", DAY_BASE + 1)).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

        // A window number the normaliser cannot read: 422 with its code, at the call's field.
        let mut config = common::api::hall_config();
        config["windows"][0]["number"] = json!("3号");
        let (s, body) = fx.admin_put(&format!("/api/v1/admin/halls/{}/config", fx.hall), config).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        let next = take(&fx, &kiosk).await;
        act(&fx, &caller, &ticket, "finish").await;
        let called = call_next(&fx, &caller).await;
        assert_eq!(called["id"].as_str(), Some(next.as_str()));
        let (_, feed) = fx.get(&display, "/api/v1/display").await;
        let seq = feed["recentCalls"][0]["seq"].as_i64().unwrap();
        assert_eq!(seq, DAY_BASE + 3, "a reloaded configuration keeps the numbering");
        let (s, e) = fx.get(&display, &format!("/api/v1/display/announcements/{seq}")).await;
        assert_eq!(
            (s, e["code"].as_str(), e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("voice.invalid_char"), Some("windowNumber")),
            "{e}"
        );
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_arrives_on_the_display_stream() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let display = fx.device("display", None).await;

        // Authenticated before anything is streamed: a 401 as JSON, no stream.
        let resp = fx.call("GET", None, "/api/v1/display/events").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        assert_eq!(resp.json::<Value>().await.unwrap()["code"], "auth.token_missing");
        let resp = fx.call("GET", Some("hk_not_a_token"), "/api/v1/display/events").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let (s, e) = fx.get(&kiosk, "/api/v1/display/events").await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("auth.wrong_device")));

        let ticket = take(&fx, &kiosk).await;
        call_next(&fx, &caller).await;
        let mut events = Events::open(&fx, &display, "/api/v1/display/events").await;
        // At once: the latest call, so a reconnecting display knows where the hall is.
        assert_eq!(events.next("call").await, json!({ "type": "call", "seq": DAY_BASE + 1 }));
        act(&fx, &caller, &ticket, "recall").await;
        assert_eq!(events.next("call").await, json!({ "type": "call", "seq": DAY_BASE + 2 }));

        // Two streams per device; a third is refused until one closes.
        let second = Events::open(&fx, &display, "/api/v1/display/events").await;
        let (s, e) = fx.get(&display, "/api/v1/display/events").await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("device.too_many_streams")));
        drop(second);
        let mut reopened = None;
        for _ in 0..50 {
            let resp = fx
                .http
                .get(format!("{}/api/v1/display/events", fx.base))
                .bearer_auth(&display)
                .send()
                .await
                .unwrap();
            if resp.status() == StatusCode::OK {
                reopened = Some(resp);
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(reopened.is_some(), "a closed stream gives its place back");
        drop(events);
        fx.stop().await;
    })
    .await;
}

fn sync_op(seq: i64, entity: &str, key: &str, fields: Value) -> Value {
    json!({ "seq": seq, "opId": format!("pc1-{seq}"), "hlc": format!("{:018}-00000-pc1", 1_000 + seq),
            "entity": entity, "key": key, "change": { "kind": "upsert", "fields": fields }, "author": common::api::AUTHOR })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pad_shows_who_serves_and_what_to_rate_and_hears_ask_rating() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let pad = fx.device("rating_pad", Some(&fx.window_a)).await;

        let (s, idle) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(s, StatusCode::OK, "{idle}");
        assert_eq!(
            idle,
            json!({ "windowId": "w-a", "windowNumber": "A01", "windowName": "A01窗口", "windowState": "open",
                    "paused": false, "serving": null, "rateNow": null,
                    "reasonTags": ["等候时间长", "办理效率低", "服务态度差", "解释不清楚", "材料要求不明确", "环境设施不便"] })
        );

        // The desktop's seating plan, synced: the pad shows the person seated today.
        let ops = vec![
            sync_op(1, "window", "w-a", json!({ "number": "A01", "name": "A01窗口" })),
            sync_op(2, "staff", "s-1", json!({ "employeeNo": "0123", "name": "张敏" })),
            sync_op(3, "seat", "2026-11-25/w-a", json!({ "staffId": "s-1" })),
        ];
        let body = json!({ "deviceId": "pc1", "schemaVersion": hallkeeper_proto::SYNC_SCHEMA_VERSION, "ops": ops });
        let (s, pushed) = fx.admin_post(&format!("/api/v1/admin/halls/{}/sync/push", fx.hall), body).await;
        assert_eq!((s, &pushed["rejected"]), (StatusCode::OK, &json!([])), "{pushed}");

        let mut events = Events::open(&fx, &pad, "/api/v1/pad/events").await;
        let (first, second) = (take(&fx, &kiosk).await, take(&fx, &kiosk).await);
        call_next(&fx, &caller).await;
        act(&fx, &caller, &first, "finish").await;
        // A finished service wakes the pad.
        assert_eq!(events.next("rate_now").await, json!({ "type": "rate_now", "windowId": "w-a", "ticketId": first }));
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(
            view["serving"],
            json!({ "staffId": "s-1", "employeeNo": "0123", "name": "张敏", "photoUrl": null, "stars": null })
        );
        assert_eq!(view["rateNow"]["ticketId"].as_str(), Some(first.as_str()));
        assert_eq!((view["rateNow"]["ticketNumber"].as_str(), view["rateNow"]["matterName"].as_str()), (Some("A001"), Some("居民身份证换领")));

        call_next(&fx, &caller).await;
        act(&fx, &caller, &second, "finish").await;
        assert_eq!(events.next("rate_now").await["ticketId"].as_str(), Some(second.as_str()));
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(view["rateNow"]["ticketId"].as_str(), Some(second.as_str()), "the last finished");

        // 请评价 on the first: the pad hears it and shows it until it is rated.
        let (s, asked) = fx.post(&caller, &format!("/api/v1/caller/tickets/{first}/ask-rating"), json!(null)).await;
        assert_eq!((s, asked["ticketId"].as_str()), (StatusCode::OK, Some(first.as_str())), "{asked}");
        assert_eq!(events.next("rate_now").await, json!({ "type": "rate_now", "windowId": "w-a", "ticketId": first }));
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(view["rateNow"]["ticketId"].as_str(), Some(first.as_str()));

        let (s, r) = fx.post(&pad, "/api/v1/pad/ratings", json!({ "ticketId": first, "level": "satisfied" })).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let (s, e) = fx.post(&pad, "/api/v1/pad/ratings", json!({ "ticketId": first, "level": "dissatisfied" })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("rating.duplicate")), "one rating per ticket");
        let (s, e) = fx.post(&caller, &format!("/api/v1/caller/tickets/{first}/ask-rating"), json!(null)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("rating.duplicate")), "a rated ticket is not asked again");
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(view["rateNow"]["ticketId"].as_str(), Some(second.as_str()), "back to the last unrated");
        let (s, _) = fx.post(&pad, "/api/v1/pad/ratings", json!({ "ticketId": second, "level": "very_satisfied" })).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(view["rateNow"], Value::Null, "nothing left to rate");

        // A waiting ticket cannot be asked for; another window's pad hears nothing.
        let waiting = take(&fx, &kiosk).await;
        let (s, e) = fx.post(&caller, &format!("/api/v1/caller/tickets/{waiting}/ask-rating"), json!(null)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("rating.ticket_not_finished")));

        // Pausing the window reaches the pad, and its screen says so.
        let (s, _) = fx.put(&caller, "/api/v1/caller/window-state", json!({ "state": "paused" })).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(events.next("window_state").await, json!({ "type": "window_state", "windowId": "w-a", "state": "paused" }));
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!((view["paused"].as_bool(), view["windowState"].as_str()), (Some(true), Some("paused")));
        let (s, _) = fx.put(&caller, "/api/v1/caller/window-state", json!({ "state": "open" })).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(events.next("window_state").await["state"], "open");

        let resp = fx.call("GET", None, "/api/v1/pad/events").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let display = fx.device("display", None).await;
        let (s, _) = fx.get(&display, "/api/v1/pad").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        drop(events);
        fx.stop().await;
    })
    .await;
}

fn star(rank: u32, staff: &str, name: &str, no: &str, window: Option<&str>, rate: f64, grade: u32) -> Value {
    json!({ "rank": rank, "staffId": staff, "staffName": name, "department": null, "served": 60, "ratings": 20,
            "poor": 0, "goodRate": rate, "employeeNo": no, "windowNumber": window, "grade": grade })
}

/// The month's 服务之星 a desktop published (`star_month`, ranked by core) are what the display
/// and the pad show: the server keeps and shows them, and refuses one it cannot read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_star_month_reaches_the_display_and_the_pad() {
    each_backend(|fx| async move {
        let display = fx.device("display", None).await;
        let pad = fx.device("rating_pad", Some(&fx.window_a)).await;
        let (s, feed) = fx.get(&display, "/api/v1/display").await;
        assert_eq!((s, &feed["stars"]), (StatusCode::OK, &Value::Null), "none published yet: {feed}");

        let november = json!({ "month": "2026-11", "stars": [
            star(1, "s-1", "张敏", "0123", Some("A01"), 0.95, 5),
            star(2, "s-2", "李强", "0456", None, 0.8, 4),
        ] });
        let october = json!({ "month": "2026-10", "stars": [star(1, "s-2", "李强", "0456", None, 1.0, 5)] });
        let ops = vec![
            sync_op(1, "window", "w-a", json!({ "number": "A01", "name": "A01窗口" })),
            sync_op(2, "staff", "s-1", json!({ "employeeNo": "0123", "name": "张敏" })),
            sync_op(3, "seat", "2026-11-25/w-a", json!({ "staffId": "s-1" })),
            sync_op(4, "star_month", "2026-11", json!({ "document": november })),
            sync_op(5, "star_month", "2026-10", json!({ "document": october })),
            // Refused on their own: a month that is none, a document that is not a ranking.
            sync_op(6, "star_month", "2026-13", json!({ "document": november })),
            sync_op(7, "star_month", "2026-11", json!({ "document": { "month": "2026-11" } })),
        ];
        let body =
            json!({ "deviceId": "pc1", "schemaVersion": hallkeeper_proto::SYNC_SCHEMA_VERSION, "ops": ops });
        let (s, pushed) = fx.admin_post(&format!("/api/v1/admin/halls/{}/sync/push", fx.hall), body).await;
        assert_eq!(s, StatusCode::OK, "{pushed}");
        let rejected: Vec<_> = pushed["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["seq"].as_i64(), r["code"].as_str()))
            .collect();
        assert_eq!(
            rejected,
            [(Some(6), Some("sync.key_invalid")), (Some(7), Some("sync.field_invalid"))],
            "{pushed}"
        );

        // The hall day is 2026-11-25: November's stars, as published, in their order.
        let (_, feed) = fx.get(&display, "/api/v1/display").await;
        assert_eq!(feed["stars"], november, "{feed}");
        // The pad: the seated person's grade from the record.
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(
            view["serving"],
            json!({ "staffId": "s-1", "employeeNo": "0123", "name": "张敏", "photoUrl": null, "stars": 5 })
        );

        // A later ranking without 张敏: the pad shows no grade for them, the display the new list.
        let later = json!({ "month": "2026-11", "stars": [star(1, "s-2", "李强", "0456", None, 0.9, 5)] });
        let ops = vec![sync_op(8, "star_month", "2026-11", json!({ "document": later }))];
        let body =
            json!({ "deviceId": "pc1", "schemaVersion": hallkeeper_proto::SYNC_SCHEMA_VERSION, "ops": ops });
        let (s, pushed) = fx.admin_post(&format!("/api/v1/admin/halls/{}/sync/push", fx.hall), body).await;
        assert_eq!((s, &pushed["rejected"]), (StatusCode::OK, &json!([])), "{pushed}");
        let (_, feed) = fx.get(&display, "/api/v1/display").await;
        assert_eq!(feed["stars"], later);
        let (_, view) = fx.get(&pad, "/api/v1/pad").await;
        assert_eq!(view["serving"]["stars"], Value::Null);
        fx.stop().await;
    })
    .await;
}
