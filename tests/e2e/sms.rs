//! SMS reminders end to end: two rules made in the app's editor — "前面还有 3 人" (people ahead
//! drops to 3) and "取号成功" (ticket issued) — saved, so the desktop puts them to its embedded
//! server with the hall configuration; the simulator (`--simulate-speed`) takes tickets, about 40 %
//! of them with a 1380013xxxx number; the embedded server's log provider appends every message it
//! "sends" to `<data dir>/server/sms.jsonl` (see `hall_server::SMS_LOG_FILE`). The test reads that
//! file: every message is the rule's template rendered with the ticket's values under the
//! signature, the people-ahead one fires at ≤ 3 ahead, and no (rule, ticket) is sent twice. The
//! app's outbox tab then lists them with masked numbers only. Screenshots of the page in both
//! languages go to `$HALLKEEPER_SCREENSHOTS` (else the artifacts) as sms-zh.png / sms-en.png.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{anyhow, bail, ensure, Context, Result};
use hallkeeper_e2e::{wait_until, wait_until_for, Harness};

const AHEAD_NAME: &str = "前面还有 3 人";
const AHEAD_TEMPLATE: &str = "{ticket}号前面还有{ahead}人，请回到{hall}等候";
const ISSUED_NAME: &str = "取号成功";
const ISSUED_TEMPLATE: &str = "您已取号{ticket}，前面{ahead}人，约{wait_min}分钟";
/// The embedded server's signature (the server's default).
const SIGN: &str = "【政务服务中心】";
const TRAFFIC: Duration = Duration::from_secs(150);

#[derive(Debug, Clone)]
struct Logged {
    template_id: String,
    phone: String,
    params: HashMap<String, String>,
    text: String,
}

fn read_log(h: &Harness) -> Result<Vec<Logged>> {
    let path = h.data_dir().join("server").join("sms.jsonl");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("a line of {}: {line}", path.display()))?;
        let s = |k: &str| v[k].as_str().map(str::to_owned).ok_or_else(|| anyhow!("no {k} in {line}"));
        let mut params = HashMap::new();
        for p in v["params"].as_array().ok_or_else(|| anyhow!("no params in {line}"))? {
            let (Some(k), Some(val)) = (p[0].as_str(), p[1].as_str()) else {
                bail!("odd param {p} in {line}")
            };
            params.insert(k.to_owned(), val.to_owned());
        }
        out.push(Logged { template_id: s("templateId")?, phone: s("phone")?, params, text: s("text")? });
    }
    Ok(out)
}

