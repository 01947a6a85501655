//! The certificate list: sortable columns, a filter over subject, issuer, SANs, thumbprint
//! and friendly name, expired rows in red and expiring ones in amber. The filtered and
//! sorted order is cached and recomputed only when the filter, the sort or the store
//! changes; only visible rows are drawn.

use egui_extras::{Column, TableBuilder};

use crate::gui::verbs::Verb;
use crate::gui::view_model::{Row, StoreView};
use crate::store::{Location, Logical};

/// The sortable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

const COLUMNS: [(SortColumn, &str); 7] = [
    (SortColumn::IssuedTo, "Issued To"),
    (SortColumn::IssuedBy, "Issued By"),
    (SortColumn::Expires, "Expiration Date"),
    (SortColumn::Purposes, "Intended Purposes"),
    (SortColumn::FriendlyName, "Friendly Name"),
    (SortColumn::Key, "Key"),
    (SortColumn::Usages, "Assigned usages"),
];

/// What the visible order depends on besides the store: the page, the filter and the sort.
pub type ListKey = (Location, Logical, String, SortColumn, bool);

/// Filter, sort, selection and the cached visible order.
#[derive(Default)]
pub struct ListState {
    /// The filter text.
    pub filter: String,
    /// The sort column.
    pub sort: SortColumn,
    /// Descending order.
    pub descending: bool,
    /// The selected certificate's id.
    pub selected: Option<i64>,
    /// Indices into the view's rows, in display order.
    pub visible: Vec<usize>,
    key: Option<ListKey>,
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

impl ListState {
    /// Forgets the cached order (the store changed).
    pub fn invalidate(&mut self) {
        self.key = None;
    }

    /// The key of the order the page shows now.
    pub fn key(&self, location: Location, logical: Logical) -> ListKey {
        (
            location,
            logical,
            self.filter.clone(),
            self.sort,
            self.descending,
        )
    }

    /// Takes an order computed elsewhere (the store's thread, with a new snapshot).
    pub fn adopt(&mut self, key: ListKey, visible: Vec<usize>) {
        self.visible = visible;
        self.key = Some(key);
    }

    /// Recomputes the visible order if the filter, sort, page or store changed.
    pub fn refresh(&mut self, view: &StoreView, location: Location, logical: Logical) {
        let key = self.key(location, logical);
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.visible = order(view, &key);
        self.key = Some(key);
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

/// The list page; returns a verb chosen from a row (double click, context menu).
pub fn store_list_ui(
    ui: &mut egui::Ui,
    view: &StoreView,
    state: &mut ListState,
    location: Location,
    logical: Logical,
) -> Option<Verb> {
    let mut chosen = None;
    ui.horizontal(|ui| {
        ui.heading(format!("{} \\ {}", location.title(), logical.title()));
    });
    ui.horizontal(|ui| {
        let label = ui.label("Filter:");
        ui.add(
            egui::TextEdit::singleline(&mut state.filter)
                .hint_text("subject, issuer, SAN, thumbprint or friendly name")
                .desired_width(360.0),
        )
        .labelled_by(label.id);
        if !state.filter.is_empty() && ui.button("Clear").clicked() {
            state.filter.clear();
        }
    });
    state.refresh(view, location, logical);
    ui.label(format!("{} shown", state.visible.len()));
    let red = ui.visuals().error_fg_color;
    let amber = egui::Color32::from_rgb(0xd0, 0x8a, 0x00);
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let mut table = TableBuilder::new(ui)
        .striped(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(220.0).at_least(80.0).clip(true))
        .column(Column::initial(180.0).at_least(80.0).clip(true))
        .column(Column::initial(110.0))
        .column(Column::initial(180.0).clip(true))
        .column(Column::initial(160.0).clip(true))
        .column(Column::initial(80.0))
        .column(Column::remainder().clip(true))
        .min_scrolled_height(0.0);
    table = table.id_salt(("list", location, logical));
    table
        .header(22.0, |mut header| {
            for (column, title) in COLUMNS {
                header.col(|ui| {
                    let arrow = match (state.sort == column, state.descending) {
                        (true, false) => " (A-Z)",
                        (true, true) => " (Z-A)",
                        _ => "",
                    };
                    if ui.button(format!("{title}{arrow}")).clicked() {
                        if state.sort == column {
                            state.descending = !state.descending;
                        } else {
                            state.sort = column;
                            state.descending = false;
                        }
                    }
                });
            }
        })
        .body(|body| {
            let ListState {
                visible, selected, ..
            } = state;
            body.rows(row_height, visible.len(), |mut row| {
                let Some(r) = visible.get(row.index()).and_then(|i| view.rows.get(*i)) else {
                    return;
                };
                row.set_selected(*selected == Some(r.cert.id));
                let color = if r.expired {
                    Some(red)
                } else if r.expiring {
                    Some(amber)
                } else {
                    None
                };
                let cell = |ui: &mut egui::Ui, s: &str, colored: bool| {
                    let text = match color {
                        Some(c) if colored => egui::RichText::new(s).color(c),
                        _ => egui::RichText::new(s),
                    };
                    // Not selectable: a click must reach the row.
                    ui.add(egui::Label::new(text).selectable(false));
                };
                for (value, colored) in [
                    (r.issued_to.as_str(), true),
                    (r.issued_by.as_str(), true),
                    (r.expires.as_str(), true),
                    (r.purposes.as_str(), false),
                    (r.cert.friendly_name.as_str(), false),
                    (r.key, false),
                    (r.usages.as_str(), false),
                ] {
                    row.col(|ui| cell(ui, value, colored));
                }
                let response = row.response();
                if response.clicked() {
                    *selected = Some(r.cert.id);
                }
                if response.double_clicked() {
                    *selected = Some(r.cert.id);
                    chosen = Some(Verb::ViewDetails);
                }
                response.context_menu(|ui| {
                    *selected = Some(r.cert.id);
                    for verb in Verb::ALL
                        .into_iter()
                        .filter(|v| v.needs_selection() || *v == Verb::Assign)
                    {
                        if ui.button(verb.label()).clicked() {
                            chosen = Some(verb);
                            ui.close();
                        }
                    }
                });
            });
        });
    chosen
}
