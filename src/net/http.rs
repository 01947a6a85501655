//! The one HTTP/TLS stack every peer is reached through (online CAs, AIA/CRL/OCSP fetches,
//! webhooks): hyper with rustls (aws-lc), TLS verification always on (the system's roots,
//! or a connection's own PEM bundle), a time-out on every exchange and a size limit on
//! every answer.
//!
//! SCEP, AD CS Web Enrollment, the fetches of [`crate::net::fetch`] and notifications use
//! [`Client`], which blocks on a runtime of its own so the model's verbs stay synchronous;
//! ACME's adapter ([`crate::ca::acme_http`]) and AD CS's signed-in connection read every
//! answer through [`answer`] too. Its errors ([`HttpError`]) name the peer; a CA's own
//! error ([`crate::ca::OnlineError`]) is made from them.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Why an exchange with a peer (named by its connection or URL) failed, one sentence.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The peer could not be reached.
    #[error("{peer} cannot be reached: {message}")]
    Unreachable {
        /// The connection's name, or the URL.
        peer: String,
        /// What went wrong.
        message: String,
    },
    /// The peer's TLS certificate is not trusted here.
    #[error("the TLS certificate of {peer} is not trusted here ({message})")]
    UntrustedTls {
        /// The connection's name, or the URL.
        peer: String,
        /// The TLS library's words.
        message: String,
    },
    /// The peer did not answer in time.
    #[error("{0} did not answer in time")]
    Timeout(String),
    /// The peer sent more than is read.
    #[error("{peer} sent an answer larger than {}", size(*limit))]
    TooLarge {
        /// The connection's name, or the URL.
        peer: String,
        /// The most bytes read.
        limit: usize,
    },
    /// The TLS trust given for the peer cannot be used.
    #[error("the TLS trust of {peer} cannot be used: {message}")]
    Bundle {
        /// The connection's name, or the URL.
        peer: String,
        /// Why.
        message: String,
    },
}

/// How long one exchange (request and whole answer) may take.
pub const STEP: Duration = Duration::from_secs(30);

/// The largest answer read from a peer.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// `bytes` as the sentences say it ("4 MiB", "512 KiB").
pub fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

/// Why an exchange gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum Failed {
    /// The connection could not be made, or the request not sent.
    #[error("{}", describe(.0.as_ref()))]
    Connect(Box<dyn std::error::Error + Send + Sync>),
    /// The answer's body broke off.
    #[error("its answer could not be read: {0}")]
    Read(Box<dyn std::error::Error + Send + Sync>),
    /// The answer was longer than the limit (bytes): reading stopped there.
    #[error("its answer is larger than {}", size(*.0))]
    TooLarge(usize),
    /// The whole answer did not come within the time limit.
    #[error("it did not answer within {} s", .0.as_secs())]
    TooSlow(Duration),
}

/// The answer to a request sent: its head and its whole body, at most `max_body` bytes,
/// all of it within `limit`.
pub async fn answer<E: Into<Box<dyn std::error::Error + Send + Sync>>>(
    sent: impl Future<Output = Result<http::Response<hyper::body::Incoming>, E>>,
    (limit, max_body): (Duration, usize),
) -> Result<(http::response::Parts, Bytes), Failed> {
    let exchange = async {
        let (parts, body) = sent
            .await
            .map_err(|e| Failed::Connect(e.into()))?
            .into_parts();
        let body = Limited::new(body, max_body)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<LengthLimitError>() {
                    Failed::TooLarge(max_body)
                } else {
                    Failed::Read(e)
                }
            })?
            .to_bytes();
        Ok((parts, body))
    };
    tokio::time::timeout(limit, exchange)
        .await
        .unwrap_or(Err(Failed::TooSlow(limit)))
}

/// The TLS configuration for the peer `peer`: its bundle's roots, or the system's.
pub fn tls_config(peer: &str, bundle: Option<&str>) -> Result<rustls::ClientConfig, HttpError> {
    crate::pki::trust::client_config(bundle.map(str::as_bytes)).map_err(|e| HttpError::Bundle {
        peer: peer.to_owned(),
        message: e.to_string(),
    })
}

