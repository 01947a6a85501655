//! Work that waits on the network runs beside the store's other work: a CA that never
//! answers holds up neither an import nor a refresh.

use std::time::{Duration, Instant};

use crate::common::{self, EDGE, TestStore};

use certdesk::gui::app::system_now;
use certdesk::gui::command::Command;
use certdesk::gui::worker::{Reply, StoreWorker};
use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Logical, Store};

/// An ACME CA that accepts connections and never answers is tested (which waits out its
/// time-out, 30 s); meanwhile the topology is saved and the view refreshed at once, and
/// the test's answer comes later.
#[test]
fn a_silent_ca_does_not_hold_up_the_store() {
    let t = TestStore::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(16).collect();
        drop(held);
    });
    t.json(&[
        "ca",
        "add",
        "silent",
        "--acme",
        &format!("https://127.0.0.1:{port}/directory"),
    ]);
    let store = Store::open(&t.path()).expect("store");
    let mut worker = StoreWorker::spawn(store, system_now);
    let now = system_now();
    worker.apply(Command::TestCa("silent".into()), now);
    worker.apply(Command::SetTopology(EDGE.into()), now);
    let started = Instant::now();
    let mut messages = Vec::new();
    let mut views = 0;
    while started.elapsed() < Duration::from_secs(10) && views == 0 {
        for reply in worker.replies() {
            match reply {
                Reply::Applied(Ok((message, _))) => messages.push(message),
                Reply::Applied(Err(e)) => messages.push(e.to_string()),
                Reply::View(view, _, _) if view.topology.is_some() => views += 1,
                _ => {}
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(messages, ["Topology saved"], "the CA is still being asked");
    assert_eq!(views, 1, "the view with the topology came at once");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(worker.pending(), 1, "the CA's answer is still to come");
}

/// The network thread's second connection to a team store is the same store with the
/// same key: what it imports (key included) the first connection lists and decrypts.
#[test]
fn a_team_store_opens_again_with_its_key() {
    let t = TestStore::team();
    let address = t.team.clone().expect("a team store");
    let store = Store::open_team(
        &address,
        Some(common::pg::ADMIN_PASSWORD),
        Some(common::TEAM_PASSPHRASE),
    )
    .expect("opens");
    let mut other = store.reopen().expect("opens again");
    let bytes = std::fs::read(common::fx("leaf-aes.pfx")).expect("fixture");
    let options = ImportOptions {
        location: Location::Computer,
        exportable: true,
        trust_root: true,
    };
    let plan = import::plan(
        formats::read(&bytes, Some("secret")).expect("readable"),
        options,
    );
    import::commit(&mut other, plan.expect("plan"), "test", 0).expect("commit");
    let personal = store
        .list(Some(Location::Computer), Some(Logical::Personal))
        .expect("list");
    let key = personal
        .iter()
        .find_map(|c| c.key.as_ref())
        .expect("the leaf with its key");
    store
        .private_key(key.id)
        .expect("decrypted by the first connection");
}
