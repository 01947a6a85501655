//! The import dialog: a PFX by typed path and password (and a wrong one, which changes
//! nothing), a file given on the command line or dropped, a root already trusted; and the
//! way the Lync procedures use it: the second Edge server's PFX, whose key A/V Edge
//! external needs exportable (proposed in the preview, or made so by importing the same PFX
//! again), and the CA's answer saved as `.txt`, chosen in the built-in browser and read at
//! once, from the folder of the last file chosen.

use crate::common;

use std::path::Path;

use certdesk::deploy::usage::UsageType;
use certdesk::gui::app::{CertdeskApp, system_now};
use certdesk::gui::views::Page;
use certdesk::ops::assign::{self, AssignRequest};
use certdesk::store::{Location, Logical, Store, StoredCert};
use common::window::settle;
use common::{TestStore, fx, s};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use super::app::{
    click, edge_store, harness, import_into, is_disabled, retype, store_files, type_into,
};

const EXPORTABLE: &str = "Keep the private key exportable (needed to move it to another server)";
const TRUST: &str = "Trust the root CA certificates in this file (add them to Trusted Roots)";

fn ticked(h: &Harness<'_, CertdeskApp>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
}

/// A double-click on the node labelled `label`: both clicks in one frame (the harness
/// gives every queued event a frame of its own, a quarter of a second apart).
fn double_click(h: &mut Harness<'_, CertdeskApp>, label: &str) {
    let pos = h.get_by_label(label).rect().center();
    let button = |pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    h.input_mut().events.extend([
        egui::Event::PointerMoved(pos),
        button(true),
        button(false),
        button(true),
        button(false),
    ]);
    h.run_steps(2);
}

/// Import…, the fixture PFX, its password: the preview.
fn preview_the_pfx(h: &mut Harness<'_, CertdeskApp>) {
    click(h, "Import…");
    type_into(h, "File to import", s(&fx("leaf-aes.pfx")));
    click(h, "Open");
    settle(h);
    type_into(h, "Password", "secret");
    click(h, "Open");
    settle(h);
    h.get_by_label_contains("PKCS#12 (.pfx) file: 3 certificates, 1 private key");
}

/// The certificate of the fixture leaf in Computer\Personal.
fn personal_leaf(store: &Store) -> StoredCert {
    let mut personal = store
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list");
    assert_eq!(personal.len(), 1);
    personal.remove(0)
}

/// The second Edge server: the preview says that A/V Edge external needs an exportable
/// key and ticks the box for the new key, the result counts the key it attached, and A/V
/// Edge external is then assigned after this one import.
#[test]
fn on_an_edge_server_the_preview_proposes_an_exportable_key_and_a_v_assigns() {
    let t = edge_store();
    let mut h = harness(&t.path());
    preview_the_pfx(&mut h);
    h.get_by_label(
        "A/V Edge external needs an exportable private key on this server: every Edge server of the pool holds the same certificate and key.",
    );
    assert!(ticked(&h, EXPORTABLE), "the tick is proposed");
    click(&mut h, TRUST);
    click(&mut h, "Import");
    settle(&mut h);
    h.get_by_label("The import is complete.");
    h.get_by_label("3 imported, 0 already present, 1 key attached.");

    let mut store = Store::open(&t.path()).expect("store");
    store.ignore_system_roots();
    let leaf = personal_leaf(&store);
    assert!(leaf.key.as_ref().is_some_and(|k| k.exportable), "{leaf:?}");
    let request = AssignRequest {
        location: Location::Computer,
        thumbprint: leaf.summary.thumbprint.clone(),
        usages: vec![UsageType::AudioVideoAuthentication],
        roll: None,
    };
    assign::assign(&mut store, &request, system_now()).expect("A/V Edge external assigns");
}

