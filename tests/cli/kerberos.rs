//! AD CS Web Enrollment signed in to as enterprises run it, against real servers on
//! loopback (`common::kerberos`): an MIT KDC, Apache with mod_auth_gssapi in front of the
//! AD CS stand-in (Kerberos; NTLM inside SPNEGO through gss-ntlmssp), and a python3-gssapi
//! server that requires channel bindings. The Front End request is issued and assigned
//! with a ticket from kinit and no password stored, with NTLM and a password, and with
//! channel bindings required; each failure is one sentence, exits as CLI.md says, and
//! stores nothing.

use std::path::Path;

use crate::common::certsrv::Certsrv;
use crate::common::kerberos::{ALICE, Apache, Binding, BindingServer, Kdc, NTLM_USER, REALM};
use crate::common::{self, TestStore, fails, s};

const USAGES: &str = "Default,WebServicesInternal,WebServicesExternal";

/// `ca add NAME --certsrv URL` trusting the stand-in's TLS CA, with `extra` arguments.
fn add(
    kdc: &Kdc,
    t: &TestStore,
    cache: &Path,
    name: &str,
    url: &str,
    extra: &[&str],
) -> std::process::Output {
    let bundle = t.dir.path().join("tls-ca.pem");
    let mut args = vec![
        "ca",
        "add",
        name,
        "--certsrv",
        url,
        "--ca-bundle",
        s(&bundle),
    ];
    args.extend_from_slice(extra);
    kdc.certdesk(t, cache, &args)
}

/// The Front End certificate requested from `ca` with the WebServer template: its
/// thumbprint.
fn request_front_end(kdc: &Kdc, t: &TestStore, cache: &Path, ca: &str) -> String {
    let out = kdc.json(
        t,
        cache,
        &[
            "request",
            "--type",
            USAGES,
            "--ca",
            ca,
            "--template",
            "WebServer",
        ],
    );
    assert_eq!(out["status"], "issued", "{out}");
    let thumbprint = out["thumbprint"].as_str().expect("thumbprint").to_owned();
    let shown = t.json(&["show", &thumbprint]);
    assert!(
        shown["sans"].to_string().contains("dns:meet.fabrikam.com"),
        "{shown}"
    );
    thumbprint
}

fn assign(t: &TestStore, thumbprint: &str) {
    t.json(&["import", s(&common::fx("root.pem")), "--trust-root"]);
    t.json(&["assign", "--type", USAGES, "--thumbprint", thumbprint]);
    let status = t.json(&["status"]).to_string();
    assert!(status.contains(thumbprint), "{status}");
}

fn names(t: &TestStore) -> String {
    t.json(&["ca", "list"]).to_string()
}

#[test]
fn a_kerberos_ticket_from_kinit_signs_in_and_the_front_end_request_is_issued_and_assigned() {
    let t = TestStore::with_topology(common::FRONT_END);
    let server = Certsrv::start(t.dir.path());
    let kdc = Kdc::start();
    let apache = Apache::start(&kdc, &server, t.dir.path());
    let cache = kdc.kinit(t.dir.path(), "ticket", "1h");

    let added = add(&kdc, &t, &cache, "corp", &apache.url("krb"), &[]);
    assert!(added.status.success(), "{}", common::stderr(&added));
    let tested = kdc.json(&t, &cache, &["ca", "test", "corp"]);
    assert_eq!(tested["mechanism"], "kerberos", "{tested}");
    assert_eq!(tested["signed_in_as"], ALICE, "{tested}");
    let listed = t.json(&["ca", "list"]);
    assert!(listed.to_string().contains("corp"));
    assert!(
        listed
            .as_array()
            .expect("list")
            .iter()
            .all(|c| c["username"].is_null()),
        "{listed}"
    );

    let thumbprint = request_front_end(&kdc, &t, &cache, "corp");
    assign(&t, &thumbprint);

    let identity = kdc.json(&t, &cache, &["ca", "identity", "corp"]);
    assert_eq!(
        identity["words"],
        format!("as {ALICE}, Kerberos ticket found"),
        "{identity}"
    );

    // Nothing stored signs in: without the ticket, the connection has no credentials.
    let empty = t.dir.path().join("no-ticket");
    fails(
        &kdc.certdesk(&t, &empty, &["ca", "identity", "corp"]),
        2,
        "no ticket: give a user and password",
    );
    let refused = kdc.certdesk(&t, &empty, &["ca", "test", "corp"]);
    fails(&refused, 2, "run kinit, or give a user and password");
    // Unattended: MIT Kerberos gets the ticket from the client keytab itself.
    let unattended = t
        .command()
        .args(["--json", "ca", "test", "corp"])
        .env("KRB5_CONFIG", kdc.krb5_config())
        .env("KRB5CCNAME", format!("FILE:{}", empty.display()))
        .env("KRB5_CLIENT_KTNAME", kdc.alice_keytab())
        .output()
        .expect("certdesk runs");
    assert!(
        unattended.status.success(),
        "{}",
        common::stderr(&unattended)
    );
    let log = t.json(&["log"]).to_string();
    assert!(log.contains("ca add corp --certsrv"), "{log}");
    assert!(!log.contains("--password"), "no password was given: {log}");
}

