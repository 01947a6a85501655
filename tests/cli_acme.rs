//! Immediate requests to a real ACME server: pebble (Let's Encrypt's test CA) on loopback,
//! with pebble-challtestsrv answering its DNS lookups with 127.0.0.1, so pebble's HTTP-01
//! validation reaches certdesk's own challenge listener. TLS to pebble is verified against
//! a CA made here (`--ca-bundle`). Also: an unreachable CA and a bad bundle change nothing.

mod common;

use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{EDGE, TestStore, s, tool};

/// The servers a test started, stopped when it ends.
struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("a free port")
        .port()
}

/// A CA and a certificate for 127.0.0.1 signed by it, for pebble's HTTPS.
fn tls_files(dir: &Path) {
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

/// Starts pebble and its DNS stand-in; returns them, the directory URL and the HTTP-01 port.
fn start_pebble(dir: &Path) -> (Servers, String, u16) {
    tls_files(dir);
    let (acme, management, http01, tls) = (
        free_tcp_port(),
        free_tcp_port(),
        free_tcp_port(),
        free_tcp_port(),
    );
    let (dns, dns_management) = (free_udp_port(), free_tcp_port());
    let config = serde_json::json!({"pebble": {
        "listenAddress": format!("127.0.0.1:{acme}"),
        "managementListenAddress": format!("127.0.0.1:{management}"),
        "certificate": dir.join("tls.pem"),
        "privateKey": dir.join("tls.key"),
        "httpPort": http01,
        "tlsPort": tls,
        "ocspResponderURL": "",
        "externalAccountBindingRequired": false
    }});
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
        .env("PEBBLE_WFE_NONCEREJECT", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pebble runs (Debian package pebble)");
    let servers = Servers(vec![challtestsrv, pebble]);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", acme)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "pebble did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (servers, format!("https://127.0.0.1:{acme}/dir"), http01)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_acme_ca_issues_through_http01_and_failures_change_nothing() {
    let t = TestStore::with_topology(EDGE);
    let (_servers, directory, http01) = start_pebble(t.dir.path());
    let bundle = t.dir.path().join("tls-ca.pem");
    let http_port = http01.to_string();

    t.json(&[
        "ca",
        "add",
        "pebble",
        "--acme",
        &directory,
        "--contact",
        "admin@contoso.com",
        "--ca-bundle",
        s(&bundle),
    ]);
    let tested = t.json(&["ca", "test", "pebble"]);
    assert!(
        tested["account"]
            .as_str()
            .is_some_and(|a| a.starts_with("https://127.0.0.1")),
        "{tested}"
    );

    let issued = t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "pebble",
        "--http-address",
        "127.0.0.1",
        "--http-port",
        &http_port,
    ]);
    assert_eq!(issued["status"], "issued", "{issued}");
    let thumbprint = issued["thumbprint"]
        .as_str()
        .expect("thumbprint")
        .to_owned();
    let personal = t.json(&["list", "--logical", "personal"]);
    let leaf = personal
        .as_array()
        .and_then(|a| a.iter().find(|c| c["thumbprint"] == thumbprint.as_str()))
        .expect("the issued certificate is in Personal")
        .clone();
    assert_ne!(leaf["key"], serde_json::Value::Null, "with its key: {leaf}");
    let intermediates = t.json(&["list", "--logical", "ca"]);
    assert!(
        intermediates.as_array().is_some_and(|a| !a.is_empty()),
        "pebble's intermediate went to Intermediate CAs"
    );
    // The activity log has the equivalent command; no secret anywhere it can be read.
    let log = t.json(&["log"]);
    assert!(log.to_string().contains("--ca pebble"), "{log}");
    let list = t.json(&["ca", "list"]);
    let pebble = list
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == "pebble"))
        .expect("listed");
    assert_eq!(pebble["registered"], true);
    assert_eq!(
        pebble.as_object().map(|o| o.len()),
        Some(5),
        "name, kind, url, registered, custom_trust only: {pebble}"
    );
    let db = std::fs::read(t.path().join("store.sqlite")).expect("db");
    assert!(
        !db.windows(11).any(|w| w == b"PRIVATE KEY"),
        "no key in clear in the database"
    );

    // A CA that does not answer, a bundle that is not one, a CA that does not exist:
    // one sentence each, and the store is as it was.
    let closed = format!("https://127.0.0.1:{}/dir", free_tcp_port());
    t.json(&[
        "ca",
        "add",
        "down",
        "--acme",
        &closed,
        "--ca-bundle",
        s(&bundle),
    ]);
    let before = t.snapshot();
    let out = t.run(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "down",
        "--http-address",
        "127.0.0.1",
        "--http-port",
        &http_port,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the ACME CA down failed"),
        "{}",
        stderr(&out)
    );
    assert!(t.snapshot() == before, "no certificate and no orphan key");
    let out = t.run(&["request", "--type", "Internal", "--ca", "nosuch"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("there is no CA named nosuch"),
        "{}",
        stderr(&out)
    );
    let garbage = t.dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").expect("write");
    let out = t.run(&[
        "ca",
        "add",
        "x",
        "--acme",
        &directory,
        "--ca-bundle",
        s(&garbage),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("holds no PEM certificate"),
        "{}",
        stderr(&out)
    );
    assert!(t.snapshot() == before);

    t.json(&["ca", "remove", "pebble"]);
    let out = t.run(&["ca", "test", "pebble"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
