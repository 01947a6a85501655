//! The Certification Authorities page: the built-in CA and the store's connections (ACME,
//! SCEP, AD CS Web Enrollment), with Add, Test, Edit and Remove (the verbs of `certdesk ca`).

use super::Intent;
use crate::gui::command::Command;
use crate::gui::view_model::StoreView;
use crate::gui::words::kind_title;
use crate::ops::online::ChainRoot;
use crate::store::{CaKind, Location};

/// The page; returns Add's intent, pushes Test and Remove as commands, and offers the
/// untrusted root CA a Test found at the end of an AD CS CA's own chain.
pub fn cas_page_ui(
    ui: &mut egui::Ui,
    view: &StoreView,
    ca_root: &mut Option<(String, ChainRoot)>,
    commands: &mut Vec<Command>,
) -> Option<Intent> {
    let mut intent = None;
    ui.heading("Certification Authorities");
    ui.label(
        "Where immediate requests can go. The built-in CA is always there; ACME CAs (public \
         CAs, step-ca, EJBCA, Vault…), SCEP servers and AD CS Web Enrollment are added here \
         or with `certdesk ca add`.",
    );
    if ui.button("Add a CA…").clicked() {
        intent = Some(Intent::AddCa);
    }
    root_offer_ui(ui, ca_root, commands);
    ui.add_space(6.0);
    egui::Grid::new("cas")
        .striped(true)
        .num_columns(5)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            for title in ["Name", "Protocol", "Address", "Account", "Signed in with"] {
                ui.strong(title);
            }
            ui.end_row();
            ui.label("builtin");
            ui.label("built-in");
            ui.label("kept in this store");
            ui.label(if view.builtin_ca {
                "✔ created"
            } else {
                "created on first use"
            });
            ui.label("");
            ui.end_row();
            for ca in &view.cas {
                // The actions are a menu on the name, as on the Certificate Wizard page.
                ui.menu_button(format!("{} ⏷", ca.name), |ui| {
                    if ui
                        .button("Test the connection")
                        .on_hover_text(
                            "Reach the CA and its account (registering one the first time)",
                        )
                        .clicked()
                    {
                        commands.push(Command::TestCa(ca.name.clone()));
                        ui.close();
                    }
                    if ui
                        .button("Edit…")
                        .on_hover_text("Change its URL, TLS trust or credentials")
                        .clicked()
                    {
                        intent = Some(Intent::EditCa(ca.name.clone()));
                        ui.close();
                    }
                    if ui
                        .button("Remove")
                        .on_hover_text("Remove the connection and its secrets")
                        .clicked()
                    {
                        commands.push(Command::RemoveCa(ca.name.clone()));
                        ui.close();
                    }
                });
                ui.label(kind_title(ca.kind));
                ui.label(&ca.url);
                match (ca.kind, &ca.username) {
                    (CaKind::Acme, _) if ca.account_url.is_some() => ui.label("✔ registered"),
                    (CaKind::Acme, _) => ui.label("○ not yet (Test registers it)"),
                    (CaKind::Certsrv, Some(user)) => ui.label(format!("user {user}")),
                    (CaKind::Certsrv, None) => ui.label("your Kerberos ticket"),
                    _ => ui.label("challenge kept encrypted"),
                };
                // How the AD CS server accepted the last sign-in (Test tells it).
                match (ca.kind, &ca.accepted) {
                    (CaKind::Certsrv, Some(accepted)) => ui.label(accepted),
                    (CaKind::Certsrv, None) => ui.label("not yet (Test signs in)"),
                    _ => ui.label(""),
                };
                ui.end_row();
            }
        });
    intent
}

/// The root CA an AD CS CA's chain ends in, when Test found it untrusted: named as the
/// request's result page names it, with the same choice ("Trust this root CA").
fn root_offer_ui(
    ui: &mut egui::Ui,
    ca_root: &mut Option<(String, ChainRoot)>,
    commands: &mut Vec<Command>,
) {
    let Some((name, root)) = ca_root.as_ref() else {
        return;
    };
    let mut answered = false;
    ui.add_space(6.0);
    ui.group(|ui| {
        ui.label(format!(
            "The chain of {name} ends in the root CA {}, which is not in Trusted Roots: no \
             usage can be assigned what it issues until it is.",
            root.subject
        ));
        ui.label(format!("Thumbprint (sha1): {}", root.thumbprint));
        ui.horizontal(|ui| {
            if ui.button("Trust this root CA").clicked() {
                commands.push(Command::TrustRoot(
                    Location::Computer,
                    Box::new(root.clone()),
                ));
                answered = true;
            }
            answered |= ui.button("Not now").clicked();
        });
    });
    if answered {
        *ca_root = None;
    }
}
