//! A real ACME server for the tests: pebble (Let's Encrypt's test CA) on loopback, with
//! pebble-challtestsrv answering its DNS lookups with 127.0.0.1, so pebble's HTTP-01
//! validation reaches certdesk's own challenge listener; its TLS certificate comes from a
//! CA made here (`tls-ca.pem`, for `--ca-bundle`).

use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::tool;

/// The servers a test started, stopped when it ends, and the management port of the DNS
/// stand-in (where a test creates TXT records).
pub struct Servers {
    children: Vec<Child>,
    pub dns_management: u16,
    /// Pebble's management port (its roots are at `/roots/0`).
    pub management: u16,
}

impl Servers {
    /// Pebble's issuing root, fetched from its management port into `dir/pebble-root.pem`.
    pub fn root_pem(&self, dir: &Path) -> std::path::PathBuf {
        let out = dir.join("pebble-root.pem");
        tool(
            "curl",
            &[
                "-sSf",
                "--max-time",
                "10",
                "--cacert",
                &dir.join("tls-ca.pem").display().to_string(),
                "-o",
                &out.display().to_string(),
                &format!("https://127.0.0.1:{}/roots/0", self.management),
            ],
        );
        out
    }

    /// Creates a TXT record in the DNS stand-in pebble validates DNS-01 against.
    pub fn set_txt(&self, host: &str, value: &str) {
        let body = serde_json::json!({"host": host, "value": value}).to_string();
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.dns_management)).expect("challtestsrv");
        let request = format!(
            "POST /set-txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "set-txt: {answer}");
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub use super::pg::free_tcp_port;

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("a free port")
        .port()
}

