//! `hallkeeper-queue-bench`: what one queue operation costs as the queue grows, in-process, no
//! HTTP or storage: the engine alone, under the hall's lock as the server runs it.
//!
//! The hall is the simulator's (the sample catalog, 200 windows, its bindings). For each waiting
//! count it fills the queue (matters by department weight, 5 % priority lane), then times, per
//! operation, `--ops` repetitions: a ticket issue with its people-ahead count (what the kiosk
//! answers), a call of the next ticket by a random window, and "finish and call next". Each call
//! is followed by issuing one more ticket so the waiting count stays put. Prints p50/p99 per
//! operation and waiting count.
//!
//! hallkeeper-queue-bench [--waiting 0,1000,5000,10000,20000] [--ops 2000] [--windows 200]

#[allow(dead_code)] // shared with the other benches; `run` is theirs
mod cli;
#[allow(dead_code)] // shared with the other benches; `median`, `min` are theirs
mod stats;

use chrono::{Duration, TimeZone, Utc};
use hallkeeper_proto::PriorityClass;
use hallkeeper_queue::{people_ahead, HallQueue};
use hallkeeper_server::halls::queue_config;
use hallkeeper_sim::model::{hall_config, read_catalog};
use std::time::Instant;

fn main() {
    let waiting: Vec<usize> = std::env::args()
        .skip_while(|a| a != "--waiting")
        .nth(1)
        .map(|v| v.split(',').filter_map(|n| n.replace('_', "").parse().ok()).collect())
        .unwrap_or_else(|| vec![0, 1_000, 5_000, 10_000, 20_000]);
    let ops: usize = cli::arg("--ops", 2_000);
    let windows: usize = cli::arg("--windows", 200);
    if let Err(e) = run(&waiting, ops, windows) {
        eprintln!("queue bench failed: {e}");
        std::process::exit(1);
    }
}

fn run(waiting: &[usize], ops: usize, windows: usize) -> Result<(), Box<dyn std::error::Error>> {
    let catalog = read_catalog(None)?;
    let hall = hall_config(&catalog, windows, "2024-03-01T00:00:00Z")?;
    let config = queue_config(&hall);
    let matters: Vec<String> = config
        .matters
        .iter()
        .filter(|m| config.bindings.iter().any(|b| b.matter_id == m.id))
        .map(|m| m.id.clone())
        .collect();
    let window_ids: Vec<String> = config.windows.iter().map(|w| w.id.clone()).collect();
    println!(
        "hall: {} windows, {} bound matters, {} bindings; {ops} operations per figure",
        window_ids.len(),
        matters.len(),
        config.bindings.len()
    );
    println!("| waiting | issue + ahead p50 | p99 | call next p50 | p99 | finish and call next p50 | p99 |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let t0 = Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0).single().ok_or("t0")?;
    for &n in waiting {
        let mut q = HallQueue::new(config.clone())?;
        let mut seq = 0usize;
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut at = t0;
        let mut issue = |q: &mut HallQueue, r: u64| -> Result<String, Box<dyn std::error::Error>> {
            seq += 1;
            at += Duration::milliseconds(1);
            let id = format!("t{seq:08}");
            let class = if r % 20 == 0 { PriorityClass::PriorityLane } else { PriorityClass::Normal };
            q.issue(&id, &matters[(r as usize / 20) % matters.len()], class, at)?;
            Ok(id)
        };
        for _ in 0..n {
            issue(&mut q, next())?;
        }
        let mut issue_ms = Vec::with_capacity(ops);
        for _ in 0..ops {
            let r = next();
            let start = Instant::now();
            let id = issue(&mut q, r)?;
            std::hint::black_box(people_ahead(&q, &id));
            issue_ms.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let mut call_ms = Vec::with_capacity(ops);
        let mut both_ms = Vec::with_capacity(ops);
        let mut now = t0 + Duration::hours(1);
        for i in 0..ops {
            let w = &window_ids[next() as usize % window_ids.len()];
            now += Duration::milliseconds(1);
            let start = Instant::now();
            let busy = q.current(w).map(|t| t.id.clone());
            let outcome = match busy {
                Some(t) => q.finish_and_call_next(w, &t, now).map(|_| ()),
                None => q.call_next(w, now).map(|_| ()),
            };
            let took = start.elapsed().as_secs_f64() * 1e3;
            if outcome.is_ok() {
                if q.current(w).is_some() && i % 2 == 1 {
                    both_ms.push(took);
                } else {
                    call_ms.push(took);
                }
            }
            issue(&mut q, next())?;
        }
        let p =
            |v: &[f64], pct: f64| stats::percentile(v, pct).map_or("—".into(), |x| format!("{x:.4} ms"));
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} |",
            p(&issue_ms, 50.0),
            p(&issue_ms, 99.0),
            p(&call_ms, 50.0),
            p(&call_ms, 99.0),
            p(&both_ms, 50.0),
            p(&both_ms, 99.0)
        );
    }
    Ok(())
}
