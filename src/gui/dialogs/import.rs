//! The import dialog: a path (typed, or from Browse…, which reads the chosen file at once),
//! the password when the file holds a private key, a preview of every certificate and key
//! and where each goes, the trust-root confirmation and "keep the key exportable" (ticked
//! for a new key when a usage of the server's role needs it; what it does to a key already
//! in the store is said), then the result.

use std::collections::HashMap;

use crate::deploy::usage::UsageType;
use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::dialogs::Flow;
use crate::gui::dialogs::contract::{DialogContext, DialogPage, keep};
use crate::gui::dialogs::frame::{self, Part};
use crate::gui::jobs::{JobResult, Jobs, PickTarget, start_dir};
use crate::gui::view_model::StoreView;
use crate::gui::words::{count, sentence};
use crate::ops::import::{
    self, ImportOptions, ImportPlan, ImportReport, ReadError, SkipReason, Skipped,
};
use crate::pki::formats::FormatError;
use crate::store::{Location, Logical};

/// The dialog's state.
pub struct ImportDialog {
    location: Location,
    /// The typed path.
    pub path: String,
    password: String,
    show_password: bool,
    needs_password: bool,
    /// The last error, shown under the field it concerns.
    pub error: Option<String>,
    /// The preview.
    pub plan: Option<ImportPlan>,
    trust_root: bool,
    exportable: bool,
    focus_password: bool,
    /// The read this dialog waits for.
    reading: Option<u64>,
    /// Put the keyboard focus in the file field (when the dialog opens).
    focus_path: bool,
    /// Read the file on the next frame (opened on a file).
    open_now: bool,
    /// What the store says about the plan (looked up once per plan, not every frame).
    facts: Option<Facts>,
    /// The name of each certificate of the plan sent to the store, by thumbprint (the
    /// result names what was skipped).
    names: HashMap<String, String>,
    /// The plan was sent to the store and its answer has not come yet.
    committing: bool,
    /// The result once imported: the first line is its heading.
    pub result: Option<Vec<String>>,
}

/// What the store says about a plan: which roots are trusted already, which keys are
/// stored already, and which usages of the server's role need an exportable key.
struct Facts {
    /// Per certificate: already in this location's Trusted Roots.
    trusted: Vec<bool>,
    /// Per key: the exportable flag of the same key already in the store.
    stored: Vec<Option<bool>>,
    /// The usages of the server's role that need an exportable key.
    exportable_usages: Vec<UsageType>,
}

impl DialogPage for ImportDialog {
    fn title(&self) -> &'static str {
        "Certificate Import Wizard"
    }

    fn size(&self) -> [f32; 2] {
        [760.0, 560.0]
    }

    fn show(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        keep(self.ui(ui, cx.view, cx.jobs, cx.commands))
    }

    fn job_done(&mut self, result: JobResult, _commands: &mut Vec<Command>) {
        self.on_job(result);
    }

    fn applied(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        self.on_applied(result);
        result.is_err()
    }
}

impl ImportDialog {
    /// A new dialog for a location.
    pub fn new(location: Location) -> Self {
        Self {
            location,
            path: String::new(),
            password: String::new(),
            show_password: false,
            needs_password: false,
            error: None,
            plan: None,
            trust_root: false,
            exportable: false,
            focus_password: false,
            reading: None,
            focus_path: true,
            open_now: false,
            facts: None,
            names: HashMap::new(),
            committing: false,
            result: None,
        }
    }

    /// A dialog on `path` that reads it on its first frame.
    pub fn with_file(location: Location, path: std::path::PathBuf) -> Self {
        let mut dialog = Self::new(location);
        dialog.path = path.display().to_string();
        dialog.open_now = true;
        dialog.focus_path = false;
        dialog
    }

    /// A job finished.
    pub fn on_job(&mut self, result: JobResult) {
        match result {
            JobResult::Read(id, _) if self.reading != Some(id) => {}
            JobResult::Read(_, Ok(plan)) => {
                self.reading = None;
                self.error = None;
                self.facts = None;
                self.plan = Some(plan);
                self.trust_root = false;
            }
            JobResult::Read(_, Err(e)) => {
                self.reading = None;
                if e.about_password() {
                    self.needs_password = true;
                    self.focus_password = true;
                    // Asking for a password the first time is not an error.
                    let first_ask = self.password.is_empty()
                        && matches!(e, ReadError::Format(FormatError::PasswordRequired));
                    self.error = (!first_ask).then(|| e.to_string());
                } else {
                    self.error = Some(e.to_string());
                }
            }
            // Choosing a file is asking to import it: it is read at once.
            JobResult::Picked(PickTarget::ImportFile, Some(path)) => {
                self.path = path.display().to_string();
                self.plan = None;
                self.open_now = true;
            }
            _ => {}
        }
    }

