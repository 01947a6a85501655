//! The request wizard's result page after an online issuance (procedure B of the Lync
//! documentation): the root CA that ends the issued chain, when the store does not trust
//! it, is named with its thumbprint and "Trust this root CA"; Finish trusts it and assigns
//! in one go, and what Finish could not do stays on the page and in the Activity log.

use crate::app::{click, harness, to_ca_page, to_summary_and_finish};
use crate::common;

use certdesk::deploy::usage::UsageType;
use certdesk::store::{Location, Logical, Store};
use common::certsrv::Certsrv;
use common::window::settle;
use common::{EDGE, TestStore, fx, openssl_thumbprint};
use egui_kittest::kittest::Queryable;

#[test]
fn finish_trusts_the_untrusted_root_of_an_ad_cs_answer_and_assigns_in_one_go() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    let mut h = harness(&t.path());
    to_ca_page(&mut h);
    let url = h.state().view.cas[0].url.clone();
    click(&mut h, &format!("corp: AD CS Web Enrollment, {url}"));
    to_summary_and_finish(&mut h, 9, "Immediate: the AD CS Web Enrollment CA corp");

    // The root that ends the chain is named, as Windows' security warning names it.
    let root = openssl_thumbprint(&fx("root.pem"));
    h.get_by_label_contains("not in Trusted Roots");
    h.get_by_label_contains("Contoso Test Root");
    h.get_by_label(&format!("Thumbprint (sha1): {root}"));
    let store = || Store::open(&t.path()).expect("store");
    let roots = || {
        store()
            .list(Some(Location::Computer), Some(Logical::Root))
            .expect("roots")
            .into_iter()
            .map(|c| c.summary.thumbprint)
            .collect::<Vec<_>>()
    };
    assert!(!roots().contains(&root), "not trusted before it is asked");

    // Finish without trusting it: the assignment is refused, and the page says so until
    // the wizard is closed (time passes, other frames are drawn).
    click(&mut h, "Finish");
    settle(&mut h);
    h.get_by_label_contains("Finish could not be completed");
    for _ in 0..20 {
        h.run_steps(5);
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    h.get_by_label_contains("Finish could not be completed");
    assert!(h.state().dialog.is_some(), "the result page stays");
    assert!(store().assignments().expect("assignments").is_empty());

    // Ticked, one Finish trusts the root and assigns.
    click(&mut h, "Trust this root CA");
    click(&mut h, "Finish");
    settle(&mut h);
    assert!(h.state().dialog.is_none(), "done and closed");
    assert!(roots().contains(&root), "the root is trusted");
    let assigned = store().assignments().expect("assignments");
    assert_eq!(assigned.len(), 1, "{assigned:?}");
    assert_eq!(assigned[0].usage, UsageType::Internal);

    // What the first Finish could not do is in the Activity log (its row, and the entry's
    // details when it is the one selected).
    click(&mut h, "Activity log");
    assert!(
        h.query_all_by_label_contains("cannot be assigned to")
            .count()
            >= 1
    );
}
