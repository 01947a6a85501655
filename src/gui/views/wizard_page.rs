//! The Certificate Wizard page: one row per usage the server's role needs, with its
//! certificate, expiry, location and status, Assign… on each, and "Invalid" leading to the
//! SAN inspector.

use egui_extras::{Column, TableBuilder};

use super::Intent;
use crate::gui::command::Command;
use crate::gui::view_model::StoreView;
use crate::ops::assign::Status;
use crate::verify::problem;

/// The page; returns what was asked of a usage (Assign…, or the SAN inspector from
/// "Invalid"). Unassign pushes commands.
pub fn wizard_page_ui(
    ui: &mut egui::Ui,
    view: &StoreView,
    commands: &mut Vec<Command>,
) -> Option<Intent> {
    ui.heading("Certificate Wizard");
    let Some(topology) = &view.topology else {
        ui.label("Describe the deployment on the Topology page first: the wizard needs the server's role and names.");
        return None;
    };
    let mut clicked = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "{:?} server {} · pool {}",
            topology.role,
            topology.server_fqdn,
            topology.pool()
        ));
        if ui
            .button("Check the pool…")
            .on_hover_text(
                "Do all the pool's members serve the same certificate, the one assigned here?",
            )
            .clicked()
        {
            clicked = Some(Intent::CheckPool);
        }
    });
    let red = ui.visuals().error_fg_color;
    let amber = ui.visuals().warn_fg_color;
    // The usage takes a share of the width; Location (always the server's own store here)
    // is the first to go when the window is narrow.
    let width = ui.available_width();
    let with_location = width >= 700.0;
    let mut table = TableBuilder::new(ui)
        .striped(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial((width * 0.3).clamp(120.0, 240.0)).clip(true))
        .column(Column::remainder().at_least(100.0).clip(true))
        .column(Column::initial(95.0).clip(true));
    if with_location {
        table = table.column(Column::initial(70.0).clip(true));
    }
    let titles: &[&str] = if with_location {
        &["Usage", "Certificate", "Expiration", "Location", "Status"]
    } else {
        &["Usage", "Certificate", "Expiration", "Status"]
    };
    table
        .column(Column::initial(110.0).clip(true))
        .header(22.0, |mut h| {
            for title in titles {
                h.col(|ui| {
                    ui.strong(*title);
                });
            }
        })
        .body(|mut body| {
            for row in &view.statuses {
                body.row(22.0, |mut r| {
                    r.col(|ui| {
                        // The usage's actions are a menu on its name, so the table fits.
                        ui.menu_button(format!("{} ⏷", row.usage.title()), |ui| {
                            if ui.button("Assign a certificate…").clicked() {
                                clicked = Some(Intent::Assign(row.usage));
                                ui.close();
                            }
                            if row.thumbprint.is_some() && ui.button("Unassign").clicked() {
                                commands.push(Command::Unassign(row.usage, false));
                                ui.close();
                            }
                            if row.previous_thumbprint.is_some()
                                && ui.button("Remove the previous certificate").clicked()
                            {
                                commands.push(Command::Unassign(row.usage, true));
                                ui.close();
                            }
                        });
                    });
                    r.col(|ui| {
                        let name = row.friendly_name.clone().filter(|n| !n.is_empty());
                        let short = row.thumbprint.as_deref().map(|t| &t[..8.min(t.len())]);
                        let text = match (name, short) {
                            (Some(name), Some(short)) => format!("{name} ({short}…)"),
                            (None, Some(short)) => format!("{short}…"),
                            _ => "—".into(),
                        };
                        ui.label(text)
                            .on_hover_text(row.thumbprint.clone().unwrap_or_default());
                    });
                    r.col(|ui| {
                        ui.label(
                            row.not_after
                                .map(crate::pki::timefmt::date)
                                .unwrap_or_default(),
                        );
                    });
                    if with_location {
                        r.col(|ui| {
                            ui.label(row.location);
                        });
                    }
                    r.col(|ui| {
                        let (text, color) = match row.status {
                            Status::Assigned => ("✔ Assigned", None),
                            Status::NotAssigned => ("○ Not assigned", None),
                            Status::Staged => ("▶ Staged", None),
                            Status::Expiring => ("⏳ Expiring", Some(amber)),
                            Status::Invalid => ("⛔ Invalid", Some(red)),
                        };
                        let text = match color {
                            Some(c) => egui::RichText::new(text).color(c),
                            None => egui::RichText::new(text),
                        };
                        // "Invalid" opens the SAN inspector on the certificate, for this usage.
                        let label = match (&row.thumbprint, row.status) {
                            (Some(thumbprint), Status::Invalid | Status::Expiring) => {
                                let link = ui.link(text);
                                if link.clicked() {
                                    clicked = Some(Intent::Inspect(thumbprint.clone(), row.usage));
                                }
                                link
                            }
                            _ => ui.label(text),
                        };
                        if !row.problems.is_empty() {
                            label.on_hover_text(problem::join(&row.problems, "\n"));
                        }
                    });
                });
            }
        });
    ui.add_space(8.0);
    for row in view.statuses.iter().filter(|r| !r.problems.is_empty()) {
        let text = format!(
            "⚠ {}: {}",
            row.usage.title(),
            problem::join(&row.problems, "; ")
        );
        if row.status == Status::Invalid {
            ui.colored_label(red, text);
        } else {
            ui.label(text);
        }
    }
    clicked
}
