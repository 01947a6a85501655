//! The desktop GUI driven through egui_kittest, by role and label, asserting on the app's
//! state and on the store: import with a password (and a wrong one), the request wizard
//! through the built-in CA, export with the password confirmation, the assignment picker,
//! and the filter over a 100,000-certificate store.

use crate::common;

use std::path::Path;

use certdesk::gui::app::{CertdeskApp, system_now};
use certdesk::gui::dialogs::Dialog;
use certdesk::gui::views::Page;
use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Logical, Store};
use certdesk::{deploy::usage::UsageType, ops::enroll};
use common::window::{self, Screen, settle};
use common::{EDGE, TestStore, fx, s, tool};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The window on the store in `dir` (1280×900), once its first snapshot has arrived.
pub(crate) fn harness(dir: &Path) -> Harness<'static, CertdeskApp> {
    let screen = Screen {
        width: 1280.0,
        height: 900.0,
        scale: 1.0,
    };
    window::harness(dir, screen, system_now, false)
}

pub(crate) fn type_into(h: &mut Harness<'_, CertdeskApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(1);
}

/// Replaces a field's text: select all, then type.
pub(crate) fn retype(h: &mut Harness<'_, CertdeskApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
}

/// A new store on the Edge topology, set through the model (no process to start).
pub(crate) fn edge_store() -> TestStore {
    let t = TestStore::new();
    let mut store = Store::open(&t.path()).expect("store");
    enroll::set_topology(&mut store, EDGE, "test", 0).expect("topology");
    t
}

/// Selects the row of the certificate with this thumbprint.
fn select(h: &mut Harness<'_, CertdeskApp>, thumbprint: &str) {
    let row = h
        .state()
        .view
        .rows
        .iter()
        .find(|r| r.cert.summary.thumbprint == thumbprint)
        .map(|r| r.cert.id)
        .expect("row");
    h.state_mut().list.selected = Some(row);
    h.run_steps(2);
}

pub(crate) fn click(h: &mut Harness<'_, CertdeskApp>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

/// Opens the request wizard for the Edge internal certificate, immediate, on its CA page.
pub(crate) fn to_ca_page(h: &mut Harness<'_, CertdeskApp>) {
    click(h, "Request…");
    click(h, "Edge internal");
    click(h, "Next");
    click(
        h,
        "Send the request immediately to an online certification authority",
    );
    click(h, "Next");
}

/// Presses Next `pages` times to the summary, checks that it says `summary` (a part of a
/// line), then Finish, and waits for the request to be made.
pub(crate) fn to_summary_and_finish(h: &mut Harness<'_, CertdeskApp>, pages: usize, summary: &str) {
    for _ in 0..pages {
        click(h, "Next");
    }
    h.get_by_label_contains(summary);
    click(h, "Finish");
    settle(h);
}

pub(crate) fn is_disabled(h: &Harness<'_, CertdeskApp>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_disabled()
}

/// The store's files as (name, size, modified), read with `stat` only: opening and closing
/// a database file of this process's open store would drop SQLite's POSIX locks on it,
/// and another process would then think it alone has the store.
fn store_files(dir: &Path) -> Vec<(String, u64, Option<std::time::SystemTime>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| {
            let meta = e.metadata().ok();
            (
                e.file_name().to_string_lossy().into_owned(),
                meta.as_ref().map_or(0, |m| m.len()),
                meta.and_then(|m| m.modified().ok()),
            )
        })
        .filter(|(name, _, _)| !name.ends_with("-shm"))
        .collect();
    files.sort();
    files
}

