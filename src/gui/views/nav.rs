//! The navigation tree and the menu bar and toolbar, both derived from [`Verb`].

use super::Page;
use crate::gui::verbs::Verb;
use crate::gui::view_model::StoreView;
use crate::store::{Location, Logical};

/// The menu bar and the toolbar; returns the verb chosen.
pub fn menu_and_toolbar_ui(ui: &mut egui::Ui, has_selection: bool) -> Option<Verb> {
    let mut chosen = None;
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            for verb in Verb::FILE {
                let shortcut = ui.ctx().format_shortcut(&verb.shortcut());
                let button = egui::Button::new(verb.label()).shortcut_text(shortcut);
                if ui.add(button).on_hover_text(verb.tooltip()).clicked() {
                    chosen = Some(verb);
                    ui.close();
                }
            }
        });
        ui.menu_button("Action", |ui| {
            for verb in Verb::ALL {
                let enabled = has_selection || !verb.needs_selection();
                let shortcut = ui.ctx().format_shortcut(&verb.shortcut());
                let button = egui::Button::new(verb.label()).shortcut_text(shortcut);
                if ui
                    .add_enabled(enabled, button)
                    .on_hover_text(verb.tooltip())
                    .clicked()
                {
                    chosen = Some(verb);
                    ui.close();
                }
            }
        });
    });
    ui.horizontal(|ui| {
        for verb in Verb::ALL {
            let enabled = has_selection || !verb.needs_selection();
            if ui
                .add_enabled(enabled, egui::Button::new(verb.label()))
                .on_hover_text(verb.tooltip())
                .on_disabled_hover_text("Select a certificate first")
                .clicked()
            {
                chosen = Some(verb);
            }
        }
    });
    chosen
}

/// The navigation tree: locations with their stores (and counts), then the wizard pages.
pub fn nav_ui(ui: &mut egui::Ui, view: &StoreView, page: &mut Page) {
    ui.add_space(4.0);
    for location in Location::ALL {
        egui::CollapsingHeader::new(location.title())
            .default_open(true)
            .show(ui, |ui| {
                for logical in Logical::ALL {
                    let count = view.counts.get(&(location, logical)).copied().unwrap_or(0);
                    let label = format!("{} ({count})", short_title(logical));
                    let target = Page::Store(location, logical);
                    if ui.selectable_label(*page == target, label).clicked() {
                        *page = target;
                    }
                }
            });
    }
    ui.separator();
    for (label, target) in [
        ("Certificate Wizard", Page::Wizard),
        ("Topology", Page::Topology),
        ("Activity log", Page::Log),
    ] {
        if ui.selectable_label(*page == target, label).clicked() {
            *page = target;
        }
    }
}

fn short_title(logical: Logical) -> &'static str {
    match logical {
        Logical::Personal => "Personal",
        Logical::Ca => "Intermediate CAs",
        Logical::Root => "Trusted Roots",
        Logical::Requests => "Enrollment Requests",
    }
}
