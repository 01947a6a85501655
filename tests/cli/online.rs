//! Immediate requests to real online CAs other than ACME: SCEP against scepserver (Debian
//! package `scep`) with the right and a wrong challenge, and AD CS Web Enrollment against
//! the stand-in of `common::certsrv` (issued, pending then approved and polled, denied,
//! wrong password, alternate credentials). Every failure leaves the store as it was.

use crate::common;

use common::acme::free_tcp_port;
use common::certsrv::{self, Certsrv};
use common::scep::start_scep;
use common::{EDGE, TestStore, fails, fx, openssl_thumbprint, s, stderr, tool};

/// The certificates and pending requests of the Computer location.
fn state(t: &TestStore) -> (Vec<(String, String, bool)>, serde_json::Value) {
    (t.contents("computer"), t.json(&["requests"]))
}

/// The public key of a stored certificate, as openssl prints it.
fn public_key(t: &TestStore, thumbprint: &str) -> String {
    let pem = t.json(&["show", thumbprint])["pem"]
        .as_str()
        .expect("pem")
        .to_owned();
    let file = t.dir.path().join(format!("{thumbprint}.pem"));
    std::fs::write(&file, pem).expect("write");
    tool("openssl", &["x509", "-in", s(&file), "-noout", "-pubkey"])
}

#[test]
fn scep_issues_with_the_right_challenge_and_refuses_a_wrong_one() {
    let t = TestStore::with_topology(EDGE);
    let (_server, url) = start_scep(t.dir.path(), "s3cret-challenge");
    let good = t.dir.path().join("challenge");
    let bad = t.dir.path().join("wrong");
    std::fs::write(&good, "s3cret-challenge\n").expect("write");
    std::fs::write(&bad, "guess\n").expect("write");
    t.json(&[
        "ca",
        "add",
        "scep",
        "--scep",
        &url,
        "--challenge-file",
        s(&good),
    ]);
    t.json(&[
        "ca",
        "add",
        "scep-wrong",
        "--scep",
        &url,
        "--challenge-file",
        s(&bad),
    ]);
    let tested = t.json(&["ca", "test", "scep"]);
    assert!(
        tested["detail"]
            .as_str()
            .is_some_and(|d| d.contains("SCEP CA")),
        "{tested}"
    );
    let listed = t.json(&["ca", "list"]).to_string();
    assert!(!listed.contains("s3cret"), "no secret listed: {listed}");

    let before = state(&t);
    let denied = t.run(&["request", "--type", "Internal", "--ca", "scep-wrong"]);
    fails(&denied, 1, "denied the request");
    assert!(stderr(&denied).contains("challenge"), "{}", stderr(&denied));
    assert_eq!(state(&t), before, "a denied request changes nothing");

    let ecdsa = t.run(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "scep",
        "--key-alg",
        "p256",
    ]);
    fails(&ecdsa, 1, "must be RSA");
    assert_eq!(state(&t), before);

    let issued = t.json(&["request", "--type", "Internal", "--ca", "scep"]);
    assert_eq!(issued["status"], "issued", "{issued}");
    let thumbprint = issued["thumbprint"].as_str().expect("thumbprint");
    assert!(
        t.contents("computer")
            .iter()
            .any(|(th, logical, key)| th == thumbprint && logical == "personal" && *key),
        "the certificate is in Personal with its key"
    );
    // openssl agrees that the SCEP CA signed it (scepserver's policy decides its EKUs).
    let cer = t.dir.path().join("issued.cer");
    t.json(&["export", thumbprint, "--format", "der", "--output", s(&cer)]);
    let ca = t.dir.path().join("depot/ca.pem");
    let verified = tool("openssl", &["verify", "-CAfile", s(&ca), s(&cer)]);
    assert!(verified.contains(": OK"), "{verified}");

    let gone = free_tcp_port();
    t.json(&[
        "ca",
        "add",
        "nowhere",
        "--no-test",
        "--scep",
        &format!("http://127.0.0.1:{gone}/scep"),
    ]);
    let before = state(&t);
    fails(&t.run(&["ca", "test", "nowhere"]), 1, "cannot be reached");
    fails(
        &t.run(&["request", "--type", "Internal", "--ca", "nowhere"]),
        1,
        "cannot be reached",
    );
    assert_eq!(state(&t), before);
}

