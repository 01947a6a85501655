//! The application: its state here; one frame in `draw`; what arrives between frames
//! (the store's replies, the jobs' results) in `events`; starting a verb in `verbs`;
//! the remembered settings in `remember`. The window never touches the store itself.

mod draw;
mod events;
mod remember;
mod verbs;

use std::path::PathBuf;
use std::sync::Arc;

use crate::deploy::usage::UsageType;
use crate::gui::command::Command;
use crate::gui::dialogs::{Dialog, FileBrowser};
use crate::gui::jobs::Jobs;
use crate::gui::list_order::ListKey;
use crate::gui::settings::Settings;
use crate::gui::view_model::StoreView;
use crate::gui::views::{ListState, Notices, Page, ProbeForm, RenewalsForm, TopologyForm};
use crate::gui::worker::StoreWorker;
use crate::ops::online::ChainRoot;
use crate::store::{Location, LogEntry, Logical, Store};

/// The whole GUI state.
pub struct CertdeskApp {
    /// The store's thread.
    pub worker: StoreWorker,
    /// The open store's directory (the title bar says which store is open).
    pub store_dir: PathBuf,
    /// A title for the window, to send on the next frame.
    title: Option<String>,
    /// The page to show once the store being opened is open.
    after_open: Page,
    /// What the views read: the latest snapshot the store's thread sent (shared with the
    /// job that sorts the list).
    pub view: Arc<StoreView>,
    /// Counts the snapshots taken (an order computed for an older one is not used).
    generation: u64,
    /// Whether the first snapshot has arrived.
    pub loaded: bool,
    /// The page shown.
    pub page: Page,
    /// The store list's filter, sort and selection.
    pub list: ListState,
    /// The open dialog, if any.
    pub dialog: Option<Dialog>,
    /// The built-in file browser, above the dialog that asked for it.
    pub browser: Option<FileBrowser>,
    /// Background jobs.
    pub jobs: Jobs,
    /// Results and errors, in the notification area.
    pub notices: Notices,
    /// What this window could not do, for the Activity log (a failure changes nothing in
    /// the store, so it is not written there).
    failures: Vec<LogEntry>,
    /// The Activity log shown: the store's entries and `failures`, oldest first.
    activity: Vec<LogEntry>,
    /// The operation of each command not answered yet, by ticket.
    asked: Vec<(u64, &'static str)>,
    /// Commands emitted while drawing, applied after the frame.
    pub commands: Vec<Command>,
    /// Commands the open dialog emitted, applied after the frame; their answers go to it.
    dialog_commands: Vec<Command>,
    /// The tickets of the open dialog's commands not answered yet.
    dialog_tickets: Vec<u64>,
    /// The tickets of the Check a server page's probes and pool checks not answered yet.
    probe_tickets: Vec<u64>,
    /// The expiry banner was dismissed for this session.
    pub banner_dismissed: bool,
    /// The topology page's form.
    pub topology_form: TopologyForm,
    /// The Check a server page's form and results.
    pub probe_form: ProbeForm,
    /// The Certification Authorities page's offer: an AD CS CA whose Test found that its
    /// own root CA is not trusted, with that root.
    pub ca_root: Option<(String, ChainRoot)>,
    /// The Renewals page's track field.
    pub renewals_form: RenewalsForm,
    /// Where the sample deployment lives.
    pub sample_dir: PathBuf,
    /// The clock (tests replace it).
    pub clock: fn() -> i64,
    /// What is remembered between sessions (the list's sort and widths live in `list`).
    settings: Settings,
    /// Where the settings are saved (None: not saved, as in tests).
    settings_path: Option<std::path::PathBuf>,
    /// The theme and zoom are to be applied on the next frame.
    apply_look: bool,
    /// Why the store's database does not answer, while it does not (the status bar says
    /// so; the window keeps its state and the store reconnects by itself).
    pub offline: Option<String>,
    /// The next view of a locked store opens the unlock dialog (as the window starts, and
    /// after another store is opened).
    offer_unlock: bool,
    /// A verb chosen while only the list's first page was in: it starts with the whole
    /// view (its dialog reads the whole store).
    deferred: Option<crate::gui::verbs::Verb>,
}

/// Unix seconds now.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl CertdeskApp {
    /// Opens the app on a store, which moves to its own thread; the first view arrives
    /// from there (the window says it is loading until then).
    pub fn new(store: Store, sample_dir: PathBuf) -> Self {
        Self::with_clock(store, sample_dir, system_now)
    }

