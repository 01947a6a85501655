//! What a Lync administrator hits at 1024×768 (issue 19): the SAN inspector's list that
//! opens every time and its checklist despite a gap in the topology, the wizard's focus,
//! the topology form, the pool check, the list's columns, the log, the dialogs' Tab order.

use crate::common;

use certdesk::deploy::topology::Topology;
use certdesk::deploy::usage::UsageType;
use certdesk::gui::app::{CertdeskApp, system_now};
use certdesk::gui::dialogs::{DetailsTab, Dialog};
use certdesk::gui::verbs::Verb;
use certdesk::gui::views::Page;
use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Logical, Store};
use common::window::{self, Screen, XGA, settle};
use common::{EDGE, TestStore, fx, s};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

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

/// Shows Computer\Personal and selects its first certificate.
fn select_first_personal(h: &mut Harness<'_, CertdeskApp>) {
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
}

/// Opens the details of the first personal certificate on its SAN inspector.
fn open_inspector(h: &mut Harness<'_, CertdeskApp>) {
    select_first_personal(h);
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

/// The value of the text field labelled `label`.
fn value(h: &Harness<'_, CertdeskApp>, label: &str) -> String {
    h.get_by_label(label).value().unwrap_or_default()
}

fn type_into(h: &mut Harness<'_, CertdeskApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(2);
}

#[test]
fn the_topology_form_takes_simple_urls_shows_every_problem_and_loads_and_saves_files() {
    let t = TestStore::new();
    let mut h = harness(&t);
    h.state_mut().page = Page::Topology;
    h.run_steps(3);
    // Nothing typed yet: what is left to do, no red error.
    assert!(
        h.query_all_by_label_contains("not a valid FQDN")
            .next()
            .is_none(),
        "no error before anything is typed"
    );
    h.get_by_label_contains("Fill in the fields still blank to save.");

    click(&mut h, "Front End");
    type_into(&mut h, "Server FQDN", "fe01.contoso.net");
    type_into(&mut h, "  SIP domain 1", "contoso.com");
    type_into(&mut h, "Internal web FQDN", "webint.contoso.net");
    type_into(&mut h, "External web FQDN", "webext.contoso.com");
    click(&mut h, "Add Meeting URL");
    assert!(
        h.get_by_label("  Meeting URL 1").is_focused(),
        "the added field has the focus"
    );
    h.get_by_label("  Meeting URL 1")
        .type_text("https://meet.contoso.com/");
    h.run_steps(2);
    type_into(&mut h, "Dial-in URL", "https://dialin.contoso.com/");
    type_into(&mut h, "Admin URL", "https://admin.contoso.com/cscp");
    assert!(
        h.query_all_by_label_contains("not a valid FQDN")
            .next()
            .is_none(),
        "the simple URLs are accepted"
    );
    // Two wrong fields: both said at once, each under its field, inside the window.
    click(&mut h, "Add Pool member");
    h.get_by_label("  Pool member 1")
        .type_text("fe 02.contoso.net");
    type_into(&mut h, "External web FQDN", "_");
    for problem in [
        "\"fe 02.contoso.net\" is not a valid FQDN",
        "\"webext.contoso.com_\" is not a valid FQDN",
    ] {
        let node = h.get_by_label_contains(problem);
        assert!(
            node.rect().right() <= 1024.0,
            "{problem} fits the window: {:?}",
            node.rect()
        );
    }
    assert!(is_disabled(&h, "Save topology"));

    // A topology file loads into the form; the second server's is saved from it.
    let file = t.dir.path().join("edge.toml");
    std::fs::write(&file, EDGE).expect("file");
    type_into(&mut h, "Topology file", s(&file));
    click(&mut h, "Load");
    settle(&mut h);
    assert_eq!(value(&h, "Server FQDN"), "edge01.contoso.net");
    assert_eq!(value(&h, "  Pool member 2"), "edge02.contoso.net");
    h.get_by_label("Server FQDN").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Server FQDN")
        .type_text("edge02.contoso.net");
    h.run_steps(2);
    click(&mut h, "Save topology");
    settle(&mut h);
    let stored = h.state().view.topology.clone().expect("stored");
    assert_eq!(stored.server_fqdn, "edge02.contoso.net");
    assert_eq!(stored.pool_members().len(), 2);
    let second = t.dir.path().join("edge02.toml");
    h.get_by_label("Topology file").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Topology file").type_text(s(&second));
    h.run_steps(2);
    click(&mut h, "Save to file");
    settle(&mut h);
    h.get_by_label_contains("Saved to");
    let saved = Topology::from_toml(&std::fs::read_to_string(&second).expect("saved"))
        .expect("a valid topology");
    assert_eq!(saved, stored);
    // A file that is not a topology changes nothing and says why; Enter in the field loads
    // it as Load does.
    std::fs::write(&file, "role = \"edge\"\nserver = 1\n").expect("file");
    h.get_by_label("Topology file").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_label("Topology file").type_text(s(&file));
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    settle(&mut h);
    h.get_by_label_contains("the topology file is not valid");
    assert_eq!(value(&h, "Server FQDN"), "edge02.contoso.net");
}

fn is_disabled(h: &Harness<'_, CertdeskApp>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_disabled()
}

/// An Edge pool of two: edge01, served on loopback, and a member whose name does not
/// resolve (`.invalid` never does).
const EDGE_POOL: &str = r#"
role = "edge"
server_fqdn = "edge01.contoso.net"
pool_fqdn = "edgepool.contoso.net"
sip_domains = ["contoso.com"]
[edge]
access_fqdn = "sip.contoso.com"
webconf_fqdn = "webcon.contoso.com"
av_fqdn = "av.contoso.com"
internal_fqdn = "edgepool.contoso.net"
pool_members = ["edge01.contoso.net", "edge02.contoso.invalid"]
"#;

#[test]
fn the_pool_check_takes_addresses_and_names_a_member_it_cannot_reach() {
    let t = TestStore::with_topology(EDGE_POOL);
    let dir = t.dir.path();
    let ext = "subjectAltName=DNS:edgepool.contoso.net\nextendedKeyUsage=serverAuth\n";
    let (cert, key) = common::issue_with_fixture_ca(dir, "pool", "edgepool.contoso.net", ext, None);
    let (_server, port) = common::tls::serve(&cert, &key, Some(&fx("inter.pem")));
    let mut h = harness(&t);
    h.state_mut().page = Page::Probe;
    h.run_steps(3);
    retype(&mut h, "Pool port", &port.to_string());
    // A bad address is one sentence, and nothing is checked.
    type_into(&mut h, "Address of edge01.contoso.net", "10.0.0");
    click(&mut h, "Check the pool's members");
    h.get_by_label_contains("\"10.0.0\" is not an IP address, nor IP:PORT");
    assert!(!h.state().probe_form.running);
    retype(&mut h, "Address of edge01.contoso.net", "127.0.0.1");
    click(&mut h, "Check the pool's members");
    settle(&mut h);
    assert!(
        h.query_all_by_label_contains(
            "Pool edgepool.contoso.net: ⚠ edge02.contoso.invalid could not be reached; the other member serves the certificate and key",
        )
        .next()
        .is_some()
    );
    assert!(
        h.query_all_by_label_contains("the members differ")
            .next()
            .is_none()
    );
    let report = h.state().probe_form.pool.clone().expect("report");
    assert_eq!(report.unreached, ["edge02.contoso.invalid"]);
    assert!(
        !report.members[0].probe.chain.is_empty(),
        "edge01 was reached"
    );
}

#[test]
fn a_front_end_pool_lists_its_members() {
    let t = TestStore::with_topology(common::FRONT_END);
    let mut h = harness(&t);
    h.state_mut().page = Page::Probe;
    h.run_steps(3);
    h.get_by_label_contains("The topology lists no pool members");
    h.state_mut().page = Page::Topology;
    h.run_steps(3);
    click(&mut h, "Add Pool member");
    h.get_by_label("  Pool member 1")
        .type_text("fe01.contoso.net");
    click(&mut h, "Add Pool member");
    h.get_by_label("  Pool member 2")
        .type_text("fe02.contoso.net");
    h.run_steps(2);
    click(&mut h, "Save topology");
    settle(&mut h);
    h.state_mut().page = Page::Probe;
    h.run_steps(3);
    h.get_by_label("Address of fe01.contoso.net");
    h.get_by_label("Address of fe02.contoso.net");
}

/// Replaces a field's text: select all, then type.
fn retype(h: &mut Harness<'_, CertdeskApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(2);
}

/// Text typed with nothing clicked: it goes where the focus is.
fn type_blind(h: &mut Harness<'_, CertdeskApp>, text: &str) {
    h.event(egui::Event::Text(text.to_owned()));
    h.run_steps(2);
}

fn press(h: &mut Harness<'_, CertdeskApp>, key: egui::Key) {
    h.key_press(key);
    h.run_steps(2);
}

#[test]
fn each_wizard_page_takes_what_is_typed_right_after_enter() {
    let t = TestStore::with_topology(EDGE);
    let mut h = harness(&t);
    let csr = t.dir.path().join("edge.csr");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    click(&mut h, "Edge internal");
    press(&mut h, egui::Key::Enter);
    click(
        &mut h,
        "Prepare the request now, but send it later (offline certificate request)",
    );
    press(&mut h, egui::Key::Enter);
    h.get_by_label("Certificate Request File or Authority");
    type_blind(&mut h, s(&csr));
    press(&mut h, egui::Key::Enter);
    press(&mut h, egui::Key::Enter); // The account page has nothing to type.
    h.get_by_label("Specify Alternate Certificate Template");
    press(&mut h, egui::Key::Enter);
    h.get_by_label("Name and Security Settings");
    type_blind(&mut h, "Edge internal typed");
    press(&mut h, egui::Key::Enter);
    h.get_by_label("Organization Information");
    type_blind(&mut h, "Contoso");
    press(&mut h, egui::Key::Enter);
    h.get_by_label("Geographical Information");
    type_blind(&mut h, "US");
    for _ in 0..3 {
        press(&mut h, egui::Key::Enter);
    }
    h.get_by_label("Configure Additional Subject Alternative Names");
    click(&mut h, "Add a name");
    type_blind(&mut h, "extra.contoso.com");
    match &h.state().dialog {
        Some(Dialog::Request(w)) => {
            assert_eq!(w.csr_path, s(&csr));
            assert_eq!(w.input.friendly_name, "Edge internal typed");
            assert_eq!(w.input.org, "Contoso");
            assert_eq!(w.input.country, "US");
        }
        _ => panic!("the wizard closed"),
    }
    assert_eq!(value(&h, "Additional name 1"), "extra.contoso.com");
    press(&mut h, egui::Key::Tab);
    press(&mut h, egui::Key::Enter);
    h.get_by_label_contains("Organization: Contoso");
}

/// The window on `t` on a 1024×768 screen at `scale`.
fn harness_at(t: &TestStore, scale: f32) -> Harness<'static, CertdeskApp> {
    let screen = Screen {
        width: 1024.0,
        height: 768.0,
        scale,
    };
    window::harness(&t.path(), screen, system_now, false)
}

