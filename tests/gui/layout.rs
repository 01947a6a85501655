//! Layouts that fit: every page, dialog, wizard page and menu of the window, at 1024×768,
//! 1280×800, and 1024×768 at 125 % and 150 % scale. Every focusable widget lies inside the
//! window, or inside a scroll area that can bring it into view: nothing clipped, nothing
//! unreachable.

use crate::common;

use certdesk::gui::app::{CertdeskApp, system_now};
use certdesk::ops::sample;
use common::window::{self, Screen, XGA};
use egui::accesskit::{Action, Rect, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

const SCREENS: [Screen; 4] = [
    XGA,
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

fn contains(outer: Rect, inner: Rect) -> bool {
    const SLACK: f64 = 2.0;
    inner.x0 >= outer.x0 - SLACK
        && inner.y0 >= outer.y0 - SLACK
        && inner.x1 <= outer.x1 + SLACK
        && inner.y1 <= outer.y1 + SLACK
}

/// Every focusable widget outside the window with no scroll area around it that could
/// bring it into view, as sentences.
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
        let mut scrolled = false;
        let mut parent = n.parent();
        while let Some(p) = parent {
            if p.children().any(|c| c.role() == Role::ScrollBar) {
                scrolled = true;
                break;
            }
            parent = p.parent();
        }
        if !scrolled && !contains(window, bounds) {
            problems.push(format!(
                "{:?} \"{}\" at {bounds:?} is outside the window",
                n.role(),
                n.label().unwrap_or_default()
            ));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

#[test]
fn every_page_and_dialog_fits_at_1024x768_and_at_125_and_150_percent() {
    let tmp = tempfile::tempdir().expect("temp");
    let dir = tmp.path().join("sample");
    sample::create(&dir, system_now()).expect("sample");
    let browse = window::browse_folder(tmp.path());
    let empty = tmp.path().join("empty");
    let mut failures = Vec::new();
    for screen in SCREENS {
        let mut check = |h: &mut Harness<'_, CertdeskApp>, what: &str| {
            h.run_steps(2);
            for p in unreachable(h, screen) {
                failures.push(format!("{what} at {screen:?}: {p}"));
            }
        };
        let mut h = window::harness(&empty, screen, system_now, false);
        check(&mut h, "welcome");
        let mut h = window::harness(&dir, screen, system_now, false);
        window::walk(&mut h, &browse, true, &mut check);
    }
    assert!(
        failures.is_empty(),
        "{} widgets cannot be reached:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Ctrl+Plus and Ctrl+Minus zoom by the View menu's step (two presses from 100 % give the
/// menu's 156 %, not egui's own 120 %), and Ctrl+0 gives the actual size back.
#[test]
fn the_zoom_keys_step_as_the_view_menu_does() {
    let t = common::TestStore::new();
    let mut h = window::harness(&t.path(), XGA, system_now, false);
    let zoom = |h: &Harness<'_, CertdeskApp>| h.ctx.zoom_factor();
    for _ in 0..2 {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
        h.run_steps(2);
    }
    assert!((zoom(&h) - 1.5625).abs() < 0.001, "{}", zoom(&h));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Minus);
    h.run_steps(2);
    assert!((zoom(&h) - 1.25).abs() < 0.001, "{}", zoom(&h));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num0);
    h.run_steps(2);
    assert!((zoom(&h) - 1.0).abs() < 0.001, "{}", zoom(&h));
}

/// At 150 % the Topology page of an Edge pool is taller than the window: the button Tab
/// (here the accessibility focus) reaches below the fold is scrolled into view.
#[test]
fn a_focused_widget_below_the_fold_is_scrolled_into_view_at_150_percent() {
    let t = common::TestStore::new();
    {
        let mut store = certdesk::store::Store::open(&t.path()).expect("store");
        certdesk::ops::enroll::set_topology(&mut store, common::EDGE, "test", 0).expect("topology");
    }
    let screen = Screen {
        width: 1024.0,
        height: 768.0,
        scale: 1.5,
    };
    let mut h = window::harness(&t.path(), screen, system_now, false);
    h.state_mut().page = certdesk::gui::views::Page::Topology;
    window::settle(&mut h);
    let bottom = 768.0 / 1.5;
    let rect = |h: &Harness<'_, CertdeskApp>| h.get_by_label("Save topology").rect();
    assert!(
        rect(&h).bottom() > bottom,
        "below the fold to begin with: {:?}",
        rect(&h)
    );
    h.get_by_label("Save topology").focus();
    for _ in 0..30 {
        h.run_steps(1);
    }
    assert!(
        rect(&h).bottom() <= bottom,
        "scrolled into view: {:?}",
        rect(&h)
    );
}
