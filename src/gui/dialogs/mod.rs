//! Dialogs are state, not side effects: the app holds one `Option<Dialog>`; each draws in a
//! window and says what should happen next ([`Flow`]).

mod assign;
mod details;
mod export;
mod import;
mod request;

pub use assign::AssignDialog;
pub use details::DetailsDialog;
pub use export::ExportDialog;
pub use import::ImportDialog;
pub use request::{RequestWizard, Step};

use super::command::{Applied, ApplyError, Command};
use super::jobs::{JobResult, Jobs};
use super::view_model::StoreView;
use crate::deploy::topology::Topology;
use crate::deploy::usage::UsageType;
use crate::store::{Location, StoredCert};

/// What a dialog wants after a frame.
pub enum Flow {
    /// Stay open.
    Stay,
    /// Close.
    Close,
    /// Show the details of this certificate instead.
    Details(String),
    /// Assign this certificate to these usages, then close.
    Assign(String, Vec<UsageType>),
}

/// The open dialog.
pub enum Dialog {
    /// Import a file.
    Import(Box<ImportDialog>),
    /// Export a certificate.
    Export(Box<ExportDialog>),
    /// The request wizard.
    Request(Box<RequestWizard>),
    /// The assign flow.
    Assign(Box<AssignDialog>),
    /// Certificate details.
    Details(Box<DetailsDialog>),
    /// Confirm removing a certificate.
    ConfirmRemove(Box<StoredCert>),
}

impl Dialog {
    /// The import dialog.
    pub fn import(location: Location) -> Self {
        Dialog::Import(Box::new(ImportDialog::new(location)))
    }
    /// The request wizard.
    pub fn request(location: Location, topology: Option<Topology>) -> Self {
        Dialog::Request(Box::new(RequestWizard::new(location, topology)))
    }
    /// The export dialog.
    pub fn export(cert: StoredCert) -> Self {
        Dialog::Export(Box::new(ExportDialog::new(cert)))
    }
    /// The details dialog.
    pub fn details(cert: StoredCert, view: &StoreView, now: i64) -> Self {
        Dialog::Details(Box::new(DetailsDialog::new(cert, view, now)))
    }
    /// The remove confirmation.
    pub fn confirm_remove(cert: StoredCert) -> Self {
        Dialog::ConfirmRemove(Box::new(cert))
    }
    /// The assign flow; its eligibility arrives from the store's thread.
    pub fn assign(view: &StoreView, thumbprint: Option<String>, usage: Option<UsageType>) -> Self {
        Dialog::Assign(Box::new(AssignDialog::new(view, thumbprint, usage)))
    }

    fn title(&self) -> &'static str {
        match self {
            Dialog::Import(_) => "Certificate Import Wizard",
            Dialog::Export(_) => "Certificate Export Wizard",
            Dialog::Request(_) => "Certificate Request",
            Dialog::Assign(_) => "Certificate Assignment",
            Dialog::Details(_) => "Certificate",
            Dialog::ConfirmRemove(_) => "Remove certificate",
        }
    }

    /// Draws the dialog in a window.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        view: &StoreView,
        jobs: &mut Jobs,
        commands: &mut Vec<Command>,
        now: i64,
    ) -> Flow {
        let mut flow = Flow::Stay;
        let mut open = true;
        egui::Window::new(self.title())
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .default_width(640.0)
            .show(ctx, |ui| {
                flow = match self {
                    Dialog::Import(d) => keep(d.ui(ui, jobs, commands)),
                    Dialog::Export(d) => keep(d.ui(ui, jobs, commands)),
                    Dialog::Request(d) => d.ui(ui, jobs, now),
                    Dialog::Assign(d) => keep(d.ui(ui, commands)),
                    Dialog::Details(d) => keep(d.ui(ui, view, commands)),
                    Dialog::ConfirmRemove(cert) => {
                        ui.label(format!("Remove \"{}\" from {}?", cert.summary.issued_to(), cert.logical.title()));
                        if cert.key.is_some() {
                            ui.colored_label(ui.visuals().warn_fg_color, "Its private key is removed too, unless another certificate uses it.");
                        }
                        let mut flow = Flow::Stay;
                        ui.horizontal(|ui| {
                            if ui.button("Remove").clicked() {
                                commands.push(Command::Remove(cert.location, cert.summary.thumbprint.clone()));
                                flow = Flow::Close;
                            }
                            if ui.button("Cancel").clicked() {
                                flow = Flow::Close;
                            }
                        });
                        flow
                    }
                };
            });
        if !open { Flow::Close } else { flow }
    }

    /// A background job finished.
    pub fn on_job(&mut self, result: JobResult, commands: &mut Vec<Command>) {
        match self {
            Dialog::Import(d) => d.on_job(result),
            Dialog::Export(d) => d.on_job(result),
            Dialog::Request(d) => d.on_job(result, commands),
            _ => {}
        }
    }

    /// A command from this dialog was applied.
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) {
        match self {
            Dialog::Import(d) => d.on_applied(result),
            Dialog::Export(d) => d.on_applied(result),
            Dialog::Request(d) => d.on_applied(result),
            Dialog::Assign(d) => d.on_applied(result),
            _ => {}
        }
    }
}

fn keep(open: bool) -> Flow {
    if open { Flow::Stay } else { Flow::Close }
}
