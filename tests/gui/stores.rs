//! Stores in the window: the sample deployment, another store or a team store opened from
//! the File menu, a team store that reconnects, and other processes writing the same store
//! while the window is open.

use crate::common;

use certdesk::gui::app::{CertdeskApp, system_now};
use certdesk::gui::dialogs::Dialog;
use certdesk::gui::views::Page;
use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Logical, Store};
use common::window::{self, Screen, settle};
use common::{TestStore, fx, s};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use super::app::{click, harness, import_into, retype, type_into};

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
