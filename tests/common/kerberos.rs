//! Windows Integrated Authentication in front of the AD CS stand-in, with the real
//! servers: an MIT Kerberos KDC in a temporary realm ([`Kdc`]: `krb5kdc -n` with its own
//! `KRB5_CONFIG` and `KRB5_KDC_PROFILE`, the user alice and `HTTP/localhost`'s keytab),
//! Apache with mod_auth_gssapi over HTTPS as a reverse proxy to the stand-in ([`Apache`]:
//! Kerberos under `/krb/certsrv`, NTLM through gss-ntlmssp inside SPNEGO under
//! `/ntlm/certsrv`), and a python3-gssapi HTTPS server that requires channel bindings
//! ([`BindingServer`]). Each is stopped when dropped, also on panic.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;

use super::certsrv::{self, Certsrv};
use super::pg::free_tcp_port;
use super::{TestStore, s};

/// The test realm.
pub const REALM: &str = "CERTDESK.TEST";
/// The Kerberos user.
pub const ALICE: &str = "alice@CERTDESK.TEST";
/// Her password (no spaces: it goes inside `kadmin.local -q`).
pub const ALICE_PASSWORD: &str = "Alice-Pa55";
/// The NTLM user gss-ntlmssp's users file knows.
pub const NTLM_USER: &str = "CONTOSO\\bob";
/// His password.
pub const NTLM_PASSWORD: &str = "Bob-Pa55";

/// A child process killed and reaped when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until something listens on `port` (10 s at most) or `child` ends.
fn wait_for(port: u16, child: &mut Child, what: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} ended at start: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on {port} within 10 s");
}

/// A directory other users can read (Apache's workers run as www-data when the tests
/// run as root); removed when dropped.
fn shared_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

fn readable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
}

/// A running KDC for [`REALM`].
pub struct Kdc {
    dir: tempfile::TempDir,
    kdc: Option<Guard>,
    /// Its loopback port (TCP and UDP).
    pub port: u16,
}

impl Kdc {
    /// A new realm with alice and `HTTP/localhost` (its keytab readable by Apache), and
    /// its KDC started.
    pub fn start() -> Self {
        let dir = shared_dir();
        let port = free_tcp_port();
        let d = dir.path();
        std::fs::write(
            d.join("krb5.conf"),
            format!(
                "[libdefaults]\n default_realm = {REALM}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n rdns = false\n udp_preference_limit = 1\n\n[realms]\n {REALM} = {{\n  kdc = 127.0.0.1:{port}\n }}\n"
            ),
        )
        .expect("krb5.conf");
        std::fs::write(
            d.join("kdc.conf"),
            format!(
                "[kdcdefaults]\n kdc_ports = {port}\n kdc_tcp_ports = {port}\n\n[realms]\n {REALM} = {{\n  database_name = {db}\n  key_stash_file = {stash}\n  acl_file = {acl}\n }}\n\n[logging]\n kdc = FILE:{log}\n",
                db = d.join("principal").display(),
                stash = d.join("stash").display(),
                acl = d.join("kadm5.acl").display(),
                log = d.join("kdc.log").display(),
            ),
        )
        .expect("kdc.conf");
        readable(&d.join("krb5.conf"));
        let mut kdc = Self {
            dir,
            kdc: None,
            port,
        };
        kdc.admin(
            "kdb5_util",
            &["create", "-s", "-r", REALM, "-P", "Master-Pa55"],
        );
        kdc.kadmin(&format!("addprinc -pw {ALICE_PASSWORD} alice"));
        kdc.kadmin("addprinc -randkey HTTP/localhost");
        kdc.kadmin(&format!("ktadd -k {} HTTP/localhost", s(&kdc.keytab())));
        readable(&kdc.keytab());
        kdc.restart();
        kdc
    }

