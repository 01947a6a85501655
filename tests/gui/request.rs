//! The request wizard and Renew in the window: the built-in CA, ACME (HTTP-01 and DNS-01),
//! AD CS with retrieval, SCEP, the SIP domains' SANs, and the whole walk by keyboard.

use crate::common;

use certdesk::deploy::usage::UsageType;
use certdesk::gui::app::CertdeskApp;
use certdesk::gui::dialogs::Dialog;
use certdesk::gui::views::Page;
use certdesk::store::{Location, Logical, Store};
use common::window::settle;
use common::{EDGE, TestStore, fx, s};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::app::{
    click, edge_store, harness, is_disabled, retype, select, store_files, to_ca_page,
    to_summary_and_finish, type_into,
};

#[test]
fn the_request_wizard_through_the_builtin_ca_ends_in_personal_assigned() {
    let t = edge_store();
    let mut h = harness(&t.path());
    click(&mut h, "Request…");
    assert!(is_disabled(&h, "Next"), "no usage chosen yet");
    click(&mut h, "External Edge certificate (public Internet)");
    click(&mut h, "Next");
    click(
        &mut h,
        "Send the request immediately to an online certification authority",
    );
    click(&mut h, "Next");
    // The store has no built-in CA yet: its root is trusted only when the user agrees.
    assert!(is_disabled(&h, "Next"), "the root is not trusted silently");
    h.get_by_label_contains("agree to create the built-in CA and trust its root");
    click(
        &mut h,
        "Create the built-in CA and trust its root in this store",
    );
    click(&mut h, "Next");
    h.get_by_label("The built-in CA needs no account credentials.");
    to_summary_and_finish(
        &mut h,
        8,
        "SANs: sip.contoso.com, webcon.contoso.com, sip.fabrikam.com",
    );
    h.get_by_label_contains("Thumbprint:");
    h.get_by_label("Assign the certificate to certificate usages");
    click(&mut h, "Finish");
    settle(&mut h);
    let store = Store::open(&t.path()).expect("store");
    let personal = store
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list");
    assert_eq!(personal.len(), 1);
    assert!(personal[0].key.is_some());
    let assigned: Vec<UsageType> = store
        .assignments()
        .expect("assignments")
        .iter()
        .map(|a| a.usage)
        .collect();
    assert_eq!(assigned, UsageType::EDGE_EXTERNAL.to_vec());
}

#[test]
fn the_sip_domain_ticks_change_the_requested_sans() {
    let t = edge_store();
    let mut h = harness(&t.path());
    click(&mut h, "Request…");
    click(&mut h, "External Edge certificate (public Internet)");
    click(&mut h, "Next");
    click(&mut h, "Next");
    click(
        &mut h,
        "Create the built-in CA and trust its root in this store",
    );
    for _ in 0..7 {
        click(&mut h, "Next");
    }
    h.get_by_label("SIP Domain Setting on Subject Alternative Names");
    h.get_by_label("SANs: sip.contoso.com, webcon.contoso.com, sip.fabrikam.com");
    click(&mut h, "sip.fabrikam.com");
    h.get_by_label("SANs: sip.contoso.com, webcon.contoso.com");
    // The summary says what the Access Edge rules will then miss, before the CA is paid.
    click(&mut h, "Next");
    click(&mut h, "Next");
    h.get_by_label("SAN inspector");
    h.get_by_label_contains("1 name needs attention");
    h.get_by_label("sip.fabrikam.com");
    h.get_by_label("⛔ missing");
}

