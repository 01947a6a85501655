//! Layouts that fit: every page, dialog, wizard page and menu of the window, at 1024×768,
//! 1280×800, and 1024×768 at 125 % and 150 % scale. Every interactive widget lies inside
//! its dialog or menu (and that inside the window), or inside a scroll area that can bring
//! it into view: nothing clipped, nothing unreachable.

mod common;

use certdesk::gui::app::CertdeskApp;
use certdesk::gui::dialogs::{DetailsTab, Dialog, Step};
use certdesk::gui::settings::Settings;
use certdesk::gui::verbs::Verb;
use certdesk::gui::views::Page;
use certdesk::ops::sample;
use certdesk::store::{Location, Logical, Store};
use egui::accesskit::{Action, Rect, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// A screen: logical size at 100 % and the scale.
#[derive(Clone, Copy, Debug)]
struct Screen {
    width: f32,
    height: f32,
    scale: f32,
}

const SCREENS: [Screen; 4] = [
    Screen {
        width: 1024.0,
        height: 768.0,
        scale: 1.0,
    },
    Screen {
        width: 1280.0,
        height: 800.0,
        scale: 1.0,
    },
    Screen {
        width: 1024.0,
        height: 768.0,
        scale: 1.25,
    },
    Screen {
        width: 1024.0,
        height: 768.0,
        scale: 1.5,
    },
];

fn harness(dir: &std::path::Path, screen: Screen) -> Harness<'static, CertdeskApp> {
    let store = Store::open(dir).expect("store");
    let mut app = CertdeskApp::new(store, dir.with_extension("sample"));
    app.restore(Settings::default(), None);
    let mut h = Harness::builder()
        .with_size(egui::vec2(
            screen.width / screen.scale,
            screen.height / screen.scale,
        ))
        .with_pixels_per_point(screen.scale)
        .build_ui_state(|ui, app: &mut CertdeskApp| app.ui(ui), app);
    settle(&mut h);
    h
}

