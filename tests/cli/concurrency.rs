//! Many writers on one store: certdesk processes importing at once into a store none of
//! them has created yet, two first immediate requests racing to create the built-in CA, and
//! processes killed with SIGKILL in the middle of an import, an export with --delete-key
//! and an assignment. Nothing fails because another process is busy, nothing is lost,
//! nothing is left half-written.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use certdesk::store::{Location, Logical, Store};
use common::{EDGE, TestStore, leaf_with_key, s, wait_all_ok};

fn assert_sound(store: &Path) {
    let db = Store::open(store).expect("the store opens after the kill");
    let problems = db.integrity().expect("integrity check");
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn eight_processes_import_into_a_new_store_at_once_and_nothing_is_lost() {
    let t = TestStore::new();
    let files: Vec<PathBuf> = (0..8).map(|i| leaf_with_key(t.dir.path(), i)).collect();
    // The store does not exist yet: every process races to create its key file and schema.
    let children: Vec<Child> = files.iter().map(|f| t.spawn(&["import", s(f)])).collect();
    wait_all_ok(children);
    let rows = t.contents("computer");
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert!(
        rows.iter()
            .all(|(_, logical, key)| logical == "personal" && *key)
    );
    let log = t.json(&["log"]);
    assert_eq!(
        log.as_array().map(Vec::len),
        Some(8),
        "one log entry per import"
    );
    assert_sound(&t.path());
}

#[test]
fn two_first_immediate_requests_share_one_builtin_ca() {
    let t = TestStore::with_topology(EDGE);
    let children: Vec<Child> = (0..2)
        .map(|i| {
            let name = format!("Internal {i}");
            t.spawn(&[
                "request",
                "--type",
                "Internal",
                "--ca",
                "builtin",
                "--friendly-name",
                &name,
            ])
        })
        .collect();
    wait_all_ok(children);
    let mut db = Store::open(&t.path()).expect("store");
    db.ignore_system_roots();
    let roots = db
        .list(Some(Location::Computer), Some(Logical::Root))
        .expect("list");
    assert_eq!(roots.len(), 1, "one built-in root CA, not two");
    let personal = db
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list");
    assert_eq!(personal.len(), 2);
    let issuers: Vec<&str> = personal.iter().map(|c| c.summary.issuer.as_str()).collect();
    assert_eq!(issuers[0], issuers[1], "both signed by the same issuing CA");
}

/// Starts `args`, kills it with SIGKILL after `delay`, and waits for it.
fn kill_after(store: &TestStore, args: &[&str], delay: Duration) {
    let mut child = store.spawn(args);
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn killing_an_import_leaves_all_or_nothing() {
    let t = TestStore::new();
    let bundle = t.dir.path().join("bundle.pem");
    std::fs::write(&bundle, common::big_bundle(5_000)).expect("write");
    t.json(&["list"]); // the store exists before the kills
    let mut seen = Vec::new();
    for delay in [30, 80, 150, 250, 400, 700] {
        kill_after(
            &t,
            &["import", s(&bundle), "--trust-root"],
            Duration::from_millis(delay),
        );
        assert_sound(&t.path());
        let count = t.json(&["list"]).as_array().map_or(0, Vec::len);
        assert!(count == 0 || count == 5_000, "half an import: {count}");
        let log = t.json(&["log"]).as_array().map_or(0, Vec::len);
        assert_eq!(log, usize::from(count > 0), "the log matches the store");
        seen.push(count);
        if count > 0 {
            break;
        }
    }
    // Whatever the kills did, the import completes afterwards.
    t.json(&["import", s(&bundle), "--trust-root"]);
    assert_eq!(t.json(&["list"]).as_array().map_or(0, Vec::len), 5_000);
    assert_sound(&t.path());
}

#[test]
fn killing_an_export_with_delete_key_or_an_assignment_leaves_a_sound_store() {
    let t = TestStore::with_topology(EDGE);
    let pw = t.dir.path().join("pw");
    std::fs::write(&pw, "kill-test").expect("write");
    for delay in [5, 15, 30, 60, 120] {
        let issued = t.json(&[
            "request",
            "--type",
            "Internal",
            "--ca",
            "builtin",
            "--exportable",
            "true",
        ]);
        let thumb = issued["thumbprint"]
            .as_str()
            .expect("thumbprint")
            .to_owned();
        let pfx = t.dir.path().join(format!("{delay}.pfx"));
        kill_after(
            &t,
            &[
                "export",
                &thumb,
                "--output",
                s(&pfx),
                "--password-file",
                s(&pw),
                "--delete-key",
            ],
            Duration::from_millis(delay),
        );
        assert_sound(&t.path());
        let shown = t.json(&["show", &thumb]);
        if shown["has_private_key"] == false {
            // The key left the store only after the file was complete and verified.
            let out = common::tool_output(
                "openssl",
                &[
                    "pkcs12",
                    "-in",
                    s(&pfx),
                    "-noout",
                    "-passin",
                    "pass:kill-test",
                ],
            );
            assert!(
                out.status.success(),
                "the key is gone and the file is not whole"
            );
        }
        kill_after(
            &t,
            &["assign", "--type", "Internal", "--thumbprint", &thumb],
            Duration::from_millis(delay),
        );
        assert_sound(&t.path());
        let status = t.json(&["status"]);
        let internal = status
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["usage"] == "Internal"))
            .cloned()
            .expect("Internal row");
        assert!(
            internal["thumbprint"].is_null() || internal["thumbprint"].is_string(),
            "{internal}"
        );
    }
}