#[test]
fn ad_cs_web_enrollment_issues_holds_denies_and_refuses_a_wrong_password() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    let add = |name: &str, password: &str| {
        let mut args = server.connection("add", name, &server.url);
        // The stale password does not sign in: saved untried.
        if password != certsrv::PASSWORD {
            args.push("--no-test".to_owned());
        }
        t.json_with_password(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            password,
        );
    };
    add("corp", certsrv::PASSWORD);
    add("corp-stale", "an old password");
    let tested = t.json(&["ca", "test", "corp"]);
    assert_eq!(tested["reachable"], true, "{tested}");
    let listed = t.json(&["ca", "list"]).to_string();
    assert!(listed.contains("certsrv") && !listed.contains(certsrv::PASSWORD));

    // Issued at once: the leaf with its key, the issuing CA from certnew.p7b.
    let issued = t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "corp",
        "--template",
        "WebServer",
    ]);
    assert_eq!(issued["status"], "issued", "{issued}");
    let leaf = issued["thumbprint"]
        .as_str()
        .expect("thumbprint")
        .to_owned();
    let contents = t.contents("computer");
    assert!(
        contents
            .iter()
            .any(|(th, l, k)| *th == leaf && l == "personal" && *k)
    );
    assert!(contents.iter().any(|(_, l, _)| l == "ca"), "{contents:?}");
    let validated = t.json(&["show", &leaf]);
    assert!(
        validated.to_string().contains("Contoso Issuing CA"),
        "{validated}"
    );

    // Held for approval, polled while pending, approved, polled again.
    let held = t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "corp",
        "--template",
        "ManagerApproval",
        "--friendly-name",
        "Edge internal (approval)",
    ]);
    assert_eq!(held["status"], "pending", "{held}");
    let id = held["request_id"].as_i64().expect("request id");
    let reference: u32 = held["ca_reference"]
        .as_str()
        .and_then(|r| r.parse().ok())
        .expect("the CA's request ID");
    let polled = t.json(&["requests", "--poll"]);
    assert_eq!(polled[0]["status"], "pending", "{polled}");
    server.approve(reference);
    let polled = t.json(&["requests", "--poll", &id.to_string()]);
    assert_eq!(polled[0]["status"], "issued", "{polled}");
    let approved = polled[0]["thumbprint"].as_str().expect("thumbprint");
    assert_eq!(t.json(&["requests"]).as_array().map(Vec::len), Some(0));
    assert!(
        t.contents("computer")
            .iter()
            .any(|(th, l, k)| th == approved && l == "personal" && *k)
    );
    fails(
        &t.run(&["requests", "--poll", &id.to_string()]),
        2,
        "no pending request",
    );

    // Denied with the CA's own disposition message; bad credentials exit 2.
    let before = state(&t);
    let denied = t.run(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "corp",
        "--template",
        "Retired",
    ]);
    fails(&denied, 1, "Denied by Policy Module");
    assert!(stderr(&denied).contains("template is not supported"));
    fails(
        &t.run(&["ca", "test", "corp-stale"]),
        2,
        "refused the credentials",
    );
    fails(
        &t.run(&["request", "--type", "Internal", "--ca", "corp-stale"]),
        2,
        "corp-stale refused the credentials",
    );
    assert_eq!(state(&t), before, "failures change nothing");

    // Alternate credentials for one request (the wizard's Certificate Authority Account).
    t.json_with_password(
        &[
            "request",
            "--type",
            "Internal",
            "--ca",
            "corp-stale",
            "--username",
            certsrv::USER,
            "--password-env",
            "CERTDESK_TEST_PASSWORD",
        ],
        certsrv::PASSWORD,
    );
    let log = t.json(&["log"]).to_string();
    assert!(!log.contains(certsrv::PASSWORD), "no password in the log");
    assert!(
        log.contains("--username"),
        "the equivalent command names the user"
    );

    // TLS is verified: without the CA's TLS trust the server is refused; a page that is
    // not Web Enrollment is one sentence too.
    for (name, url, bundle, text) in [
        ("untrusted", server.url.clone(), None, "--ca-bundle FILE"),
        (
            "elsewhere",
            server.url.replace("/certsrv", "/elsewhere"),
            Some(s(&server.tls_bundle)),
            "HTTP 404",
        ),
    ] {
        let mut args = vec![
            "ca",
            "add",
            name,
            "--no-test",
            "--certsrv",
            &url,
            "--username",
            certsrv::USER,
            "--password-env",
            "CERTDESK_TEST_PASSWORD",
        ];
        if let Some(bundle) = bundle {
            args.extend(["--ca-bundle", bundle]);
        }
        t.json_with_password(&args, certsrv::PASSWORD);
        let before = state(&t);
        fails(&t.run(&["ca", "test", name]), 1, text);
        fails(
            &t.run(&["request", "--type", "Internal", "--ca", name]),
            1,
            text,
        );
        assert_eq!(state(&t), before);
    }

    // `ca edit` with the new password mends the stale connection; its TLS trust is kept.
    t.json_with_password(
        &[
            "ca",
            "edit",
            "corp-stale",
            "--certsrv",
            &server.url,
            "--username",
            certsrv::USER,
            "--password-env",
            "CERTDESK_TEST_PASSWORD",
        ],
        certsrv::PASSWORD,
    );
    assert_eq!(t.json(&["ca", "test", "corp-stale"])["reachable"], true);
    let listed = t.json(&["ca", "list"]);
    let stale = listed
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == "corp-stale"))
        .expect("listed");
    assert_eq!(stale["custom_trust"], true, "{stale}");
    assert!(
        t.json(&["log"])
            .to_string()
            .contains("certdesk ca edit corp-stale")
    );
}

