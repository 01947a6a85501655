//! "Remove …?": the confirmation before a certificate leaves the store, with Cancel as the
//! default button (Enter), since removing cannot be undone.

use super::Flow;
use super::contract::{DialogContext, DialogPage};
use super::frame::{self, Part};
use crate::gui::command::Command;
use crate::store::StoredCert;

/// The confirmation of removing a certificate.
pub struct ConfirmRemove {
    /// The certificate to remove.
    pub cert: StoredCert,
}

impl DialogPage for ConfirmRemove {
    fn title(&self) -> &'static str {
        "Remove certificate"
    }

    fn size(&self) -> [f32; 2] {
        [520.0, 200.0]
    }

    fn show(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        let cert = &self.cert;
        let mut flow = Flow::Stay;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Footer => {
                if frame::button(ui, "Remove").clicked() {
                    cx.commands.push(Command::Remove(
                        cert.location,
                        cert.summary.thumbprint.clone(),
                    ));
                    flow = Flow::Close;
                }
                if frame::button(ui, "Cancel").clicked() || frame::enter_pressed(ui) {
                    flow = Flow::Close;
                }
            }
            Part::Body => {
                ui.label(format!(
                    "Remove \"{}\" from {}?",
                    cert.summary.issued_to(),
                    cert.logical.title()
                ));
                if cert.key.is_some() {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        "Its private key is removed too, unless another certificate uses it.",
                    );
                }
            }
        });
        flow
    }
}