#[test]
fn import_a_pfx_by_typing_path_and_password() {
    let t = TestStore::new();
    let mut h = harness(&t.path());
    assert!(matches!(h.state().page, Page::Welcome));
    click(&mut h, "Import…");
    type_into(&mut h, "File to import", s(&fx("leaf-aes.pfx")));
    click(&mut h, "Open");
    settle(&mut h);
    h.get_by_label_contains("protected by a password");
    type_into(&mut h, "Password", "secret");
    click(&mut h, "Open");
    settle(&mut h);
    h.get_by_label_contains("PKCS#12 (.pfx) file: 3 certificates, 1 private key");
    click(
        &mut h,
        "Trust the root CA certificates in this file (add them to Trusted Roots)",
    );
    click(&mut h, "Import");
    settle(&mut h);
    h.get_by_label("The import is complete.");
    let mut store = Store::open(&t.path()).expect("store");
    store.ignore_system_roots();
    let personal = store
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list");
    assert_eq!(personal.len(), 1);
    assert!(personal[0].key.is_some(), "the key was paired");
    assert_eq!(
        store
            .list(Some(Location::Computer), Some(Logical::Root))
            .expect("list")
            .len(),
        1
    );
    click(&mut h, "Close");
    assert!(h.state().dialog.is_none());
}

#[test]
fn a_wrong_password_shows_the_message_and_changes_nothing() {
    let t = TestStore::new();
    let mut h = harness(&t.path());
    let before = store_files(&t.path());
    click(&mut h, "Import…");
    type_into(&mut h, "File to import", s(&fx("leaf-legacy.pfx")));
    click(&mut h, "Open");
    settle(&mut h);
    type_into(&mut h, "Password", "not the password");
    click(&mut h, "Open");
    settle(&mut h);
    h.get_by_label_contains("the password is wrong");
    assert!(
        h.get_by_label("Password").is_focused(),
        "focus back in the password field"
    );
    assert!(is_disabled(&h, "Import"), "nothing to import");
    assert_eq!(store_files(&t.path()), before, "the store is untouched");
}

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

pub(crate) fn import_into(dir: &Path, file: &str, password: Option<&str>, exportable: bool) {
    let mut store = Store::open(dir).expect("store");
    let bytes = std::fs::read(fx(file)).expect("fixture");
    let contents = formats::read(&bytes, password).expect("readable");
    let options = ImportOptions {
        location: Location::Computer,
        exportable,
        trust_root: true,
    };
    import::commit(
        &mut store,
        import::plan(contents, options).expect("plan"),
        file,
        0,
    )
    .expect("commit");
}

#[test]
fn export_needs_matching_passwords_and_writes_a_file_openssl_reads() {
    let t = TestStore::new();
    import_into(&t.path(), "leaf-aes.pfx", Some("secret"), true);
    let mut h = harness(&t.path());
    click(&mut h, "sip.contoso.com");
    assert!(h.state().list.selected.is_some(), "the row is selected");
    click(&mut h, "Export…");
    let out = t.dir.path().join("gui.pfx");
    type_into(&mut h, "File name", s(&out));
    type_into(&mut h, "Password", "gui-pass");
    type_into(&mut h, "Confirm password", "gui-pasS");
    h.get_by_label("passwords do not match");
    assert!(
        is_disabled(&h, "Finish"),
        "mismatched passwords keep Finish disabled"
    );
    h.get_by_label("Confirm password").focus();
    h.key_press(egui::Key::Backspace);
    h.run_steps(1);
    h.get_by_label("Confirm password").type_text("s");
    h.run_steps(2);
    h.get_by_label("passwords match");
    assert!(!is_disabled(&h, "Finish"));
    click(&mut h, "Finish");
    settle(&mut h);
    assert!(matches!(&h.state().dialog, Some(Dialog::Export(d)) if d.done.is_some()));
    let certs = tool(
        "openssl",
        &[
            "pkcs12",
            "-in",
            s(&out),
            "-nokeys",
            "-passin",
            "pass:gui-pass",
        ],
    );
    assert_eq!(certs.matches("BEGIN CERTIFICATE").count(), 3);
}

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
    let t = TestStore::new();
    {
        let mut store = Store::open(&t.path()).expect("store");
        let bundle = common::big_bundle(100_000);
        let contents = formats::read(&bundle, None).expect("bundle");
        let options = ImportOptions {
            location: Location::Computer,
            exportable: false,
            trust_root: true,
        };
        import::commit(
            &mut store,
            import::plan(contents, options).expect("plan"),
            "bundle",
            0,
        )
        .expect("commit");
    }
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