fn settle(h: &mut Harness<'_, CertdeskApp>) {
    for _ in 0..1200 {
        h.run_steps(2);
        if !h.state().busy() {
            h.run_steps(3);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("the store did not answer");
}

fn contains(outer: Rect, inner: Rect) -> bool {
    const SLACK: f64 = 2.0;
    inner.x0 >= outer.x0 - SLACK
        && inner.y0 >= outer.y0 - SLACK
        && inner.x1 <= outer.x1 + SLACK
        && inner.y1 <= outer.y1 + SLACK
}

/// Every interactive widget that lies outside its container (dialog, menu, or window)
/// without a scroll area between them that could bring it into view, as sentences.
fn unreachable(h: &Harness<'_, CertdeskApp>, screen: Screen) -> Vec<String> {
    let window = Rect::new(0.0, 0.0, f64::from(screen.width), f64::from(screen.height));
    let mut problems = Vec::new();
    for node in h.root().children_recursive() {
        let n = node.accesskit_node();
        let interactive =
            n.data().supports_action(Action::Focus) || n.data().supports_action(Action::Click);
        if !interactive || n.is_hidden() {
            continue;
        }
        // Containers that take the focus for their children have no place of their own.
        let Some(bounds) = n
            .bounding_box()
            .filter(|b| b.x0.is_finite() && b.y1.is_finite())
        else {
            continue;
        };
        // The nearest dialog or menu holds it; a scroll area on the way may hold it instead.
        let mut container = window;
        let mut scrolled = false;
        let mut parent = n.parent();
        while let Some(p) = parent {
            if p.children().any(|c| c.role() == Role::ScrollBar) {
                scrolled = true;
            }
            if matches!(p.role(), Role::Dialog | Role::Menu)
                && let Some(b) = p.bounding_box()
            {
                if !contains(window, b) {
                    problems.push(format!(
                        "a {:?} reaches outside the window: {b:?}",
                        p.role()
                    ));
                }
                container = b;
                break;
            }
            parent = p.parent();
        }
        if !scrolled && !contains(container, bounds) {
            problems.push(format!(
                "{:?} \"{}\" at {bounds:?} is outside {container:?}",
                n.role(),
                n.label().unwrap_or_default()
            ));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

fn check(h: &mut Harness<'_, CertdeskApp>, screen: Screen, what: &str, failures: &mut Vec<String>) {
    h.run_steps(4);
    for p in unreachable(h, screen) {
        failures.push(format!("{what} at {screen:?}: {p}"));
    }
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

const REQUEST_STEPS: [Step; 11] = [
    Step::Usages,
    Step::Delivery,
    Step::Target,
    Step::Template,
    Step::NameSecurity,
    Step::Organization,
    Step::Geography,
    Step::Preview,
    Step::SipDomains,
    Step::Additional,
    Step::Summary,
];

/// Walks every page, dialog, wizard page and menu on `h` (a sample deployment).
fn walk(h: &mut Harness<'_, CertdeskApp>, screen: Screen, failures: &mut Vec<String>) {
    for location in [Location::Computer, Location::User] {
        for logical in Logical::ALL {
            h.state_mut().page = Page::Store(location, logical);
            check(h, screen, &format!("{location:?} {logical:?}"), failures);
        }
    }
    for page in [Page::Wizard, Page::Topology, Page::Log] {
        h.state_mut().page = page;
        check(h, screen, &format!("{page:?}"), failures);
    }
    for (letter, menu) in [
        (egui::Key::F, "File"),
        (egui::Key::A, "Action"),
        (egui::Key::V, "View"),
        (egui::Key::H, "Help"),
    ] {
        h.key_press_modifiers(egui::Modifiers::ALT, letter);
        h.run_steps(3);
        check(h, screen, &format!("the {menu} menu"), failures);
        h.key_press(egui::Key::Escape);
        h.run_steps(3);
    }
    // The dialogs, on the Edge certificate (with its key, chain and usages).
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
    for verb in [
        Verb::Import,
        Verb::Export,
        Verb::Assign,
        Verb::Remove,
        Verb::OpenStore,
        Verb::NewStore,
        Verb::About,
    ] {
        start(h, verb);
        check(h, screen, &format!("{verb:?}"), failures);
        close(h);
    }
    start(h, Verb::ViewDetails);
    for tab in [
        DetailsTab::General,
        DetailsTab::Details,
        DetailsTab::Path,
        DetailsTab::Sans,
    ] {
        if let Some(Dialog::Details(d)) = &mut h.state_mut().dialog {
            d.tab = tab;
        }
        check(h, screen, &format!("details {tab:?}"), failures);
    }
    close(h);
    start(h, Verb::Request);
    h.get_by_label("External Edge certificate (public Internet)")
        .click();
    for step in REQUEST_STEPS {
        if let Some(Dialog::Request(w)) = &mut h.state_mut().dialog {
            w.step = step;
        }
        check(h, screen, &format!("request {step:?}"), failures);
    }
    close(h);
    // The built-in file browser, over the import dialog.
    h.state_mut().jobs.set_native_dialogs(false);
    start(h, Verb::Import);
    h.get_by_label("Browse…").click();
    settle(h);
    h.get_by_label("Choose a file");
    check(h, screen, "the file browser", failures);
    close(h);
}

#[test]
fn every_page_and_dialog_fits_at_1024x768_and_at_125_and_150_percent() {
    let tmp = tempfile::tempdir().expect("temp");
    let dir = tmp.path().join("sample");
    sample::create(&dir, certdesk::gui::app::system_now()).expect("sample");
    let empty = tmp.path().join("empty");
    let mut failures = Vec::new();
    for screen in SCREENS {
        let mut h = harness(&empty, screen);
        check(&mut h, screen, "the welcome panel", &mut failures);
        let mut h = harness(&dir, screen);
        walk(&mut h, screen, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} widgets cannot be reached:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
