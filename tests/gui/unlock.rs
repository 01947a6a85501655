//! A local store with a passphrase opens locked: the window lists its certificates, says it
//! is locked, and asks for the passphrase once as it starts; a wrong one is one sentence
//! in the dialog, the right one gives the keys back.

use crate::common;

use certdesk::gui::app::system_now;
use certdesk::gui::dialogs::Dialog;
use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Store};
use common::TestStore;
use common::window::{self, settle};
use egui_kittest::kittest::Queryable;

const PASSPHRASE: &str = "a long store passphrase";

#[test]
fn a_locked_store_asks_for_its_passphrase_and_unlocks() {
    let t = TestStore::new();
    {
        let mut store = Store::open(&t.path()).expect("store");
        let pem = std::fs::read(common::leaf_with_key(t.dir.path(), 1)).expect("pem");
        let options = ImportOptions {
            location: Location::Computer,
            exportable: true,
            trust_root: false,
        };
        let plan = import::plan(formats::read(&pem, None).expect("readable"), options);
        import::commit(&mut store, plan.expect("plan"), "test", 0).expect("commit");
        certdesk::ops::team::change_passphrase(&mut store, Some(PASSPHRASE), 0)
            .expect("passphrase set");
    }
    let mut h = window::harness(&t.path(), window::XGA, system_now, false);
    settle(&mut h);
    assert!(h.state().view.locked);
    assert!(matches!(h.state().dialog, Some(Dialog::Unlock(_))));
    assert_eq!(h.state().view.rows.len(), 1, "a locked store still lists");
    h.get_by_label_contains("🔒 Locked");

    h.get_by_label("Store passphrase").focus();
    h.run_steps(1);
    h.get_by_label("Store passphrase")
        .type_text("not the passphrase");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    h.get_by_label_contains("passphrase is wrong");
    assert!(matches!(h.state().dialog, Some(Dialog::Unlock(_))));
    assert!(h.state().view.locked);

    h.get_by_label("Store passphrase").focus();
    h.run_steps(1);
    h.get_by_label("Store passphrase").type_text(PASSPHRASE);
    h.run_steps(1);
    h.get_by_label("Unlock").click();
    settle(&mut h);
    assert!(
        h.state().dialog.is_none(),
        "the dialog closes once unlocked"
    );
    assert!(!h.state().view.locked);
    h.get_by_label_contains("The store is unlocked");
    assert!(h.query_by_label_contains("🔒 Locked").is_none());
}

/// The keyring test runs in its own session bus with its own GNOME Keyring (Debian
/// `gnome-keyring`, `libsecret-tools`, `dbus`): this test starts them and runs
/// [`remembered_in_the_keyring_inside`] in that session; both are stopped when it ends.
#[test]
fn remembered_in_the_keyring_the_store_opens_unlocked() {
    let home = tempfile::tempdir().expect("home");
    let script = r#"
        printf x | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
        keyring=$!
        trap 'kill $keyring' EXIT
        for i in $(seq 100); do
            dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
                org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
                | grep -q true && break
            sleep 0.1
        done
        "$0" "$@"
    "#;
    let mut session = std::process::Command::new("timeout");
    session
        .args(["120", "dbus-run-session", "--", "bash", "-c", script])
        .env("HOME", home.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    common::run_inner_test(session, "unlock::remembered_in_the_keyring_inside");
}

/// Run by [`remembered_in_the_keyring_the_store_opens_unlocked`] inside its session.
#[test]
#[ignore = "runs inside the session bus its caller starts"]
fn remembered_in_the_keyring_inside() {
    assert!(certdesk::ops::keyring::available(), "a session bus");
    let t = TestStore::new();
    {
        let mut store = Store::open(&t.path()).expect("store");
        certdesk::ops::team::change_passphrase(&mut store, Some(PASSPHRASE), 0)
            .expect("passphrase set");
    }
    let mut h = window::harness(&t.path(), window::XGA, system_now, false);
    assert!(matches!(h.state().dialog, Some(Dialog::Unlock(_))));
    h.get_by_label("Store passphrase").focus();
    h.run_steps(1);
    h.get_by_label("Store passphrase").type_text(PASSPHRASE);
    h.run_steps(1);
    h.get_by_label("Remember in the keyring").click();
    h.run_steps(1);
    h.get_by_label("Unlock").click();
    settle(&mut h);
    assert!(!h.state().view.locked);
    h.get_by_label_contains("The store is unlocked");
    drop(h);
    let recalled = certdesk::ops::keyring::recall(&t.path()).expect("kept");
    assert_eq!(recalled.as_str(), PASSPHRASE);

    // The next window opens unlocked, and asks nothing.
    let h = window::harness(&t.path(), window::XGA, system_now, false);
    assert!(!h.state().view.locked);
    assert!(h.state().dialog.is_none());
    drop(h);

    // A new passphrase forgets the old one: the window asks again.
    {
        let mut store = Store::open_with(&t.path(), Some(PASSPHRASE)).expect("unlocked");
        certdesk::ops::team::change_passphrase(&mut store, Some("another long one"), 0)
            .expect("changed");
    }
    assert!(certdesk::ops::keyring::recall(&t.path()).is_none());
    let h = window::harness(&t.path(), window::XGA, system_now, false);
    assert!(h.state().view.locked);
    assert!(matches!(h.state().dialog, Some(Dialog::Unlock(_))));
}
