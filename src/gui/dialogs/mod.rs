//! Dialogs are state, not side effects: the app holds one `Option<Dialog>`; each draws in a
//! window and says what should happen next ([`Flow`]).

mod acme_answer;
mod add_ca;
mod assign;
mod browser;
mod details;
mod export;
pub mod frame;
mod import;
mod renew;
mod request;
mod target;
mod unlock;
mod window;

pub use add_ca::AddCaDialog;
pub use assign::AssignDialog;
pub use browser::{BrowserFlow, FileBrowser, home_dir};
pub use details::{DetailsDialog, Tab as DetailsTab};
pub use export::ExportDialog;
pub use import::ImportDialog;
pub use renew::RenewDialog;
pub use request::{RequestWizard, STEPS as REQUEST_STEPS, Step};
pub use target::TargetDialog;
pub use unlock::UnlockDialog;
pub use window::OpenStoreDialog;

use super::command::{Applied, ApplyError, Command};
use super::jobs::{JobResult, Jobs};
use super::view_model::StoreView;
use crate::deploy::usage::UsageType;
use crate::store::{Location, StoredCert};
use frame::Part;

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
    /// Work on the store in this directory (a new one: it must not exist yet), then close.
    OpenStore(std::path::PathBuf, bool),
    /// Work on the team store at this address, then close.
    OpenTeam(String, crate::gui::worker::TeamLogin),
    /// Unlock the store with this passphrase, remembering it in the keyring if asked (the
    /// dialog stays until the store is unlocked).
    Unlock(zeroize::Zeroizing<String>, bool),
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
    /// Open or create a store.
    OpenStore(Box<OpenStoreDialog>),
    /// The version, the store, the shortcuts.
    About(Box<std::path::PathBuf>),
    /// Add (or edit) a CA connection.
    AddCa(Box<AddCaDialog>),
    /// Renew a certificate.
    Renew(Box<RenewDialog>),
    /// Give a locked store's passphrase.
    Unlock(Box<UnlockDialog>),
    /// Add (or edit) a deploy target.
    Target(Box<TargetDialog>),
}

impl Dialog {
    /// The import dialog.
    pub fn import(location: Location) -> Self {
        Dialog::Import(Box::new(ImportDialog::new(location)))
    }
    /// The import dialog on a file, reading it at once.
    pub fn import_file(location: Location, path: std::path::PathBuf) -> Self {
        Dialog::Import(Box::new(ImportDialog::with_file(location, path)))
    }
    /// The request wizard, with what the store has of CAs.
    pub fn request(location: Location, view: &StoreView) -> Self {
        Dialog::Request(Box::new(RequestWizard::new(
            location,
            view.topology.clone(),
            view.builtin_ca,
            view.cas.clone(),
        )))
    }
    /// The export dialog.
    pub fn export(cert: StoredCert) -> Self {
        Dialog::Export(Box::new(ExportDialog::new(cert)))
    }
    /// The unlock dialog.
    pub fn unlock() -> Self {
        Dialog::Unlock(Box::new(
            UnlockDialog::new(crate::ops::keyring::available()),
        ))
    }
    /// The details dialog.
    pub fn details(cert: StoredCert, view: &StoreView, now: i64) -> Self {
        Dialog::Details(Box::new(DetailsDialog::new(cert, view, now)))
    }
    /// The details dialog on its SAN inspector, checking `usage`.
    pub fn inspect(cert: StoredCert, view: &StoreView, usage: UsageType, now: i64) -> Self {
        let mut details = DetailsDialog::new(cert, view, now);
        details.tab = DetailsTab::Sans;
        details.usage = Some(usage);
        Dialog::Details(Box::new(details))
    }
    /// The remove confirmation.
    pub fn confirm_remove(cert: StoredCert) -> Self {
        Dialog::ConfirmRemove(Box::new(cert))
    }
    /// The assign flow; its eligibility arrives from the store's thread.
    pub fn assign(view: &StoreView, thumbprint: Option<String>, usage: Option<UsageType>) -> Self {
        Dialog::Assign(Box::new(AssignDialog::new(view, thumbprint, usage)))
    }

