//! The store list and what it shows: the filter over 100,000 certificates, the state it
//! derives and its words, keyboard walking and remembered settings, the system roots, the
//! assignment picker, revocation on the certification path, and the Check a server page.

use crate::common;

use certdesk::deploy::usage::UsageType;
use certdesk::gui::app::{CertdeskApp, system_now};
use certdesk::gui::dialogs::Dialog;
use certdesk::gui::views::Page;
use certdesk::store::{Location, Logical, Store};
use common::window::{self, Screen, settle};
use common::{EDGE, TestStore, fx, s, tool};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::app::{
    bulk_store, click, edge_store, harness, import_into, is_disabled, retype, select, type_into,
};

#[test]
fn the_assignment_picker_explains_refusals_and_assigns() {
    let t = edge_store();
    // Not eligible: the fixture leaf has no key; eligible: one issued by the built-in CA.
    import_into(&t.path(), "leaf.pem", None, false);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args([
            "--store",
            s(&t.path()),
            "request",
            "--type",
            "AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication",
            "--ca",
            "builtin",
            "--exportable",
            "true",
        ])
        .output()
        .expect("runs");
    assert!(status.status.success());
    let mut h = harness(&t.path());
    click(&mut h, "Certificate Wizard");
    click(&mut h, "SIP Access Edge external ⏷");
    click(&mut h, "Assign a certificate…");
    settle(&mut h);
    h.get_by_label_contains("Certificates that cannot be assigned");
    // Display names, never the CLI's identifiers; the refused one is told apart by its
    // short thumbprint.
    h.get_by_label_contains("SIP Access Edge external: it has no private key in this store");
    assert!(
        h.query_by_label_contains("AccessEdgeExternal").is_none(),
        "a CLI identifier leaked into the window"
    );
    h.get_by_label_contains("sip.contoso.com  \"SIP Access Edge external")
        .click();
    h.run_steps(2);
    h.get_by_label("Assign").click();
    h.run_steps(1);
    // What another command produced meanwhile (a probe's report) is not the answer.
    if let Some(dialog) = h.state_mut().dialog.as_mut() {
        dialog.on_applied(Ok(&certdesk::gui::command::Applied::Probed(Vec::new())));
    }
    match &h.state().dialog {
        Some(Dialog::Assign(d)) => assert!(d.done.is_none(), "not assigned yet"),
        _ => panic!("the dialog closed"),
    }
    settle(&mut h);
    h.get_by_label_contains("The certificate is assigned");
    click(&mut h, "Close");
    let rows = &h.state().view.statuses;
    let access = rows
        .iter()
        .find(|r| r.usage == UsageType::AccessEdgeExternal)
        .expect("row");
    assert_eq!(format!("{:?}", access.status), "Assigned");
    h.get_by_label("✔ Assigned");
    // Another SIP domain in the topology: the assigned certificate lacks its sip. name, the
    // usage turns Invalid, and "Invalid" opens the SAN inspector on that certificate.
    let wider = t.dir.path().join("wider.toml");
    std::fs::write(
        &wider,
        EDGE.replace(r#""fabrikam.com"]"#, r#""fabrikam.com", "adatum.com"]"#),
    )
    .expect("write");
    let set = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["--store", s(&t.path()), "topology", "set", s(&wider)])
        .output()
        .expect("runs");
    assert!(set.status.success(), "{set:?}");
    for _ in 0..100 {
        h.run_steps(1);
        if h.query_by_label("⛔ Invalid").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    click(&mut h, "⛔ Invalid");
    assert_eq!(
        h.state().dialog.as_ref().map(|d| d.title()),
        Some("Certificate")
    );
    h.get_by_label("sip.adatum.com");
    h.get_by_label("⛔ missing");
    h.get_by_label_contains("1 name needs attention");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().dialog.is_none());
    click(&mut h, "SIP Access Edge external ⏷");
    click(&mut h, "Unassign");
    settle(&mut h);
    let store = Store::open(&t.path()).expect("store");
    assert!(store.assignments().expect("rows").is_empty(), "unassigned");
}

