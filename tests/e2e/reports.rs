//! 统计报表 in the real app, with the embedded server and the simulator (`--simulate-speed`): the
//! simulated hall's tickets reach the store through sync, are folded into report facts in the
//! same transaction, and today's report shows them; the XLSX export of the same report, read back
//! with calamine, has the same issued count. The native save dialog cannot be driven through
//! WebDriver, so the export is invoked as the page invokes it once the dialog answered a path.
//! Screenshots in both languages go to `$HALLKEEPER_SCREENSHOTS` (scripts/screenshot.sh), else to
//! the artifacts.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, ensure, Context, Result};
use calamine::{open_workbook, Data, Reader, Xlsx};
use hallkeeper_e2e::{wait_until_for, Harness};

use crate::pages::has_cjk;

const SPEED: &str = "120";
/// The embedded server, the seed, the simulator and a first sync.
const TRAFFIC: Duration = Duration::from_secs(150);

async fn open_reports(h: &Harness) -> Result<()> {
    h.click("nav-reports").await.context("going to 统计报表")?;
    h.find_visible("reports-page").await.map(|_| ())
}

/// The hall row's issued count as the page shows it (refreshing until there is one).
async fn issued_on_page(h: &Harness) -> Result<u64> {
    wait_until_for(TRAFFIC, "today's report shows issued tickets", || async {
        h.click("report-refresh").await?;
        let cells = h.find_all_visible("report-issued").await?;
        let first = cells.first().ok_or_else(|| anyhow!("no row yet"))?;
        let n: u64 = h.text(first).await?.trim().parse()?;
        ensure!(n > 0, "issued is {n}");
        Ok(n)
    })
    .await
}

/// The issued count the page shows now (after traffic moved on, the export may see more).
async fn issued_now(h: &Harness) -> Result<u64> {
    let cells = h.find_all_visible("report-issued").await?;
    let first = cells.first().ok_or_else(|| anyhow!("no row"))?;
    Ok(h.text(first).await?.trim().parse()?)
}

async fn export(h: &Harness, path: &std::path::Path) -> Result<()> {
    let script = r#"
        const [path, done] = [arguments[0], arguments[arguments.length - 1]];
        const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
        window.__TAURI_INTERNALS__
          .invoke('export_report_xlsx', { period: { kind: 'day', date: today }, dimension: 'hall', path })
          .then(() => done(null), (e) => done(JSON.stringify(e)));
    "#;
    let out = h.wd().execute_async(script, vec![serde_json::json!(path.to_string_lossy())]).await?;
    let v = out.json();
    ensure!(v.is_null(), "export refused: {v}");
    Ok(())
}

/// Issued (column 3: id, name, issued…) of the hall row: row 4 (title, blank, header first).
fn issued_in_xlsx(path: &std::path::Path) -> Result<u64> {
    let mut book: Xlsx<_> = open_workbook(path).with_context(|| format!("opening {}", path.display()))?;
    let name = book.sheet_names().first().cloned().ok_or_else(|| anyhow!("no sheet"))?;
    let range = book.worksheet_range(&name)?;
    let row = range.rows().nth(3).ok_or_else(|| anyhow!("no data row"))?;
    match row.get(2) {
        Some(Data::Float(f)) => Ok(*f as u64),
        Some(Data::Int(i)) => Ok(*i as u64),
        other => Err(anyhow!("issued cell is {other:?}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_from_simulated_traffic_and_the_xlsx_export() {
    let h = Harness::start_with_args(
        "reports_from_simulated_traffic_and_the_xlsx_export",
        &["--simulate-speed", SPEED],
    )
    .await;
    let outcome = async {
        open_reports(&h).await?;
        let shown = issued_on_page(&h).await?;
        // Stop-and-compare: refresh, read, export, read again; the export must lie between.
        let before = {
            h.click("report-refresh").await?;
            h.wait_settled().await?;
            issued_now(&h).await?
        };
        ensure!(before >= shown, "issued went down: {shown} → {before}");
        let path = h.artifacts().join("report-today.xlsx");
        export(&h, &path).await?;
        h.click("report-refresh").await?;
        h.wait_settled().await?;
        let after = issued_now(&h).await?;
        let in_file = issued_in_xlsx(&path)?;
        ensure!(
            (before..=after).contains(&in_file),
            "the workbook says {in_file} issued, the page {before} before and {after} after"
        );

        // Per window: rows with names, and the dimension's rows add up to at least the hall's.
        h.click("report-dim-window").await?;
        wait_until_for(Duration::from_secs(10), "rows per window", || async {
            let rows = h.find_all_visible("report-row-name").await?;
            ensure!(rows.len() > 1, "{} rows", rows.len());
            Ok(())
        })
        .await?;
        h.click("report-dim-hall").await?;
        h.find_visible("report-issued").await?;

        let dir = std::env::var_os("HALLKEEPER_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| hallkeeper_e2e::paths::artifacts_dir().join("screenshots"));
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        h.click("report-dim-window").await?;
        h.wait_settled().await?;
        h.wd().execute("document.activeElement?.blur(); return null;", Vec::new()).await?;
        crate::screenshot(&h, dir.join("reports-zh.png")).await?;
        h.click("lang-switch").await?;
        h.wait_text("page-title", "Reports").await?;
        let head = h.text(&h.find_visible("report-table").await?).await?;
        let header_line = head.lines().take(3).collect::<Vec<_>>().join(" ");
        ensure!(!has_cjk(&header_line), "the table's header is still Chinese: {header_line:?}");
        h.wait_settled().await?;
        h.wd().execute("document.activeElement?.blur(); return null;", Vec::new()).await?;
        crate::screenshot(&h, dir.join("reports-en.png")).await?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    h.finish(outcome).await;
}
