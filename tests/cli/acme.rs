//! Immediate requests to a real ACME server (pebble on loopback, `common::acme`): the
//! account, the order answered by certdesk's HTTP-01 listener, the chain stored with the
//! key. Also: an unreachable CA, an unknown CA and a bad bundle change nothing; an endless
//! answer is cut at its limit.

use std::time::Duration;

use crate::common;

use common::acme::{free_tcp_port, start_pebble};
use common::hostile;
use common::watch::watch;
use common::{EDGE, TestStore, fails, s, stderr};

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
        Some(8),
        "name, kind, url, registered, custom_trust, username, auth, accepted only: {pebble}"
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
        "--no-test",
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
    fails(
        &out,
        1,
        "the ACME CA down cannot be reached: Connection refused",
    );
    assert!(t.snapshot() == before, "no certificate and no orphan key");
    // A port already taken for the HTTP-01 listener: one sentence, nothing stored.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken_port = taken.local_addr().expect("addr").port().to_string();
    let out = t.run(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "pebble",
        "--http-address",
        "127.0.0.1",
        "--http-port",
        &taken_port,
    ]);
    fails(&out, 1, "cannot listen on 127.0.0.1:");
    drop(taken);
    assert!(t.snapshot() == before, "no certificate and no orphan key");
    // A name taken, a name that cannot be one.
    let out = t.run(&["ca", "add", "pebble", "--acme", &directory]);
    fails(&out, 2, "a CA named pebble exists already");
    let out = t.run(&["ca", "add", "builtin", "--acme", &directory]);
    fails(&out, 2, "cannot name a CA");
    assert!(t.snapshot() == before);
    let out = t.run(&["request", "--type", "Internal", "--ca", "nosuch"]);
    fails(&out, 2, "there is no CA named nosuch");
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
    fails(&out, 2, "holds no PEM certificate");
    assert!(t.snapshot() == before);

    t.json(&["ca", "remove", "pebble"]);
    let out = t.run(&["ca", "test", "pebble"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// A CA that requires external account binding: the key id and HMAC key given at `ca add`
/// register the account; without them the CA's refusal is one sentence; an HMAC key that
/// is not base64url is refused before anything is stored.
#[test]
fn external_account_binding_registers_where_the_ca_requires_it() {
    let t = TestStore::with_topology(EDGE);
    let (_servers, directory, _) = common::acme::start_pebble_with(t.dir.path(), true, 0);
    let bundle = t.dir.path().join("tls-ca.pem");
    let hmac_file = t.dir.path().join("eab.txt");
    std::fs::write(&hmac_file, format!("{}\n", common::acme::EAB.1)).expect("write");
    let (kid, _) = common::acme::EAB;

    t.json(&[
        "ca",
        "add",
        "bound",
        "--acme",
        &directory,
        "--ca-bundle",
        s(&bundle),
        "--eab-kid",
        kid,
        "--eab-hmac-file",
        s(&hmac_file),
    ]);
    let tested = t.json(&["ca", "test", "bound"]);
    assert!(tested["account"].as_str().is_some(), "{tested}");
    let db = std::fs::read(t.path().join("store.sqlite")).expect("db");
    assert!(
        !db.windows(20)
            .any(|w| w == &common::acme::EAB.1.as_bytes()[..20]),
        "the HMAC key is not in the database in clear"
    );
    let log = t.json(&["log"]).to_string();
    assert!(!log.contains(&common::acme::EAB.1[..20]), "nor in the log");

    t.json(&[
        "ca",
        "add",
        "unbound",
        "--acme",
        &directory,
        "--ca-bundle",
        s(&bundle),
    ]);
    let out = t.run(&["ca", "test", "unbound"]);
    fails(&out, 1, "the ACME CA unbound failed");

    let bad = t.dir.path().join("bad.txt");
    std::fs::write(&bad, "not base64 !!!").expect("write");
    let before = t.snapshot();
    let out = t.run(&[
        "ca",
        "add",
        "x",
        "--acme",
        &directory,
        "--eab-kid",
        kid,
        "--eab-hmac-file",
        s(&bad),
    ]);
    fails(&out, 2, "not base64url");
    assert!(t.snapshot() == before);
}

/// HTTP-01 through a webroot: the answers are files the site's own web server serves (here
/// Python's), written for the order and removed after it.
#[test]
fn http01_answers_from_a_webroot_served_by_another_web_server() {
    let t = TestStore::with_topology(EDGE);
    let (_servers, _, http01) = common::acme::pebble_in(&t);
    let webroot = t.dir.path().join("www");
    std::fs::create_dir_all(&webroot).expect("dir");
    let mut web = std::process::Command::new("python3")
        .args([
            "-m",
            "http.server",
            &http01.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .arg("--directory")
        .arg(&webroot)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 runs");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", http01)).is_err() {
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let issued = t.run(&[
        "--json",
        "request",
        "--type",
        "Internal",
        "--ca",
        "pebble",
        "--webroot",
        s(&webroot),
    ]);
    let _ = web.kill();
    let _ = web.wait();
    assert!(issued.status.success(), "{}", stderr(&issued));
    let outcome: serde_json::Value = serde_json::from_slice(&issued.stdout).expect("json");
    assert_eq!(outcome["status"], "issued", "{outcome}");
    let left: Vec<_> = std::fs::read_dir(webroot.join(".well-known/acme-challenge"))
        .expect("the answers were written there")
        .collect();
    assert!(left.is_empty(), "the answers are removed after the order");
    assert!(t.json(&["log"]).to_string().contains("--webroot"));
}

/// DNS-01 with validation on: certdesk shows the TXT records and the request waits; the
/// test creates them in the DNS server pebble asks (pebble-challtestsrv); `requests --poll`
/// then has pebble validate and issue. `--wait` does the same in one command, continuing
/// when a line arrives on stdin. Polling before the records exist is the CA's refusal,
/// which stores nothing.
#[test]
fn dns01_shows_the_records_and_continues_once_they_exist() {
    let t = TestStore::with_topology(EDGE);
    let (servers, _, _) = common::acme::pebble_in(&t);

    let held = t.json(&["request", "--type", "Internal", "--ca", "pebble", "--dns01"]);
    assert_eq!(held["status"], "pending", "{held}");
    let records = held["dns_records"].as_array().expect("records").clone();
    assert_eq!(
        records[0]["name"], "_acme-challenge.edgepool.contoso.net.",
        "{held}"
    );
    for record in &records {
        servers.set_txt(
            record["name"].as_str().expect("name"),
            record["value"].as_str().expect("value"),
        );
    }
    let polled = t.json(&["requests", "--poll"]);
    assert_eq!(polled[0]["status"], "issued", "{polled}");
    let thumbprint = polled[0]["thumbprint"].as_str().expect("thumbprint");
    assert!(
        t.contents("computer")
            .iter()
            .any(|(th, l, k)| th == thumbprint && l == "personal" && *k)
    );

    // Without the records the CA refuses; nothing is stored and the request stays.
    let early = t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "pebble",
        "--dns01",
        "--domain-name",
        "missing.contoso.net",
    ]);
    let before = t.contents("computer");
    let refused = t.run(&["requests", "--poll", &early["request_id"].to_string()]);
    fails(&refused, 1, "for DNS challenge");
    assert_eq!(t.contents("computer"), before);
    t.json(&["requests", "--clear", &early["request_id"].to_string()]);

    // --wait: the records on stderr, Enter continues.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args([
            "--store",
            s(&t.path()),
            "--json",
            "request",
            "--type",
            "Internal",
        ])
        .args([
            "--ca",
            "pebble",
            "--dns01",
            "--wait",
            "--domain-name",
            "edge03.contoso.net",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("certdesk starts");
    let mut err = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut shown = Vec::new();
    loop {
        let mut line = String::new();
        let n = std::io::BufRead::read_line(&mut err, &mut line).expect("read");
        assert!(n > 0, "certdesk ended before asking: {shown:?}");
        if line.contains("press Enter") {
            break;
        }
        if let Some((name, value)) = line.trim().split_once("  TXT  ") {
            shown.push((name.to_owned(), value.trim_matches('"').to_owned()));
        }
    }
    // This pebble reuses no validation: edgepool's record is asked for again.
    for wanted in ["edge03", "edgepool"] {
        let wanted = format!("_acme-challenge.{wanted}.contoso.net.");
        assert!(shown.iter().any(|(name, _)| *name == wanted), "{shown:?}");
    }
    for (name, value) in &shown {
        servers.set_txt(name, value);
    }
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), b"\n").expect("enter");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let done: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(done["status"], "issued", "{done}");
}