#[test]
fn the_filter_finds_a_certificate_by_san_among_100000() {
    let t = bulk_store(100_000);
    let mut h = harness(&t.path());
    assert_eq!(h.state().view.rows.len(), 100_000);
    h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
    h.run_steps(2);
    h.get_by_label("99999 shown");
    type_into(&mut h, "Filter:", "sip77777.contoso");
    // The keystroke's frame does not filter 100,000 rows: a job does, and says so.
    h.get_by_label("Sorting…");
    settle(&mut h);
    h.get_by_label("1 shown");
    h.get_by_label("host077777.bench.contoso.com");
}

/// The wrong behaviours found walking the procedures, each fixed and kept fixed.
#[test]
fn the_window_derives_its_state_from_the_store_and_says_things_right() {
    let t = edge_store();
    import_into(&t.path(), "leaf-aes.pfx", Some("secret"), true);
    let csr = t.dir.path().join("internal.csr");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args([
            "--store",
            s(&t.path()),
            "request",
            "--type",
            "Internal",
            "--output",
            s(&csr),
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let mut h = harness(&t.path());
    // The title bar names the store.
    assert!(certdesk::gui::window_title(&h.state().store_dir).contains("store"));
    // Correct plurals.
    let n = h.state().view.rows.len();
    assert!(n > 1);
    h.get_by_label(&format!("{n} certificates"));
    h.get_by_label("· 1 pending request");

    // Assign… with nothing selected opens the assign dialog; it does not switch page.
    let page = h.state().page;
    click(&mut h, "Assign…");
    settle(&mut h);
    assert!(matches!(h.state().dialog, Some(Dialog::Assign(_))));
    assert_eq!(h.state().page, page);
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().dialog.is_none(), "Esc cancels");

    // Assign… from a selected certificate pre-selects it.
    click(&mut h, "sip.contoso.com");
    let thumb = common::openssl_thumbprint(&fx("leaf.pem"));
    click(&mut h, "Assign…");
    settle(&mut h);
    match &h.state().dialog {
        Some(Dialog::Assign(d)) => assert_eq!(d.chosen.as_deref(), Some(thumb.as_str())),
        _ => panic!("no assign dialog"),
    }
    h.key_press(egui::Key::Escape);
    h.run_steps(2);

    // The PFX export defaults to TripleDES-SHA1, as Windows' own export wizard.
    click(&mut h, "Export…");
    match &h.state().dialog {
        Some(Dialog::Export(d)) => assert_eq!(
            d.options.encryption,
            certdesk::pki::formats::pkcs12::PfxEncryption::TripleDesSha1
        ),
        _ => panic!("no export dialog"),
    }
    h.key_press(egui::Key::Escape);
    h.run_steps(2);

    // Removing the last Enrollment Request leaves nothing selected: Export and Remove
    // are disabled again.
    h.state_mut().page = Page::Store(Location::Computer, Logical::Requests);
    h.run_steps(2);
    let pending = h
        .state()
        .view
        .rows
        .iter()
        .find(|r| r.cert.logical == Logical::Requests)
        .map(|r| (r.cert.id, r.cert.summary.thumbprint.clone()))
        .expect("placeholder");
    h.state_mut().list.selected = Some(pending.0);
    h.run_steps(1);
    assert!(!is_disabled(&h, "Remove"));
    h.state_mut()
        .commands
        .push(certdesk::gui::command::Command::Remove(
            Location::Computer,
            pending.1,
        ));
    settle(&mut h);
    assert_eq!(h.state().list.selected, None);
    assert!(is_disabled(&h, "Export…") && is_disabled(&h, "Remove"));

    // The topology saved from the window logs a command that can be run.
    h.state_mut()
        .commands
        .push(certdesk::gui::command::Command::SetTopology(EDGE.into()));
    settle(&mut h);
    let last = h.state().view.log.last().expect("log entry");
    assert_eq!(last.command, "certdesk topology set topology.toml");
    assert!(
        last.details.contains("server_fqdn"),
        "the TOML is in the log"
    );
}

/// The list with the keyboard alone: Down from the filter field selects the first row,
/// Down and End move, Enter shows the details, Esc closes them, Ctrl+E exports the row.
/// And what the window remembers (sort, column widths, theme, zoom) comes back.
#[test]
fn the_list_walks_with_the_keyboard_and_the_window_remembers_its_settings() {
    use certdesk::gui::list_order::SortColumn;
    use certdesk::gui::settings::{ColumnWidth, Settings, ThemeChoice};
    let t = TestStore::new();
    import_into(&t.path(), "leaf-aes.pfx", Some("secret"), true);
    let remembered = Settings {
        theme: ThemeChoice::Light,
        zoom: 1.25,
        sort: SortColumn::Expires,
        descending: true,
        columns: vec![ColumnWidth {
            column: SortColumn::IssuedTo,
            width: 260.0,
        }],
        ..Settings::default()
    };
    // A new window takes them before its first frame, as `certdesk` does at start.
    let mut app = CertdeskApp::new(Store::open(&t.path()).expect("store"), t.path());
    app.restore(remembered, None);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_ui_state(|ui, app: &mut CertdeskApp| app.ui(ui), app);
    settle(&mut h);
    h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
    settle(&mut h);
    assert_eq!(h.ctx.theme(), egui::Theme::Light);
    assert!((h.ctx.zoom_factor() - 1.25).abs() < 1e-6);
    h.get_by_label("Expiration Date ⬇");
    let now = h.state().settings();
    assert_eq!(
        (now.sort, now.descending, now.theme),
        (SortColumn::Expires, true, ThemeChoice::Light)
    );
    assert!(
        now.columns
            .iter()
            .any(|c| c.column == SortColumn::IssuedTo && (c.width - 260.0).abs() < 1.0),
        "{:?}",
        now.columns
    );

    // Ctrl+F puts the focus in the filter; Down goes on to the list.
    assert!(!h.get_by_label("Filter:").is_focused());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run_steps(2);
    assert!(
        h.get_by_label("Filter:").is_focused(),
        "Ctrl+F focuses the filter"
    );
    h.key_press(egui::Key::ArrowDown);
    h.run_steps(2);
    let first = h.state().list.selected.expect("Down selected a row");
    h.key_press(egui::Key::End);
    h.run_steps(2);
    assert_eq!(
        h.state().list.selected,
        Some(first),
        "one row: End stays on it"
    );
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(
        h.state().dialog.as_ref().map(|d| d.title()),
        Some("Certificate")
    );
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().dialog.is_none());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(2);
    assert_eq!(
        h.state().dialog.as_ref().map(|d| d.title()),
        Some("Certificate Export Wizard")
    );
}

