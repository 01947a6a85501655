//! Requests through the CLI: delayed (CSR -> a public CA played by openssl -> .p7b ->
//! import joins the pending key) and immediate (the built-in CA), CSRs checked by openssl
//! and certtool, and bad input refused with nothing written.

use crate::common;

use std::path::{Path, PathBuf};

use common::{EDGE, TestStore, fx, s, sign_with_fixture_ca, tool};

const EDGE_SANS: [&str; 3] = ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"];

/// The DNS SANs of a PEM CSR or certificate, as openssl prints them.
fn dns_sans(kind: &str, path: &Path) -> Vec<String> {
    let text = tool("openssl", &[kind, "-in", s(path), "-noout", "-text"]);
    let mut names: Vec<String> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|t| t.strip_prefix("DNS:"))
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

fn write_pem(store: &TestStore, thumbprint: &str, name: &str) -> PathBuf {
    let shown = store.json(&["show", thumbprint]);
    let path = store.dir.path().join(name);
    std::fs::write(&path, shown["pem"].as_str().unwrap_or_default()).expect("write");
    path
}

#[test]
fn delayed_request_round_trips_through_a_public_ca() {
    let store = TestStore::with_topology(EDGE);
    let csr = store.dir.path().join("edge.csr");
    let out = store.json(&[
        "request",
        "--type",
        "AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication",
        "--output",
        s(&csr),
        "--friendly-name",
        "Edge external",
        "--org",
        "Contoso",
        "--country",
        "US",
        "--exportable",
        "true",
    ]);
    assert_eq!(out["status"], "pending");
    assert!(out["request_id"].as_i64().is_some());
    assert!(out["thumbprint"].is_null());
    let text = std::fs::read_to_string(&csr).expect("CSR written");
    assert!(text.starts_with("-----BEGIN NEW CERTIFICATE REQUEST-----"));

    // The CSR verifies with both tools and carries exactly the computed names.
    let info = tool(
        "openssl",
        &["req", "-in", s(&csr), "-noout", "-verify", "-text"],
    );
    assert!(info.contains("verify OK"), "{info}");
    assert!(
        info.contains("1.3.6.1.4.1.311.20.2"),
        "template extension missing: {info}"
    );
    assert!(info.contains("TLS Web Server Authentication"), "{info}");
    assert!(
        info.contains("Subject: CN = sip.contoso.com, O = Contoso, C = US"),
        "{info}"
    );
    assert_eq!(dns_sans("req", &csr), sorted(&EDGE_SANS));
    let gnutls = tool("certtool", &["--crq-info", "--infile", s(&csr)]);
    assert!(gnutls.contains("Self signature: verified"), "{gnutls}");

    // Pending: in Enrollment Requests with its key.
    let pending = store.json(&["requests"]);
    assert_eq!(pending.as_array().map(Vec::len), Some(1));
    assert_eq!(
        store
            .contents("computer")
            .iter()
            .filter(|r| r.1 == "requests" && r.2)
            .count(),
        1
    );

    // A public CA (openssl with the fixture intermediate) answers with a .p7b and its chain.
    let issued = store.dir.path().join("issued.pem");
    sign_with_fixture_ca(&csr, &issued, &["-copy_extensions", "copy"]);
    let p7b = store.dir.path().join("answer.p7b");
    tool(
        "openssl",
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            s(&issued),
            "-certfile",
            s(&fx("inter.pem")),
            "-certfile",
            s(&fx("root.pem")),
            "-outform",
            "DER",
            "-out",
            s(&p7b),
        ],
    );
    let imported = store.json(&["import", s(&p7b), "--trust-root"]);
    let leaf = imported["imported"]
        .as_array()
        .expect("imported")
        .iter()
        .find(|c| c["logical"] == "personal")
        .expect("the issued certificate")
        .clone();
    assert_eq!(leaf["has_private_key"], true);
    assert_eq!(leaf["exportable"], true, "the requested exportable flag");
    assert_eq!(
        leaf["friendly_name"], "Edge external",
        "the requested friendly name"
    );
    assert_eq!(leaf["chain"], "valid");
    assert_eq!(
        store.json(&["requests"]).as_array().map(Vec::len),
        Some(0),
        "pending entry gone"
    );
    assert!(!store.contents("computer").iter().any(|r| r.1 == "requests"));
    let thumb = leaf["thumbprint"].as_str().unwrap_or_default().to_owned();
    let leaf_pem = write_pem(&store, &thumb, "leaf.pem");
    assert_eq!(dns_sans("x509", &leaf_pem), sorted(&EDGE_SANS));
    let verified = tool(
        "openssl",
        &[
            "verify",
            "-CAfile",
            s(&fx("root.pem")),
            "-untrusted",
            s(&fx("inter.pem")),
            s(&leaf_pem),
        ],
    );
    assert!(verified.contains(": OK"), "{verified}");
}

