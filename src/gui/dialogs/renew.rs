//! Renew a certificate (`certdesk renew`): the same subject, SANs, template and friendly
//! name, the same key unless the user asks for a new one, sent to the CA that issued it or
//! another; then the new certificate is offered the usages the old one holds.

use super::Flow;
use super::frame::{self, Part};
use crate::gui::command::{Applied, ApplyError, Command};
use crate::ops::renew::RenewOutcome;
use crate::store::{CaConnection, Location, StoredCert};

/// The dialog's state.
pub struct RenewDialog {
    location: Location,
    cert: StoredCert,
    cas: Vec<CaConnection>,
    /// The CA chosen (None: the one that issued it).
    pub ca: Option<String>,
    /// "Renew with the same key".
    pub same_key: bool,
    /// Assign the new certificate to the old one's usages on Finish.
    pub assign: bool,
    sent: bool,
    outcome: Option<RenewOutcome>,
    error: Option<String>,
}

impl RenewDialog {
    /// The dialog for a certificate, with the store's CA connections.
    pub fn new(location: Location, cert: StoredCert, cas: Vec<CaConnection>) -> Self {
        let same_key = cert.key.is_some();
        // Unknown issuer (certdesk did not request it): the built-in CA is the default.
        let ca = match cert.issuing_ca {
            Some(_) => None,
            None => Some("builtin".to_owned()),
        };
        Self {
            location,
            cert,
            cas,
            ca,
            same_key,
            assign: true,
            sent: false,
            outcome: None,
            error: None,
        }
    }

    /// The store's answer.
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) {
        if !self.sent {
            return;
        }
        self.sent = false;
        match result {
            Ok(Applied::Renewed(outcome)) => self.outcome = Some((**outcome).clone()),
            Ok(_) => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn choices_ui(&mut self, ui: &mut egui::Ui) {
        let name = match self.cert.friendly_name.as_str() {
            "" => self.cert.summary.issued_to().to_owned(),
            friendly => friendly.to_owned(),
        };
        ui.label(format!(
            "Renew \"{name}\" ({}): a new certificate with the same subject, subject \
             alternative names, template and friendly name.",
            &self.cert.summary.thumbprint[..8]
        ));
        ui.add_space(6.0);
        ui.label("Send the request to:");
        if let Some(issuer) = &self.cert.issuing_ca {
            ui.radio_value(
                &mut self.ca,
                None,
                format!("The CA that issued it ({issuer})"),
            );
        } else {
            ui.label("certdesk did not request it, so it does not know which CA issued it.");
        }
        ui.radio_value(
            &mut self.ca,
            Some("builtin".to_owned()),
            "certdesk built-in CA",
        );
        for ca in self.cas.clone() {
            ui.radio_value(
                &mut self.ca,
                Some(ca.name.clone()),
                format!("{}: {}", ca.name, ca.url),
            );
        }
        ui.add_space(6.0);
        let has_key = self.cert.key.is_some();
        ui.add_enabled(
            has_key,
            egui::Checkbox::new(&mut self.same_key, "Renew with the same key"),
        );
        if !has_key {
            ui.label("The store holds no private key for it, so a new key is made.");
        } else if !self.same_key {
            ui.label("A new key of the same algorithm and size is made; the old one stays.");
        }
        ui.label("An ACME CA is answered on port 80 of this machine (HTTP-01).");
        if let Some(error) = &self.error {
            frame::error_ui(ui, error);
        }
    }

    fn result_ui(&mut self, ui: &mut egui::Ui, outcome: &RenewOutcome) {
        match &outcome.request.thumbprint {
            Some(thumbprint) => {
                let by = match outcome.ca.as_str() {
                    "builtin" => "The certdesk built-in CA".to_owned(),
                    name => format!("The CA {name}"),
                };
                ui.label(format!(
                    "{by} issued the renewed certificate; it is in Personal with its key."
                ));
                ui.label(format!("Thumbprint: {thumbprint}"));
                if !outcome.usages.is_empty() {
                    let titles: Vec<&str> = outcome.usages.iter().map(|u| u.title()).collect();
                    ui.checkbox(
                        &mut self.assign,
                        format!(
                            "Assign it to the usages the old certificate holds: {}",
                            titles.join(", ")
                        ),
                    );
                }
            }
            None => {
                ui.label(format!(
                    "The CA {} holds the request for approval (its reference {}). The key \
                     waits in Enrollment Requests; Retrieve (Action menu) fetches the certificate \
                     once it is issued.",
                    outcome.ca,
                    outcome.request.ca_reference.as_deref().unwrap_or("-")
                ));
            }
        }
    }

    /// Draws the dialog; Enter renews, then finishes.
    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) -> Flow {
        let mut flow = Flow::Stay;
        let outcome = self.outcome.clone();
        frame::parts_ui(ui, |ui, part| match (part, &outcome) {
            (Part::Body, None) => self.choices_ui(ui),
            (Part::Body, Some(outcome)) => self.result_ui(ui, outcome),
            (Part::Footer, None) => {
                if frame::button_enabled(ui, !self.sent, "Cancel").clicked() {
                    flow = Flow::Close;
                }
                let renew = frame::button_enabled(ui, !self.sent, "Renew");
                if renew.clicked() || (!self.sent && frame::enter_pressed(ui)) {
                    self.error = None;
                    self.sent = true;
                    commands.push(Command::Renew {
                        location: self.location,
                        thumbprint: self.cert.summary.thumbprint.clone(),
                        ca: self.ca.clone(),
                        new_key: !self.same_key || self.cert.key.is_none(),
                    });
                }
                if self.sent {
                    frame::hint_ui(ui, "Renewing…");
                }
            }
            (Part::Footer, Some(outcome)) => {
                if frame::button(ui, "Finish").clicked() || frame::enter_pressed(ui) {
                    flow = match (&outcome.request.thumbprint, self.assign) {
                        (Some(t), true) if !outcome.usages.is_empty() => {
                            Flow::Assign(t.clone(), outcome.usages.clone())
                        }
                        _ => Flow::Close,
                    };
                }
                if let Some(t) = &outcome.request.thumbprint
                    && frame::button(ui, "View Certificate Details").clicked()
                {
                    flow = Flow::Details(t.clone());
                }
            }
        });
        flow
    }
}