/// The built-in CA renews what it issued; a certificate certdesk did not request needs
/// `--ca`, and one without its key in the store needs `--new-key`.
#[test]
fn renewal_knows_the_issuing_ca_and_says_what_it_needs() {
    let t = TestStore::with_topology(EDGE);
    let issued = t.json(&["request", "--type", "Internal", "--ca", "builtin"]);
    let thumbprint = issued["thumbprint"].as_str().expect("thumbprint");
    let renewed = t.json(&["renew", thumbprint]);
    assert_eq!(renewed["ca"], "builtin", "{renewed}");
    assert_eq!(renewed["status"], "issued", "{renewed}");
    assert_eq!(
        public_key(&t, renewed["thumbprint"].as_str().expect("t")),
        public_key(&t, thumbprint)
    );

    let leaf = common::fx("leaf.pem");
    let imported = t.json(&["import", s(&leaf)]);
    let leaf_thumbprint = common::openssl_thumbprint(&leaf);
    assert!(
        imported.to_string().contains(&leaf_thumbprint),
        "{imported}"
    );
    let before = state(&t);
    fails(&t.run(&["renew", &leaf_thumbprint]), 2, "give --ca NAME");
    fails(
        &t.run(&["renew", &leaf_thumbprint, "--ca", "builtin"]),
        2,
        "--new-key",
    );
    assert_eq!(state(&t), before);
}

/// The Front End procedure (immediate, Default and both web services usages in one
/// certificate) against each kind of online CA: ACME (pebble, HTTP-01 by certdesk's
/// listener), SCEP and AD CS; the AD CS certificate, whose root the store trusts, is then
/// assigned.
#[test]
fn the_front_end_procedure_runs_against_each_kind_of_ca() {
    let t = TestStore::with_topology(common::FRONT_END);
    let (_pebble, _, http01) = common::acme::pebble_in(&t);
    let (_scep, scep_url) = start_scep(t.dir.path(), "front-end");
    let challenge = t.dir.path().join("challenge");
    std::fs::write(&challenge, "front-end").expect("write");
    t.json(&[
        "ca",
        "add",
        "scep",
        "--scep",
        &scep_url,
        "--challenge-file",
        s(&challenge),
    ]);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    let usages = "Default,WebServicesInternal,WebServicesExternal";
    let port = http01.to_string();
    let mut issued = Vec::new();
    for ca in ["pebble", "scep", "corp"] {
        let out = t.json(&[
            "request",
            "--type",
            usages,
            "--ca",
            ca,
            "--http-address",
            "127.0.0.1",
            "--http-port",
            &port,
            "--friendly-name",
            &format!("Front End by {ca}"),
        ]);
        assert_eq!(out["status"], "issued", "{ca}: {out}");
        let thumbprint = out["thumbprint"].as_str().expect("thumbprint").to_owned();
        let shown = t.json(&["show", &thumbprint]);
        assert!(
            shown["sans"].to_string().contains("dns:meet.fabrikam.com"),
            "{ca}: {shown}"
        );
        issued.push(thumbprint);
    }
    t.json(&["import", s(&common::fx("root.pem")), "--trust-root"]);
    t.json(&["assign", "--type", usages, "--thumbprint", &issued[2]]);
    let status = t.json(&["status"]).to_string();
    assert!(status.contains(&issued[2]), "{status}");
}

