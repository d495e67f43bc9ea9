//! The sync loops and their status. Three tasks run for the life of the app:
//! - the **pusher** sends the outbox at once after every write, every 30 s otherwise, and after
//!   a failure with exponential backoff and jitter (capped), without waiting for the next edit;
//! - the **puller** pulls the change log, ticket events and ratings when woken (by the stream, a
//!   push, "sync now") or every 30 s, with the same backoff;
//! - the **listener** keeps the server's "pull now" stream open and wakes the puller when the
//!   server's heads are past this replica's cursors. A lost message costs nothing: the timer
//!   pulls anyway.
//!
//! Store work runs on the blocking pool, never on the async runtime.

use crate::api::Credential;
use crate::error::ClientError;
use crate::sync_api::{next_heads, SyncApi};
use crate::url::Endpoint;
use hallkeeper_core::proto::{
    PushRequest, RejectedChange, SyncConnection, SyncHeads, SyncOp, SyncProgress, SyncStatus,
    SYNC_SCHEMA_VERSION,
};
use hallkeeper_core::store::{OutboxOp, RatingsApplied};
use hallkeeper_core::{proto::Locale, Store};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio_util::sync::CancellationToken;

/// Operations per push, changes per pull page, ticket events per page.
const PUSH_BATCH: usize = 500;
const PULL_PAGE: u32 = 1000;
const EVENTS_PAGE: u32 = 10_000;
const RATINGS_PAGE: u32 = 1000;
const BACKOFF_START: Duration = Duration::from_millis(500);
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// How often the loops run without being woken.
const IDLE: Duration = Duration::from_secs(30);
/// A page that keeps failing its gap check is a server fault, not a race.
const GAP_RETRIES: u32 = 3;

/// What one "sync now" moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u64,
    pub pulled_changes: u64,
    pub pulled_events: u64,
    pub pulled_ratings: u64,
}

/// Counters that move when a pull changed the store, for the UI to refetch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PulledTick {
    pub changes: u64,
    pub events: u64,
    /// Pages of ratings that stored at least one new rating.
    pub ratings: u64,
    /// Poor ratings stored (each counted once, however often its page is pulled).
    pub poor_ratings: u64,
}

/// Called on the blocking pool, right after a page of ratings is stored, with what it stored
/// (only when it stored something): where poor ratings open their rectification cases and raise
/// notifications. The page is already committed: a hook that fails must catch up from
/// `Store::ratings_since` rather than expect the page again.
pub type RatingsHook = Arc<dyn Fn(&Store, &RatingsApplied) + Send + Sync>;

pub struct SyncClient {
    store: Arc<Store>,
    http: SyncApi,
    embedded: bool,
    wake_push: Notify,
    wake_pull: Notify,
    status: watch::Sender<SyncStatus>,
    pulled: watch::Sender<PulledTick>,
    /// True once a pull has reached the server's head: until then this replica may lack rows
    /// the hall has (a PC joining a hall starts empty).
    caught_up: watch::Sender<bool>,
    /// The server's last announced heads (for progress during a long pull).
    heads: Mutex<Option<SyncHeads>>,
    /// The store's ratings cursor as last read or written (the status has no place for it).
    ratings_cursor: AtomicI64,
    /// False once the server answered that it has no ratings endpoint (older than ratings sync):
    /// the other pulls go on without it until the app restarts.
    ratings_served: AtomicBool,
    ratings_hook: Mutex<Option<RatingsHook>>,
    /// Evidence files pulled records name that the server did not have yet (or not looked for
    /// since start): the next pull asks again even when no change came.
    evidence_waiting: AtomicBool,
    /// One push and one pull at a time (the loops and "sync now" share them).
    push_gate: tokio::sync::Mutex<()>,
    pull_gate: tokio::sync::Mutex<()>,
}

/// One row of the store's outbox as it goes to the server.
pub fn sync_op(o: OutboxOp) -> SyncOp {
    SyncOp {
        seq: o.seq,
        op_id: o.op_id,
        hlc: o.hlc,
        entity: o.entity,
        key: o.key,
        change: o.change,
        author: o.author,
    }
}

