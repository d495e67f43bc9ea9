//! Command-line options of the desktop app.

use std::path::PathBuf;

pub const USAGE: &str = "usage: hallkeeper [--data-dir DIR] [--server URL --hall ID]

  --data-dir DIR   keep the local store (hallkeeper.db) in DIR instead of the user's data
                   folder; HALLKEEPER_DATA_DIR does the same
  --server URL     work with a remote central server instead of the embedded one; people
                   sign in with their accounts on that server
  --hall ID        the hall on that server (default: local)
  --simulate       simulated hall traffic on the embedded server (an empty store is first
                   filled with a demo hall of 20 windows); 60× real time
  --simulate-speed X  the simulation's speed (hall seconds per second)
  --device-port PORT  the embedded server's port on 127.0.0.1, where the device pages
                   (/kiosk /terminal /pad /display) are (default 8720; a busy port falls
                   back to any free one); HALLKEEPER_DEVICE_PORT does the same
  -h, --help       print this help";

/// The embedded server's port when none is asked for: a fixed one, so a browser's bookmark of
/// a device page still works after the app restarts.
pub const DEFAULT_DEVICE_PORT: u16 = 8720;

/// An hour of hall time per minute: a demo day passes in eight minutes.
pub const DEFAULT_SIM_SPEED: f64 = 60.0;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    pub data_dir: Option<PathBuf>,
    /// A remote central server; None runs the embedded one.
    pub server: Option<String>,
    pub hall: Option<String>,
    /// Simulated traffic at this speed (hall seconds per second).
    pub simulate: Option<f64>,
    /// The embedded server's port (None: [`DEFAULT_DEVICE_PORT`], else any free one).
    pub device_port: Option<u16>,
}

impl Options {
    /// Ok(None) means help was asked for. Unknown arguments are refused: a typo must not
    /// silently open the wrong store.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Self>, String> {
        let mut options = Options {
            data_dir: std::env::var_os("HALLKEEPER_DATA_DIR").filter(|v| !v.is_empty()).map(PathBuf::from),
            ..Options::default()
        };
        if let Some(v) = std::env::var("HALLKEEPER_DEVICE_PORT").ok().filter(|v| !v.is_empty()) {
            options.device_port = Some(port(&v, "HALLKEEPER_DEVICE_PORT")?);
        }
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "-h" | "--help" => return Ok(None),
                "--data-dir" => {
                    let dir = args.next().ok_or("--data-dir needs a folder")?;
                    options.data_dir = Some(PathBuf::from(dir));
                }
                "--server" => options.server = Some(args.next().ok_or("--server needs a URL")?),
                "--hall" => options.hall = Some(args.next().ok_or("--hall needs a hall id")?),
                "--simulate" => options.simulate = Some(options.simulate.unwrap_or(DEFAULT_SIM_SPEED)),
                "--simulate-speed" => {
                    let v = args.next().ok_or("--simulate-speed needs a number")?;
                    let speed: f64 =
                        v.parse().map_err(|_| format!("--simulate-speed {v:?} is not a number"))?;
                    if !(speed.is_finite() && speed > 0.0) {
                        return Err(format!("--simulate-speed {v:?} must be positive"));
                    }
                    options.simulate = Some(speed);
                }
                "--device-port" => {
                    let v = args.next().ok_or("--device-port needs a port number")?;
                    options.device_port = Some(port(&v, "--device-port")?);
                }
                other => match other.strip_prefix("--data-dir=") {
                    Some(dir) => options.data_dir = Some(PathBuf::from(dir)),
                    None => return Err(format!("unknown argument {other:?}")),
                },
            }
        }
        Ok(Some(options))
    }
}

/// A port a person may ask for: 1–65535 (0, "any", is what a busy default falls back to).
fn port(v: &str, name: &str) -> Result<u16, String> {
    match v.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("{name} {v:?} is not a port number (1–65535)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn data_dir_in_both_spellings_and_refusals() {
        assert_eq!(parse(&["--data-dir", "/tmp/x"]).unwrap().unwrap().data_dir, Some("/tmp/x".into()));
        assert_eq!(parse(&["--data-dir=/tmp/y"]).unwrap().unwrap().data_dir, Some("/tmp/y".into()));
        assert_eq!(parse(&["--help"]).unwrap(), None);
        assert!(parse(&["--data-dir"]).unwrap_err().contains("needs a folder"));
        assert!(parse(&["--dta-dir", "x"]).unwrap_err().contains("--dta-dir"));
        let remote = parse(&["--server", "http://10.0.0.5:8720", "--hall", "hall-1"]).unwrap().unwrap();
        assert_eq!(
            (remote.server.as_deref(), remote.hall.as_deref()),
            (Some("http://10.0.0.5:8720"), Some("hall-1"))
        );
        assert!(parse(&["--server"]).unwrap_err().contains("URL"));
        assert_eq!(parse(&["--simulate"]).unwrap().unwrap().simulate, Some(DEFAULT_SIM_SPEED));
        assert_eq!(parse(&["--simulate-speed", "1440"]).unwrap().unwrap().simulate, Some(1440.0));
        assert!(parse(&["--simulate-speed", "-1"]).unwrap_err().contains("positive"));
    }

    #[test]
    fn the_device_port_is_a_port() {
        assert_eq!(parse(&["--device-port", "9000"]).unwrap().unwrap().device_port, Some(9000));
        assert_eq!(
            parse(&[])
                .unwrap()
                .unwrap()
                .device_port
                .filter(|_| std::env::var_os("HALLKEEPER_DEVICE_PORT").is_none()),
            None
        );
        for bad in ["0", "65536", "http"] {
            let e = parse(&["--device-port", bad]).unwrap_err();
            assert!(e.contains("--device-port") && e.contains(bad), "{e}");
        }
        assert!(parse(&["--device-port"]).unwrap_err().contains("port number"));
    }
}