#[test]
fn a_response_without_a_pending_key_imports_without_a_key_and_says_so() {
    let store = TestStore::new();
    let out = store.json(&["import", s(&fx("leaf.pem"))]);
    let warnings = out["warnings"].to_string();
    assert!(
        warnings.contains("imported without a private key"),
        "{warnings}"
    );
    assert_eq!(out["imported"][0]["has_private_key"], false);
}

#[test]
fn immediate_request_from_the_builtin_ca_lands_in_personal_with_its_chain() {
    let store = TestStore::with_topology(EDGE);
    let out = store.json(&[
        "request",
        "--type",
        "AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication",
        "--ca",
        "builtin",
        "--exportable",
        "true",
        "--client-eku",
        "--key-alg",
        "p256",
    ]);
    assert_eq!(out["status"], "issued");
    assert!(out["request_id"].is_null());
    let thumb = out["thumbprint"].as_str().expect("thumbprint").to_owned();
    let leaf = store.json(&["show", &thumb]);
    assert_eq!(leaf["logical"], "personal");
    assert_eq!(leaf["has_private_key"], true);
    assert_eq!(leaf["key"], "ECDSA P-256");
    assert_eq!(leaf["chain"], "valid");
    assert_eq!(leaf["eku"], serde_json::json!(["serverAuth", "clientAuth"]));
    let path = leaf["path"].as_array().expect("path").clone();
    assert_eq!(path.len(), 3, "leaf, issuing CA, root");
    let leaf_pem = write_pem(&store, &thumb, "leaf.pem");
    let inter_pem = write_pem(&store, path[1].as_str().unwrap_or_default(), "inter.pem");
    let root_pem = write_pem(&store, path[2].as_str().unwrap_or_default(), "root.pem");
    assert_eq!(
        store.json(&["show", path[2].as_str().unwrap_or_default()])["logical"],
        "root"
    );
    let verified = tool(
        "openssl",
        &[
            "verify",
            "-purpose",
            "sslserver",
            "-CAfile",
            s(&root_pem),
            "-untrusted",
            s(&inter_pem),
            s(&leaf_pem),
        ],
    );
    assert!(verified.contains(": OK"), "{verified}");
    assert_eq!(dns_sans("x509", &leaf_pem), sorted(&EDGE_SANS));
    let text = tool("openssl", &["x509", "-in", s(&leaf_pem), "-noout", "-text"]);
    assert!(
        text.contains("1.3.6.1.4.1.311.20.2"),
        "the template extension is kept: {text}"
    );

    // A second request reuses the same CA.
    let again = store.json(&["request", "--type", "Internal", "--ca", "builtin"]);
    let second = store.json(&["show", again["thumbprint"].as_str().unwrap_or_default()]);
    assert_eq!(second["path"][2], path[2]);
    assert_eq!(
        store
            .json(&["list", "--logical", "root"])
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let log = store.json(&["log"]);
    let commands: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|e| e["command"].as_str())
        .collect();
    assert!(commands.iter().any(|c| c.contains("request --type AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication --ca builtin") && c.contains("--key-alg p256") && c.contains("--client-eku")), "{commands:?}");
}

