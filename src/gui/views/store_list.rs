//! The certificate list: sortable columns, a filter over subject, issuer, SANs, thumbprint
//! and friendly name, expired rows in red and expiring ones in amber. The filtered and
//! sorted order is computed off the UI thread when the filter, the sort, the page or the
//! store changes (the page asks for it; the app runs it); meanwhile the last order stays on
//! screen. Only visible rows are drawn.

use std::collections::HashMap;

use egui_extras::{Column, TableBuilder};

use crate::gui::list_order::{ListKey, ListOrder, SortColumn, shows};
use crate::gui::verbs::Verb;
use crate::gui::view_model::{Row, StoreView};
use crate::store::{Location, Logical};

/// A column: its title, the width it starts at, the least it may shrink to, and its
/// priority when the window is too narrow for all of them (0 is dropped last).
struct ColumnSpec {
    column: SortColumn,
    title: &'static str,
    initial: f32,
    least: f32,
    priority: u8,
}

const COLUMNS: [ColumnSpec; 7] = [
    ColumnSpec {
        column: SortColumn::IssuedTo,
        title: "Issued To",
        initial: 200.0,
        least: 110.0,
        priority: 0,
    },
    ColumnSpec {
        column: SortColumn::IssuedBy,
        title: "Issued By",
        initial: 170.0,
        least: 90.0,
        priority: 1,
    },
    ColumnSpec {
        column: SortColumn::Expires,
        title: "Expiration Date",
        initial: 130.0,
        least: 95.0,
        priority: 2,
    },
    ColumnSpec {
        column: SortColumn::Purposes,
        title: "Intended Purposes",
        initial: 170.0,
        least: 90.0,
        priority: 6,
    },
    ColumnSpec {
        column: SortColumn::FriendlyName,
        title: "Friendly Name",
        initial: 150.0,
        least: 90.0,
        priority: 3,
    },
    ColumnSpec {
        column: SortColumn::Key,
        title: "Key",
        initial: 120.0,
        least: 70.0,
        priority: 4,
    },
    ColumnSpec {
        column: SortColumn::Usages,
        title: "Assigned usages",
        initial: 160.0,
        least: 90.0,
        priority: 5,
    },
];

/// The columns that fit in `width`, in display order, each with its width: as many as fit
/// at their least widths, the least important left out first (Windows' console does the
/// same with its own columns); then the room left is shared out, each column up to the
/// width the user gave it or its initial one.
fn fitting_columns(
    width: f32,
    spacing: f32,
    widths: &HashMap<SortColumn, f32>,
) -> Vec<(&'static ColumnSpec, f32)> {
    let wanted = |c: &ColumnSpec| {
        widths
            .get(&c.column)
            .copied()
            .unwrap_or(c.initial)
            .max(c.least)
    };
    let mut by_priority: Vec<&ColumnSpec> = COLUMNS.iter().collect();
    by_priority.sort_by_key(|c| c.priority);
    let mut used = 0.0;
    let mut shown = Vec::new();
    for c in by_priority {
        if !shown.is_empty() && used + c.least + spacing > width {
            break;
        }
        used += c.least + spacing;
        shown.push(c.column);
    }
    let columns: Vec<&ColumnSpec> = COLUMNS
        .iter()
        .filter(|c| shown.contains(&c.column))
        .collect();
    let room: f32 = columns.iter().map(|c| wanted(c) - c.least).sum();
    let share = if room > 0.0 {
        ((width - used) / room).clamp(0.0, 1.0)
    } else {
        0.0
    };
    columns
        .into_iter()
        .map(|c| (c, c.least + (wanted(c) - c.least) * share))
        .collect()
}

/// The filter field's id, which Ctrl+F gives the focus to.
pub fn filter_id() -> egui::Id {
    egui::Id::unique("store list filter")
}

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
    /// Column widths the user set (remembered between sessions).
    pub widths: HashMap<SortColumn, f32>,
    /// The key `visible` was computed for.
    key: Option<ListKey>,
    /// The key whose order is being computed (asked for once).
    asked: Option<ListKey>,
}

impl ListState {
    /// Forgets the cached order (the store changed and no order came with it).
    pub fn invalidate(&mut self) {
        self.key = None;
        self.asked = None;
        self.visible.clear();
    }