/// Up to half of `base` at random, so desktops that lost the server together do not all retry at
/// the same instant. The randomness is the std hasher's per-instance keys, not the clock.
fn jitter(base: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
    let half = (base.as_millis() as u64 / 2).max(1);
    Duration::from_millis(random % half)
}

impl SyncClient {
    pub fn new(store: Arc<Store>, endpoint: Endpoint) -> Arc<Self> {
        Self::build(store, endpoint, None, false)
    }

    /// A client of the server running inside this app.
    pub fn embedded(store: Arc<Store>, endpoint: Endpoint) -> Arc<Self> {
        Self::build(store, endpoint, None, true)
    }

    /// A client that sends whatever `credential` holds at each request (the signed-in person's
    /// session, swapped at sign-in and sign-out), not the endpoint's `admin_token`.
    pub fn with_credential(
        store: Arc<Store>,
        endpoint: Endpoint,
        credential: Credential,
        embedded: bool,
    ) -> Arc<Self> {
        Self::build(store, endpoint, Some(credential), embedded)
    }

    fn build(
        store: Arc<Store>,
        endpoint: Endpoint,
        credential: Option<Credential>,
        embedded: bool,
    ) -> Arc<Self> {
        let http = SyncApi::new(endpoint, credential);
        let status = SyncStatus {
            server_url: http.base_url().to_owned(),
            embedded,
            connection: SyncConnection::Connecting,
            pending: 0,
            rejected: Vec::new(),
            last_sync_at: None,
            last_error: None,
            progress: None,
            events_cursor: 0,
            changes_cursor: 0,
        };
        let client = Arc::new(Self {
            store,
            http,
            embedded,
            wake_push: Notify::new(),
            wake_pull: Notify::new(),
            status: watch::channel(status).0,
            pulled: watch::channel(PulledTick::default()).0,
            caught_up: watch::channel(false).0,
            heads: Mutex::new(None),
            ratings_cursor: AtomicI64::new(0),
            ratings_served: AtomicBool::new(true),
            ratings_hook: Mutex::new(None),
            evidence_waiting: AtomicBool::new(true),
            push_gate: tokio::sync::Mutex::new(()),
            pull_gate: tokio::sync::Mutex::new(()),
        });
        client.refresh_local();
        client
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded
    }

    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    pub fn subscribe_pulled(&self) -> watch::Receiver<PulledTick> {
        self.pulled.subscribe()
    }

    /// Sets the hook run after every page of ratings that stored something ([`RatingsHook`]).
    pub fn set_ratings_hook(&self, hook: RatingsHook) {
        *self.ratings_hook.lock().unwrap_or_else(|p| p.into_inner()) = Some(hook);
    }

    /// Wakes the pusher after a local write.
    pub fn ops_written(&self) {
        self.wake_push.notify_one();
        self.refresh_local();
    }

    /// Re-reads the store's side of the status (pending, rejected, cursors).
    fn refresh_local(&self) {
        match self.store.sync_local() {
            Ok(local) => self.status.send_modify(|s| {
                self.ratings_cursor.store(local.ratings_cursor, Ordering::SeqCst);
                s.pending = local.pending;
                s.changes_cursor = local.pull_cursor;
                s.events_cursor = local.events_cursor;
                s.rejected = local
                    .rejected
                    .into_iter()
                    .map(|r| RejectedChange {
                        seq: r.seq,
                        entity: r.entity,
                        key: r.key,
                        reason: r.reason,
                        created_at: r.created_at,
                    })
                    .collect();
            }),
            Err(e) => tracing::warn!("cannot read the sync status from the store: {e}"),
        }
    }

    fn went_through(&self) {
        let now = self.store.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.status.send_modify(|s| {
            s.connection = SyncConnection::Online;
            s.last_error = None;
            s.last_sync_at = Some(now);
        });
        self.refresh_local();
    }

