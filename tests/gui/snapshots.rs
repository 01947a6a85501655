//! Snapshots of every page, dialog and wizard page at 1024×768, in the dark and the light
//! theme, compared pixel by pixel with `tests/snapshots/*.png` (rendered with wgpu on Mesa;
//! `UPDATE_SNAPSHOTS=1` rewrites them). The store is a fixture made once from the sample
//! deployment at a fixed time, so thumbprints and dates never change between runs.

use crate::common;

use std::path::{Path, PathBuf};

use certdesk::ops::sample;
use common::window::{self, XGA};
use egui_kittest::{Harness, SnapshotResults};

/// The clock of the fixture store: 2026-09-21T14:40:00Z.
const FIXED_NOW: i64 = 1_790_001_600;

fn fixed() -> i64 {
    FIXED_NOW
}

/// The files of a store.
const STORE_FILES: [&str; 2] = ["store.sqlite", "store.key"];

/// A copy of the fixture store in `dir` (made from the sample deployment at [`FIXED_NOW`]
/// when missing and `UPDATE_SNAPSHOTS` is set).
fn fixture_store(dir: &Path) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sample-store");
    if !fixture.join(STORE_FILES[0]).exists() {
        assert!(
            std::env::var_os("UPDATE_SNAPSHOTS").is_some(),
            "tests/fixtures/sample-store is missing: run with UPDATE_SNAPSHOTS=1 to make it"
        );
        let made = dir.join("made");
        sample::create(&made, FIXED_NOW).expect("sample");
        std::fs::create_dir_all(&fixture).expect("dir");
        for name in STORE_FILES {
            std::fs::copy(made.join(name), fixture.join(name)).expect("copy");
        }
    }
    let store = dir.join("store");
    std::fs::create_dir_all(&store).expect("dir");
    for name in STORE_FILES {
        std::fs::copy(fixture.join(name), store.join(name)).expect("copy");
    }
    // A checkout leaves the key file readable by others, which certdesk refuses.
    std::fs::set_permissions(
        store.join("store.key"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .expect("chmod");
    store
}

#[test]
fn every_page_and_dialog_in_both_themes() {
    let tmp = tempfile::tempdir().expect("temp");
    let store = fixture_store(tmp.path());
    let browse = window::browse_folder(tmp.path());
    let mut results = SnapshotResults::new();
    let mut shoot = |h: &mut Harness<'_, certdesk::gui::app::CertdeskApp>, name: &str| {
        for (theme, suffix) in [(egui::Theme::Dark, "dark"), (egui::Theme::Light, "light")] {
            h.ctx.set_theme(theme);
            h.run_steps(3);
            results.add(h.try_snapshot(format!("{name}-{suffix}")));
        }
        h.ctx.set_theme(egui::Theme::Dark);
    };
    let mut h = window::harness(&tmp.path().join("empty"), XGA, fixed, true);
    shoot(&mut h, "welcome");
    let mut h = window::harness(&store, XGA, fixed, true);
    window::walk(&mut h, &browse, false, &mut shoot);
}
