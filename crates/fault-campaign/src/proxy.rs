//! A TCP proxy on loopback between the desktops' sync clients and the server, which injects
//! faults on command:
//!
//! - **cut**: the next bytes forwarded in one direction (on whichever connection carries them
//!   first) are cut after a chosen count, and the connection is dropped both ways. A cut of the
//!   server → client direction after the request went through loses the answer of a push the
//!   server applied;
//! - **outage**: every open connection is dropped, and new ones are closed at once, for a while;
//! - **delay**: for a while, every chunk forwarded waits before it goes on;
//! - **replay**: a complete push request captured earlier (the exact client → server bytes) is
//!   sent again on a fresh connection to the server, so the server sees a duplicated push.
//!
//! Faults count when they happen (a cut when its byte count is reached, a replay when the
//! server answered it), not when they are asked for.

use rand::rngs::StdRng;
use rand::RngExt;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Which way bytes flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    ClientToServer = 0,
    ServerToClient = 1,
}

/// Push requests kept for replays.
const CAPTURED_MAX: usize = 64;
/// A request bigger than this is not captured (nor parsed further on its connection).
const CAPTURE_LIMIT: usize = 8 << 20;

#[derive(Debug, Default)]
pub struct ProxyCounts {
    pub connections: AtomicU64,
    /// Connections closed at once during an outage.
    pub refused: AtomicU64,
    pub cuts_fired: [AtomicU64; 2],
    pub bytes: [AtomicU64; 2],
    pub pushes_seen: AtomicU64,
    /// Replays the server answered, by whether the answer was 2xx.
    pub replays_ok: AtomicU64,
    pub replays_refused: AtomicU64,
    pub replays_failed: AtomicU64,
}

struct Shared {
    upstream: SocketAddr,
    /// A pending cut per direction: bytes still to forward before cutting.
    armed: Mutex<[Option<u64>; 2]>,
    outage_until: Mutex<Option<Instant>>,
    delay: Mutex<Option<(Instant, Duration, Duration)>>,
    /// Cancelled to drop every open connection (an outage); replaced by a fresh one.
    live: Mutex<CancellationToken>,
    captured: Mutex<VecDeque<Vec<u8>>>,
    capture: AtomicBool,
    /// Off after [`Proxy::calm`]: no cut is taken or handed back any more.
    faults: AtomicBool,
    counts: ProxyCounts,
}

/// The proxy, running until its token is cancelled.
#[derive(Clone)]
pub struct Proxy {
    shared: Arc<Shared>,
    pub addr: SocketAddr,
}

impl Proxy {
    /// Listens on `127.0.0.1:0` and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr, cancel: CancellationToken) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream,
            armed: Mutex::new([None, None]),
            outage_until: Mutex::new(None),
            delay: Mutex::new(None),
            live: Mutex::new(CancellationToken::new()),
            captured: Mutex::new(VecDeque::new()),
            capture: AtomicBool::new(true),
            faults: AtomicBool::new(true),
            counts: ProxyCounts::default(),
        });
        let s = shared.clone();
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = cancel.cancelled() => break,
                    a = listener.accept() => a,
                };
                let Ok((client, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let s = s.clone();
                let cancel = cancel.clone();
                tokio::spawn(async move { connection(s, client, cancel).await });
            }
            lock(&s.live).cancel();
        });
        Ok(Proxy { shared, addr })
    }

    pub fn counts(&self) -> &ProxyCounts {
        &self.shared.counts
    }

    /// Whether a cut is waiting for bytes in that direction.
    pub fn cut_pending(&self, dir: Dir) -> bool {
        lock(&self.shared.armed)[dir as usize].is_some()
    }

    /// Cuts the next connection that forwards bytes in `dir` after `after_bytes` more of them.
    pub fn arm_cut(&self, dir: Dir, after_bytes: u64) {
        self.shared.faults.store(true, Ordering::SeqCst);
        lock(&self.shared.armed)[dir as usize] = Some(after_bytes);
    }

    /// Drops every open connection and closes new ones until `for_` has passed.
    pub fn outage(&self, for_: Duration) {
        *lock(&self.shared.outage_until) = Some(Instant::now() + for_);
        let old = std::mem::replace(&mut *lock(&self.shared.live), CancellationToken::new());
        old.cancel();
    }

    /// Every chunk forwarded waits between `min` and `max` for the next `for_`.
    pub fn delay(&self, for_: Duration, min: Duration, max: Duration) {
        *lock(&self.shared.delay) = Some((Instant::now() + for_, min, max));
    }

    /// Stops every fault: no pending cut, outage or delay (open connections stay, and a cut one
    /// of them had taken is dropped with it).
    pub fn calm(&self) {
        self.shared.faults.store(false, Ordering::SeqCst);
        *lock(&self.shared.armed) = [None, None];
        *lock(&self.shared.outage_until) = None;
        *lock(&self.shared.delay) = None;
    }

    pub fn captured(&self) -> usize {
        lock(&self.shared.captured).len()
    }

    /// Sends a captured push again on a fresh connection to the server; Ok(status) when the
    /// server answered. None when nothing was captured yet.
    pub async fn replay(&self, rng: &mut StdRng) -> Option<std::io::Result<u16>> {
        let request = {
            let c = lock(&self.shared.captured);
            if c.is_empty() {
                return None;
            }
            c[rng.random_range(0..c.len())].clone()
        };
        let counts = &self.shared.counts;
        let result = tokio::time::timeout(Duration::from_secs(10), send_once(self.shared.upstream, &request))
            .await
            .unwrap_or_else(|_| Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "replay timed out")));
        match &result {
            Ok(s) if (200..300).contains(s) => counts.replays_ok.fetch_add(1, Ordering::Relaxed),
            Ok(_) => counts.replays_refused.fetch_add(1, Ordering::Relaxed),
            Err(_) => counts.replays_failed.fetch_add(1, Ordering::Relaxed),
        };
        Some(result)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Writes a whole request and reads the answer's status line; closes the connection after.
