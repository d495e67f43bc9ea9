//! The device API spoken as a device does: one HTTP/1.1 exchange per request over a plain
//! `TcpStream`, so the tests exercise the server's wire format without the desktop's client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{anyhow, ensure, Context, Result};
use serde_json::Value;

/// One HTTP/1.1 exchange with a bearer token; the JSON body of a 2xx, or the refusal.
pub fn http(method: &str, url: &str, token: &str, body: Option<&Value>) -> Result<Value> {
    let (status, body) = exchange(method, url, token, body)?;
    ensure!((200..300).contains(&status), "{method} {url} answered {status}: {body}");
    Ok(body)
}

/// One HTTP/1.1 exchange with a bearer token (none when empty): the status and the JSON body
/// (null when empty), whatever the status.
pub fn exchange(method: &str, url: &str, token: &str, body: Option<&Value>) -> Result<(u16, Value)> {
    let rest = url.strip_prefix("http://").ok_or_else(|| anyhow!("not an http URL: {url}"))?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut s = TcpStream::connect(host).with_context(|| format!("connecting to {host}"))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Accept: application/json\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len(),
        // No token, no header: a sign-in is made without one.
        auth = if token.is_empty() { String::new() } else { format!("Authorization: Bearer {token}\r\n") }
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| anyhow!("no HTTP header in {text:?}"))?;
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16)?;
            if n == 0 {
                break;
            }
            out.push_str(&after[..n]);
            rest = &after[n + 2..];
        }
        out
    } else {
        body.to_owned()
    };
    let line = head.lines().next().unwrap_or_default();
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("no status in {line:?}"))?;
    if body.trim().is_empty() {
        return Ok((status, Value::Null));
    }
    let json = serde_json::from_str(&body).with_context(|| format!("the body of {method} {url}: {body}"))?;
    Ok((status, json))
}
