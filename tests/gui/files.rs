//! Files in and out of the window: the Export wizard (passwords confirmed, a PFX OpenSSL
//! reads) and the built-in file browser where the system has no file dialog.

use crate::common;

use certdesk::gui::app::CertdeskApp;
use certdesk::gui::dialogs::Dialog;
use common::window::settle;
use common::{TestStore, fx, s, tool};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use super::app::{click, harness, import_into, is_disabled, retype, type_into};

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
