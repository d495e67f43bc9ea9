//! Where the server is, and the one place its URLs are made. A hall id is the operator's to
//! choose (`/`, `?`, `%`, spaces, Chinese …): it goes in as one escaped path segment, so no hall
//! id can reach another hall's endpoint or another endpoint of its own.

use crate::error::ClientError;
use reqwest::Url;

/// The admin API's root, `<base>/api/v1/admin/halls`.
const HALLS: [&str; 4] = ["api", "v1", "admin", "halls"];

/// Where the hall's server is and how to speak to it as the hall's administration.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub base_url: String,
    pub hall_id: String,
    pub admin_token: String,
}

impl Endpoint {
    /// The same endpoint, its base URL without a trailing `/` (as the status shows it).
    pub(crate) fn trimmed(self) -> Self {
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        Self { base_url, ..self }
    }

    /// [`hall_url`] for this endpoint's hall.
    pub fn hall_url(&self, path: &str) -> Result<Url, ClientError> {
        hall_url(&self.base_url, &self.hall_id, path)
    }
}

/// `<base>/<segment>/<segment>…?<query>`, each segment escaped as one path segment whatever it
/// holds. `query` is the caller's fixed words (a value in it the caller escapes). An address
/// that is not a URL (or cannot have a path) is [`ClientError::BadUrl`]: no request is made.
pub fn api_url<'a>(
    base_url: &str,
    segments: impl IntoIterator<Item = &'a str>,
    query: Option<&str>,
) -> Result<Url, ClientError> {
    let bad = || ClientError::BadUrl { url: base_url.to_owned() };
    let mut url = Url::parse(base_url).map_err(|_| bad())?;
    url.path_segments_mut().map_err(|_| bad())?.pop_if_empty().extend(segments);
    url.set_query(query);
    Ok(url)
}

/// `<base>/api/v1/admin/halls`, where halls are created.
pub fn halls_url(base_url: &str) -> Result<Url, ClientError> {
    api_url(base_url, HALLS, None)
}

/// The URL of `path` (`sync/pull?cursor=0`, `queue/move-waiting` …) under the hall's admin API:
/// `<base>/api/v1/admin/halls/<hall>/<path>`, the hall id one escaped segment; `path` and its
/// query are the caller's fixed words.
pub fn hall_url(base_url: &str, hall_id: &str, path: &str) -> Result<Url, ClientError> {
    let (path, query) = path.split_once('?').map_or((path, None), |(p, q)| (p, Some(q)));
    let words = path.split('/').filter(|s| !s.is_empty());
    api_url(base_url, HALLS.into_iter().chain([hall_id]).chain(words), query)
}

/// `?k=v&k=v` for the pairs that have a value (empty when none has), each value escaped (all
/// but ASCII letters, digits and `-_.~`), to end a path given to [`hall_url`].
pub fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            out.push(if out.is_empty() { '?' } else { '&' });
            out.push_str(k);
            out.push('=');
            for b in v.bytes() {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hall(id: &str, path: &str) -> String {
        hall_url("http://127.0.0.1:8720", id, path).map(String::from).unwrap_or_default()
    }

    #[test]
    fn a_hall_id_is_one_escaped_segment_whatever_it_holds() {
        let base = "http://127.0.0.1:8720/api/v1/admin/halls";
        assert_eq!(hall("h1", "config"), format!("{base}/h1/config"));
        assert_eq!(hall("h1/queue", "config"), format!("{base}/h1%2Fqueue/config"));
        assert_eq!(hall("h?x=1", "config"), format!("{base}/h%3Fx=1/config"));
        assert_eq!(hall("100%", "config"), format!("{base}/100%25/config"));
        assert_eq!(hall("east hall", "config"), format!("{base}/east%20hall/config"));
        assert_eq!(hall("h#top", "config"), format!("{base}/h%23top/config"));
        assert_eq!(hall("政务大厅", "config"), format!("{base}/%E6%94%BF%E5%8A%A1%E5%A4%A7%E5%8E%85/config"));
        let parsed = hall_url("http://127.0.0.1:8720", "政务/大厅 1?", "config").ok();
        let segments: Vec<String> = parsed
            .iter()
            .flat_map(|u| u.path_segments().into_iter().flatten())
            .map(|s| s.to_owned())
            .collect();
        assert_eq!(
            segments,
            ["api", "v1", "admin", "halls", "%E6%94%BF%E5%8A%A1%2F%E5%A4%A7%E5%8E%85%201%3F", "config"]
        );
    }

    #[test]
    fn the_path_keeps_its_words_and_query_and_the_base_its_prefix() {
        let base = "http://127.0.0.1:8720/api/v1/admin/halls";
        assert_eq!(hall("h1", "sync/pull?cursor=0&limit=5"), format!("{base}/h1/sync/pull?cursor=0&limit=5"));
        assert_eq!(hall("h1", "/queue/move-waiting/"), format!("{base}/h1/queue/move-waiting"));
        let prefixed = hall_url("https://example.invalid/hk/", "h1", "config").map(String::from);
        assert_eq!(prefixed.ok().as_deref(), Some("https://example.invalid/hk/api/v1/admin/halls/h1/config"));
        let halls = halls_url("http://127.0.0.1:8720/").map(String::from);
        assert_eq!(halls.ok().as_deref(), Some(base));
        let kiosk =
            api_url("http://127.0.0.1:8720", ["api", "v1", "kiosk", "tickets"], None).map(String::from);
        assert_eq!(kiosk.ok().as_deref(), Some("http://127.0.0.1:8720/api/v1/kiosk/tickets"));
    }

    #[test]
    fn a_query_holds_the_pairs_with_a_value_each_escaped() {
        let some = |v: &str| Some(v.to_owned());
        assert_eq!(query_string(&[("status", None), ("day", Some(String::new()))]), "");
        let q = query_string(&[("status", some("failed")), ("rule", None), ("day", some("2026-01-02"))]);
        assert_eq!(q, "?status=failed&day=2026-01-02");
        assert_eq!(query_string(&[("rule", some("a&b=c 预约"))]), "?rule=a%26b%3Dc%20%E9%A2%84%E7%BA%A6");
        let url = hall_url("http://127.0.0.1:8720", "h1", &format!("sms/outbox{q}")).map(String::from);
        assert_eq!(
            url.ok().as_deref(),
            Some("http://127.0.0.1:8720/api/v1/admin/halls/h1/sms/outbox?status=failed&day=2026-01-02")
        );
    }

    #[test]
    fn an_address_that_is_not_a_url_is_said_so() {
        for base in ["not a url", "", "127.0.0.1:8720", "mailto:someone@example.invalid"] {
            let made = hall_url(base, "h1", "config");
            assert!(matches!(&made, Err(ClientError::BadUrl { url }) if url == base), "{base}: {made:?}");
        }
    }
}
