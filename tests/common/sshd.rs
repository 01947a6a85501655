//! An OpenSSH server on loopback for the deploy tests (`sshd -D -e -f CONF`): its own host
//! key, the test's client key as the only authorised one, for the user running the tests;
//! a known_hosts file that holds its host key, and one that holds another key (a host
//! whose key changed). Stopped when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::acme::free_tcp_port;
use super::s;

/// A running sshd.
pub struct Sshd {
    child: Child,
    /// Its files (and a `certs` folder to deploy into).
    pub dir: tempfile::TempDir,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The user to sign in as (the one running the tests).
    pub user: String,
    /// The client's private key.
    pub identity: PathBuf,
    /// known_hosts with this server's key.
    pub known_hosts: PathBuf,
    /// known_hosts with another key for this server.
    pub wrong_known_hosts: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &std::path::Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f", s(path)])
        .output()
        .expect("ssh-keygen runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Sshd {
    /// `USER@127.0.0.1:PORT:DIR` for a folder of its directory.
    pub fn destination(&self, folder: &str) -> String {
        format!(
            "{}@127.0.0.1:{}:{}",
            self.user,
            self.port,
            self.dir.path().join(folder).display()
        )
    }
}

/// Starts sshd on a free loopback port.
pub fn start() -> Sshd {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let _ = std::fs::create_dir_all("/run/sshd");
    let host_key = d.join("host_key");
    let identity = d.join("client_key");
    let other = d.join("other_host_key");
    for key in [&host_key, &identity, &other] {
        keygen(key);
    }
    std::fs::copy(d.join("client_key.pub"), d.join("authorized_keys")).expect("authorized_keys");
    let user = String::from_utf8(
        Command::new("id")
            .arg("-un")
            .output()
            .expect("id runs")
            .stdout,
    )
    .expect("user name")
    .trim()
    .to_owned();
    for _ in 0..5 {
        let port = free_tcp_port();
        let known = |key: &str| {
            let public = std::fs::read_to_string(d.join(key)).expect("public key");
            let mut fields = public.split_whitespace();
            let (kind, value) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""));
            format!("[127.0.0.1]:{port} {kind} {value}\n")
        };
        let known_hosts = d.join("known_hosts");
        let wrong_known_hosts = d.join("wrong_known_hosts");
        std::fs::write(&known_hosts, known("host_key.pub")).expect("known_hosts");
        std::fs::write(&wrong_known_hosts, known("other_host_key.pub")).expect("known_hosts");
        let config = d.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1:{port}\nHostKey {}\nAuthorizedKeysFile {}\n\
                 StrictModes no\nUsePAM no\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
                 PidFile {}\nLogLevel ERROR\n",
                s(&host_key),
                s(&d.join("authorized_keys")),
                s(&d.join("sshd.pid")),
            ),
        )
        .expect("sshd_config");
        let mut child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f", s(&config)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sshd runs (Debian openssh-server)");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                std::fs::create_dir_all(d.join("certs")).expect("certs");
                return Sshd {
                    child,
                    dir,
                    port,
                    user,
                    identity,
                    known_hosts,
                    wrong_known_hosts,
                };
            }
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("sshd did not start");
}
