//! The Deploy targets page and its target editor, by role and label: a target added in
//! the editor (a destination that does not exist is one sentence in the dialog, which
//! stays open), deployed with Deploy now and its last run shown; changed to a reload that
//! fails, deployed again and shown failed with the previous files put back; removed.

use crate::app::{click, harness, retype, type_into};
use crate::common::{EDGE, TestStore, openssl_thumbprint, s, window::settle};
use egui_kittest::kittest::Queryable;

fn shown(h: &egui_kittest::Harness<'_, certdesk::gui::app::CertdeskApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn a_target_is_added_deployed_changed_and_removed_from_the_window() {
    let t = TestStore::with_topology(EDGE);
    let issued = t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "builtin",
        "--exportable",
        "true",
    ]);
    let thumbprint = issued["thumbprint"].as_str().expect("issued").to_owned();
    t.json(&["assign", "--type", "Internal", "--thumbprint", &thumbprint]);
    let out = t.dir.path().join("www");
    std::fs::create_dir(&out).expect("www");

    let mut h = harness(&t.path());
    click(&mut h, "Deploy targets");
    h.get_by_label("No deploy target yet.");
    click(&mut h, "Add a deploy target…");
    assert_eq!(
        h.state().dialog.as_ref().map(|d| d.title()),
        Some("Add a deploy target")
    );
    type_into(&mut h, "Target name", "web");
    type_into(&mut h, "Destination", "/no/such/folder/here");
    click(&mut h, "Add");
    settle(&mut h);
    h.get_by_label_contains("does not exist");
    assert!(h.state().dialog.is_some(), "the dialog stays open");
    retype(&mut h, "Destination", s(&out));
    h.run_steps(1);
    click(&mut h, "Add");
    settle(&mut h);
    assert!(h.state().dialog.is_none(), "added and closed");
    h.get_by_label("never run");
    h.get_by_label("Edge internal");

    click(&mut h, "web ⏷");
    click(&mut h, "Deploy now");
    settle(&mut h);
    assert!(shown(&h, "deployed to"), "the last run is shown");
    assert_eq!(openssl_thumbprint(&out.join("cert.pem")), thumbprint);

    // A bound the editor does not show, set from the command line, is kept by its Save.
    t.json(&[
        "deploy",
        "edit",
        "web",
        "--usage",
        "Internal",
        "--to",
        s(&out),
        "--proof-within",
        "90",
    ]);
    for _ in 0..200 {
        settle(&mut h);
        if h.state().view.deploy_targets[0].settings.proof_seconds == 90 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert_eq!(h.state().view.deploy_targets[0].settings.proof_seconds, 90);
    click(&mut h, "web ⏷");
    click(&mut h, "Edit…");
    assert_eq!(
        h.state().dialog.as_ref().map(|d| d.title()),
        Some("Edit a deploy target")
    );
    type_into(&mut h, "Reload command", "exit 5");
    click(&mut h, "Save");
    settle(&mut h);
    assert!(h.state().dialog.is_none(), "saved and closed");
    let targets = t.json(&["deploy", "list"]);
    assert_eq!(targets[0]["proof_seconds"], 90, "{targets}");
    click(&mut h, "web ⏷");
    click(&mut h, "Deploy now");
    settle(&mut h);
    assert!(shown(&h, "failed with exit code 5"), "the failure is shown");
    assert!(shown(&h, "the previous files were put back"));
    assert_eq!(openssl_thumbprint(&out.join("cert.pem")), thumbprint);

    click(&mut h, "web ⏷");
    click(&mut h, "Remove target");
    settle(&mut h);
    h.get_by_label("No deploy target yet.");
}
