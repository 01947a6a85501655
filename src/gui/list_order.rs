//! The certificate list's order: which rows a page shows for a filter, sorted by a column.
//! Pure over a [`StoreView`], so the store's thread (with each snapshot) and a job (after a
//! keystroke or a click) can compute it off the UI thread. The first rows of that order
//! can also be had from the certificates alone, before their rows are made (a large
//! store's first page).

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::gui::view_model::{self, Row, StoreView};
use crate::pki::timefmt::date;
use crate::store::{Location, Logical, StoredCert};

/// The sortable columns.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum SortColumn {
    /// Issued To.
    #[default]
    IssuedTo,
    /// Issued By.
    IssuedBy,
    /// Expiration Date.
    Expires,
    /// Intended Purposes.
    Purposes,
    /// Friendly Name.
    FriendlyName,
    /// Key.
    Key,
    /// Assigned usages.
    Usages,
}

/// What the visible order depends on besides the store: the page, the filter and the sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListKey {
    /// The page's location.
    pub location: Location,
    /// The page's logical store.
    pub logical: Logical,
    /// The filter, as typed.
    pub filter: String,
    /// The column sorted on.
    pub sort: SortColumn,
    /// Sorted descending.
    pub descending: bool,
}

/// A page's visible rows in the order shown (indices into the view's rows), and the key
/// they were computed for.
#[derive(Debug, Clone)]
pub struct ListOrder {
    /// The page, filter and sort.
    pub key: ListKey,
    /// The rows shown, in order.
    pub visible: Vec<usize>,
}

fn sort_key(row: &Row, column: SortColumn) -> &str {
    match column {
        SortColumn::IssuedTo => &row.issued_to,
        SortColumn::IssuedBy => &row.issued_by,
        SortColumn::Expires => &row.expires,
        SortColumn::Purposes => &row.purposes,
        SortColumn::FriendlyName => &row.cert.friendly_name,
        SortColumn::Key => row.key,
        SortColumn::Usages => &row.usages,
    }
}

/// Whether `key`'s page shows `row`: the row is on its page and matches its filter
/// (`needle`, the filter trimmed and lower-cased).
fn shown(row: &Row, key: &ListKey, needle: &str) -> bool {
    row.cert.location == key.location
        && row.cert.logical == key.logical
        && (needle.is_empty() || row.haystack.contains(needle))
}

/// Whether `key`'s page shows `row` (on its page, matching its filter).
pub fn shows(row: &Row, key: &ListKey) -> bool {
    shown(row, key, &key.filter.trim().to_lowercase())
}

/// The rows of `view` that `key`'s page shows, filtered and sorted.
pub fn order(view: &StoreView, key: &ListKey) -> Vec<usize> {
    let needle = key.filter.trim().to_lowercase();
    let mut visible: Vec<usize> = view
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| shown(r, key, &needle))
        .map(|(i, _)| i)
        .collect();
    // One lower-cased key per row, not two per comparison.
    visible.sort_by_cached_key(|i| sort_key(&view.rows[*i], key.sort).to_lowercase());
    if key.descending {
        visible.reverse();
    }
    visible
}

/// The text `column` sorts `c` by: the text its row will show (see [`sort_key`]), from
/// the certificate and its assigned usages.
fn cert_key(c: &StoredCert, column: SortColumn, usages: impl Fn() -> String) -> Cow<'_, str> {
    let s = &c.summary;
    match column {
        SortColumn::IssuedTo => Cow::Borrowed(s.issued_to()),
        SortColumn::IssuedBy => Cow::Borrowed(s.issued_by()),
        SortColumn::Expires => Cow::Owned(date(s.not_after)),
        SortColumn::Purposes => Cow::Owned(view_model::purposes(&s.eku)),
        SortColumn::FriendlyName => Cow::Borrowed(&c.friendly_name),
        SortColumn::Key => Cow::Borrowed(view_model::key_text(c)),
        SortColumn::Usages => Cow::Owned(usages()),
    }
}

/// The first `n` entries of [`order`] over the rows that `certs` will make (the view's
/// rows are the certificates in the same order), without making the rows: the indices
/// into `certs` of `key`'s first page. `usages` gives a certificate's assigned usages.
pub fn first(
    certs: &[StoredCert],
    key: &ListKey,
    n: usize,
    usages: impl Fn(&StoredCert) -> String,
) -> Vec<usize> {
    let ListKey {
        location,
        logical,
        filter,
        sort,
        descending,
    } = key;
    let needle = filter.trim().to_lowercase();
    let mut keyed: Vec<(String, usize)> = certs
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.location == *location
                && c.logical == *logical
                && (needle.is_empty() || view_model::haystack(c).contains(&needle))
        })
        .map(|(i, c)| (cert_key(c, *sort, || usages(c)).to_lowercase(), i))
        .collect();
    // `order` sorts stably and reverses for descending: ties keep the rows' order, or
    // its reverse; (key, index) says the same.
    let by = |a: &(String, usize), b: &(String, usize)| -> Ordering {
        if *descending { b.cmp(a) } else { a.cmp(b) }
    };
    if keyed.len() > n {
        keyed.select_nth_unstable_by(n, by);
        keyed.truncate(n);
    }
    keyed.sort_unstable_by(by);
    keyed.into_iter().map(|(_, i)| i).collect()
}
