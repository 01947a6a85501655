//! A real ACME server that offers renewal information (RFC 9773 `renewalInfo`):
//! acme2certifier (PyPI) with its OpenSSL CA handler, served over TLS on loopback by its own
//! WSGI application. scripts/test installs it in a virtual environment at
//! `target/acme2certifier` (or give its Python with `CERTDESK_A2C_PYTHON`). Challenge
//! validation is off (its documented test switch), as pebble's `PEBBLE_VA_ALWAYS_VALID`.
//! `renewalthreshold_pctg` 0 with a one-second window makes every certificate due at once;
//! the default (85 %) makes a day-long certificate due in about 20 hours.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::acme::{free_tcp_port, tls_files};
use super::tool;

/// The server, stopped when dropped.
pub struct A2c {
    child: Child,
    /// The directory URL.
    pub directory: String,
    /// Its port.
    pub port: u16,
}

impl Drop for A2c {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SERVE: &str = r#"
import ssl, sys
from wsgiref.simple_server import make_server
from acme2certifier.share import acme2certifier_wsgi as a2c
def app(environ, start_response):
    environ["wsgi.url_scheme"] = "https"
    return a2c.application(environ, start_response)
srv = make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=a2c.get_handler_cls())
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
"#;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CERTDESK_A2C_PYTHON") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/acme2certifier/bin/python")
}

/// Starts acme2certifier in `dir` (its CA, database and TLS files there; a second start
/// in the same directory keeps them); `due_now` makes the renewal window of every
/// certificate open and close at once (so it is due), else the default window; on `port`
/// when given (a restart keeps its address).
pub fn start(dir: &Path, due_now: bool, port: Option<u16>) -> A2c {
    let python = python();
    assert!(
        python.exists(),
        "acme2certifier is not installed at {} (scripts/test installs it; or set CERTDESK_A2C_PYTHON)",
        python.display()
    );
    let p = |name: &str| dir.join(name).display().to_string();
    if !dir.join("a2c-ca.pem").exists() {
        tls_files(dir);
        tool(
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &p("a2c-ca.key"),
                "-out",
                &p("a2c-ca.pem"),
                "-days",
                "2",
                "-subj",
                "/CN=certdesk test ARI CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-addext",
                "subjectKeyIdentifier=hash",
            ],
        );
        std::fs::create_dir_all(dir.join("a2c-certs")).expect("cert dir");
        std::fs::write(dir.join("serve.py"), SERVE).expect("serve.py");
    }
    let window = if due_now {
        "renewalthreshold_pctg: 0\nrenewal_window_duration: 1\n"
    } else {
        ""
    };
    let config = format!(
        "[DEFAULT]\ndebug: False\n\n[Nonce]\nnonce_check_disable: False\n\n\
         [CAhandler]\nhandler_module: acme2certifier.cahandlers.openssl_ca_handler\n\
         issuing_ca_key: {key}\nissuing_ca_cert: {ca}\nca_cert_chain_list: [\"{ca}\"]\n\
         cert_save_path: {certs}\ncert_validity_days: 1\nissuing_ca_crl: {crl}\n\n\
         [DBhandler]\nhandler_module: acme2certifier.dbhandlers.wsgi_handler\ndbfile: {db}\n\n\
         [Challenge]\nchallenge_validation_disable: True\n\n[Renewalinfo]\n{window}",
        key = p("a2c-ca.key"),
        ca = p("a2c-ca.pem"),
        certs = p("a2c-certs"),
        crl = p("a2c-ca.crl"),
        db = p("a2c.db"),
    );
    std::fs::write(dir.join("acme_srv.cfg"), config).expect("config");
    for _ in 0..5 {
        let port = port.unwrap_or_else(free_tcp_port);
        let mut child = Command::new(&python)
            .arg(dir.join("serve.py"))
            .args([port.to_string(), p("tls.pem"), p("tls.key")])
            .env("ACME_SRV_CONFIGFILE", dir.join("acme_srv.cfg"))
            .env("ACME2CERTIFIER_I_KNOW_THE_RISK", "1")
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("acme2certifier starts");
        let started = Instant::now();
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return A2c {
                    child,
                    directory: format!("https://127.0.0.1:{port}/directory"),
                    port,
                };
            }
            if child.try_wait().ok().flatten().is_some()
                || started.elapsed() > Duration::from_secs(20)
            {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("acme2certifier did not start");
}
