//! Rows that another process removed between two reads of one command.

use crate::common::TestStore;

use certdesk::store::{Store, StoreError};

/// A certificate or key gone between a listing and the read of its bytes is said as a
/// removal by another certdesk, to be run again, not as a damaged database.
#[test]
fn a_row_removed_meanwhile_is_said_as_such() {
    let t = TestStore::new();
    let store = Store::open(&t.path()).expect("opens");
    let der = store.der(4242).expect_err("no such certificate");
    assert!(matches!(der, StoreError::Vanished("certificate")), "{der}");
    let text = der.to_string();
    assert!(text.contains("removed meanwhile"), "{text}");
    assert!(!text.contains("damaged"), "{text}");
    let key = store.private_key(4242).expect_err("no such key");
    assert!(matches!(key, StoreError::Vanished("private key")), "{key}");
}
