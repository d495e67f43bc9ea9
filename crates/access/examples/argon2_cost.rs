//! What one sign-in's password work costs on this machine at the chosen argon2id parameters:
//! a hash (account creation, password change) and a verify (every sign-in), each timed over
//! `RUNS` runs, with the median and the extremes printed. For `docs/benchmarks.md`
//! ("Sign-in: argon2id cost"); run it in release, as the server runs:
//!
//! `cargo run --release -p hallkeeper-access --example argon2_cost`
//!
//! With `-- M_KIB T P` it also times that cost (same password, argon2id), to see what a stronger
//! setting would cost before `password.rs`'s constants are raised.

use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Params, Version};
use hallkeeper_access::password::{hash_password, verify_password, LANES, MEMORY_KIB, PASSES};
use std::time::{Duration, Instant};

const RUNS: usize = 20;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let p50 = times[times.len() / 2];
    println!(
        "{what:<14} p50 {:>7.1} ms   min {:>7.1} ms   max {:>7.1} ms   ({} runs)",
        ms(p50),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("argon2id m = {MEMORY_KIB} KiB, t = {PASSES}, p = {LANES}");
    let password = "晴天-kiosk-47-门厅";
    // One warm-up of each, so the first allocation of the 19 MiB is not counted.
    let stored = hash_password(password)?;
    verify_password(password, &stored)?;
    let (mut hashes, mut verifies, mut sign_ins) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let start = Instant::now();
        let stored = hash_password(password)?;
        let hashed = Instant::now();
        let ok = verify_password(password, &stored)?;
        let verified = Instant::now();
        assert!(ok, "the password verifies");
        hashes.push(hashed - start);
        verifies.push(verified - hashed);
        sign_ins.push(verified - start);
    }
    report("hash", hashes);
    report("verify", verifies);
    report("hash + verify", sign_ins);

    let args: Vec<u32> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    if let [m, t, p] = args[..] {
        println!("argon2id m = {m} KiB, t = {t}, p = {p} (not what the project uses)");
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(m, t, p, None)?);
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let start = Instant::now();
            let stored =
                argon2.hash_password_with_salt(password.as_bytes(), b"a fixed salt 16b")?.to_string();
            assert!(verify_password(password, &stored)?);
            times.push(start.elapsed());
        }
        report("hash + verify", times);
    }
    Ok(())
}
