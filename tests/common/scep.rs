//! A real SCEP CA for the tests: micromdm's scepserver (Debian package `scep`) on loopback,
//! with a fresh CA and a required challenge password.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::acme::free_tcp_port;
use super::{s, tool};

/// The server, stopped when dropped.
pub struct Scep(Child);

impl Drop for Scep {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// scepserver with a fresh CA in `dir/depot`, requiring `challenge`: (server, URL).
pub fn start_scep(dir: &Path, challenge: &str) -> (Scep, String) {
    let depot = dir.join("depot");
    tool("scepserver", &["ca", "-init", "-depot", s(&depot)]);
    for _ in 0..5 {
        let port = free_tcp_port();
        let child = Command::new("scepserver")
            .args(["-depot", s(&depot), "-port", &port.to_string()])
            .args(["-challenge", challenge, "-allowrenew", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("scepserver runs (Debian package scep)");
        let mut server = Scep(child);
        let started = Instant::now();
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (server, format!("http://127.0.0.1:{port}/scep"));
            }
            if server.0.try_wait().ok().flatten().is_some()
                || started.elapsed() > Duration::from_secs(10)
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("scepserver did not start");
}