async fn send_once(upstream: SocketAddr, request: &[u8]) -> std::io::Result<u16> {
    let mut s = TcpStream::connect(upstream).await?;
    s.set_nodelay(true)?;
    s.write_all(request).await?;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed before answering"));
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut resp = httparse::Response::new(&mut headers);
        match resp.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => return Ok(resp.code.unwrap_or(0)),
            Ok(httparse::Status::Partial) if buf.len() < 64 << 10 => continue,
            _ => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "unreadable answer")),
        }
    }
}

async fn connection(s: Arc<Shared>, client: TcpStream, cancel: CancellationToken) {
    let out = *lock(&s.outage_until);
    if out.is_some_and(|t| Instant::now() < t) {
        s.counts.refused.fetch_add(1, Ordering::Relaxed);
        let _ = client.set_zero_linger();
        drop(client);
        return;
    }
    s.counts.connections.fetch_add(1, Ordering::Relaxed);
    let server = match TcpStream::connect(s.upstream).await {
        Ok(x) => x,
        Err(_) => {
            // The server is down: the client sees its connection reset, as it would.
            let _ = client.set_zero_linger();
            return;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let conn = lock(&s.live).child_token();
    let conn_cancel = CancellationToken::new();
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pump(s.clone(), Dir::ClientToServer, cr, sw, conn_cancel.clone());
    let down = pump(s.clone(), Dir::ServerToClient, sr, cw, conn_cancel.clone());
    tokio::select! {
        _ = async { tokio::join!(up, down) } => {}
        _ = conn.cancelled() => conn_cancel.cancel(),
        _ = cancel.cancelled() => conn_cancel.cancel(),
    }
}

/// Incremental reader of the requests on one connection, to keep complete pushes.
#[derive(Default)]
struct Capture {
    buf: Vec<u8>,
    off: bool,
}

impl Capture {
    fn feed(&mut self, s: &Shared, bytes: &[u8]) {
        if self.off {
            return;
        }
        self.buf.extend_from_slice(bytes);
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut req = httparse::Request::new(&mut headers);
            let head = match req.parse(&self.buf) {
                Ok(httparse::Status::Complete(n)) => n,
                Ok(httparse::Status::Partial) if self.buf.len() < CAPTURE_LIMIT => return,
                _ => return self.stop(),
            };
            let mut length = 0usize;
            for h in req.headers.iter() {
                if h.name.eq_ignore_ascii_case("transfer-encoding") {
                    return self.stop(); // chunked bodies are not followed
                }
                if h.name.eq_ignore_ascii_case("content-length") {
                    match std::str::from_utf8(h.value).ok().and_then(|v| v.trim().parse().ok()) {
                        Some(n) => length = n,
                        None => return self.stop(),
                    }
                }
            }
            let total = head + length;
            if total > CAPTURE_LIMIT {
                return self.stop();
            }
            if self.buf.len() < total {
                return;
            }
            let is_push = req.method == Some("POST")
                && req.path.is_some_and(|p| p.split('?').next().unwrap_or("").ends_with("/sync/push"));
            if is_push {
                s.counts.pushes_seen.fetch_add(1, Ordering::Relaxed);
                if s.capture.load(Ordering::Relaxed) {
                    let mut c = lock(&s.captured);
                    if c.len() == CAPTURED_MAX {
                        c.pop_front();
                    }
                    c.push_back(self.buf[..total].to_vec());
                }
            }
            self.buf.drain(..total);
        }
    }

    fn stop(&mut self) {
        self.off = true;
        self.buf = Vec::new();
    }
}

async fn pump(
    s: Arc<Shared>,
    dir: Dir,
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    cancel: CancellationToken,
) {
    let d = dir as usize;
    let mut budget: Option<u64> = None;
    let mut capture = Capture::default();
    let mut buf = vec![0u8; 16 << 10];
    loop {
        let n = tokio::select! {
            _ = cancel.cancelled() => break,
            r = from.read(&mut buf) => match r {
                Ok(0) | Err(_) => {
                    let _ = to.shutdown().await;
                    break;
                }
                Ok(n) => n,
            },
        };
        let delay = *lock(&s.delay);
        if let Some((until, min, max)) = delay {
            if Instant::now() < until {
                let wait = {
                    let (lo, hi) = (min.as_millis() as u64, max.as_millis().max(min.as_millis() + 1) as u64);
                    Duration::from_millis(jitter(lo, hi))
                };
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        }
        if !s.faults.load(Ordering::SeqCst) {
            budget = None;
        } else if budget.is_none() {
            budget = lock(&s.armed)[d].take();
        }
        let mut chunk = &buf[..n];
        let mut cut = false;
        if let Some(b) = budget {
            if (n as u64) >= b {
                chunk = &buf[..b as usize];
                cut = true;
            } else {
                budget = Some(b - n as u64);
            }
        }
        if dir == Dir::ClientToServer {
            capture.feed(&s, chunk);
        }
        if !chunk.is_empty() && to.write_all(chunk).await.is_err() {
            cancel.cancel();
            break;
        }
        s.counts.bytes[d].fetch_add(chunk.len() as u64, Ordering::Relaxed);
        if cut {
            s.counts.cuts_fired[d].fetch_add(1, Ordering::Relaxed);
            cancel.cancel();
            return;
        }
    }
    // A cut that did not fire here goes back for the next connection.
    if let Some(b) = budget.filter(|_| s.faults.load(Ordering::SeqCst)) {
        let mut armed = lock(&s.armed);
        if armed[d].is_none() {
            armed[d] = Some(b);
        }
    }
}

/// A uniform draw in [lo, hi) from the thread's generator (delays need no seed).
fn jitter(lo: u64, hi: u64) -> u64 {
    use rand::SeedableRng;
    thread_local! {
        static R: std::cell::RefCell<StdRng> = std::cell::RefCell::new(StdRng::seed_from_u64(0x5eed));
    }
    R.with(|r| r.borrow_mut().random_range(lo..hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A server that answers every request `200 ok`, counting them.
    async fn upstream() -> (SocketAddr, Arc<AtomicUsize>) {
        let l = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = l.local_addr().unwrap();
        let n = Arc::new(AtomicUsize::new(0));
        let count = n.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut s, _)) = l.accept().await else { return };
                let count = count.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let Ok(k) = s.read(&mut chunk).await else { return };
                        if k == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..k]);
                        let mut h = [httparse::EMPTY_HEADER; 16];
                        let mut req = httparse::Request::new(&mut h);
                        let Ok(httparse::Status::Complete(head)) = req.parse(&buf) else { continue };
                        let len: usize = req
                            .headers
                            .iter()
                            .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                            .map(|h| std::str::from_utf8(h.value).unwrap().parse().unwrap())
                            .unwrap_or(0);
                        if buf.len() < head + len {
                            continue;
                        }
                        buf.drain(..head + len);
                        count.fetch_add(1, Ordering::SeqCst);
                        if s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (addr, n)
    }

    const PUSH: &[u8] =
        b"POST /api/v1/admin/halls/h/sync/push HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello";

    async fn ask(addr: SocketAddr) -> std::io::Result<Vec<u8>> {
        let mut s = TcpStream::connect(addr).await?;
        s.write_all(PUSH).await?;
        let mut out = Vec::new();
        let mut chunk = [0u8; 1024];
        loop {
            let k = s.read(&mut chunk).await?;
            if k == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&chunk[..k]);
            if out.ends_with(b"ok") {
                return Ok(out);
            }
        }
    }

    #[tokio::test]
    async fn forwards_captures_replays_and_cuts() {
        let (up, served) = upstream().await;
        let cancel = CancellationToken::new();
        let p = Proxy::start(up, cancel.clone()).await.unwrap();
        assert!(ask(p.addr).await.unwrap().ends_with(b"ok"));
        assert_eq!((served.load(Ordering::SeqCst), p.captured()), (1, 1));

        let mut rng = <StdRng as rand::SeedableRng>::seed_from_u64(1);
        assert_eq!(p.replay(&mut rng).await.unwrap().unwrap(), 200);
        assert_eq!(served.load(Ordering::SeqCst), 2, "the replayed push reached the server");

        // The answer is cut: the server applied the request, the client never hears of it.
        p.arm_cut(Dir::ServerToClient, 0);
        let answer = ask(p.addr).await;
        assert!(answer.map_or(true, |a| a.is_empty()), "no answer after a cut");
        assert_eq!(served.load(Ordering::SeqCst), 3);
        assert_eq!(p.counts().cuts_fired[1].load(Ordering::Relaxed), 1);

        // The request is cut after 10 bytes: the server never gets it whole.
        p.arm_cut(Dir::ClientToServer, 10);
        assert!(ask(p.addr).await.map_or(true, |a| a.is_empty()));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(served.load(Ordering::SeqCst), 3);

        // During an outage connections are closed at once; afterwards they work again.
        p.outage(Duration::from_millis(300));
        assert!(ask(p.addr).await.map_or(true, |a| a.is_empty()));
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert!(ask(p.addr).await.unwrap().ends_with(b"ok"));
        cancel.cancel();
    }
}
