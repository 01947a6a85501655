//! Fetching what a certificate points to over HTTP (AIA caIssuers, and later CRLs and
//! OCSP): plain `http://` as those URLs are (what they serve is signed), a time-out and a
//! size limit on every fetch.

use std::time::Duration;

/// The largest answer read.
pub const MAX_FETCH: usize = 1024 * 1024;

/// How long one fetch may take.
pub const FETCH_TIME_OUT: Duration = Duration::from_secs(10);

/// Why a URL could not be fetched (one sentence).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// GETs `url` (http or https): the body of a 200 answer, at most [`MAX_FETCH`] bytes.
pub fn get(url: &str) -> Result<Vec<u8>, FetchError> {
    let parsed =
        url::Url::parse(url).map_err(|e| FetchError(format!("{url} is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError(format!("{url} is not an http URL")));
    }
    let client =
        crate::ca::http::Client::new(url, None, true).map_err(|e| FetchError(e.to_string()))?;
    let response = client
        .get(url, &[])
        .map_err(|e| FetchError(format!("{url}: {e}")))?;
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

/// POSTs `body` as `content_type` to `url` (an OCSP request): the body of a 200 answer.
pub fn post(url: &str, content_type: &str, body: Vec<u8>) -> Result<Vec<u8>, FetchError> {
    let parsed =
        url::Url::parse(url).map_err(|e| FetchError(format!("{url} is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError(format!("{url} is not an http URL")));
    }
    let client =
        crate::ca::http::Client::new(url, None, true).map_err(|e| FetchError(e.to_string()))?;
    let response = client
        .post(url, &[("content-type", content_type)], body)
        .map_err(|e| FetchError(format!("{url}: {e}")))?;
    if response.status != 200 {
        return Err(FetchError(format!(
            "{url} answered HTTP {}",
            response.status
        )));
    }
    Ok(response.body)
}
