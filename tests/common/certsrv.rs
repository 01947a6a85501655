//! A stand-in for AD CS Web Enrollment (no such server exists outside Windows): an HTTPS
//! server on loopback that serves the documented pages (`/certsrv/`, `certrqxt.asp`,
//! `certfnsh.asp`, `certnew.cer`, `certcarc.asp`, `certnew.p7b`) with Basic
//! authentication, and signs with a real CA (the fixture "Contoso Issuing CA", through
//! `openssl x509 -req`).
//!
//! Templates: `certrqxt.asp` lists [`TEMPLATES`] as AD CS writes its `lbCertTemplate`
//! options (or the page a test gives, [`Certsrv::serve_templates_page`]); submissions are
//! counted ([`Certsrv::submissions`]). `WebServer` issues at once, `ManagerApproval` holds the request until the
//! test calls [`Certsrv::approve`], [`HOSTILE_TEMPLATE`] is denied with a disposition
//! message a hostile CA could send, anything else is denied with AD CS's disposition text.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use rustls_pki_types::pem::PemObject;

use super::{TestStore, fx, s, sign_with_fixture_ca, tool};

/// The account the stand-in accepts.
pub const USER: &str = "CONTOSO\\certadmin";
/// Its password.
pub const PASSWORD: &str = "Enroll-Pa55!";

/// The template the stand-in denies with a hostile disposition message: terminal escape
/// sequences (clear the screen, set the window's title), a line break that would forge a
/// `subject:` line, and 5,000 characters more.
pub const HOSTILE_TEMPLATE: &str = "Hostile";

/// The templates `certrqxt.asp` lists, (name, display name): `Retired` is listed but the
/// CA's policy module denies it.
pub const TEMPLATES: [(&str, &str); 5] = [
    ("WebServer", "Web Server"),
    ("ManagerApproval", "Web Server (Manager Approval)"),
    ("User", "User"),
    ("Retired", "Retired Web Server"),
    (HOSTILE_TEMPLATE, "Hostile Test"),
];

#[derive(Clone)]
enum State {
    Issued(String),
    Pending(PathBuf),
    Denied,
}

struct Shared {
    dir: PathBuf,
    requests: Mutex<HashMap<u32, State>>,
    next: Mutex<u32>,
    stop: Mutex<bool>,
    templates_page: Mutex<Option<String>>,
}

/// The first request ID the stand-in gives, less one.
const FIRST_ID: u32 = 41;

/// A running stand-in; stops when dropped.
pub struct Certsrv {
    /// `https://127.0.0.1:PORT/certsrv`.
    pub url: String,
    /// The PEM of the CA that signs its TLS certificate (for `--ca-bundle`).
    pub tls_bundle: PathBuf,
    shared: Arc<Shared>,
    port: u16,
}

impl Drop for Certsrv {
    fn drop(&mut self) {
        if let Ok(mut stop) = self.shared.stop.lock() {
            *stop = true;
        }
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Certsrv {
    /// Starts the stand-in with its TLS files in `dir`.
    pub fn start(dir: &Path) -> Self {
        super::acme::tls_files(dir);
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(dir.join("tls.pem"))
            .expect("tls.pem")
            .collect::<Result<Vec<_>, _>>()
            .expect("certs");
        let key = rustls_pki_types::PrivateKeyDer::from_pem_file(dir.join("tls.key")).expect("key");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .expect("server config"),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Shared {
            dir: dir.to_path_buf(),
            requests: Mutex::new(HashMap::new()),
            next: Mutex::new(FIRST_ID),
            stop: Mutex::new(false),
            templates_page: Mutex::new(None),
        });
        let state = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if state.stop.lock().map_or(true, |s| *s) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (config, state) = (Arc::clone(&config), Arc::clone(&state));
                std::thread::spawn(move || serve(stream, config, &state));
            }
        });
        Self {
            url: format!("https://127.0.0.1:{port}/certsrv"),
            tls_bundle: dir.join("tls-ca.pem"),
            shared,
            port,
        }
    }

    /// The arguments of `certdesk ca VERB NAME` for a connection to the stand-in at `url`
    /// (its own, or one made from it) as its user, the password from
    /// `CERTDESK_TEST_PASSWORD`, trusting its TLS bundle.
    pub fn connection(&self, verb: &str, name: &str, url: &str) -> Vec<String> {
        let args = [
            "ca",
            verb,
            name,
            "--certsrv",
            url,
            "--username",
            USER,
            "--password-env",
            "CERTDESK_TEST_PASSWORD",
            "--ca-bundle",
            s(&self.tls_bundle),
        ];
        args.map(str::to_owned).to_vec()
    }

    /// Adds the connection `name` to the stand-in to `t`, with the right password.
    pub fn add_to(&self, t: &TestStore, name: &str) {
        let args = self.connection("add", name, &self.url);
        t.json_with_password(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            PASSWORD,
        );
    }

    /// `certrqxt.asp` serves `page` (a hostile or broken one) instead of [`TEMPLATES`].
    pub fn serve_templates_page(&self, page: String) {
        *self.shared.templates_page.lock().expect("lock") = Some(page);
    }

    /// How many requests were submitted to `certfnsh.asp`.
    pub fn submissions(&self) -> u32 {
        *self.shared.next.lock().expect("lock") - FIRST_ID
    }

    /// A CA manager issues pending request `id`.
    pub fn approve(&self, id: u32) {
        let csr = match self.shared.requests.lock().expect("lock").get(&id) {
            Some(State::Pending(csr)) => csr.clone(),
            _ => panic!("request {id} is not pending"),
        };
        let pem = sign(&self.shared.dir, &csr, id);
        self.shared
            .requests
            .lock()
            .expect("lock")
            .insert(id, State::Issued(pem));
    }
}

