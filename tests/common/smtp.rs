//! An SMTP sink on loopback: `/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:P` (Debian
//! `python3-aiosmtpd`), which prints every message it takes; what it printed is kept.
//! Stopped when dropped.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::acme::free_tcp_port;

/// A running sink.
pub struct Sink {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    printed: Arc<Mutex<String>>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sink {
    /// Waits up to 10 s for a message whose printout holds `text`; everything printed.
    pub fn wait_for(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let printed = self.printed.lock().expect("printed").clone();
            if printed.contains(text) || started.elapsed() > Duration::from_secs(10) {
                return printed;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Starts the sink on a free loopback port.
pub fn start() -> Sink {
    for _ in 0..5 {
        let port = free_tcp_port();
        let mut child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd runs (Debian python3-aiosmtpd)");
        let printed = Arc::new(Mutex::new(String::new()));
        let mut stdout = child.stdout.take().expect("stdout");
        let kept = Arc::clone(&printed);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                kept.lock()
                    .expect("printed")
                    .push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        });
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Sink {
                    child,
                    port,
                    printed,
                };
            }
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("aiosmtpd did not start");
}