    fn admin(&self, program: &str, args: &[&str]) {
        let out = self
            .env(&mut Command::new(program))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{program} runs (Debian krb5-kdc, krb5-admin-server): {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn kadmin(&self, query: &str) {
        self.admin("kadmin.local", &["-q", query]);
    }

    /// `command` with this realm's configuration.
    pub fn env<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        command
            .env("KRB5_CONFIG", self.krb5_config())
            .env("KRB5_KDC_PROFILE", self.dir.path().join("kdc.conf"))
    }

    /// The client configuration (`KRB5_CONFIG`).
    pub fn krb5_config(&self) -> PathBuf {
        self.dir.path().join("krb5.conf")
    }

    /// `HTTP/localhost`'s keytab.
    pub fn keytab(&self) -> PathBuf {
        self.dir.path().join("http.keytab")
    }

    /// A keytab holding alice's keys (her password unchanged), for unattended use.
    pub fn alice_keytab(&self) -> PathBuf {
        let keytab = self.dir.path().join("alice.keytab");
        self.kadmin(&format!("ktadd -norandkey -k {} alice", s(&keytab)));
        keytab
    }

    /// Stops the KDC (a KDC that cannot be reached).
    pub fn stop(&mut self) {
        self.kdc = None;
    }

    /// Starts the KDC again with no tolerance for any client's clock (`clockskew = -1`):
    /// every request is outside it, as from a computer whose clock is far off.
    pub fn restart_with_skew(&mut self) {
        self.stop();
        let strict = self.dir.path().join("kdc-skew.conf");
        let mut profile =
            std::fs::read_to_string(self.dir.path().join("kdc.conf")).expect("kdc.conf");
        profile.push_str("\n[libdefaults]\n clockskew = -1\n");
        std::fs::write(&strict, profile).expect("kdc-skew.conf");
        self.spawn(&strict);
    }

    /// Starts the KDC (again).
    pub fn restart(&mut self) {
        self.stop();
        self.spawn(&self.dir.path().join("kdc.conf"));
    }

    fn spawn(&mut self, profile: &Path) {
        let mut child = self
            .env(&mut Command::new("krb5kdc"))
            .env("KRB5_KDC_PROFILE", profile)
            .arg("-n")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("krb5kdc runs (Debian krb5-kdc)");
        wait_for(self.port, &mut child, "krb5kdc");
        self.kdc = Some(Guard(child));
    }

    /// A ticket cache in `dir` with alice's ticket, valid for `lifetime` (kinit's -l).
    pub fn kinit(&self, dir: &Path, name: &str, lifetime: &str) -> PathBuf {
        let cache = dir.join(name);
        let mut child = self
            .env(&mut Command::new("kinit"))
            .args(["-l", lifetime, "alice"])
            .env("KRB5CCNAME", format!("FILE:{}", cache.display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kinit runs (Debian krb5-user)");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{ALICE_PASSWORD}\n").as_bytes())
            .expect("password");
        let out = child.wait_with_output().expect("kinit");
        assert!(
            out.status.success(),
            "kinit: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        cache
    }

    /// `certdesk` on `t` with this realm's configuration and the ticket cache `cache`.
    pub fn certdesk(&self, t: &TestStore, cache: &Path, args: &[&str]) -> std::process::Output {
        t.command()
            .args(args)
            .env("KRB5_CONFIG", self.krb5_config())
            .env("KRB5CCNAME", format!("FILE:{}", cache.display()))
            .env("CERTDESK_TEST_PASSWORD", ALICE_PASSWORD)
            .env("CERTDESK_NTLM_PASSWORD", NTLM_PASSWORD)
            .env("CERTDESK_WRONG_PASSWORD", "Not-The-Pa55")
            .stdin(Stdio::null())
            .output()
            .expect("certdesk runs")
    }

    /// [`Self::certdesk`] with `--json`, which must succeed.
    pub fn json(&self, t: &TestStore, cache: &Path, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.certdesk(t, cache, &all);
        assert!(
            out.status.success(),
            "certdesk {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON")
    }
}

/// Whether the tests run as root (Apache then drops to www-data).
fn root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Apache in front of the stand-in.
pub struct Apache {
    dir: tempfile::TempDir,
    child: Child,
    /// Its port on loopback.
    pub port: u16,
}

impl Drop for Apache {
    /// Stops Apache (a failing test shows its error log first).
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.dir.path().join("error.log"));
            eprintln!("Apache's error log:\n{}", log.unwrap_or_default());
        }
        super::terminate(&mut self.child);
    }
}

