//! The Renewals page: the certificate in force is listed with its next renewal and rule and
//! its deploy target, another is tracked and untracked by its thumbprint, *Renew now*
//! renews through the built-in CA, rolls the usage and deploys the new certificate; the
//! status bar says no schedule is installed. Run in a
//! child whose unit directories are empty temporary ones, so the machine's own schedule
//! never changes what the window says.

use crate::app::{harness, type_into};
use crate::common;

use certdesk::deploy::usage::UsageType;
use certdesk::store::Store;
use common::window::settle;
use common::{EDGE, TestStore};
use egui_kittest::kittest::Queryable;

#[test]
fn the_renewals_page_tracks_untracks_and_renews_now() {
    let units = tempfile::tempdir().expect("unit dirs");
    let mut wrapper = std::process::Command::new("env");
    wrapper
        .env("XDG_CONFIG_HOME", units.path().join("config"))
        .env("CERTDESK_SYSTEM_UNIT_DIR", units.path().join("system"));
    common::run_inner_test(wrapper, "renewals::the_renewals_page_inside");
}

/// Run by [`the_renewals_page_tracks_untracks_and_renews_now`] with empty unit directories.
#[test]
#[ignore = "runs in a child whose unit directories are empty"]
fn the_renewals_page_inside() {
    let t = TestStore::with_topology(EDGE);
    let issue = |t: &TestStore| {
        let issued = t.json(&[
            "request",
            "--type",
            "Internal",
            "--ca",
            "builtin",
            "--exportable",
            "true",
        ]);
        (
            issued["thumbprint"].as_str().expect("issued").to_owned(),
            issued["friendly_name"].as_str().expect("named").to_owned(),
        )
    };
    let (in_force, in_force_name) = issue(&t);
    let (other, other_name) = issue(&t);
    t.json(&["assign", "--type", "Internal", "--thumbprint", &in_force]);
    // A deploy target for the usage: listed on the row, not deployed yet.
    let www = t.dir.path().join("www");
    std::fs::create_dir(&www).expect("folder");
    t.json(&[
        "deploy",
        "add",
        "web",
        "--usage",
        "Internal",
        "--to",
        common::s(&www),
    ]);

    let mut h = harness(&t.path());
    h.get_by_label_contains("1 certificate tracked for renewal, but no renewal schedule");
    h.get_by_label("Renewals").click();
    settle(&mut h);
    h.get_by_label(&format!("{in_force_name} ⏷"));
    h.get_by_label_contains("30 days before expiry");
    h.get_by_label("○ web");
    assert!(h.query_by_label(&format!("{other_name} ⏷")).is_none());

    type_into(&mut h, "Thumbprint to track:", &other);
    h.get_by_label("Track").click();
    settle(&mut h);
    h.get_by_label(&format!("{other_name} ⏷")).click();
    h.run_steps(2);
    h.get_by_label("Untrack").click();
    settle(&mut h);
    assert!(h.query_by_label(&format!("{other_name} ⏷")).is_none());

    h.get_by_label(&format!("{in_force_name} ⏷")).click();
    h.run_steps(2);
    h.get_by_label("Renew now").click();
    settle(&mut h);
    let store = Store::open(&t.path()).expect("store");
    let internal = store
        .assignments()
        .expect("assignments")
        .into_iter()
        .find(|a| a.usage == UsageType::Internal)
        .expect("assigned");
    assert_ne!(internal.thumbprint, in_force, "rolled onto the renewed one");
    h.get_by_label_contains(&format!("renewed as {}", internal.thumbprint));
    // The renewed certificate went to the target at once.
    h.get_by_label("✔ web");
    assert_eq!(
        common::openssl_thumbprint(&www.join("cert.pem")),
        internal.thumbprint
    );
}