/// The request wizard walked with the keyboard alone: Ctrl+N, Tab, Space, Enter, typing,
/// Esc; the focus never leaves the dialog.
#[test]
fn the_request_wizard_walks_with_the_keyboard_alone() {
    let t = edge_store();
    let mut h = harness(&t.path());
    let key = |h: &mut Harness<'_, CertdeskApp>, k: egui::Key| {
        h.key_press(k);
        h.run_steps(2);
    };
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    assert!(matches!(h.state().dialog, Some(Dialog::Request(_))));
    // Tab to the first certificate type, Space ticks it, Enter presses Next.
    key(&mut h, egui::Key::Tab);
    assert!(h.get_by_label("Edge internal").is_focused());
    key(&mut h, egui::Key::Space);
    key(&mut h, egui::Key::Enter);
    h.get_by_label("Delayed or Immediate Request");
    // Every Tab stays inside the dialog: the toolbar and the tree behind it are inert.
    for _ in 0..12 {
        key(&mut h, egui::Key::Tab);
        assert!(
            h.query_by_label("Request…").is_none_or(|n| !n.is_focused()),
            "the focus left the dialog"
        );
    }
    // Enter walks on to the CA page, where Tab reaches the consent to the new root and
    // Space ticks it; Enter walks on to the name page.
    key(&mut h, egui::Key::Enter);
    h.get_by_label("Certificate Request File or Authority");
    for _ in 0..10 {
        let consent = "Create the built-in CA and trust its root in this store";
        if h.get_by_label(consent).is_focused() {
            break;
        }
        key(&mut h, egui::Key::Tab);
    }
    key(&mut h, egui::Key::Space);
    for _ in 0..3 {
        key(&mut h, egui::Key::Enter);
    }
    h.get_by_label("Name and Security Settings");
    h.get_by_label("Friendly name").focus();
    h.run_steps(1);
    h.get_by_label("Friendly name")
        .type_text("Edge internal by keyboard");
    h.run_steps(1);
    key(&mut h, egui::Key::Enter);
    h.get_by_label("Organization Information");
    match &h.state().dialog {
        Some(Dialog::Request(w)) => {
            assert_eq!(w.input.friendly_name, "Edge internal by keyboard");
        }
        _ => panic!("the wizard closed"),
    }
    // Enter on a focused push button presses that button, not the default one: Tab to
    // Back, Enter, and the wizard goes back a page.
    for _ in 0..30 {
        if h.get_by_label("Back").is_focused() {
            break;
        }
        key(&mut h, egui::Key::Tab);
    }
    assert!(h.get_by_label("Back").is_focused(), "Tab reaches Back");
    key(&mut h, egui::Key::Enter);
    h.get_by_label("Name and Security Settings");
    // Esc cancels.
    key(&mut h, egui::Key::Escape);
    assert!(h.state().dialog.is_none());
}

/// The request wizard sends the request to an ACME CA of the store: the CA is chosen on the
/// CA page with the HTTP-01 listener, and the certificate issued by pebble lands in
/// Personal with its key, as from `request --ca`.
#[test]
fn the_request_wizard_orders_from_an_acme_ca() {
    let t = TestStore::with_topology(EDGE);
    let (_servers, directory, http01) = common::acme::start_pebble(t.dir.path());
    let bundle = t.dir.path().join("tls-ca.pem");
    let mut h = harness(&t.path());
    // The CA is added and tested on the Certification Authorities page; a URL that is not
    // https is one sentence in the dialog, which stays open.
    click(&mut h, "Certification Authorities");
    click(&mut h, "Add a CA…");
    type_into(&mut h, "CA name", "pebble");
    type_into(
        &mut h,
        "Directory URL",
        &directory.replace("https://", "http://"),
    );
    type_into(&mut h, "TLS trust (PEM file)", s(&bundle));
    click(&mut h, "Add");
    settle(&mut h);
    // Once, in the dialog: the notification area does not repeat what the dialog shows.
    h.get_by_label_contains("must start with https://");
    retype(&mut h, "Directory URL", &directory);
    h.run_steps(1);
    click(&mut h, "Add");
    settle(&mut h);
    assert!(h.state().dialog.is_none(), "added and closed");
    h.get_by_label("○ not yet (Test registers it)");
    click(&mut h, "pebble ⏷");
    click(&mut h, "Test the connection");
    settle(&mut h);
    h.get_by_label("✔ registered");
    click(&mut h, "Request…");
    click(&mut h, "Edge internal");
    click(&mut h, "Next");
    click(&mut h, "Next");
    click(&mut h, &format!("pebble: ACME, {directory}"));
    // A webroot needs its folder before Next; then back to certdesk's own listener.
    click(
        &mut h,
        "HTTP-01: write the answers in a web server's folder (webroot)",
    );
    assert!(is_disabled(&h, "Next"), "no webroot yet");
    h.get_by_label_contains("choose the web server's folder");
    click(
        &mut h,
        "HTTP-01: certdesk answers on this machine while the request runs",
    );
    retype(&mut h, "HTTP-01 port", "not a port");
    h.run_steps(2);
    assert!(is_disabled(&h, "Next"), "a bad port stops the wizard");
    h.get_by_label_contains("is not a port");
    retype(&mut h, "HTTP-01 port", &http01.to_string());
    retype(&mut h, "Listen address", "127.0.0.1");
    h.run_steps(2);
    to_summary_and_finish(&mut h, 9, "Immediate: the ACME CA pebble");
    h.get_by_label_contains("Thumbprint:");
    let store = Store::open(&t.path()).expect("store");
    let personal = store
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list");
    assert_eq!(personal.len(), 1);
    assert!(personal[0].key.is_some(), "with its key");
    assert!(
        personal[0].summary.issuer.contains("Pebble"),
        "{}",
        personal[0].summary.issuer
    );
}

