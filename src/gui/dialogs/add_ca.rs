//! Add an ACME CA: its name, directory URL, the account's contact and, for a private CA,
//! the certificates to trust for its TLS. The model checks them (`certdesk ca add`).

use std::path::PathBuf;

use super::Flow;
use super::frame::{self, Part};
use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::jobs::{JobResult, Jobs, PickTarget, start_dir};
use crate::ops::cas::{NewCa, Protocol};

/// The dialog's state.
#[derive(Default)]
pub struct AddCaDialog {
    /// The connection's name.
    pub name: String,
    /// The directory URL.
    pub directory: String,
    /// The account's contact e-mail.
    pub contact: String,
    /// The TLS trust bundle's path.
    pub bundle: String,
    /// External account binding's key id.
    pub eab_kid: String,
    /// External account binding's HMAC key (base64url).
    eab_hmac: String,
    sent: bool,
    done: bool,
    error: Option<String>,
}

fn field(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.add_sized([170.0, 20.0], egui::Label::new(label));
        ui.add(
            egui::TextEdit::singleline(value)
                .hint_text(hint)
                .desired_width(360.0),
        )
        .labelled_by(l.id)
    })
    .inner
}

impl AddCaDialog {
    /// A picked bundle file.
    pub fn on_job(&mut self, result: JobResult) {
        if let JobResult::Picked(PickTarget::CaBundle, Some(path)) = result {
            self.bundle = path.display().to_string();
        }
    }

    /// The store's answer.
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) {
        if !self.sent {
            return;
        }
        self.sent = false;
        match result {
            Ok(_) => self.done = true,
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Draws the dialog; Enter adds.
    pub fn ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs, commands: &mut Vec<Command>) -> Flow {
        if self.done {
            return Flow::Close;
        }
        let mut flow = Flow::Stay;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Body => {
                let name = field(ui, "CA name", &mut self.name, "e.g. letsencrypt or step-ca");
                if ui.memory(|m| m.focused().is_none()) && self.name.is_empty() {
                    name.request_focus();
                }
                field(
                    ui,
                    "Directory URL",
                    &mut self.directory,
                    "https://acme.example.com/directory",
                );
                field(ui, "Contact e-mail", &mut self.contact, "optional");
                ui.horizontal(|ui| {
                    field(ui, "TLS trust (PEM file)", &mut self.bundle, "optional");
                    if frame::button_enabled(ui, jobs.idle(), "Browse…").clicked() {
                        jobs.pick(
                            ui.ctx(),
                            PickTarget::CaBundle,
                            false,
                            start_dir(&self.bundle),
                        );
                    }
                });
                field(
                    ui,
                    "EAB key ID",
                    &mut self.eab_kid,
                    "only if the CA gave one",
                );
                ui.horizontal(|ui| {
                    let l = ui.add_sized([170.0, 20.0], egui::Label::new("EAB HMAC key"));
                    ui.add(
                        egui::TextEdit::singleline(&mut self.eab_hmac)
                            .password(true)
                            .hint_text("only if the CA gave one")
                            .desired_width(360.0),
                    )
                    .labelled_by(l.id);
                });
                ui.label(
                    "Leave the TLS trust empty for a CA whose server the system already trusts \
                     (every public CA). The account is registered when the CA is first tested \
                     or used.",
                );
                if let Some(error) = &self.error {
                    frame::error_ui(ui, error);
                }
            }
            Part::Footer => {
                if frame::button(ui, "Cancel").clicked() {
                    flow = Flow::Close;
                }
                let ready = !self.name.trim().is_empty() && !self.directory.trim().is_empty();
                let add = frame::button_enabled(ui, ready && !self.sent, "Add");
                if add.clicked() || (ready && !self.sent && frame::enter_pressed(ui)) {
                    self.error = None;
                    self.sent = true;
                    let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
                    commands.push(Command::AddCa(Box::new(NewCa {
                        name: self.name.trim().to_owned(),
                        protocol: Protocol::Acme {
                            directory: self.directory.trim().to_owned(),
                            contact: optional(&self.contact),
                            eab: optional(&self.eab_kid)
                                .zip(optional(&self.eab_hmac).map(zeroize::Zeroizing::new)),
                        },
                        ca_bundle: optional(&self.bundle).map(PathBuf::from),
                    })));
                }
                if !ready {
                    frame::hint_ui(ui, "give a name and the directory URL");
                }
            }
        });
        flow
    }
}
