//! Reports benchmark: a large hall's three years of facts (3,000,000 tickets and 3,000,000
//! ratings by default), loaded through the incremental path in big transactions, then reports
//! for a day, a month, a quarter, a year, all three years and a ragged custom period, for every
//! dimension: from the rollups (≥ 20 runs) against the plain GROUP BY recomputation (fewer runs).
//! Each pair is also checked equal, so the speed is not bought with a wrong answer.
//!
//! `cargo run --release -p hallkeeper-bench --bin hallkeeper-reports-bench -- [--tickets N]
//! [--ratings N] [--runs N] [--scan-runs N]`

#[path = "stats.rs"]
#[allow(dead_code)] // shared with the other benches; `min` is theirs
mod stats;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use hallkeeper_core::proto::RatingLevel;
use hallkeeper_core::reports::scan::{compute_by_scan, group_by_only};
use hallkeeper_core::reports::{
    CaseOutcome, Dimension, Period, RatingFact, Report, TicketFact, TicketOutcome,
};
use hallkeeper_core::{Store, SystemClock};
use std::sync::Arc;
use std::time::Instant;

const WINDOWS: usize = 50;
const STAFF: usize = 80;
const MATTERS: usize = 300;
const DEPARTMENTS: usize = 20;
const BATCH: usize = 100_000;

fn main() {
    if let Err(e) = run() {
        eprintln!("hallkeeper-reports-bench: {e}");
        std::process::exit(1);
    }
}

/// splitmix64: repeatable data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Exponential with this mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f()).ln()
    }
}

/// A 36-character id shaped like the store's UUIDs.
fn id(kind: u32, n: u64) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

/// Time-ordered like UUIDv7: tickets of one day sort together, as the store's ids do.
fn fact_id(kind: u32, day: i64, seq: u64) -> String {
    format!("{:08x}-{:04x}-7000-8{kind:03x}-{seq:012x}", day, seq & 0xffff)
}

struct Hall {
    /// Cumulative matter weights (Zipf-like: a few matters take most tickets).
    matter_cdf: Vec<f64>,
    /// Matter → the windows that handle it.
    matter_windows: Vec<[usize; 3]>,
    matter_dept: Vec<usize>,
    window_ids: Vec<String>,
    staff_ids: Vec<String>,
    matter_ids: Vec<String>,
    dept_ids: Vec<String>,
}

impl Hall {
    fn new(rng: &mut Rng) -> Self {
        let weights: Vec<f64> = (1..=MATTERS).map(|r| 1.0 / (r as f64).powf(1.1)).collect();
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let matter_cdf = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        let matter_windows =
            (0..MATTERS).map(|_| [rng.below(WINDOWS), rng.below(WINDOWS), rng.below(WINDOWS)]).collect();
        // Departments are uneven too: the first few own most matters.
        let matter_dept = (0..MATTERS).map(|_| (rng.f().powi(2) * DEPARTMENTS as f64) as usize).collect();
        Self {
            matter_cdf,
            matter_windows,
            matter_dept,
            window_ids: (0..WINDOWS as u64).map(|i| id(1, i)).collect(),
            staff_ids: (0..STAFF as u64).map(|i| id(2, i)).collect(),
            matter_ids: (0..MATTERS as u64).map(|i| id(3, i)).collect(),
            dept_ids: (0..DEPARTMENTS as u64).map(|i| id(4, i)).collect(),
        }
    }

    fn matter(&self, rng: &mut Rng) -> usize {
        let x = rng.f();
        self.matter_cdf.partition_point(|c| *c < x).min(MATTERS - 1)
    }

