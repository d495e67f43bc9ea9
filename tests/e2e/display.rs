//! The hall display (大屏) with a service star: facts for this month are written into the app's
//! store before it starts (one staff member meets the default rule, one does not), the display
//! window is opened from the dashboard's header button, WebDriver switches to it, and it shows the
//! star's name and a queue board with tiles. A screenshot of it goes to `$HALLKEEPER_SCREENSHOTS`
//! (docs/screenshots/display.png) when set, else next to the artifacts; it is the whole X screen,
//! so run under a 1920×1080 one (`xvfb-run -s "-screen 0 1920x1080x24"`).

use std::sync::Arc;

use anyhow::{anyhow, ensure, Context, Result};
use chrono::NaiveDate;
use hallkeeper_core::proto::{RatingLevel, StaffInput, WindowInput, WindowKind, WindowState};
use hallkeeper_core::reports::{RatingFact, TicketFact, TicketOutcome};
use hallkeeper_core::{Store, SystemClock};
use hallkeeper_e2e::{wait_until, Harness};

/// The staff member who qualifies (60 served, 12 ratings, 11 good).
const STAR: &str = "张敏";
/// One who does not (too few services).
const NOT_A_STAR: &str = "李强";

/// Writes two windows, two staff and this month's facts into the store in `dir`.
fn seed(dir: &std::path::Path) -> Result<()> {
    let store = Store::open_in_dir(dir, Arc::new(SystemClock)).context("opening the app's store")?;
    let actor = "e2e";
    let mut window_id = String::new();
    for (number, name) in [("A01", "综合受理"), ("A02", "企业开办")] {
        let w = store.create_window(
            actor,
            &WindowInput {
                number: number.into(),
                name: name.into(),
                zone: "一楼".into(),
                kind: WindowKind::General,
                state: WindowState::Open,
            },
        )?;
        if window_id.is_empty() {
            window_id = w.id;
        }
    }
    let star = store.create_staff(
        actor,
        &StaffInput { employee_no: "E001".into(), name: STAR.into(), department_id: None },
    )?;
    let other = store.create_staff(
        actor,
        &StaffInput { employee_no: "E002".into(), name: NOT_A_STAR.into(), department_id: None },
    )?;
    let today: NaiveDate = store.hall_today().parse().context("the hall's date")?;
    let mut tickets = Vec::new();
    let mut ratings = Vec::new();
    for (staff, served, levels) in [
        (
            &star.id,
            60,
            vec![RatingLevel::VerySatisfied; 11]
                .into_iter()
                .chain([RatingLevel::Neutral])
                .collect::<Vec<_>>(),
        ),
        (&other.id, 20, vec![RatingLevel::VerySatisfied; 12]),
    ] {
        for i in 0..served {
            tickets.push(TicketFact {
                ticket_id: format!("{staff}-t{i}"),
                hall_day: today,
                window_id: Some(window_id.clone()),
                staff_id: Some(staff.clone()),
                matter_id: "m-e2e".into(),
                department_id: None,
                outcome: TicketOutcome::Served,
                transfers: 0,
                wait_secs: Some(120),
                service_secs: Some(400),
            });
        }
        for (i, level) in levels.into_iter().enumerate() {
            ratings.push(RatingFact {
                rating_id: format!("{staff}-r{i}"),
                ticket_id: format!("{staff}-t{i}"),
                hall_day: today,
                window_id: window_id.clone(),
                staff_id: Some(staff.clone()),
                matter_id: "m-e2e".into(),
                department_id: None,
                level,
                excluded: false,
                case: None,
            });
        }
    }
    store.upsert_report_facts(&tickets, &ratings)?;
    let month = store
        .monthly_stars(today.format("%Y").to_string().parse()?, today.format("%m").to_string().parse()?)?;
    ensure!(
        month.stars.len() == 1 && month.stars[0].staff_name == STAR,
        "the seeded month should have exactly one star, {STAR}; the store ranks {:?}",
        month.stars
    );
    Ok(())
}

