//! What arrives between frames: the store's replies (snapshots, results, eligibility,
//! another store opened), the jobs' results, and the file browser's answer.

use std::path::PathBuf;
use std::sync::Arc;

use crate::gui::command::Applied;
use crate::gui::dialogs::{BrowserFlow, Dialog, FileBrowser, home_dir};
use crate::gui::jobs::{JobResult, PickTarget};
use crate::gui::list_order::ListOrder;
use crate::gui::view_model::StoreView;
use crate::gui::views::Page;
use crate::gui::worker::Reply;
use crate::store::{Location, Logical};

use super::CertdeskApp;

impl CertdeskApp {
    /// Takes a fresh snapshot of the store, with the list's order when the store's thread
    /// computed it for the page shown now.
    pub(super) fn on_view(&mut self, view: StoreView, order: Option<ListOrder>) {
        let topology_changed = view.topology != self.view.topology;
        let old = std::mem::replace(&mut self.view, Arc::new(view));
        self.generation += 1;
        // Freeing 100,000 rows takes longer than a frame: not on this thread.
        std::thread::spawn(move || drop(old));
        self.merge_activity();
        if topology_changed {
            self.topology_form.reset(self.view.topology.as_ref());
        }
        // The welcome panel is for an empty store: once anything arrives (from this
        // window or another process), the store's Personal certificates show instead.
        let welcome = !self.loaded || self.page == Page::Welcome;
        // A store that opens locked asks for its passphrase once.
        if std::mem::take(&mut self.offer_unlock) && self.view.locked && self.dialog.is_none() {
            self.dialog = Some(Dialog::unlock());
        }
        self.loaded = true;
        if welcome && !self.view.is_empty() {
            self.page = Page::Store(Location::Computer, Logical::Personal);
        }
        // A selection that no longer exists (removed here or elsewhere) is no selection:
        // the toolbar's Export and Remove follow.
        if self
            .list
            .selected
            .is_some_and(|id| self.view.row(id).is_none())
        {
            self.list.selected = None;
        }
        match (order, self.list_key()) {
            (Some(order), Some(now)) if order.key == now => self.list.adopt(order),
            _ => self.list.invalidate(),
        }
    }

    pub(super) fn on_reply(&mut self, reply: Reply, time: f64) {
        match reply {
            Reply::Applied(ticket, result) => {
                let operation = self
                    .asked
                    .iter()
                    .position(|(t, _)| *t == ticket)
                    .map_or("window", |i| self.asked.swap_remove(i).1);
                if answered(&mut self.probe_tickets, ticket) {
                    self.probe_form.running = false;
                    match &result {
                        Ok((_, Applied::Probed(reports))) => {
                            self.probe_form.reports.clone_from(reports);
                        }
                        Ok((_, Applied::Pool(report))) => {
                            self.probe_form.pool = Some((**report).clone());
                        }
                        _ => {}
                    }
                }
                if let Ok((_, Applied::CaTested(name, root))) = &result {
                    self.ca_root = root.clone().map(|r| (name.clone(), r));
                }
                // Only the dialog's own commands answer to it: a probe's report or an
                // error of the page's is not the dialog's.
                let shown = answered(&mut self.dialog_tickets, ticket)
                    && self
                        .dialog
                        .as_mut()
                        .is_some_and(|d| d.on_applied(result.as_ref().map(|(_, a)| a)));
                match &result {
                    Ok((message, _)) => self.notify(message.clone(), time),
                    Err(e) => self.failed(operation, e.to_string(), shown),
                }
            }
            Reply::View { view, order, .. } => self.on_view(*view, order),
            Reply::ViewFailed(e, _) => {
                self.failed("store", format!("The store could not be read: {e}"), false)
            }
            Reply::Eligible(table) => {
                if let Some(Dialog::Assign(d)) = &mut self.dialog {
                    d.on_eligible(table);
                }
            }
            Reply::Opened(Ok(dir)) => {
                // An empty store shows the welcome panel; one with certificates, Personal.
                self.page = self.after_open;
                self.title = Some(crate::gui::window_title(&dir));
                self.settings.remember_store(&dir);
                self.save_settings_soon();
                self.store_dir.clone_from(&dir);
                if matches!(self.dialog, Some(Dialog::OpenStore(_))) {
                    self.dialog = None;
                }
                self.offer_unlock = true;
                self.notify(format!("Opened the store in {}", dir.display()), time);
            }
            Reply::Opened(Err(e)) => match &mut self.dialog {
                // The dialog keeps what was typed and says why.
                Some(Dialog::OpenStore(d)) if d.opening => d.failed(e.to_string()),
                _ => self.failed("open", e.to_string(), false),
            },
            Reply::Unlocked(Ok(note)) => {
                if matches!(self.dialog, Some(Dialog::Unlock(_))) {
                    self.dialog = None;
                }
                match note {
                    Some(why) => {
                        self.failed("unlock", format!("The store is unlocked; {why}"), false)
                    }
                    None => self.notify("The store is unlocked".to_owned(), time),
                }
            }
            Reply::Unlocked(Err(e)) => match &mut self.dialog {
                Some(Dialog::Unlock(d)) if d.unlocking => d.failed(e.to_string()),
                _ => self.failed("unlock", e.to_string(), false),
            },
            Reply::Connection(lost) => self.offline = lost,
        }
    }

