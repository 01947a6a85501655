//! The export dialog: format (PFX with the key, DER, Base64, P7B), the Windows wizard's PFX
//! options, password with confirmation and a match indicator, the output path.

use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::dialogs::Flow;
use crate::gui::dialogs::contract::{DialogContext, DialogPage, keep};
use crate::gui::dialogs::frame::{self, Part};
use crate::gui::jobs::{JobResult, Jobs, PickTarget, start_dir};
use crate::ops::export::{self, ExportFormat, ExportOptions};
use crate::pki::formats::pkcs12::PfxEncryption;
use crate::store::StoredCert;

/// The dialog's state.
pub struct ExportDialog {
    cert: StoredCert,
    /// The wizard's choices.
    pub options: ExportOptions,
    password: String,
    confirm: String,
    show_password: bool,
    /// The output path.
    pub path: String,
    error: Option<String>,
    /// The result once written.
    pub done: Option<String>,
}

impl DialogPage for ExportDialog {
    fn title(&self) -> &'static str {
        "Certificate Export Wizard"
    }

    fn size(&self) -> [f32; 2] {
        [760.0, 600.0]
    }

    fn show(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        keep(self.ui(ui, cx.jobs, cx.commands))
    }

    fn job_done(&mut self, result: JobResult, _commands: &mut Vec<Command>) {
        self.on_job(result);
    }

    fn applied(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        self.on_applied(result);
        result.is_err()
    }
}

impl ExportDialog {
    /// A dialog for a certificate; PFX is preselected when its key may leave.
    pub fn new(cert: StoredCert) -> Self {
        let format = if export::pfx_refusal(&cert).is_none() {
            ExportFormat::Pfx
        } else {
            ExportFormat::Der
        };
        Self {
            cert,
            // As the Windows export wizard: TripleDES-SHA1, which every Windows Server that
            // Lync 2013 and Skype for Business run on can read.
            options: ExportOptions {
                format,
                encryption: PfxEncryption::TripleDesSha1,
                ..ExportOptions::default()
            },
            password: String::new(),
            confirm: String::new(),
            show_password: false,
            path: String::new(),
            error: None,
            done: None,
        }
    }

