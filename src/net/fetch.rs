//! Fetching what a certificate points to over HTTP (AIA caIssuers, CRLs, OCSP): plain
//! `http://` as those URLs are (what they serve is signed), a time-out and a size limit on
//! every fetch, and a [`Deadline`] that the fetches made for one purpose share (one
//! certificate's revocation checks, one import's missing issuers), so that a certificate
//! naming many dead servers costs one budget, not one time-out per server.
//!
//! A host that did not answer in time is not asked again for a while (on any port), so
//! that a dead responder behind a firewall costs one time-out, not one per certificate or
//! per URL that names it (Windows keeps such URLs "offline" the same way).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::deadline::Deadline;
use crate::net::http::{Client, HttpError, Response};

/// The largest answer read.
pub const MAX_FETCH: usize = 1024 * 1024;

/// How long one fetch may take (Windows' default for CRL and OCSP retrieval).
pub const FETCH_TIME_LIMIT: Duration = Duration::from_secs(15);

/// How long the fetches made for one purpose may take together, however many URLs there
/// are (Windows' cumulative limit for one chain's URL retrieval).
pub const SHARED_TIME_LIMIT: Duration = Duration::from_secs(20);

/// How long a host that did not answer in time is not asked again.
const QUIET_FOR: Duration = Duration::from_secs(120);

/// The hosts that did not answer in time, and when.
static SILENT: Mutex<Vec<(String, Instant)>> = Mutex::new(Vec::new());

/// Why a URL could not be fetched (one sentence).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// One fetch about to be made: its URL, its host, and how long it may take.
struct Fetch<'a> {
    url: &'a str,
    host: String,
    limit: Duration,
}

/// The fetch of `url`, which must be http or https, and its client; refused at once when
/// its host did not answer in time a moment ago, or `deadline` has passed.
fn start(url: &str, deadline: Deadline) -> Result<(Client, Fetch<'_>), FetchError> {
    let parsed =
        url::Url::parse(url).map_err(|e| FetchError(format!("{url} is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError(format!("{url} is not an http URL")));
    }
    let host = parsed.host_str().unwrap_or_default().to_owned();
    if let Some(ago) = silent_since(&host) {
        return Err(FetchError(format!(
            "{url}: its server {host} did not answer {} s ago, so it is not asked again for {} s",
            ago.as_secs(),
            QUIET_FOR.saturating_sub(ago).as_secs()
        )));
    }
    let Some(limit) = deadline.step(FETCH_TIME_LIMIT) else {
        return Err(FetchError(format!(
            "{url} was not asked: the {} s these fetches may take in all ran out",
            deadline.seconds()
        )));
    };
    let client = Client::new(url, None, true).map_err(|e| FetchError(e.to_string()))?;
    Ok((
        client.with_limits(limit, MAX_FETCH),
        Fetch { url, host, limit },
    ))
}

/// How long ago `host` last did not answer in time, if within [`QUIET_FOR`].
fn silent_since(host: &str) -> Option<Duration> {
    let mut silent = SILENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    silent.retain(|(_, when)| when.elapsed() < QUIET_FOR);
    silent
        .iter()
        .find(|(h, _)| h == host)
        .map(|(_, when)| when.elapsed())
}

/// The body of a 200 answer, at most [`MAX_FETCH`] bytes; a host that did not answer
/// within the whole [`FETCH_TIME_LIMIT`] is remembered (one cut short by the shared
/// deadline was not given its chance).
fn body(fetch: Fetch<'_>, answer: Result<Response, HttpError>) -> Result<Vec<u8>, FetchError> {
    let url = fetch.url;
    if let Err(HttpError::Timeout(_)) = &answer
        && fetch.limit >= FETCH_TIME_LIMIT
    {
        let mut silent = SILENT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        silent.push((fetch.host, Instant::now()));
    }
    let response = answer.map_err(|e| match e {
        HttpError::Timeout(_) => FetchError(format!(
            "{url} did not answer within {} s",
            fetch.limit.as_secs()
        )),
        HttpError::TooLarge { limit, .. } => FetchError(format!(
            "{url} answered more than {}",
            crate::net::http::size(limit)
        )),
        other => FetchError(format!("{url}: {other}")),
    })?;
    if response.status != 200 {
        return Err(FetchError(format!(
            "{url} answered HTTP {}",
            response.status
        )));
    }
    Ok(response.body)
}

/// GETs `url` (http or https) by `deadline`: the body of a 200 answer.
pub fn get(url: &str, deadline: Deadline) -> Result<Vec<u8>, FetchError> {
    let (client, fetch) = start(url, deadline)?;
    let answer = client.get(url, &[]);
    body(fetch, answer)
}

/// POSTs `body` as `content_type` to `url` (an OCSP request) by `deadline`: the body of a
/// 200 answer.
pub fn post(
    url: &str,
    content_type: &str,
    request: Vec<u8>,
    deadline: Deadline,
) -> Result<Vec<u8>, FetchError> {
    let (client, fetch) = start(url, deadline)?;
    let answer = client.post(url, &[("content-type", content_type)], request);
    body(fetch, answer)
}