    fn ticket(&self, rng: &mut Rng, day: NaiveDate, day_no: i64, seq: u64) -> TicketFact {
        let m = self.matter(rng);
        let w = self.matter_windows[m][rng.below(3)];
        // 50 windows, 80 staff: windows 0–29 have two people on shifts, the rest one.
        let staff = if w < 30 && rng.below(2) == 1 { WINDOWS + w } else { w };
        let x = rng.f();
        let outcome = if x < 0.90 {
            TicketOutcome::Served
        } else if x < 0.96 {
            TicketOutcome::NoShow
        } else if x < 0.995 {
            TicketOutcome::Cancelled
        } else {
            TicketOutcome::Open
        };
        let called = matches!(outcome, TicketOutcome::Served | TicketOutcome::NoShow);
        // Waits: mostly minutes, a long tail on busy mornings; service: a few minutes, some long cases.
        let wait = called.then(|| {
            let base = rng.exp(480.0);
            let tail = if rng.below(20) == 0 { rng.exp(3600.0) } else { 0.0 };
            (base + tail) as u32
        });
        let service = (outcome == TicketOutcome::Served).then(|| (60.0 + rng.exp(420.0)) as u32);
        let assigned = outcome != TicketOutcome::Open && (called || rng.below(2) == 0);
        TicketFact {
            ticket_id: fact_id(1, day_no, seq),
            hall_day: day,
            window_id: assigned.then(|| self.window_ids[w].clone()),
            staff_id: (assigned && called).then(|| self.staff_ids[staff].clone()),
            matter_id: self.matter_ids[m].clone(),
            department_id: Some(self.dept_ids[self.matter_dept[m]].clone()),
            outcome,
            transfers: u32::from(rng.below(20) == 0),
            wait_secs: wait,
            service_secs: service,
        }
    }

