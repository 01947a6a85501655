//! The request wizard's last page, "Online Certificate Request Status" ("Certificate
//! Request File" for a delayed request): the certificate
//! issued (assign it now, view it), held by the CA for approval (retrieve it later),
//! waiting for its DNS-01 records (create them, then Continue), refused with the CA's
//! words, or the request saved (the CSR to copy or save).

use crate::gui::command::{ApplyError, Command};
use crate::gui::dialogs::Flow;
use crate::gui::dialogs::{acme_answer, frame};
use crate::gui::jobs::Jobs;
use crate::ops::enroll::Continued;
use crate::ops::online::ChainRoot;
use crate::ops::retrieve::Polled;

use super::RequestWizard;

impl RequestWizard {
    pub(super) fn done_body_ui(&mut self, ui: &mut egui::Ui) {
        // A delayed request ends on its file, as Lync's wizard says it; an online one on
        // the CA's answer.
        ui.heading(if self.delayed {
            "Certificate Request File"
        } else {
            "Online Certificate Request Status"
        });
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
                if let Some(root) = &outcome.untrusted_root {
                    self.root_warning_ui(ui, root);
                }
                ui.checkbox(
                    &mut self.assign_now,
                    "Assign the certificate to certificate usages",
                );
                if self.finishing {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Finishing…");
                    });
                }
                if let Some(error) = &self.finish_error {
                    frame::error_ui(ui, &format!("Finish could not be completed: {error}"));
                }
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

    /// The security warning of an issued chain's untrusted root, as Windows shows it, with
    /// the choice to trust it.
    fn root_warning_ui(&mut self, ui: &mut egui::Ui, root: &ChainRoot) {
        ui.add_space(6.0);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "⚠ The certificate's chain ends in a root CA that is not in Trusted Roots",
            );
            ui.label(format!("Root CA: {}", root.subject));
            ui.label(format!("Thumbprint (sha1): {}", root.thumbprint));
            ui.label(
                "No usage can be assigned the certificate until its root is trusted. Trust \
                 it only if this thumbprint is your CA's (its administrator, or the CA's \
                 \"Download a CA certificate\" page, can confirm it).",
            );
            ui.checkbox(&mut self.trust_root, "Trust this root CA");
        });
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
        if self.finished {
            return Flow::Close;
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
        let ready = !self.finishing;
        let finish = frame::button_enabled(ui, ready, "Finish").clicked()
            || (ready && frame::enter_pressed(ui));
        if finish {
            let root = outcome
                .untrusted_root
                .as_deref()
                .filter(|_| self.trust_root)
                .cloned();
            match &outcome.thumbprint {
                Some(thumb) if self.assign_now || root.is_some() => {
                    // The answer comes back to the page: an error stays there.
                    self.finishing = true;
                    self.finish_error = None;
                    commands.push(Command::FinishRequest {
                        location: self.location,
                        thumbprint: thumb.clone(),
                        root,
                        usages: if self.assign_now {
                            self.input.usages.clone()
                        } else {
                            Vec::new()
                        },
                    });
                }
                _ => flow = Flow::Close,
            }
        }
        if let Some(thumb) = details {
            flow = Flow::Details(thumb.clone());
        }
        flow
    }

    /// The answer to Finish: done (the dialog closes), or what it could not do (the page
    /// says it until the dialog is closed or Finish is tried again).
    pub(super) fn on_finished(&mut self, result: Result<(), &ApplyError>) {
        self.finishing = false;
        match result {
            Ok(()) => self.finished = true,
            Err(e) => {
                self.log.push(format!("Finish failed: {e}"));
                self.finish_error = Some(e.to_string());
            }
        }
    }

    /// The CA's answer to Continue: issued (the status page shows the certificate), or
    /// its reason.
    pub(super) fn on_retrieved(&mut self, polled: &[Polled]) {
        self.continuing = false;
        let Some(outcome) = &mut self.outcome else {
            return;
        };
        match outcome.continue_with(polled) {
            Continued::Issued(_) => self.log.push(outcome.to_string()),
            Continued::Refused(message) => {
                self.log.push(format!("Failed: {message}"));
                self.error = Some(message);
            }
            Continued::Waiting | Continued::Gone => {}
        }
    }
}
