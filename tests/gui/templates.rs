//! The request wizard's template page against an AD CS CA (the stand-in of
//! `common::certsrv`): the templates the CA lists are read in the background and offered
//! as a list, the one chosen is what the CA receives; a CA whose list cannot be read leaves
//! the typed template, with the reason. The Certification Authorities page's Test offers
//! the CA's own root when it is not trusted.

use crate::app::{click, harness, is_disabled, retype, to_ca_page, to_summary_and_finish};
use crate::common;

use certdesk::gui::app::CertdeskApp;
use certdesk::store::{Location, Logical, Store};
use common::certsrv::{Certsrv, TEMPLATES};
use common::window::settle;
use common::{EDGE, TestStore, fx, openssl_thumbprint};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The wizard open on the template page for the AD CS connection `corp`, its list read.
fn to_template_page(t: &TestStore) -> Harness<'static, CertdeskApp> {
    let mut h = harness(&t.path());
    to_ca_page(&mut h);
    let url = h.state().view.cas[0].url.clone();
    click(&mut h, &format!("corp: AD CS Web Enrollment, {url}"));
    click(&mut h, "Next");
    click(&mut h, "Next");
    h.get_by_label("Specify Alternate Certificate Template");
    settle(&mut h);
    h
}

#[test]
fn the_template_page_offers_the_templates_the_ca_lists_and_sends_the_one_chosen() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    let mut h = to_template_page(&t);

    h.get_by_label("The templates the CA corp lets you enroll:");
    for (name, display) in TEMPLATES {
        match name == display {
            true => h.get_by_label(name),
            false => h.get_by_label(&format!("{display} ({name})")),
        };
    }
    assert!(
        h.query_by_label("Template").is_none(),
        "a list, not a field to type in"
    );
    click(&mut h, "Web Server (Manager Approval) (ManagerApproval)");
    to_summary_and_finish(&mut h, 7, "Template: ManagerApproval");
    assert_eq!(server.submissions(), 1);
    // The CA holds what it received for approval: the request was for ManagerApproval.
    server.approve(42);
}

#[test]
fn next_waits_until_a_template_the_ca_offers_is_chosen() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    server.serve_templates_page(
        "<Select Name=lbCertTemplate ID=lbCertTemplateID>\
         <Option Value=\"E;User;1;4;41;16;0;0;;;;;;User\">User</Option>\
         <Option Value=\"E;CorpWeb;1;4;0;0;1;0;;;;;;Corp Web\">Corp Web</Option></Select>"
            .to_owned(),
    );
    let mut h = to_template_page(&t);

    // WebServer, the default, is not offered: nothing is chosen and Next says so.
    h.get_by_label("Corp Web (CorpWeb)");
    assert!(is_disabled(&h, "Next"));
    h.get_by_label_contains("choose one of the templates the CA offers");
    click(&mut h, "Corp Web (CorpWeb)");
    assert!(!is_disabled(&h, "Next"));
    for _ in 0..7 {
        click(&mut h, "Next");
    }
    h.get_by_label("Template: CorpWeb");
}

#[test]
fn a_list_that_cannot_be_read_leaves_the_typed_template_and_says_why() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    server.serve_templates_page("<html>Service Unavailable</html>".to_owned());
    let mut h = to_template_page(&t);

    h.get_by_label_contains("The template list could not be read from corp");
    h.get_by_label_contains("has no certificate template list");
    retype(&mut h, "Template", "CorpWeb");
    h.run_steps(2);
    assert!(!is_disabled(&h, "Next"));
    for _ in 0..7 {
        click(&mut h, "Next");
    }
    h.get_by_label("Template: CorpWeb");
    assert_eq!(server.submissions(), 0, "nothing is sent before Finish");
}

#[test]
fn testing_an_ad_cs_ca_offers_its_untrusted_root_and_trusts_it_when_asked() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    let root = openssl_thumbprint(&fx("root.pem"));
    let roots = || {
        Store::open(&t.path())
            .expect("store")
            .list(Some(Location::Computer), Some(Logical::Root))
            .expect("roots")
            .into_iter()
            .map(|c| c.summary.thumbprint)
            .collect::<Vec<_>>()
    };
    let mut h = harness(&t.path());
    click(&mut h, "Certification Authorities");
    click(&mut h, "corp ⏷");
    click(&mut h, "Test the connection");
    settle(&mut h);

    h.get_by_label_contains("The chain of corp ends in the root CA");
    h.get_by_label(&format!("Thumbprint (sha1): {root}"));
    assert!(!roots().contains(&root), "offered, not trusted");
    click(&mut h, "Trust this root CA");
    settle(&mut h);
    assert!(roots().contains(&root), "trusted as the user agreed");
    assert!(
        h.query_by_label_contains("The chain of corp ends in")
            .is_none(),
        "the offer is answered"
    );

    // Trusted now: a second Test offers nothing.
    click(&mut h, "corp ⏷");
    click(&mut h, "Test the connection");
    settle(&mut h);
    assert!(
        h.query_by_label_contains("The chain of corp ends in")
            .is_none()
    );
}