    /// [`CertdeskApp::new`] with another clock (tests, screenshots).
    pub fn with_clock(store: Store, sample_dir: PathBuf, clock: fn() -> i64) -> Self {
        let view = Arc::new(StoreView::empty());
        let topology_form = TopologyForm::from(view.topology.as_ref());
        let store_dir = store.dir().to_path_buf();
        let mut app = Self {
            title: Some(crate::gui::window_title(&store_dir)),
            after_open: Page::Welcome,
            store_dir,
            worker: StoreWorker::spawn(store, clock),
            view,
            generation: 0,
            loaded: false,
            page: Page::Welcome,
            list: ListState::default(),
            dialog: None,
            browser: None,
            jobs: Jobs::default(),
            notices: Notices::default(),
            failures: Vec::new(),
            activity: Vec::new(),
            asked: Vec::new(),
            commands: Vec::new(),
            dialog_commands: Vec::new(),
            dialog_tickets: Vec::new(),
            probe_tickets: Vec::new(),
            banner_dismissed: false,
            topology_form,
            probe_form: ProbeForm::default(),
            ca_root: None,
            renewals_form: RenewalsForm::default(),
            sample_dir,
            clock,
            settings: Settings::default(),
            settings_path: None,
            apply_look: false,
            offline: None,
            offer_unlock: true,
            deferred: None,
        };
        let key = app.list_key();
        app.worker.list(key);
        app.worker.reload(clock());
        app
    }

    /// The list page's order key, when a store page is shown.
    pub(super) fn list_key(&self) -> Option<ListKey> {
        match self.page {
            Page::Store(location, logical) => Some(self.list.key(location, logical)),
            // Until the first snapshot arrives: the page a non-empty store opens on.
            _ if !self.loaded => Some(self.list.key(Location::Computer, Logical::Personal)),
            _ => None,
        }
    }

    /// The selected certificate, when a store page's list shows its row.
    pub(super) fn shown_selection(&self) -> Option<i64> {
        match self.page {
            Page::Store(location, logical) => {
                self.list.shown_selection(&self.view, location, logical)
            }
            _ => None,
        }
    }

    /// Whether a job or a store request is still running.
    pub fn busy(&self) -> bool {
        !self.jobs.idle() || self.worker.pending() > 0
    }

    /// Opens the import wizard on a file and starts reading it (`certdesk FILE`, a file
    /// dropped on the window).
    pub fn open_file(&mut self, path: PathBuf) {
        let location = match self.page {
            Page::Store(location, _) => location,
            _ => Location::Computer,
        };
        self.dialog = Some(Dialog::import_file(location, path));
    }

    /// Opens the assign dialog; the store's thread computes who is eligible.
    pub fn open_assign(&mut self, thumbprint: Option<String>, usage: Option<UsageType>) {
        let dialog = Dialog::assign(&self.view, thumbprint, usage);
        if let Some(topology) = &self.view.topology {
            self.worker
                .eligible(topology.role.usages().to_vec(), (self.clock)());
        }
        self.dialog = Some(dialog);
    }

    /// A result, in the notification area.
    pub(super) fn notify(&mut self, text: String, now: f64) {
        self.notices.result(text, now);
    }

    /// An error: in the notification area until dismissed, unless `shown` elsewhere (the
    /// dialog that asked says it), and in the Activity log.
    pub(super) fn failed(&mut self, operation: &str, text: String, shown: bool) {
        self.failures.push(LogEntry {
            id: 0,
            time: (self.clock)(),
            location: String::new(),
            operation: operation.to_owned(),
            outcome: "failed".to_owned(),
            details: text.clone(),
            command: String::new(),
            user: None,
        });
        self.merge_activity();
        if !shown {
            self.notices.error(text);
        }
    }

    /// The Activity log shown: the store's entries with this window's failures, by time.
    pub(super) fn merge_activity(&mut self) {
        self.activity.clone_from(&self.view.log);
        self.activity.extend(self.failures.iter().cloned());
        self.activity.sort_by_key(|e| e.time);
    }
}
