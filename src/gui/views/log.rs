//! The activity log: time, operation (and, in a team store, who), outcome, details and the
//! equivalent command.

use egui_extras::{Column, TableBuilder};

use crate::pki::timefmt::rfc3339 as time;
use crate::store::LogEntry;

/// The log page, newest first.
pub fn log_ui(ui: &mut egui::Ui, log: &[LogEntry]) {
    ui.heading("Activity log");
    // Shares of the width, so the command and its Copy button stay on screen at any size
    // and scale; the details and the command show whole on hover.
    let width = ui.available_width();
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(
            Column::initial((width * 0.2).min(170.0))
                .at_least(60.0)
                .clip(true),
        )
        .column(
            Column::initial((width * 0.1).min(90.0))
                .at_least(50.0)
                .clip(true),
        )
        .column(
            Column::initial((width * 0.08).min(70.0))
                .at_least(40.0)
                .clip(true),
        )
        .column(Column::initial(width * 0.28).at_least(60.0).clip(true))
        .column(Column::remainder().at_least(80.0).clip(true))
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
                row.col(|ui| {
                    ui.label(time(e.time));
                });
                row.col(|ui| {
                    // A team store's entries name the database user who did it.
                    match &e.user {
                        Some(user) => ui.label(format!("{} ({user})", e.operation)),
                        None => ui.label(&e.operation),
                    };
                });
                row.col(|ui| {
                    ui.label(&e.outcome);
                });
                row.col(|ui| {
                    ui.label(e.details.lines().next().unwrap_or_default())
                        .on_hover_text(&e.details);
                });
                row.col(|ui| {
                    if ui
                        .small_button("Copy")
                        .on_hover_text("Copy the command")
                        .clicked()
                    {
                        ui.ctx().copy_text(e.command.clone());
                    }
                    ui.monospace(&e.command).on_hover_text(&e.command);
                });
            });
        });
}
