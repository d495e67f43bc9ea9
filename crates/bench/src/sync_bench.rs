//! Sync benchmarks (issue 5), on loopback with the real server and the real sync client:
//!
//! 1. **First sync of a large hall's year**: N ticket events (default 1,000,000) stored on the
//!    server; a fresh desktop store pulls them all. Compared, in the same run, with the raw bulk
//!    insert of the same rows into the same desktop table (one transaction, one prepared
//!    statement): the target is ≤ 15 s and ≤ 2× the raw insert.
//! 2. **Incremental**: with the sync client running (its "pull now" stream open), tickets are
//!    taken at the kiosk one by one; for each, the time from sending the kiosk request to the
//!    event being in the desktop's store. Target p95 ≤ 500 ms.
//!
//! `cargo run --release -p hallkeeper-bench --bin hallkeeper-sync-bench -- [--events N] [--tickets M]`

mod cli;
use cli::arg;
#[allow(dead_code)]
mod stats;

use chrono::{Duration as ChronoDuration, NaiveDate, TimeZone, Utc};
use hallkeeper_client::{Endpoint, SyncClient};
use hallkeeper_core::proto::{PriorityClass, TakeTicket, TicketEvent, TicketEventKind};
use hallkeeper_core::{Store, SystemClock};
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::{start, system_now, AppState};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HALL: &str = "bench";

/// A year of a large hall's queue: days of 4,000 events (issue, call, start, finish of 1,000
/// tickets) over 80 windows, as the server stores them.
fn year_of_events(n: usize) -> Vec<(String, String, String, String)> {
    let first = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or_default();
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n {
        let day = first + ChronoDuration::days((i / 1000) as i64);
        let ticket =
            format!("0193{:08x}-{:04x}-7{:03x}-8{:03x}-{:012x}", i, i % 65536, i % 4096, i % 4096, i);
        let window = format!("w{:03}", i % 80);
        let open = Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).unwrap_or_default());
        let at = open + ChronoDuration::seconds((i % 1000) as i64 * 28);
        let kinds = [
            TicketEventKind::Issued {
                matter_id: format!("m{:04}", i % 347),
                class: PriorityClass::Normal,
                prefix: "A".into(),
                sequence: (i % 1000) as u32 + 1,
            },
            TicketEventKind::Called { window_id: window.clone() },
            TicketEventKind::Started { window_id: window.clone() },
            TicketEventKind::Finished { window_id: window },
        ];
        for (k, kind) in kinds.into_iter().enumerate() {
            if out.len() == n {
                break;
            }
            let at = at + ChronoDuration::seconds(k as i64 * 300);
            let event = TicketEvent { ticket_id: ticket.clone(), at, kind };
            let json = serde_json::to_string(&event).unwrap_or_default();
            out.push((day.to_string(), ticket.clone(), at.to_rfc3339(), json));
        }
        i += 1;
    }
    out
}