#[test]
fn ntlm_with_a_password_signs_in_inside_spnego_and_a_wrong_one_is_refused() {
    let t = TestStore::with_topology(common::FRONT_END);
    let server = Certsrv::start(t.dir.path());
    let kdc = Kdc::start();
    let apache = Apache::start(&kdc, &server, t.dir.path());
    let none = t.dir.path().join("no-ticket");
    let url = apache.url("ntlm");
    let user = ["--username", NTLM_USER];

    let wrong = add(
        &kdc,
        &t,
        &none,
        "stale",
        &url,
        &[&user[..], &["--password-env", "CERTDESK_WRONG_PASSWORD"]].concat(),
    );
    fails(&wrong, 2, "refused the credentials");
    assert!(!names(&t).contains("stale"), "nothing saved");

    let added = add(
        &kdc,
        &t,
        &none,
        "corp",
        &url,
        &[&user[..], &["--password-env", "CERTDESK_NTLM_PASSWORD"]].concat(),
    );
    assert!(added.status.success(), "{}", common::stderr(&added));
    let tested = kdc.json(&t, &none, &["ca", "test", "corp"]);
    assert_eq!(tested["mechanism"], "ntlm-in-negotiate", "{tested}");
    assert_eq!(tested["signed_in_as"], NTLM_USER, "{tested}");
    let thumbprint = request_front_end(&kdc, &t, &none, "corp");
    assign(&t, &thumbprint);
}

#[test]
fn raw_ntlm_as_iis_offers_it_signs_in_one_connection_with_bindings() {
    let t = TestStore::with_topology(common::FRONT_END);
    let server = Certsrv::start(t.dir.path());
    let kdc = Kdc::start();
    let iis = BindingServer::start(&kdc, &server, t.dir.path(), Binding::RawNtlm);
    let none = t.dir.path().join("no-ticket");
    let ntlm = ["--auth", "ntlm", "--username", NTLM_USER];

    fails(
        &add(&kdc, &t, &none, "ticket-only", &iis.url(), &[]),
        2,
        "NTLM needs a user name and password",
    );
    let wrong = add(
        &kdc,
        &t,
        &none,
        "stale",
        &iis.url(),
        &[&ntlm[..], &["--password-env", "CERTDESK_WRONG_PASSWORD"]].concat(),
    );
    fails(&wrong, 2, "refused the credentials");
    let added = add(
        &kdc,
        &t,
        &none,
        "corp",
        &iis.url(),
        &[&ntlm[..], &["--password-env", "CERTDESK_NTLM_PASSWORD"]].concat(),
    );
    assert!(added.status.success(), "{}", common::stderr(&added));
    let tested = kdc.json(&t, &none, &["ca", "test", "corp"]);
    assert_eq!(tested["mechanism"], "ntlm", "{tested}");
    assert_eq!(tested["signed_in_as"], NTLM_USER, "{tested}");
    let thumbprint = request_front_end(&kdc, &t, &none, "corp");
    assign(&t, &thumbprint);
    assert!(!names(&t).contains("stale"), "nothing saved");

    // Where gss-ntlmssp is not installed (MIT reads no mechanism file but an empty one).
    let no_mechs = t.dir.path().join("no-mechanisms.conf");
    std::fs::write(&no_mechs, "").expect("empty mechanism file");
    let without = t
        .command()
        .args(["ca", "test", "corp"])
        .env("KRB5_CONFIG", kdc.krb5_config())
        .env("GSS_MECH_CONFIG", &no_mechs)
        .output()
        .expect("certdesk runs");
    fails(
        &without,
        1,
        "needs the gss-ntlmssp package, which is not installed",
    );
}

