//! What servers actually serve, against `openssl s_server` on loopback: the right chain,
//! a certificate missing a SAN the usage needs, an expired one and a self-signed one; and
//! pool consistency between two servers. Hostile servers (silent, dripping, naming many
//! silent revocation servers) cost no more than the probe's deadline.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::acme::free_tcp_port;
use common::hostile;
use common::tls::serve;
use common::watch::watch;
use common::{EDGE, TestStore, fails, fx, s};

/// A key and a certificate for `sans` signed by the fixture CA: (cert, key).
fn issue(dir: &Path, name: &str, sans: &str, key: Option<&Path>) -> (PathBuf, PathBuf) {
    let ext = format!("subjectAltName={sans}\nextendedKeyUsage=serverAuth,clientAuth\n");
    common::issue_with_fixture_ca(dir, name, "probe", &ext, key)
}

/// An expired certificate for sip.contoso.com signed by the fixture CA (rcgen: openssl
/// cannot date one in the past): (cert, key).
fn expired(dir: &Path) -> (PathBuf, PathBuf) {
    let ca_key = rcgen::KeyPair::from_pem(&std::fs::read_to_string(fx("inter.key")).expect("key"))
        .expect("CA key");
    let issuer = rcgen::Issuer::from_ca_cert_pem(
        &std::fs::read_to_string(fx("inter.pem")).expect("CA"),
        ca_key,
    )
    .expect("issuer");
    let mut params =
        rcgen::CertificateParams::new(vec!["sip.contoso.com".to_owned()]).expect("params");
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::days(400);
    params.not_after = time::OffsetDateTime::now_utc() - time::Duration::days(35);
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = params.signed_by(&key, &issuer).expect("signed");
    let (cert_file, key_file) = (dir.join("expired.pem"), dir.join("expired.key"));
    std::fs::write(&cert_file, cert.pem()).expect("write");
    std::fs::write(&key_file, key.serialize_pem()).expect("write");
    (cert_file, key_file)
}

/// A store on the Edge topology whose operating system trusts the fixture root.
fn store() -> TestStore {
    let t = TestStore::with_topology(EDGE);
    std::fs::copy(fx("root.pem"), t.dir.path().join("os-roots.pem")).expect("roots");
    t
}

