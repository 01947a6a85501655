//! The request wizard's last page, "Online Certificate Request Status": the certificate
//! issued (assign it now, view it), held by the CA for approval (retrieve it later),
//! waiting for its DNS-01 records (create them, then Continue), refused with the CA's
//! words, or the request saved (the CSR to copy or save).

use crate::gui::command::Command;
use crate::gui::dialogs::Flow;
use crate::gui::dialogs::{acme_answer, frame};
use crate::gui::jobs::Jobs;
use crate::ops::retrieve::Polled;

use super::RequestWizard;

impl RequestWizard {
    pub(super) fn done_body_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Online Certificate Request Status");
        egui::CollapsingHeader::new("View Log").show(ui, |ui| {
            for line in &self.log {
                ui.label(line);
            }
        });
        let Some(outcome) = self.outcome.clone() else {
            ui.label("The request was not completed; nothing was stored.");
            if let Some(error) = &self.error {
                frame::error_ui(ui, error);
            }
            return;
        };
        match (&outcome.thumbprint, &outcome.ca_reference) {
            (Some(thumb), _) => {
                ui.label("The certificate was issued and stored in Personal with its private key.");
                ui.label(format!("Thumbprint: {thumb}"));
                ui.checkbox(
                    &mut self.assign_now,
                    "Assign the certificate to certificate usages",
                );
            }
            (None, Some(_)) if !outcome.dns_records.is_empty() => {
                acme_answer::records_ui(ui, &outcome.dns_records);
                if let Some(error) = &self.error {
                    frame::error_ui(ui, error);
                }
            }
            (None, Some(reference)) => {
                ui.label(format!(
                    "The CA holds the request for a CA manager's approval (its request ID is \
                     {reference}). The private key waits in Enrollment Requests; once the \
                     certificate is issued, Retrieve (Action menu) fetches and stores it."
                ));
            }
            (None, None) => {
                ui.label("The request is saved. Send it to your CA, then import the certificate it returns.");
                ui.add(
                    egui::TextEdit::multiline(&mut outcome.csr_pem.as_str())
                        .code_editor()
                        .desired_width(f32::INFINITY)
                        .desired_rows(12),
                );
            }
        }
    }

    pub(super) fn done_footer_ui(
        &mut self,
        ui: &mut egui::Ui,
        jobs: &mut Jobs,
        commands: &mut Vec<Command>,
    ) -> Flow {
        let Some(outcome) = self.outcome.clone() else {
            return if frame::button(ui, "Close").clicked() || frame::enter_pressed(ui) {
                Flow::Close
            } else {
                Flow::Stay
            };
        };
        let mut flow = Flow::Stay;
        let waiting = outcome.thumbprint.is_none() && !outcome.dns_records.is_empty();
        if waiting {
            if frame::button(ui, "Copy records").clicked() {
                ui.ctx()
                    .copy_text(acme_answer::records_text(&outcome.dns_records));
            }
            let go = frame::button_enabled(ui, !self.continuing, "Continue");
            if (go.clicked() || (!self.continuing && frame::enter_pressed(ui)))
                && let Some(id) = outcome.request_id
            {
                self.continuing = true;
                self.error = None;
                self.log
                    .push("Asking the CA to check the DNS records…".into());
                commands.push(Command::Retrieve(self.location, Some(id)));
            }
            if frame::button(ui, "Close").clicked() {
                flow = Flow::Close;
            }
            return flow;
        }
        // The buttons left to right, Finish last.
        let details = outcome
            .thumbprint
            .as_ref()
            .filter(|_| frame::button(ui, "View Certificate Details").clicked());
        if outcome.thumbprint.is_none() && outcome.ca_reference.is_none() {
            if frame::button(ui, "Copy").clicked() {
                ui.ctx().copy_text(outcome.csr_pem.clone());
            }
            if frame::button_enabled(ui, jobs.idle(), "Save as…").clicked() {
                jobs.save_as(ui.ctx(), outcome.csr_pem.clone().into_bytes());
            }
        }
        if frame::button(ui, "Finish").clicked() || frame::enter_pressed(ui) {
            flow = match &outcome.thumbprint {
                Some(thumb) if self.assign_now => {
                    Flow::Assign(thumb.clone(), self.input.usages.clone())
                }
                _ => Flow::Close,
            };
        }
        if let Some(thumb) = details {
            flow = Flow::Details(thumb.clone());
        }
        flow
    }

    /// The CA's answer to Continue: issued (the status page shows the certificate), or
    /// its reason.
    pub(super) fn on_retrieved(&mut self, polled: &[Polled]) {
        self.continuing = false;
        let Some(outcome) = &mut self.outcome else {
            return;
        };
        match acme_answer::continued(outcome, polled) {
            Some(Ok(thumbprint)) => self.log.push(format!("Issued: thumbprint {thumbprint}")),
            Some(Err(message)) => {
                self.log.push(format!("Failed: {message}"));
                self.error = Some(message);
            }
            None => {}
        }
    }
}