/// The same PFX imported again, its key already in the store as not exportable: the
/// preview says so and leaves the box as it is; ticked, the import seals the key again as
/// exportable, the result and the activity log say so, and the key leaves as a PFX.
#[test]
fn importing_the_same_pfx_again_with_the_tick_makes_its_stored_key_exportable() {
    let t = edge_store();
    import_into(&t.path(), "leaf-aes.pfx", Some("secret"), false);
    let mut h = harness(&t.path());
    preview_the_pfx(&mut h);
    h.get_by_label(
        "The private key (RSA 2048) is already in the store, not exportable: tick the box to make it exportable.",
    );
    assert!(
        !ticked(&h, EXPORTABLE),
        "a stored key changes only when the user asks"
    );
    // A tick given on an earlier preview does not carry over to the file read again.
    click(&mut h, EXPORTABLE);
    click(&mut h, "Open");
    settle(&mut h);
    assert!(!ticked(&h, EXPORTABLE), "asked on this preview only");
    click(&mut h, EXPORTABLE);
    h.get_by_label(
        "The private key (RSA 2048) is already in the store, not exportable: this import makes it exportable, since the file holds it.",
    );
    click(&mut h, "Import");
    settle(&mut h);
    h.get_by_label("0 imported, 3 already present, 0 keys attached.");
    let said = "the private key of \"sip.contoso.com\" is now exportable, as asked: the file holds it, and its private half gives the certificate's public key";
    h.get_by_label(&format!("T{}.", &said[1..]));

    let store = Store::open(&t.path()).expect("store");
    let leaf = personal_leaf(&store);
    assert!(leaf.key.as_ref().is_some_and(|k| k.exportable), "{leaf:?}");
    // Sealed again under the new flag: the key opens, and it is the certificate's.
    let key = store.cert_key(&leaf).expect("opens").expect("a key");
    assert_eq!(key.public_key_hash(), leaf.summary.public_key_hash);
    let log = store.log_entries(Some(1)).expect("log");
    assert_eq!(log[0].operation, "import");
    assert!(log[0].details.contains(said), "{}", log[0].details);
}

/// Procedure A's answer from the CA: the built-in browser shows `.txt`; a double-click
/// on a file imports it in one step (the preview at once); a root imported without
/// "trust" says in one sentence that it was not trusted and how to; the next Browse…
/// starts in the folder of the last file chosen, in this session and the next.
#[test]
fn the_cas_answer_is_chosen_and_read_in_one_step_from_the_last_folder() {
    let t = TestStore::new();
    let answers = t.dir.path().join("answers");
    std::fs::create_dir_all(&answers).expect("dir");
    std::fs::copy(fx("root.pem"), answers.join("contoso-root.cer")).expect("copy");
    std::fs::copy(fx("leaf.pem"), answers.join("ca-answer.txt")).expect("copy");
    let mut h = harness(&t.path());
    h.state_mut().jobs.set_native_dialogs(false);
    click(&mut h, "Import…");
    click(&mut h, "Browse…");
    settle(&mut h);
    retype(&mut h, "Folder", s(&answers));
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    h.get_by_label("📄 ca-answer.txt");
    // A double-click on the root chooses it, and the dialog reads it at once.
    double_click(&mut h, "📄 contoso-root.cer");
    assert!(
        h.state().browser.is_none(),
        "the double-click chose the file"
    );
    settle(&mut h);
    h.get_by_label_contains("1 certificate, 0 private keys");
    click(&mut h, "Import");
    settle(&mut h);
    h.get_by_label(
        "\"Contoso Test Root\" was not added to Trusted Roots: to trust it, import the file again and tick \"Trust the root CA certificates in this file\".",
    );
    assert!(
        h.query_by_label_contains("The import is complete")
            .is_none(),
        "nothing was imported"
    );
    assert!(h.query_by_label_contains("skipped").is_none());
    click(&mut h, "Close");

    // The next Browse… starts where the last file was chosen; Enter on a file imports it.
    click(&mut h, "Import…");
    click(&mut h, "Browse…");
    settle(&mut h);
    assert_eq!(
        h.state().browser.as_ref().map(|b| b.dir.clone()),
        Some(answers.clone())
    );
    click(&mut h, "📄 ca-answer.txt");
    h.get_by_label("File name").focus();
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert!(h.state().browser.is_none());
    settle(&mut h);
    h.get_by_label_contains("1 certificate, 0 private keys");
    // And in the next session.
    assert_eq!(h.state().settings().last_folder, Some(answers));
}

/// A PFX whose chain ends in a root not trusted here says, before the import, that its
/// certificate is refused for every usage until the root is trusted; ticked, the sentence
/// goes.
#[test]
fn the_preview_says_an_untrusted_root_refuses_every_usage() {
    let t = edge_store();
    let mut h = harness(&t.path());
    preview_the_pfx(&mut h);
    let warning = "Until its root CA is trusted, this certificate is refused for every usage";
    h.get_by_label_contains(warning);
    click(&mut h, TRUST);
    assert!(h.query_by_label_contains(warning).is_none());
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
