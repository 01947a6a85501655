//! The renewal lock, on both engines: while one connection holds it, another (as another
//! process would) is told so and runs nothing; once released, it can be taken again.

use crate::common;

use certdesk::store::Store;
use common::{TEAM_PASSPHRASE, TestStore, pg};

fn holds_while_held(mut first: Store, mut second: Store) {
    let inner = first
        .with_run_lock(|_| second.with_run_lock(|_| "ran").expect("tried"))
        .expect("taken");
    assert_eq!(inner, Some(None), "the second run did not run");
    assert_eq!(
        second.with_run_lock(|_| "ran").expect("taken again"),
        Some("ran")
    );
}

#[test]
fn a_second_run_is_refused_while_a_local_store_is_locked() {
    let t = TestStore::new();
    holds_while_held(
        Store::open(&t.path()).expect("open"),
        Store::open(&t.path()).expect("open again"),
    );
}

#[test]
fn a_second_run_is_refused_while_a_team_store_is_locked() {
    let t = TestStore::team();
    let address = t.team.clone().expect("team");
    let open = || {
        Store::open_team(&address, Some(pg::ADMIN_PASSWORD), Some(TEAM_PASSPHRASE)).expect("open")
    };
    holds_while_held(open(), open());
}
