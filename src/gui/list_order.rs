//! The certificate list's order: which rows a page shows for a filter, sorted by a column.
//! Pure over a [`StoreView`], so the store's thread (with each snapshot) and a job (after a
//! keystroke or a click) can compute it off the UI thread.

use crate::gui::view_model::{Row, StoreView};
use crate::store::{Location, Logical};

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
pub type ListKey = (Location, Logical, String, SortColumn, bool);

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
fn shown(row: &Row, (location, logical, ..): &ListKey, needle: &str) -> bool {
    row.cert.location == *location
        && row.cert.logical == *logical
        && (needle.is_empty() || row.haystack.contains(needle))
}

/// Whether `key`'s page shows `row` (on its page, matching its filter).
pub fn shows(row: &Row, key: &ListKey) -> bool {
    shown(row, key, &key.2.trim().to_lowercase())
}

/// The rows of `view` that `key`'s page shows, filtered and sorted.
pub fn order(view: &StoreView, key: &ListKey) -> Vec<usize> {
    let (_, _, filter, sort, descending) = key;
    let needle = filter.trim().to_lowercase();
    let mut visible: Vec<usize> = view
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| shown(r, key, &needle))
        .map(|(i, _)| i)
        .collect();
    // One lower-cased key per row, not two per comparison.
    visible.sort_by_cached_key(|i| sort_key(&view.rows[*i], *sort).to_lowercase());
    if *descending {
        visible.reverse();
    }
    visible
}
