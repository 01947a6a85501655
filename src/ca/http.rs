//! The one HTTP/TLS stack every online CA goes through: hyper with rustls (aws-lc), TLS
//! verification always on (the system's roots, or a connection's own PEM bundle), a
//! time-out on every exchange and a size limit on every answer.
//!
//! ACME hands the client to instant-acme; SCEP and AD CS Web Enrollment use [`Client`],
//! which blocks on a runtime of its own so the model's verbs stay synchronous.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::OnlineError;

/// How long one exchange (request and whole answer) may take.
const STEP: Duration = Duration::from_secs(30);

/// The largest answer read from a CA.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// The TLS configuration for a CA: its bundle's roots, or the system's.
pub fn tls_config(ca: &str, bundle: Option<&str>) -> Result<rustls::ClientConfig, OnlineError> {
    crate::pki::trust::client_config(bundle.map(str::as_bytes)).map_err(|message| {
        OnlineError::Bundle {
            ca: ca.to_owned(),
            message,
        }
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
}

impl Response {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A blocking HTTP client for one CA connection.
pub struct Client {
    ca: String,
    rt: tokio::runtime::Runtime,
    inner: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    step: Duration,
}

impl Client {
    /// A client for the CA `ca`, trusting `bundle` (or the system's roots).
    pub fn new(ca: &str, bundle: Option<&str>, plain_http: bool) -> Result<Self, OnlineError> {
        let config = tls_config(ca, bundle)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| OnlineError::Unreachable {
                ca: ca.to_owned(),
                message: e.to_string(),
            })?;
        let inner = HyperClient::builder(TokioExecutor::new()).build(connector(config, plain_http));
        Ok(Self {
            ca: ca.to_owned(),
            rt,
            inner,
            step: STEP,
        })
    }

    /// The same client with another limit on each exchange.
    #[must_use]
    pub fn with_time_limit(self, step: Duration) -> Self {
        Self { step, ..self }
    }

    /// GET `url` with `headers`.
    pub fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response, OnlineError> {
        self.send(http::Method::GET, url, headers, Vec::new())
    }

    /// POST `body` to `url` with `headers`.
    pub fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Response, OnlineError> {
        self.send(http::Method::POST, url, headers, body)
    }

    fn send(
        &self,
        method: http::Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Response, OnlineError> {
        let unreachable = |message: String| OnlineError::Unreachable {
            ca: self.ca.clone(),
            message,
        };
        let mut request = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| unreachable(format!("the URL {url} cannot be used: {e}")))?;
        let exchange = async {
            let response = self
                .inner
                .request(request)
                .await
                .map_err(|e| unreachable(describe(&e)))?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let body = Limited::new(response.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| unreachable(format!("its answer could not be read: {e}")))?
                .to_bytes()
                .to_vec();
            Ok(Response {
                status,
                content_type,
                body,
            })
        };
        self.rt.block_on(async {
            tokio::time::timeout(self.step, exchange)
                .await
                .map_err(|_| OnlineError::Timeout(self.ca.clone()))?
        })
    }
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
