//! Each certificate's DER is kept in a table of its own, with no foreign key: removing a
//! certificate must remove its DER too, or the table would keep bytes of certificates
//! that are gone.

use crate::common::{TestStore, fx, s};

fn der_rows(t: &TestStore) -> i64 {
    let db = rusqlite::Connection::open(t.path().join("store.sqlite")).expect("db");
    db.query_row("SELECT COUNT(*) FROM certificate_der", [], |r| r.get(0))
        .expect("count")
}

/// Each stored certificate has one DER row; `remove` takes it away with the certificate.
#[test]
fn a_removed_certificate_takes_its_der_with_it() {
    let t = TestStore::new();
    t.json(&["import", s(&fx("ec.pem"))]);
    let listed = t.json(&["list"]);
    let certs = listed.as_array().expect("list");
    assert_eq!(der_rows(&t), i64::try_from(certs.len()).expect("count"));
    let thumbprint = certs[0]["thumbprint"].as_str().expect("thumbprint");
    t.json(&["remove", thumbprint]);
    assert_eq!(der_rows(&t), i64::try_from(certs.len() - 1).expect("count"));
}