fn probe_json(t: &TestStore, port: u16, expect_ok: bool) -> serde_json::Value {
    let out = t.run(&[
        "--json",
        "probe",
        &format!("127.0.0.1:{port}"),
        "--sni",
        "sip.contoso.com",
        "--type",
        "AccessEdgeExternal",
    ]);
    assert_eq!(
        out.status.success(),
        expect_ok,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    reports[0].clone()
}

#[test]
fn probe_reports_what_each_server_serves() {
    let t = store();
    let dir = t.dir.path();
    // (a) The right chain: trusted, the name and every SAN the Access Edge needs.
    let (_a, right_port) = serve(&fx("leaf.pem"), &fx("leaf.key"), Some(&fx("inter.pem")));
    let right = probe_json(&t, right_port, true);
    assert_eq!(right["trusted"], true, "{right}");
    assert_eq!(right["name_matches"], true);
    assert_eq!(right["missing_sans"].as_array().map(Vec::len), Some(0));
    assert_eq!(right["chain"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        right["chain"][0],
        common::openssl_thumbprint(&fx("leaf.pem")).as_str()
    );
    assert_eq!(right["in_store"], false);
    assert_eq!(
        right["revocation"]["status"], "unchecked",
        "no OCSP or CRL in the fixture"
    );
    assert!(right["not_after"].as_str().is_some());

    // (b) sip.fabrikam.com missing.
    let (cert, key) = issue(
        dir,
        "partial",
        "DNS:sip.contoso.com,DNS:webcon.contoso.com",
        None,
    );
    let (_b, partial_port) = serve(&cert, &key, Some(&fx("inter.pem")));
    let partial = probe_json(&t, partial_port, false);
    assert_eq!(partial["trusted"], true, "{partial}");
    assert_eq!(
        partial["missing_sans"],
        serde_json::json!(["sip.fabrikam.com"])
    );
    assert!(partial["problems"].to_string().contains("sip.fabrikam.com"));

    // (c) Expired.
    let (cert, key) = expired(dir);
    let (_c, port) = serve(&cert, &key, Some(&fx("inter.pem")));
    let old = probe_json(&t, port, false);
    assert!(old["days_left"].as_i64().is_some_and(|d| d < 0), "{old}");
    assert!(old["problems"].to_string().contains("expired"), "{old}");

    // (d) Self-signed.
    let (cert, key) = common::self_signed(
        dir,
        "self",
        "/CN=sip.contoso.com",
        "subjectAltName=DNS:sip.contoso.com,DNS:sip.fabrikam.com",
    );
    let (_d, port) = serve(&cert, &key, None);
    let selfsigned = probe_json(&t, port, false);
    assert_eq!(selfsigned["trusted"], false);
    assert!(
        selfsigned["problems"].to_string().contains("self-signed"),
        "{selfsigned}"
    );

    // (e) Compared with the store: the right certificate assigned here, served by (a)
    // and not by (b).
    t.json_with_password(
        &[
            "import",
            s(&fx("leaf-aes.pfx")),
            "--password-env",
            "CERTDESK_TEST_PASSWORD",
        ],
        "secret",
    );
    let leaf = common::openssl_thumbprint(&fx("leaf.pem"));
    t.json(&[
        "assign",
        "--type",
        "AccessEdgeExternal",
        "--thumbprint",
        &leaf,
    ]);
    let right = probe_json(&t, right_port, true);
    assert_eq!(right["in_store"], true, "{right}");
    assert_eq!(
        right["usages_here"],
        serde_json::json!(["AccessEdgeExternal"])
    );
    // The text says where it stands here, in the window's words.
    let out = t.run(&[
        "probe",
        &format!("127.0.0.1:{right_port}"),
        "--sni",
        "sip.contoso.com",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("here:      in this store, assigned to SIP Access Edge external"),
        "{text}"
    );
    let partial = probe_json(&t, partial_port, false);
    assert!(
        partial["problems"].to_string().contains(&format!(
            "This store assigns {}… to SIP Access Edge external",
            &leaf[..8]
        )),
        "{partial}"
    );

    // Several at once, and one that is down: a sentence each; the text output too.
    let down = free_tcp_port();
    let out = t.run(&["probe", &format!("127.0.0.1:{down}"), "127.0.0.1:1:2"]);
    fails(&out, 2, "is not HOST[:PORT]");
    let out = t.run(&["probe", &format!("127.0.0.1:{down}")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("cannot connect"));
}

#[test]
fn pool_check_compares_the_members() {
    let t = store();
    let dir = t.dir.path();
    let (cert, key) = issue(dir, "pool", "DNS:edgepool.contoso.net", None);
    let (_one, p1) = serve(&cert, &key, Some(&fx("inter.pem")));
    let (_two, p2) = serve(&cert, &key, Some(&fx("inter.pem")));
    let members = |p2: u16| {
        vec![
            "--json".to_owned(),
            "pool".into(),
            "check".into(),
            "--address".into(),
            format!("edge01.contoso.net=127.0.0.1:{p1}"),
            "--address".into(),
            format!("edge02.contoso.net=127.0.0.1:{p2}"),
        ]
    };
    let args = members(p2);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let same = t.run(&args);
    assert!(
        same.status.success(),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&same.stdout).expect("json");
    assert_eq!(report["consistent"], true, "{report}");

    // Another key on edge02: named.
    let (other, other_key) = issue(dir, "other", "DNS:edgepool.contoso.net", None);
    let (_three, p3) = serve(&other, &other_key, Some(&fx("inter.pem")));
    let args = members(p3);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = t.run(&args);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["consistent"], false);
    assert!(
        report["problems"]
            .to_string()
            .contains("edge02.contoso.net serves a certificate with another private key"),
        "{report}"
    );

    // The same key, another certificate: named too.
    let (again, _) = issue(dir, "again", "DNS:edgepool.contoso.net", Some(&key));
    let (_four, p4) = serve(&again, &key, Some(&fx("inter.pem")));
    let args = members(p4);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = t.run(&args);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("serves another certificate than edge01.contoso.net")
    );
    fails(
        &t.run(&[
            "pool",
            "check",
            "--address",
            "edge09.contoso.net=127.0.0.1:1",
        ]),
        2,
        "not a member of the pool",
    );

    // A member out of reach is said to be, not to differ.
    let (_five, p5) = serve(&cert, &key, Some(&fx("inter.pem")));
    let closed = free_tcp_port();
    let out = t.run(&[
        "pool",
        "check",
        "--address",
        &format!("edge01.contoso.net=127.0.0.1:{p5}"),
        "--address",
        &format!("edge02.contoso.net=127.0.0.1:{closed}"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "edge02.contoso.net could not be reached; the other member serves the certificate and key"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("the members differ"), "{stdout}");
}

/// A TLS server that sends its handshake one byte a second and one that accepts and never
/// answers: each probe ends by the probe's own deadline, each report says why.
#[test]
fn a_dripping_or_silent_server_ends_the_probe_in_time() {
    let t = store();
    let (config, _) = hostile::tls_identity(t.dir.path());
    let (drip, silent) = (hostile::dripping_tls(config), hostile::silent());
    let (drip_target, silent_target) = (
        format!("127.0.0.1:{}", drip.port),
        format!("127.0.0.1:{}", silent.port),
    );
    let child = t.spawn(&["--json", "probe", &drip_target, &silent_target]);
    let run = watch(child, Duration::from_secs(40), u64::MAX);
    assert!(
        run.code.is_some() && run.took < Duration::from_secs(25),
        "ended after {:?} (killed: {})",
        run.took,
        run.code.is_none()
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let reports: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let problems = |target: &str| {
        reports
            .as_array()
            .and_then(|a| a.iter().find(|r| r["target"] == target))
            .unwrap_or_else(|| panic!("a report for {target}: {reports}"))["problems"]
            .to_string()
    };
    let dripped = problems(&drip_target);
    assert!(
        dripped.contains("does not complete a TLS handshake")
            && dripped.contains("did not finish within 20 s"),
        "{dripped}"
    );
    assert!(
        problems(&silent_target).contains("does not complete a TLS handshake: it went silent"),
        "{reports}"
    );
}

/// A served certificate naming eight OCSP responders and eight CRLs that all accept and
/// never answer (on different ports of one host): the first costs its time-out, the host
/// is then not asked again on any port, and the probe ends well within its deadline.
#[test]
fn sixteen_silent_revocation_pointers_cost_one_time_out() {
    let t = store();
    let dir = t.dir.path();
    let peers: Vec<hostile::Peer> = (0..16).map(|_| hostile::silent()).collect();
    let urls = |range: std::ops::Range<usize>, kind: &str, path: &str| {
        peers[range]
            .iter()
            .map(|p| format!("{kind}URI:http://127.0.0.1:{}/{path}", p.port))
            .collect::<Vec<_>>()
            .join(",")
    };
    let ext = format!(
        "subjectAltName=DNS:sip.contoso.com\nextendedKeyUsage=serverAuth\nauthorityInfoAccess={}\ncrlDistributionPoints={}\n",
        urls(0..8, "OCSP;", "ocsp"),
        urls(8..16, "", "ca.crl")
    );
    let (cert, key) = common::issue_with_fixture_ca(dir, "pointers", "probe", &ext, None);
    let (_server, port) = serve(&cert, &key, Some(&fx("inter.pem")));
    let target = format!("127.0.0.1:{port}");
    let child = t.spawn(&["--json", "probe", &target, "--sni", "sip.contoso.com"]);
    let run = watch(child, Duration::from_secs(45), u64::MAX);
    assert!(
        run.code.is_some() && run.took < Duration::from_secs(30),
        "ended after {:?} (killed: {})",
        run.took,
        run.code.is_none()
    );
    let reports: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let revocation = &reports[0]["revocation"];
    assert_eq!(revocation["status"], "unknown", "{reports}");
    let warning = revocation["warning"].as_str().unwrap_or_default();
    assert!(
        warning.matches("so it is not asked again").count() >= 15,
        "the host is remembered, whatever the port: {warning}"
    );
}