impl Apache {
    /// Apache on `https://localhost:PORT` with the stand-in's TLS identity (its files in
    /// `tls_dir`), proxying `/krb/certsrv` (Kerberos) and `/ntlm/certsrv` (NTLM inside
    /// SPNEGO) to `server` with the stand-in's own Basic header.
    pub fn start(kdc: &Kdc, server: &Certsrv, tls_dir: &Path) -> Self {
        let dir = shared_dir();
        let d = dir.path();
        for name in ["tls.pem", "tls.key", "tls-ca.pem"] {
            std::fs::copy(tls_dir.join(name), d.join(name)).expect("copy");
            readable(&d.join(name));
        }
        std::fs::write(
            d.join("ntlm-users"),
            format!("CONTOSO:bob:{NTLM_PASSWORD}\n"),
        )
        .expect("users");
        readable(&d.join("ntlm-users"));
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            certsrv::USER,
            certsrv::PASSWORD
        ));
        let upstream = &server.url;
        let modules = [
            ("mpm_event", "mod_mpm_event"),
            ("authz_core", "mod_authz_core"),
            ("authn_core", "mod_authn_core"),
            ("authz_user", "mod_authz_user"),
            ("auth_gssapi", "mod_auth_gssapi"),
            ("ssl", "mod_ssl"),
            ("socache_shmcb", "mod_socache_shmcb"),
            ("proxy", "mod_proxy"),
            ("proxy_http", "mod_proxy_http"),
            ("headers", "mod_headers"),
        ];
        for _ in 0..5 {
            let port = free_tcp_port();
            let mut conf = format!(
                "ServerRoot {root}\nServerName localhost\nPidFile {root}/httpd.pid\nErrorLog {root}/error.log\nLogLevel warn\nListen 127.0.0.1:{port}\n",
                root = d.display()
            );
            if root() {
                conf.push_str("User www-data\nGroup www-data\n");
            }
            for (name, file) in modules {
                conf.push_str(&format!(
                    "LoadModule {name}_module /usr/lib/apache2/modules/{file}.so\n"
                ));
            }
            conf.push_str(&format!(
                r#"SSLSessionCache shmcb:{root}/ssl_scache(512000)
SSLEngine on
SSLCertificateFile {root}/tls.pem
SSLCertificateKeyFile {root}/tls.key
SSLProxyEngine on
SSLProxyCACertificateFile {root}/tls-ca.pem
# The stand-in is reached by its address, which mod_ssl does not match against IP names.
SSLProxyCheckPeerName off
KeepAlive On
<Location /krb/certsrv>
  AuthType GSSAPI
  AuthName "Kerberos"
  GssapiCredStore keytab:{keytab}
  GssapiAllowedMech krb5
  Require valid-user
  RequestHeader set Authorization "Basic {basic}"
  ProxyPass {upstream}
</Location>
<Location /ntlm/certsrv>
  AuthType GSSAPI
  AuthName "NTLM"
  GssapiAllowedMech ntlmssp
  GssapiConnectionBound On
  Require valid-user
  RequestHeader set Authorization "Basic {basic}"
  ProxyPass {upstream}
</Location>
"#,
                root = d.display(),
                keytab = kdc.keytab().display(),
            ));
            std::fs::write(d.join("httpd.conf"), conf).expect("httpd.conf");
            let mut child = kdc
                .env(&mut Command::new("apache2"))
                .args(["-f", s(&d.join("httpd.conf")), "-DFOREGROUND"])
                .env("NTLM_USER_FILE", d.join("ntlm-users"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("apache2 runs (Debian apache2, libapache2-mod-auth-gssapi)");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Self { dir, child, port };
                }
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            super::terminate(&mut child);
        }
        let log = std::fs::read_to_string(d.join("error.log")).unwrap_or_default();
        panic!("apache2 did not start: {log}");
    }

    /// The Web Enrollment URL of one of its locations (`krb` or `ntlm`).
    pub fn url(&self, location: &str) -> String {
        format!("https://localhost:{}/{location}/certsrv", self.port)
    }
}

