//! Renders the main views of the sample deployment with the real renderer (wgpu on Mesa):
//! every run checks that they render; `UPDATE_SCREENSHOTS=1 cargo test --test gui screenshots`
//! rewrites `screenshots/*.png`, which the README shows.

use crate::common;

use std::path::Path;

use certdesk::gui::app::CertdeskApp;
use certdesk::gui::dialogs::{Dialog, Step};
use certdesk::gui::views::Page;
use certdesk::ops::sample;
use certdesk::store::{Location, Logical, Store};
use common::window::settle;
use common::{fx, s};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn shoot(h: &mut Harness<'_, CertdeskApp>, name: &str) {
    // The pointer of the last click would be drawn over the picture.
    h.event(egui::Event::PointerGone);
    h.run_steps(4);
    let image = h
        .render()
        .expect("the view renders (is a wgpu adapter such as Mesa installed?)");
    assert!(image.width() >= 1000 && image.height() >= 700);
    let distinct = image
        .pixels()
        .take(200_000)
        .map(|p| p.0)
        .collect::<std::collections::HashSet<_>>()
        .len();
    assert!(distinct > 8, "{name} rendered blank");
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
        std::fs::create_dir_all(&dir).expect("dir");
        image.save(dir.join(format!("{name}.png"))).expect("saved");
    }
}

#[test]
fn the_main_views_render() {
    let tmp = tempfile::tempdir().expect("temp");
    let dir = tmp.path().join("sample");
    let now = certdesk::gui::app::system_now();
    sample::create(&dir, now).expect("sample");
    let mut store = Store::open(&dir).expect("store");
    // The machine's own roots would show in the pictures.
    store.ignore_system_roots();
    let app = CertdeskApp::new(store, tmp.path().join("other"));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1024.0, 768.0))
        .wgpu()
        .build_ui_state(|ui, app: &mut CertdeskApp| app.ui(ui), app);
    settle(&mut h);

    h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
    h.run_steps(2);
    h.get_by_label("Edge external").click();
    shoot(&mut h, "store-list");

    h.ctx.set_theme(egui::Theme::Light);
    shoot(&mut h, "store-list-light");
    h.ctx.set_theme(egui::Theme::Dark);

    h.get_by_label("View details").click();
    h.run_steps(2);
    h.get_by_label("SAN inspector").click();
    h.run_steps(2);
    shoot(&mut h, "details-san-inspector");
    h.state_mut().dialog = None;

    h.state_mut().page = Page::Wizard;
    shoot(&mut h, "certificate-wizard");

    h.get_by_label("Request…").click();
    h.run_steps(2);
    h.get_by_label("External Edge certificate (public Internet)")
        .click();
    h.run_steps(1);
    if let Some(Dialog::Request(w)) = &mut h.state_mut().dialog {
        w.step = Step::Preview;
    }
    shoot(&mut h, "request-wizard");
    h.state_mut().dialog = None;

    h.get_by_label("Import…").click();
    h.run_steps(2);
    h.get_by_label("File to import").focus();
    h.run_steps(1);
    h.get_by_label("File to import")
        .type_text(s(&fx("leaf-aes.pfx")));
    h.get_by_label("Open").click();
    for _ in 0..200 {
        h.run_steps(1);
        if h.state().jobs.idle() && h.query_by_label("Password").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The picture shows no path of the machine that made it.
    if let Some(Dialog::Import(d)) = &mut h.state_mut().dialog {
        d.path = "/home/admin/edge-external.pfx".into();
    }
    shoot(&mut h, "import-password");
    h.state_mut().dialog = None;

    h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
    h.run_steps(2);
    h.get_by_label("Edge external").click();
    h.run_steps(1);
    h.get_by_label("Export…").click();
    shoot(&mut h, "export-options");
}
