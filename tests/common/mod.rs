//! Shared helpers for the integration tests: the fixtures (made once per test binary by
//! `tests/fixtures/make.sh` with the real tools) and a temporary store driven through the
//! built `certdesk` binary.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

pub mod a2c;
pub mod acme;
pub mod certsrv;
pub mod hostile;
pub mod http;
pub mod kerberos;
pub mod nginx;
pub mod pg;
pub mod scep;
pub mod smtp;
pub mod sshd;
pub mod tls;
pub mod watch;
pub mod window;

/// An Edge deployment with two SIP domains and no XMPP.
pub const EDGE: &str = r#"
role = "edge"
server_fqdn = "edge01.contoso.net"
pool_fqdn = "edgepool.contoso.net"
sip_domains = ["contoso.com", "fabrikam.com"]
[edge]
access_fqdn = "sip.contoso.com"
webconf_fqdn = "webcon.contoso.com"
av_fqdn = "av.contoso.com"
internal_fqdn = "edgepool.contoso.net"
pool_members = ["edge01.contoso.net", "edge02.contoso.net"]
"#;

/// An Enterprise Edition Front End pool with two SIP domains and its simple URLs.
pub const FRONT_END: &str = r#"
role = "frontend"
server_fqdn = "fe01.contoso.net"
pool_fqdn = "pool01.contoso.net"
sip_domains = ["contoso.com", "fabrikam.com"]
[web]
internal_fqdn = "webint.contoso.net"
external_fqdn = "webext.contoso.com"
meet_urls = ["meet.contoso.com", "meet.fabrikam.com"]
dialin_url = "dialin.contoso.com"
admin_url = "admin.contoso.com"
"#;

/// The fixture directory, made on first use.
pub fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("fixtures-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let status = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make.sh"))
            .arg(&dir)
            .status()
            .expect("bash runs");
        assert!(
            status.success(),
            "tests/fixtures/make.sh failed (are openssl, certtool and pk12util installed?)"
        );
        dir
    })
}

/// A fixture file's path.
pub fn fx(name: &str) -> PathBuf {
    fixtures().join(name)
}

/// The SHA-1 thumbprint of a PEM certificate, as openssl computes it.
pub fn openssl_thumbprint(pem: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
        .arg(pem)
        .output()
        .expect("openssl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .replace(':', "")
}

/// A store in a temporary directory.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    /// A team store's address (PostgreSQL), instead of the directory.
    pub team: Option<String>,
}

/// The team passphrase of the tests' team stores.
pub const TEAM_PASSPHRASE: &str = "correct horse battery staple";

impl TestStore {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            team: None,
        }
    }

    /// A team store in a new database of the tests' PostgreSQL server, whose commands
    /// give the database password (PGPASSWORD) and the team passphrase.
    pub fn team() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            team: Some(pg::server().database()),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// A store whose topology is `text` (set through the CLI).
    pub fn with_topology(text: &str) -> Self {
        let store = Self::new();
        let file = store.dir.path().join("topology.toml");
        std::fs::write(&file, text).expect("write");
        store.json(&["topology", "set", s(&file)]);
        store
    }

    /// `certdesk --store DIR`, whose operating system trusts only the roots of
    /// `os-roots.pem` in the test's directory (none unless a test writes some there), so
    /// that no test depends on this machine's roots.
    pub fn command(&self) -> Command {
        let roots = self.dir.path().join("os-roots.pem");
        if !roots.exists() {
            std::fs::write(&roots, "").expect("os-roots.pem");
        }
        let mut command = Command::new(env!("CARGO_BIN_EXE_certdesk"));
        match &self.team {
            Some(address) => command
                .arg("--store")
                .arg(address)
                .args(["--store-password-env", "CERTDESK_TEAM_PASSPHRASE"])
                .env("CERTDESK_TEAM_PASSPHRASE", TEAM_PASSPHRASE)
                .env("PGPASSWORD", pg::ADMIN_PASSWORD),
            None => command.arg("--store").arg(self.path()),
        };
        command
            .env("SSL_CERT_FILE", roots)
            .env_remove("SSL_CERT_DIR");
        command
    }

    /// Starts `certdesk --store DIR ARGS...` in the background (output captured).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command()
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("certdesk starts")
    }

    /// Runs `certdesk --store DIR ARGS...` with no terminal on stdin.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("certdesk runs")
    }

    /// Runs a command that must succeed and returns its JSON output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "certdesk {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("valid JSON")
    }

    /// [`Self::json`] with `password` in `CERTDESK_TEST_PASSWORD`, for `--password-env
    /// CERTDESK_TEST_PASSWORD` among `args`.
    pub fn json_with_password(&self, args: &[&str], password: &str) -> Value {
        let out = self
            .command()
            .arg("--json")
            .args(args)
            .env("CERTDESK_TEST_PASSWORD", password)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("certdesk runs");
        assert!(
            out.status.success(),
            "certdesk {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("valid JSON")
    }

    /// Every file of the store directory and its bytes.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(self.path()) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                files.insert(name, std::fs::read(e.path()).unwrap_or_default());
            }
        }
        files
    }

    /// (thumbprint, logical, has_private_key) of every certificate in a location.
    pub fn contents(&self, location: &str) -> Vec<(String, String, bool)> {
        let list = self.json(&["--location", location, "list"]);
        let mut rows: Vec<_> = list
            .as_array()
            .expect("array")
            .iter()
            .map(|c| {
                (
                    c["thumbprint"].as_str().unwrap_or_default().to_owned(),
                    c["logical"].as_str().unwrap_or_default().to_owned(),
                    c["has_private_key"].as_bool().unwrap_or_default(),
                )
            })
            .collect();
        rows.sort();
        rows
    }
}