#[test]
fn the_welcome_panel_opens_a_sample_deployment() {
    let t = TestStore::new();
    let mut h = harness(&t.path());
    h.get_by_label("Welcome to certdesk");
    click(&mut h, "Open a sample deployment");
    settle(&mut h);
    assert!(matches!(h.state().page, Page::Wizard));
    h.get_by_label("⛔ Invalid");
    h.get_by_label("⏳ Expiring");
    assert!(h.state().view.rows.len() >= 6);
    // The banner says which certificate in force expires soon, until dismissed.
    h.get_by_label_contains("Certificates in force expire within 30 days: Edge internal (expires");
    click(&mut h, "Dismiss");
    assert!(
        h.query_by_label_contains("Certificates in force expire within")
            .is_none()
    );
    // The sample is a separate store: the user's store is still empty.
    let mut store = Store::open(&t.path()).expect("store");
    store.ignore_system_roots();
    assert!(store.list(None, None).expect("list").is_empty());
}

#[test]
fn the_open_window_lists_what_another_process_imports() {
    let t = TestStore::new();
    let mut h = harness(&t.path());
    assert!(h.state().view.rows.is_empty());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["--store", s(&t.path()), "import", s(&fx("leaf.pem"))])
        .output()
        .expect("runs");
    assert!(out.status.success());
    // Nobody touches the window: it notices the change by itself within a second or two.
    let started = std::time::Instant::now();
    while h.state().view.rows.is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the window did not notice the import"
        );
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    // The welcome panel is gone: the store is no longer empty.
    assert!(matches!(
        h.state().page,
        Page::Store(Location::Computer, Logical::Personal)
    ));
    h.run_steps(2);
    h.get_by_label("sip.contoso.com");
}

#[test]
fn the_window_and_command_lines_import_at_once_and_nothing_is_lost() {
    let t = TestStore::new();
    let files: Vec<_> = (0..6)
        .map(|i| common::leaf_with_key(t.dir.path(), i))
        .collect();
    let mut h = harness(&t.path());
    click(&mut h, "Import…");
    type_into(&mut h, "File to import", s(&files[0]));
    click(&mut h, "Open");
    settle(&mut h);
    let children: Vec<_> = files[1..]
        .iter()
        .map(|f| t.spawn(&["import", s(f)]))
        .collect();
    click(&mut h, "Import");
    settle(&mut h);
    h.get_by_label("The import is complete.");
    common::wait_all_ok(children);
    let store = Store::open(&t.path()).expect("store");
    let personal = store
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list");
    assert_eq!(personal.len(), 6);
    assert!(personal.iter().all(|c| c.key.is_some()));
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

/// A file dropped by a file manager.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_file_given_on_the_command_line_or_dropped_opens_the_import_wizard_on_it() {
    let t = TestStore::new();
    // `certdesk FILE`: the window opens on the import wizard, already reading FILE.
    let store = Store::open(&t.path()).expect("store");
    let mut app = CertdeskApp::new(store, t.path().with_extension("sample"));
    app.open_file(fx("chain.p7b"));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1024.0, 768.0))
        .build_ui_state(|ui, app: &mut CertdeskApp| app.ui(ui), app);
    settle(&mut h);
    h.get_by_label_contains("certificates, 0 private keys");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().dialog.is_none());
    // A file dropped on the window does the same.
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(fx("leaf.der"))));
    settle(&mut h);
    h.get_by_label_contains("1 certificate, 0 private keys");
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

