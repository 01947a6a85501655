//! The operating system's trusted roots (here: a bundle named by `SSL_CERT_FILE`) count as
//! Trusted Roots, the way Windows' Trusted Root store does: a chain to such a root is valid
//! and assignable without `--trust-root`; it shows in Trusted Roots marked as the system's,
//! read-only; `--no-system-roots` and the store setting turn it off.

use std::path::Path;
use std::time::Duration;

use crate::common;

use common::hostile;
use common::watch::watch;
use common::{EDGE, TestStore, fails, fx, s, sign_with_fixture_ca, tool};

/// A store on the Edge topology whose operating system trusts the fixture root, holding the
/// Edge internal certificate issued by the fixture CA (imported with its chain, no
/// `--trust-root`): its thumbprint.
fn store_with_issued_certificate() -> (TestStore, String) {
    let t = TestStore::with_topology(EDGE);
    std::fs::copy(fx("root.pem"), t.dir.path().join("os-roots.pem")).expect("roots");
    let csr = t.dir.path().join("edge.csr");
    t.json(&["request", "--type", "Internal", "--output", s(&csr)]);
    let issued = t.dir.path().join("issued.pem");
    sign_with_fixture_ca(&csr, &issued, &["-copy_extensions", "copy"]);
    let answer = t.dir.path().join("answer.pem");
    let text = format!(
        "{}{}{}",
        std::fs::read_to_string(&issued).expect("issued"),
        std::fs::read_to_string(fx("inter.pem")).expect("inter"),
        std::fs::read_to_string(fx("root.pem")).expect("root"),
    );
    std::fs::write(&answer, text).expect("answer");
    let imported = t.json(&["import", s(&answer)]);
    assert_eq!(
        imported["skipped"].as_array().map(Vec::len),
        Some(0),
        "the system-trusted root needs no confirmation: {imported}"
    );
    let leaf = imported["imported"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["logical"] == "personal"))
        .expect("the leaf")["thumbprint"]
        .as_str()
        .expect("thumbprint")
        .to_owned();
    (t, leaf)
}

/// An Edge internal certificate requested with its key in `t`, signed by the fixture CA
/// with these revocation pointers (openssl extension lines) and imported: its thumbprint.
fn edge_internal_pointing_at(t: &TestStore, name: &str, pointers: &str) -> String {
    let dir = t.dir.path();
    let csr = dir.join(format!("{name}.csr"));
    t.json(&[
        "request",
        "--type",
        "Internal",
        "--output",
        s(&csr),
        "--friendly-name",
        name,
    ]);
    let ext = dir.join(format!("{name}.ext"));
    std::fs::write(
        &ext,
        format!(
            "subjectAltName=DNS:edgepool.contoso.net\nextendedKeyUsage=serverAuth\n{pointers}\n"
        ),
    )
    .expect("ext");
    let cert = dir.join(format!("{name}.pem"));
    sign_with_fixture_ca(&csr, &cert, &["-extfile", s(&ext)]);
    t.json(&["import", s(&cert)]);
    common::openssl_thumbprint(&cert)
}

