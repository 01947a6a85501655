//! Hostile peers on loopback, each stopped when dropped (its connections too): a server
//! that accepts and never answers, one that answers only after a pause, one that sends its
//! TLS handshake a byte a second, and an HTTPS server whose answer never ends.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A running hostile server on 127.0.0.1.
pub struct Peer {
    /// Its port.
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Accepts connections on a free port, each handled by `handle` on a thread of its own
/// until it returns or the peer is dropped (`handle` watches the flag it is given).
fn serve<F>(handle: F) -> Peer
where
    F: Fn(TcpStream, &AtomicBool) + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = listener.local_addr().expect("address").port();
    let stop = Arc::new(AtomicBool::new(false));
    let (flag, handle) = (Arc::clone(&stop), Arc::new(handle));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let (flag, handle) = (Arc::clone(&flag), Arc::clone(&handle));
            std::thread::spawn(move || handle(stream, &flag));
        }
    });
    Peer { port, stop }
}

/// Waits `time` unless the peer is stopped meanwhile: whether it was not.
fn pause(time: Duration, stop: &AtomicBool) -> bool {
    let started = Instant::now();
    while started.elapsed() < time {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    !stop.load(Ordering::SeqCst)
}

/// Holds a connection open, saying nothing, until the peer is stopped.
fn hold(stop: &AtomicBool) {
    while pause(Duration::from_secs(1), stop) {}
}

/// Reads a request's head (up to its blank line, at most 16 KiB).
fn read_head(stream: &mut impl Read) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while head.len() < 16 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
}

/// A server that accepts connections and never answers (a firewall that drops, a hung
/// server).
pub fn silent() -> Peer {
    serve(|_stream, stop| hold(stop))
}

/// An HTTP server that answers every request only after `delay`, and then with HTTP 503:
/// slow, but never silent long enough to count as a server that does not answer.
pub fn slow_http(delay: Duration) -> Peer {
    serve(move |mut stream, stop| {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        read_head(&mut stream);
        if pause(delay, stop) {
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    })
}

/// A TLS server identity for 127.0.0.1 whose CA certificate is written to
/// `dir/hostile-ca.pem` (a `--ca-bundle` that trusts it): the server's configuration and
/// that file.
pub fn tls_identity(dir: &Path) -> (Arc<rustls::ServerConfig>, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "hostile test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, "hostile server");
    let cert = params.signed_by(&key, &issuer).expect("certificate");
    let bundle = dir.join("hostile-ca.pem");
    std::fs::write(&bundle, ca_cert.pem()).expect("CA file");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("server configuration");
    (Arc::new(config), bundle)
}

/// A TLS server that reads the ClientHello and sends its real handshake answer one byte a
/// second (several kilobytes: hours).
pub fn dripping_tls(config: Arc<rustls::ServerConfig>) -> Peer {
    serve(move |mut stream, stop| {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let Ok(mut conn) = rustls::ServerConnection::new(Arc::clone(&config)) else {
            return;
        };
        while !conn.wants_write() {
            match conn.read_tls(&mut stream) {
                Ok(n) if n > 0 => {}
                _ => return,
            }
            if conn.process_new_packets().is_err() {
                return;
            }
        }
        let mut answer = Vec::new();
        while conn.wants_write() {
            if conn.write_tls(&mut answer).is_err() {
                return;
            }
        }
        for byte in answer {
            if stream.write_all(&[byte]).is_err() || !pause(Duration::from_secs(1), stop) {
                return;
            }
        }
        hold(stop);
    })
}

/// An HTTPS server that answers any request with 200 and a JSON body that never ends (an
/// opening brace, then spaces), as fast as the client reads.
pub fn endless_https(config: Arc<rustls::ServerConfig>) -> Peer {
    serve(move |stream, stop| {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
        let Ok(conn) = rustls::ServerConnection::new(Arc::clone(&config)) else {
            return;
        };
        let mut tls = rustls::StreamOwned::new(conn, stream);
        read_head(&mut tls);
        let head =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{";
        if tls.write_all(head).is_err() {
            return;
        }
        let chunk = vec![b' '; 64 * 1024];
        while !stop.load(Ordering::SeqCst) {
            if tls.write_all(&chunk).is_err() {
                return;
            }
        }
    })
}