#[test]
fn the_import_preview_knows_a_root_that_is_already_trusted() {
    let t = TestStore::new();
    import_into(&t.path(), "chain.pem", None, false);
    let mut h = harness(&t.path());
    click(&mut h, "Import…");
    type_into(&mut h, "File to import", s(&fx("chain.p7b")));
    click(&mut h, "Open");
    settle(&mut h);
    h.get_by_label("already in Trusted Roots");
    assert!(
        h.query_by_label_contains("is not imported").is_none(),
        "no 'will not be imported' for a root that is trusted already"
    );
    assert!(
        h.query_by_label_contains("Trust the root CA certificates")
            .is_none(),
        "nothing to confirm"
    );
}

#[test]
fn another_store_opens_from_the_file_menu() {
    let t = TestStore::new();
    let other = t.dir.path().join("other-store");
    import_into(&other, "leaf-aes.pfx", Some("secret"), false);
    let mut h = harness(&t.path());
    assert!(matches!(h.state().page, Page::Welcome));
    // A path that is a file, not a store: one sentence, and the window stays where it was.
    let not_a_store = fx("leaf.pem");
    h.state_mut().worker.open(not_a_store, false, 0);
    settle(&mut h);
    assert_eq!(h.state().store_dir, t.path());
    h.get_by_label_contains("cannot use the store at");
    // Alt+F opens the File menu with its first item focused: Enter chooses it.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::F);
    h.run_steps(3);
    assert!(
        h.get_by_label_contains("Open store…")
            .accesskit_node()
            .is_focused()
    );
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert_eq!(
        h.state().dialog.as_ref().map(|d| d.title()),
        Some("Open store")
    );
    let field = h.get_by_label("Store directory or address");
    field.focus();
    h.run_steps(1);
    // Replace the current directory with the other store's, then Enter.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_label("Store directory or address")
        .type_text(s(&other));
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert_eq!(h.state().store_dir, other);
    assert!(h.state().dialog.is_none());
    assert!(matches!(
        h.state().page,
        Page::Store(Location::Computer, Logical::Personal)
    ));
    h.get_by_label("sip.contoso.com");
    // The first store is in File ▸ recent stores, and goes back on top when reopened.
    assert_eq!(
        h.state().settings().recent_stores[..2],
        [other.clone(), t.path()]
    );
    click(&mut h, "File");
    h.get_by_label(&format!("2 {}", t.path().display())).click();
    settle(&mut h);
    assert_eq!(h.state().store_dir, t.path());
    assert_eq!(h.state().settings().recent_stores[0], t.path());

    // File ▸ New store… proposes a directory that does not exist and creates it; a
    // directory that exists is refused with one sentence.
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::N,
    );
    h.run_steps(2);
    assert_eq!(
        h.state().dialog.as_ref().map(|d| d.title()),
        Some("New store")
    );
    // The free directory is found off the UI thread, then fills the field.
    settle(&mut h);
    assert!(
        !h.get_by_label("Store directory or address")
            .value()
            .unwrap_or_default()
            .is_empty()
    );
    click(&mut h, "Create");
    settle(&mut h);
    let created = h.state().store_dir.clone();
    assert_ne!(created, t.path());
    assert!(
        created.join("certdesk.db").exists()
            || created.read_dir().is_ok_and(|mut d| d.next().is_some())
    );
    h.state_mut().worker.open(other.clone(), true, 0);
    settle(&mut h);
    assert_eq!(
        h.state().store_dir,
        created,
        "an existing directory is not a new store"
    );
    h.get_by_label_contains("already exists: a new store needs a directory");
}

