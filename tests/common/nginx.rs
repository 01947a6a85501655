//! nginx on loopback (`nginx -c CONF`, in the foreground) serving TLS with the files a
//! deploy wrote: `fullchain.pem` and `privkey.pem` of a folder. Its pid file, logs and
//! temporary paths are in its own directory. Stopped when dropped, its workers with it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::acme::free_tcp_port;
use super::s;

/// A running nginx.
pub struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
    /// Its TLS port on 127.0.0.1.
    pub port: u16,
    /// The command that makes it load its certificate again.
    pub reload: String,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        super::terminate(&mut self.child);
    }
}

/// Starts nginx serving `certs/fullchain.pem` with `certs/privkey.pem`.
pub fn start(certs: &Path) -> Nginx {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let path = |name: &str| -> PathBuf { d.join(name) };
    for _ in 0..5 {
        let port = free_tcp_port();
        let config = path("nginx.conf");
        let temp: String = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
            .iter()
            .map(|t| format!("{t}_temp_path {};\n", s(&path(t))))
            .collect();
        std::fs::write(
            &config,
            format!(
                "daemon off;\nworker_processes 1;\npid {pid};\nerror_log {log};\n\
                 events {{ worker_connections 64; }}\n\
                 http {{\naccess_log off;\n{temp}\
                 server {{\nlisten 127.0.0.1:{port} ssl;\n\
                 ssl_certificate {certs}/fullchain.pem;\n\
                 ssl_certificate_key {certs}/privkey.pem;\n\
                 location / {{ return 200 \"ok\\n\"; }}\n}}\n}}\n",
                pid = s(&path("nginx.pid")),
                log = s(&path("error.log")),
                certs = s(certs),
            ),
        )
        .expect("nginx.conf");
        let base = format!(
            "/usr/sbin/nginx -c {} -e {}",
            s(&config),
            s(&path("error.log"))
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("exec {base}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx runs (Debian nginx-light)");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Nginx {
                    child,
                    _dir: dir,
                    port,
                    reload: format!("{base} -s reload"),
                };
            }
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        super::terminate(&mut child);
    }
    panic!("nginx did not start");
}
