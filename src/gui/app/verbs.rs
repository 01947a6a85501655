//! Starting a verb (menu, toolbar, row or shortcut): the dialog it opens, or what it does
//! at once.

use crate::gui::command::Command;
use crate::gui::dialogs::{Dialog, OpenStoreDialog, RenewDialog};
use crate::gui::verbs::Verb;
use crate::gui::views::Page;
use crate::store::Location;

use super::CertdeskApp;

impl CertdeskApp {
    /// Starts a verb (menu, toolbar, row or shortcut).
    pub fn start(&mut self, verb: Verb, ctx: &egui::Context) {
        // The Enter that chose the verb (a focused menu item) is not also the new dialog's.
        ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
        if self.view.partial.is_some() {
            // Only the first page is in: the dialog waits for the whole store.
            self.deferred = Some(verb);
            return;
        }
        let selected = self
            .list
            .selected
            .and_then(|id| self.view.row(id))
            .map(|r| r.cert.clone());
        let location = match self.page {
            Page::Store(location, _) => location,
            _ => Location::Computer,
        };
        match (verb, selected) {
            (Verb::OpenStore, _) => {
                self.dialog = Some(Dialog::OpenStore(Box::new(OpenStoreDialog::open(
                    &self.store_dir,
                ))))
            }
            (Verb::NewStore, _) => {
                self.dialog = Some(Dialog::OpenStore(Box::new(OpenStoreDialog::new_store())));
                self.jobs.propose_store(ctx, self.store_dir.clone());
            }
            (Verb::Unlock, _) => self.dialog = Some(Dialog::unlock()),
            (Verb::About, _) => self.dialog = Some(Dialog::about(self.store_dir.clone())),
            (Verb::Import, _) => self.dialog = Some(Dialog::import(location)),
            (Verb::Request, _) => self.dialog = Some(Dialog::request(location, &self.view)),
            (Verb::Assign, Some(cert)) => {
                self.open_assign(Some(cert.summary.thumbprint.clone()), None)
            }
            (Verb::Assign, None) => self.open_assign(None, None),
            (Verb::Export, Some(cert)) => self.dialog = Some(Dialog::export(cert)),
            (Verb::ViewDetails, Some(cert)) => {
                self.dialog = Some(Dialog::details(cert, &self.view, (self.clock)()))
            }
            (Verb::Remove, Some(cert)) => self.dialog = Some(Dialog::confirm_remove(cert)),
            (Verb::Renew, Some(cert)) => {
                self.dialog = Some(Dialog::Renew(Box::new(RenewDialog::new(
                    location,
                    cert,
                    self.view.cas.clone(),
                ))))
            }
            (Verb::Retrieve, _) => self.commands.push(Command::Retrieve(location, None)),
            (Verb::CopyThumbprint, Some(cert)) => {
                ctx.copy_text(cert.summary.thumbprint.clone());
                let time = ctx.input(|i| i.time);
                self.notify(format!("Copied {}", cert.summary.thumbprint), time);
            }
            (_, None) => {}
        }
    }
}
