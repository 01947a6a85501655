//! The Certificate Wizard page: one row per usage the server's role needs, with its
//! certificate, expiry, location and status, and Assign… on each.

use egui_extras::{Column, TableBuilder};

use crate::deploy::usage::UsageType;
use crate::gui::command::Command;
use crate::gui::view_model::StoreView;
use crate::ops::assign::Status;
use crate::verify::problem;

/// The page; returns the usage whose Assign… was clicked. Unassign buttons push commands.
pub fn wizard_page_ui(
    ui: &mut egui::Ui,
    view: &StoreView,
    commands: &mut Vec<Command>,
) -> Option<UsageType> {
    ui.heading("Certificate Wizard");
    let Some(topology) = &view.topology else {
        ui.label("Describe the deployment on the Topology page first: the wizard needs the server's role and names.");
        return None;
    };
    ui.label(format!(
        "{:?} server {} · pool {}",
        topology.role,
        topology.server_fqdn,
        topology.pool()
    ));
    let mut clicked = None;
    let red = ui.visuals().error_fg_color;
    let amber = egui::Color32::from_rgb(0xd0, 0x8a, 0x00);
    TableBuilder::new(ui)
        .striped(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(200.0))
        .column(Column::initial(220.0).clip(true))
        .column(Column::initial(100.0))
        .column(Column::initial(60.0))
        .column(Column::initial(100.0))
        .column(Column::remainder())
        .header(22.0, |mut h| {
            for title in [
                "Usage",
                "Certificate",
                "Expiration",
                "Location",
                "Status",
                "",
            ] {
                h.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|mut body| {
            for row in &view.statuses {
                body.row(22.0, |mut r| {
                    r.col(|ui| {
                        ui.label(row.usage.title());
                    });
                    r.col(|ui| {
                        let name = row.friendly_name.clone().filter(|n| !n.is_empty());
                        let text = name
                            .or_else(|| row.thumbprint.clone())
                            .unwrap_or_else(|| "—".into());
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
                    r.col(|ui| {
                        ui.label(row.location);
                    });
                    r.col(|ui| {
                        let (text, color) = match row.status {
                            Status::Assigned => ("Assigned", None),
                            Status::NotAssigned => ("Not assigned", None),
                            Status::Staged => ("Staged", None),
                            Status::Expiring => ("Expiring", Some(amber)),
                            Status::Invalid => ("Invalid", Some(red)),
                        };
                        let label = match color {
                            Some(c) => ui.colored_label(c, text),
                            None => ui.label(text),
                        };
                        if !row.problems.is_empty() {
                            label.on_hover_text(problem::join(&row.problems, "\n"));
                        }
                    });
                    r.col(|ui| {
                        if ui
                            .button(format!("Assign {}…", row.usage.as_str()))
                            .clicked()
                        {
                            clicked = Some(row.usage);
                        }
                        if row.thumbprint.is_some()
                            && ui
                                .button(format!("Unassign {}", row.usage.as_str()))
                                .clicked()
                        {
                            commands.push(Command::Unassign(row.usage, false));
                        }
                        if row.previous_thumbprint.is_some()
                            && ui
                                .button(format!("Remove previous {}", row.usage.as_str()))
                                .clicked()
                        {
                            commands.push(Command::Unassign(row.usage, true));
                        }
                    });
                });
            }
        });
    for row in view.statuses.iter().filter(|r| !r.problems.is_empty()) {
        ui.label(
            egui::RichText::new(format!(
                "{}: {}",
                row.usage.title(),
                problem::join(&row.problems, "; ")
            ))
            .small(),
        );
    }
    clicked
}
