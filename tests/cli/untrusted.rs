//! Text from certificates, files and servers never reaches the terminal raw: control
//! characters in subjects, SANs, friendly names, log entries and server messages are shown
//! escaped (a line break cannot forge a `subject:` line or a `list` row, `ESC[2J` cannot
//! clear the screen), and long texts are capped. `rename` refuses control characters; a CA
//! URL holding a password is refused; a closed stdout ends a command quietly.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use crate::common;

use common::certsrv::{self, Certsrv};
use common::{EDGE, TestStore, fails, fx, s};

/// A common name that clears the screen, forges a probe's `subject:` line and a `list` row.
const HOSTILE_CN: &str =
    "evil.contoso.com\u{1b}[2J\n  subject:   forged.contoso.com\u{9b}31m\u{202e}";

/// A SAN that clears the screen.
const HOSTILE_SAN: &str = "x\u{1b}[2J.contoso.com";

/// Text as a terminal would receive it.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts that `output` (stdout or stderr) holds nothing a terminal acts on: no C0 control
/// but the line ends, no DEL, no C1 control, no bidi override.
fn inert(what: &str, output: &str) {
    let bad: Vec<char> = output
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c))
        .collect();
    assert!(bad.is_empty(), "{what} holds raw {bad:?}:\n{output}");
}

/// Both streams of a finished command are inert.
fn all_inert(what: &str, out: &Output) {
    inert(&format!("{what} stdout"), &text(&out.stdout));
    inert(&format!("{what} stderr"), &text(&out.stderr));
}

/// A self-signed certificate (and its key) whose subject and SANs carry escape sequences
/// and line breaks: (cert.pem, key.pem).
fn hostile_certificate(dir: &Path) -> (PathBuf, PathBuf) {
    use rcgen::{CertificateParams, DnType, KeyPair, SanType};
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, HOSTILE_CN);
    params.subject_alt_names = vec![
        SanType::DnsName(HOSTILE_SAN.try_into().expect("IA5")),
        SanType::DnsName("plain.contoso.com".try_into().expect("IA5")),
    ];
    let cert = params.self_signed(&key).expect("cert");
    let (cert_file, key_file) = (dir.join("hostile.pem"), dir.join("hostile.key"));
    std::fs::write(&cert_file, cert.pem()).expect("cert");
    std::fs::write(&key_file, key.serialize_pem()).expect("key");
    (cert_file, key_file)
}

#[test]
fn a_probed_certificates_subject_and_sans_are_shown_escaped() {
    let t = TestStore::new();
    let (cert, key) = hostile_certificate(t.dir.path());
    let (_server, port) = common::tls::serve(&cert, &key, None);
    let out = t.run(&["probe", &format!("127.0.0.1:{port}")]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "untrusted: {}",
        common::stderr(&out)
    );
    all_inert("probe", &out);
    let shown = text(&out.stdout);
    let subjects = shown
        .lines()
        .filter(|l| l.trim_start().starts_with("subject:"));
    assert_eq!(subjects.count(), 1, "one subject line:\n{shown}");
    assert!(shown.contains("\\x1b[2J"), "escaped, not dropped:\n{shown}");
    assert!(shown.contains("x\\x1b[2J.contoso.com"), "the SAN:\n{shown}");
    // JSON is unchanged: it carries the name as it is, escaped by JSON's own rules.
    let reports = t.run(&["--json", "probe", &format!("127.0.0.1:{port}")]);
    let reports: serde_json::Value = serde_json::from_slice(&reports.stdout).expect("JSON");
    assert!(
        reports[0]["subject"]
            .as_str()
            .is_some_and(|s| s.contains(HOSTILE_CN)),
        "{reports}"
    );
}