    /// Why Finish is disabled, if it is.
    pub fn blocker(&self) -> Option<&'static str> {
        if self.path.trim().is_empty() {
            return Some("choose the file to write");
        }
        if self.options.format == ExportFormat::Pfx {
            if self.password.is_empty() {
                return Some("enter a password to protect the private key");
            }
            if self.password != self.confirm {
                return Some("the two passwords do not match");
            }
        }
        None
    }

    /// A job finished.
    pub fn on_job(&mut self, result: JobResult) {
        if let JobResult::Picked(PickTarget::ExportFile, Some(path)) = result {
            self.path = path.display().to_string();
        }
    }

    /// The export was applied.
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) {
        match result {
            Ok(Applied::Exported(o)) => {
                self.done = Some(format!("{o}."));
            }
            Ok(_) => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Draws the dialog; returns false when it closes.
    pub fn ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs, commands: &mut Vec<Command>) -> bool {
        let mut keep = true;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Footer => keep = self.footer_ui(ui, commands),
            Part::Body => self.body_ui(ui, jobs),
        });
        keep
    }

    fn footer_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) -> bool {
        if self.done.is_some() {
            return !(frame::button(ui, "Close").clicked() || frame::enter_pressed(ui));
        }
        let blocker = self.blocker();
        if let Some(reason) = blocker {
            frame::hint_ui(ui, reason);
        }
        let finish = frame::button_enabled(ui, blocker.is_none(), "Finish");
        let finish = match blocker {
            Some(reason) => finish.on_disabled_hover_text(reason),
            None => finish,
        };
        if finish.clicked() || (blocker.is_none() && frame::enter_pressed(ui)) {
            self.error = None;
            commands.push(Command::Export {
                location: self.cert.location,
                thumbprint: self.cert.summary.thumbprint.clone(),
                path: self.path.trim().into(),
                options: self.options,
                password: (self.options.format == ExportFormat::Pfx)
                    .then(|| zeroize::Zeroizing::new(self.password.clone())),
            });
        }
        !frame::button(ui, "Cancel").clicked()
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs) {
        if let Some(done) = &self.done {
            ui.label(done);
            return;
        }
        ui.label(format!("Export \"{}\"", self.cert.summary.issued_to()));
        let refusal = export::pfx_refusal(&self.cert);
        ui.label("Format");
        let pfx = ui.add_enabled(
            refusal.is_none(),
            egui::RadioButton::new(
                self.options.format == ExportFormat::Pfx,
                "Personal Information Exchange (.pfx) with the private key",
            ),
        );
        if pfx.clicked() {
            self.options.format = ExportFormat::Pfx;
        }
        if let Some(reason) = &refusal {
            ui.label(format!("⚠ {reason}"));
        }
        for (format, label) in [
            (ExportFormat::Der, "DER encoded binary X.509 (.cer)"),
            (ExportFormat::Base64, "Base-64 encoded X.509 (.cer)"),
            (
                ExportFormat::P7b,
                "Cryptographic Message Syntax Standard PKCS #7 (.p7b)",
            ),
        ] {
            ui.radio_value(&mut self.options.format, format, label);
        }
        ui.separator();
        if matches!(self.options.format, ExportFormat::Pfx | ExportFormat::P7b) {
            ui.checkbox(
                &mut self.options.include_chain,
                "Include all certificates in the certification path if possible",
            );
        }
        if self.options.format == ExportFormat::Pfx {
            ui.checkbox(
                &mut self.options.properties,
                "Export all extended properties",
            );
            ui.horizontal(|ui| {
                ui.label("Encryption");
                ui.radio_value(
                    &mut self.options.encryption,
                    PfxEncryption::Aes256Sha256,
                    "AES256-SHA256",
                );
                ui.radio_value(
                    &mut self.options.encryption,
                    PfxEncryption::TripleDesSha1,
                    "TripleDES-SHA1",
                );
            });
            ui.label(
                "TripleDES-SHA1 is what Windows Server 2016 and older read (they take an AES file for a wrong password); AES256-SHA256 is stronger, for newer servers.",
            );
            ui.checkbox(
                &mut self.options.delete_key,
                "Delete the private key if the export is successful",
            );
            if self.options.delete_key {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "This server then no longer has its private key.",
                );
            }
            ui.horizontal(|ui| {
                let label = ui.label("Password");
                ui.add(
                    egui::TextEdit::singleline(&mut self.password).password(!self.show_password),
                )
                .labelled_by(label.id);
            });
            // Tab goes from the password to its confirmation, then to Show.
            ui.horizontal(|ui| {
                let label = ui.label("Confirm password");
                ui.add(egui::TextEdit::singleline(&mut self.confirm).password(!self.show_password))
                    .labelled_by(label.id);
                if !self.confirm.is_empty() {
                    if self.password == self.confirm {
                        ui.colored_label(
                            egui::Color32::from_rgb(0x2e, 0x9e, 0x4f),
                            "passwords match",
                        );
                    } else {
                        ui.colored_label(ui.visuals().error_fg_color, "passwords do not match");
                    }
                }
            });
            ui.checkbox(&mut self.show_password, "Show");
        }
        ui.horizontal(|ui| {
            let label = ui.label("File name");
            ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(360.0))
                .labelled_by(label.id);
            if frame::button_enabled(ui, jobs.idle(), "Browse…").clicked() {
                jobs.pick(
                    ui.ctx(),
                    PickTarget::ExportFile,
                    true,
                    start_dir(&self.path),
                );
            }
        });
        if let Some(error) = &self.error {
            frame::error_ui(ui, error);
        }
    }
}
