//! The first-run panel: describe the deployment, import, request, or open a sample.

use crate::gui::app::CertdeskApp;
use crate::gui::verbs::Verb;
use crate::gui::views::Page;

/// The welcome panel; returns a verb to start.
pub fn welcome_ui(ui: &mut egui::Ui, app: &mut CertdeskApp) -> Option<Verb> {
    let mut chosen = None;
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading("Welcome to certdesk");
        ui.label("This store is empty. Start with one of these:");
        ui.add_space(16.0);
        if ui.button("Describe the deployment").on_hover_text("Roles, FQDNs, SIP domains: what the certificates must name").clicked() {
            app.page = Page::Topology;
        }
        if ui.button("Import a certificate").clicked() {
            chosen = Some(Verb::Import);
        }
        if ui.button("Request a certificate").clicked() {
            chosen = Some(Verb::Request);
        }
        if ui
            .button("Open a sample deployment")
            .on_hover_text("A separate store with an Edge topology, the built-in CA and assigned, expiring and broken certificates")
            .clicked()
        {
            app.jobs.sample(ui.ctx(), app.sample_dir.clone(), (app.clock)());
        }
    });
    chosen
}