    /// The title bar's text.
    pub fn title(&self) -> &'static str {
        match self {
            Dialog::Import(_) => "Certificate Import Wizard",
            Dialog::Export(_) => "Certificate Export Wizard",
            Dialog::Request(_) => "Certificate Request",
            Dialog::Assign(_) => "Certificate Assignment",
            Dialog::Details(_) => "Certificate",
            Dialog::ConfirmRemove(_) => "Remove certificate",
            Dialog::OpenStore(d) if d.new => "New store",
            Dialog::OpenStore(_) => "Open store",
            Dialog::About(_) => "About certdesk",
            Dialog::AddCa(d) if d.editing => "Edit a CA connection",
            Dialog::AddCa(_) => "Add a CA connection",
            Dialog::Renew(_) => "Renew Certificate",
            Dialog::Unlock(_) => "Unlock store",
            Dialog::Target(d) if d.editing => "Edit a deploy target",
            Dialog::Target(_) => "Add a deploy target",
        }
    }

    /// The dialog's one size (clamped to the screen): its buttons never move.
    fn size(&self) -> egui::Vec2 {
        let (w, h) = match self {
            Dialog::Import(_) => (760.0, 560.0),
            Dialog::Export(_) => (760.0, 600.0),
            Dialog::Request(_) => (940.0, 640.0),
            Dialog::Assign(_) => (800.0, 600.0),
            Dialog::Details(_) => (800.0, 600.0),
            Dialog::ConfirmRemove(_) => (520.0, 200.0),
            Dialog::OpenStore(_) => (620.0, 280.0),
            Dialog::About(_) => (620.0, 520.0),
            Dialog::AddCa(_) => (720.0, 470.0),
            Dialog::Renew(_) => (660.0, 420.0),
            Dialog::Unlock(_) => (560.0, 240.0),
            Dialog::Target(_) => (720.0, 500.0),
        };
        egui::vec2(w, h)
    }

    /// Whether Esc may cancel now (not while a request is being made).
    fn cancellable(&self) -> bool {
        match self {
            Dialog::Request(d) => d.step != Step::Executing,
            _ => true,
        }
    }

    /// Draws the dialog: modal, centred, titled ([`frame::modal_ui`]).
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        view: &StoreView,
        jobs: &mut Jobs,
        commands: &mut Vec<Command>,
        now: i64,
    ) -> Flow {
        let title = self.title();
        let size = self.size();
        let (flow, escape) = frame::modal_ui(ctx, title, None, size, |ui| match self {
            Dialog::Import(d) => keep(d.ui(ui, view, jobs, commands)),
            Dialog::Export(d) => keep(d.ui(ui, jobs, commands)),
            Dialog::Request(d) => {
                d.sync_cas(&view.cas);
                d.ui(ui, jobs, commands, now)
            }
            Dialog::Assign(d) => keep(d.ui(ui, commands)),
            Dialog::Details(d) => keep(d.ui(ui, view, commands)),
            Dialog::ConfirmRemove(cert) => confirm_remove_ui(ui, cert, commands),
            Dialog::OpenStore(d) => d.ui(ui),
            Dialog::About(dir) => window::about_ui(ui, dir),
            Dialog::AddCa(d) => d.ui(ui, jobs, commands),
            Dialog::Renew(d) => d.ui(ui, commands),
            Dialog::Unlock(d) => d.ui(ui),
            Dialog::Target(d) => d.ui(ui, commands),
        });
        if escape && self.cancellable() {
            Flow::Close
        } else {
            flow
        }
    }

    /// A background job finished.
    pub fn on_job(&mut self, result: JobResult, commands: &mut Vec<Command>) {
        match self {
            Dialog::Import(d) => d.on_job(result),
            Dialog::Export(d) => d.on_job(result),
            Dialog::Request(d) => d.on_job(result, commands),
            Dialog::AddCa(d) => d.on_job(result),
            Dialog::OpenStore(d) => {
                if let JobResult::Proposed(path) = result {
                    d.on_proposed(&path);
                }
            }
            _ => {}
        }
    }

    /// A command from this dialog was applied; whether the dialog shows its error itself
    /// (then the notification area does not repeat it).
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        match self {
            Dialog::Import(d) => d.on_applied(result),
            Dialog::Export(d) => d.on_applied(result),
            Dialog::Request(d) => d.on_applied(result),
            Dialog::Assign(d) => d.on_applied(result),
            Dialog::AddCa(d) => d.on_applied(result),
            Dialog::Renew(d) => d.on_applied(result),
            Dialog::Target(d) => d.on_applied(result),
            Dialog::Details(d) => {
                d.on_applied(result);
                return false;
            }
            _ => return false,
        }
        result.is_err()
    }
}

/// "Remove …?" with Cancel as the default button (Enter), since removing cannot be undone.
fn confirm_remove_ui(ui: &mut egui::Ui, cert: &StoredCert, commands: &mut Vec<Command>) -> Flow {
    let mut flow = Flow::Stay;
    frame::parts_ui(ui, |ui, part| match part {
        Part::Footer => {
            if frame::button(ui, "Remove").clicked() {
                commands.push(Command::Remove(
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

fn keep(open: bool) -> Flow {
    if open { Flow::Stay } else { Flow::Close }
}
