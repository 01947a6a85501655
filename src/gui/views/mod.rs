//! The main window's views. Each reads the [`StoreView`] and returns what the user asked
//! for (a [`Verb`]) or pushes [`crate::gui::command::Command`]s; none writes the store.

mod log;
mod nav;
mod store_list;
mod topology;
mod welcome;
mod wizard_page;

pub use nav::{menu_and_toolbar_ui, nav_ui};
pub use store_list::ListState;
pub use topology::TopologyForm;

use super::app::{CertdeskApp, Toast};
use super::jobs::Jobs;
use super::verbs::Verb;
use super::view_model::StoreView;
use crate::model::store::{Location, Logical};

/// What the central area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The first-run panel.
    Welcome,
    /// A logical store of a location.
    Store(Location, Logical),
    /// The Certificate Wizard: usage status and assignment.
    Wizard,
    /// The deployment topology form.
    Topology,
    /// The activity log.
    Log,
}

/// Draws the current page.
pub fn page_ui(ui: &mut egui::Ui, app: &mut CertdeskApp) -> Option<Verb> {
    match app.page {
        Page::Welcome => welcome::welcome_ui(ui, app),
        Page::Store(location, logical) => {
            store_list::store_list_ui(ui, &app.view, &mut app.list, location, logical)
        }
        Page::Wizard => {
            if let Some(usage) = wizard_page::wizard_page_ui(ui, &app.view, &mut app.commands) {
                app.dialog = Some(super::dialogs::Dialog::assign(
                    &app.store,
                    &app.view,
                    None,
                    Some(usage),
                    (app.clock)(),
                ));
            }
            None
        }
        Page::Topology => {
            topology::topology_ui(ui, &mut app.topology_form, &mut app.commands);
            None
        }
        Page::Log => {
            log::log_ui(ui, &app.view.log);
            None
        }
    }
}

/// The status bar: running jobs and the store's size.
pub fn status_bar_ui(ui: &mut egui::Ui, view: &StoreView, jobs: &Jobs) {
    ui.horizontal(|ui| {
        if !jobs.idle() {
            ui.spinner();
            ui.label(format!("Working: {}", jobs.running().join(", ")));
            ui.separator();
        }
        ui.label(format!("{} certificates", view.rows.len()));
        if !view.pending.is_empty() {
            ui.label(format!("· {} pending requests", view.pending.len()));
        }
    });
}

/// Toasts in the top-right corner.
pub fn toasts_ui(ctx: &egui::Context, toasts: &[Toast]) {
    if toasts.is_empty() {
        return;
    }
    egui::Area::new(egui::Id::unique("toasts"))
        .anchor(egui::Align2::RIGHT_TOP, [-12.0, 48.0])
        .order(egui::Order::Foreground)
        .show(ctx, |ui| {
            for t in toasts {
                let color = if t.error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(420.0);
                    ui.colored_label(color, &t.text);
                });
            }
        });
}
