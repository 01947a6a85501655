//! One frame: take what arrived, the keyboard shortcuts, the menu bar, the panels and the
//! page, the dialog and the file browser on top, then send the frame's commands to the
//! store's thread.

use std::sync::Arc;

use crate::gui::command::Command;
use crate::gui::dialogs::{AddCaDialog, Dialog, Flow, TargetDialog, frame};
use crate::gui::settings::clamp_zoom;
use crate::gui::verbs::Verb;
use crate::gui::views::{self, BannerChoice, Intent, MenuChoice, MenuState, Page, Pages};
use crate::ops::assign::AssignRequest;

use super::CertdeskApp;

impl CertdeskApp {
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
        // Ctrl +/- zoom by the View menu's step (see below), not egui's.
        ctx.options_mut(|o| o.zoom_with_keyboard = false);
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
        if self.view.partial.is_none()
            && let Some(verb) = self.deferred.take()
        {
            self.start(verb, &ctx);
        }
        // Every frame: a dialog opened during this frame must not see an old Enter.
        frame::route_enter(&ctx, self.dialog.is_some());
        if self.dialog.is_none() {
            // A menu takes its own keys; Enter and Delete belong to the focused field or
            // button, if any, and act on the selected certificate only otherwise.
            let menu_open = egui::Popup::is_any_open(&ctx);
            let focused = ctx.memory(|m| m.focused().is_some());
            let shown = self.shown_selection().is_some();
            // Ctrl+Shift+N before Ctrl+N: egui lets an extra Shift match the shorter one.
            let mut verbs: Vec<Verb> = Verb::ALL.into_iter().chain(Verb::WINDOW).collect();
            verbs.sort_by_key(|v| std::cmp::Reverse(v.shortcut().modifiers.shift));
            for verb in verbs {
                let shortcut = verb.shortcut();
                let plain = shortcut.modifiers.is_none();
                if menu_open || (plain && focused) || (verb.needs_selection() && !shown) {
                    continue;
                }
                if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                    self.start(verb, &ctx);
                }
            }
            if ctx.input_mut(|i| i.consume_shortcut(&views::QUIT)) {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            if matches!(self.page, views::Page::Store(..))
                && ctx.input_mut(|i| i.consume_shortcut(&views::FIND))
            {
                ctx.memory_mut(|m| m.request_focus(views::filter_id()));
            }
        }
        let mut verb = None;
        let mut choice = None;
        egui::Panel::top("menu").show(ui, |ui| {
            let state = MenuState {
                has_selection: self.shown_selection().is_some(),
                held_requests: self.view.held_by_ca,
                recent: &self.settings.recent_stores,
                theme: self.settings.theme,
                page: self.page,
                system_roots: self.view.system_roots,
                locked: self.view.locked,
            };
            choice = views::menu_and_toolbar_ui(ui, &state);
        });
        let choice = choice.or_else(|| views::zoom_shortcut(&ctx));
        match choice {
            Some(MenuChoice::Verb(v)) => verb = Some(v),
            Some(MenuChoice::OpenRecent(dir)) => {
                self.after_open = Page::Welcome;
                self.worker.open(dir, false, (self.clock)());
            }
            Some(MenuChoice::Page(page)) => self.page = page,
            Some(MenuChoice::SystemRoots(on)) => self.commands.push(Command::SetSystemRoots(on)),
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
        egui::Panel::bottom("status").show(ui, |ui| {
            views::status_bar_ui(ui, &self.view, &self.jobs, self.offline.as_deref())
        });
        // Above the status bar, in its own room: it never covers a control.
        self.notices.expire(time);
        if !self.notices.is_empty() {
            egui::Panel::bottom("notices").show(ui, |ui| {
                views::notices_ui(ui, &mut self.notices);
            });
        }
        egui::Panel::left("nav").resizable(true).show(ui, |ui| {
            views::nav_ui(ui, &self.view, &mut self.page);
        });
        let mut intent = None;
        egui::CentralPanel::default().show(ui, |ui| {
            if !self.banner_dismissed {
                match views::expiry_banner_ui(ui, &self.view, (self.clock)()) {
                    Some(BannerChoice::Open) => self.page = Page::Wizard,
                    Some(BannerChoice::Dismiss) => self.banner_dismissed = true,
                    None => {}
                }
            }
            intent = views::page_ui(
                ui,
                Pages {
                    page: &mut self.page,
                    loaded: self.loaded,
                    view: &self.view,
                    list: &mut self.list,
                    topology_form: &mut self.topology_form,
                    probe_form: &mut self.probe_form,
                    ca_root: &mut self.ca_root,
                    renewals_form: &mut self.renewals_form,
                    log: &self.activity,
                    commands: &mut self.commands,
                    jobs: &mut self.jobs,
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
            Some(Intent::AddCa) => self.dialog = Some(Dialog::AddCa(Box::default())),
            Some(Intent::AddTarget) => {
                self.dialog = Some(Dialog::Target(Box::new(TargetDialog::new(&self.view))));
            }
            Some(Intent::EditTarget(name)) => {
                self.dialog = self
                    .view
                    .deploy_targets
                    .iter()
                    .find(|t| t.settings.name == name)
                    .map(|t| Dialog::Target(Box::new(TargetDialog::edit(t))));
            }
            Some(Intent::CheckPool) => {
                self.page = Page::Probe;
                if let Some(command) = self.probe_form.pool_command() {
                    self.commands.push(command);
                }
            }
            Some(Intent::EditCa(name)) => {
                self.dialog = self
                    .view
                    .cas
                    .iter()
                    .find(|c| c.name == name)
                    .map(|ca| Dialog::AddCa(Box::new(AddCaDialog::edit(ca))));
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
                &mut self.dialog_commands,
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
                // The dialog stays until the store opens, or says why it did not.
                Flow::OpenStore(dir, new) => {
                    self.after_open = Page::Welcome;
                    self.worker.open(dir, new, (self.clock)());
                }
                Flow::OpenTeam(address, login) => {
                    self.after_open = Page::Welcome;
                    self.worker.open_team(address, login, (self.clock)());
                }
                Flow::Unlock(passphrase, remember) => {
                    self.worker.unlock(passphrase, remember, (self.clock)())
                }
                Flow::Assign(thumbprint, usages) => {
                    self.commands.push(Command::Assign(AssignRequest {
                        location: crate::store::Location::Computer,
                        thumbprint,
                        usages,
                        roll: None,
                    }));
                    self.dialog = None;
                }
            }
        }
        frame::set_covered(&ctx, false);
        self.browser_ui(&ctx);
        let key = self.list_key();
        if let Some(wanted) = self.list.take_wanted(key.clone()) {
            let snapshot = (Arc::clone(&self.view), self.generation);
            self.jobs.order(&ctx, snapshot, wanted);
        }
        self.worker.list(key);
        let now = (self.clock)();
        for command in self.commands.drain(..) {
            let probe = matches!(command, Command::Probe(..) | Command::PoolCheck(..));
            let operation = command.operation();
            let ticket = self.worker.apply(command, now);
            self.asked.push((ticket, operation));
            if probe {
                self.probe_tickets.push(ticket);
            }
        }
        for command in self.dialog_commands.drain(..) {
            let operation = command.operation();
            let ticket = self.worker.apply(command, now);
            self.asked.push((ticket, operation));
            self.dialog_tickets.push(ticket);
        }
        if self.dialog.is_none() {
            // The answers to a dialog that closed (one that closes as it sends, as a
            // confirmation does) go to the notification area, never to another dialog.
            self.dialog_tickets.clear();
        }
        if self.notices.expiring() || self.busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }
}
