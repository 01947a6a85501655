//! GUI frame times with 100,000 certificates: the store list idle, scrolling, the frame
//! after a filter keystroke (which recomputes the visible order) and after a sort click,
//! measured over real frames of the app driven by egui_kittest (layout and our code; no
//! GPU). Also the time to load the store into the view at startup.
//!
//! Run: `cargo bench --bench gui`.

mod common;

use std::time::{Duration, Instant};

use certdesk::gui::app::CertdeskApp;
use certdesk::gui::views::Page;
use certdesk::model::formats;
use certdesk::model::import::{self, ImportOptions};
use certdesk::model::store::{Location, Logical, Store};
use common::{median, ms};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn frame(h: &mut Harness<'_, CertdeskApp>) -> Duration {
    let t = Instant::now();
    h.step();
    t.elapsed()
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("store");
    {
        let mut store = Store::open(&dir).expect("store");
        let contents = formats::read(&common::bundle::big_bundle(100_000), None).expect("bundle");
        let options = ImportOptions {
            location: Location::Computer,
            exportable: false,
            trust_root: true,
        };
        import::commit(
            &mut store,
            import::plan(contents, options).expect("plan"),
            "bench",
            0,
        )
        .expect("commit");
    }
    let t = Instant::now();
    let app = CertdeskApp::new(Store::open(&dir).expect("store"), tmp.path().join("sample"))
        .expect("app");
    let load = t.elapsed();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_ui_state(|ui, app: &mut CertdeskApp| app.ui(ui), app);
    h.state_mut().page = Page::Store(Location::Computer, Logical::Root);
    h.run_steps(2);
    // Back to the 100,000-row page: the frame rebuilds the filtered and sorted order.
    h.state_mut().page = Page::Store(Location::Computer, Logical::Personal);
    let first = frame(&mut h);
    h.run_steps(3);

    let idle = median((0..60).map(|_| frame(&mut h)).collect());

    let table = h
        .get_by_label("host000002.bench.contoso.com")
        .rect()
        .center();
    h.hover_at(table);
    let scroll = median(
        (0..60)
            .map(|_| {
                h.event(egui::Event::MouseWheel {
                    unit: egui::MouseWheelUnit::Point,
                    delta: egui::vec2(0.0, -600.0),
                    phase: egui::TouchPhase::Move,
                    modifiers: egui::Modifiers::NONE,
                    source: egui::MouseWheelSource::Wheel,
                });
                frame(&mut h)
            })
            .collect(),
    );

    h.get_by_label("Filter:").focus();
    h.run_steps(1);
    let mut keystrokes = Vec::new();
    for c in ["s", "i", "p", "7", "7"] {
        h.get_by_label("Filter:").type_text(c);
        keystrokes.push(frame(&mut h));
    }
    let keystroke = median(keystrokes);
    let after_filter = median((0..30).map(|_| frame(&mut h)).collect());

    let mut sorts = Vec::new();
    for _ in 0..5 {
        h.get_by_label("Filter:").focus();
        h.key_press(egui::Key::Backspace);
        h.run_steps(1);
    }
    h.run_steps(2);
    for label in ["Expiration Date", "Issued To"] {
        h.get_by_label(label).click();
        // The click is seen in one frame; the next one re-sorts.
        sorts.push(frame(&mut h) + frame(&mut h));
        h.run_steps(1);
    }
    let sort = median(sorts);

    println!("100,000 certificates, UI frames without GPU (median):");
    println!(
        "  loading the store into the view at startup:    {:8.1} ms",
        ms(load)
    );
    println!(
        "  opening the list page (builds the order):      {:8.1} ms",
        ms(first)
    );
    println!(
        "  idle frame:                                    {:8.2} ms",
        ms(idle)
    );
    println!(
        "  scrolling frame:                               {:8.2} ms",
        ms(scroll)
    );
    println!(
        "  frame after a filter keystroke (re-filters):   {:8.1} ms",
        ms(keystroke)
    );
    println!(
        "  frame with a filter applied:                   {:8.2} ms",
        ms(after_filter)
    );
    println!(
        "  sort click, two frames (re-sorts 100,000):     {:8.1} ms",
        ms(sort)
    );
}