/// AD CS Web Enrollment from the window: the connection is added with its credentials on
/// the Certification Authorities page; the wizard's Certificate Authority Account page
/// takes alternate credentials (wrong ones end on the status page with the CA's refusal,
/// nothing stored); a template that needs approval leaves the request held by the CA;
/// Retrieve fetches it once approved; Renew… renews it through the same CA.
#[test]
fn the_window_enrolls_through_ad_cs_retrieves_and_renews() {
    let t = TestStore::with_topology(EDGE);
    let server = common::certsrv::Certsrv::start(t.dir.path());
    let mut h = harness(&t.path());
    assert!(is_disabled(&h, "Retrieve"), "no CA holds a request yet");
    click(&mut h, "Certification Authorities");
    click(&mut h, "Add a CA…");
    click(&mut h, "AD CS Web Enrollment");
    type_into(&mut h, "CA name", "corp");
    type_into(&mut h, "Web Enrollment URL", &server.url);
    type_into(&mut h, "User name", common::certsrv::USER);
    assert!(is_disabled(&h, "Add"), "no password yet");
    type_into(&mut h, "Password", common::certsrv::PASSWORD);
    type_into(&mut h, "TLS trust (PEM file)", s(&server.tls_bundle));
    click(&mut h, "Add");
    settle(&mut h);
    assert!(h.state().dialog.is_none(), "added and closed");
    h.get_by_label(&format!("user {}", common::certsrv::USER));

    let to_account = |h: &mut Harness<'_, CertdeskApp>| {
        to_ca_page(h);
        let url = h.state().view.cas[0].url.clone();
        click(h, &format!("corp: AD CS Web Enrollment, {url}"));
        click(h, "Next");
        h.get_by_label("Certificate Authority Account");
    };
    to_account(&mut h);
    click(&mut h, "Use alternate credentials");
    assert!(
        is_disabled(&h, "Next"),
        "alternate credentials need both fields"
    );
    type_into(&mut h, "User name", "CONTOSO\\someone-else");
    type_into(&mut h, "Password", "not the password");
    h.run_steps(2);
    for _ in 0..8 {
        settle(&mut h);
        click(&mut h, "Next");
    }
    h.get_by_label("Immediate: the AD CS Web Enrollment CA corp, with alternate credentials");
    let before = store_files(&t.path());
    click(&mut h, "Finish");
    settle(&mut h);
    h.get_by_label("The request was not completed; nothing was stored.");
    h.get_by_label_contains("corp refused the credentials");
    let personal = |t: &TestStore| {
        Store::open(&t.path())
            .expect("store")
            .list(Some(Location::Computer), Some(Logical::Personal))
            .expect("list")
    };
    assert!(personal(&t).is_empty());
    assert_eq!(store_files(&t.path()), before, "the store is untouched");
    click(&mut h, "Close");

    // Issued at once and, with "Assign the certificate to certificate usages" ticked,
    // assigned by Finish (the store trusts the CA's root).
    t.json(&["import", s(&fx("root.pem")), "--trust-root"]);
    settle(&mut h);
    to_account(&mut h);
    to_summary_and_finish(&mut h, 8, "Immediate: the AD CS Web Enrollment CA corp");
    h.get_by_label("Assign the certificate to certificate usages");
    click(&mut h, "Finish");
    settle(&mut h);
    let assigned = Store::open(&t.path())
        .expect("store")
        .assignments()
        .expect("assignments");
    assert_eq!(assigned.len(), 1, "Edge internal assigned");
    assert_eq!(assigned[0].usage, UsageType::Internal);
    let first = personal(&t);
    assert_eq!(first.len(), 1);

    // Held for approval, then retrieved.
    to_account(&mut h);
    click(&mut h, "Next");
    // The template page lists what the CA offers (read on the network thread).
    settle(&mut h);
    click(&mut h, "Web Server (Manager Approval) (ManagerApproval)");
    to_summary_and_finish(&mut h, 7, "Template: ManagerApproval");
    h.get_by_label_contains("holds the request for a CA manager's approval");
    click(&mut h, "Finish");
    assert_eq!(personal(&t).len(), 1);
    click(&mut h, "Retrieve");
    settle(&mut h);
    assert_eq!(personal(&t).len(), 1, "not approved yet");
    server.approve(43);
    click(&mut h, "Retrieve");
    settle(&mut h);
    let issued: Vec<_> = personal(&t)
        .into_iter()
        .filter(|c| c.summary.thumbprint != first[0].summary.thumbprint)
        .collect();
    assert_eq!(issued.len(), 1, "retrieved once approved");
    assert!(issued[0].key.is_some(), "with its pending key");

    // Renew… on the retrieved certificate, with the same key and the same template, so the
    // CA holds the renewal for approval too. The toolbar acts on a row the list shows.
    h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
    settle(&mut h);
    select(&mut h, &issued[0].summary.thumbprint);
    click(&mut h, "Renew…");
    h.get_by_label("Renew with the same key");
    click(&mut h, "Renew");
    settle(&mut h);
    h.get_by_label_contains("The CA corp holds the request for approval (its reference 44)");
    click(&mut h, "Finish");
    assert!(h.state().dialog.is_none());
    server.approve(44);
    click(&mut h, "Retrieve");
    settle(&mut h);
    let renewed: Vec<_> = personal(&t)
        .into_iter()
        .filter(|c| c.summary.public_key_hash == issued[0].summary.public_key_hash)
        .collect();
    assert_eq!(renewed.len(), 2, "renewed with the same key");
}