#[test]
fn a_root_the_system_trusts_validates_and_assigns_without_trust_root() {
    let (t, leaf) = store_with_issued_certificate();
    assert_eq!(t.json(&["show", &leaf])["chain"], "valid");
    let roots = t.json(&["list", "--logical", "root"]);
    let root_thumbprint = common::openssl_thumbprint(&fx("root.pem"));
    let system = roots
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["thumbprint"] == root_thumbprint.as_str())
        })
        .expect("the system root is listed in Trusted Roots");
    assert_eq!(system["friendly_name"], "(trusted by the operating system)");
    assert_eq!(
        t.json(&["show", &root_thumbprint])["thumbprint"],
        root_thumbprint.as_str()
    );
    // Read-only: it cannot be removed or renamed, and the store does not hold it.
    fails(
        &t.run(&["remove", &root_thumbprint]),
        1,
        "the operating system trusts",
    );
    fails(
        &t.run(&["rename", &root_thumbprint, "mine"]),
        1,
        "the operating system trusts",
    );
    let cer = t.dir.path().join("root.cer");
    t.json(&[
        "export",
        &root_thumbprint,
        "--format",
        "der",
        "--output",
        s(&cer),
    ]);
    let exported = tool(
        "openssl",
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            s(&cer),
            "-noout",
            "-subject",
        ],
    );
    assert!(exported.contains("Contoso Test Root"), "{exported}");

    // A self-signed end-entity certificate in the system's bundle (some distributions ship
    // one for localhost) is never offered for a usage, not even as a refusal.
    let dir = t.dir.path();
    let (localhost, _) = common::self_signed(
        dir,
        "localhost",
        "/CN=localhost",
        "basicConstraints=CA:FALSE",
    );
    let bundle = [fx("root.pem"), localhost.clone()]
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("pem"))
        .collect::<String>();
    std::fs::write(dir.join("os-roots.pem"), bundle).expect("bundle");
    let localhost = common::openssl_thumbprint(&localhost);
    assert!(
        t.json(&["list", "--logical", "root"])
            .to_string()
            .contains(&localhost)
    );
    let table = t.json(&["eligible", "--type", "Internal"]).to_string();
    assert!(
        table.contains(&leaf) && !table.contains(&localhost),
        "{table}"
    );

    // Without the system's roots the chain is not trusted and the assignment is refused.
    let untrusted = t.json(&["--no-system-roots", "show", &leaf]);
    assert_eq!(untrusted["chain"], "incomplete", "{untrusted}");
    fails(
        &t.run(&[
            "--no-system-roots",
            "assign",
            "--type",
            "Internal",
            "--thumbprint",
            &leaf,
        ]),
        1,
        "its chain is incomplete",
    );
    t.json(&["assign", "--type", "Internal", "--thumbprint", &leaf]);
    assert!(t.json(&["test"]).to_string().contains(&leaf));

    // The store setting does the same for every command, until turned on again.
    t.json(&["store", "system-roots", "off"]);
    assert_eq!(t.json(&["show", &leaf])["chain"], "incomplete");
    let listed = t.json(&["list", "--logical", "root"]).to_string();
    assert!(!listed.contains(&root_thumbprint), "{listed}");
    t.json(&["store", "system-roots", "on"]);
    assert_eq!(t.json(&["show", &leaf])["chain"], "valid");
    let log = t.json(&["log"]).to_string();
    assert!(log.contains("certdesk store system-roots off"), "{log}");
}

/// A leaf imported alone: its issuer is fetched from the caIssuers URL in its Authority
/// Information Access (a local HTTP server) into Intermediate CAs, and the chain completes;
/// a URL that does not answer is a warning and changes nothing else.
#[test]
fn a_missing_intermediate_is_fetched_from_the_aia_url() {
    let t = TestStore::with_topology(EDGE);
    std::fs::copy(fx("root.pem"), t.dir.path().join("os-roots.pem")).expect("roots");
    let www = t.dir.path().join("www");
    std::fs::create_dir_all(&www).expect("www");
    common::to_der(&fx("inter.pem"), &www.join("inter.cer"));
    let server = common::http::serve_files(&www);
    let leaf = |name: &str, url: &str| {
        let ext = format!(
            "subjectAltName=DNS:{name}.contoso.net\nextendedKeyUsage=serverAuth\nauthorityInfoAccess=caIssuers;URI:{url}\n"
        );
        let dir = t.dir.path();
        common::issue_with_fixture_ca(dir, name, &format!("{name}.contoso.net"), &ext, None).0
    };
    let down = common::acme::free_tcp_port();
    let lost = leaf("lost", &format!("http://127.0.0.1:{down}/inter.cer"));
    let out = t.run(&["--json", "import", s(&lost)]);
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        report["warnings"]
            .to_string()
            .contains("could not be fetched"),
        "{report}"
    );
    assert_eq!(report["imported"][0]["chain"], "incomplete");

    let found = leaf(
        "found",
        &format!("http://127.0.0.1:{}/inter.cer", server.port),
    );
    let report = t.json(&["import", s(&found)]);
    let inter = common::openssl_thumbprint(&fx("inter.pem"));
    assert_eq!(
        report["fetched_issuers"],
        serde_json::json!([inter]),
        "{report}"
    );
    let thumbprint = report["imported"][0]["thumbprint"].as_str().expect("leaf");
    assert_eq!(t.json(&["show", thumbprint])["chain"], "valid");
    assert!(
        t.contents("computer")
            .iter()
            .any(|(th, logical, _)| *th == inter && logical == "ca")
    );
    // The other leaf's chain completes too once its issuer is here.
    let lost_thumbprint = common::openssl_thumbprint(&lost);
    assert_eq!(t.json(&["show", &lost_thumbprint])["chain"], "valid");
    assert!(
        t.json(&["log"])
            .to_string()
            .contains("Authority Information Access")
    );
}

