//! One kept-alive HTTPS connection to an AD CS server, as NTLM needs: its handshake and
//! the request it signs in for must travel on one TLS connection, so this speaks HTTP/1.1
//! over a connection of its own (hyper's `client::conn::http1` on tokio-rustls) instead of
//! a pool. It keeps the stack's rules ([`crate::net::http`]): TLS verification on, a time
//! limit on the connection and on each exchange, a size limit on each answer. It also
//! gives the server's leaf certificate, which the channel bindings hash.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;

use super::binding;
use crate::ca::OnlineError;
use crate::net::http::{self, Failed, MAX_BODY, STEP};

/// What one exchange gave: the answer's head and its whole body.
pub type Answer = (http::Response, hyper::HeaderMap);

struct Open {
    sender: SendRequest<Full<Bytes>>,
    /// `tls-server-end-point` of this connection's server certificate.
    binding: Vec<u8>,
    /// Counts the connections made, so a handshake can tell it stayed on one.
    serial: u64,
}

/// A connection to one `https://` origin, opened on first use and again when the server
/// closed it.
pub struct Connection {
    ca: String,
    rt: tokio::runtime::Runtime,
    tls: tokio_rustls::TlsConnector,
    host: String,
    port: u16,
    open: Option<Open>,
    serial: u64,
}

impl Connection {
    /// A connection (not yet made) to `url`'s origin, trusting `bundle` or the system's
    /// roots; `https://` only.
    pub fn new(ca: &str, url: &url::Url, bundle: Option<&str>) -> Result<Self, OnlineError> {
        let unusable = |message: String| OnlineError::Unreachable {
            ca: ca.to_owned(),
            message,
        };
        if url.scheme() != "https" {
            return Err(unusable(format!("{url} is not an https:// URL")));
        }
        let host = url
            .host_str()
            .ok_or_else(|| unusable(format!("{url} has no host")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let config = http::tls_config(ca, bundle)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| unusable(e.to_string()))?;
        Ok(Self {
            ca: ca.to_owned(),
            rt,
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
            port: url.port_or_known_default().unwrap_or(443),
            host,
            open: None,
            serial: 0,
        })
    }

    /// The host the server is reached by (what its service principal names).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The connection in use (made now when there is none or the server closed it): its
    /// serial number and channel bindings.
    pub fn ensure(&mut self) -> Result<(u64, Vec<u8>), OnlineError> {
        let rt = &self.rt;
        let usable = self.open.as_mut().is_some_and(|o| {
            // Ready once the last answer is read; an error once the server has closed it.
            rt.block_on(async { tokio::time::timeout(STEP, o.sender.ready()).await })
                .is_ok_and(|ready| ready.is_ok())
        });
        if !usable {
            self.open = None;
            let open = self.connect()?;
            self.open = Some(open);
        }
        let open = self.open.as_ref().ok_or_else(|| self.closed())?;
        Ok((open.serial, open.binding.clone()))
    }

    fn closed(&self) -> OnlineError {
        OnlineError::Unreachable {
            ca: self.ca.clone(),
            message: "it closed the connection".into(),
        }
    }

    fn connect(&mut self) -> Result<Open, OnlineError> {
        self.serial += 1;
        let serial = self.serial;
        let name =
            ServerName::try_from(self.host.clone()).map_err(|e| OnlineError::Unreachable {
                ca: self.ca.clone(),
                message: format!("{} cannot name a TLS server: {e}", self.host),
            })?;
        let (tls, host, port) = (self.tls.clone(), self.host.clone(), self.port);
        let made = self.rt.block_on(async move {
            let connecting = async {
                let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
                    .await
                    .map_err(|e| Failed::Connect(Box::new(e)))?;
                let stream = tls
                    .connect(name, tcp)
                    .await
                    .map_err(|e| Failed::Connect(Box::new(e)))?;
                let leaf = stream
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .map(|c| c.as_ref().to_vec())
                    .unwrap_or_default();
                let (sender, connection) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream))
                        .await
                        .map_err(|e| Failed::Connect(Box::new(e)))?;
                tokio::spawn(connection);
                Ok::<_, Failed>((sender, binding::tls_server_end_point(&leaf)))
            };
            tokio::time::timeout(STEP, connecting)
                .await
                .unwrap_or(Err(Failed::TooSlow(STEP)))
        });
        let (sender, binding) = made.map_err(|e| http::failed(&self.ca, e))?;
        Ok(Open {
            sender,
            binding,
            serial,
        })
    }

    /// Sends `request` (origin-form URI; the Host header is added) on the connection in
    /// use (a new one when the server closed it), reading its whole answer within
    /// [`STEP`] and [`MAX_BODY`].
    pub fn send(
        &mut self,
        mut request: hyper::Request<Full<Bytes>>,
    ) -> Result<Answer, OnlineError> {
        self.ensure()?;
        let authority = if self.port == 443 {
            self.host.clone()
        } else if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        };
        let host = hyper::header::HeaderValue::from_str(&authority).map_err(|e| {
            OnlineError::Unreachable {
                ca: self.ca.clone(),
                message: e.to_string(),
            }
        })?;
        request.headers_mut().insert(hyper::header::HOST, host);
        let open = self.open.as_mut().ok_or_else(|| OnlineError::Unreachable {
            ca: self.ca.clone(),
            message: "no connection".into(),
        })?;
        let sent = open.sender.send_request(request);
        let (parts, body) = self
            .rt
            .block_on(http::answer(sent, (STEP, MAX_BODY)))
            .map_err(|e| http::failed(&self.ca, e))?;
        Ok((http::Response::from_parts(&parts, body), parts.headers))
    }
}
