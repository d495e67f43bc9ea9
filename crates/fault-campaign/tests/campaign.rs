//! The fault campaign in its short form, as CI runs it: the real server and two real sync
//! agents as processes, 100 faults (`HALLKEEPER_FAULTS` for another count,
//! `HALLKEEPER_FAULT_SEED` to replay a seed), then nothing lost, nothing duplicated, every
//! replica identical to the server, and every operation authored by the person signed in on its
//! desktop (two accounts, each agent syncing with its own session).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn a_short_campaign_loses_nothing_duplicates_nothing_and_converges() {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_hallkeeper-fault-campaign"));
    let server = exe.parent().expect("target folder").join("hallkeeper-server");
    assert!(
        server.is_file(),
        "the campaign runs the real server, {} is not built: run `cargo build -p hallkeeper-server` \
         (with the same target folder) first — `cargo test --workspace` builds it",
        server.display()
    );
    let faults = std::env::var("HALLKEEPER_FAULTS").unwrap_or_else(|_| "100".into());
    let mut cmd = Command::new(&exe);
    cmd.args(["--faults", &faults]);
    if let Ok(seed) = std::env::var("HALLKEEPER_FAULT_SEED") {
        cmd.args(["--seed", &seed]);
    }
    let out = cmd.output().expect("run the campaign");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "the campaign failed ({}):\n{stdout}\n{stderr}", out.status);
    for line in ["authors: 0 ", "lost: 0", "duplicated: 0", "identical: yes", "PASSED"] {
        assert!(stdout.lines().any(|l| l.starts_with(line)), "no {line:?} in:\n{stdout}");
    }
}
