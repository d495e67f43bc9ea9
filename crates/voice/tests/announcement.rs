//! The built announcement of a call, measured from outside: written to a file, its length and
//! loudness read by sox (`sox --i -D`, `sox … -n stat`), its longest inner silence by reading
//! the samples back here.

use std::path::Path;
use std::process::Command;

use hallkeeper_voice::{wav, Call, Pack};

/// Same definition as the crate's rule (1 % of full scale), counted independently here.
const SILENT_BELOW: i32 = 328;
const MAX_GAP_MS: f64 = 150.0;
const MIN_RMS: f64 = 0.05;

fn sox_present() -> bool {
    let present = Command::new("sox").arg("--version").output().is_ok_and(|o| o.status.success());
    if !present {
        assert!(
            std::env::var_os("HALLKEEPER_REQUIRE_SOX").is_none(),
            "HALLKEEPER_REQUIRE_SOX is set but sox is not installed (apt-get install sox)"
        );
        eprintln!("SKIPPED: sox is not installed (apt-get install sox); set HALLKEEPER_REQUIRE_SOX=1 to fail instead");
    }
    present
}

fn sox_duration(path: &Path) -> f64 {
    let out = Command::new("sox").arg("--i").arg("-D").arg(path).output().expect("sox runs");
    assert!(out.status.success(), "sox --i -D: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("a duration in seconds")
}

fn sox_rms(path: &Path) -> f64 {
    let out = Command::new("sox").arg(path).args(["-n", "stat"]).output().expect("sox runs");
    // `stat` reports on stderr.
    let report = String::from_utf8_lossy(&out.stderr);
    let line = report.lines().find(|l| l.starts_with("RMS     amplitude")).expect("an RMS line");
    line.rsplit(' ').next().and_then(|v| v.parse().ok()).expect("an RMS value")
}

/// The longest run of silent samples between the first and last sound, in ms.
fn longest_inner_silence_ms(path: &Path) -> f64 {
    let bytes = std::fs::read(path).expect("the file was written");
    let w = wav::parse(&bytes, "out.wav").expect("a WAV file");
    let loud: Vec<bool> = w.samples.iter().map(|&s| i32::from(s).abs() >= SILENT_BELOW).collect();
    let first = loud.iter().position(|&l| l).expect("some sound");
    let last = loud.iter().rposition(|&l| l).expect("some sound");
    let (mut longest, mut run) = (0usize, 0usize);
    for &l in &loud[first..=last] {
        run = if l { 0 } else { run + 1 };
        longest = longest.max(run);
    }
    longest as f64 * 1000.0 / f64::from(w.sample_rate)
}

fn measure(call: &Call) -> (f64, f64, f64) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("out.wav");
    let pack = Pack::embedded().expect("the built-in pack");
    std::fs::write(&path, pack.announce(call).expect("a readable call")).expect("written");
    let measured = (sox_duration(&path), sox_rms(&path), longest_inner_silence_ms(&path));
    eprintln!("{call:?}: {:.2} s, RMS {:.3}, longest silence {:.0} ms", measured.0, measured.1, measured.2);
    measured
}

#[test]
fn a_call_is_two_to_eight_seconds_loud_enough_and_without_long_silences() {
    if !sox_present() {
        return;
    }
    for call in [
        Call::new("A012", "3"),
        Call::new("B105", "12"),
        Call::new("Z999", "105"),
        Call { recall: true, ..Call::new("A012", "3") },
    ] {
        let (secs, rms, gap) = measure(&call);
        assert!((2.0..=8.0).contains(&secs), "{call:?}: {secs} s");
        assert!(rms > MIN_RMS, "{call:?}: RMS {rms}");
        assert!(gap <= MAX_GAP_MS, "{call:?}: a {gap} ms silence");
    }
}

#[test]
fn a_repeated_call_keeps_the_gap_rule_and_grows_by_whole_sentences() {
    if !sox_present() {
        return;
    }
    let (once, _, _) = measure(&Call::new("A012", "3"));
    let (thrice, rms, gap) = measure(&Call { repeat: 3, ..Call::new("A012", "3") });
    assert!(rms > MIN_RMS && gap <= MAX_GAP_MS, "RMS {rms}, gap {gap} ms");
    // Chime once: three sentences are less than three whole announcements.
    assert!(thrice > 2.0 * once && thrice < 3.0 * once, "{once} s once, {thrice} s three times");
}