#[test]
fn the_list_shows_issued_by_at_1024_and_at_125_percent() {
    let t = TestStore::with_topology(EDGE);
    import_into(&t, "leaf-aes.pfx", Some("secret"));
    for (scale, columns) in [
        (
            1.0,
            &[
                "Issued To",
                "Issued By",
                "Expiration Date",
                "Intended Purposes",
                "Friendly Name",
                "Key",
                "Assigned usages",
            ][..],
        ),
        (1.25, &["Issued To", "Issued By", "Friendly Name"][..]),
    ] {
        let mut h = harness_at(&t, scale);
        h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
        settle(&mut h);
        for column in columns {
            // The list is sorted by Issued To, whose header has an arrow.
            let header = match *column {
                "Issued To" => h.get_by_label_contains("Issued To"),
                _ => h.get_by_label(column),
            };
            assert!(
                header.rect().right() <= 1024.0 / scale,
                "{column} is on screen at {scale}: {:?}",
                header.rect()
            );
        }
        if scale == 1.0 {
            assert!(
                h.query_by_label_contains("Not shown at this width")
                    .is_none(),
                "every column fits at 1024"
            );
        }
    }
}

#[test]
fn the_log_shows_the_whole_command_and_one_tooltip() {
    let t = TestStore::new();
    let long = t
        .dir
        .path()
        .join("a folder with a rather long name")
        .join("leaf-aes.pfx");
    std::fs::create_dir_all(long.parent().expect("parent")).expect("dir");
    std::fs::copy(fx("leaf-aes.pfx"), &long).expect("copy");
    let password = t.dir.path().join("password");
    std::fs::write(&password, "secret").expect("password");
    let out = t.run(&["import", s(&long), "--password-file", s(&password)]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let mut h = harness(&t);
    h.state_mut().page = Page::Log;
    settle(&mut h);
    let command = h.state().view.log.last().expect("an entry").command.clone();
    assert!(
        command.contains("a folder with a rather long name"),
        "{command}"
    );
    // The newest entry is shown whole under the table, with Copy.
    assert!(
        h.query_all_by_label(&command).count() >= 2,
        "the command in its cell and whole in the pane"
    );
    h.get_by_label("Copy the command");
    // Hovering a cell shows one tooltip.
    let cell = h
        .query_all_by_label(&command)
        .next()
        .expect("cell")
        .rect()
        .center();
    h.input_mut().events.push(egui::Event::PointerMoved(cell));
    for _ in 0..10 {
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(60));
    }
    let tooltips = h.ctx.memory(|m| {
        m.areas()
            .visible_layer_ids()
            .into_iter()
            .filter(|l| l.order == egui::Order::Tooltip)
            .count()
    });
    assert!(tooltips <= 1, "{tooltips} tooltips over each other");
}

