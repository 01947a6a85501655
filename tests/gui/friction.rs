//! What a Lync administrator hits at 1024×768 (issue 19): the SAN inspector's list that
//! opens every time and its checklist despite a gap in the topology, the wizard's focus,
//! the topology form, the pool check, the list's columns, the log, the dialogs' Tab order.

use crate::common;

use certdesk::deploy::usage::UsageType;
use certdesk::gui::app::{CertdeskApp, system_now};
use certdesk::gui::dialogs::{DetailsTab, Dialog};
use certdesk::gui::verbs::Verb;
use certdesk::gui::views::Page;
use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Logical, Store};
use common::window::{self, XGA, settle};
use common::{EDGE, TestStore, fx};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness(t: &TestStore) -> Harness<'static, CertdeskApp> {
    window::harness(&t.path(), XGA, system_now, false)
}

fn click(h: &mut Harness<'_, CertdeskApp>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

/// A click as a mouse gives it to a real window: the press and the release in one frame.
fn quick_click(h: &mut Harness<'_, CertdeskApp>, label: &str) {
    let pos = h.get_by_label(label).rect().center();
    for pressed in [true, false] {
        h.input_mut().events.push(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run_steps(2);
}

/// Imports a fixture into Computer \ Personal through the model.
fn import_into(t: &TestStore, file: &str, password: Option<&str>) {
    let mut store = Store::open(&t.path()).expect("store");
    let bytes = std::fs::read(fx(file)).expect("fixture");
    let contents = formats::read(&bytes, password).expect("readable");
    let options = ImportOptions {
        location: Location::Computer,
        exportable: true,
        trust_root: true,
    };
    let plan = import::plan(contents, options).expect("plan");
    import::commit(&mut store, plan, file, 0).expect("commit");
}

/// Opens the details of the first personal certificate on its SAN inspector.
fn open_inspector(h: &mut Harness<'_, CertdeskApp>) {
    h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
    settle(h);
    let id = h
        .state()
        .view
        .rows
        .iter()
        .find(|r| r.cert.logical == Logical::Personal)
        .map(|r| r.cert.id);
    h.state_mut().list.selected = id;
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().start(Verb::ViewDetails, &ctx);
    h.run_steps(2);
    click(h, "SAN inspector");
}

/// The usage the open SAN inspector checks against.
fn chosen(h: &Harness<'_, CertdeskApp>) -> Option<UsageType> {
    match &h.state().dialog {
        Some(Dialog::Details(d)) if d.tab == DetailsTab::Sans => d.usage,
        _ => None,
    }
}

/// Asserts that the widget labelled `label` is drawn above the dialog, not hidden under it.
fn assert_on_top(h: &Harness<'_, CertdeskApp>, label: &str) {
    let dialog = h.ctx.layer_id_at(h.get_by_label("Close").rect().center());
    let shown = h.ctx.layer_id_at(h.get_by_label(label).rect().center());
    assert!(
        shown.is_some() && shown != dialog,
        "{label} is hidden under the dialog"
    );
}

#[test]
fn the_check_against_list_opens_again_after_the_dialog_is_reopened() {
    let t = TestStore::with_topology(EDGE);
    import_into(&t, "leaf-aes.pfx", Some("secret"));
    let mut h = harness(&t);
    let choices = [
        (UsageType::Internal, UsageType::AudioVideoAuthentication),
        (UsageType::AudioVideoAuthentication, UsageType::Internal),
    ];
    for (round, (choice, other)) in choices.into_iter().enumerate() {
        open_inspector(&mut h);
        quick_click(&mut h, "Check against");
        assert_on_top(&h, choice.title());
        click(&mut h, choice.title());
        assert_eq!(
            chosen(&h),
            Some(choice),
            "round {round}: the list took the click"
        );
        assert!(
            h.query_by_label(other.title()).is_none(),
            "round {round}: the list closed on the choice"
        );
        click(&mut h, "Close");
        assert!(h.state().dialog.is_none());
    }
    // Reopened once more: the list opens, and Esc closes the list, then the dialog.
    open_inspector(&mut h);
    quick_click(&mut h, "Check against");
    assert_on_top(&h, "Edge internal");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.query_by_label("A/V Edge external").is_none());
    assert!(
        h.state().dialog.is_some(),
        "the first Esc closed the list only"
    );
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(
        h.state().dialog.is_none(),
        "the second Esc closed the dialog"
    );
}

#[test]
fn the_inspector_shows_every_usage_it_can_check_and_the_gap_as_a_note() {
    // The Edge topology has no XMPP domains: the XMPP proxy's names are not known.
    let t = TestStore::with_topology(EDGE);
    import_into(&t, "leaf-aes.pfx", Some("secret"));
    let mut h = harness(&t);
    open_inspector(&mut h);
    assert_eq!(chosen(&h), None, "every usage of the server's role");
    h.get_by_label_contains(
        "Not checked: the XMPP proxy certificate needs the topology's xmpp_domains",
    );
    // The other usages' rows are there: the Access Edge's and Web Conferencing's names.
    for name in ["sip.contoso.com", "sip.fabrikam.com", "webcon.contoso.com"] {
        assert!(
            h.query_all_by_label(name).next().is_some(),
            "{name} has its row in the checklist"
        );
    }
    assert!(
        h.query_all_by_label_contains("SIP Access Edge external")
            .next()
            .is_some(),
        "the rows say which usage needs each name"
    );
}