#[test]
fn list_show_import_and_log_show_a_hostile_name_escaped() {
    let t = TestStore::new();
    let (cert, _) = hostile_certificate(t.dir.path());
    let imported = t.run(&["import", s(&cert)]);
    assert!(imported.status.success(), "{}", common::stderr(&imported));
    all_inert("import", &imported);
    let thumbprint = common::openssl_thumbprint(&cert);

    let list = t.run(&["list"]);
    all_inert("list", &list);
    let rows = text(&list.stdout);
    assert_eq!(rows.lines().count(), 1, "one row per certificate:\n{rows}");

    let show = t.run(&["show", &thumbprint]);
    all_inert("show", &show);
    let details = text(&show.stdout);
    assert_eq!(
        details
            .lines()
            .filter(|l| l.starts_with("Subject:"))
            .count(),
        1,
        "{details}"
    );

    // The import's warning names the certificate: the log shows it escaped too.
    let log = t.run(&["log"]);
    all_inert("log", &log);
    assert!(text(&log.stdout).contains("evil.contoso.com\\x1b[2J"));
}

#[test]
fn rename_refuses_control_characters_and_long_names() {
    let t = TestStore::new();
    let imported = t.json(&["import", s(&fx("leaf.pem"))]);
    let thumbprint = imported["imported"][0]["thumbprint"]
        .as_str()
        .expect("thumbprint")
        .to_owned();
    let before = t.snapshot();
    for name in ["web\u{1b}[2J", "two\nlines", "tab\there", "bidi\u{202e}txt"] {
        let out = t.run(&["rename", &thumbprint, name]);
        fails(&out, 2, "a friendly name cannot hold control characters");
        all_inert("rename", &out);
    }
    let long = "n".repeat(257);
    fails(
        &t.run(&["rename", &thumbprint, &long]),
        2,
        "a friendly name has at most 256 characters, and this one has 257",
    );
    assert_eq!(t.snapshot(), before, "nothing changed");
    let fine = "n".repeat(256);
    let out = t.run(&["rename", &thumbprint, &fine]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let shown = t.json(&["show", &thumbprint]);
    assert_eq!(shown["friendly_name"], fine.as_str());
}

/// A PFX whose friendly name is `name`, made by certdesk's own PKCS#12 writer (no tool
/// takes a name of a megabyte on its command line), with the password `pw`.
fn pfx_named(dir: &Path, name: &str) -> PathBuf {
    use certdesk::pki::formats::pkcs12::{PfxEncryption, write};
    let key = rcgen::KeyPair::generate().expect("key");
    let params =
        rcgen::CertificateParams::new(vec!["named.contoso.com".to_owned()]).expect("params");
    let cert = params.self_signed(&key).expect("cert");
    let contents = write::PfxContents {
        leaf: cert.der(),
        chain: Vec::new(),
        key_pkcs8: &key.serialize_der(),
        friendly_name: Some(name.to_owned()),
        local_key_id: vec![1],
        key_attributes: Vec::new(),
        cert_attributes: Vec::new(),
    };
    let bytes = write::write(&contents, "pw", PfxEncryption::Aes256Sha256, 2048).expect("pfx");
    let file = dir.join("named.pfx");
    std::fs::write(&file, bytes).expect("write");
    file
}

#[test]
fn a_pfx_friendly_name_is_cleaned_and_capped_and_its_bytes_kept() {
    let t = TestStore::new();
    let name = format!("Contoso\u{1b}[2J\nforged {}", "n".repeat(1 << 20));
    let pfx = pfx_named(t.dir.path(), &name);
    let out = t
        .command()
        .args(["import", s(&pfx), "--password-env", "PFX_PASSWORD"])
        .env("PFX_PASSWORD", "pw")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", common::stderr(&out));
    all_inert("import", &out);
    let warnings = common::stderr(&out);
    assert!(
        warnings.contains("a friendly name has at most 256 characters"),
        "the cap is said: {warnings}"
    );
    assert!(
        warnings.len() < 2000,
        "the warning is short: {}",
        warnings.len()
    );

    let listed = t.json(&["list"]);
    let kept = listed[0]["friendly_name"].as_str().expect("name");
    assert_eq!(kept.chars().count(), 256, "{}", &kept[..64]);
    assert!(
        kept.starts_with("Contoso [2J forged nnn"),
        "cleaned: {}",
        &kept[..64]
    );
    // The file's attribute is kept as it was, as an extended property.
    let thumbprint = listed[0]["thumbprint"].as_str().expect("thumbprint");
    let shown = t.json(&["show", thumbprint]);
    let property = shown["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .find(|p| p["oid"] == "1.2.840.113549.1.9.20")
        .unwrap_or_else(|| panic!("the friendlyName attribute is kept"));
    let hex = property["value"].as_str().expect("hex");
    assert!(
        hex.len() > 4_000_000,
        "every byte of the BMPString: {}",
        hex.len()
    );
    // The text view stays readable.
    let show = t.run(&["show", thumbprint]);
    all_inert("show", &show);
    assert!(show.stdout.len() < 16 * 1024, "{} bytes", show.stdout.len());
}

#[test]
fn a_topology_file_over_1_mib_is_refused() {
    let t = TestStore::with_topology(EDGE);
    let file = t.dir.path().join("big.toml");
    std::fs::write(&file, format!("{EDGE}\n# {}\n", "x".repeat(1 << 20))).expect("write");
    let before = t.snapshot();
    fails(
        &t.run(&["topology", "set", s(&file)]),
        2,
        "larger than 1 MiB",
    );
    assert_eq!(t.snapshot(), before, "the topology is unchanged");
}

#[test]
fn a_certsrv_denial_message_is_one_escaped_capped_line() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    let out = t.run(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "corp",
        "--template",
        certsrv::HOSTILE_TEMPLATE,
    ]);
    fails(&out, 1, "the CA corp denied the request");
    all_inert("request", &out);
    let message = common::stderr(&out);
    assert!(message.contains("\\x1b[2J"), "escaped: {message}");
    assert!(message.len() < 800, "capped: {} bytes", message.len());
    assert!(message.contains("the message was cut"), "{message}");
}

