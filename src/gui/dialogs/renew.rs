//! Renew a certificate (`certdesk renew`): the same subject, SANs, template and friendly
//! name, the same key unless the user asks for a new one, sent to the CA that issued it or
//! another; then the new certificate is offered the usages the old one holds. An ACME CA
//! is answered as in the request wizard: HTTP-01 (listener or webroot) or DNS-01, whose
//! records are shown here until Continue.

use super::Flow;
use super::acme_answer::{self, AcmeAnswer};
use super::contract::{DialogContext, DialogPage};
use super::frame::{self, Part};
use crate::gui::command::{Applied, ApplyError, Command};
use crate::ops::enroll::{Continued, OnlineOptions};
use crate::ops::renew::{RenewOutcome, Renewal};
use crate::store::{CaConnection, CaKind, Location, StoredCert};

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
    /// How an ACME CA's challenges are answered.
    pub acme: AcmeAnswer,
    sent: bool,
    /// What the CA did.
    pub outcome: Option<RenewOutcome>,
    error: Option<String>,
}

impl DialogPage for RenewDialog {
    fn title(&self) -> &'static str {
        "Renew Certificate"
    }

    fn size(&self) -> [f32; 2] {
        [660.0, 420.0]
    }

    fn show(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        self.ui(ui, cx.commands)
    }

    fn applied(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        self.on_applied(result);
        result.is_err()
    }
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
            acme: AcmeAnswer::default(),
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
        match (result, &mut self.outcome) {
            (Ok(Applied::Renewed(outcome)), _) => self.outcome = Some((**outcome).clone()),
            (Ok(Applied::Retrieved(polled)), Some(outcome)) => {
                if let Continued::Refused(message) = outcome.request.continue_with(polled) {
                    self.error = Some(message);
                }
            }
            (Ok(_), _) => {}
            (Err(e), _) => self.error = Some(e.to_string()),
        }
    }

    /// Whether the renewal goes to an ACME CA (the one chosen, or the one that issued it).
    fn to_acme(&self) -> bool {
        let target = self.ca.as_ref().or(self.cert.issuing_ca.as_ref());
        self.cas
            .iter()
            .any(|ca| Some(&ca.name) == target && ca.kind == CaKind::Acme)
    }

    /// Why Renew cannot be pressed yet, if it cannot.
    fn not_ready(&self) -> Option<String> {
        self.to_acme()
            .then(|| self.acme.http01().err().map(|e| e.to_string()))
            .flatten()
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
        let issuer = self.cert.issuing_ca.clone();
        match issuer.as_deref() {
            Some("builtin") => ui.radio_value(
                &mut self.ca,
                None,
                "The CA that issued it: the certdesk built-in CA",
            ),
            Some(name) => {
                ui.radio_value(&mut self.ca, None, format!("The CA that issued it: {name}"))
            }
            None => {
                ui.label("certdesk did not request it, so it does not know which CA issued it.")
            }
        };
        // Each CA once: the one that issued it is the first choice already.
        if issuer.as_deref() != Some("builtin") {
            ui.radio_value(
                &mut self.ca,
                Some("builtin".to_owned()),
                "certdesk built-in CA",
            );
        }
        for ca in self.cas.clone() {
            if issuer.as_ref() == Some(&ca.name) {
                continue;
            }
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
        if self.to_acme() {
            ui.add_space(6.0);
            self.acme.ui(ui, "after Renew, this dialog");
        }
        if let Some(why) = self.not_ready() {
            frame::hint_ui(ui, &format!("To renew, {why}."));
        }
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
            None if !outcome.request.dns_records.is_empty() => {
                acme_answer::records_ui(ui, &outcome.request.dns_records);
                if let Some(error) = &self.error {
                    frame::error_ui(ui, error);
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
                if self.sent {
                    frame::hint_ui(ui, "Renewing…");
                }
                let ready = !self.sent && self.not_ready().is_none();
                let renew = frame::button_enabled(ui, ready, "Renew");
                if renew.clicked() || (ready && frame::enter_pressed(ui)) {
                    // `ready` holds only with a usable answer for an ACME CA; the others
                    // ignore it, whatever was typed for one.
                    let http01 = self.acme.http01().unwrap_or_default();
                    self.error = None;
                    self.sent = true;
                    let renewal = Renewal {
                        thumbprint: self.cert.summary.thumbprint.clone(),
                        ca: self.ca.clone(),
                        new_key: !self.same_key || self.cert.key.is_none(),
                        options: OnlineOptions {
                            http01,
                            dns01: self.to_acme() && self.acme.dns01(),
                            ..OnlineOptions::default()
                        },
                    };
                    commands.push(Command::Renew(self.location, Box::new(renewal)));
                }
                if frame::button_enabled(ui, !self.sent, "Cancel").clicked() {
                    flow = Flow::Close;
                }
            }
            (Part::Footer, Some(outcome))
                if outcome.request.thumbprint.is_none()
                    && !outcome.request.dns_records.is_empty() =>
            {
                if self.sent {
                    frame::hint_ui(ui, "Asking the CA to check the records…");
                }
                if frame::button(ui, "Copy records").clicked() {
                    ui.ctx()
                        .copy_text(acme_answer::records_text(&outcome.request.dns_records));
                }
                let go = frame::button_enabled(ui, !self.sent, "Continue");
                if (go.clicked() || (!self.sent && frame::enter_pressed(ui)))
                    && let Some(id) = outcome.request.request_id
                {
                    self.sent = true;
                    self.error = None;
                    commands.push(Command::Retrieve(self.location, Some(id)));
                }
                if frame::button(ui, "Close").clicked() {
                    flow = Flow::Close;
                }
            }
            (Part::Footer, Some(outcome)) => {
                let details = outcome
                    .request
                    .thumbprint
                    .as_ref()
                    .filter(|_| frame::button(ui, "View Certificate Details").clicked());
                if frame::button(ui, "Finish").clicked() || frame::enter_pressed(ui) {
                    flow = match (&outcome.request.thumbprint, self.assign) {
                        (Some(t), true) if !outcome.usages.is_empty() => {
                            Flow::Assign(t.clone(), outcome.usages.clone())
                        }
                        _ => Flow::Close,
                    };
                }
                if let Some(t) = details {
                    flow = Flow::Details(t.clone());
                }
            }
        });
        flow
    }
}
