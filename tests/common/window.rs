//! The window under egui_kittest: a harness on a store at a screen size and scale, frames
//! stepped until the store's thread and the jobs are done, and a walk through every page,
//! dialog and wizard page (the layout check and the snapshots both visit them). Paths that
//! would name this machine are replaced with fixed ones before a state is visited.

use std::path::{Path, PathBuf};

use certdesk::gui::app::CertdeskApp;
use certdesk::gui::dialogs::{AddCaDialog, DetailsTab, Dialog, REQUEST_STEPS, TargetDialog};
use certdesk::gui::settings::Settings;
use certdesk::gui::verbs::Verb;
use certdesk::gui::views::Page;
use certdesk::store::{CaKind, DeployFormat, Location, Logical, Store};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// A screen: its size in pixels and the scale (1.25 shows 819×614 points on 1024×768).
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    pub width: f32,
    pub height: f32,
    pub scale: f32,
}

/// 1024×768 at 100 %.
pub const XGA: Screen = Screen {
    width: 1024.0,
    height: 768.0,
    scale: 1.0,
};

/// The window on the store in `dir`, with `clock`, once its first snapshot has arrived.
pub fn harness(
    dir: &Path,
    screen: Screen,
    clock: fn() -> i64,
    wgpu: bool,
) -> Harness<'static, CertdeskApp> {
    let mut store = Store::open(dir).expect("store");
    // The machine's own roots would make the window differ from one machine to another.
    store.ignore_system_roots();
    harness_on(store, screen, clock, wgpu)
}

/// [`harness`] on a store opened as the caller wants it.
pub fn harness_on(
    store: Store,
    screen: Screen,
    clock: fn() -> i64,
    wgpu: bool,
) -> Harness<'static, CertdeskApp> {
    let mut h = opening(store, screen, clock, wgpu);
    settle(&mut h);
    h
}

/// The window on `store` as it opens: its first frame drawn, the store's first view not
/// necessarily in yet.
pub fn opening(
    store: Store,
    screen: Screen,
    clock: fn() -> i64,
    wgpu: bool,
) -> Harness<'static, CertdeskApp> {
    let dir = store.dir().to_path_buf();
    let mut app = CertdeskApp::with_clock(store, dir.with_extension("sample"), clock);
    app.restore(Settings::default(), None);
    let mut builder = Harness::builder()
        .with_size(egui::vec2(
            screen.width / screen.scale,
            screen.height / screen.scale,
        ))
        .with_pixels_per_point(screen.scale);
    if wgpu {
        builder = builder.wgpu();
    }
    builder.build_ui_state(|ui, app: &mut CertdeskApp| app.ui(ui), app)
}