#[test]
fn the_toolbar_needs_a_row_the_list_shows() {
    let t = TestStore::new();
    import_into(&t, "leaf-aes.pfx", Some("secret"));
    let mut h = harness(&t);
    select_first_personal(&mut h);
    let verbs = ["Export…", "Remove", "View details", "Copy thumbprint"];
    for verb in verbs {
        assert!(!is_disabled(&h, verb), "{verb} with the row shown");
    }
    type_into(&mut h, "Filter:", "matches nothing");
    settle(&mut h);
    h.get_by_label_contains("0 shown");
    for verb in verbs {
        assert!(is_disabled(&h, verb), "{verb} with no row shown");
    }
    // Nor does its shortcut act on the hidden row.
    h.get_by_label("Filter:").focus();
    h.run_steps(1);
    h.key_press(egui::Key::Escape);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(2);
    assert!(h.state().dialog.is_none(), "no export of a row not shown");
}

/// Presses Tab until `label` has the focus (at most `tries` times).
fn tab_to(h: &mut Harness<'_, CertdeskApp>, label: &str, tries: usize) {
    for _ in 0..tries {
        if h.get_by_label(label).is_focused() {
            return;
        }
        press(h, egui::Key::Tab);
    }
    assert!(h.get_by_label(label).is_focused(), "Tab reaches {label}");
}