fn sign(dir: &Path, csr: &Path, id: u32) -> String {
    let out = dir.join(format!("issued-{id}.pem"));
    sign_with_fixture_ca(csr, &out, &["-copy_extensions", "copy"]);
    std::fs::read_to_string(out).expect("issued")
}

fn serve(stream: TcpStream, config: Arc<rustls::ServerConfig>, state: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        match tls.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if buf.len() > 1 << 20 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let length: usize = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        match tls.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buf[header_end..header_end + length]).into_owned();
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    let (status, content_type, page) = if header(&head, "authorization") != Some(expected) {
        (
            "401 Unauthorized",
            "text/html",
            "<html><body>401 - Unauthorized: Access is denied due to invalid credentials.</body></html>".to_owned(),
        )
    } else {
        route(method, target, &body, state)
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nWWW-Authenticate: Basic realm=\"127.0.0.1\"\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = tls.write_all(response.as_bytes());
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

fn html(text: &str) -> (&'static str, &'static str, String) {
    (
        "200 OK",
        "text/html",
        format!(
            "<HTML><Head><Title>Microsoft Active Directory Certificate Services</Title></Head><Body>{text}</Body></HTML>"
        ),
    )
}

fn route(
    method: &str,
    target: &str,
    body: &str,
    state: &Shared,
) -> (&'static str, &'static str, String) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    match (method, path) {
        ("GET", "/certsrv/") | ("GET", "/certsrv") => html(
            "<Font ID=locPageTitle>Welcome</Font> Use this Web site to request a certificate. <A Href=\"certrqus.asp\">Request a certificate</A>",
        ),
        ("GET", "/certsrv/certrqxt.asp") => {
            match state.templates_page.lock().expect("lock").clone() {
                Some(page) => ("200 OK", "text/html", page),
                None => html(&request_page()),
            }
        }
        ("POST", "/certsrv/certfnsh.asp") => submit(body, state),
        ("GET", "/certsrv/certnew.cer") => {
            let id: u32 = params
                .get("ReqID")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            match state.requests.lock().expect("lock").get(&id).cloned() {
                Some(State::Issued(pem)) => ("200 OK", "application/pkix-cert", pem),
                Some(State::Pending(_)) => html(&format!(
                    "<P>Certificate Pending</P><P>Your certificate request has not yet been issued. Your Request Id is {id}. The disposition message is \"Taken Under Submission\".</P>"
                )),
                _ => html(&format!(
                    "<P>Certificate Request Denied</P><P>Your certificate request was denied. Your Request Id is {id}. The disposition message is \"Denied by Policy Module\".</P>"
                )),
            }
        }
        ("GET", "/certsrv/certcarc.asp") => html(
            "<Script>var nRenewals=0;</Script> Download a CA certificate, certificate chain, or CRL",
        ),
        ("GET", "/certsrv/certnew.p7b") => {
            let out = state.dir.join("chain.p7b");
            let (inter, root) = (fx("inter.pem"), fx("root.pem"));
            tool(
                "openssl",
                &[
                    "crl2pkcs7",
                    "-nocrl",
                    "-certfile",
                    s(&inter),
                    "-certfile",
                    s(&root),
                    "-outform",
                    "DER",
                    "-out",
                    s(&out),
                ],
            );
            let der = std::fs::read(&out).expect("p7b");
            let b64 = base64::engine::general_purpose::STANDARD.encode(der);
            let lines: Vec<&str> = b64
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect();
            (
                "200 OK",
                "application/x-pkcs7-certificates",
                format!(
                    "-----BEGIN CERTIFICATE-----\r\n{}\r\n-----END CERTIFICATE-----\r\n",
                    lines.join("\r\n")
                ),
            )
        }
        _ => (
            "404 Not Found",
            "text/html",
            "<html>Not found</html>".to_owned(),
        ),
    }
}

