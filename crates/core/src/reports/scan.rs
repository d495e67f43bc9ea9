//! The same reports by full recomputation from the facts: plain GROUP BYs over the period's
//! hall days, and one pass over the period's durations for the percentiles. It is the reference
//! the rollups are tested against and the baseline the bench measures them against; it reads
//! every fact of the period, so it grows with the period's length.

use super::hist;
use super::period::day_number;
use super::{Counters, Dimension, Period, ReportTable};
use crate::error::Result;
use rusqlite::{params, Connection};
use std::collections::{BTreeMap, HashMap};

fn key_expr(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Hall => "''",
        Dimension::Window => "coalesce(window_id, '')",
        Dimension::Staff => "coalesce(staff_id, '')",
        Dimension::Matter => "matter_id",
        Dimension::Department => "coalesce(department_id, '')",
    }
}

/// The report of `dimension` over `period`, recomputed from the facts.
pub fn compute_by_scan(conn: &Connection, period: Period, dimension: Dimension) -> Result<ReportTable> {
    let counters = group_by(conn, period, dimension)?;
    let p90s = percentiles(conn, period, dimension)?;
    let rows = counters
        .into_iter()
        .map(|(key, c)| {
            let (w, s) = p90s.get(&key).copied().unwrap_or((None, None));
            c.into_row(key, w, s)
        })
        .collect();
    Ok(ReportTable { period: period.into(), dimension, rows })
}

/// The GROUP BY part alone: every counter per key (no percentiles).
pub fn group_by_only(conn: &Connection, period: Period, dimension: Dimension) -> Result<usize> {
    Ok(group_by(conn, period, dimension)?.len())
}

fn group_by(conn: &Connection, period: Period, dimension: Dimension) -> Result<BTreeMap<String, Counters>> {
    let (from, to) = (day_number(period.start()), day_number(period.end()));
    let k = key_expr(dimension);
    let mut out: BTreeMap<String, Counters> = BTreeMap::new();
    let mut st = conn.prepare_cached(&format!(
        "SELECT {k} AS k, count(*), count(*) FILTER (WHERE outcome = 0), count(*) FILTER (WHERE outcome = 1), count(*) FILTER (WHERE outcome = 2), count(*) FILTER (WHERE outcome = 3),
                sum(transfers), coalesce(sum(wait_secs), 0), count(wait_secs),
                coalesce(sum(service_secs), 0), count(service_secs)
         FROM report_ticket_facts WHERE hall_day BETWEEN ?1 AND ?2 GROUP BY k"
    ))?;
    let mut rows = st.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        let c = out.entry(r.get(0)?).or_default();
        c.issued = r.get(1)?;
        c.served = r.get(2)?;
        c.no_shows = r.get(3)?;
        c.cancelled = r.get(4)?;
        c.open = r.get(5)?;
        c.transfers = r.get(6)?;
        c.wait_sum = r.get(7)?;
        c.wait_count = r.get(8)?;
        c.service_sum = r.get(9)?;
        c.service_count = r.get(10)?;
    }
    let poor = "excluded = 0 AND level >= 3";
    let mut st = conn.prepare_cached(&format!(
        "SELECT {k} AS k, count(*) FILTER (WHERE excluded = 0 AND level = 0), count(*) FILTER (WHERE excluded = 0 AND level = 1),
                count(*) FILTER (WHERE excluded = 0 AND level = 2), count(*) FILTER (WHERE excluded = 0 AND level = 3),
                count(*) FILTER (WHERE excluded = 0 AND level = 4), count(*) FILTER (WHERE excluded),
                count(*) FILTER (WHERE {poor} AND rectified = 1), count(*) FILTER (WHERE {poor} AND rectified = 1 AND rectified_on_time = 1),
                count(*) FILTER (WHERE {poor} AND called_back = 1)
         FROM report_rating_facts WHERE hall_day BETWEEN ?1 AND ?2 GROUP BY k"
    ))?;
    let mut rows = st.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        let c = out.entry(r.get(0)?).or_default();
        for i in 0..5 {
            c.levels[i] = r.get(i + 1)?;
        }
        c.excluded = r.get(6)?;
        c.rectified = r.get(7)?;
        c.rectified_on_time = r.get(8)?;
        c.called_back = r.get(9)?;
    }
    Ok(out)
}

type P90s = HashMap<String, (Option<u32>, Option<u32>)>;

/// Exact nearest-rank 90th percentiles per key, then put at bucket resolution.
fn percentiles(conn: &Connection, period: Period, dimension: Dimension) -> Result<P90s> {
    let k = key_expr(dimension);
    let mut st = conn.prepare_cached(&format!(
        "SELECT {k}, wait_secs, service_secs FROM report_ticket_facts
         WHERE hall_day BETWEEN ?1 AND ?2 AND (wait_secs IS NOT NULL OR service_secs IS NOT NULL)"
    ))?;
    let mut values: HashMap<String, (Vec<u32>, Vec<u32>)> = HashMap::new();
    let mut rows = st.query(params![day_number(period.start()), day_number(period.end())])?;
    while let Some(r) = rows.next()? {
        let key = super::sql_text(r.get_ref(0)?)?;
        let entry = match values.get_mut(key) {
            Some(e) => e,
            None => values.entry(key.to_owned()).or_default(),
        };
        if let Some(w) = r.get::<_, Option<u32>>(1)? {
            entry.0.push(w);
        }
        if let Some(s) = r.get::<_, Option<u32>>(2)? {
            entry.1.push(s);
        }
    }
    let p90 = |v: &mut Vec<u32>| -> Option<u32> {
        if v.is_empty() {
            return None;
        }
        let rank = hist::p90_rank(v.len() as u64) as usize;
        let (_, nth, _) = v.select_nth_unstable(rank - 1);
        Some(hist::resolve(*nth))
    };
    Ok(values.into_iter().map(|(k, (mut w, mut s))| (k, (p90(&mut w), p90(&mut s)))).collect())
}
