//! Imports larger than one batch (the import reads what the store holds up front and
//! writes a thousand certificates a statement): the report is what importing them one by
//! one gave — ids in file order, a certificate the file repeats stored once and then
//! present, a second import all present — on the embedded store and on a team store.

use crate::common::{self, TestStore, s};

use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Store};

/// 1,200 distinct certificates, then the first and the 1,100th again (the first repeat
/// after a batch was written, the second while its batch waits).
fn bundle_with_repeats() -> (Vec<u8>, Vec<String>) {
    let text = String::from_utf8(common::big_bundle(1_200)).expect("PEM");
    let blocks: Vec<&str> = text
        .split_inclusive("-----END CERTIFICATE-----\n")
        .collect();
    assert_eq!(blocks.len(), 1_200);
    let mut bytes = text.clone().into_bytes();
    bytes.extend_from_slice(blocks[0].as_bytes());
    bytes.extend_from_slice(blocks[1_099].as_bytes());
    let thumbprints = formats::read(&bytes, None)
        .expect("readable")
        .certs
        .iter()
        .map(|c| {
            certdesk::pki::cert::Certificate::from_der(&c.der)
                .expect("certificate")
                .summary()
                .thumbprint
                .clone()
        })
        .collect();
    (bytes, thumbprints)
}

#[test]
fn a_bundle_larger_than_a_batch_reports_as_one_by_one() {
    let t = TestStore::new();
    let (bytes, thumbprints) = bundle_with_repeats();
    let mut store = Store::open(&t.path()).expect("store");
    store.ignore_system_roots();
    let options = ImportOptions {
        location: Location::Computer,
        exportable: false,
        trust_root: true,
    };
    let read = || formats::read(&bytes, None).expect("readable");
    let plan = import::plan(read(), options.clone()).expect("plan");
    let report = import::commit(&mut store, plan, "bundle.pem", 0).expect("commit");
    assert_eq!(report.imported.len(), 1_200);
    assert_eq!(
        report.already_present,
        vec![thumbprints[0].clone(), thumbprints[1_099].clone()],
        "each repeat is present once the first copy is stored"
    );
    // The root is a CA; the 1,199 end entities came without a key.
    assert_eq!(report.without_key.len(), 1_199);
    assert!(report.skipped.is_empty() && report.keys_attached.is_empty());
    let listed = store.list(None, None).expect("list");
    let by_id: std::collections::HashMap<i64, &str> = listed
        .iter()
        .map(|c| (c.id, c.summary.thumbprint.as_str()))
        .collect();
    let imported: Vec<&str> = report.imported.iter().map(|id| by_id[id]).collect();
    let in_file: Vec<&str> = thumbprints[..1_200].iter().map(String::as_str).collect();
    assert_eq!(
        imported, in_file,
        "the ids name the certificates in file order"
    );

    let again = import::plan(read(), options).expect("plan");
    let report = import::commit(&mut store, again, "bundle.pem", 0).expect("commit");
    assert!(report.imported.is_empty());
    assert_eq!(report.already_present, thumbprints);
    assert_eq!(store.list(None, None).expect("list").len(), 1_200);
}

#[test]
fn a_team_store_takes_a_large_bundle_in_batches() {
    let t = TestStore::team();
    let (bytes, thumbprints) = bundle_with_repeats();
    let file = t.dir.path().join("bundle.pem");
    std::fs::write(&file, &bytes).expect("write");
    let report = t.json(&["import", s(&file), "--trust-root"]);
    let imported: Vec<&str> = report["imported"]
        .as_array()
        .expect("imported")
        .iter()
        .filter_map(|c| c["thumbprint"].as_str())
        .collect();
    let mut expected: Vec<&str> = thumbprints[..1_200].iter().map(String::as_str).collect();
    let mut got = imported.clone();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected);
    assert_eq!(
        report["already_present"],
        serde_json::json!([thumbprints[0], thumbprints[1_099]])
    );
    let list = t.json(&["list"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1_200));
    let again = t.json(&["import", s(&file), "--trust-root"]);
    assert_eq!(again["imported"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        again["already_present"].as_array().map(Vec::len),
        Some(1_202)
    );
}
