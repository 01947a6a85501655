//! Dialogs are state, not side effects: the app holds one `Option<Dialog>`; each draws in a
//! window and says what should happen next ([`Flow`]). Every dialog has one shape
//! ([`DialogPage`]): the list below is the only place that names them all.

mod acme_answer;
mod add_ca;
mod assign;
mod browser;
mod confirm_remove;
mod contract;
mod details;
mod editor;
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
pub use confirm_remove::ConfirmRemove;
pub use contract::{DialogContext, DialogPage};
pub use details::{DetailsDialog, Tab as DetailsTab};
pub use export::ExportDialog;
pub use import::ImportDialog;
pub use renew::RenewDialog;
pub use request::{RequestWizard, STEPS as REQUEST_STEPS, Step};
pub use target::TargetDialog;
pub use unlock::UnlockDialog;
pub use window::{About, OpenStoreDialog};

use super::command::{Applied, ApplyError, Command};
use super::jobs::{JobResult, Jobs};
use super::view_model::StoreView;
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
    /// Work on the store in this directory (a new one: it must not exist yet), then close.
    OpenStore(std::path::PathBuf, bool),
    /// Work on the team store at this address, then close.
    OpenTeam(String, crate::gui::worker::TeamLogin),
    /// Unlock the store with this passphrase, remembering it in the keyring if asked (the
    /// dialog stays until the store is unlocked).
    Unlock(zeroize::Zeroizing<String>, bool),
}

/// Declares [`Dialog`], one variant per dialog, and its dispatch to [`DialogPage`].
macro_rules! dialogs {
    ($($(#[$doc:meta])* $variant:ident($page:ty),)*) => {
        /// The open dialog.
        pub enum Dialog {
            $($(#[$doc])* $variant(Box<$page>),)*
        }

        impl Dialog {
            /// The dialog's page.
            fn page(&self) -> &dyn DialogPage {
                match self {
                    $(Dialog::$variant(d) => &**d,)*
                }
            }

            /// The dialog's page, to change.
            fn page_mut(&mut self) -> &mut dyn DialogPage {
                match self {
                    $(Dialog::$variant(d) => &mut **d,)*
                }
            }
        }
    };
}

dialogs! {
    /// Import a file.
    Import(ImportDialog),
    /// Export a certificate.
    Export(ExportDialog),
    /// The request wizard.
    Request(RequestWizard),
    /// The assign flow.
    Assign(AssignDialog),
    /// Certificate details.
    Details(DetailsDialog),
    /// Confirm removing a certificate.
    ConfirmRemove(ConfirmRemove),
    /// Open or create a store.
    OpenStore(OpenStoreDialog),
    /// The version, the store, the shortcuts.
    About(About),
    /// Add (or edit) a CA connection.
    AddCa(AddCaDialog),
    /// Renew a certificate.
    Renew(RenewDialog),
    /// Give a locked store's passphrase.
    Unlock(UnlockDialog),
    /// Add (or edit) a deploy target.
    Target(TargetDialog),
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
        Dialog::ConfirmRemove(Box::new(ConfirmRemove { cert }))
    }
    /// About certdesk, showing the store in `dir`.
    pub fn about(dir: std::path::PathBuf) -> Self {
        Dialog::About(Box::new(About { store: dir }))
    }
    /// The assign flow; its eligibility arrives from the store's thread.
    pub fn assign(view: &StoreView, thumbprint: Option<String>, usage: Option<UsageType>) -> Self {
        Dialog::Assign(Box::new(AssignDialog::new(view, thumbprint, usage)))
    }

    /// The title bar's text.
    pub fn title(&self) -> &'static str {
        self.page().title()
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
        let page = self.page_mut();
        let title = page.title();
        let [w, h] = page.size();
        let mut cx = DialogContext {
            view,
            jobs,
            commands,
            now,
        };
        let (flow, escape) = frame::modal_ui(ctx, title, None, egui::vec2(w, h), |ui| {
            page.show(ui, &mut cx)
        });
        if escape && page.cancellable() {
            Flow::Close
        } else {
            flow
        }
    }

    /// A background job finished.
    pub fn on_job(&mut self, result: JobResult, commands: &mut Vec<Command>) {
        self.page_mut().job_done(result, commands);
    }

    /// A command from this dialog was applied; whether the dialog shows its error itself
    /// (then the notification area does not repeat it).
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        self.page_mut().applied(result)
    }
}