    /// A command this dialog sent was applied.
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) {
        match result {
            Ok(Applied::Imported(report)) => {
                self.committing = false;
                self.result = Some(result_lines(report, &self.names));
            }
            Ok(_) => {}
            Err(e) => {
                self.committing = false;
                self.error = Some(e.to_string());
            }
        }
    }

    fn options(&self) -> ImportOptions {
        ImportOptions {
            location: self.location,
            exportable: self.exportable,
            trust_root: self.trust_root,
        }
    }

    /// Draws the dialog; returns false when it closes.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        view: &StoreView,
        jobs: &mut Jobs,
        commands: &mut Vec<Command>,
    ) -> bool {
        let mut keep = true;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Footer => keep = self.footer_ui(ui, jobs, commands),
            Part::Body => self.body_ui(ui, view, jobs),
        });
        keep
    }

    /// Cancel, Import (once previewed), Open; Enter presses Import when there is a
    /// preview, else Open.
    fn footer_ui(
        &mut self,
        ui: &mut egui::Ui,
        jobs: &mut Jobs,
        commands: &mut Vec<Command>,
    ) -> bool {
        if self.result.is_some() {
            return !(frame::button(ui, "Close").clicked() || frame::enter_pressed(ui));
        }
        let busy = !jobs.idle() || self.committing;
        let enter = frame::enter_pressed(ui);
        let can_import = self.plan.is_some() && !busy;
        let can_open = !busy && !self.path.trim().is_empty();
        let open = frame::button_enabled(ui, can_open, "Open");
        let import = frame::button_enabled(ui, can_import, "Import");
        let keep = !frame::button(ui, "Cancel").clicked();
        if (import.clicked() || (enter && can_import))
            && let Some(plan) = self.plan.take()
        {
            self.committing = true;
            self.names = plan
                .certs
                .iter()
                .map(|c| {
                    let s = c.cert.summary();
                    (s.thumbprint.clone(), s.issued_to().to_owned())
                })
                .collect();
            commands.push(Command::Import {
                plan: Box::new(plan),
                source: self.path.trim().to_owned(),
            });
            return keep;
        }
        let open_now = std::mem::take(&mut self.open_now) && can_open;
        if open.clicked() || open_now || (enter && can_open && self.plan.is_none()) {
            self.error = None;
            self.plan = None;
            let password = self
                .needs_password
                .then(|| zeroize::Zeroizing::new(self.password.clone()));
            self.reading =
                Some(jobs.read(ui.ctx(), self.path.trim().into(), password, self.options()));
        }
        keep
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, view: &StoreView, jobs: &mut Jobs) {
        if let Some(result) = &self.result {
            for line in result {
                ui.label(line);
            }
            return;
        }
        let busy = !jobs.idle();
        ui.label(format!("Import into {}", self.location.title()));
        ui.horizontal(|ui| {
            let label = ui.label("File to import");
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.path).desired_width(380.0))
                .labelled_by(label.id);
            if std::mem::take(&mut self.focus_path) {
                field.request_focus();
            }
            if frame::button_enabled(ui, !busy, "Browse…").clicked() {
                jobs.pick(
                    ui.ctx(),
                    PickTarget::ImportFile,
                    false,
                    start_dir(&self.path),
                );
            }
        });
        if self.needs_password {
            ui.label("The file contains a private key protected by a password.");
            ui.horizontal(|ui| {
                let label = ui.label("Password");
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.password)
                            .password(!self.show_password)
                            .desired_width(260.0),
                    )
                    .labelled_by(label.id);
                if std::mem::take(&mut self.focus_password) {
                    field.request_focus();
                }
                ui.checkbox(&mut self.show_password, "Show");
            });
        }
        if let Some(error) = &self.error {
            frame::error_ui(ui, error);
        }
        if busy {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the file…");
            });
        }
        if self.committing {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Importing…");
            });
        }
        if let Some(plan) = &mut self.plan
            && self.facts.is_none()
        {
            let facts = Facts::of(view, self.location, plan);
            // Proposed for a key new to the store; a stored key changes only when asked on
            // this file's preview.
            if facts.stored.contains(&Some(false)) {
                self.exportable = false;
            } else if !facts.exportable_usages.is_empty()
                && facts.stored.iter().all(Option::is_none)
            {
                self.exportable = true;
            }
            plan.set_options(self.exportable, self.trust_root);
            self.facts = Some(facts);
        }
        if let (Some(plan), Some(facts)) = (&mut self.plan, &self.facts) {
            let trusted = &facts.trusted;
            ui.separator();
            ui.label(format!(
                "{}: {}, {}",
                plan.kind.label(),
                count(plan.certs.len(), "certificate", "certificates"),
                count(plan.keys.len(), "private key", "private keys")
            ));
            let has_root = plan.certs.iter().enumerate().any(|(i, c)| {
                c.key.is_none()
                    && c.cert.summary().is_ca()
                    && c.cert.summary().self_signed
                    && !trusted[i]
            });
            let mut changed = false;
            if has_root {
                changed |= ui
                    .checkbox(
                        &mut self.trust_root,
                        "Trust the root CA certificates in this file (add them to Trusted Roots)",
                    )
                    .changed();
                // A server's certificate whose root stays untrusted is refused for every
                // usage: said before the import, not after a refused assignment.
                if !self.trust_root && !plan.keys.is_empty() {
                    ui.label(UNTRUSTED_ROOT);
                }
            }
            if !plan.keys.is_empty() {
                changed |= ui
                    .checkbox(
                        &mut self.exportable,
                        "Keep the private key exportable (needed to move it to another server)",
                    )
                    .changed();
            }
            if changed {
                plan.set_options(self.exportable, self.trust_root);
            }
            if !plan.keys.is_empty() {
                exportable_ui(ui, plan, facts, self.exportable);
            }
            for note in &plan.notes {
                ui.label(note);
            }
            egui::Grid::new("import-preview")
                .striped(true)
                .show(ui, |ui| {
                    ui.strong("Certificate");
                    ui.strong("Goes to");
                    ui.strong("Private key");
                    ui.end_row();
                    for (c, trusted) in plan.certs.iter().zip(trusted) {
                        ui.label(c.cert.summary().issued_to());
                        match &c.destination {
                            Ok(logical) => ui.label(logical.title()),
                            Err(_) if *trusted => ui.label("already in Trusted Roots"),
                            Err(reason) => ui.label("not imported").on_hover_text(reason.text()),
                        };
                        ui.label(if c.key.is_some() { "paired" } else { "—" });
                        ui.end_row();
                    }
                });
            for (c, trusted) in plan.certs.iter().zip(trusted) {
                if let Err(reason) = &c.destination
                    && !trusted
                {
                    ui.label(format!(
                        "\"{}\" is not imported: {}.",
                        c.cert.summary().issued_to(),
                        reason.text()
                    ));
                }
            }
        }
    }
}