/// Where the system has no file dialog, Browse… opens the built-in browser: folders and
/// certificate files, Up, a file name field, Enter to open; the choice fills the field of
/// the dialog that asked, and the import goes on from there.
#[test]
fn browse_without_a_native_dialog_shows_the_built_in_browser() {
    let t = TestStore::new();
    let mut h = harness(&t.path());
    h.state_mut().jobs.set_native_dialogs(false);
    click(&mut h, "Import…");
    let fixtures = fx("leaf-aes.pfx")
        .parent()
        .expect("fixture dir")
        .to_path_buf();
    type_into(
        &mut h,
        "File to import",
        &format!("{}{}", fixtures.display(), std::path::MAIN_SEPARATOR),
    );
    click(&mut h, "Browse…");
    settle(&mut h);
    h.get_by_label("Choose a file");
    h.get_by_label("📁 nssdb");
    h.get_by_label("📄 leaf-aes.pfx");
    assert!(
        h.query_by_label("📄 random.bin").is_none(),
        "only certificate files (and .txt)"
    );
    h.get_by_label("📄 data.txt");
    click(&mut h, "Show all files");
    h.get_by_label("📄 random.bin");
    // Into a folder (chosen, then Enter) and back up.
    click(&mut h, "📁 nssdb");
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert!(h.query_by_label("📄 leaf-aes.pfx").is_none());
    click(&mut h, "⬆ Up");
    settle(&mut h);
    // A folder that cannot be read is one sentence; Up leads back.
    let missing = fixtures.join("no-such-folder");
    retype(&mut h, "Folder", s(&missing));
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    h.get_by_label_contains("no-such-folder cannot be read");
    assert!(h.state().browser.is_some(), "the browser stays open");
    click(&mut h, "⬆ Up");
    settle(&mut h);
    // A name that is not there is one sentence; the browser stays.
    type_into(&mut h, "File name", "nothing-here.pfx");
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    h.get_by_label_contains("There is no file named nothing-here.pfx in this folder.");
    // The list scrolls (all files are shown): the wheel brings the row into view.
    let file_name_top = |h: &Harness<'_, CertdeskApp>| {
        h.get_by_label("File name")
            .accesskit_node()
            .bounding_box()
            .map_or(0.0, |r| r.y0)
    };
    for _ in 0..20 {
        let row = h
            .get_by_label("📄 leaf-aes.pfx")
            .accesskit_node()
            .bounding_box();
        if row.is_some_and(|r| r.y1 < file_name_top(&h) - 40.0) {
            break;
        }
        h.get_by_label("📄 leaf-aes.pfx").scroll_down();
        // Until the scroll's animation has ended: the click goes where the row is.
        h.run_steps(30);
    }
    click(&mut h, "📄 leaf-aes.pfx");
    h.get_by_label("File name").focus();
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert!(
        h.state().browser.is_none(),
        "the browser closed: {:?}",
        h.state().browser.as_ref().map(|b| (&b.name, &b.dir))
    );
    match &h.state().dialog {
        Some(Dialog::Import(d)) => assert_eq!(d.path, s(&fixtures.join("leaf-aes.pfx"))),
        _ => panic!("the import dialog is still there"),
    }
    // The chosen file is read at once.
    settle(&mut h);
    h.get_by_label_contains("protected by a password");
    // Esc in the browser closes the browser, not the dialog under it.
    click(&mut h, "Browse…");
    settle(&mut h);
    h.get_by_label("Choose a file");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().browser.is_none());
    assert!(matches!(h.state().dialog, Some(Dialog::Import(_))));
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

    h.get_by_label("Filter:").focus();
    h.run_steps(1);
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
    retype(&mut h, "Template", "ManagerApproval");
    h.run_steps(2);
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