pub async fn opens_and_shows_a_star(h: &mut Harness) -> Result<()> {
    // The first launch made the store; seed it with the app stopped, then start it again.
    h.quit_app().await.context("stopping the app to seed its store")?;
    seed(h.data_dir())?;
    h.launch().await.context("starting the app on the seeded store")?;

    h.find_visible("dashboard-tiles").await.context("the dashboard with the seeded windows")?;
    let main = h.wd().window().await?;
    h.click("dashboard-open-display").await?;
    let display = wait_until("the display window to open (a second WebDriver window handle)", || async {
        let handles = h.wd().windows().await?;
        let n = handles.len();
        handles.into_iter().find(|w| *w != main).ok_or_else(|| anyhow!("{n} window handle(s)"))
    })
    .await?;
    h.wd().switch_to_window(display.clone()).await.context("switching to the display window")?;

    h.find_visible("display-view").await?;
    h.wait_text("display-star-name", STAR).await.context("the month's star on the display")?;
    let stars = h.find_all("display-star").await?;
    ensure!(stars.len() == 1, "only {STAR} meets the rule; the display shows {} stars", stars.len());
    let shown = h.text(&stars[0]).await?;
    ensure!(
        shown.contains("91.7%"),
        "the star's good rate (11 of 12) should read 91.7%; the card reads {shown:?}"
    );
    ensure!(!shown.contains(NOT_A_STAR), "{NOT_A_STAR} served too few to be a star");
    let numbers = wait_until("the queue board to have the two windows' tiles", || async {
        let tiles = h.find_all("display-tile").await?;
        let mut numbers = Vec::new();
        for t in &tiles {
            numbers.push(t.attr("data-window-number").await?.unwrap_or_default());
        }
        ensure!(numbers.len() == 2, "tiles for {numbers:?}");
        Ok(numbers)
    })
    .await?;
    ensure!(numbers == ["A01", "A02"], "the board's windows in floor order; it has {numbers:?}");
    let clock = h.text(&h.find("display-clock").await?).await?;
    ensure!(clock.len() == 8 && clock.as_bytes()[2] == b':', "the clock reads HH:MM:SS; it reads {clock:?}");

    let dir = std::env::var_os("HALLKEEPER_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| hallkeeper_e2e::paths::artifacts_dir().join("screenshots"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    h.wait_settled().await?;
    let path = dir.join("display.png");
    hallkeeper_e2e::x_screenshot(&path)?;
    let size = std::fs::metadata(&path)?.len();
    ensure!(size > 10_000, "the screenshot {} is suspiciously small ({size} bytes)", path.display());

    // Back to the main window, which is unharmed.
    h.wd().switch_to_window(main.clone()).await?;
    h.find_visible("dashboard-tiles").await?;

    // The rule is the supervisor's: in Settings, a bad value is refused at its field; a minimum of
    // 61 services (the star served 60) leaves the month without a star, on the display too.
    h.click("nav-settings").await?;
    wait_until("the star rule to load", || async {
        let s = h.find_visible("star-rule-section").await?.attr("data-status").await?.unwrap_or_default();
        ensure!(s == "ready", "data-status={s:?}");
        Ok(())
    })
    .await?;
    h.type_into_id("star-minServices", "abc").await?;
    h.click("star-save").await?;
    let refused = h.find_visible("star-field-error").await.context("a bad minimum shown at its field")?;
    ensure!(refused.attr("data-field").await?.as_deref() == Some("minServices"), "the error's field");
    h.type_into_id("star-minServices", "61").await?;
    h.click("star-save").await?;
    h.wait_gone("star-field-error").await?;
    h.wd().switch_to_window(display).await?;
    h.find_visible("display-stars-empty").await.context("no star under the stricter rule")?;
    h.wd().switch_to_window(main).await?;
    Ok(())
}