    fn failed(&self, e: &ClientError) {
        let connection = if e.is_refusal() { SyncConnection::Refused } else { SyncConnection::Offline };
        let message = e.message(Locale::ZhCn);
        self.status.send_modify(|s| {
            // A store hiccup says nothing about the server.
            if !matches!(e, ClientError::Store(_) | ClientError::Task(_)) {
                s.connection = connection;
            }
            s.progress = None;
            s.last_error = Some(message);
        });
        self.refresh_local();
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> hallkeeper_core::Result<T> + Send + 'static,
    ) -> Result<T, ClientError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| ClientError::Task(e.to_string()))?
            .map_err(Into::into)
    }

    /// Sends one batch of the outbox; returns how many went and whether more wait.
    async fn push_batch(&self) -> Result<(u64, bool), ClientError> {
        let (ops, device) = self.blocking(|s| Ok((s.pending_ops(PUSH_BATCH)?, s.sync_device_id()?))).await?;
        let (Some(device_id), false) = (device, ops.is_empty()) else { return Ok((0, false)) };
        let more = ops.len() == PUSH_BATCH;
        let sent = ops.len() as u64;
        // An evidence record goes up only after its file: a PC that pulls the record can then
        // fetch the bytes (docs/sync.md, "Records"). Uploads are idempotent, so a retried batch
        // costs a 204 per file.
        for op in ops.iter().filter(|o| o.entity == "case_evidence") {
            let Some((_, sha)) = op.key.split_once('/') else { continue };
            let sha = sha.to_owned();
            let file = {
                let sha = sha.clone();
                self.blocking(move |s| s.evidence_file(&sha)).await?
            };
            if let Some(bytes) = file {
                self.http.put_evidence(&sha, bytes).await?;
            }
        }
        let request = PushRequest {
            device_id,
            schema_version: SYNC_SCHEMA_VERSION,
            ops: ops.into_iter().map(sync_op).collect(),
        };
        let answer = self.http.push(&request).await?;
        for r in &answer.rejected {
            tracing::warn!(seq = r.seq, code = %r.code, "the server rejected a change: {}", r.message);
        }
        let rejected: Vec<(i64, String, String)> =
            answer.rejected.iter().map(|r| (r.seq, r.code.clone(), r.message.clone())).collect();
        self.blocking(move |s| s.record_push_result(answer.highest_seq, &rejected)).await?;
        Ok((sent, more))
    }

    /// Pushes everything pending.
    pub async fn push_all(&self) -> Result<u64, ClientError> {
        let _gate = self.push_gate.lock().await;
        let mut total = 0;
        loop {
            let (sent, more) = self.push_batch().await?;
            total += sent;
            if !more {
                break;
            }
        }
        if total > 0 {
            // The server's log now holds them: pulling confirms them.
            self.wake_pull.notify_one();
        }
        Ok(total)
    }

    /// Pulls the change log from the cursor to the server's head, a page per transaction.
    pub async fn pull_changes(&self) -> Result<u64, ClientError> {
        let mut total = 0u64;
        let mut gaps = 0;
        loop {
            let cursor = self.blocking(|s| s.pull_cursor()).await?;
            let page = self.http.pull(cursor, PULL_PAGE).await?;
            let more = page.has_more;
            match self.blocking(move |s| s.apply_pull(cursor, &page)).await {
                Ok(applied) => {
                    total += applied.changes as u64;
                    if applied.changes > 0 {
                        self.pulled.send_modify(|t| t.changes += 1);
                    }
                }
                Err(ClientError::Store(hallkeeper_core::Error::SyncGap { expected, found }))
                    if gaps < GAP_RETRIES =>
                {
                    gaps += 1;
                    tracing::warn!("the change log skipped from {expected} to {found}; pulling again");
                    continue;
                }
                Err(e) => return Err(e),
            }
            if !more {
                return Ok(total);
            }
        }
    }

    /// Pulls ticket events from the cursor to the server's head. The next page is fetched
    /// while the current one is written, so a first sync of a large hall costs little more
    /// than writing its rows.
    pub async fn pull_events(&self) -> Result<u64, ClientError> {
        let start = self.blocking(|s| s.events_cursor()).await?;
        let mut after = start;
        let mut total = 0u64;
        let mut page = self.http.events(after, EVENTS_PAGE).await?;
        // The page says how far the hall's log goes; an older server only says it on the stream.
        let head = page.head.or_else(|| self.heads.lock().map(|h| h.map(|h| h.event_seq)).unwrap_or(None));
        loop {
            let more = page.has_more;
            let next = page.next_cursor;
            let fetch_next = async {
                if more {
                    Some(self.http.events(next, EVENTS_PAGE).await)
                } else {
                    None
                }
            };
            let write = self.blocking(move |s| {
                s.apply_events(
                    after,
                    page.events.iter().map(|e| (e.seq, e.day.as_str(), e.event.get())),
                    page.next_cursor,
                )
            });
            let (written, fetched) = tokio::join!(write, fetch_next);
            // None: another writer moved the cursor (pulls are serialised here, so only
            // another process on the same store); it holds these events.
            let Some(written) = written? else { break };
            total += written;
            if written > 0 {
                self.pulled.send_modify(|t| t.events += 1);
            }
            if let Some(head) = head.filter(|h| *h > start) {
                self.status.send_modify(|s| {
                    s.progress = more.then_some(SyncProgress { done: next - start, total: head - start });
                    s.events_cursor = next;
                });
            }
            match fetched {
                None => break,
                Some(p) => {
                    page = p?;
                    after = next;
                }
            }
        }
        self.status.send_modify(|s| s.progress = None);
        Ok(total)
    }

    /// Pulls ratings from the cursor to the server's head, a page per transaction; poor ones
    /// newly stored go to the hook. A server older than ratings sync (no such endpoint) is
    /// skipped, said once in the log: the change log and events still come.
    pub async fn pull_ratings(&self) -> Result<u64, ClientError> {
        if !self.ratings_served.load(Ordering::SeqCst) {
            return Ok(0);
        }
        let mut total = 0u64;
        loop {
            let after = self.blocking(|s| s.ratings_cursor()).await?;
            let page = match self.http.ratings(after, RATINGS_PAGE).await {
                Err(ClientError::Refused { status: 404, code: Some(code), .. })
                    if code == "request.no_such_endpoint" =>
                {
                    tracing::warn!("the central server does not serve ratings (older version): not pulled");
                    self.ratings_served.store(false, Ordering::SeqCst);
                    return Ok(total);
                }
                other => other?,
            };
            let more = page.has_more;
            let hook = self.ratings_hook.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let applied = self
                .blocking(move |s| {
                    let applied = s.apply_ratings(after, &page.ratings, page.next_cursor)?;
                    if let (Some(hook), Some(a)) = (hook, applied.as_ref().filter(|a| a.applied > 0)) {
                        hook(s, a);
                    }
                    Ok(applied)
                })
                .await?;
            // None: another writer moved the cursor meanwhile; it holds these ratings.
            let Some(applied) = applied else { return Ok(total) };
            self.ratings_cursor.store(applied.cursor, Ordering::SeqCst);
            total += applied.applied;
            if applied.applied > 0 {
                let poor = applied.poor.len() as u64;
                self.pulled.send_modify(|t| {
                    t.ratings += 1;
                    t.poor_ratings += poor;
                });
            }
            if !more {
                return Ok(total);
            }
        }
    }

    /// Fetches the evidence files of records pulled whose bytes this PC does not hold yet;
    /// returns whether some are still missing (the server does not have them yet: their PC has
    /// not uploaded them), to be asked for again next time.
    async fn pull_evidence(&self) -> Result<bool, ClientError> {
        let missing = self.blocking(|s| s.missing_evidence_files()).await?;
        let mut still_missing = false;
        for sha in missing {
            match self.http.evidence(&sha).await? {
                Some(bytes) => self.blocking(move |s| s.save_evidence_file(&sha, &bytes)).await?,
                None => still_missing = true,
            }
        }
        Ok(still_missing)
    }

    async fn pull_all(&self) -> Result<(u64, u64, u64), ClientError> {
        let _gate = self.pull_gate.lock().await;
        let changes = self.pull_changes().await?;
        if changes > 0 || self.evidence_waiting.load(Ordering::Relaxed) {
            let waiting = self.pull_evidence().await?;
            self.evidence_waiting.store(waiting, Ordering::Relaxed);
        }
        let events = self.pull_events().await?;
        let ratings = self.pull_ratings().await?;
        // The month's stars after what came down (ratings, served tickets, the rule): core ranks
        // them here and queues them for the server's hall display and rating pads when they
        // moved. A failure to rank costs the devices an update, not the pull.
        match self.blocking(|s| s.publish_star_month()).await {
            Ok(true) => self.wake_push.notify_one(),
            Ok(false) => {}
            Err(e) => tracing::warn!("the month's service stars were not published: {e}"),
        }
        self.caught_up.send_replace(true);
        Ok((changes, events, ratings))
    }

    /// Waits until a pull has reached the server's head once (at once if one has).
    pub async fn caught_up(&self) {
        let mut rx = self.caught_up.subscribe();
        let _ = rx.wait_for(|done| *done).await;
    }

    /// Pushes everything pending, then pulls the change log and ticket events to the head.
    pub async fn sync_now(&self) -> Result<SyncReport, ClientError> {
        let result = async {
            let pushed = self.push_all().await?;
            let (pulled_changes, pulled_events, pulled_ratings) = self.pull_all().await?;
            Ok(SyncReport { pushed, pulled_changes, pulled_events, pulled_ratings })
        }
        .await;
        match &result {
            Ok(_) => self.went_through(),
            Err(e) => self.failed(e),
        }
        result
    }

    /// Runs the pusher, the puller and the listener until `cancel`.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        let pusher = {
            let me = self.clone();
            async move { me.keep_pushing().await }
        };
        let puller = {
            let me = self.clone();
            async move { me.keep_pulling().await }
        };
        let listener = {
            let me = self.clone();
            async move { me.keep_listening().await }
        };
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = pusher => {}
            _ = puller => {}
            _ = listener => {}
        }
    }

    async fn keep_pushing(&self) {
        let mut backoff = BACKOFF_START;
        loop {
            match self.push_all().await {
                Ok(_) => {
                    backoff = BACKOFF_START;
                    self.went_through();
                    tokio::select! {
                        _ = self.wake_push.notified() => {}
                        _ = tokio::time::sleep(IDLE) => {}
                    }
                }
                Err(e) if e.retryable() => {
                    tracing::debug!("push failed, retrying in {backoff:?}: {e}");
                    self.failed(&e);
                    tokio::time::sleep(backoff + jitter(backoff)).await;
                    backoff = (backoff * 2).min(BACKOFF_CAP);
                }
                Err(e) => {
                    // Kept, not sent: said in the status, tried again after the next edit
                    // or in a while (a server upgrade may lift the refusal).
                    tracing::warn!("the server refused the pending changes: {e}");
                    self.failed(&e);
                    tokio::select! {
                        _ = self.wake_push.notified() => {}
                        _ = tokio::time::sleep(BACKOFF_CAP) => {}
                    }
                }
            }
        }
    }

    async fn keep_pulling(&self) {
        let mut backoff = BACKOFF_START;
        loop {
            match self.pull_all().await {
                Ok(_) => {
                    backoff = BACKOFF_START;
                    self.went_through();
                    tokio::select! {
                        _ = self.wake_pull.notified() => {}
                        _ = tokio::time::sleep(IDLE) => {}
                    }
                }
                Err(e) => {
                    tracing::debug!("pull failed, retrying in {backoff:?}: {e}");
                    self.failed(&e);
                    let wait = if e.retryable() { backoff + jitter(backoff) } else { BACKOFF_CAP };
                    tokio::time::sleep(wait).await;
                    backoff = (backoff * 2).min(BACKOFF_CAP);
                }
            }
        }
    }

    async fn keep_listening(&self) {
        let mut backoff = BACKOFF_START;
        loop {
            match self.http.stream().await {
                Ok(mut resp) => {
                    backoff = BACKOFF_START;
                    let mut buf = String::new();
                    while let Ok(Some(heads)) = next_heads(&mut resp, &mut buf).await {
                        if let Ok(mut h) = self.heads.lock() {
                            *h = Some(heads);
                        }
                        let (changes, events) = {
                            let s = self.status.borrow();
                            (s.changes_cursor, s.events_cursor)
                        };
                        let ratings = self.ratings_cursor.load(Ordering::SeqCst);
                        if heads.change_id > changes || heads.event_seq > events || heads.rating_seq > ratings
                        {
                            self.wake_pull.notify_one();
                        }
                    }
                }
                Err(e) => tracing::debug!("sync stream not open, retrying in {backoff:?}: {e}"),
            }
            tokio::time::sleep(backoff + jitter(backoff)).await;
            backoff = (backoff * 2).min(BACKOFF_CAP);
        }
    }
}