/// The python3-gssapi server: HTTPS with the stand-in's TLS identity, Negotiate with
/// Kerberos, proxying to the stand-in; it passes the connection's channel bindings to
/// `accept_sec_context` and refuses a token that carries none.
pub struct BindingServer {
    _child: Guard,
    log: PathBuf,
    /// Its port on loopback.
    pub port: u16,
}

impl Drop for BindingServer {
    /// A failing test shows why the server refused.
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log);
            eprintln!("the binding server's log:\n{}", log.unwrap_or_default());
        }
    }
}

/// How the [`BindingServer`] behaves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// Binds tokens to its own certificate, as Extended Protection set to Required does.
    Required,
    /// Binds tokens to another certificate, as the server behind a TLS-inspecting proxy
    /// does: the client's binding (the proxy's certificate) never matches.
    BehindProxy,
    /// Offers Digest only.
    DigestOnly,
    /// Accepts Kerberos but sends no final token: it does not prove it is the server.
    Unproved,
    /// Offers the raw `NTLM` scheme as IIS does, with bindings required, signing in the
    /// connection: the handshake's legs must come on one connection.
    RawNtlm,
}

const SERVER_PY: &str = r#"
import base64, http.client, http.server, socketserver, ssl, sys, hashlib
import gssapi

cert, key, bind_pem, upstream_host, upstream_port, upstream_ca, basic, mode = sys.argv[1:9]