/// Revocation by CRL: a CRL (made by `openssl ca -gencrl`, served over local HTTP) that
/// lists the certificate makes it Invalid with its date and reason, and `test` fails; a
/// CRL that does not list it passes; a CRL that cannot be fetched is a warning unless
/// `--revocation require`.
#[test]
fn a_certificate_on_its_issuers_crl_is_revoked() {
    let t = TestStore::with_topology(EDGE);
    std::fs::copy(fx("root.pem"), t.dir.path().join("os-roots.pem")).expect("roots");
    let dir = t.dir.path();
    let www = dir.join("www");
    std::fs::create_dir_all(&www).expect("www");
    let server = common::http::serve_files(&www);
    t.json(&["import", s(&fx("inter.pem"))]);
    // An Edge internal certificate with its key, pointing at `crl`.
    let issue = |name: &str, crl: &str| {
        edge_internal_pointing_at(&t, name, &format!("crlDistributionPoints=URI:{crl}"))
    };
    let url = |file: &str| format!("http://127.0.0.1:{}/{file}", server.port);
    let good = issue("good", &url("good.crl"));
    let revoked = issue("revoked", &url("revoked.crl"));
    let down = format!("http://127.0.0.1:{}/x.crl", common::acme::free_tcp_port());
    let unknown = issue("unknown", &down);
    // Two CRLs of the fixture CA: one empty, one listing `revoked` for key compromise.
    let crl = |name: &str, revoke: Option<&Path>| {
        common::fixture_crl(dir, &www.join(format!("{name}.crl")), revoke);
    };
    // A "CRL" and an OCSP answer that are not what they claim: unknown, with the reason.
    std::fs::write(www.join("garbage"), b"\x30\x03\x02\x01\x05 not DER").expect("garbage");
    let garbage = {
        let ext = format!(
            "subjectAltName=DNS:garbage.contoso.net\nextendedKeyUsage=serverAuth\ncrlDistributionPoints=URI:{0}\nauthorityInfoAccess=OCSP;URI:{0}\n",
            url("garbage")
        );
        let (cert, _) =
            common::issue_with_fixture_ca(dir, "garbage", "garbage.contoso.net", &ext, None);
        t.json(&["import", s(&cert)]);
        common::openssl_thumbprint(&cert)
    };
    let shown = t.json(&["show", &garbage]);
    assert_eq!(shown["revocation"]["status"], "unknown", "{shown}");
    let warning = shown["revocation"]["warning"].to_string();
    assert!(
        warning.contains("OCSP at") && warning.contains("is not a CRL"),
        "{warning}"
    );
    // Assigned while its CRL is not yet published: unknown is a warning, not a refusal.
    let assigned = t.json(&["assign", "--type", "Internal", "--thumbprint", &revoked]);
    assert!(
        assigned["warnings"]
            .to_string()
            .contains("revocation status is unknown"),
        "{assigned}"
    );
    crl("good", None);
    let revoked_pem = dir.join("revoked.pem");
    crl("revoked", Some(&revoked_pem));

    let shown = t.json(&["show", &good]);
    assert_eq!(shown["revocation"]["status"], "good", "{shown}");
    let shown = t.json(&["show", &revoked]);
    assert_eq!(shown["revocation"]["status"], "revoked", "{shown}");
    assert!(
        shown["revocation"]["reason"]
            .to_string()
            .contains("KeyCompromise"),
        "{shown}"
    );
    // Link by link: the leaf revoked, the intermediate names no CRL, the root is a root.
    let links: Vec<_> = shown["path_revocation"]
        .as_array()
        .expect("path_revocation")
        .iter()
        .map(|l| l["revocation"]["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(links, ["revoked", "unchecked", "unchecked"], "{shown}");
    assert_eq!(
        t.json(&["show", &unknown])["revocation"]["status"],
        "unknown"
    );

    // Revoked once assigned: `test` fails, `status` shows it Invalid without failing.
    let out = t.run(&["test"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("it was revoked on"));
    let status = t.json(&["status"]);
    let internal = status
        .as_array()
        .and_then(|a| a.iter().find(|r| r["usage"] == "Internal"))
        .expect("Internal");
    assert_eq!(internal["status"], "Invalid", "{internal}");
    // The picker offers the good one and refuses the revoked one, with the reason; an
    // assignment of the revoked one is refused.
    let table = t.json(&["eligible", "--type", "Internal"]);
    let thumbprints = |key: &str| -> Vec<String> {
        table[0][key]
            .as_array()
            .expect(key)
            .iter()
            .map(|e| e["thumbprint"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert!(thumbprints("eligible").contains(&good), "{table}");
    assert!(thumbprints("not_eligible").contains(&revoked), "{table}");
    assert!(table.to_string().contains("it was revoked on"), "{table}");
    fails(
        &t.run(&["assign", "--type", "Internal", "--thumbprint", &revoked]),
        1,
        "it was revoked on",
    );

    t.json(&["assign", "--type", "Internal", "--thumbprint", &good]);
    t.json(&["test"]);
    let fetches = server.hits.load(std::sync::atomic::Ordering::SeqCst);
    t.json(&["test"]);
    assert_eq!(
        server.hits.load(std::sync::atomic::Ordering::SeqCst),
        fetches,
        "the CRL is cached until its nextUpdate"
    );
    t.json(&["assign", "--type", "Internal", "--thumbprint", &unknown]);
    let out = t.run(&["test"]);
    assert!(out.status.success(), "soft-fail: {}", common::stderr(&out));
    assert!(common::stderr(&out).contains("revocation status is unknown"));
    fails(
        &t.run(&["test", "--revocation", "require"]),
        1,
        "found problems",
    );
}

/// Revocation by OCSP: `openssl ocsp` as the responder (an index with one certificate
/// valid and one revoked for key compromise): good, revoked with the reason, and the
/// answers kept until their nextUpdate; a responder that is down is a warning, not a
/// verdict.
#[test]
fn ocsp_says_whether_a_certificate_is_revoked() {
    let t = TestStore::with_topology(EDGE);
    std::fs::copy(fx("root.pem"), t.dir.path().join("os-roots.pem")).expect("roots");
    t.json(&["import", s(&fx("inter.pem"))]);
    let dir = t.dir.path();
    let port = common::acme::free_tcp_port();
    let issue = |name: &str, url: &str| {
        let ext = format!(
            "subjectAltName=DNS:{name}.contoso.net\nextendedKeyUsage=serverAuth\nauthorityInfoAccess=OCSP;URI:{url}\n"
        );
        let (cert, _) =
            common::issue_with_fixture_ca(dir, name, &format!("{name}.contoso.net"), &ext, None);
        t.json(&["import", s(&cert)]);
        cert
    };
    let good = issue("good", &format!("http://127.0.0.1:{port}"));
    let revoked = issue("revoked", &format!("http://127.0.0.1:{port}"));
    let down = issue(
        "down",
        &format!("http://127.0.0.1:{}", common::acme::free_tcp_port()),
    );
    let db = dir.join("ocsp-db");
    let ca = common::fixture_ca_db(&db);
    let ca: Vec<&str> = ca.iter().map(String::as_str).collect();
    let (key, cert) = (fx("inter.key"), fx("inter.pem"));
    let mut valid = vec!["ca", "-valid", s(&good)];
    valid.extend(&ca);
    tool("openssl", &valid);
    let mut revoke = vec!["ca", "-revoke", s(&revoked), "-crl_reason", "keyCompromise"];
    revoke.extend(&ca);
    tool("openssl", &revoke);
    let mut responder = std::process::Command::new("openssl")
        .args(["ocsp", "-index", s(&db.join("index.txt"))])
        .args(["-port", &port.to_string(), "-nrequest", "2", "-nmin", "10"])
        .args(["-rsigner", s(&cert), "-rkey", s(&key), "-CA", s(&cert)])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl ocsp runs");
    // openssl ocsp is single-threaded: a bare connect would stall it, so wait instead.
    std::thread::sleep(std::time::Duration::from_millis(800));
    let good_thumbprint = common::openssl_thumbprint(&good);
    let shown = t.json(&["show", &good_thumbprint]);
    assert_eq!(shown["revocation"]["status"], "good", "{shown}");
    let shown = t.json(&["show", &common::openssl_thumbprint(&revoked)]);
    assert_eq!(shown["revocation"]["status"], "revoked", "{shown}");
    assert_eq!(shown["revocation"]["reason"], "KeyCompromise");
    let _ = responder.kill();
    let _ = responder.wait();
    // The answers carry a nextUpdate ten minutes on: they are kept, and read again with the
    // responder gone.
    let shown = t.json(&["show", &good_thumbprint]);
    assert_eq!(shown["revocation"]["status"], "good", "kept: {shown}");
    let shown = t.json(&["show", &common::openssl_thumbprint(&down)]);
    assert_eq!(shown["revocation"]["status"], "unknown", "{shown}");
    assert!(shown["revocation"]["warning"].to_string().contains("OCSP"));
}

/// A responder and a CRL server that accept connections and never answer (a firewall that
/// drops, a hung server) cost one time-out for the whole picker, not one per certificate
/// and per pointer: the server is not asked again for a while, and each certificate's
/// status is unknown with a sentence that says so.
#[test]
fn a_silent_revocation_server_costs_one_time_out() {
    let t = TestStore::with_topology(EDGE);
    std::fs::copy(fx("root.pem"), t.dir.path().join("os-roots.pem")).expect("roots");
    t.json(&["import", s(&fx("inter.pem"))]);
    let port = common::silent_server();
    let silent = format!("http://127.0.0.1:{port}");
    let pointers = format!(
        "authorityInfoAccess=OCSP;URI:{silent}/ocsp\ncrlDistributionPoints=URI:{silent}/ca.crl"
    );
    let thumbprints: Vec<String> = (0..3)
        .map(|i| edge_internal_pointing_at(&t, &format!("edge{i}"), &pointers))
        .collect();
    let limit = certdesk::net::fetch::FETCH_TIME_LIMIT;
    let started = std::time::Instant::now();
    let table = t.json(&["eligible", "--type", "Internal"]);
    let took = started.elapsed();
    // Six fetches (three certificates, two pointers each) would take six time-outs.
    assert!(
        took >= limit && took < limit * 2,
        "one time-out, not six: {took:?}"
    );
    let eligible = table[0]["eligible"].as_array().expect("eligible");
    for thumbprint in &thumbprints {
        let entry = eligible
            .iter()
            .find(|e| e["thumbprint"] == thumbprint.as_str())
            .unwrap_or_else(|| panic!("{thumbprint} is eligible (soft-fail): {table}"));
        assert!(
            entry["warnings"]
                .to_string()
                .contains("revocation status is unknown"),
            "{entry}"
        );
    }
    assert!(
        table.to_string().contains("so it is not asked again"),
        "the others say why they were not asked: {table}"
    );
}

/// Responders that each answer, but only after eight seconds (never silent long enough to
/// be remembered as silent): one certificate naming six of them is checked within one
/// shared deadline, and the warning names those not asked.
#[test]
fn slow_revocation_servers_share_one_deadline() {
    let t = TestStore::with_topology(EDGE);
    std::fs::copy(fx("root.pem"), t.dir.path().join("os-roots.pem")).expect("roots");
    t.json(&["import", s(&fx("inter.pem"))]);
    let slow: Vec<hostile::Peer> = (0..6)
        .map(|_| hostile::slow_http(Duration::from_secs(8)))
        .collect();
    let urls: Vec<String> = slow
        .iter()
        .map(|p| format!("OCSP;URI:http://127.0.0.1:{}/ocsp", p.port))
        .collect();
    let thumbprint = edge_internal_pointing_at(
        &t,
        "slow",
        &format!("authorityInfoAccess={}", urls.join(",")),
    );
    let child = t.spawn(&["--json", "show", &thumbprint]);
    let run = watch(child, Duration::from_secs(40), u64::MAX);
    assert!(
        run.code == Some(0) && run.took < Duration::from_secs(25),
        "ended after {:?} with {:?}: {}",
        run.took,
        run.code,
        run.stderr
    );
    let shown: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(shown["revocation"]["status"], "unknown", "{shown}");
    let warning = shown["revocation"]["warning"].to_string();
    assert!(warning.contains("answered HTTP 503"), "{warning}");
    assert!(
        warning.contains("more of its responders and CRLs were not asked"),
        "{warning}"
    );
}
