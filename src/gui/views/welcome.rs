//! The first-run panel: describe the deployment, import, request, or open a sample.

use crate::gui::verbs::Verb;
use crate::gui::views::{Intent, Page};

/// The welcome panel; returns what the user asked for.
pub fn welcome_ui(ui: &mut egui::Ui, page: &mut Page) -> Option<Intent> {
    let mut chosen = None;
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading("Welcome to certdesk");
        ui.label("This store is empty. Start with one of these:");
        ui.add_space(16.0);
        if ui.button("Describe the deployment").on_hover_text("Roles, FQDNs, SIP domains: what the certificates must name").clicked() {
            *page = Page::Topology;
        }
        if ui.button("Import a certificate").clicked() {
            chosen = Some(Intent::Start(Verb::Import));
        }
        if ui.button("Request a certificate").clicked() {
            chosen = Some(Intent::Start(Verb::Request));
        }
        if ui
            .button("Open a sample deployment")
            .on_hover_text("A separate store with an Edge topology, the built-in CA and assigned, expiring and broken certificates")
            .clicked()
        {
            chosen = Some(Intent::OpenSample);
        }
    });
    chosen
}