/// View ▸ "Trust the operating system's roots" is the store setting: on, the system's
/// roots are rows of Computer \ Trusted Roots, marked as the system's; off, they are gone.
#[test]
fn the_view_menu_turns_the_system_roots_on_and_off() {
    let t = TestStore::with_topology(EDGE);
    t.json(&["store", "system-roots", "off"]);
    let store = Store::open(&t.path()).expect("store");
    let screen = Screen {
        width: 1280.0,
        height: 900.0,
        scale: 1.0,
    };
    let mut h = window::harness_on(store, screen, system_now, false);
    assert!(!h.state().view.system_roots, "the setting is off");
    let stored = h.state().view.rows.len();
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::V);
    h.run_steps(2);
    click(&mut h, "Trust the operating system's roots");
    settle(&mut h);
    assert!(h.state().view.system_roots);
    let system = certdesk::store::system::roots().certs.len();
    assert_eq!(h.state().view.rows.len(), stored + system);
    if system > 0 {
        // The status bar counts them apart from the store's own.
        let noun = if system == 1 { "root" } else { "roots" };
        h.get_by_label(&format!("· {system} {noun} from the system"));
        h.get_by_label_contains(&format!("{stored} certificate"));
    }
    assert!(
        h.state()
            .view
            .rows
            .iter()
            .filter(|r| r.cert.system)
            .all(|r| r.cert.logical == Logical::Root
                && r.cert.friendly_name.contains("operating system"))
    );
    let log = t.json(&["log"]).to_string();
    assert!(log.contains("certdesk store system-roots on"), "{log}");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::V);
    h.run_steps(2);
    click(&mut h, "Trust the operating system's roots");
    settle(&mut h);
    assert!(!h.state().view.system_roots);
    assert_eq!(h.state().view.rows.len(), stored);
}

