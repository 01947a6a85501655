//! The SAN inspector's table, shared by the certificate's details, the request summary and
//! the Certificate Wizard's "Invalid": one row per name with an icon and a word for its
//! state (never colour alone) and the usages that need it; a usage the topology cannot say
//! the names of is one note, and the other usages' rows stay.

use egui::RichText;

use crate::verify::sans::{Inspection, NameState};

/// Draws the table; `id` keeps two tables on one page apart.
pub fn san_table_ui(ui: &mut egui::Ui, id: &str, inspection: &Inspection) {
    let rows = &inspection.rows;
    let green = if ui.visuals().dark_mode {
        egui::Color32::from_rgb(0x5c, 0xc8, 0x7a)
    } else {
        egui::Color32::from_rgb(0x1e, 0x7a, 0x3a)
    };
    let red = ui.visuals().error_fg_color;
    let missing = rows.iter().filter(|r| r.state.is_problem()).count();
    if missing == 0 && inspection.gaps.is_empty() {
        ui.colored_label(green, "✔ Every name the usages need is there.");
    } else if missing == 0 {
        ui.colored_label(green, "✔ Every name the usages checked need is there.");
    } else {
        ui.colored_label(
            red,
            format!(
                "⛔ {}: the certificate cannot serve these usages as it is.",
                crate::gui::words::count(missing, "name needs attention", "names need attention")
            ),
        );
    }
    for gap in &inspection.gaps {
        ui.add(
            egui::Label::new(
                RichText::new(format!(
                    "⚠ Not checked: {gap} (describe it on the Topology page)."
                ))
                .color(ui.visuals().warn_fg_color),
            )
            .wrap(),
        );
    }
    egui::Grid::new(("san table", id))
        .striped(true)
        .num_columns(3)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            ui.strong("Name");
            ui.strong("State");
            ui.strong("Needed by");
            ui.end_row();
            for row in rows {
                let (icon, color) = match row.state {
                    NameState::Present | NameState::Covered(_) => ("✔", Some(green)),
                    NameState::Missing => ("⛔", Some(red)),
                    NameState::WildcardNotAllowed => ("🚫", Some(red)),
                    NameState::Extra => ("•", None),
                };
                ui.label(&row.name);
                let text = RichText::new(format!("{icon} {}", row.state.label()));
                ui.label(match color {
                    Some(c) => text.color(c),
                    None => text,
                });
                let usages: Vec<&str> = row.usages.iter().map(|u| u.title()).collect();
                ui.label(match (&row.state, usages.is_empty()) {
                    (NameState::WildcardNotAllowed, _) => {
                        format!("refused by {}", usages.join(", "))
                    }
                    (_, true) => "—".to_owned(),
                    (_, false) => usages.join(", "),
                });
                ui.end_row();
            }
        });
}
