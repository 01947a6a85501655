//! Fetching what a certificate points to over HTTP (AIA caIssuers, CRLs, OCSP): plain
//! `http://` as those URLs are (what they serve is signed), a time-out and a size limit on
//! every fetch (the HTTP stack's).

use crate::ca::http::{Client, Response};

/// The largest answer read.
pub const MAX_FETCH: usize = 1024 * 1024;

/// Why a URL could not be fetched (one sentence).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// A client for `url`, which must be http or https.
fn client(url: &str) -> Result<Client, FetchError> {
    let parsed =
        url::Url::parse(url).map_err(|e| FetchError(format!("{url} is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError(format!("{url} is not an http URL")));
    }
    Client::new(url, None, true).map_err(|e| FetchError(e.to_string()))
}

/// The body of a 200 answer, at most [`MAX_FETCH`] bytes.
fn body(
    url: &str,
    answer: Result<Response, crate::ca::OnlineError>,
) -> Result<Vec<u8>, FetchError> {
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
    body(url, client(url)?.get(url, &[]))
}

/// POSTs `body` as `content_type` to `url` (an OCSP request): the body of a 200 answer.
pub fn post(url: &str, content_type: &str, request: Vec<u8>) -> Result<Vec<u8>, FetchError> {
    body(
        url,
        client(url)?.post(url, &[("content-type", content_type)], request),
    )
}