/// DNS-01 from the wizard: the status page shows the TXT records; once they exist (the
/// test creates them in the DNS server pebble asks), Continue has the CA check them and
/// the certificate is issued.
#[test]
fn the_wizard_shows_dns01_records_and_continues() {
    let t = TestStore::with_topology(EDGE);
    let (servers, directory, _) = common::acme::pebble_in(&t);
    let mut h = harness(&t.path());
    to_ca_page(&mut h);
    click(&mut h, &format!("pebble: ACME, {directory}"));
    click(
        &mut h,
        "DNS-01: show the TXT records to create, then continue",
    );
    to_summary_and_finish(
        &mut h,
        9,
        "Immediate: the ACME CA pebble, answered by DNS-01",
    );
    let name = "_acme-challenge.edgepool.contoso.net.";
    h.get_by_label(name);
    let value = match &h.state().dialog {
        Some(Dialog::Request(w)) => w
            .outcome
            .as_ref()
            .and_then(|o| o.dns_records.first())
            .map(|r| r.value.clone())
            .expect("a record"),
        _ => panic!("the wizard closed"),
    };
    h.get_by_label(&value);
    servers.set_txt(name, &value);
    click(&mut h, "Continue");
    settle(&mut h);
    h.get_by_label_contains("Thumbprint:");
    h.get_by_label("Assign the certificate to certificate usages");
    let store = Store::open(&t.path()).expect("store");
    let personal = store
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list");
    assert_eq!(personal.len(), 1);
    assert!(personal[0].key.is_some());
    assert!(
        store
            .pending_requests(Location::Computer)
            .expect("requests")
            .is_empty()
    );
}

