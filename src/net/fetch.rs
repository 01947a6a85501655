//! Fetching what a certificate points to over HTTP (AIA caIssuers, CRLs, OCSP): plain
//! `http://` as those URLs are (what they serve is signed), a time-out and a size limit on
//! every fetch. A server that did not answer in time is not asked again for a while, so
//! that a dead responder behind a firewall costs one time-out, not one per certificate
//! that names it (Windows keeps such URLs "offline" the same way).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::ca::OnlineError;
use crate::ca::http::{Client, Response};

/// The largest answer read.
pub const MAX_FETCH: usize = 1024 * 1024;

/// How long one fetch may take (Windows' default for CRL and OCSP retrieval).
pub const FETCH_TIME_LIMIT: Duration = Duration::from_secs(15);

/// How long a server that did not answer in time is not asked again.
const QUIET_FOR: Duration = Duration::from_secs(120);

/// The servers (`host:port`) that did not answer in time, and when.
static SILENT: Mutex<Vec<(String, Instant)>> = Mutex::new(Vec::new());

/// Why a URL could not be fetched (one sentence).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// A client for `url`, which must be http or https, and the server it names; refused at
/// once when that server did not answer in time a moment ago.
fn client(url: &str) -> Result<(Client, String), FetchError> {
    let parsed =
        url::Url::parse(url).map_err(|e| FetchError(format!("{url} is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError(format!("{url} is not an http URL")));
    }
    let server = format!(
        "{}:{}",
        parsed.host_str().unwrap_or_default(),
        parsed.port_or_known_default().unwrap_or_default()
    );
    if let Some(ago) = silent_since(&server) {
        return Err(FetchError(format!(
            "{url}: its server did not answer {} s ago, so it is not asked again for {} s",
            ago.as_secs(),
            QUIET_FOR.saturating_sub(ago).as_secs()
        )));
    }
    let client = Client::new(url, None, true).map_err(|e| FetchError(e.to_string()))?;
    Ok((client.with_time_limit(FETCH_TIME_LIMIT), server))
}

/// How long ago `server` last did not answer in time, if within [`QUIET_FOR`].
fn silent_since(server: &str) -> Option<Duration> {
    let mut silent = SILENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    silent.retain(|(_, when)| when.elapsed() < QUIET_FOR);
    silent
        .iter()
        .find(|(s, _)| s == server)
        .map(|(_, when)| when.elapsed())
}

/// The body of a 200 answer, at most [`MAX_FETCH`] bytes; a server that did not answer in
/// time is remembered.
fn body(
    (url, server): (&str, String),
    answer: Result<Response, OnlineError>,
) -> Result<Vec<u8>, FetchError> {
    if let Err(OnlineError::Timeout(_)) = &answer {
        let mut silent = SILENT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        silent.push((server, Instant::now()));
    }
    let response = answer.map_err(|e| FetchError(format!("{url}: {e}")))?;
    if response.status != 200 {
        return Err(FetchError(format!(
            "{url} answered HTTP {}",
            response.status
        )));
    }
    if response.body.len() > MAX_FETCH {
        return Err(FetchError(format!("{url} answered more than 1 MiB")));
    }
    Ok(response.body)
}

/// GETs `url` (http or https): the body of a 200 answer.
pub fn get(url: &str) -> Result<Vec<u8>, FetchError> {
    let (client, server) = client(url)?;
    body((url, server), client.get(url, &[]))
}

/// POSTs `body` as `content_type` to `url` (an OCSP request): the body of a 200 answer.
pub fn post(url: &str, content_type: &str, request: Vec<u8>) -> Result<Vec<u8>, FetchError> {
    let (client, server) = client(url)?;
    body(
        (url, server),
        client.post(url, &[("content-type", content_type)], request),
    )
}