#[test]
fn key_choices_and_warnings() {
    let store = TestStore::with_topology(EDGE);
    let csr = store.dir.path().join("small.csr");
    let out = store.run(&[
        "--json",
        "request",
        "--type",
        "Internal",
        "--output",
        s(&csr),
        "--key-size",
        "1024",
        "--hash",
        "sha384",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        json["warnings"][0]
            .as_str()
            .unwrap_or_default()
            .contains("below the recommended 2048")
    );
    let text = tool(
        "openssl",
        &["req", "-in", s(&csr), "-noout", "-verify", "-text"],
    );
    assert!(
        text.contains("Public-Key: (1024 bit)") && text.contains("sha384WithRSAEncryption"),
        "{text}"
    );
    let p384 = store.dir.path().join("p384.csr");
    store.json(&[
        "request",
        "--type",
        "Internal",
        "--output",
        s(&p384),
        "--key-alg",
        "p384",
    ]);
    let text = tool(
        "openssl",
        &["req", "-in", s(&p384), "-noout", "-verify", "-text"],
    );
    assert!(
        text.contains("NIST CURVE: P-384") && text.contains("ecdsa-with-SHA384"),
        "{text}"
    );
    assert_eq!(store.json(&["requests"]).as_array().map(Vec::len), Some(2));
    // Removing the placeholder of request 2 clears that request too.
    let placeholder = store.json(&["list", "--logical", "requests"]);
    let second = placeholder.as_array().expect("list").last().expect("one")["thumbprint"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    store.json(&["remove", &second]);
    assert_eq!(store.json(&["requests"]).as_array().map(Vec::len), Some(1));
    store.json(&["request", "--type", "Internal", "--output", s(&p384)]);
    let cleared = store.json(&["requests", "--clear", "1"]);
    assert_eq!(cleared["cleared"], 1);
    assert_eq!(store.json(&["requests"]).as_array().map(Vec::len), Some(1));
    let conn = rusqlite::Connection::open(store.path().join("store.sqlite")).expect("db");
    let keys: i64 = conn
        .query_row("SELECT COUNT(*) FROM keys", [], |r| r.get(0))
        .expect("count");
    assert_eq!(keys, 1, "the cleared request's key is gone");
}

#[test]
fn bad_request_input_is_refused_and_nothing_is_written() {
    let store = TestStore::with_topology(EDGE);
    let before = store.snapshot();
    let dir = store.dir.path();
    let csr = dir.join("x.csr");
    let missing = dir.join("no-such-folder").join("x.csr");
    let (request_csr, random) = (fx("request.csr"), fx("random.bin"));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "request",
                "--type",
                "AccessEdgeExternal",
                "--output",
                s(&csr),
                "--domain-name",
                "*.contoso.com",
            ],
            "wildcard",
        ),
        (
            vec![
                "request",
                "--type",
                "Internal",
                "--output",
                s(&csr),
                "--domain-name",
                "bad_name.contoso.com",
            ],
            "letters, digits and hyphens",
        ),
        (
            vec![
                "request",
                "--type",
                "Internal",
                "--output",
                s(&csr),
                "--country",
                "USA",
            ],
            "two-letter country",
        ),
        (
            vec!["request", "--type", "Frontdoor", "--output", s(&csr)],
            "not a usage type",
        ),
        (
            vec!["request", "--type", "Internal", "--output", s(&missing)],
            "does not exist",
        ),
        (
            vec![
                "request",
                "--type",
                "Internal",
                "--output",
                s(&csr),
                "--key-size",
                "512",
            ],
            "512 bits",
        ),
        (
            vec![
                "request",
                "--type",
                "Internal",
                "--output",
                s(&csr),
                "--key-alg",
                "p256",
                "--hash",
                "sha512",
            ],
            "SHA-256",
        ),
        (
            vec![
                "request",
                "--type",
                "WebServicesInternal",
                "--ca",
                "builtin",
            ],
            "[web] section",
        ),
        (vec!["request", "--type", "Internal"], "--output"),
        (vec!["import", s(&request_csr)], "certificate request"),
        (vec!["import", s(&random)], "not a certificate"),
        (vec!["requests", "--clear", "42"], "no pending request 42"),
    ];
    for (args, expected) in cases {
        let out = store.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(store.snapshot() == before, "{args:?} changed the store");
        assert!(!csr.exists() && !missing.exists(), "{args:?} wrote a CSR");
    }
}

#[test]
fn bad_topologies_name_the_field() {
    let store = TestStore::new();
    let file = store.dir.path().join("t.toml");
    for (text, expected) in [
        (
            EDGE.replace("webcon.contoso.com", "web_con.contoso.com"),
            "edge.webconf_fqdn",
        ),
        (
            EDGE.replace("\"sip.contoso.com\"", "\"*.contoso.com\""),
            "edge.access_fqdn",
        ),
        (
            EDGE.replace("edge01.contoso.net\"\npool", "edge01\"\npool"),
            "server_fqdn",
        ),
        ("role = \"kiosk\"".to_owned(), "not valid"),
    ] {
        std::fs::write(&file, &text).expect("write");
        let out = store.run(&["topology", "set", s(&file)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(expected), "{expected}: {err}");
    }
    let out = store.run(&["topology", "show"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no topology is set"));
    let out = store.run(&["request", "--type", "Internal", "--ca", "builtin"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(&file, EDGE).expect("write");
    store.json(&["topology", "set", s(&file)]);
    let shown = store.json(&["topology", "show"]);
    assert_eq!(shown["edge"]["access_fqdn"], "sip.contoso.com");
}

/// The reverse proxy's public certificate, computed from the topology: the external web
/// services FQDN as its subject, the simple URLs and lyncdiscover per SIP domain as SANs;
/// a wildcard may stand for the simple URLs in the SAN inspector's checklist.
#[test]
fn the_reverse_proxy_request_carries_the_public_web_names() {
    let store = TestStore::with_topology(common::FRONT_END);
    let csr = store.dir.path().join("rp.csr");
    store.json(&["request", "--type", "ReverseProxy", "--output", s(&csr)]);
    let subject = tool("openssl", &["req", "-in", s(&csr), "-noout", "-subject"]);
    assert!(subject.contains("CN = webext.contoso.com"), "{subject}");
    assert_eq!(
        dns_sans("req", &csr),
        sorted(&[
            "webext.contoso.com",
            "meet.contoso.com",
            "meet.fabrikam.com",
            "dialin.contoso.com",
            "lyncdiscover.contoso.com",
            "lyncdiscover.fabrikam.com",
        ])
    );
}