/// The stderr of a finished command.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that a command failed with `code` and one sentence containing `text`.
pub fn fails(out: &Output, code: i32, text: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(text), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
}

/// Waits for processes started with [`TestStore::spawn`]; each must succeed.
pub fn wait_all_ok(children: Vec<std::process::Child>) {
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "a certdesk process failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The path as a &str for argument lists.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Has the fixture intermediate CA (openssl, playing a public CA) sign `csr` into `out`
/// for a year; `extra` adds options such as the digest or an extension file.
pub fn sign_with_fixture_ca(csr: &Path, out: &Path, extra: &[&str]) {
    let (ca, key) = (fx("inter.pem"), fx("inter.key"));
    // A serial of our own: tests sign in parallel, and -CAcreateserial's shared serial
    // file is not safe for that.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let serial = format!(
        "0x{:08x}{:08x}{:08x}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        s(csr),
        "-CA",
        s(&ca),
        "-CAkey",
        s(&key),
        "-set_serial",
        &serial,
        "-days",
        "365",
        "-out",
        s(out),
    ];
    args.extend_from_slice(extra);
    tool("openssl", &args);
}

/// A certificate for `/CN=cn` with the extensions `ext` (openssl extfile lines), signed by
/// the fixture intermediate CA, with a new P-256 key (or `key`, reused): (cert, key).
pub fn issue_with_fixture_ca(
    dir: &Path,
    name: &str,
    cn: &str,
    ext: &str,
    key: Option<&Path>,
) -> (PathBuf, PathBuf) {
    let key = key.map_or_else(|| dir.join(format!("{name}.key")), Path::to_path_buf);
    let csr = dir.join(format!("{name}.csr"));
    let subject = format!("/CN={cn}");
    let mut args = vec!["req", "-out", s(&csr), "-subj", &subject];
    if key.exists() {
        args.extend(["-new", "-key", s(&key)]);
    } else {
        args.extend([
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ]);
        args.extend(["-keyout", s(&key)]);
    }
    tool("openssl", &args);
    let ext_file = dir.join(format!("{name}.ext"));
    std::fs::write(&ext_file, ext).expect("ext");
    let cert = dir.join(format!("{name}.pem"));
    sign_with_fixture_ca(&csr, &cert, &["-extfile", s(&ext_file)]);
    (cert, key)
}

/// An openssl `ca` database for the fixture intermediate CA in `db` (for revoking and
/// for CRLs): the `-config`, `-keyfile` and `-cert` arguments that use it.
pub fn fixture_ca_db(db: &Path) -> [String; 6] {
    std::fs::create_dir_all(db).expect("db");
    std::fs::write(db.join("index.txt"), "").expect("index");
    std::fs::write(db.join("crlnumber"), "01\n").expect("crlnumber");
    let cfg = db.join("ca.cnf");
    std::fs::write(
        &cfg,
        format!(
            "[ca]\ndefault_ca = d\n[d]\ndatabase = {}\ncrlnumber = {}\ndefault_md = sha256\ndefault_crl_days = 7\n",
            db.join("index.txt").display(),
            db.join("crlnumber").display()
        ),
    )
    .expect("cfg");
    let path = |p: &Path| s(p).to_owned();
    [
        "-config".into(),
        path(&cfg),
        "-keyfile".into(),
        path(&fx("inter.key")),
        "-cert".into(),
        path(&fx("inter.pem")),
    ]
}

