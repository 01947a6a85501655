//! Connects to a TLS server and records the certificate chain it serves, as `openssl
//! s_client` would: the handshake accepts whatever is served (that is what is being
//! looked at) and sends nothing after it; the caller judges the chain against the store's
//! and the system's roots. Connecting and the whole handshake end by the probe's
//! [`Deadline`], however slowly the server sends.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::deadline::Deadline;

/// How long connecting, and each read or write of the handshake, may take.
pub const TIME_OUT: Duration = Duration::from_secs(5);

/// How long probing one target may take in all: connecting, the handshake, and the
/// revocation checks of what it serves.
pub const TIME_LIMIT: Duration = Duration::from_secs(20);

/// The most certificates kept from a served chain.
const MAX_CHAIN: usize = 16;

/// Where to connect and which name to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The host as given (a name or an address).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The name sent in SNI and checked against the certificate (the host by default).
    pub sni: String,
    /// Connect here instead of resolving the host (a pool member's address).
    pub address: Option<SocketAddr>,
}

impl Target {
    /// Parses `HOST[:PORT]` (`[v6]:PORT` for IPv6), with `default_port`.
    pub fn parse(text: &str, default_port: u16) -> Result<Self, ProbeError> {
        let bad = || ProbeError::BadTarget(text.to_owned());
        let (host, port) = if text.parse::<std::net::Ipv6Addr>().is_ok() {
            (text, default_port)
        } else {
            match text.rsplit_once(':') {
                Some((host, port)) => (host, port.parse::<u16>().map_err(|_| bad())?),
                None => (text, default_port),
            }
        };
        let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(v6) if v6.parse::<std::net::Ipv6Addr>().is_ok() => v6,
            Some(_) => return Err(bad()),
            None if host.contains(':') && host.parse::<std::net::Ipv6Addr>().is_err() => {
                return Err(bad());
            }
            None => host,
        };
        if host.is_empty() || host.len() > 253 || host.chars().any(char::is_whitespace) {
            return Err(bad());
        }
        Ok(Self {
            host: host.to_owned(),
            port,
            sni: host.to_owned(),
            address: None,
        })
    }

    /// `host:port`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Why a server could not be looked at.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProbeError {
    /// Not `HOST[:PORT]`.
    #[error("\"{0}\" is not HOST[:PORT]")]
    BadTarget(String),
    /// The name does not resolve.
    #[error("{host} does not resolve: {why}")]
    Resolve {
        /// The host name.
        host: String,
        /// Why.
        why: String,
    },
    /// Nothing answers, or it refused.
    #[error("cannot connect to {target}: {why}")]
    Connect {
        /// The server, as `HOST:PORT`.
        target: String,
        /// Why.
        why: String,
    },
    /// The TLS handshake failed.
    #[error("{target} does not complete a TLS handshake: {why}")]
    Handshake {
        /// The server, as `HOST:PORT`.
        target: String,
        /// Why.
        why: String,
    },
}

/// Accepts any chain (it is recorded, then judged by the caller) but checks the
/// handshake's signatures, so the chain is the one whose key the server holds.
#[derive(Debug)]
struct Recorder(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The socket of a probe, whose every read and write waits at most [`TIME_OUT`] and ends
/// by the deadline: a server that sends its handshake a byte at a time is cut off there.
struct Timed<'a> {
    sock: &'a TcpStream,
    deadline: Deadline,
}

impl Timed<'_> {
    /// How long the next read or write may wait; an error once the deadline has passed.
    fn step(&self) -> std::io::Result<Duration> {
        self.deadline.step(TIME_OUT).ok_or_else(|| self.too_slow())
    }

    fn too_slow(&self) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("it did not finish within {} s", self.deadline.seconds()),
        )
    }

    /// A read or write that waited its whole time, said as such.
    fn waited(&self, e: std::io::Error) -> std::io::Error {
        use std::io::ErrorKind::{TimedOut, WouldBlock};
        match e.kind() {
            WouldBlock | TimedOut if self.deadline.step(TIME_OUT).is_none() => self.too_slow(),
            WouldBlock | TimedOut => std::io::Error::new(
                TimedOut,
                format!("it went silent for {} s", TIME_OUT.as_secs()),
            ),
            _ => e,
        }
    }
}

impl Read for Timed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.sock.set_read_timeout(Some(self.step()?))?;
        self.sock.read(buf).map_err(|e| self.waited(e))
    }
}

impl Write for Timed<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.sock.set_write_timeout(Some(self.step()?))?;
        self.sock.write(buf).map_err(|e| self.waited(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sock.flush()
    }
}

/// The chain `target` serves, leaf first (DER), and the TLS version agreed; all of it by
/// `deadline`.
pub fn served_chain(
    target: &Target,
    deadline: Deadline,
) -> Result<(Vec<Vec<u8>>, String), ProbeError> {
    let label = target.label();
    let resolve = |why: String| ProbeError::Resolve {
        host: target.host.clone(),
        why,
    };
    let connect = |why: String| ProbeError::Connect {
        target: label.clone(),
        why,
    };
    let handshake = |why: String| ProbeError::Handshake {
        target: label.clone(),
        why,
    };
    let address = match target.address {
        Some(address) => address,
        None => (target.host.as_str(), target.port)
            .to_socket_addrs()
            .map_err(|e| resolve(e.to_string()))?
            .next()
            .ok_or_else(|| resolve("no address".into()))?,
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| handshake(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Recorder(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from(target.sni.clone())
        .map_err(|_| ProbeError::BadTarget(target.sni.clone()))?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name)
        .map_err(|e| handshake(e.to_string()))?;
    let connect_limit = deadline
        .step(TIME_OUT)
        .ok_or_else(|| connect(format!("no time is left of its {} s", deadline.seconds())))?;
    let sock =
        TcpStream::connect_timeout(&address, connect_limit).map_err(|e| connect(e.to_string()))?;
    let mut sock = Timed {
        sock: &sock,
        deadline,
    };
    while conn.is_handshaking() {
        conn.complete_io(&mut sock)
            .map_err(|e| handshake(e.to_string()))?;
    }
    let chain: Vec<Vec<u8>> = conn
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .take(MAX_CHAIN)
        .map(|c| c.to_vec())
        .collect();
    let version = conn
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
    let _ = sock.flush();
    if chain.is_empty() {
        return Err(handshake("it served no certificate".into()));
    }
    Ok((chain, version))
}