/// A CA that reuses its earlier validations asks for no new record: a DNS-01 request for
/// names it has validated already is issued at once, with nothing to create and nothing
/// left waiting.
#[test]
fn dns01_with_every_name_validated_already_is_issued_at_once() {
    let t = TestStore::with_topology(EDGE);
    let (servers, _, _) = common::acme::pebble_in_reusing(&t, 100);
    let held = t.json(&["request", "--type", "Internal", "--ca", "pebble", "--dns01"]);
    for record in held["dns_records"].as_array().expect("records") {
        servers.set_txt(
            record["name"].as_str().expect("name"),
            record["value"].as_str().expect("value"),
        );
    }
    let polled = t.json(&["requests", "--poll"]);
    assert_eq!(polled[0]["status"], "issued", "{polled}");
    let again = t.json(&["request", "--type", "Internal", "--ca", "pebble", "--dns01"]);
    assert_eq!(again["status"], "issued", "{again}");
    assert!(again.get("dns_records").is_none(), "{again}");
    let thumbprint = again["thumbprint"].as_str().expect("thumbprint");
    assert!(
        t.contents("computer")
            .iter()
            .any(|(th, l, k)| th == thumbprint && l == "personal" && *k)
    );
    assert_eq!(t.json(&["requests"]).as_array().map(Vec::len), Some(0));
}

/// A CA whose every answer is an endless body (over verified HTTPS): `ca test` stops
/// reading at the size limit and says so in one sentence, in little memory and time;
/// the same for a SCEP connection to it.
#[test]
fn an_endless_answer_costs_little_and_is_one_sentence() {
    let t = TestStore::new();
    let (config, bundle) = hostile::tls_identity(t.dir.path());
    let endless = hostile::endless_https(config);
    let url = format!("https://127.0.0.1:{}/directory", endless.port);
    t.json(&[
        "ca",
        "add",
        "endless",
        "--no-test",
        "--acme",
        &url,
        "--ca-bundle",
        s(&bundle),
    ]);
    t.json(&[
        "ca",
        "add",
        "endless-scep",
        "--no-test",
        "--scep",
        &url,
        "--ca-bundle",
        s(&bundle),
    ]);
    for name in ["endless", "endless-scep"] {
        let run = watch(
            t.spawn(&["ca", "test", name]),
            Duration::from_secs(30),
            100 * 1024,
        );
        assert!(
            run.code.is_some(),
            "{name}: killed after {:?} at {} KiB",
            run.took,
            run.peak_kib
        );
        assert!(run.peak_kib < 100 * 1024, "{name}: {} KiB", run.peak_kib);
        assert_eq!(run.code, Some(1), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("sent an answer larger than 4 MiB"),
            "{name}: {}",
            run.stderr
        );
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
}