#[test]
fn tab_meets_back_next_cancel_and_the_password_confirmation() {
    let t = TestStore::with_topology(EDGE);
    import_into(&t, "leaf-aes.pfx", Some("secret"));
    let mut h = harness(&t);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    click(&mut h, "Edge internal");
    click(&mut h, "Next");
    h.get_by_label("Delayed or Immediate Request");
    tab_to(&mut h, "Back", 12);
    press(&mut h, egui::Key::Tab);
    assert!(h.get_by_label("Next").is_focused(), "Back, then Next");
    press(&mut h, egui::Key::Tab);
    assert!(h.get_by_label("Cancel").is_focused(), "Next, then Cancel");
    // The buttons are where they were: Back, Next, Cancel from left to right, at the right.
    let (back, next, cancel) = (
        h.get_by_label("Back").rect(),
        h.get_by_label("Next").rect(),
        h.get_by_label("Cancel").rect(),
    );
    assert!(back.right() < next.left() && next.right() < cancel.left());
    let body = h.get_by_label("Delayed or Immediate Request").rect();
    assert!(
        cancel.right() > body.right(),
        "the buttons sit at the right"
    );
    press(&mut h, egui::Key::Escape);

    // Export: Tab goes from the password to its confirmation.
    h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
    settle(&mut h);
    let id = h
        .state()
        .view
        .rows
        .iter()
        .find(|r| r.cert.key.is_some())
        .map(|r| r.cert.id);
    h.state_mut().list.selected = id;
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().start(Verb::Export, &ctx);
    h.run_steps(2);
    let out = t.dir.path().join("edge.pfx");
    type_into(&mut h, "File name", s(&out));
    type_into(&mut h, "Password", "Passw0rd!");
    press(&mut h, egui::Key::Tab);
    assert!(h.get_by_label("Confirm password").is_focused());
    type_blind(&mut h, "Passw0rd!");
    press(&mut h, egui::Key::Tab);
    assert!(h.get_by_label("Show").is_focused(), "then Show");
    tab_to(&mut h, "Finish", 12);
    press(&mut h, egui::Key::Tab);
    assert!(h.get_by_label("Cancel").is_focused(), "Finish, then Cancel");
}

/// Enter, then a key at once: a real window delivers the key in the very next frame.
fn enter_then_type(h: &mut Harness<'_, CertdeskApp>, text: &str) {
    for pressed in [true, false] {
        h.input_mut().events.push(egui::Event::Key {
            key: egui::Key::Enter,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.step();
    h.input_mut()
        .events
        .push(egui::Event::Text(text.to_owned()));
    h.step();
    h.run_steps(2);
}

#[test]
fn a_key_typed_in_the_frame_after_enter_lands_in_the_new_page() {
    let t = TestStore::with_topology(EDGE);
    let mut h = harness(&t);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    click(&mut h, "Edge internal");
    press(&mut h, egui::Key::Enter);
    click(
        &mut h,
        "Prepare the request now, but send it later (offline certificate request)",
    );
    press(&mut h, egui::Key::Enter);
    type_blind(&mut h, s(&t.dir.path().join("edge.csr")));
    for _ in 0..3 {
        press(&mut h, egui::Key::Enter);
    }
    h.get_by_label("Name and Security Settings");
    enter_then_type(&mut h, "Contoso");
    h.get_by_label("Organization Information");
    assert_eq!(value(&h, "Organization"), "Contoso");
}
