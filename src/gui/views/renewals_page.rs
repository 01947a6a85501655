//! The Renewals page: each certificate tracked for unattended renewal (those in force and
//! those tracked by hand), with its next renewal and the rule behind it, its last attempt
//! and outcome, the deploy targets it goes to with their last run and proof, and *Renew
//! now* / *Untrack* / *Deploy now* on its name; a field to track another one. The verbs of
//! `certdesk renew --due`, `track`, `untrack` and `deploy run`.

use crate::gui::command::Command;
use crate::gui::view_model::StoreView;
use crate::ops::renewal::{Reason, Tracked};
use crate::pki::timefmt;
use crate::store::{DeploySource, DeployTarget};

/// The page's own state: the thumbprint typed to track, and its policy.
#[derive(Debug, Default)]
pub struct RenewalsForm {
    /// The thumbprint to track.
    pub thumbprint: String,
    /// Renew it with its own key.
    pub same_key: bool,
}

/// The columns, in order.
const COLUMNS: [&str; 5] = [
    "Certificate",
    "Usages",
    "Next renewal, and why then",
    "Last attempt",
    "Deploys to",
];

/// The widest a wrapped cell grows, so that the table fits a 1024-pixel window.
const CELL_WIDTH: f32 = 190.0;

/// The page; pushes Renew now, Track and Untrack as commands.
pub fn renewals_page_ui(
    ui: &mut egui::Ui,
    view: &StoreView,
    form: &mut RenewalsForm,
    commands: &mut Vec<Command>,
) {
    ui.heading("Renewals");
    ui.label(
        "Every certificate in force is renewed when it is due, through the CA that issued it, \
         and its usages rolled; track others (a reverse proxy's) here or with `certdesk track`. \
         `certdesk schedule install` runs `certdesk renew --due` twice a day.",
    );
    if !view.schedule_installed && !view.renewals.is_empty() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "⚠ No renewal schedule is installed: these renew only when asked.",
        );
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let label = ui.label("Thumbprint to track:");
        ui.add(
            egui::TextEdit::singleline(&mut form.thumbprint)
                .hint_text("SHA-1 thumbprint of a certificate of Personal")
                .desired_width(320.0),
        )
        .labelled_by(label.id);
        ui.checkbox(&mut form.same_key, "Renew with the same key");
        let ready = !form.thumbprint.trim().is_empty();
        if ui.add_enabled(ready, egui::Button::new("Track")).clicked() {
            commands.push(Command::Track(
                form.thumbprint.trim().to_owned(),
                form.same_key,
            ));
            form.thumbprint.clear();
        }
    });
    ui.add_space(6.0);
    if view.renewals.is_empty() {
        ui.label("No certificate is tracked: assign one to a usage, or track it above.");
        return;
    }
    egui::ScrollArea::both().show(ui, |ui| {
        egui::Grid::new("renewals")
            .striped(true)
            .num_columns(COLUMNS.len())
            .spacing([16.0, 6.0])
            .show(ui, |ui| {
                for title in COLUMNS {
                    ui.strong(title);
                }
                ui.end_row();
                for tracked in &view.renewals {
                    let targets = deploying(&view.deploy_targets, tracked);
                    row_ui(ui, tracked, &targets, commands);
                    ui.end_row();
                }
            });
    });
}

/// The deploy targets that deploy a tracked certificate: those of its usages, and those
/// named by its thumbprint.
fn deploying<'a>(targets: &'a [DeployTarget], tracked: &Tracked) -> Vec<&'a DeployTarget> {
    targets
        .iter()
        .filter(|t| match &t.settings.source {
            DeploySource::Usage(u) => tracked.usages.contains(u),
            DeploySource::Certificate(thumb) => thumb.eq_ignore_ascii_case(&tracked.thumbprint),
        })
        .collect()
}

fn row_ui(
    ui: &mut egui::Ui,
    tracked: &Tracked,
    targets: &[&DeployTarget],
    commands: &mut Vec<Command>,
) {
    let name = if tracked.friendly_name.is_empty() {
        &tracked.issued_to
    } else {
        &tracked.friendly_name
    };
    // The actions are a menu on the name, as on the other pages.
    ui.menu_button(format!("{} ⏷", crate::text::escape(name)), |ui| {
        if ui
            .button("Renew now")
            .on_hover_text("Renew it through the CA that issued it and roll its usages")
            .clicked()
        {
            commands.push(Command::RenewNow(tracked.thumbprint.clone()));
            ui.close();
        }
        if tracked.reason == Reason::Tracked
            && ui
                .button("Untrack")
                .on_hover_text("Stop renewing it unattended")
                .clicked()
        {
            commands.push(Command::Untrack(tracked.thumbprint.clone()));
            ui.close();
        }
        for target in targets {
            if ui
                .button(format!(
                    "Deploy now to {}",
                    crate::text::escape(&target.settings.name)
                ))
                .on_hover_text("Write its files there, reload the server and prove it")
                .clicked()
            {
                commands.push(Command::DeployNow(target.settings.name.clone()));
                ui.close();
            }
        }
    });
    let usages: Vec<&str> = tracked.usages.iter().map(|u| u.title()).collect();
    wrapped(
        ui,
        &match tracked.reason {
            Reason::InForce => usages.join(", "),
            Reason::Tracked => "tracked".to_owned(),
        },
    );
    ui.vertical(|ui| {
        ui.set_max_width(CELL_WIDTH);
        ui.label(minutes(tracked.due_at));
        ui.add(egui::Label::new(egui::RichText::new(&tracked.rule_text).weak()).wrap());
    });
    ui.vertical(|ui| {
        ui.set_max_width(CELL_WIDTH);
        ui.label(
            tracked
                .last_attempt
                .map_or_else(|| "never".to_owned(), minutes),
        );
        if let Some(outcome) = tracked.last_outcome.as_deref() {
            let text = match tracked.last_failed {
                true => {
                    egui::RichText::new(format!("✖ {outcome}")).color(ui.visuals().error_fg_color)
                }
                false => egui::RichText::new(outcome).weak(),
            };
            ui.add(egui::Label::new(text).wrap());
        }
    });
    deploys_ui(ui, targets);
}

/// A cell's text, wrapped at [`CELL_WIDTH`].
fn wrapped(ui: &mut egui::Ui, text: &str) {
    ui.vertical(|ui| {
        ui.set_max_width(CELL_WIDTH);
        ui.add(egui::Label::new(text).wrap());
    });
}

/// A time to the minute, UTC (`2026-10-04 22:38 UTC`).
fn minutes(time: i64) -> String {
    let text = timefmt::rfc3339(time);
    format!(
        "{} {} UTC",
        &text[..10.min(text.len())],
        text.get(11..16).unwrap_or("")
    )
}

/// Each target's name with its last run: ✔ deployed (and proved), ✖ failed, ○ not yet;
/// the run's sentence on hover.
fn deploys_ui(ui: &mut egui::Ui, targets: &[&DeployTarget]) {
    if targets.is_empty() {
        ui.label("—");
        return;
    }
    ui.vertical(|ui| {
        for target in targets {
            let name = crate::text::escape(&target.settings.name);
            match &target.last {
                Some(last) if last.ok => {
                    ui.label(format!("✔ {name}")).on_hover_text(&last.message);
                }
                Some(last) => {
                    ui.colored_label(ui.visuals().error_fg_color, format!("✖ {name}"))
                        .on_hover_text(&last.message);
                }
                None => {
                    ui.label(format!("○ {name}"))
                        .on_hover_text("Not deployed yet");
                }
            }
        }
    });
}