/// A SCEP CA that answers GetCACaps and GetCACert and fails every PKIOperation with an
/// error page carrying escape sequences and line breaks.
fn hostile_scep() -> common::http::Files {
    let ca = std::fs::read_to_string(fx("inter.pem")).expect("inter.pem");
    let der = rustls_pki_types::pem::PemObject::from_pem_slice(ca.as_bytes())
        .map(|c: rustls_pki_types::CertificateDer<'_>| c.to_vec())
        .expect("DER");
    common::http::serve(move |_, target| {
        if target.contains("GetCACaps") {
            (
                "200 OK",
                "text/plain",
                b"POSTPKIOperation\nAES\nSHA-256\n".to_vec(),
            )
        } else if target.contains("GetCACert") {
            ("200 OK", "application/x-x509-ca-cert", der.clone())
        } else {
            let page = format!(
                "\u{1b}[2J\u{1b}]0;owned\u{7}Internal error\nsubject:   forged\r\n{}",
                "y".repeat(3000)
            );
            ("500 Internal Server Error", "text/plain", page.into_bytes())
        }
    })
}

#[test]
fn a_scep_error_page_is_one_escaped_line() {
    let t = TestStore::with_topology(EDGE);
    let server = hostile_scep();
    let url = format!("http://127.0.0.1:{}/scep", server.port);
    t.json(&["ca", "add", "scep", "--scep", &url]);
    let out = t.run(&["request", "--type", "Internal", "--ca", "scep"]);
    fails(&out, 1, "PKIOperation answered HTTP 500");
    all_inert("request", &out);
    assert!(common::stderr(&out).contains("\\x1b[2J"));
}

/// An OCSP answer whose status is 100,000 nested SEQUENCEs (about half a megabyte): the
/// headers, outermost first, then the innermost empty SEQUENCE.
fn nested_ocsp_answer() -> Vec<u8> {
    let mut headers: Vec<Vec<u8>> = Vec::new();
    let mut size = 2usize;
    for _ in 0..=100_000 {
        let mut header = vec![0x30];
        if size < 0x80 {
            header.push(size as u8);
        } else {
            let bytes = size.to_be_bytes();
            let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
            header.push(0x80 | (bytes.len() - first) as u8);
            header.extend_from_slice(&bytes[first..]);
        }
        size += header.len();
        headers.push(header);
    }
    let mut out: Vec<u8> = headers.into_iter().rev().flatten().collect();
    out.extend_from_slice(&[0x30, 0x00]);
    out
}

#[test]
fn an_ocsp_answer_of_nested_elements_is_a_short_warning() {
    let t = TestStore::with_topology(EDGE);
    std::fs::copy(fx("root.pem"), t.dir.path().join("os-roots.pem")).expect("roots");
    t.json(&["import", s(&fx("inter.pem"))]);
    let answer = nested_ocsp_answer();
    let server =
        common::http::serve(move |_, _| ("200 OK", "application/ocsp-response", answer.clone()));
    let dir = t.dir.path();
    let ext = format!(
        "subjectAltName=DNS:nested.contoso.net\nextendedKeyUsage=serverAuth\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:{}/\n",
        server.port
    );
    let (cert, _) = common::issue_with_fixture_ca(dir, "nested", "nested.contoso.net", &ext, None);
    t.json(&["import", s(&cert)]);
    let out = t.run(&["show", &common::openssl_thumbprint(&cert)]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let shown = text(&out.stdout);
    let revocation = shown
        .lines()
        .find(|l| l.starts_with("Revocation:"))
        .unwrap_or_else(|| panic!("a revocation line:\n{shown}"));
    assert!(revocation.contains("unknown"), "{revocation}");
    assert!(
        revocation.len() < 500,
        "a short warning, not {} characters",
        revocation.len()
    );
}

#[test]
fn a_ca_url_holding_a_password_is_refused() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    let with_password = server.url.replace("https://", "https://admin:pw@");
    let before = t.snapshot();
    let with_password_env = |args: Vec<String>| {
        t.command()
            .args(args)
            .env("CERTDESK_TEST_PASSWORD", certsrv::PASSWORD)
            .stdin(Stdio::null())
            .output()
            .expect("runs")
    };
    let refused = |out: &Output| {
        fails(out, 2, "--password-file");
        assert!(
            !common::stderr(out).contains(":pw@"),
            "{}",
            common::stderr(out)
        );
    };
    refused(&with_password_env(server.connection(
        "add",
        "corp",
        &with_password,
    )));
    let acme = "https://admin:pw@127.0.0.1:14000/dir";
    refused(&t.run(&["ca", "add", "acme", "--acme", acme]));
    refused(&t.run(&["ca", "add", "scep", "--scep", "http://ops@127.0.0.1/scep"]));
    assert_eq!(t.snapshot(), before, "nothing stored");

    server.add_to(&t, "corp");
    refused(&with_password_env(server.connection(
        "edit",
        "corp",
        &with_password,
    )));
    let listed = t.json(&["ca", "list"]);
    assert_eq!(listed[1]["url"], server.url.as_str(), "{listed}");
    assert!(!t.run(&["log"]).stdout.windows(3).any(|w| w == b"pw@"));
}

/// Runs `certdesk ARGS` with its stdout closed before it writes (a reader such as `head`
/// that has gone): the command must end quietly.
fn with_stdout_closed(t: &TestStore, args: &[&str]) -> Output {
    let mut child = t
        .command()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stdout.take());
    child.wait_with_output().expect("waits")
}

#[test]
fn a_closed_stdout_ends_a_command_quietly() {
    let t = TestStore::new();
    t.json(&["import", s(&fx("bundle.pem")), "--trust-root"]);
    for args in [
        &["log"][..],
        &["list"],
        &["--json", "log"],
        &["--json", "list"],
    ] {
        let out = with_stdout_closed(&t, args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            common::stderr(&out)
        );
        assert_eq!(common::stderr(&out), "", "{args:?}: quietly");
    }
    // A reader that takes one line and goes, as `head -n 1` does, on a long output.
    let t = TestStore::new();
    let bundle = t.dir.path().join("big.pem");
    std::fs::write(&bundle, common::big_bundle(1000)).expect("bundle");
    t.json(&["import", s(&bundle), "--trust-root"]);
    let mut child = t
        .command()
        .arg("list")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut first = [0u8; 64];
    let read = std::io::Read::read(child.stdout.as_mut().expect("stdout"), &mut first);
    assert!(read.is_ok_and(|n| n > 0));
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert_eq!(common::stderr(&out), "");
}