/// Steps frames until the background jobs and the store's thread are done and their
/// results applied.
pub fn settle(h: &mut Harness<'_, CertdeskApp>) {
    for _ in 0..1200 {
        h.run_steps(2);
        if !h.state().busy() {
            h.run_steps(3);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("background jobs did not finish");
}

fn start(h: &mut Harness<'_, CertdeskApp>, verb: Verb) {
    let ctx = h.ctx.clone();
    h.state_mut().start(verb, &ctx);
    settle(h);
}

fn close(h: &mut Harness<'_, CertdeskApp>) {
    h.state_mut().dialog = None;
    h.state_mut().browser = None;
    h.run_steps(2);
}

/// A folder for the file browser to list, with a few certificate files in it.
pub fn browse_folder(parent: &Path) -> PathBuf {
    let dir = parent.join("certificates");
    std::fs::create_dir_all(dir.join("archive")).expect("dir");
    for name in [
        "edge-external.pfx",
        "edge-internal.cer",
        "contoso-root.p7b",
        "notes.txt",
    ] {
        std::fs::write(dir.join(name), b"x").expect("file");
    }
    dir
}

/// Visits every page, dialog and wizard page of the window on a sample deployment:
/// `visit(h, name)` once each is shown; `menus` also opens each menu of the bar.
pub fn walk(
    h: &mut Harness<'_, CertdeskApp>,
    browse: &Path,
    menus: bool,
    visit: &mut dyn FnMut(&mut Harness<'_, CertdeskApp>, &str),
) {
    let stores = [
        (Location::Computer, Logical::Personal, "store-personal"),
        (Location::Computer, Logical::Ca, "store-intermediate"),
        (Location::Computer, Logical::Root, "store-roots"),
        (Location::Computer, Logical::Requests, "store-requests"),
        (Location::User, Logical::Personal, "store-user-personal"),
    ];
    for (location, logical, name) in stores {
        h.state_mut().page = Page::Store(location, logical);
        // The page's order is computed by a job: wait for it, not for a number of frames.
        settle(h);
        visit(h, name);
    }
    for (page, name) in [
        (Page::Wizard, "certificate-wizard"),
        (Page::Renewals, "renewals"),
        (Page::Topology, "topology"),
        (Page::Cas, "certification-authorities"),
        (Page::Deploy, "deploy-targets"),
        (Page::Probe, "check-a-server"),
        (Page::Log, "activity-log"),
    ] {
        h.state_mut().page = page;
        settle(h);
        visit(h, name);
    }
    if menus {
        for (letter, name) in [
            (egui::Key::F, "menu-file"),
            (egui::Key::A, "menu-action"),
            (egui::Key::V, "menu-view"),
            (egui::Key::H, "menu-help"),
        ] {
            h.key_press_modifiers(egui::Modifiers::ALT, letter);
            h.run_steps(3);
            visit(h, name);
            h.key_press(egui::Key::Escape);
            h.run_steps(3);
        }
    }
    // The dialogs, on the Edge certificate that holds a key.
    h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
    h.run_steps(2);
    let edge = h
        .state()
        .view
        .rows
        .iter()
        .find(|r| r.cert.key.is_some() && r.cert.logical == Logical::Personal)
        .map(|r| r.cert.id);
    h.state_mut().list.selected = edge;
    for (verb, name) in [
        (Verb::Import, "import"),
        (Verb::Export, "export"),
        (Verb::Assign, "assign"),
        (Verb::Renew, "renew"),
        (Verb::Remove, "remove"),
        (Verb::OpenStore, "open-store"),
        (Verb::NewStore, "new-store"),
        (Verb::Unlock, "unlock"),
        (Verb::About, "about"),
    ] {
        start(h, verb);
        match &mut h.state_mut().dialog {
            Some(Dialog::OpenStore(d)) => {
                d.path = "/srv/certdesk/store".into();
                // The focused field's cursor was after the proposed path, whose length
                // depends on this machine: End puts it after the path shown.
                h.run_steps(1);
                h.key_press(egui::Key::End);
            }
            Some(Dialog::About(about)) => about.store = PathBuf::from("/srv/certdesk/store"),
            _ => {}
        }
        h.run_steps(3);
        visit(h, name);
        close(h);
    }
    for (kind, name) in [
        (CaKind::Acme, "add-acme-ca"),
        (CaKind::Scep, "add-scep-ca"),
        (CaKind::Certsrv, "add-adcs-ca"),
    ] {
        let mut dialog = AddCaDialog::default();
        dialog.kind = kind;
        h.state_mut().dialog = Some(Dialog::AddCa(Box::new(dialog)));
        h.run_steps(3);
        visit(h, name);
        close(h);
    }
    let mut target = TargetDialog::default();
    target.format = DeployFormat::Pfx;
    h.state_mut().dialog = Some(Dialog::Target(Box::new(target)));
    h.run_steps(3);
    visit(h, "deploy-target");
    close(h);
    start(h, Verb::ViewDetails);
    for (tab, name) in [
        (DetailsTab::General, "details-general"),
        (DetailsTab::Details, "details-fields"),
        (DetailsTab::Path, "details-path"),
        (DetailsTab::Sans, "details-san-inspector"),
    ] {
        if let Some(Dialog::Details(d)) = &mut h.state_mut().dialog {
            d.tab = tab;
        }
        h.run_steps(3);
        visit(h, name);
    }
    close(h);
    start(h, Verb::Request);
    h.get_by_label("External Edge certificate (public Internet)")
        .click();
    for (i, step) in REQUEST_STEPS.into_iter().enumerate() {
        if let Some(Dialog::Request(w)) = &mut h.state_mut().dialog {
            w.step = step;
        }
        h.run_steps(3);
        visit(h, &format!("request-{:02}", i + 1));
    }
    close(h);
    // The built-in file browser over the import dialog, on a folder of a few files.
    h.state_mut().jobs.set_native_dialogs(false);
    start(h, Verb::Import);
    if let Some(Dialog::Import(d)) = &mut h.state_mut().dialog {
        d.path = format!("{}{}", browse.display(), std::path::MAIN_SEPARATOR);
    }
    h.get_by_label("Browse…").click();
    settle(h);
    if let Some(Dialog::Import(d)) = &mut h.state_mut().dialog {
        d.path = "/home/admin/certificates/".into();
    }
    if let Some(b) = &mut h.state_mut().browser {
        b.folder = "/home/admin/certificates".into();
    }
    h.run_steps(3);
    visit(h, "file-browser");
    close(h);
}