/// Procedure B: AD CS answers with a chain whose root the store does not trust yet.
/// Without `--trust-root` the certificate is stored, the root is named, and assigning it
/// is refused; with it the root goes to Trusted Roots with the certificate and the
/// assignment follows at once.
#[test]
fn request_trust_root_trusts_the_root_that_ends_an_online_chain() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    let root = openssl_thumbprint(&fx("root.pem"));
    let roots = |t: &TestStore| {
        t.contents("computer")
            .into_iter()
            .filter(|(_, logical, _)| logical == "root")
            .map(|(thumbprint, _, _)| thumbprint)
            .collect::<Vec<_>>()
    };

    let out = t.run(&["request", "--type", "Internal", "--ca", "corp"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("root CA") && stderr(&out).contains(&root),
        "the root is named: {}",
        stderr(&out)
    );
    let untrusted = t.json(&["request", "--type", "Internal", "--ca", "corp"]);
    assert_eq!(untrusted["untrusted_root"]["thumbprint"], root.as_str());
    assert!(roots(&t).is_empty(), "nothing trusted without the choice");
    let leaf = untrusted["thumbprint"].as_str().expect("thumbprint");
    fails(
        &t.run(&["assign", "--type", "Internal", "--thumbprint", leaf]),
        1,
        "cannot be assigned",
    );

    let trusted = t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "corp",
        "--trust-root",
    ]);
    assert_eq!(trusted["trusted_root"]["thumbprint"], root.as_str());
    assert!(trusted.get("untrusted_root").is_none(), "{trusted}");
    assert_eq!(roots(&t), vec![root.clone()]);
    let leaf = trusted["thumbprint"].as_str().expect("thumbprint");
    t.json(&["assign", "--type", "Internal", "--thumbprint", leaf]);
    let log = t.json(&["log"]).to_string();
    assert!(
        log.contains("--ca corp --trust-root"),
        "the equivalent command keeps the choice: {log}"
    );

    // Once trusted, a later answer is not offered again.
    let again = t.json(&["request", "--type", "Internal", "--ca", "corp"]);
    assert!(again.get("untrusted_root").is_none(), "{again}");
}

/// `ca add` reaches the CA before it saves the connection: a TLS certificate the
/// connection does not trust names the fix (its TLS trust, not its URL), a CA that does
/// not answer is not saved unless `--no-test` says to save it untried.
#[test]
fn ca_add_tries_the_ca_first_and_an_untrusted_tls_names_the_ca_bundle() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    let add = |name: &str, url: &str, extra: &[&str]| {
        let mut args = vec![
            "ca",
            "add",
            name,
            "--certsrv",
            url,
            "--username",
            certsrv::USER,
            "--password-env",
            "CERTDESK_TEST_PASSWORD",
        ];
        args.extend(extra);
        t.command()
            .args(&args)
            .env("CERTDESK_TEST_PASSWORD", certsrv::PASSWORD)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("certdesk runs")
    };
    let names = |t: &TestStore| {
        t.json(&["ca", "list"])
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };

    let untrusted = add("corp", &server.url, &[]);
    fails(&untrusted, 1, "its TLS certificate is not trusted here");
    assert!(stderr(&untrusted).contains("--ca-bundle FILE"));
    assert!(stderr(&untrusted).contains("nothing was saved"));
    assert!(
        !stderr(&untrusted).contains("check its URL"),
        "not the URL: {}",
        stderr(&untrusted)
    );
    let gone = format!("https://127.0.0.1:{}/certsrv", free_tcp_port());
    fails(&add("later", &gone, &[]), 1, "cannot be reached");
    assert_eq!(names(&t), vec!["builtin"], "nothing saved");

    let saved = add("later", &gone, &["--no-test"]);
    assert!(saved.status.success(), "{}", stderr(&saved));
    let tried = add("corp", &server.url, &["--ca-bundle", s(&server.tls_bundle)]);
    assert!(tried.status.success(), "{}", stderr(&tried));
    assert!(String::from_utf8_lossy(&tried.stdout).contains("reached and added"));
    assert_eq!(names(&t), vec!["builtin", "corp", "later"]);
    let log = t.json(&["log"]).to_string();
    assert!(log.contains("ca add later --certsrv"), "{log}");
    assert!(log.contains("--no-test"), "the untried save says so: {log}");
}
