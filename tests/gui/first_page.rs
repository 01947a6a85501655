//! A large store opens on its list's first page: the first rows, and the status bar saying
//! the rest is loading, before the whole store is in; then the whole count, with the
//! selection and the rows in place and a filter typed meanwhile applied. The first page is
//! the whole view's first rows, by every column, both ways.

use certdesk::gui::app::{CertdeskApp, system_now};
use certdesk::gui::list_order::{self, ListKey, SortColumn};
use certdesk::gui::view_model::StoreView;
use certdesk::gui::worker::FIRST_PAGE;
use certdesk::store::{Location, Logical, Store};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::common::window::{self, XGA, settle};

use super::app::{bulk_store, import_into};

const FIRST: &str = "host000001.bench.contoso.com";

/// Steps frames (the window takes at most one view a frame) until one says the store is
/// still loading; false if the whole store came in first.
fn until_loading(h: &mut Harness<'_, CertdeskApp>, loading: &str) -> bool {
    for _ in 0..2400 {
        h.step();
        if h.query_by_role_and_label(Role::Label, loading).is_some() {
            return true;
        }
        if !h.state().busy() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("the store did not load in a minute");
}

#[test]
fn a_large_store_shows_its_first_page_while_the_rest_loads() {
    let t = bulk_store(3_000);
    let store = Store::open(&t.path()).expect("store");
    let mut h = window::opening(store, XGA, system_now, false);
    assert!(
        until_loading(&mut h, "Loading 3,000 certificates…"),
        "the whole store came in before any first page"
    );
    // The first rows, in the list's order, while the store's thread reads the rest.
    let first = h.get_by_role_and_label(Role::Label, FIRST).rect();
    h.get_by_role_and_label(Role::Label, "host000002.bench.contoso.com");
    h.get_by_role_and_label(Role::Label, &format!("The first {FIRST_PAGE} shown"));
    assert!(h.state().busy(), "the whole view is still to come");
    assert!(h.state().view.partial.is_some());
    // Chosen before the whole store is in: the selection, and a filter.
    h.get_by_role_and_label(Role::Label, FIRST).click();
    h.step();
    let selected = h.state().list.selected;
    assert!(selected.is_some(), "the click selected the row");

    settle(&mut h);
    h.get_by_role_and_label(Role::Label, "3000 certificates");
    h.get_by_role_and_label(Role::Label, "2999 shown");
    assert!(h.query_by_label_contains("Loading").is_none());
    // The whole view replaced the first page in place: same selection, same row.
    assert_eq!(h.state().list.selected, selected);
    assert_eq!(h.get_by_role_and_label(Role::Label, FIRST).rect(), first);
}

#[test]
fn a_filter_and_a_sort_chosen_on_the_first_page_apply_to_the_whole_store() {
    let t = bulk_store(3_000);
    let store = Store::open(&t.path()).expect("store");
    let mut h = window::opening(store, XGA, system_now, false);
    assert!(until_loading(&mut h, "Loading 3,000 certificates…"));
    // What the filter field and a column header set, before the next frame takes the whole
    // view (whose order the store's thread computed for the empty filter).
    h.state_mut().list.filter = "contoso.com".to_owned();
    h.state_mut().list.descending = true;
    settle(&mut h);
    h.get_by_role_and_label(Role::Label, "2999 shown");
    h.get_by_role_and_label(Role::Label, "host002999.bench.contoso.com");
    assert!(h.query_by_label(FIRST).is_none(), "sorted the other way");
}

#[test]
fn a_first_page_is_the_whole_views_first_rows_by_every_column() {
    let t = bulk_store(2_500);
    // Keys, friendly names and other issuers among the generated ones.
    import_into(&t.path(), "leaf-aes.pfx", Some("secret"), true);
    import_into(&t.path(), "leaf.pem", None, false);
    let mut store = Store::open(&t.path()).expect("store");
    store.ignore_system_roots();
    let certs = store.list(None, None).expect("list");
    let now = system_now();
    let whole = StoreView::from_certs(&store, certs.clone(), now).expect("view");
    let columns = [
        SortColumn::IssuedTo,
        SortColumn::IssuedBy,
        SortColumn::Expires,
        SortColumn::Purposes,
        SortColumn::FriendlyName,
        SortColumn::Key,
        SortColumn::Usages,
    ];
    for column in columns {
        for descending in [false, true] {
            for filter in ["", "HOST0001", "sip.contoso"] {
                let key = ListKey {
                    location: Location::Computer,
                    logical: Logical::Personal,
                    filter: filter.to_owned(),
                    sort: column,
                    descending,
                };
                let (page, order) =
                    StoreView::first_page(&store, &certs, &key, FIRST_PAGE, now).expect("page");
                let got: Vec<i64> = order.iter().map(|i| page.rows[*i].cert.id).collect();
                let want: Vec<i64> = list_order::order(&whole, &key)
                    .iter()
                    .take(FIRST_PAGE)
                    .map(|i| whole.rows[*i].cert.id)
                    .collect();
                assert_eq!(
                    got, want,
                    "{column:?} descending {descending} filter {filter:?}"
                );
                assert!(!got.is_empty() || filter == "sip.contoso");
                assert_eq!(page.counts, whole.counts);
            }
        }
    }
}