fn render(template: &str, params: &HashMap<String, String>) -> String {
    let mut out = template.to_owned();
    for (k, v) in params {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    format!("{SIGN}{out}")
}

fn is_masked(phone: &str) -> bool {
    let c: Vec<char> = phone.chars().collect();
    c.len() == 11
        && c[..3].iter().all(char::is_ascii_digit)
        && c[3..7].iter().all(|&x| x == '*')
        && c[7..].iter().all(char::is_ascii_digit)
}

async fn add_rule(
    h: &Harness,
    name: &str,
    trigger: &str,
    template: &str,
    expect_in_preview: &str,
) -> Result<()> {
    h.click("sms-rule-add").await?;
    h.find_visible("sms-rule-dialog").await.context("the rule editor to open")?;
    h.type_into_id("sms-rule-name", name).await?;
    h.click(&format!("sms-trigger-{trigger}")).await?;
    h.type_into_id("sms-rule-template", template).await?;
    wait_until("the live preview to show the sample text", || async {
        let p = h.text(&h.find_visible("sms-rule-preview").await?).await?;
        ensure!(p.starts_with(SIGN) && p.contains(expect_in_preview), "the preview reads {p:?}");
        let count = h.find_visible("sms-rule-count").await?;
        let segments = count.attr("data-segments").await?.unwrap_or_default();
        ensure!(segments == "1", "a short reminder is one SMS, the counter says {segments:?}");
        Ok(())
    })
    .await?;
    h.click("sms-rule-ok").await?;
    h.wait_gone("sms-rule-dialog").await.context("the rule editor to close")?;
    Ok(())
}

pub async fn rules_texts_and_outbox(h: &Harness) -> Result<()> {
    h.click("nav-sms").await.context("going to 短信提醒")?;
    h.find_visible("sms-rules-empty").await.context("a new hall has no rules")?;

    add_rule(h, AHEAD_NAME, "peopleAhead", AHEAD_TEMPLATE, "A023号前面还有3人").await?;
    add_rule(h, ISSUED_NAME, "issued", ISSUED_TEMPLATE, "您已取号A023").await?;
    let names = h.find_all_visible("sms-rule-row-name").await?;
    ensure!(names.len() == 2, "two rules in the list, saw {}", names.len());

    // Two rules, two tickets a day, cap 3: over Tencent's default 2 a day — warned before saving.
    let warning = h.find_visible("sms-budget-warning").await.context("the budget warning")?;
    ensure!(warning.attr("data-provider").await?.as_deref() == Some("tencent"), "a Tencent warning");

    h.click("sms-rules-save").await?;
    h.wait_gone("sms-rules-unsaved").await.context("the rules to be saved")?;

    // The simulator's tickets reach the log provider with the rules' texts.
    let logged = wait_until_for(TRAFFIC, "reminders of both rules in the SMS log", || async {
        let all = read_log(h)?;
        let ahead = all.iter().filter(|m| m.text.contains("前面还有")).count();
        let issued = all.iter().filter(|m| m.text.contains("您已取号")).count();
        ensure!(ahead >= 1 && issued >= 2, "{ahead} people-ahead and {issued} issued messages so far");
        Ok(all)
    })
    .await?;
    check_log(&logged)?;

    // The outbox tab: the same texts, numbers masked.
    h.click("sms-tab-outbox").await?;
    let shown = wait_until_for(Duration::from_secs(30), "the outbox to list the sent reminders", || async {
        h.click("sms-outbox-refresh").await?;
        let texts = h.find_all_visible("sms-outbox-text").await?;
        ensure!(texts.len() >= 3, "{} rows", texts.len());
        let mut out = Vec::new();
        for t in texts {
            out.push(h.text(&t).await?);
        }
        Ok(out)
    })
    .await?;
    let logged = read_log(h)?;
    for text in &shown {
        ensure!(
            logged.iter().any(|m| &m.text == text),
            "the outbox shows {text:?}, which the log provider never sent"
        );
    }
    for p in h.find_all_visible("sms-outbox-phone").await? {
        let phone = h.text(&p).await?;
        ensure!(is_masked(&phone), "the outbox shows the number {phone:?}, not masked as 138****1234");
    }
    let page = h.wd().source().await?;
    ensure!(
        !page.as_bytes().windows(11).any(|w| w.starts_with(b"1380013") && w.iter().all(u8::is_ascii_digit)),
        "a full 1380013xxxx number appears in the page"
    );

    screenshots(h).await?;

    // Later traffic sends no second message for the same (rule, ticket).
    tokio::time::sleep(Duration::from_secs(5)).await;
    check_log(&read_log(h)?)?;
    Ok(())
}

fn check_log(all: &[Logged]) -> Result<()> {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for m in all {
        ensure!(is_masked(&m.phone), "the log provider's file holds an unmasked number: {m:?}");
        ensure!(m.phone.starts_with("138"), "only the simulator's 1380013xxxx numbers: {m:?}");
        let template = if m.text.contains("前面还有") {
            let ahead: u32 = m.params.get("ahead").and_then(|a| a.parse().ok()).context("ahead")?;
            ensure!(ahead <= 3, "the people-ahead reminder went at {ahead} ahead: {m:?}");
            AHEAD_TEMPLATE
        } else if m.text.contains("您已取号") {
            ISSUED_TEMPLATE
        } else {
            bail!("a message of no rule: {m:?}");
        };
        let want = render(template, &m.params);
        ensure!(m.text == want, "the message reads {:?}, its rule renders {want:?}", m.text);
        let ticket = m.params.get("ticket").context("ticket")?.clone();
        *seen.entry((m.template_id.clone(), ticket)).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    ensure!(twice.is_empty(), "sent more than once: {twice:?}");
    Ok(())
}

async fn screenshots(h: &Harness) -> Result<()> {
    let dir = std::env::var_os("HALLKEEPER_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| hallkeeper_e2e::paths::artifacts_dir().join("screenshots"));
    std::fs::create_dir_all(&dir)?;
    let shot = |name: &str| {
        let path = dir.join(name);
        async move {
            h.wait_gone_css(".el-message").await?;
            h.wait_settled().await?;
            hallkeeper_e2e::x_screenshot(&path)
        }
    };
    shot("sms-zh.png").await?;
    h.click("lang-switch").await?;
    h.wait_text("nav-sms", "SMS reminders").await?;
    shot("sms-en.png").await?;
    h.click("lang-switch").await?;
    h.wait_text("nav-sms", "短信提醒").await?;
    Ok(())
}
