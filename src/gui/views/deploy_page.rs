//! The Deploy targets page: where certificates' files go (here or over SSH), with each
//! target's last run and its proof; Add, Deploy now, Edit and Remove (the verbs of
//! `certdesk deploy`).

use super::Intent;
use crate::gui::command::Command;
use crate::gui::view_model::StoreView;
use crate::pki::timefmt::rfc3339;
use crate::store::DeploySource;

/// The page; returns Add's and Edit's intents, pushes Deploy now and Remove as commands.
pub fn deploy_page_ui(
    ui: &mut egui::Ui,
    view: &StoreView,
    commands: &mut Vec<Command>,
) -> Option<Intent> {
    let mut intent = None;
    ui.heading("Deploy targets");
    ui.label(
        "Where a usage's certificate (or one certificate) is written, as certbot's PEM files \
         or a PFX, in a folder here or over SSH; the server is reloaded and probed until it \
         serves the new certificate, or the previous files are put back.",
    );
    if ui.button("Add a deploy target…").clicked() {
        intent = Some(Intent::AddTarget);
    }
    ui.add_space(6.0);
    if view.deploy_targets.is_empty() {
        ui.label("No deploy target yet.");
        return intent;
    }
    egui::Grid::new("deploy targets")
        .striped(true)
        .num_columns(4)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            for title in ["Name", "Certificate", "Destination", "Last run"] {
                ui.strong(title);
            }
            ui.end_row();
            for target in &view.deploy_targets {
                ui.menu_button(format!("{} ⏷", target.settings.name), |ui| {
                    if ui
                        .button("Deploy now")
                        .on_hover_text("Write the files, reload, and prove it")
                        .clicked()
                    {
                        commands.push(Command::DeployNow(target.settings.name.clone()));
                        ui.close();
                    }
                    if ui.button("Edit…").clicked() {
                        intent = Some(Intent::EditTarget(target.settings.name.clone()));
                        ui.close();
                    }
                    if ui
                        .button("Remove target")
                        .on_hover_text("Remove the target; the files it wrote stay")
                        .clicked()
                    {
                        commands.push(Command::RemoveTarget(target.settings.name.clone()));
                        ui.close();
                    }
                });
                ui.label(match &target.settings.source {
                    DeploySource::Usage(u) => u.title().to_owned(),
                    DeploySource::Certificate(t) => t.clone(),
                });
                ui.label(format!(
                    "{} ({})",
                    target.settings.destination,
                    target.settings.format.as_str()
                ));
                match &target.last {
                    None => ui.label("never run"),
                    Some(last) => {
                        let mark = if last.ok { "✔" } else { "✖" };
                        ui.label(format!("{mark} {} {}", rfc3339(last.time), last.message))
                    }
                };
                ui.end_row();
            }
        });
    intent
}
