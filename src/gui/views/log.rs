//! The activity log: time, operation (and, in a team store, who), outcome, details and the
//! equivalent command, one line each (elided, the whole text on hover); the selected
//! entry's details and command are shown whole under the table, wrapped, with Copy.

use egui_extras::{Column, TableBuilder};

use crate::pki::timefmt::rfc3339 as time;
use crate::store::LogEntry;

/// A cell's text on one line, elided with its whole text on hover (one tooltip).
fn cell(ui: &mut egui::Ui, text: impl Into<egui::WidgetText>) {
    ui.add(egui::Label::new(text).truncate().selectable(false));
}

/// The log page, newest first.
pub fn log_ui(ui: &mut egui::Ui, log: &[LogEntry]) {
    ui.heading("Activity log");
    let selected_id = ui.make_persistent_id("selected log entry");
    let mut selected: Option<i64> = ui.data(|d| d.get_temp(selected_id));
    if selected.is_none() {
        selected = log.last().map(|e| e.id);
    }
    // The table takes what the selected entry's pane leaves.
    let pane = 150.0;
    let width = ui.available_width();
    let height = (ui.available_height() - pane).max(120.0);
    ui.allocate_ui(egui::vec2(width, height), |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .max_scroll_height(height)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(150.0).at_least(60.0).clip(true))
            .column(Column::initial(100.0).at_least(50.0).clip(true))
            .column(Column::initial(64.0).at_least(40.0).clip(true))
            .column(
                Column::initial(((width - 330.0) * 0.45).max(120.0))
                    .at_least(80.0)
                    .clip(true),
            )
            .column(Column::remainder().at_least(120.0).clip(true))
            .header(22.0, |mut h| {
                for title in [
                    "Time",
                    "Operation",
                    "Outcome",
                    "Details",
                    "Equivalent command",
                ] {
                    h.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, log.len(), |mut row| {
                    let Some(e) = log.get(log.len() - 1 - row.index()) else {
                        return;
                    };
                    row.set_selected(selected == Some(e.id));
                    row.col(|ui| cell(ui, time(e.time)));
                    row.col(|ui| {
                        // A team store's entries name the database user who did it.
                        match &e.user {
                            Some(user) => cell(ui, format!("{} ({user})", e.operation)),
                            None => cell(ui, &e.operation),
                        };
                    });
                    row.col(|ui| cell(ui, &e.outcome));
                    row.col(|ui| cell(ui, e.details.lines().next().unwrap_or_default()));
                    row.col(|ui| cell(ui, egui::RichText::new(&e.command).monospace()));
                    if row.response().clicked() {
                        selected = Some(e.id);
                    }
                });
            });
    });
    ui.data_mut(|d| d.insert_temp(selected_id, selected));
    ui.separator();
    let Some(entry) = log.iter().find(|e| Some(e.id) == selected) else {
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("log entry")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.strong(format!(
                    "{} · {} · {}",
                    time(entry.time),
                    entry.operation,
                    entry.outcome
                ));
            });
            ui.add(egui::Label::new(&entry.details).wrap());
            ui.horizontal(|ui| {
                ui.strong("Equivalent command");
                if ui.small_button("Copy the command").clicked() {
                    ui.ctx().copy_text(entry.command.clone());
                }
            });
            ui.add(egui::Label::new(egui::RichText::new(&entry.command).monospace()).wrap());
        });
}