#[test]
fn kerberos_failures_are_one_sentence_each_and_store_nothing() {
    let t = TestStore::with_topology(common::FRONT_END);
    let server = Certsrv::start(t.dir.path());
    let mut kdc = Kdc::start();
    let apache = Apache::start(&kdc, &server, t.dir.path());
    let url = apache.url("krb");
    let none = t.dir.path().join("no-ticket");
    let principal = format!("alice@{REALM}");
    let with = |env: &'static str| {
        vec![
            "--username".to_owned(),
            principal.clone(),
            "--password-env".to_owned(),
            env.to_owned(),
        ]
    };
    let strs = |v: &[String]| v.iter().map(String::clone).collect::<Vec<_>>();

    // A password gets a ticket in memory: no cache needed.
    let args = strs(&with("CERTDESK_TEST_PASSWORD"));
    let added = add(
        &kdc,
        &t,
        &none,
        "by-password",
        &url,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(added.status.success(), "{}", common::stderr(&added));
    let tested = kdc.json(&t, &none, &["ca", "test", "by-password"]);
    assert_eq!(tested["mechanism"], "kerberos", "{tested}");

    let args = strs(&with("CERTDESK_WRONG_PASSWORD"));
    let wrong = add(
        &kdc,
        &t,
        &none,
        "wrong",
        &url,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    fails(&wrong, 2, "refused the password of alice@CERTDESK.TEST");

    fails(
        &add(&kdc, &t, &none, "no-ticket", &url, &[]),
        2,
        "no Kerberos ticket was found: run kinit",
    );
    let basic = [
        "--auth",
        "basic",
        "--username",
        "alice",
        "--password-env",
        "CERTDESK_TEST_PASSWORD",
    ];
    fails(
        &add(&kdc, &t, &none, "basic", &url, &basic),
        1,
        "offers Negotiate but not Basic",
    );

    let short = kdc.kinit(t.dir.path(), "short", "2s");
    std::thread::sleep(std::time::Duration::from_secs(3));
    fails(
        &add(&kdc, &t, &short, "expired", &url, &[]),
        2,
        "has expired",
    );

    // A clock the KDC does not accept: for the server's ticket, and for a password's.
    let before_skew = kdc.kinit(t.dir.path(), "before-skew", "1h");
    kdc.restart_with_skew();
    fails(
        &add(&kdc, &t, &before_skew, "skewed", &url, &[]),
        1,
        "clock differs from the Kerberos KDC's",
    );
    fails(
        &kdc.certdesk(&t, &none, &["ca", "test", "by-password"]),
        1,
        "clock differs from the Kerberos KDC's",
    );
    kdc.restart();

    // The KDC gone: a fresh TGT still needs it for the server's ticket, a password too.
    let fresh = kdc.kinit(t.dir.path(), "fresh", "1h");
    kdc.stop();
    fails(
        &add(&kdc, &t, &fresh, "kdc-down", &url, &[]),
        1,
        "no Kerberos KDC could be reached",
    );
    fails(
        &kdc.certdesk(&t, &none, &["ca", "test", "by-password"]),
        1,
        "no Kerberos KDC could be reached",
    );

    let listed = names(&t);
    for name in [
        "wrong",
        "no-ticket",
        "basic",
        "expired",
        "skewed",
        "kdc-down",
    ] {
        assert!(
            !listed.contains(&format!("\"{name}\"")),
            "{name} saved: {listed}"
        );
    }
}

#[test]
fn channel_bindings_required_by_the_server_are_given_and_a_mismatch_is_named() {
    let t = TestStore::with_topology(common::FRONT_END);
    let server = Certsrv::start(t.dir.path());
    let kdc = Kdc::start();
    let cache = kdc.kinit(t.dir.path(), "ticket", "1h");

    let required = BindingServer::start(&kdc, &server, t.dir.path(), Binding::Required);
    let added = add(&kdc, &t, &cache, "epa", &required.url(), &[]);
    assert!(added.status.success(), "{}", common::stderr(&added));
    let tested = kdc.json(&t, &cache, &["ca", "test", "epa"]);
    assert_eq!(tested["mechanism"], "kerberos", "{tested}");
    let thumbprint = request_front_end(&kdc, &t, &cache, "epa");
    assign(&t, &thumbprint);

    let proxied = BindingServer::start(&kdc, &server, t.dir.path(), Binding::BehindProxy);
    fails(
        &add(&kdc, &t, &cache, "proxied", &proxied.url(), &[]),
        1,
        "requires channel binding (Extended Protection for Authentication)",
    );
    let unproved = BindingServer::start(&kdc, &server, t.dir.path(), Binding::Unproved);
    fails(
        &add(&kdc, &t, &cache, "unproved", &unproved.url(), &[]),
        1,
        "did not prove it is the server its Kerberos ticket was for",
    );
    let digest = BindingServer::start(&kdc, &server, t.dir.path(), Binding::DigestOnly);
    fails(
        &add(&kdc, &t, &cache, "digest", &digest.url(), &[]),
        1,
        "offers Digest",
    );
    let plain = add(
        &kdc,
        &t,
        &cache,
        "plain",
        &required.url().replace("https:", "http:"),
        &[],
    );
    fails(&plain, 2, "must start with https://");
    let listed = names(&t);
    assert!(
        !listed.contains("proxied")
            && !listed.contains("unproved")
            && !listed.contains("digest")
            && !listed.contains("plain"),
        "{listed}"
    );
}