/// Renew… on a certificate an ACME CA issued asks how the CA's challenges are answered,
/// as the wizard does: a listener port that is not a port stops it; DNS-01 shows the TXT
/// records in the dialog, and once they exist Continue has the CA issue the renewal, which
/// the dialog offers the old certificate's usages.
#[test]
fn renew_answers_an_acme_ca_by_dns01() {
    let t = TestStore::with_topology(EDGE);
    let (servers, _, _) = common::acme::pebble_in(&t);
    let held = t.json(&["request", "--type", "Internal", "--ca", "pebble", "--dns01"]);
    let publish = |records: &serde_json::Value| {
        for record in records.as_array().expect("records") {
            servers.set_txt(
                record["name"].as_str().expect("name"),
                record["value"].as_str().expect("value"),
            );
        }
    };
    publish(&held["dns_records"]);
    let polled = t.json(&["requests", "--poll"]);
    let old = polled[0]["thumbprint"].as_str().expect("issued").to_owned();
    let mut h = harness(&t.path());
    settle(&mut h);
    select(&mut h, &old);
    click(&mut h, "Renew…");
    h.get_by_label("The CA that issued it: pebble");
    assert!(
        h.query_by_label_contains("pebble: https://").is_none(),
        "the issuing CA is offered once"
    );
    retype(&mut h, "HTTP-01 port", "eighty");
    h.run_steps(2);
    assert!(is_disabled(&h, "Renew"), "a bad port stops it");
    h.get_by_label_contains("is not a port");
    // Another kind of CA does not care what was typed for ACME: Renew sends (and this
    // store has no built-in CA to agree to, which the dialog says).
    click(&mut h, "certdesk built-in CA");
    click(&mut h, "Renew");
    settle(&mut h);
    h.get_by_label_contains("the built-in CA does not exist in this store yet");
    click(&mut h, "The CA that issued it: pebble");
    click(
        &mut h,
        "DNS-01: show the TXT records to create, then continue",
    );
    click(&mut h, "Renew");
    settle(&mut h);
    h.get_by_label("_acme-challenge.edgepool.contoso.net.");
    let records = match &h.state().dialog {
        Some(Dialog::Renew(d)) => d
            .outcome
            .as_ref()
            .map(|o| o.request.dns_records.clone())
            .expect("records shown"),
        _ => panic!("the dialog closed"),
    };
    publish(&serde_json::to_value(&records).expect("json"));
    click(&mut h, "Continue");
    settle(&mut h);
    h.get_by_label_contains("The CA pebble issued the renewed certificate");
    let personal: Vec<_> = Store::open(&t.path())
        .expect("store")
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list")
        .into_iter()
        .filter(|c| c.summary.thumbprint != old)
        .collect();
    assert_eq!(personal.len(), 1, "renewed");
    assert!(personal[0].key.is_some(), "with its key");
    // The log's equivalent command says how the CA was answered.
    let log = t.json(&["log"]).to_string();
    assert!(
        log.contains(&format!("renew {old} --ca pebble --dns01")),
        "{log}"
    );
}

/// "Specify another certification authority" on the wizard's CA page: a SCEP CA entered
/// there is kept in the store and chosen, and the request goes to it (scepserver, with its
/// challenge password).
#[test]
fn the_wizard_specifies_another_ca_and_enrolls_by_scep() {
    let t = TestStore::with_topology(EDGE);
    let (_server, url) = common::scep::start_scep(t.dir.path(), "wizard-challenge");
    let mut h = harness(&t.path());
    to_ca_page(&mut h);
    click(&mut h, "Specify another certification authority…");
    click(&mut h, "SCEP");
    type_into(&mut h, "CA name", "scep");
    type_into(&mut h, "SCEP URL", &url);
    type_into(&mut h, "Challenge password", "wizard-challenge");
    click(&mut h, "Add this CA");
    settle(&mut h);
    match &h.state().dialog {
        Some(Dialog::Request(w)) => {
            assert_eq!(w.online_ca.as_deref(), Some("scep"), "the new CA is chosen");
            assert!(w.another.is_none());
        }
        _ => panic!("the wizard closed"),
    }
    h.get_by_label(&format!("scep: SCEP, {url}"));
    click(&mut h, "Next");
    h.get_by_label_contains("The challenge password kept with scep is sent");
    to_summary_and_finish(&mut h, 8, "Immediate: the SCEP CA scep");
    h.get_by_label_contains("Thumbprint:");
    let store = Store::open(&t.path()).expect("store");
    assert_eq!(store.cas().expect("cas").len(), 1);
    let personal = store
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list");
    assert_eq!(personal.len(), 1);
    assert!(personal[0].summary.issuer.contains("SCEP CA"));
}

/// A delayed request ends on "Certificate Request File", not on an online CA's status, with
/// the CSR saved where the CA page said.
#[test]
fn a_delayed_request_ends_on_its_request_file() {
    let t = edge_store();
    let mut h = harness(&t.path());
    click(&mut h, "Request…");
    click(&mut h, "Edge internal");
    click(&mut h, "Next");
    click(
        &mut h,
        "Prepare the request now, but send it later (offline certificate request)",
    );
    click(&mut h, "Next");
    let csr = t.dir.path().join("edge-internal.csr");
    type_into(&mut h, "Certificate request file", s(&csr));
    for _ in 0..12 {
        if h.query_by_label("Finish").is_some() {
            break;
        }
        click(&mut h, "Next");
    }
    click(&mut h, "Finish");
    settle(&mut h);
    h.get_by_label("Certificate Request File");
    assert!(
        h.query_by_label("Online Certificate Request Status")
            .is_none()
    );
    let pem = std::fs::read_to_string(&csr).expect("the CSR is saved");
    assert!(
        pem.starts_with("-----BEGIN NEW CERTIFICATE REQUEST-----"),
        "{pem}"
    );
}
