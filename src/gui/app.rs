//! The application: state, one frame (take the store's replies and the jobs' results,
//! shortcuts, draw, then send the commands the frame emitted to the store's thread), and the
//! toasts that report results. The window never touches the store itself.

use std::path::PathBuf;
use std::sync::Arc;

use super::command::Command;
use super::dialogs::{BrowserFlow, Dialog, FileBrowser, Flow, OpenStoreDialog, frame, home_dir};
use super::jobs::{JobResult, Jobs};
use super::list_order::ListKey;
use super::settings::{ColumnWidth, Settings, clamp_zoom};
use super::verbs::Verb;
use super::view_model::StoreView;
use super::views::{
    self, Intent, ListState, MenuChoice, MenuState, Page, Pages, Toast, TopologyForm,
};
use super::worker::{Reply, StoreWorker};
use crate::deploy::usage::UsageType;
use crate::store::{Location, Logical, Store};

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
    /// Results and errors.
    pub toasts: Vec<Toast>,
    /// Commands emitted while drawing, applied after the frame.
    pub commands: Vec<Command>,
    /// The topology page's form.
    pub topology_form: TopologyForm,
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
            title: Some(super::window_title(&store_dir)),
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
            toasts: Vec::new(),
            commands: Vec::new(),
            topology_form,
            sample_dir,
            clock,
            settings: Settings::default(),
            settings_path: None,
            apply_look: false,
        };
        let key = app.list_key();
        app.worker.list(key);
        app.worker.reload(clock());
        app
    }

    /// Takes the remembered settings (saved back to `path`, when given, as they change
    /// and by [`CertdeskApp::save_settings`]): theme, zoom, the list's sort and widths, the
    /// recent stores (the store open now goes on top).
    pub fn restore(&mut self, mut settings: Settings, path: Option<PathBuf>) {
        self.list.sort = settings.sort;
        self.list.descending = settings.descending;
        self.list.widths = settings
            .columns
            .iter()
            .map(|c| (c.column, c.width))
            .collect();
        settings.remember_store(&self.store_dir);
        self.settings = settings;
        self.settings_path = path;
        self.apply_look = true;
        self.list.invalidate();
    }

    /// What would be remembered if the window closed now.
    pub fn settings(&self) -> Settings {
        let mut columns: Vec<ColumnWidth> = self
            .list
            .widths
            .iter()
            .map(|(column, width)| ColumnWidth {
                column: *column,
                width: *width,
            })
            .collect();
        columns.sort_by_key(|c| c.column as u8);
        Settings {
            sort: self.list.sort,
            descending: self.list.descending,
            columns,
            ..self.settings.clone()
        }
    }

    /// Writes the settings where [`CertdeskApp::restore`] said (the window closes).
    pub fn save_settings(&self) {
        if let Some(path) = &self.settings_path
            && let Err(e) = self.settings().save(path)
        {
            eprintln!("certdesk: the window's settings were not saved: {e}");
        }
    }

    /// Saves the settings off the UI thread (a store was opened).
    fn save_settings_soon(&self) {
        if let Some(path) = self.settings_path.clone() {
            let settings = self.settings();
            std::thread::spawn(move || {
                let _ = settings.save(&path);
            });
        }
    }

    /// The list page's order key, when a store page is shown.
    fn list_key(&self) -> Option<ListKey> {
        match self.page {
            Page::Store(location, logical) => Some(self.list.key(location, logical)),
            // Until the first snapshot arrives: the page a non-empty store opens on.
            _ if !self.loaded => Some(self.list.key(Location::Computer, Logical::Personal)),
            _ => None,
        }
    }

    /// Whether a job or a store request is still running.
    pub fn busy(&self) -> bool {
        !self.jobs.idle() || self.worker.pending() > 0
    }

    /// Takes a fresh snapshot of the store, with the list's order when the store's thread
    /// computed it for the page shown now.
    fn on_view(&mut self, view: StoreView, order: Option<(ListKey, Vec<usize>)>) {
        let topology_changed = view.topology != self.view.topology;
        let old = std::mem::replace(&mut self.view, Arc::new(view));
        self.generation += 1;
        // Freeing 100,000 rows takes longer than a frame: not on this thread.
        std::thread::spawn(move || drop(old));
        if topology_changed {
            self.topology_form = TopologyForm::from(self.view.topology.as_ref());
        }
        // The welcome panel is for an empty store: once anything arrives (from this
        // window or another process), the store's Personal certificates show instead.
        let welcome = !self.loaded || self.page == Page::Welcome;
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
            (Some((key, visible)), Some(now)) if key == now => self.list.adopt(key, visible),
            _ => self.list.invalidate(),
        }
    }

    fn on_reply(&mut self, reply: Reply, time: f64) {
        match reply {
            Reply::Applied(result) => {
                match &result {
                    Ok((message, _)) => self.toast(message.clone(), false, time),
                    Err(e) => self.toast(e.to_string(), true, time),
                }
                if let Some(dialog) = &mut self.dialog {
                    dialog.on_applied(result.as_ref().map(|(_, a)| a));
                }
            }
            Reply::View(view, order, _) => self.on_view(*view, order),
            Reply::ViewFailed(e, _) => {
                self.toast(format!("The store could not be read: {e}"), true, time)
            }
            Reply::Eligible(table) => {
                if let Some(Dialog::Assign(d)) = &mut self.dialog {
                    d.on_eligible(table);
                }
            }
            Reply::Opened(Ok(dir)) => {
                // An empty store shows the welcome panel; one with certificates, Personal.
                self.page = self.after_open;
                self.title = Some(super::window_title(&dir));
                self.settings.remember_store(&dir);
                self.save_settings_soon();
                self.store_dir.clone_from(&dir);
                self.toast(
                    format!("Opened the store in {}", dir.display()),
                    false,
                    time,
                );
            }
            Reply::Opened(Err(e)) => self.toast(e.to_string(), true, time),
        }
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

    fn toast(&mut self, text: String, error: bool, now: f64) {
        self.toasts.push(Toast {
            text,
            error,
            until: now + if error { 8.0 } else { 4.0 },
        });
    }

    /// Draws one frame and applies what it asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let time = ctx.input(|i| i.time);
        self.worker.attach(&ctx);
        if let Some(title) = self.title.take() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title));
        }
        if std::mem::take(&mut self.apply_look) {
            ctx.set_theme(self.settings.theme);
            ctx.set_zoom_factor(self.settings.zoom);
        }
        // The zoom (Ctrl +/-, or the View menu) and the window's size, remembered.
        self.settings.zoom = ctx.zoom_factor();
        if let Some(rect) = ctx.input(|i| i.viewport().inner_rect) {
            self.settings.window = Some([rect.width(), rect.height()]);
        }
        // A file dropped on the window starts its import, as on Windows.
        let dropped = ctx.input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()));
        if let Some(path) = dropped
            && self.dialog.is_none()
        {
            self.open_file(path);
        }
        for reply in self.worker.replies() {
            self.on_reply(reply, time);
        }
        for result in self.jobs.finished() {
            self.on_job(result, &ctx);
        }
        // Every frame: a dialog opened during this frame must not see an old Enter.
        frame::route_enter(&ctx, self.dialog.is_some());
        if self.dialog.is_none() {
            // A menu takes its own keys; Enter and Delete belong to the focused field or
            // button, if any, and act on the selected certificate only otherwise.
            let menu_open = egui::Popup::is_any_open(&ctx);
            let focused = ctx.memory(|m| m.focused().is_some());
            // Ctrl+Shift+N before Ctrl+N: egui lets an extra Shift match the shorter one.
            let mut verbs: Vec<Verb> = Verb::ALL.into_iter().chain(Verb::WINDOW).collect();
            verbs.sort_by_key(|v| std::cmp::Reverse(v.shortcut().modifiers.shift));
            for verb in verbs {
                let shortcut = verb.shortcut();
                let plain = shortcut.modifiers.is_none();
                if menu_open || (plain && focused) {
                    continue;
                }
                if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                    self.start(verb, &ctx);
                }
            }
            if ctx.input_mut(|i| i.consume_shortcut(&views::QUIT)) {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
        let mut verb = None;
        let mut choice = None;
        egui::Panel::top("menu").show(ui, |ui| {
            let state = MenuState {
                has_selection: self.list.selected.is_some(),
                recent: &self.settings.recent_stores,
                theme: self.settings.theme,
                page: self.page,
            };
            choice = views::menu_and_toolbar_ui(ui, &state);
        });
        match choice {
            Some(MenuChoice::Verb(v)) => verb = Some(v),
            Some(MenuChoice::OpenRecent(dir)) => {
                self.after_open = Page::Welcome;
                self.worker.open(dir, false, (self.clock)());
            }
            Some(MenuChoice::Page(page)) => self.page = page,
            Some(MenuChoice::Theme(theme)) => {
                self.settings.theme = theme;
                ctx.set_theme(theme);
            }
            Some(MenuChoice::Zoom(factor)) => {
                let zoom = if factor == 1.0 {
                    1.0
                } else {
                    ctx.zoom_factor() * factor
                };
                ctx.set_zoom_factor(clamp_zoom(zoom));
            }
            Some(MenuChoice::Quit) => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            None => {}
        }
        egui::Panel::bottom("status")
            .show(ui, |ui| views::status_bar_ui(ui, &self.view, &self.jobs));
        egui::Panel::left("nav").resizable(true).show(ui, |ui| {
            views::nav_ui(ui, &self.view, &mut self.page);
        });
        let mut intent = None;
        egui::CentralPanel::default().show(ui, |ui| {
            intent = views::page_ui(
                ui,
                Pages {
                    page: &mut self.page,
                    loaded: self.loaded,
                    view: &self.view,
                    list: &mut self.list,
                    topology_form: &mut self.topology_form,
                    commands: &mut self.commands,
                },
            );
        });
        match intent {
            Some(Intent::Start(v)) => verb = Some(v),
            Some(Intent::Assign(usage)) => self.open_assign(None, Some(usage)),
            Some(Intent::Inspect(thumbprint, usage)) => {
                let cert = self
                    .view
                    .rows
                    .iter()
                    .find(|r| r.cert.summary.thumbprint == thumbprint);
                if let Some(row) = cert {
                    self.dialog = Some(Dialog::inspect(
                        row.cert.clone(),
                        &self.view,
                        usage,
                        (self.clock)(),
                    ));
                }
            }
            Some(Intent::OpenSample) => {
                self.jobs
                    .sample(&ctx, self.sample_dir.clone(), (self.clock)())
            }
            None => {}
        }
        if let Some(verb) = verb {
            self.start(verb, &ctx);
        }
        frame::set_covered(&ctx, self.browser.is_some());
        if let Some(dialog) = &mut self.dialog {
            match dialog.ui(
                &ctx,
                &self.view,
                &mut self.jobs,
                &mut self.commands,
                (self.clock)(),
            ) {
                Flow::Stay => {}
                Flow::Close => self.dialog = None,
                Flow::Details(thumb) => {
                    self.dialog = self
                        .view
                        .rows
                        .iter()
                        .find(|r| r.cert.summary.thumbprint == thumb)
                        .map(|r| Dialog::details(r.cert.clone(), &self.view, (self.clock)()));
                }
                Flow::OpenStore(dir, new) => {
                    self.dialog = None;
                    self.after_open = Page::Welcome;
                    self.worker.open(dir, new, (self.clock)());
                }
                Flow::Assign(thumbprint, usages) => {
                    self.commands.push(Command::Assign {
                        thumbprint,
                        usages,
                        roll: None,
                    });
                    self.dialog = None;
                }
            }
        }
        frame::set_covered(&ctx, false);
        self.browser_ui(&ctx);
        self.toasts.retain(|t| t.until > time);
        views::toasts_ui(&ctx, &self.toasts);
        let key = self.list_key();
        if let Some(wanted) = self.list.take_wanted(key.clone()) {
            let snapshot = (Arc::clone(&self.view), self.generation);
            self.jobs.order(&ctx, snapshot, wanted);
        }
        self.worker.list(key);
        for command in self.commands.drain(..) {
            self.worker.apply(command, (self.clock)());
        }
        if !self.toasts.is_empty() || self.busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    /// The built-in file browser, when open: its answer goes to the dialog that asked (or,
    /// for Save as…, the bytes are written there).
    fn browser_ui(&mut self, ctx: &egui::Context) {
        let Some(browser) = &mut self.browser else {
            return;
        };
        match browser.ui(ctx, &mut self.jobs) {
            BrowserFlow::Stay => {}
            BrowserFlow::Cancel => self.browser = None,
            BrowserFlow::Chosen(path) => {
                let request = browser.request.clone();
                self.browser = None;
                match request.bytes {
                    Some(bytes) => self.jobs.write(ctx, path, bytes),
                    None => {
                        if let Some(dialog) = &mut self.dialog {
                            let picked = JobResult::Picked(request.target, Some(path));
                            dialog.on_job(picked, &mut self.commands);
                        }
                    }
                }
            }
        }
    }

    fn on_job(&mut self, result: JobResult, ctx: &egui::Context) {
        let time = ctx.input(|i| i.time);
        match result {
            JobResult::Browse(request) => {
                let home = home_dir().unwrap_or_else(|| PathBuf::from("/"));
                self.browser = Some(FileBrowser::open(ctx, request, home, &mut self.jobs));
            }
            JobResult::Ordered(generation, key, visible) => {
                if generation == self.generation && self.list_key().as_ref() == Some(&key) {
                    self.list.adopt(key, visible);
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
            JobResult::Sample(Err(e)) => self.toast(e.to_string(), true, time),
            other => {
                if let Some(dialog) = &mut self.dialog {
                    dialog.on_job(other, &mut self.commands);
                }
            }
        }
    }

    /// Starts a verb (menu, toolbar, row or shortcut).
    pub fn start(&mut self, verb: Verb, ctx: &egui::Context) {
        // The Enter that chose the verb (a focused menu item) is not also the new dialog's.
        ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
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
                self.dialog = Some(Dialog::OpenStore(Box::new(OpenStoreDialog::new_beside(
                    &self.store_dir,
                    |p| p.exists(),
                ))))
            }
            (Verb::About, _) => self.dialog = Some(Dialog::About(Box::new(self.store_dir.clone()))),
            (Verb::Import, _) => self.dialog = Some(Dialog::import(location)),
            (Verb::Request, _) => {
                self.dialog = Some(Dialog::request(
                    location,
                    self.view.topology.clone(),
                    self.view.builtin_ca,
                ))
            }
            (Verb::Assign, Some(cert)) => {
                self.open_assign(Some(cert.summary.thumbprint.clone()), None)
            }
            (Verb::Assign, None) => self.open_assign(None, None),
            (Verb::Export, Some(cert)) => self.dialog = Some(Dialog::export(cert)),
            (Verb::ViewDetails, Some(cert)) => {
                self.dialog = Some(Dialog::details(cert, &self.view, (self.clock)()))
            }
            (Verb::Remove, Some(cert)) => self.dialog = Some(Dialog::confirm_remove(cert)),
            (Verb::CopyThumbprint, Some(cert)) => {
                ctx.copy_text(cert.summary.thumbprint.clone());
                let time = ctx.input(|i| i.time);
                self.toast(format!("Copied {}", cert.summary.thumbprint), false, time);
            }
            (_, None) => {}
        }
    }
}