/// The connector for a CA: https only, unless `plain_http` allows `http://` too (SCEP,
/// whose messages are signed and encrypted themselves).
pub fn connector(config: rustls::ClientConfig, plain_http: bool) -> HttpsConnector<HttpConnector> {
    let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config);
    if plain_http {
        builder.https_or_http().enable_http1().build()
    } else {
        builder.https_only().enable_http1().build()
    }
}

/// An answer: status, content type and body.
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The Content-Type, lower case, without parameters.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
}

impl Response {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A blocking HTTP client for one peer (a CA connection, a URL).
pub struct Client {
    peer: String,
    rt: tokio::runtime::Runtime,
    inner: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    step: Duration,
    max_body: usize,
}

impl Client {
    /// A client for the peer `peer` (named so in its errors), trusting `bundle` (or the
    /// system's roots).
    pub fn new(peer: &str, bundle: Option<&str>, plain_http: bool) -> Result<Self, HttpError> {
        let config = tls_config(peer, bundle)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| HttpError::Unreachable {
                peer: peer.to_owned(),
                message: e.to_string(),
            })?;
        let inner = HyperClient::builder(TokioExecutor::new()).build(connector(config, plain_http));
        Ok(Self {
            peer: peer.to_owned(),
            rt,
            inner,
            step: STEP,
            max_body: MAX_BODY,
        })
    }

    /// The same client with other limits on each exchange: its time and its answer's size.
    #[must_use]
    pub fn with_limits(self, step: Duration, max_body: usize) -> Self {
        Self {
            step,
            max_body,
            ..self
        }
    }

    /// GET `url` with `headers`.
    pub fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response, HttpError> {
        self.send(http::Method::GET, url, headers, Vec::new())
    }

    /// POST `body` to `url` with `headers`.
    pub fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Response, HttpError> {
        self.send(http::Method::POST, url, headers, body)
    }

    fn send(
        &self,
        method: http::Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Response, HttpError> {
        let unreachable = |message: String| HttpError::Unreachable {
            peer: self.peer.clone(),
            message,
        };
        let mut request = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| unreachable(format!("the URL {url} cannot be used: {e}")))?;
        let (parts, body) = self
            .rt
            .block_on(answer(
                self.inner.request(request),
                (self.step, self.max_body),
            ))
            .map_err(|e| failed(&self.peer, e))?;
        Ok(Response::from_parts(&parts, body))
    }
}

/// The error of an exchange with `peer` that gave no answer.
pub(crate) fn failed(peer: &str, e: Failed) -> HttpError {
    match e {
        Failed::TooSlow(_) => HttpError::Timeout(peer.to_owned()),
        Failed::TooLarge(limit) => HttpError::TooLarge {
            peer: peer.to_owned(),
            limit,
        },
        Failed::Connect(e) if untrusted_tls(e.as_ref()) => HttpError::UntrustedTls {
            peer: peer.to_owned(),
            message: describe(e.as_ref()),
        },
        other => HttpError::Unreachable {
            peer: peer.to_owned(),
            message: other.to_string(),
        },
    }
}

impl Response {
    /// The answer from its head and body.
    pub(crate) fn from_parts(parts: &http::response::Parts, body: Bytes) -> Self {
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let retry_after = parts
            .headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Self {
            status: parts.status.as_u16(),
            content_type,
            retry_after,
            body: body.to_vec(),
        }
    }
}

/// Whether a connection error is the server's TLS certificate not chaining to a root this
/// connection trusts (rustls' `UnknownIssuer`): the fix is the connection's TLS trust, not
/// its URL.
pub fn untrusted_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(mut error) = cause {
        // An I/O error hides what it wraps from `source()` (hyper wraps rustls' error in
        // one, and that one in another).
        while let Some(inner) = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            error = inner;
        }
        if matches!(
            error.downcast_ref::<rustls::Error>(),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            ))
        ) {
            return true;
        }
        cause = error.source();
    }
    false
}

/// The innermost cause of a connection error: "connection refused", "invalid peer
/// certificate: UnknownIssuer", not hyper's "client error (Connect)".
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