def end_point(pem_path):
    der = ssl.PEM_cert_to_DER_cert(open(pem_path).read().split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----\n')
    return b'tls-server-end-point:' + hashlib.sha256(der).digest()

GOOD = gssapi.raw.ChannelBindings(application_data=end_point(bind_pem))
WRONG = gssapi.raw.ChannelBindings(application_data=b'tls-server-end-point:' + b'\0' * 32)
NTLM = gssapi.OID.from_int_seq('1.3.6.1.4.1.311.2.2.10')
SERVER = gssapi.Credentials(usage='accept', mechs=[NTLM] if mode == 'ntlm' else None)

# The raw call: the high-level SecurityContext does not pass an acceptor's bindings on.
def accept(token, bindings):
    result = gssapi.raw.accept_sec_context(token, SERVER, channel_bindings=bindings)
    return result, result.token

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        if mode == 'digest':
            return self.reply(401, b'no', [('WWW-Authenticate', 'Digest realm="x", qop="auth", nonce="1"')])
        auth = self.headers.get('Authorization') or ''
        if mode == 'ntlm':
            return self.ntlm(auth, body)
        if not auth.startswith('Negotiate '):
            return self.reply(401, b'sign in', [('WWW-Authenticate', 'Negotiate')])
        token = base64.b64decode(auth[10:])
        try:
            result, out = accept(token, GOOD)
            if result.more_steps:
                raise Exception('incomplete')
        except Exception as e:
            sys.stderr.write('refused: %s\n' % e)
            return self.reply(401, b'refused', [('WWW-Authenticate', 'Negotiate')])
        try:
            accept(token, WRONG)
            sys.stderr.write('refused: the token carries no channel bindings\n')
            return self.reply(401, b'no bindings', [('WWW-Authenticate', 'Negotiate')])
        except gssapi.exceptions.GSSError:
            pass
        self.forward(body, out)

    # NTLM signs in the connection (this handler serves one connection): its two legs
    # must come on it, and what follows on it needs no header.
    def ntlm(self, auth, body):
        if getattr(self, 'signed_in', False) and not auth:
            return self.forward(body, None)
        if not auth.startswith('NTLM '):
            return self.reply(401, b'sign in', [('WWW-Authenticate', 'NTLM')])
        token = base64.b64decode(auth[5:])
        try:
            result = gssapi.raw.accept_sec_context(token, SERVER, context=getattr(self, 'ntlm_ctx', None), channel_bindings=GOOD)
        except Exception as e:
            sys.stderr.write('refused: %s\n' % e)
            self.ntlm_ctx = None
            return self.reply(401, b'refused', [('WWW-Authenticate', 'NTLM')])
        if result.more_steps:
            self.ntlm_ctx = result.context
            return self.reply(401, b'challenge', [('WWW-Authenticate', 'NTLM ' + base64.b64encode(result.token).decode())])
        self.ntlm_ctx = None
        self.signed_in = True
        self.forward(body, None)

    def forward(self, body, out):
        upstream = http.client.HTTPSConnection(upstream_host, int(upstream_port),
            context=ssl.create_default_context(cafile=upstream_ca), timeout=20)
        headers = {'Authorization': 'Basic ' + basic}
        if self.headers.get('Content-Type'):
            headers['Content-Type'] = self.headers.get('Content-Type')
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        extra = [('Content-Type', answer.getheader('Content-Type') or 'text/html')]
        if out and mode != 'unproved':
            extra.append(('WWW-Authenticate', 'Negotiate ' + base64.b64encode(out).decode()))
        self.reply(answer.status, data, extra)

    do_GET = handle_any
    do_POST = handle_any

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

httpd = Server(('127.0.0.1', 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
print(httpd.server_address[1], flush=True)
httpd.serve_forever()
"#;

impl BindingServer {
    /// The server in front of `server`, with the stand-in's TLS files in `tls_dir`.
    pub fn start(kdc: &Kdc, server: &Certsrv, tls_dir: &Path, binding: Binding) -> Self {
        let script = tls_dir.join("binding-server.py");
        std::fs::write(&script, SERVER_PY).expect("script");
        let upstream = url::Url::parse(&server.url).expect("url");
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            certsrv::USER,
            certsrv::PASSWORD
        ));
        let bind_to = match binding {
            Binding::BehindProxy => tls_dir.join("tls-ca.pem"),
            _ => tls_dir.join("tls.pem"),
        };
        let mode = match binding {
            Binding::DigestOnly => "digest",
            Binding::RawNtlm => "ntlm",
            Binding::Unproved => "unproved",
            _ => "negotiate",
        };
        let users = tls_dir.join("ntlm-users");
        std::fs::write(&users, format!("CONTOSO:bob:{NTLM_PASSWORD}\n")).expect("users");
        let port = upstream.port().expect("port").to_string();
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let log = tls_dir.join(format!("binding-server-{n}.log"));
        let errors = std::fs::File::create(&log).expect("log");
        // Debian's python3-gssapi belongs to /usr/bin/python3.
        let mut child = kdc
            .env(&mut Command::new("/usr/bin/python3"))
            .arg(&script)
            .args([
                s(&tls_dir.join("tls.pem")),
                s(&tls_dir.join("tls.key")),
                s(&bind_to),
                upstream.host_str().expect("host"),
                &port,
                s(&tls_dir.join("tls-ca.pem")),
                &basic,
                mode,
            ])
            .env("KRB5_KTNAME", kdc.keytab())
            .env("KRB5RCACHETYPE", "none")
            .env("NTLM_USER_FILE", &users)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(errors)
            .spawn()
            .expect("/usr/bin/python3 runs (Debian python3-gssapi)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server's port");
        let port: u16 = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the binding server did not start: {line:?}")
        });
        let mut guard = Guard(child);
        wait_for(port, &mut guard.0, "the binding server");
        Self {
            _child: guard,
            log,
            port,
        }
    }

    /// Its Web Enrollment URL.
    pub fn url(&self) -> String {
        format!("https://localhost:{}/certsrv", self.port)
    }
}