/// A CRL of the fixture intermediate CA, DER, written to `out` (a week long), listing
/// `revoke` (a PEM certificate it issued) for key compromise when given. `dir` holds the
/// CA database openssl needs.
pub fn fixture_crl(dir: &Path, out: &Path, revoke: Option<&Path>) {
    let name = out.file_stem().and_then(|n| n.to_str()).unwrap_or("crl");
    let db = dir.join(format!("{name}-db"));
    let ca = fixture_ca_db(&db);
    let ca: Vec<&str> = ca.iter().map(String::as_str).collect();
    if let Some(file) = revoke {
        let mut args = vec!["ca", "-revoke", s(file), "-crl_reason", "keyCompromise"];
        args.extend(&ca);
        tool("openssl", &args);
    }
    let pem = db.join("crl.pem");
    let mut args = vec!["ca", "-gencrl", "-out", s(&pem)];
    args.extend(&ca);
    tool("openssl", &args);
    tool(
        "openssl",
        &["crl", "-in", s(&pem), "-outform", "DER", "-out", s(out)],
    );
}

/// A self-signed P-256 certificate `name.pem` (and `name.key`) in `dir` for `subject`,
/// valid 30 days, with the openssl `-addext` extension `ext`: (cert, key).
pub fn self_signed(dir: &Path, name: &str, subject: &str, ext: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
    );
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
            s(&key),
            "-out",
            s(&cert),
            "-days",
            "30",
            "-subj",
            subject,
            "-addext",
            ext,
        ],
    );
    (cert, key)
}

/// Runs a tool and returns its output, whatever its exit status.
pub fn tool_output(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .expect("the tool runs")
}

/// Runs a tool that must succeed; returns its stdout and stderr together.
/// Runs this test binary's ignored test `name` in a child process of its own (a umask, a
/// session bus), through `wrapper`: a shell command whose script runs `"$0" "$@"`, the
/// binary with the arguments that select the test. Asserts that the test ran and passed.
pub fn run_inner_test(mut wrapper: Command, name: &str) {
    let exe = std::env::current_exe().expect("test binary");
    let out = wrapper
        .arg(exe)
        .args(["--exact", name, "--ignored", "--test-threads=1"])
        .output()
        .expect("the wrapper runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes the PEM certificate `pem` as DER to `out` (openssl).
pub fn to_der(pem: &Path, out: &Path) {
    tool(
        "openssl",
        &["x509", "-in", s(pem), "-outform", "DER", "-out", s(out)],
    );
}

pub fn tool(program: &str, args: &[&str]) -> String {
    let out = tool_output(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A PEM file in `dir` holding a fresh ECDSA end-entity certificate
/// (`writerI.contoso.com`) and its private key.
pub fn leaf_with_key(dir: &Path, i: usize) -> PathBuf {
    use rcgen::{CertificateParams, DnType, KeyPair};
    let key = KeyPair::generate().expect("key");
    let name = format!("writer{i}.contoso.com");
    let mut params = CertificateParams::new(vec![name.clone()]).expect("params");
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).expect("cert");
    let path = dir.join(format!("writer{i}.pem"));
    std::fs::write(&path, format!("{}{}", cert.pem(), key.serialize_pem())).expect("write");
    path
}

#[path = "../../benches/common/bundle.rs"]
mod bundle;
#[allow(unused_imports)]
pub use bundle::big_bundle;

/// A listener on loopback that accepts connections and never answers (a firewall that
/// drops, a hung server), for the rest of the test process: its port.
pub fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(64).collect();
        drop(held);
    });
    port
}

/// Stops a server whose parent runs workers (Apache, nginx) with SIGTERM, which stops the
/// workers too (SIGKILL would leave them running, orphaned); SIGKILL only if it has not
/// ended within 10 s.
pub fn terminate(child: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(10) {
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}
