//! The application: state, one frame (poll jobs, shortcuts, draw, then apply the commands
//! the frame emitted), and the toasts that report results.

use std::path::PathBuf;

use super::command::{self, Command};
use super::dialogs::{Dialog, Flow};
use super::jobs::{JobResult, Jobs};
use super::verbs::Verb;
use super::view_model::StoreView;
use super::views::{self, ListState, Page, TopologyForm};
use crate::model::store::{Location, Logical, Store};

/// A message shown for a few seconds.
pub struct Toast {
    /// The sentence.
    pub text: String,
    /// An error (red) or a result.
    pub error: bool,
    /// When it goes away (egui time, seconds).
    pub until: f64,
}

/// The whole GUI state.
pub struct CertdeskApp {
    /// The open store.
    pub store: Store,
    /// What the views read.
    pub view: StoreView,
    /// The page shown.
    pub page: Page,
    /// The store list's filter, sort and selection.
    pub list: ListState,
    /// The open dialog, if any.
    pub dialog: Option<Dialog>,
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
}

/// Unix seconds now.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl CertdeskApp {
    /// Opens the app on a store.
    pub fn new(store: Store, sample_dir: PathBuf) -> Result<Self, String> {
        let now = system_now();
        let view = StoreView::load(&store, now).map_err(|e| e.to_string())?;
        let page = if view.is_empty() {
            Page::Welcome
        } else {
            Page::Store(Location::Computer, Logical::Personal)
        };
        let topology_form = TopologyForm::from(view.topology.as_ref());
        Ok(Self {
            store,
            view,
            page,
            list: ListState::default(),
            dialog: None,
            jobs: Jobs::default(),
            toasts: Vec::new(),
            commands: Vec::new(),
            topology_form,
            sample_dir,
            clock: system_now,
        })
    }

    /// Reloads the view from the store.
    pub fn reload(&mut self) {
        match StoreView::load(&self.store, (self.clock)()) {
            Ok(view) => {
                self.view = view;
                self.list.invalidate();
            }
            Err(e) => self.toast(format!("The store could not be read: {e}"), true, 0.0),
        }
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
        for result in self.jobs.finished() {
            self.on_job(result, &ctx);
        }
        if self.dialog.is_none() {
            for verb in Verb::ALL {
                if ctx.input_mut(|i| i.consume_shortcut(&verb.shortcut())) {
                    self.start(verb, &ctx);
                }
            }
        }
        let mut verb = None;
        egui::Panel::top("menu").show(ui, |ui| {
            verb = views::menu_and_toolbar_ui(ui, self.list.selected.is_some());
        });
        egui::Panel::bottom("status")
            .show(ui, |ui| views::status_bar_ui(ui, &self.view, &self.jobs));
        egui::Panel::left("nav").resizable(true).show(ui, |ui| {
            views::nav_ui(ui, &self.view, &mut self.page);
        });
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(v) = views::page_ui(ui, self) {
                verb = Some(v);
            }
        });
        if let Some(verb) = verb {
            self.start(verb, &ctx);
        }
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
        self.toasts.retain(|t| t.until > time);
        views::toasts_ui(&ctx, &self.toasts);
        self.apply_commands(time);
        if !self.toasts.is_empty() || !self.jobs.idle() {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    fn apply_commands(&mut self, time: f64) {
        let commands: Vec<Command> = self.commands.drain(..).collect();
        if commands.is_empty() {
            return;
        }
        for cmd in commands {
            let result = command::apply(&mut self.store, cmd, (self.clock)());
            match &result {
                Ok((message, _)) => self.toast(message.clone(), false, time),
                Err(e) => self.toast(e.clone(), true, time),
            }
            if let Some(dialog) = &mut self.dialog {
                dialog.on_applied(result.as_ref().map(|(_, a)| a).map_err(String::as_str));
            }
        }
        self.reload();
        self.topology_form = TopologyForm::from(self.view.topology.as_ref());
    }

    fn on_job(&mut self, result: JobResult, ctx: &egui::Context) {
        let time = ctx.input(|i| i.time);
        match result {
            JobResult::Sample(Ok(dir)) => match Store::open(&dir) {
                Ok(store) => {
                    self.store = store;
                    self.reload();
                    self.topology_form = TopologyForm::from(self.view.topology.as_ref());
                    self.page = Page::Wizard;
                    self.toast(
                        format!("Opened the sample deployment in {}", dir.display()),
                        false,
                        time,
                    );
                }
                Err(e) => self.toast(e.to_string(), true, time),
            },
            JobResult::Sample(Err(e)) => self.toast(e, true, time),
            other => {
                if let Some(dialog) = &mut self.dialog {
                    dialog.on_job(other, &mut self.commands);
                }
            }
        }
    }

    /// Starts a verb (menu, toolbar, row or shortcut).
    pub fn start(&mut self, verb: Verb, ctx: &egui::Context) {
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
            (Verb::Import, _) => self.dialog = Some(Dialog::import(location)),
            (Verb::Request, _) => {
                self.dialog = Some(Dialog::request(location, self.view.topology.clone()))
            }
            (Verb::Assign, Some(cert)) => {
                self.dialog = Some(Dialog::assign(
                    &self.store,
                    &self.view,
                    Some(cert.summary.thumbprint.clone()),
                    None,
                    (self.clock)(),
                ));
            }
            (Verb::Assign, None) => self.page = Page::Wizard,
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
