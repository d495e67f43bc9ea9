//! What the bench binaries share of their command line: `--name value` options and the exit on
//! failure.

/// The value after `name` on the command line (`_` allowed as a digit separator: `1_000_000`),
/// or `default` when absent or unreadable.
pub fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Runs an async bench on a two-worker runtime (this machine's cores); prints the error and
/// exits 1 when it fails.
pub fn run<F>(bench: &str, body: F)
where
    F: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.into())
        .and_then(|rt| rt.block_on(body));
    if let Err(e) = outcome {
        eprintln!("{bench} bench failed: {e}");
        std::process::exit(1);
    }
}