/// The Check a server page probes what a server serves (here `openssl s_server` with the
/// fixture chain, whose root the store trusts) and shows the checklist.
#[test]
fn the_check_a_server_page_shows_what_a_server_serves() {
    let t = TestStore::with_topology(EDGE);
    t.json(&["import", s(&fx("root.pem")), "--trust-root"]);
    let (_server, port) =
        common::tls::serve(&fx("leaf.pem"), &fx("leaf.key"), Some(&fx("inter.pem")));
    let mut h = harness(&t.path());
    click(&mut h, "Check a server");
    type_into(&mut h, "Server (HOST[:PORT])", &format!("127.0.0.1:{port}"));
    type_into(&mut h, "SNI", "sip.contoso.com");
    click(&mut h, "SIP Access Edge external");
    click(&mut h, "Check");
    settle(&mut h);
    h.get_by_label("✔ by this store or the system");
    h.get_by_label("✔ sip.contoso.com is covered");
    h.get_by_label("✔ none missing");
    h.get_by_label("○ not in this store");
    assert_eq!(h.state().probe_form.reports.len(), 1);
    // A server that is not there is one sentence.
    let down = common::acme::free_tcp_port();
    retype(&mut h, "Server (HOST[:PORT])", &format!("127.0.0.1:{down}"));
    h.run_steps(1);
    click(&mut h, "Check");
    settle(&mut h);
    h.get_by_label_contains("cannot connect to 127.0.0.1");
}

/// The Certification Path tab checks revocation on demand, link by link: a leaf its
/// issuer's CRL (served on loopback) lists is revoked; the intermediate names no CRL and
/// the root is a root, so neither is checked. The assignment picker refuses the leaf with
/// the reason.
#[test]
fn revocation_on_the_certification_path_and_in_the_picker() {
    let t = TestStore::with_topology(EDGE);
    let dir = t.dir.path();
    let www = dir.join("www");
    std::fs::create_dir_all(&www).expect("www");
    let server = common::http::serve_files(&www);
    let ext = format!(
        "subjectAltName=DNS:edgepool.contoso.net\nextendedKeyUsage=serverAuth\ncrlDistributionPoints=URI:http://127.0.0.1:{}/inter.crl\n",
        server.port
    );
    let (cert, _) = common::issue_with_fixture_ca(dir, "leaf", "edgepool.contoso.net", &ext, None);
    common::fixture_crl(dir, &www.join("inter.crl"), Some(&cert));
    t.json(&["import", s(&fx("root.pem")), "--trust-root"]);
    t.json(&["import", s(&fx("inter.pem"))]);
    // With its key, so that only its revocation keeps it from Edge internal.
    let pfx = dir.join("leaf.pfx");
    let key = dir.join("leaf.key");
    tool(
        "openssl",
        &[
            "pkcs12",
            "-export",
            "-in",
            s(&cert),
            "-inkey",
            s(&key),
            "-out",
            s(&pfx),
            "-passout",
            "pass:revoked",
        ],
    );
    t.json_with_password(
        &[
            "import",
            s(&pfx),
            "--password-env",
            "CERTDESK_TEST_PASSWORD",
        ],
        "revoked",
    );
    let thumbprint = common::openssl_thumbprint(&cert);
    let mut h = harness(&t.path());
    select(&mut h, &thumbprint);
    click(&mut h, "View details");
    click(&mut h, "Certification Path");
    click(&mut h, "Check revocation");
    settle(&mut h);
    h.get_by_label_contains("⛔ Revoked: it was revoked on");
    assert_eq!(
        h.query_all_by_label_contains("○ Not checked").count(),
        2,
        "the intermediate and the root"
    );
    h.get_by_label_contains("A certificate of the path is revoked");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    click(&mut h, "Assign…");
    settle(&mut h);
    click(&mut h, "Edge internal");
    h.get_by_label_contains("Edge internal: it was revoked on");
}
