//! TLS servers for the tests: `openssl s_server` on loopback serving a given chain.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::acme::free_tcp_port;
use super::s;

/// A running `openssl s_server`, stopped when dropped.
pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `openssl s_server` serving `cert` (with `chain`) on a free loopback port.
pub fn serve(cert: &Path, key: &Path, chain: Option<&Path>) -> (Server, u16) {
    for _ in 0..5 {
        let port = free_tcp_port();
        let mut command = Command::new("openssl");
        command
            .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-www"])
            .args(["-cert", s(cert), "-key", s(key)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(chain) = chain {
            command.args(["-cert_chain", s(chain)]);
        }
        let mut server = Server(command.spawn().expect("openssl s_server runs"));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (server, port);
            }
            if server.0.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("openssl s_server did not start");
}
