//! CA connections and the window's messages: a CA is tried before it is saved (or saved
//! untried when the user says "Save anyway"), a TLS certificate the connection does not
//! trust points to the connection's TLS trust, the request wizard proposes the configured
//! CA, and results and errors arrive in one notification area above the status bar that
//! covers no control, where an error stays until dismissed and the Activity log keeps it.

use crate::app::{click, harness, to_ca_page, type_into};
use crate::common;

use certdesk::gui::app::CertdeskApp;
use certdesk::store::Store;
use common::certsrv::{self, Certsrv};
use common::window::settle;
use common::{TestStore, s};
use egui::accesskit::{Action, Rect, Toggled};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The bounds of the first node whose label contains `text`.
fn bounds(h: &Harness<'_, CertdeskApp>, text: &str) -> Rect {
    h.get_by_label_contains(text)
        .accesskit_node()
        .bounding_box()
        .expect("on screen")
}

/// Every clickable control outside the notification area that `notice` overlaps.
fn covered(h: &Harness<'_, CertdeskApp>, notice: Rect) -> Vec<String> {
    h.root()
        .children_recursive()
        .filter_map(|node| {
            let n = node.accesskit_node();
            let label = n.label().unwrap_or_default();
            let control = n.data().supports_action(Action::Click) && label != "Dismiss";
            let b = n.bounding_box()?;
            // The notice's own parts.
            let inside =
                notice.x0 <= b.x0 && b.x1 <= notice.x1 && notice.y0 <= b.y0 && b.y1 <= notice.y1;
            let overlaps = !inside
                && b.x0 < notice.x1
                && notice.x0 < b.x1
                && b.y0 < notice.y1
                && notice.y0 < b.y1;
            (control && !n.is_hidden() && overlaps).then(|| format!("{label} at {b:?}"))
        })
        .collect()
}

/// Adds the AD CS stand-in from the Certification Authorities page, with or without its
/// TLS trust, and presses Add.
fn add_corp(h: &mut Harness<'_, CertdeskApp>, server: &Certsrv, url: &str, tls: bool) {
    click(h, "Add a CA…");
    click(h, "AD CS Web Enrollment");
    type_into(h, "CA name", "corp");
    type_into(h, "Web Enrollment URL", url);
    type_into(h, "User name", certsrv::USER);
    type_into(h, "Password", certsrv::PASSWORD);
    if tls {
        type_into(h, "TLS trust (PEM file)", s(&server.tls_bundle));
    }
    click(h, "Add");
    settle(h);
}

#[test]
fn a_ca_is_tried_before_it_is_saved_and_an_untrusted_tls_names_its_fix() {
    let t = TestStore::with_topology(common::EDGE);
    let server = Certsrv::start(t.dir.path());
    let cas = |t: &TestStore| Store::open(&t.path()).expect("store").cas().expect("cas");
    let mut h = harness(&t.path());
    click(&mut h, "Certification Authorities");

    // Without the CA's TLS trust: refused, the fix named, nothing saved.
    add_corp(&mut h, &server, &server.url, false);
    assert!(h.state().dialog.is_some(), "the dialog stays");
    h.get_by_label_contains("nothing was saved");
    h.get_by_label_contains("its TLS certificate is not trusted here");
    h.get_by_label_contains("the TLS trust field");
    assert!(cas(&t).is_empty(), "nothing saved untried");
    h.get_by_label("Save anyway");
    type_into(&mut h, "TLS trust (PEM file)", s(&server.tls_bundle));
    click(&mut h, "Add");
    settle(&mut h);
    assert!(h.state().dialog.is_none(), "reached, saved and closed");
    assert_eq!(cas(&t).len(), 1);

    // The wizard proposes the configured CA, not the built-in one.
    to_ca_page(&mut h);
    let url = h.state().view.cas[0].url.clone();
    let corp = format!("corp: AD CS Web Enrollment, {url}");
    let chosen = h.get_by_label(&corp).accesskit_node().toggled();
    assert_eq!(chosen, Some(Toggled::True), "{corp} is proposed");
    h.state_mut().dialog = None;
    h.run_steps(2);

    // A CA that cannot be reached from here is saved only when asked.
    let gone = format!(
        "https://127.0.0.1:{}/certsrv",
        common::acme::free_tcp_port()
    );
    click(&mut h, "Add a CA…");
    // The page lists corp's protocol too: the dialog's radio button is drawn last.
    h.get_all_by_label("AD CS Web Enrollment")
        .last()
        .expect("the radio button")
        .click();
    h.run_steps(2);
    type_into(&mut h, "CA name", "later");
    type_into(&mut h, "Web Enrollment URL", &gone);
    type_into(&mut h, "User name", certsrv::USER);
    type_into(&mut h, "Password", certsrv::PASSWORD);
    click(&mut h, "Add");
    settle(&mut h);
    h.get_by_label_contains("cannot be reached");
    assert_eq!(cas(&t).len(), 1, "not saved yet");
    click(&mut h, "Save anyway");
    settle(&mut h);
    assert!(h.state().dialog.is_none(), "saved untried and closed");
    assert_eq!(cas(&t).len(), 2);
}

#[test]
fn an_error_stays_above_the_status_bar_until_dismissed_and_is_in_the_activity_log() {
    let t = TestStore::with_topology(common::EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "later");
    // The CA goes away after it was added.
    drop(server);
    let mut h = harness(&t.path());
    click(&mut h, "Certification Authorities");
    click(&mut h, "later ⏷");
    click(&mut h, "Test the connection");
    settle(&mut h);
    let error = "the CA later cannot be reached";
    let notice = bounds(&h, error);
    assert_eq!(
        covered(&h, notice),
        Vec::<String>::new(),
        "it covers no control"
    );
    let status = bounds(&h, "0 certificates");
    assert!(
        notice.y1 <= status.y0,
        "above the status bar: {notice:?} {status:?}"
    );

    // Ten seconds later it is still there; a result arrives beside it.
    for _ in 0..20 {
        h.run_steps(30);
    }
    bounds(&h, error);
    click(&mut h, "Dismiss");
    assert!(h.query_by_label_contains(error).is_none(), "dismissed");

    // The Activity log keeps it (its row, and the entry's details when selected).
    click(&mut h, "Activity log");
    assert!(h.query_all_by_label_contains(error).count() >= 1);
}