impl Facts {
    /// Looks the plan up in the store's view: one pass over its rows.
    fn of(view: &StoreView, location: Location, plan: &ImportPlan) -> Self {
        let mut roots = std::collections::HashSet::new();
        let mut keys = std::collections::HashMap::new();
        for r in &view.rows {
            if r.cert.location == location && r.cert.logical == Logical::Root {
                roots.insert(r.cert.summary.thumbprint.as_str());
            }
            if let Some(key) = &r.cert.key {
                keys.insert(r.cert.summary.public_key_hash.as_str(), key.exportable);
            }
        }
        Self {
            trusted: plan
                .certs
                .iter()
                .map(|c| roots.contains(c.cert.summary().thumbprint.as_str()))
                .collect(),
            stored: plan
                .keys
                .iter()
                .map(|k| keys.get(k.public_key_hash()).copied())
                .collect(),
            exportable_usages: import::exportable_usages(plan, view.topology.as_ref()),
        }
    }
}

/// Under the trust box, while it is not ticked and the file holds a server's key.
const UNTRUSTED_ROOT: &str = "Until its root CA is trusted, this certificate is refused for every usage: tick the box if you trust the CA that issued it (a public CA's root is usually trusted already).";

/// Under the exportable box: which usages of the server's role need an exportable key, and
/// what the import does to a key the store holds already.
fn exportable_ui(ui: &mut egui::Ui, plan: &ImportPlan, facts: &Facts, exportable: bool) {
    if !facts.exportable_usages.is_empty() {
        let titles: Vec<&str> = facts.exportable_usages.iter().map(|u| u.title()).collect();
        ui.label(format!(
            "{} needs an exportable private key on this server: every Edge server of the pool holds the same certificate and key.",
            titles.join(" and ")
        ));
    }
    for (key, stored) in plan.keys.iter().zip(&facts.stored) {
        let sentence = match (stored, exportable) {
            (Some(false), true) => format!(
                "The private key ({}) is already in the store, not exportable: this import makes it exportable, since the file holds it.",
                key.description()
            ),
            (Some(false), false) => format!(
                "The private key ({}) is already in the store, not exportable: tick the box to make it exportable.",
                key.description()
            ),
            (Some(true), false) => format!(
                "The private key ({}) is already in the store as exportable, and stays exportable.",
                key.description()
            ),
            _ => continue,
        };
        ui.label(sentence);
    }
}

/// The result of an import: a heading, then what was done, each root not trusted, and
/// the warnings. `names` names the plan's certificates by thumbprint.
fn result_lines(report: &ImportReport, names: &HashMap<String, String>) -> Vec<String> {
    let mut lines = Vec::new();
    let did_something = !report.imported.is_empty()
        || !report.already_present.is_empty()
        || report.keys_linked() > 0
        || !report.made_exportable.is_empty();
    if did_something {
        lines.push("The import is complete.".to_owned());
        lines.push(format!("{report}."));
    }
    for Skipped {
        thumbprint: thumb,
        reason,
    } in &report.skipped
    {
        let name = names.get(thumb).map_or(thumb.as_str(), String::as_str);
        lines.push(match reason {
            SkipReason::UntrustedRoot => format!(
                "\"{name}\" was not added to Trusted Roots: to trust it, import the file again and tick \"Trust the root CA certificates in this file\"."
            ),
        });
    }
    lines.extend(report.exportable_sentences().map(|s| sentence(&s)));
    lines.extend(report.warnings.iter().map(|w| sentence(w)));
    lines
}