/// A CA and a certificate for 127.0.0.1 signed by it, for pebble's HTTPS.
pub fn tls_files(dir: &Path) {
    let p = |name: &str| dir.join(name).display().to_string();
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    let (ca_key, ca_pem) = (p("tls-ca.key"), p("tls-ca.pem"));
    ca.extend([
        "-keyout",
        &ca_key,
        "-out",
        &ca_pem,
        "-days",
        "2",
        "-subj",
        "/CN=certdesk test TLS CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    tool("openssl", &ca);
    let (key, csr, cert, ext) = (p("tls.key"), p("tls.csr"), p("tls.pem"), p("server.ext"));
    let mut req = vec!["req"];
    req.extend(ec);
    req.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=localhost"]);
    tool("openssl", &req);
    tool(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-set_serial",
            "7",
            "-days",
            "2",
            "-out",
            &cert,
            "-extfile",
            &ext,
        ],
    );
}

/// The external account binding key pebble knows when [`start_pebble`] is asked to require
/// one: (key id, HMAC key in base64url).
pub const EAB: (&str, &str) = (
    "kid-1",
    "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W",
);

/// Starts pebble and its DNS stand-in; returns them, the directory URL and the HTTP-01 port.
/// Pebble never reuses a validation, so every order asks for its challenges.
pub fn start_pebble(dir: &Path) -> (Servers, String, u16) {
    start_pebble_with(dir, false, 0)
}

/// [`start_pebble`] with the CA added to the store `t` as `pebble` (trusting its TLS CA):
/// the servers, the directory URL and the HTTP-01 port.
pub fn pebble_in(t: &super::TestStore) -> (Servers, String, u16) {
    pebble_in_reusing(t, 0)
}

/// [`pebble_in`], pebble reusing this percentage of the account's valid authorizations.
pub fn pebble_in_reusing(t: &super::TestStore, authz_reuse: u8) -> (Servers, String, u16) {
    let (servers, directory, http01) = start_pebble_with(t.dir.path(), false, authz_reuse);
    let bundle = t.dir.path().join("tls-ca.pem");
    t.json(&[
        "ca",
        "add",
        "pebble",
        "--acme",
        &directory,
        "--ca-bundle",
        super::s(&bundle),
    ]);
    (servers, directory, http01)
}

/// [`start_pebble`], requiring external account binding ([`EAB`]) when `eab` is true, and
/// reusing `authz_reuse` percent of the valid authorizations.
/// Free ports are picked anew when a server could not take its own (tests run at once).
pub fn start_pebble_with(dir: &Path, eab: bool, authz_reuse: u8) -> (Servers, String, u16) {
    start_pebble_lasting(dir, (eab, authz_reuse), None)
}

/// [`pebble_in`], its certificates living `seconds` (pebble's `certificateValidityPeriod`),
/// so that they are due for renewal within the test.
pub fn short_lived_pebble_in(t: &super::TestStore, seconds: u64) -> (Servers, String, u16) {
    let (servers, directory, http01) =
        start_pebble_lasting(t.dir.path(), (false, 0), Some(seconds));
    let bundle = t.dir.path().join("tls-ca.pem");
    t.json(&[
        "ca",
        "add",
        "pebble",
        "--acme",
        &directory,
        "--ca-bundle",
        super::s(&bundle),
    ]);
    (servers, directory, http01)
}

/// [`start_pebble_with`] (eab, authz_reuse), its certificates living `validity` seconds
/// when given.
fn start_pebble_lasting(
    dir: &Path,
    (eab, authz_reuse): (bool, u8),
    validity: Option<u64>,
) -> (Servers, String, u16) {
    tls_files(dir);
    for _ in 0..5 {
        if let Some(started) = try_start(dir, (eab, authz_reuse), validity) {
            return started;
        }
    }
    panic!("pebble did not start (is the Debian package pebble installed?)");
}

/// One attempt: None when pebble or its DNS stand-in exited (a port was taken meanwhile).
fn try_start(
    dir: &Path,
    (eab, authz_reuse): (bool, u8),
    validity: Option<u64>,
) -> Option<(Servers, String, u16)> {
    let (acme, management, http01, tls) = (
        free_tcp_port(),
        free_tcp_port(),
        free_tcp_port(),
        free_tcp_port(),
    );
    let (dns, dns_management) = (free_udp_port(), free_tcp_port());
    let mut config = serde_json::json!({"pebble": {
        "listenAddress": format!("127.0.0.1:{acme}"),
        "managementListenAddress": format!("127.0.0.1:{management}"),
        "certificate": dir.join("tls.pem"),
        "privateKey": dir.join("tls.key"),
        "httpPort": http01,
        "tlsPort": tls,
        "ocspResponderURL": "",
        "externalAccountBindingRequired": eab,
        "externalAccountMACKeys": {EAB.0: EAB.1}
    }});
    if let Some(seconds) = validity {
        config["pebble"]["certificateValidityPeriod"] = seconds.into();
    }
    let config_file = dir.join("pebble.json");
    std::fs::write(&config_file, config.to_string()).expect("config");
    let challtestsrv = Command::new("pebble-challtestsrv")
        .args(["-dns01", &format!("127.0.0.1:{dns}")])
        .args([
            "-http01",
            "",
            "-https01",
            "",
            "-tlsalpn01",
            "",
            "-defaultIPv6",
            "",
        ])
        .args(["-management", &format!("127.0.0.1:{dns_management}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pebble-challtestsrv runs (Debian package pebble)");
    let pebble = Command::new("pebble")
        .arg("-config")
        .arg(&config_file)
        .args(["-dnsserver", &format!("127.0.0.1:{dns}")])
        .env("PEBBLE_VA_NOSLEEP", "1")
        .env("PEBBLE_AUTHZREUSE", authz_reuse.to_string())
        .env("PEBBLE_WFE_NONCEREJECT", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pebble runs (Debian package pebble)");
    let mut servers = Servers {
        children: vec![challtestsrv, pebble],
        dns_management,
        management,
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", acme)).is_err() {
        let exited = servers
            .children
            .iter_mut()
            .any(|c| c.try_wait().ok().flatten().is_some());
        if exited || started.elapsed() > Duration::from_secs(20) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((servers, format!("https://127.0.0.1:{acme}/dir"), http01))
}