    /// The built-in file browser, when open: its answer goes to the dialog that asked (or,
    /// for Save as…, the bytes are written there).
    pub(super) fn browser_ui(&mut self, ctx: &egui::Context) {
        let Some(browser) = &mut self.browser else {
            return;
        };
        match browser.ui(ctx, &mut self.jobs) {
            BrowserFlow::Stay => {}
            BrowserFlow::Cancel => self.browser = None,
            BrowserFlow::Chosen(path) => {
                let request = browser.request.clone();
                self.browser = None;
                self.jobs.chosen(&path);
                match request.bytes {
                    Some(bytes) => self.jobs.write(ctx, path, bytes),
                    None => self.on_job(JobResult::Picked(request.target, Some(path)), ctx),
                }
            }
        }
    }

    pub(super) fn on_job(&mut self, result: JobResult, ctx: &egui::Context) {
        match result {
            JobResult::Browse(request) => {
                let home = home_dir().unwrap_or_else(|| PathBuf::from("/"));
                self.browser = Some(FileBrowser::open(ctx, request, home, &mut self.jobs));
            }
            JobResult::Ordered(generation, order) => {
                if generation == self.generation && self.list_key().as_ref() == Some(&order.key) {
                    self.list.adopt(order);
                }
            }
            JobResult::Listed(dir, listed) => {
                if let Some(browser) = &mut self.browser {
                    browser.on_listed(&dir, listed);
                }
            }
            JobResult::Sample(Ok(dir)) => {
                self.after_open = Page::Wizard;
                self.worker.open(dir, false, (self.clock)());
            }
            JobResult::Sample(Err(e)) => self.failed("sample", e.to_string(), false),
            JobResult::Picked(PickTarget::TopologyFile, picked) => {
                if let Some(path) = picked {
                    self.topology_form.file = path.display().to_string();
                    self.jobs.read_topology(ctx, path);
                }
            }
            JobResult::TopologyRead(path, text) => self.topology_form.on_read(&path, text),
            // Only the Topology page saves a file with no dialog open.
            JobResult::Saved(path, written) if self.dialog.is_none() => {
                self.topology_form.on_saved(&path, written);
            }
            other => {
                if let Some(dialog) = &mut self.dialog {
                    dialog.on_job(other, &mut self.dialog_commands);
                }
            }
        }
    }
}

/// Whether `ticket` is one of `tickets` (then no longer).
fn answered(tickets: &mut Vec<u64>, ticket: u64) -> bool {
    let before = tickets.len();
    tickets.retain(|t| *t != ticket);
    tickets.len() != before
}
