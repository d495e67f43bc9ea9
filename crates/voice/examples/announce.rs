//! Writes the announcement of one call:
//! `cargo run -p hallkeeper-voice --example announce -- A012 3 [--recall] [--repeat N] out.wav`.
//! Uses the pack folder in HALLKEEPER_VOICE_PACK if set, else the built-in pack.

use std::process::ExitCode;

use hallkeeper_voice::{normalise, spoken_text, Call, Pack};

const USAGE: &str = "usage: announce TICKET WINDOW [--recall] [--repeat N] OUT.wav";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("announce: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut positional = Vec::new();
    let mut recall = false;
    let mut repeat = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--recall" => recall = true,
            "--repeat" => {
                let n = args.next().ok_or(USAGE)?;
                repeat = n.parse().map_err(|_| format!("--repeat {n:?} is not a number\n{USAGE}"))?;
            }
            _ => positional.push(arg),
        }
    }
    let [ticket, window, out] = <[String; 3]>::try_from(positional).map_err(|_| USAGE.to_string())?;
    let call = Call { ticket, window, recall, repeat };
    let clips = normalise(&call).map_err(|e| format!("{} ({})", e, e.code()))?;
    let pack = Pack::from_env().map_err(|e| format!("{} ({})", e, e.code()))?;
    let wav = pack.render(&clips);
    std::fs::write(&out, hallkeeper_voice::wav::write(&wav)).map_err(|e| format!("{out}: {e}"))?;
    println!("{out}: {} ({:.2} s, {})", spoken_text(&clips), wav.duration_secs(), pack.source());
    Ok(())
}
