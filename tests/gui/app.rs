//! Driving the window in tests: the harness on a store, typing, clicking, the request
//! wizard's first pages, and the store's files as they stand; the tests themselves live in
//! a file per subject beside this one.

use crate::common;

use std::path::Path;

use certdesk::gui::app::{CertdeskApp, system_now};
use certdesk::ops::enroll;
use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Store};
use common::window::{self, Screen, settle};
use common::{EDGE, TestStore, fx};
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
pub(crate) fn select(h: &mut Harness<'_, CertdeskApp>, thumbprint: &str) {
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
        // A page may wait on the network (an AD CS CA's template list): let it arrive.
        settle(h);
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
pub(crate) fn store_files(dir: &Path) -> Vec<(String, u64, Option<std::time::SystemTime>)> {
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

pub(crate) fn import_into(dir: &Path, file: &str, password: Option<&str>, exportable: bool) {
    let bytes = std::fs::read(fx(file)).expect("fixture");
    import_bytes(dir, &bytes, file, password, exportable);
}

/// Imports a file's bytes into the Computer location, trusting its roots.
fn import_bytes(dir: &Path, bytes: &[u8], name: &str, password: Option<&str>, exportable: bool) {
    let mut store = Store::open(dir).expect("store");
    let contents = formats::read(bytes, password).expect("readable");
    let options = ImportOptions {
        location: Location::Computer,
        exportable,
        trust_root: true,
    };
    import::commit(
        &mut store,
        import::plan(contents, options).expect("plan"),
        name,
        0,
    )
    .expect("commit");
}

/// A store of `n` generated certificates: a root (Trusted Roots) and `n - 1` end entities
/// in Personal, `host000001.bench.contoso.com` first (see [`common::big_bundle`]).
pub(crate) fn bulk_store(n: usize) -> TestStore {
    let t = TestStore::new();
    import_bytes(&t.path(), &common::big_bundle(n), "bundle", None, false);
    t
}