    /// The key of the order the page shows now.
    pub fn key(&self, location: Location, logical: Logical) -> ListKey {
        ListKey {
            location,
            logical,
            filter: self.filter.clone(),
            sort: self.sort,
            descending: self.descending,
        }
    }

    /// Takes an order computed elsewhere (the store's thread with a new snapshot, or a job).
    pub fn adopt(&mut self, order: ListOrder) {
        self.visible = order.visible;
        self.key = Some(order.key);
        self.asked = None;
    }

    /// Whether the order shown is the one for `location`, `logical`, the filter and the
    /// sort; if not, notes that it is wanted (see [`ListState::take_wanted`]). The rows of
    /// another page are never shown meanwhile; those of an older filter or sort are.
    fn current(&mut self, location: Location, logical: Logical) -> bool {
        let key = self.key(location, logical);
        if self.key.as_ref() == Some(&key) {
            return true;
        }
        if self
            .key
            .as_ref()
            .is_some_and(|k| (k.location, k.logical) != (location, logical))
        {
            self.visible.clear();
            self.key = None;
        }
        false
    }

    /// The selected certificate when the page's list shows its row: one the filter hides,
    /// or that is not on the page, is no selection for the toolbar.
    pub fn shown_selection(
        &self,
        view: &StoreView,
        location: Location,
        logical: Logical,
    ) -> Option<i64> {
        let id = self.selected?;
        let row = view.row(id)?;
        shows(row, &self.key(location, logical)).then_some(id)
    }

    /// The order the page needs and nobody computes yet; the app starts a job for it.
    pub fn take_wanted(&mut self, shown: Option<ListKey>) -> Option<ListKey> {
        let key = shown?;
        if self.key.as_ref() == Some(&key) || self.asked.as_ref() == Some(&key) {
            return None;
        }
        self.asked = Some(key.clone());
        Some(key)
    }
}

/// A cell's text, with the icon that says the same as its colour (never colour alone):
/// expired, expiring, a private key, a trusted root, assigned usages.
fn cell_text(r: &Row, column: SortColumn, logical: Logical) -> (String, bool) {
    match column {
        SortColumn::IssuedTo if logical == Logical::Root => (format!("🛡 {}", r.issued_to), true),
        SortColumn::IssuedTo => (r.issued_to.clone(), true),
        SortColumn::IssuedBy => (r.issued_by.clone(), true),
        SortColumn::Expires if r.expired => (format!("⛔ {} expired", r.expires), true),
        SortColumn::Expires if r.expiring => (format!("⏳ {} soon", r.expires), true),
        SortColumn::Expires => (r.expires.clone(), true),
        SortColumn::Purposes => (r.purposes.clone(), false),
        SortColumn::FriendlyName => (r.cert.friendly_name.clone(), false),
        SortColumn::Key => match r.key {
            "none" => (String::new(), false),
            key => (format!("🔑 {key}"), false),
        },
        SortColumn::Usages if r.usages.is_empty() => (String::new(), false),
        SortColumn::Usages => (format!("📌 {}", r.usages), false),
    }
}