/// A team store in the window: the title names the database, the server and the user;
/// when the server stops, the status bar says the window is reconnecting, and once it is
/// back the window goes on with everything it showed.
#[test]
fn the_window_on_a_team_store_says_when_it_reconnects() {
    let pg = common::pg::Pg::start();
    let address = pg.database();
    let mut store = Store::open_team(
        &address,
        Some(common::pg::ADMIN_PASSWORD),
        Some(common::TEAM_PASSPHRASE),
    )
    .expect("open");
    store.ignore_system_roots();
    let bytes = std::fs::read(fx("chain.p7b")).expect("fixture");
    let options = ImportOptions {
        location: Location::Computer,
        exportable: false,
        trust_root: true,
    };
    let plan = import::plan(
        formats::read(&bytes, None).expect("readable"),
        options.clone(),
    );
    import::commit(&mut store, plan.expect("plan"), "test", 0).expect("commit");
    let screen = Screen {
        width: 1280.0,
        height: 900.0,
        scale: 1.0,
    };
    let mut h = window::harness_on(store, screen, system_now, false);
    let title = certdesk::gui::window_title(&h.state().store_dir);
    assert!(
        title.contains("on 127.0.0.1 as admin (team store)"),
        "{title}"
    );
    let rows = h.state().view.rows.len();
    assert!(rows > 0);
    let wait_for = |h: &mut Harness<'_, CertdeskApp>, shown: bool| {
        for _ in 0..200 {
            h.run_steps(2);
            if h.query_by_label_contains("⚠ Reconnecting").is_some() == shown {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the status bar did not change (reconnecting shown: {shown})");
    };
    pg.pg_ctl("stop");
    wait_for(&mut h, true);
    pg.pg_ctl("start");
    wait_for(&mut h, false);
    assert_eq!(h.state().view.rows.len(), rows, "nothing was lost");
    // Another administrator's change shows within a second or two, with who made it.
    let mut other = Store::open_team(&address, Some(common::pg::ADMIN_PASSWORD), None)
        .expect("another session");
    let bytes = std::fs::read(fx("ec.pem")).expect("fixture");
    let plan = import::plan(formats::read(&bytes, None).expect("readable"), options);
    import::commit(&mut other, plan.expect("plan"), "test", 0).expect("commit");
    for _ in 0..60 {
        h.run_steps(2);
        if h.state().view.rows.len() == rows + 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        h.state().view.rows.len(),
        rows + 1,
        "the other's import shows"
    );
    h.state_mut().page = Page::Log;
    settle(&mut h);
    assert_eq!(h.query_all_by_label_contains("import (admin)").count(), 2);
}

/// File ▸ Open store… takes a team store's address, its database password and the team
/// passphrase: the window then works on the database, and remembers the address only; a
/// wrong passphrase is one sentence in the dialog, which keeps what was typed, and the
/// window stays on its store.
#[test]
fn open_store_takes_a_team_address_and_its_secrets() {
    let address = common::pg::server().database();
    {
        let mut team = Store::open_team(
            &address,
            Some(common::pg::ADMIN_PASSWORD),
            Some(common::TEAM_PASSPHRASE),
        )
        .expect("open");
        let bytes = std::fs::read(fx("chain.p7b")).expect("fixture");
        let options = ImportOptions {
            location: Location::Computer,
            exportable: false,
            trust_root: true,
        };
        let plan = import::plan(formats::read(&bytes, None).expect("readable"), options);
        import::commit(&mut team, plan.expect("plan"), "test", 0).expect("commit");
    }
    let t = TestStore::new();
    let mut h = harness(&t.path());
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::O,
    );
    h.run_steps(2);
    retype(&mut h, "Store directory or address", &address);
    h.run_steps(2);
    type_into(&mut h, "Database password", common::pg::ADMIN_PASSWORD);
    type_into(&mut h, "Team passphrase", "not the passphrase");
    click(&mut h, "Open");
    settle(&mut h);
    // The dialog stays, says why, and keeps what was typed.
    h.get_by_label_contains("the store's passphrase is wrong");
    assert!(matches!(h.state().dialog, Some(Dialog::OpenStore(_))));
    assert_eq!(h.state().store_dir, t.path(), "still on its own store");
    retype(&mut h, "Team passphrase", common::TEAM_PASSPHRASE);
    click(&mut h, "Open");
    settle(&mut h);
    assert!(h.state().dialog.is_none());
    assert_eq!(h.state().store_dir.to_str(), Some(address.as_str()));
    let stored = h
        .state()
        .view
        .rows
        .iter()
        .filter(|r| !r.cert.system)
        .count();
    assert_eq!(stored, 3, "the chain's leaf, intermediate and root");
    h.get_by_label_contains(&format!("Opened the store in {address}"));
}
