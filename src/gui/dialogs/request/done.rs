//! The request wizard's last page: the certificate issued (assign it now, view it) or the
//! request saved (the CSR to copy or save).

use crate::gui::dialogs::Flow;
use crate::gui::dialogs::frame;
use crate::gui::jobs::Jobs;

use super::RequestWizard;

impl RequestWizard {
    pub(super) fn done_body_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Online Certificate Request Status");
        let Some(outcome) = self.outcome.clone() else {
            return;
        };
        egui::CollapsingHeader::new("View Log").show(ui, |ui| {
            for line in &self.log {
                ui.label(line);
            }
        });
        match &outcome.thumbprint {
            Some(thumb) => {
                ui.label("The certificate was issued and stored in Personal with its private key.");
                ui.label(format!("Thumbprint: {thumb}"));
                ui.checkbox(&mut self.assign_now, "Assign this certificate now");
            }
            None => {
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

    pub(super) fn done_footer_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs) -> Flow {
        let Some(outcome) = self.outcome.clone() else {
            return if frame::button(ui, "Close").clicked() {
                Flow::Close
            } else {
                Flow::Stay
            };
        };
        let mut flow = Flow::Stay;
        let finish = frame::button(ui, "Finish").clicked() || frame::enter_pressed(ui);
        match &outcome.thumbprint {
            Some(thumb) => {
                if finish {
                    flow = if self.assign_now {
                        Flow::Assign(thumb.clone(), self.input.usages.clone())
                    } else {
                        Flow::Close
                    };
                }
                if frame::button(ui, "View Certificate Details").clicked() {
                    flow = Flow::Details(thumb.clone());
                }
            }
            None => {
                if finish {
                    flow = Flow::Close;
                }
                if frame::button_enabled(ui, jobs.idle(), "Save as…").clicked() {
                    jobs.save_as(ui.ctx(), outcome.csr_pem.clone().into_bytes());
                }
                if frame::button(ui, "Copy").clicked() {
                    ui.ctx().copy_text(outcome.csr_pem.clone());
                }
            }
        }
        flow
    }
}