/// Moves the selection by the key pressed (nothing selected: the first row); returns the
/// row now selected when it moved. Only Down and Up are taken from the filter field.
fn move_selection(
    ui: &egui::Ui,
    view: &StoreView,
    state: &mut ListState,
    from_filter: bool,
) -> Option<usize> {
    use egui::{Key, Modifiers};
    let last = state.visible.len().checked_sub(1)?;
    let page = 10;
    let id_of = |i: &usize| view.rows.get(*i).map(|r| r.cert.id);
    let at = state
        .selected
        .and_then(|id| state.visible.iter().position(|i| id_of(i) == Some(id)));
    let keys: &[(Key, i64)] = if from_filter {
        &[(Key::ArrowDown, 1), (Key::ArrowUp, -1)]
    } else {
        &[
            (Key::ArrowDown, 1),
            (Key::ArrowUp, -1),
            (Key::PageDown, page),
            (Key::PageUp, -page),
            (Key::Home, i64::MIN / 2),
            (Key::End, i64::MAX / 2),
        ]
    };
    let step = ui.input_mut(|i| {
        keys.iter()
            .find(|(k, _)| i.consume_key(Modifiers::NONE, *k))
            .map(|(_, s)| *s)
    })?;
    let from = at.map_or(-1, |a| i64::try_from(a).unwrap_or(0));
    let to = usize::try_from(
        from.saturating_add(step)
            .clamp(0, i64::try_from(last).unwrap_or(0)),
    )
    .unwrap_or(0);
    state.selected = state.visible.get(to).and_then(id_of);
    Some(to)
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
    let mut filter_focused = false;
    ui.horizontal(|ui| {
        let label = ui.label("Filter:");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut state.filter)
                    .id(filter_id())
                    .hint_text("subject, issuer, SAN, thumbprint or friendly name")
                    .desired_width(360.0),
            )
            .labelled_by(label.id)
            .on_hover_text("Down arrow: to the list");
        filter_focused = field.has_focus();
        if !state.filter.is_empty() && ui.button("Clear").clicked() {
            state.filter.clear();
        }
    });
    let current = state.current(location, logical);
    // The keyboard moves the selection: arrows, Page Up/Down, Home, End (from the filter
    // field too, where Down leaves the field for the list).
    let nothing_focused = ui.memory(|m| m.focused().is_none());
    let scroll_to = if current && (nothing_focused || filter_focused) {
        let moved = move_selection(ui, view, state, filter_focused);
        if moved.is_some() && filter_focused {
            ui.memory_mut(|m| m.surrender_focus(m.focused().unwrap_or(egui::Id::NULL)));
        }
        moved
    } else {
        None
    };
    let spacing = ui.spacing().item_spacing.x;
    let columns = fitting_columns(ui.available_width(), spacing, &state.widths);
    ui.horizontal_wrapped(|ui| {
        if current && view.partial.is_some() {
            ui.label(format!("The first {} shown", state.visible.len()));
        } else if current {
            ui.label(format!("{} shown", state.visible.len()));
        } else {
            ui.spinner();
            ui.label("Sorting…");
        }
        let hidden: Vec<&str> = COLUMNS
            .iter()
            .filter(|c| !columns.iter().any(|(s, _)| s.column == c.column))
            .map(|c| c.title)
            .collect();
        if !hidden.is_empty() {
            ui.separator();
            ui.label(format!(
                "Not shown at this width: {} (widen the window, or see View details)",
                hidden.join(", ")
            ));
        }
    });
    let red = ui.visuals().error_fg_color;
    let amber = ui.visuals().warn_fg_color;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let band = (ui.available_width() / 32.0) as i32;
    let mut table = TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0);
    for (i, (c, width)) in columns.iter().enumerate() {
        table = table.column(if i + 1 == columns.len() {
            Column::remainder().at_least(c.least).clip(true)
        } else {
            Column::initial(*width).at_least(c.least).clip(true)
        });
    }
    // One remembered layout per set of columns shown and width (so the columns fit again
    // when the window is resized).
    let shown: Vec<SortColumn> = columns.iter().map(|(c, _)| c.column).collect();
    table = table.id_salt(("list", location, logical, shown, band));
    if let Some(row) = scroll_to {
        table = table.scroll_to_row(row, None);
    }
    table
        .header(22.0, |mut header| {
            for (i, (c, fitted)) in columns.iter().enumerate() {
                let last = i + 1 == columns.len();
                header.col(|ui| {
                    let arrow = match (state.sort == c.column, state.descending) {
                        (true, false) => " ⬆",
                        (true, true) => " ⬇",
                        _ => "",
                    };
                    let sort = ui.button(format!("{}{arrow}", c.title)).on_hover_text(
                        "Sort by this column; click again to reverse. Drag the edge to resize.",
                    );
                    if sort.clicked() {
                        if state.sort == c.column {
                            state.descending = !state.descending;
                        } else {
                            state.sort = c.column;
                            state.descending = false;
                        }
                    }
                    // The width the user dragged the column to, remembered for next time
                    // (not the last one's, which is whatever the window leaves it).
                    if !last && (ui.max_rect().width() - fitted).abs() > 1.0 {
                        state.widths.insert(c.column, ui.max_rect().width());
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
                    // Not selectable: a click must reach the row. Elided with "…", the
                    // whole text on hover.
                    ui.add(egui::Label::new(text).selectable(false).truncate());
                };
                for (c, _) in &columns {
                    let (value, colored) = cell_text(r, c.column, logical);
                    row.col(|ui| cell(ui, &value, colored));
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
