//! The webhook: one JSON object POSTed through the project's HTTP stack
//! ([`crate::net::http::Client`]: TLS verified against the system's roots, a time-out and
//! a size limit on the answer). HTTPS only, except to this machine's loopback, where plain
//! HTTP never leaves the host (a local relay, the tests' listener).

use std::time::Duration;

use super::{Event, NotifyError, is_loopback};
use crate::net::http::Client;
use crate::net::http::HttpError;

/// How long the POST and its answer may take.
const TIME_OUT: Duration = Duration::from_secs(15);

/// The largest answer read (and dropped).
const MAX_ANSWER: usize = 64 * 1024;

/// Whether `url` may be plain HTTP (its host is the loopback), or an error when it cannot
/// be used at all.
fn plain_allowed(url: &str) -> Result<bool, NotifyError> {
    let bad = |why: &str| NotifyError::Invalid(format!("the webhook URL {why}"));
    let parsed = url::Url::parse(url).map_err(|e| bad(&format!("cannot be read: {e}")))?;
    let host = parsed.host_str().ok_or_else(|| bad("has no host"))?;
    match parsed.scheme() {
        "https" => Ok(false),
        "http" if is_loopback(host) => Ok(true),
        "http" => Err(bad(
            "must be https:// (plain http:// only to this machine's loopback)",
        )),
        _ => Err(bad("must be https://")),
    }
}

/// Checks a webhook URL.
pub fn check(url: &str) -> Result<(), NotifyError> {
    if url.chars().any(crate::text::is_control) {
        return Err(NotifyError::Invalid(
            "the webhook URL cannot hold control characters".into(),
        ));
    }
    plain_allowed(url).map(drop)
}

/// POSTs `event` to `url`: `{"event", "summary", "time", …fields}`.
pub fn send(url: &str, event: &Event, now: i64) -> Result<(), NotifyError> {
    let failed = |message: String| NotifyError::Webhook {
        url: url.to_owned(),
        message,
    };
    let mut body = serde_json::Map::new();
    body.insert("event".into(), event.kind().into());
    body.insert("summary".into(), event.summary().into());
    body.insert("time".into(), now.into());
    for (name, value) in event.fields() {
        body.insert(name.into(), value.into());
    }
    let bytes = serde_json::to_vec(&body).map_err(|e| failed(e.to_string()))?;
    let client = Client::new("webhook", None, plain_allowed(url)?)
        .map_err(|e| failed(e.to_string()))?
        .with_limits(TIME_OUT, MAX_ANSWER);
    let answer = client
        .post(url, &[("content-type", "application/json")], bytes)
        .map_err(|e| {
            failed(match e {
                HttpError::Unreachable { message, .. } => message,
                HttpError::UntrustedTls { message, .. } => {
                    format!("its TLS certificate is not trusted here ({message})")
                }
                HttpError::Timeout(_) => {
                    format!("it did not answer within {} s", TIME_OUT.as_secs())
                }
                other => other.to_string(),
            })
        })?;
    if (200..300).contains(&answer.status) {
        Ok(())
    } else {
        Err(failed(format!(
            "it answered HTTP {}: {}",
            answer.status,
            crate::text::message(&answer.text())
        )))
    }
}
