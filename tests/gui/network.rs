//! Work that waits on the network runs beside the store's other work: a CA that never
//! answers holds up neither an import nor a refresh.

use std::time::{Duration, Instant};

use crate::common::{self, EDGE, TestStore, window};
use egui_kittest::kittest::Queryable;

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
    let port = common::silent_server();
    t.json(&[
        "ca",
        "add",
        "silent",
        "--no-test",
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
                Reply::Applied(_, Ok((message, _))) => messages.push(message),
                Reply::Applied(_, Err(e)) => messages.push(e.to_string()),
                Reply::View { view, .. } if view.topology.is_some() => views += 1,
                _ => {}
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(messages, ["Topology saved"], "the CA is still being asked");
    assert!(views >= 1, "the view with the topology came at once");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(worker.pending(), 1, "the CA's answer is still to come");
}

/// What a second connection imports (key included), the first lists and decrypts: the
/// same store with the same key.
fn opens_again_with_its_key(store: &Store) {
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

/// The network thread's second connection to an embedded store.
#[test]
fn a_store_opens_again_with_its_key() {
    let t = TestStore::new();
    opens_again_with_its_key(&Store::open(&t.path()).expect("opens"));
}

/// The network thread's second connection to a team store.
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
    opens_again_with_its_key(&store);
}

/// A probe of a server that accepts and never answers takes its time-out on the network
/// thread; meanwhile a command of the store's that fails says so in the notification area and leaves the
/// page still checking: each answer goes to whoever asked.
#[test]
fn a_slow_probe_leaves_the_store_answering_and_keeps_its_own_answer() {
    let t = TestStore::new();
    let port = common::silent_server();
    let screen = window::Screen {
        width: 1280.0,
        height: 900.0,
        scale: 1.0,
    };
    let mut h = window::harness(&t.path(), screen, system_now, false);
    window::settle(&mut h);
    h.get_by_label("Check a server").click();
    h.run_steps(2);
    h.get_by_label("Server (HOST[:PORT])").focus();
    h.run_steps(1);
    h.get_by_label("Server (HOST[:PORT])")
        .type_text(&format!("127.0.0.1:{port}"));
    h.run_steps(1);
    h.get_by_label("Check").click();
    h.run_steps(2);
    assert!(h.state().probe_form.running, "checking");
    h.state_mut().commands.push(Command::Remove(
        Location::Computer,
        "0123456789ABCDEF0123456789ABCDEF01234567".into(),
    ));
    let started = Instant::now();
    while h
        .query_by_label_contains("no certificate with thumbprint")
        .is_none()
    {
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "the store answered behind the probe"
        );
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        h.state().probe_form.running,
        "the store's error is not the probe's"
    );
    window::settle(&mut h);
    assert!(!h.state().probe_form.running);
    assert_eq!(
        h.state().probe_form.reports.len(),
        1,
        "the probe's own answer"
    );
}

/// Network work asked while a team store's server is down cannot have a second
/// connection: it runs on the store's own connection, and its answer (one sentence) still
/// comes.
#[test]
fn network_work_without_a_second_connection_still_answers() {
    let pg = common::pg::Pg::start();
    let store = Store::open_team(
        &pg.database(),
        Some(common::pg::ADMIN_PASSWORD),
        Some(common::TEAM_PASSPHRASE),
    )
    .expect("opens");
    let mut worker = StoreWorker::spawn(store, system_now);
    pg.pg_ctl("stop");
    let ticket = worker.apply(
        Command::CheckRevocation(
            Location::Computer,
            "0123456789ABCDEF0123456789ABCDEF01234567".into(),
        ),
        system_now(),
    );
    let started = Instant::now();
    let answer = loop {
        let answer = worker.replies().into_iter().find_map(|reply| match reply {
            Reply::Applied(t, result) if t == ticket => Some(result),
            _ => None,
        });
        if let Some(answer) = answer {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no answer came"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let error = answer.err().expect("the server is down").to_string();
    assert!(error.contains("cannot be reached"), "{error}");
}