fn main() {
    cli::run("sync", run());
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let n = arg("--events", 1_000_000);
    let tickets = arg("--tickets", 200);
    let dir = tempfile::tempdir()?;
    let server_db = dir.path().join("server.db");

    // The server's store with the hall's year in it, written directly (setting up, not measured).
    let storage = SqliteStorage::open(&server_db)?;
    let admin = "bench-admin-token";
    let state = Arc::new(AppState::new(Arc::new(storage), system_now()).with_break_glass_token(admin));
    let running = start(([127, 0, 0, 1], 0).into(), state).await?;
    let base = format!("http://{}", running.addr);
    let api = hallkeeper_sim::Api::new(&base)?;
    let prepared = hallkeeper_sim::setup(
        &api,
        &hallkeeper_sim::SetupOptions {
            server: base.clone(),
            admin_token: admin.into(),
            hall_id: HALL.into(),
            hall_name: "基准大厅".into(),
            windows: 20,
            catalog: None,
            kiosks: 1,
            state_file: None,
        },
    )
    .await?;
    eprintln!("generating {n} ticket events…");
    let rows = year_of_events(n);
    {
        let mut conn = rusqlite::Connection::open(&server_db)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        let tx = conn.transaction()?;
        {
            let mut st = tx.prepare(
                "INSERT INTO ticket_events (hall_id, day, ticket_id, at, event) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (day, ticket, at, json) in &rows {
                st.execute(rusqlite::params![HALL, day, ticket, at, json])?;
            }
        }
        tx.commit()?;
    }

    // 1a. Raw bulk insert of the same rows into the desktop's table.
    let raw_dir = dir.path().join("raw");
    let raw_store = Store::open_in_dir(&raw_dir, Arc::new(SystemClock))?;
    drop(raw_store);
    let server_rows: Vec<(i64, String, String)> = {
        let conn = rusqlite::Connection::open(&server_db)?;
        let mut st =
            conn.prepare("SELECT seq, day, event FROM ticket_events WHERE hall_id = ?1 ORDER BY seq")?;
        let rows = st.query_map([HALL], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let raw_secs = {
        let mut conn = rusqlite::Connection::open(raw_dir.join(hallkeeper_core::store::STORE_FILE))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let t = Instant::now();
        let tx = conn.transaction()?;
        {
            let mut st = tx.prepare("INSERT INTO ticket_events (seq, day, event) VALUES (?1, ?2, ?3)")?;
            for (seq, day, event) in &server_rows {
                st.execute(rusqlite::params![seq, day, event])?;
            }
        }
        tx.commit()?;
        t.elapsed().as_secs_f64()
    };
    drop(server_rows);

    // 1b. First sync into a fresh desktop store, over HTTP.
    let endpoint = Endpoint { base_url: base.clone(), hall_id: HALL.into(), admin_token: admin.into() };
    let store = Arc::new(Store::open_in_dir(&dir.path().join("desktop"), Arc::new(SystemClock))?);
    let client = SyncClient::new(store.clone(), endpoint);
    let t = Instant::now();
    let report = client.sync_now().await?;
    let sync_secs = t.elapsed().as_secs_f64();
    let held = store.ticket_event_seqs()?.len();
    if held != n {
        return Err(format!("first sync holds {held} events, expected {n}").into());
    }

    // 2. Incremental: kiosk ticket → event in the desktop store, with the sync loops running.
    let cancel = tokio_util::sync::CancellationToken::new();
    tokio::spawn(client.clone().run(cancel.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let kiosk = prepared.devices.kiosks.first().ok_or("no kiosk registered")?.token.clone();
    let matter = prepared
        .config
        .matters
        .iter()
        .find(|m| prepared.config.bindings.iter().any(|b| b.matter_id == m.id))
        .ok_or("no bound matter")?
        .id
        .clone();
    let mut pulled = client.subscribe_pulled();
    let mut latencies = Vec::with_capacity(tickets);
    for _ in 0..tickets {
        let before = store.events_cursor()?;
        let t = Instant::now();
        api.take_ticket(
            &kiosk,
            &TakeTicket { matter_id: matter.clone(), class: PriorityClass::Normal, phone: None },
        )
        .await?;
        loop {
            if store.events_cursor()? > before {
                break;
            }
            if t.elapsed() > Duration::from_secs(10) {
                return Err("an event did not reach the desktop within 10 s".into());
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), pulled.changed()).await;
        }
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cancel.cancel();
    latencies.sort_by(f64::total_cmp);
    running.stop().await?;

    println!("## Sync benchmark ({} ticket events, {} incremental tickets)", n, tickets);
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| raw bulk insert of the rows into the desktop table | {raw_secs:.2} s |");
    println!("| first sync over HTTP (pull + write, {} events) | {sync_secs:.2} s |", report.pulled_events);
    println!("| ratio first sync / raw insert | {:.2}× (target ≤ 2×) |", sync_secs / raw_secs);
    println!("| first sync throughput | {:.0} events/s |", n as f64 / sync_secs);
    println!(
        "| incremental kiosk ticket → desktop store | p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (target p95 ≤ 500 ms) |",
        stats::percentile(&latencies, 50.0).unwrap_or(f64::NAN),
        stats::percentile(&latencies, 95.0).unwrap_or(f64::NAN),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}
