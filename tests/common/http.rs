//! Small HTTP servers for the tests, on loopback until dropped: one that serves the files of
//! a directory (AIA caIssuers, CRLs; `GET /NAME` only), and one whose every answer the test
//! chooses (a hostile peer: a SCEP CA failing with escape sequences in its error page, an
//! OCSP responder answering 100,000 nested elements), and a webhook receiver that keeps what
//! it is sent.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// A running server.
pub struct Files {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// How many requests it answered.
    pub hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Drop for Files {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// An answer: status line (`200 OK`), content type and body.
pub type Answer = (&'static str, &'static str, Vec<u8>);

/// Serves `dir`.
pub fn serve_files(dir: &Path) -> Files {
    let dir: PathBuf = dir.to_path_buf();
    serve(move |_, target| {
        let name = target.trim_start_matches('/');
        let body = (!name.contains("..") && !name.is_empty())
            .then(|| std::fs::read(dir.join(name)).ok())
            .flatten();
        match body {
            Some(body) => ("200 OK", "application/octet-stream", body),
            None => ("404 Not Found", "text/plain", Vec::new()),
        }
    })
}

/// Answers every request with `answer(method, target)`, one connection at a time (the
/// request's body, up to 1 MiB, is read and dropped).
pub fn serve(answer: impl Fn(&str, &str) -> Answer + Send + 'static) -> Files {
    serve_with_body(move |method, target, _| answer(method, target))
}

/// A webhook's receiver: answers every request `204 No Content` and keeps each request's
/// body (as text) in the list it returns.
pub fn record() -> (Files, Arc<std::sync::Mutex<Vec<String>>>) {
    let bodies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = Arc::clone(&bodies);
    let files = serve_with_body(move |_, _, body| {
        kept.lock()
            .expect("bodies")
            .push(String::from_utf8_lossy(body).into_owned());
        ("204 No Content", "text/plain", Vec::new())
    });
    (files, bodies)
}

/// Answers every request with `answer(method, target, body)`, one connection at a time
/// (the request's body read up to 1 MiB).
fn serve_with_body(answer: impl Fn(&str, &str, &[u8]) -> Answer + Send + 'static) -> Files {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let stop = Arc::new(AtomicBool::new(false));
    let hits = Arc::new(AtomicUsize::new(0));
    let (flag, count) = (Arc::clone(&stop), Arc::clone(&hits));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            let Ok(mut stream) = stream else { continue };
            let Some((head, request_body)) = read_request(&mut stream) else {
                continue;
            };
            let mut words = head.split_whitespace();
            let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or("/"));
            count.fetch_add(1, Ordering::SeqCst);
            let (status, content_type, body) = answer(method, target, &request_body);
            let mut response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            response.extend(body);
            let _ = stream.write_all(&response);
        }
    });
    Files { port, hits, stop }
}

/// The request's head and body; None when it never came.
fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0)
        .min(1 << 20);
    while buf.len() < end + length {
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[end..(end + length).min(buf.len())].to_vec();
    Some((head, body))
}
