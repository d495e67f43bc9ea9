//! Catalog benchmark: importing a 10,000-matter provincial file (preview + apply, as the
//! supervisor does it), re-importing it unchanged, and the coverage audit over 10,000 matters
//! and 200 windows. Prints a table; `--json FILE` also writes the figures.
//!
//! `cargo run --release -p hallkeeper-bench --bin hallkeeper-catalog-bench -- [--runs N] [--json F]`

#[path = "stats.rs"]
mod stats;

use hallkeeper_core::catalog::mapping::standard_order;
use hallkeeper_core::coverage::{self, Hall};
use hallkeeper_core::proto::{
    BindInput, BindingPriority, ImportRequest, WindowInput, WindowKind, WindowState,
};
use hallkeeper_core::{Store, SystemClock};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const MATTERS: usize = 10_000;
const WINDOWS: usize = 200;

fn main() {
    if let Err(e) = run() {
        eprintln!("hallkeeper-catalog-bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut runs = 7usize;
    let mut json: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).ok_or("--runs needs a number")?,
            "--json" => json = Some(args.next().ok_or("--json needs a file")?.into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = write_catalog(dir.path())?;
    let size = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
    println!(
        "catalog: {MATTERS} matters, {:.1} MB CSV; {runs} runs each (fresh SQLite file per import run)",
        size as f64 / 1e6
    );

    let request = ImportRequest { path: file.to_string_lossy().into_owned(), mapping: standard_order() };
    let quiet = |_| {};
    let (mut first, mut again) = (Vec::new(), Vec::new());
    let mut last_store = None;
    for i in 0..runs {
        let store_dir = dir.path().join(format!("store-{i}"));
        let store = Store::open_in_dir(&store_dir, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
        let t = Instant::now();
        let preview = store.preview_import(&request, &quiet).map_err(|e| e.to_string())?;
        let outcome =
            store.apply_import("bench", &request, &preview.fingerprint, &quiet).map_err(|e| e.to_string())?;
        first.push(ms(t));
        if outcome.added as usize != MATTERS {
            return Err(format!("expected {MATTERS} matters added, got {}", outcome.added));
        }
        let t = Instant::now();
        let preview = store.preview_import(&request, &quiet).map_err(|e| e.to_string())?;
        let outcome =
            store.apply_import("bench", &request, &preview.fingerprint, &quiet).map_err(|e| e.to_string())?;
        again.push(ms(t));
        if outcome.unchanged as usize != MATTERS {
            return Err("re-import was not a no-op".into());
        }
        last_store = Some(store);
    }
    let store = last_store.ok_or("no runs")?;

    // 200 windows, each with ~50 primary and a few overflow matters; a tenth of the matters unbound.
    let catalog = store.catalog().map_err(|e| e.to_string())?;
    let mut windows = Vec::new();
    for i in 0..WINDOWS {
        let input = WindowInput {
            number: format!("W{:03}", i + 1),
            name: format!("窗口{}", i + 1),
            zone: String::new(),
            kind: WindowKind::General,
            state: if i % 10 == 9 { WindowState::Paused } else { WindowState::Open },
        };
        windows.push(store.create_window("bench", &input).map_err(|e| e.to_string())?.id);
    }
    let bound = MATTERS * 9 / 10;
    for (w, chunk) in catalog.matters[..bound].chunks(bound / WINDOWS).enumerate() {
        let window_id = windows[w % WINDOWS].clone();
        let ids: Vec<String> = chunk.iter().map(|m| m.id.clone()).collect();
        store
            .bind_matters(
                "bench",
                &BindInput {
                    window_id: window_id.clone(),
                    matter_ids: ids.clone(),
                    priority: BindingPriority::Primary,
                },
            )
            .map_err(|e| e.to_string())?;
        let next = windows[(w + 1) % WINDOWS].clone();
        store
            .bind_matters(
                "bench",
                &BindInput {
                    window_id: next,
                    matter_ids: ids[..5].to_vec(),
                    priority: BindingPriority::Overflow,
                },
            )
            .map_err(|e| e.to_string())?;
    }
    let bindings = store.list_bindings().map_err(|e| e.to_string())?;
    let ws = store.list_windows().map_err(|e| e.to_string())?;
    let (mut pure, mut full) = (Vec::new(), Vec::new());
    let mut red = 0;
    for _ in 0..runs.max(20) {
        let t = Instant::now();
        let r = coverage::audit(
            Hall {
                windows: &ws,
                departments: &catalog.departments,
                matters: &catalog.matters,
                bindings: &bindings,
            },
            coverage::FINDINGS_PER_GROUP,
        );
        pure.push(ms(t));
        red = r.red;
        let t = Instant::now();
        store.coverage().map_err(|e| e.to_string())?;
        full.push(ms(t));
    }

    let row = |name: &str, xs: &[f64]| {
        println!(
            "{name:<44} median {:>8.1} ms   p95 {:>8.1} ms   min {:>8.1} ms",
            stats::median(xs).unwrap_or(f64::NAN),
            stats::percentile(xs, 95.0).unwrap_or(f64::NAN),
            stats::min(xs).unwrap_or(f64::NAN)
        )
    };
    println!();
    row("import 10k (read+parse+diff+apply, 1 tx)", &first);
    row("re-import unchanged 10k (no-op)", &again);
    println!(
        "coverage audit: {MATTERS} matters × {WINDOWS} windows, {} bindings, {red} red findings",
        bindings.len()
    );
    row("  pure audit (core::coverage::audit)", &pure);
    row("  store.coverage() (SQLite read + audit)", &full);
    if let Some(path) = json {
        let doc = serde_json::json!({
            "matters": MATTERS, "windows": WINDOWS, "bindings": bindings.len(), "runs": runs,
            "import_ms": first, "reimport_ms": again, "audit_pure_ms": pure, "audit_store_ms": full,
            "import_median_ms": stats::median(&first), "audit_store_median_ms": stats::median(&full),
        });
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// A 10,000-matter file built from the sample catalog: its rows repeated with fresh codes and
/// numbered names, over its 15 departments, as a province-wide export would be.
fn write_catalog(dir: &Path) -> Result<PathBuf, String> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample-catalog/sample-catalog.csv");
    let text = std::fs::read_to_string(&sample).map_err(|e| format!("{}: {e}", sample.display()))?;
    let mut lines = text.lines();
    let header = lines.next().ok_or("empty sample")?;
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut out = String::with_capacity(MATTERS * 160);
    out.push_str(header);
    out.push_str("\r\n");
    for i in 0..MATTERS {
        let r = &rows[i % rows.len()];
        let round = i / rows.len();
        let code = format!("{}{:012}", r[3], i + 1);
        let name = if round == 0 { r[1].to_owned() } else { format!("{}（第{}类）", r[1], round + 1) };
        out.push_str(&format!("{code},{name},{},{},{},{},{},{}\r\n", r[2], r[3], r[4], r[5], r[6], r[7]));
    }
    let path = dir.join("catalog-10k.csv");
    std::fs::write(&path, out).map_err(|e| e.to_string())?;
    Ok(path)
}