    fn rating(&self, rng: &mut Rng, t: &TicketFact, seq: u64, day_no: i64) -> RatingFact {
        let x = rng.f();
        let level = if x < 0.70 {
            RatingLevel::VerySatisfied
        } else if x < 0.90 {
            RatingLevel::Satisfied
        } else if x < 0.97 {
            RatingLevel::Neutral
        } else if x < 0.99 {
            RatingLevel::Dissatisfied
        } else {
            RatingLevel::VeryDissatisfied
        };
        let poor = level.is_poor();
        let case = poor.then(|| {
            let rectified = rng.f() < 0.9;
            CaseOutcome {
                rectified,
                rectified_on_time: rectified && rng.f() < 0.85,
                called_back: rng.f() < 0.85,
            }
        });
        RatingFact {
            rating_id: fact_id(2, day_no, seq),
            ticket_id: t.ticket_id.clone(),
            hall_day: t.hall_day,
            window_id: t.window_id.clone().unwrap_or_else(|| self.window_ids[0].clone()),
            staff_id: t.staff_id.clone(),
            matter_id: t.matter_id.clone(),
            department_id: t.department_id.clone(),
            level,
            excluded: poor && rng.below(20) == 0,
            case,
        }
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn run() -> Result<(), String> {
    let mut tickets = 3_000_000usize;
    let mut ratings: Option<usize> = None;
    let mut runs = 25usize;
    let mut scan_runs = 3usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<usize, String> {
            args.next().and_then(|v| v.replace('_', "").parse().ok()).ok_or(format!("{name} needs a number"))
        };
        match a.as_str() {
            "--tickets" => tickets = num("--tickets")?,
            "--ratings" => ratings = Some(num("--ratings")?),
            "--runs" => runs = num("--runs")?.max(1),
            "--scan-runs" => scan_runs = num("--scan-runs")?.max(1),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let ratings = ratings.unwrap_or(tickets);
    let first = NaiveDate::from_ymd_opt(2023, 1, 1).ok_or("date")?;
    let last = NaiveDate::from_ymd_opt(2025, 12, 31).ok_or("date")?;
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    // Weekdays full, Saturdays 40 %, Sundays closed.
    let weight = |d: &NaiveDate| match d.weekday() {
        Weekday::Sun => 0.0,
        Weekday::Sat => 0.4,
        _ => 1.0,
    };
    let total_weight: f64 = days.iter().map(weight).sum();

    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = Store::open_in_dir(dir.path(), Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let db = dir.path().join(hallkeeper_core::store::STORE_FILE);
    let mut rng = Rng(0x4a11_6b33);
    let hall = Hall::new(&mut rng);
    println!(
        "hall: {WINDOWS} windows, {STAFF} staff, {MATTERS} matters, {DEPARTMENTS} departments; {} days ({first} … {last})",
        days.len()
    );
    println!("loading {tickets} tickets and {ratings} ratings through the incremental path, {BATCH} tickets a transaction…");

    // Served tickets get one rating each, in order, until the ratings run out; what is left over
    // comes through other channels (QR code, SMS, hotline) for random served tickets of the day.
    let served_share = 0.90;
    let extra_per_served = (ratings as f64 / (tickets as f64 * served_share) - 1.0).max(0.0);
    let pad_share = (ratings as f64 / (tickets as f64 * served_share)).min(1.0);
    let t_load = Instant::now();
    let (mut made_t, mut made_r, mut carry) = (0usize, 0usize, 0.0f64);
    let (mut bt, mut br): (Vec<TicketFact>, Vec<RatingFact>) = (Vec::new(), Vec::new());
    let mut batches = 0;
    let mut load_ms = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let day_no = (*day - NaiveDate::from_ymd_opt(1970, 1, 1).ok_or("date")?).num_days();
        carry += tickets as f64 * weight(day) / total_weight;
        let n = if i + 1 == days.len() { tickets - made_t } else { carry.floor() as usize };
        carry -= n as f64;
        let mut served_today = Vec::new();
        for seq in 0..n as u64 {
            let t = hall.ticket(&mut rng, *day, day_no, seq);
            if t.outcome == TicketOutcome::Served && made_r < ratings && rng.f() < pad_share {
                br.push(hall.rating(&mut rng, &t, seq, day_no));
                made_r += 1;
            }
            if t.outcome == TicketOutcome::Served {
                served_today.push(bt.len());
            }
            bt.push(t);
        }
        made_t += n;
        if !served_today.is_empty() {
            let extra = (served_today.len() as f64 * extra_per_served).round() as usize;
            for k in 0..extra {
                if made_r >= ratings {
                    break;
                }
                let t = &bt[served_today[rng.below(served_today.len())]];
                br.push(hall.rating(&mut rng, t, (1 << 32) + k as u64, day_no));
                made_r += 1;
            }
        }
        if bt.len() >= BATCH || i + 1 == days.len() {
            let t = Instant::now();
            store.upsert_report_facts(&bt, &br).map_err(|e| e.to_string())?;
            load_ms.push(ms(t));
            batches += 1;
            bt.clear();
            br.clear();
        }
    }
    let load = t_load.elapsed().as_secs_f64();
    let in_tx: f64 = load_ms.iter().sum::<f64>() / 1e3;
    println!(
        "loaded {made_t} tickets, {made_r} ratings in {batches} transactions: {load:.1} s total, {in_tx:.1} s in the store \
         ({:.1} µs a fact; the rest is generating the data)",
        in_tx * 1e6 / (made_t + made_r).max(1) as f64
    );

    // Facts change after the fact: a month's poor ratings get their cases closed, and tickets
    // left open are finished. Through the same path, one transaction.
    let conn = rusqlite::Connection::open(&db).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let open_ids: Vec<String> = {
        let mut st = conn
            .prepare("SELECT ticket_id FROM report_ticket_facts WHERE outcome = 3 LIMIT 20000")
            .map_err(|e| e.to_string())?;
        let ids = st.query_map([], |r| r.get(0)).map_err(|e| e.to_string())?;
        ids.collect::<Result<_, _>>().map_err(|e| e.to_string())?
    };
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).ok_or("date")?;
    let mut updates = Vec::new();
    for tid in &open_ids {
        let mut st = conn
            .prepare_cached(
                "SELECT hall_day, window_id, staff_id, matter_id, department_id, transfers
                 FROM report_ticket_facts WHERE ticket_id = ?1",
            )
            .map_err(|e| e.to_string())?;
        let f = st
            .query_row([tid], |r| {
                Ok(TicketFact {
                    ticket_id: tid.clone(),
                    hall_day: epoch + Days::new(r.get::<_, i64>(0)?.max(0) as u64),
                    window_id: Some(
                        r.get::<_, Option<String>>(1)?.unwrap_or_else(|| hall.window_ids[1].clone()),
                    ),
                    staff_id: Some(
                        r.get::<_, Option<String>>(2)?.unwrap_or_else(|| hall.staff_ids[1].clone()),
                    ),
                    matter_id: r.get(3)?,
                    department_id: r.get(4)?,
                    outcome: TicketOutcome::Served,
                    transfers: r.get(5)?,
                    wait_secs: Some(900),
                    service_secs: Some(300),
                })
            })
            .map_err(|e| e.to_string())?;
        updates.push(f);
    }
    let read_ms = ms(t);
    let t = Instant::now();
    let applied = store.upsert_report_facts(&updates, &[]).map_err(|e| e.to_string())?;
    println!(
        "updated {} open tickets to served in one transaction: {:.0} ms ({:.0} ms to read them back), {} rollup rows rewritten",
        applied.updated,
        ms(t),
        read_ms,
        applied.rollup_rows
    );

    conn.execute_batch("ANALYZE").map_err(|e| e.to_string())?;
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let count = |sql: &str| -> Result<i64, String> {
        conn.query_row(sql, [], |r| r.get(0)).map_err(|e| e.to_string())
    };
    let wal = db.with_file_name(format!("{}-wal", hallkeeper_core::store::STORE_FILE));
    let pages = |t: &str| -> i64 {
        conn.query_row("SELECT sum(pgsize) FROM dbstat WHERE name = ?1", [t], |r| r.get(0)).unwrap_or(0)
    };
    println!(
        "database: {:.0} MB (+ {:.0} MB WAL); rollup rows {}, {:.0} MB; ticket facts {:.0} MB, rating facts {:.0} MB",
        size(&db) as f64 / 1e6,
        size(&wal) as f64 / 1e6,
        count("SELECT count(*) FROM report_rollups")?,
        pages("report_rollups") as f64 / 1e6,
        pages("report_ticket_facts") as f64 / 1e6,
        pages("report_rating_facts") as f64 / 1e6,
    );

    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).ok_or("date");
    let periods: Vec<(&str, Period)> = vec![
        ("day 2024-06-12", Period::day(d(2024, 6, 12)?)),
        ("month 2024-06", Period::month(2024, 6).map_err(|e| e.to_string())?),
        ("quarter 2024 Q2", Period::quarter(2024, 2).map_err(|e| e.to_string())?),
        ("year 2024", Period::year(2024).map_err(|e| e.to_string())?),
        ("3 years", Period::custom(first, last).map_err(|e| e.to_string())?),
        (
            "custom 2023-02-17…2025-11-09",
            Period::custom(d(2023, 2, 17)?, d(2025, 11, 9)?).map_err(|e| e.to_string())?,
        ),
    ];
    println!(
        "\nreports: rollups p50/p95 over {runs} runs; scan = GROUP BY + percentile pass, GROUP BY alone, p50 over {scan_runs} runs"
    );
    println!(
        "{:<30} {:<11} {:>5} {:>9} {:>9} {:>10} {:>10} {:>8}",
        "period", "dimension", "rows", "p50 ms", "p95 ms", "scan ms", "GROUP BY", "speed-up"
    );
    let mut worst_p50 = 0.0f64;
    let mut worst_ratio = f64::INFINITY;
    for (name, period) in &periods {
        for dim in Dimension::ALL {
            let fast = Report::compute(&conn, *period, dim).map_err(|e| e.to_string())?;
            let mut times = Vec::with_capacity(runs);
            for _ in 0..runs {
                let t = Instant::now();
                let r = Report::compute(&conn, *period, dim).map_err(|e| e.to_string())?;
                times.push(ms(t));
                std::hint::black_box(r);
            }
            let mut scan = Vec::new();
            let mut group = Vec::new();
            for i in 0..scan_runs {
                let t = Instant::now();
                let slow = compute_by_scan(&conn, *period, dim).map_err(|e| e.to_string())?;
                scan.push(ms(t));
                if i == 0 && slow != fast {
                    return Err(format!("{name} {dim:?}: the rollups and the scan disagree"));
                }
                let t = Instant::now();
                std::hint::black_box(group_by_only(&conn, *period, dim).map_err(|e| e.to_string())?);
                group.push(ms(t));
            }
            let p50 = stats::median(&times).unwrap_or(f64::NAN);
            let p95 = stats::percentile(&times, 95.0).unwrap_or(f64::NAN);
            let scan50 = stats::median(&scan).unwrap_or(f64::NAN);
            let group50 = stats::median(&group).unwrap_or(f64::NAN);
            worst_p50 = worst_p50.max(p50);
            worst_ratio = worst_ratio.min(group50 / p50);
            println!(
                "{:<30} {:<11} {:>5} {:>9.2} {:>9.2} {:>10.1} {:>10.1} {:>7.0}×",
                name,
                format!("{dim:?}"),
                fast.rows.len(),
                p50,
                p95,
                scan50,
                group50,
                scan50 / p50
            );
        }
    }
    println!(
        "\nworst rollup p50 {worst_p50:.2} ms (target ≤ 50); smallest speed-up against the GROUP BY alone {worst_ratio:.0}× (target ≥ 50)"
    );
    Ok(())
}
