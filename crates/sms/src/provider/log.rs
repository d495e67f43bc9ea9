//! A provider that sends nothing: for demos, the simulator and tests.
//!
//! It records every message in memory (full records, so a test can assert on the number) and
//! optionally appends a JSON line per message to a file for someone watching a demo — with the
//! number masked there, because a file outlives the process and gets copied around.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::Serialize;

use super::{OutgoingSms, ProviderError, ProviderReceipt, SmsProvider};

pub const NAME: &str = "log";

/// One recorded message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedSms {
    pub message_id: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub sms: OutgoingSms,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogLine<'a> {
    message_id: &'a str,
    at: String,
    phone: String,
    sign_name: &'a str,
    template_id: &'a str,
    params: &'a [(String, String)],
    text: &'a str,
    idempotency_key: &'a str,
}

/// A shared view of what a [`LogProvider`] recorded.
#[derive(Debug, Clone, Default)]
pub struct LogHandle(Arc<Mutex<Vec<LoggedSms>>>);

impl LogHandle {
    pub fn messages(&self) -> Vec<LoggedSms> {
        self.0.lock().map(|m| m.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    pub fn len(&self) -> usize {
        self.messages().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn push(&self, m: LoggedSms) {
        match self.0.lock() {
            Ok(mut v) => v.push(m),
            Err(poisoned) => poisoned.into_inner().push(m),
        }
    }
}

#[derive(Debug, Default)]
pub struct LogProvider {
    handle: LogHandle,
    file: Option<PathBuf>,
    counter: AtomicU64,
}

impl LogProvider {
    pub fn new() -> Self {
        Self::default()
    }

    /// Also append one JSON line per message to `path`.
    pub fn with_file(path: impl Into<PathBuf>) -> Self {
        LogProvider { file: Some(path.into()), ..Self::default() }
    }

    pub fn handle(&self) -> LogHandle {
        self.handle.clone()
    }

    fn append(&self, path: &PathBuf, line: &LogLine<'_>) -> std::io::Result<()> {
        let mut json = serde_json::to_vec(line).map_err(std::io::Error::other)?;
        json.push(b'\n');
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        f.write_all(&json)
    }
}

#[async_trait]
impl SmsProvider for LogProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn send(&self, msg: &OutgoingSms) -> Result<ProviderReceipt, ProviderError> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let message_id = format!("log-{n}");
        let at = chrono::Utc::now();
        tracing::info!(phone = %msg.phone, template = %msg.template_id, key = %msg.idempotency_key, text = %msg.text, "sms (log provider)");
        if let Some(path) = &self.file {
            let line = LogLine {
                message_id: &message_id,
                at: at.to_rfc3339(),
                phone: msg.phone.masked(),
                sign_name: &msg.sign_name,
                template_id: &msg.template_id,
                params: &msg.params,
                text: &msg.text,
                idempotency_key: &msg.idempotency_key,
            };
            // A full disk is worth retrying; the outbox backs off.
            self.append(path, &line).map_err(|e| {
                ProviderError::retryable(NAME, "log.io", &format!("{}: {e}", path.display()), None)
            })?;
        }
        self.handle.push(LoggedSms { message_id: message_id.clone(), at, sms: msg.clone() });
        Ok(ProviderReceipt { provider: NAME, message_id, request_id: format!("log-request-{n}"), fee: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::Phone;

    fn msg() -> OutgoingSms {
        OutgoingSms {
            phone: Phone::parse("13812345678").unwrap(),
            sign_name: "市民中心".into(),
            template_id: "called".into(),
            params: vec![("window".into(), "5".into())],
            text: "【市民中心】请到5号窗口".into(),
            idempotency_key: "row-1".into(),
        }
    }

    #[tokio::test]
    async fn records_full_in_memory_and_masked_in_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sms.jsonl");
        let p = LogProvider::with_file(&path);
        let handle = p.handle();
        let r1 = p.send(&msg()).await.unwrap();
        let r2 = p.send(&msg()).await.unwrap();
        assert_eq!((r1.message_id.as_str(), r2.message_id.as_str()), ("log-1", "log-2"));
        assert_eq!(handle.len(), 2);
        assert_eq!(handle.messages()[0].sms.phone.expose(), "13812345678");
        let file = std::fs::read_to_string(&path).unwrap();
        assert_eq!(file.lines().count(), 2);
        assert!(file.contains("138****5678"));
        assert!(!file.contains("13812345678"));
        let line: serde_json::Value = serde_json::from_str(file.lines().next().unwrap()).unwrap();
        assert_eq!(line["idempotencyKey"], "row-1");
    }
}
