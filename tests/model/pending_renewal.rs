//! A renewal the CA holds for approval (the AD CS stand-in's ManagerApproval template) is
//! followed up, never sent again: renewing it again while it waits leaves the one request;
//! once approved and retrieved (`requests --poll`), the issued certificate takes over and is
//! tracked in its place.

use crate::common;

use certdesk::ops::enroll::{Http01Answer, OnlineOptions};
use certdesk::ops::renewal::run::{self, DueRun, Outcome};
use certdesk::ops::renewal::tracked;
use certdesk::store::{Location, Store};
use common::certsrv::Certsrv;
use common::{EDGE, TestStore};

fn now() -> i64 {
    certdesk::gui::app::system_now()
}

fn renew_now(t: &TestStore, thumbprint: &str) -> Outcome {
    let mut store = Store::open(&t.path()).expect("store");
    let run = DueRun {
        location: Location::Computer,
        options: OnlineOptions {
            http01: Http01Answer::Listen(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
            ..OnlineOptions::default()
        },
        dry_run: false,
    };
    run::renew_now(&mut store, &run, thumbprint, now())
        .expect("renewed")
        .certificate
        .outcome
}

fn pending(t: &TestStore) -> Vec<certdesk::store::PendingRequest> {
    Store::open(&t.path())
        .expect("store")
        .pending_requests(Location::Computer)
        .expect("pending")
}

fn reference(t: &TestStore) -> u32 {
    pending(t)[0]
        .ca_reference
        .as_deref()
        .and_then(|r| r.parse().ok())
        .expect("the CA's request ID")
}

#[test]
fn a_renewal_held_for_approval_is_followed_up_not_sent_again() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "corp",
        "--template",
        "ManagerApproval",
    ]);
    server.approve(reference(&t));
    let polled = t.json(&["requests", "--poll"]);
    let first = polled[0]["thumbprint"].as_str().expect("issued").to_owned();
    t.json(&["track", &first]);

    let held = renew_now(&t, &first);
    assert!(matches!(held, Outcome::Pending { .. }), "{held:?}");
    assert_eq!(pending(&t).len(), 1, "held by the CA");
    let again = renew_now(&t, &first);
    assert!(matches!(again, Outcome::Pending { .. }), "{again:?}");
    assert_eq!(pending(&t).len(), 1, "not sent again while it waits");

    server.approve(reference(&t));
    let polled = t.json(&["requests", "--poll"]);
    let second = polled[0]["thumbprint"].as_str().expect("issued").to_owned();
    match renew_now(&t, &first) {
        Outcome::Renewed { new_thumbprint, .. } => assert_eq!(new_thumbprint, second),
        other => panic!("{other:?}"),
    }
    assert!(pending(&t).is_empty());
    let store = Store::open(&t.path()).expect("store");
    let now_tracked: Vec<String> = tracked(&store, Location::Computer, now())
        .expect("tracked")
        .into_iter()
        .map(|t| t.thumbprint)
        .collect();
    assert_eq!(now_tracked, vec![second], "tracked in its place");
}