/// The advanced request page as an enterprise CA writes it: the template list's options
/// are `E;NAME;key spec;key flags;enrollment flags;private key flags;subject flags;RA
/// signatures;CSPs;extension OID;major;minor flag;minor;DISPLAY NAME`, the option's text the
/// display name.
fn request_page() -> String {
    let options: String = TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, (name, display))| {
            format!(
                "\t\t\t<Option Value=\"E;{name};1;4;0;16;1;0;Microsoft RSA SChannel Cryptographic Provider?Microsoft DH SChannel Cryptographic Provider;1.3.6.1.4.1.311.21.8.5012.{i};100;0;4;{display}\">{display}</Option>\r\n"
            )
        })
        .collect();
    format!(
        "<Script Language=\"JavaScript\">function handleTemplateChange() {{ var n=document.UIForm.lbCertTemplate.selectedIndex; }}</Script>\
         <Form Name=UIForm Action=\"certfnsh.asp\" Method=Post><Table><TR><TD ID=locTemplateHead><Label For=lbCertTemplateID><B>Certificate Template:</B></Label></TD></TR>\
         <TR><TD><Select Name=lbCertTemplate ID=lbCertTemplateID OnChange=\"handleTemplateChange();\">\r\n{options}\t\t</Select></TD></TR>\
         <TR><TD><Select Name=lbKeySpec><Option Value=\"E;NotATemplate\">Exchange</Option></Select></TD></TR></Table></Form>"
    )
}

fn submit(body: &str, state: &Shared) -> (&'static str, &'static str, String) {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let id = {
        let mut next = state.next.lock().expect("lock");
        *next += 1;
        *next
    };
    let template = form
        .get("CertAttrib")
        .and_then(|a| a.trim().strip_prefix("CertificateTemplate:"))
        .unwrap_or("")
        .to_owned();
    let Some(csr_pem) = form.get("CertRequest").filter(|c| c.contains("REQUEST")) else {
        return html(
            "<P>Certificate Request Denied</P>Your Request Id is 0. The disposition message is \"Error Parsing Request\".",
        );
    };
    let csr = state.dir.join(format!("request-{id}.csr"));
    std::fs::write(
        &csr,
        csr_pem.replace("NEW CERTIFICATE REQUEST", "CERTIFICATE REQUEST"),
    )
    .expect("csr");
    let new_state = match template.as_str() {
        "WebServer" => State::Issued(sign(&state.dir, &csr, id)),
        "ManagerApproval" => State::Pending(csr),
        _ => State::Denied,
    };
    state
        .requests
        .lock()
        .expect("lock")
        .insert(id, new_state.clone());
    match new_state {
        State::Issued(_) => html(&format!(
            "<P ID=locInfoReqIDAndDispos>Certificate Issued</P> The certificate you requested was issued to you. <A Href=\"certnew.cer?ReqID={id}&amp;Enc=b64\">Download certificate</A>"
        )),
        State::Pending(_) => html(&format!(
            "<P ID=locPageTitle>Certificate Pending</P> Your certificate request has been received. However, you must wait for an administrator to issue the certificate you requested. <P>Your Request Id is {id}.</P> The disposition message is \"Taken Under Submission\"."
        )),
        State::Denied if template == HOSTILE_TEMPLATE => html(&format!(
            "<P ID=locPageTitle>Certificate Request Denied</P> Your certificate request was denied. Your Request Id is {id}. The disposition message is \"\u{1b}[2J\u{1b}]0;owned\u{7}Denied\r\nsubject:   forged.contoso.com {}\".",
            "x".repeat(5000)
        )),
        State::Denied => html(&format!(
            "<P ID=locPageTitle>Certificate Request Denied</P> Your certificate request was denied. Your Request Id is {id}. The disposition message is \"Denied by Policy Module  0x80094800, The requested certificate template is not supported by this CA. A valid certification authority (CA) configured to issue certificates based on this template cannot be located, or the CA does not support this operation, or the CA is not trusted. &lt;{template}&gt;\"."
        )),
    }
}
