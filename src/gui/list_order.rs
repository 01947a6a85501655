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

/// The rows of `view` that `key`'s page shows, filtered and sorted.
pub fn order(view: &StoreView, key: &ListKey) -> Vec<usize> {
    let (location, logical, filter, sort, descending) = key;
    let needle = filter.trim().to_lowercase();
    let mut visible: Vec<usize> = view
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.cert.location == *location && r.cert.logical == *logical)
        .filter(|(_, r)| needle.is_empty() || r.haystack.contains(&needle))
        .map(|(i, _)| i)
        .collect();
    // One lower-cased key per row, not two per comparison.
    visible.sort_by_cached_key(|i| sort_key(&view.rows[*i], *sort).to_lowercase());
    if *descending {
        visible.reverse();
    }
    visible
}
