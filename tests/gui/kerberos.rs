//! AD CS signed in to with Kerberos from the window: the CA dialog's Authentication choice
//! and no user (the ticket), the Certification Authorities page naming the mechanism the
//! server accepted, and the wizard's Certificate Authority Account page saying which
//! identity will be used (a ticket found, or none). Kerberos reads its configuration and
//! ticket cache from the environment, so each window runs in a child test of its own
//! with `KRB5_CONFIG` and `KRB5CCNAME` set (a test may not change its own environment).

use std::process::Command;

use crate::app::{click, harness, to_ca_page, type_into};
use crate::common::certsrv::Certsrv;
use crate::common::kerberos::{ALICE, Apache, Kdc};
use crate::common::window::settle;
use crate::common::{self, TestStore, s};
use certdesk::ops::cas::{self, NewCa, Protocol};
use certdesk::store::{AuthChoice, Store};
use egui_kittest::kittest::Queryable;

/// Runs the ignored test `name` with the realm's configuration, the ticket cache `cache`
/// and the Web Enrollment URL and TLS trust in the environment.
fn run_with_ticket(kdc: &Kdc, cache: &str, url: &str, bundle: &str, name: &str) {
    let mut wrapper = Command::new("bash");
    wrapper
        .args(["-c", r#""$0" "$@""#])
        .env("KRB5_CONFIG", kdc.krb5_config())
        .env("KRB5CCNAME", cache)
        .env("CERTDESK_TEST_CERTSRV_URL", url)
        .env("CERTDESK_TEST_CERTSRV_BUNDLE", bundle);
    common::run_inner_test(wrapper, name);
}

#[test]
fn the_window_signs_in_with_the_kerberos_ticket_and_says_so() {
    let t = TestStore::new();
    let server = Certsrv::start(t.dir.path());
    let kdc = Kdc::start();
    let apache = Apache::start(&kdc, &server, t.dir.path());
    let ticket = kdc.kinit(t.dir.path(), "ticket", "1h");
    let url = apache.url("krb");
    let bundle = t.dir.path().join("tls-ca.pem");
    run_with_ticket(
        &kdc,
        &format!("FILE:{}", ticket.display()),
        &url,
        s(&bundle),
        "kerberos::with_a_ticket_inside",
    );
    let none = t.dir.path().join("no-ticket");
    run_with_ticket(
        &kdc,
        &format!("FILE:{}", none.display()),
        &url,
        s(&bundle),
        "kerberos::without_a_ticket_inside",
    );
}

fn env(name: &str) -> String {
    std::env::var(name).expect("set by the outer test")
}

/// Run by [`the_window_signs_in_with_the_kerberos_ticket_and_says_so`] with alice's ticket.
#[test]
#[ignore = "runs with the Kerberos environment its caller sets"]
fn with_a_ticket_inside() {
    let url = env("CERTDESK_TEST_CERTSRV_URL");
    let t = crate::app::edge_store();
    let mut h = harness(&t.path());
    click(&mut h, "Certification Authorities");
    click(&mut h, "Add a CA…");
    click(&mut h, "AD CS Web Enrollment");
    type_into(&mut h, "CA name", "corp");
    type_into(&mut h, "Web Enrollment URL", &url);
    h.get_by_label("Authentication");
    type_into(
        &mut h,
        "TLS trust (PEM file)",
        &env("CERTDESK_TEST_CERTSRV_BUNDLE"),
    );
    click(&mut h, "Add");
    settle(&mut h);
    assert!(h.state().dialog.is_none(), "added with no user and closed");
    h.get_by_label("your Kerberos ticket");
    h.get_by_label(&format!("Kerberos (Negotiate) as {ALICE}"));

    to_ca_page(&mut h);
    click(&mut h, &format!("corp: AD CS Web Enrollment, {url}"));
    click(&mut h, "Next");
    h.get_by_label("Certificate Authority Account");
    h.get_by_label(&format!("certdesk signs in to {url}"));
    // The ticket cache is read off the UI thread: the page says so meanwhile.
    settle(&mut h);
    h.get_by_label(&format!("as {ALICE}, Kerberos ticket found"));
    click(&mut h, "Use alternate credentials");
    type_into(&mut h, "User name", "CONTOSO\\someone-else");
    settle(&mut h);
    h.get_by_label("as CONTOSO\\someone-else, with the password given for this request");
}

/// Run by [`the_window_signs_in_with_the_kerberos_ticket_and_says_so`] with no ticket.
#[test]
#[ignore = "runs with the Kerberos environment its caller sets"]
fn without_a_ticket_inside() {
    let url = env("CERTDESK_TEST_CERTSRV_URL");
    let t = crate::app::edge_store();
    {
        let mut store = Store::open(&t.path()).expect("store");
        let new = NewCa {
            name: "corp".into(),
            protocol: Protocol::Certsrv {
                url: url.clone(),
                auth: AuthChoice::Negotiate,
                username: String::new(),
                password: Default::default(),
            },
            ca_bundle: None,
            try_first: false,
        };
        cas::add(&mut store, &new, 0).expect("added untried");
    }
    let mut h = harness(&t.path());
    to_ca_page(&mut h);
    click(&mut h, &format!("corp: AD CS Web Enrollment, {url}"));
    click(&mut h, "Next");
    settle(&mut h);
    h.get_by_label_contains("no ticket: give a user and password (or run kinit)");
}
