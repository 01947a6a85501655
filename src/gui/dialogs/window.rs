//! The window's own dialogs: open or create a store, and About (version, store, keys).

use std::path::PathBuf;

use super::Flow;
use super::contract::{DialogContext, DialogPage};
use super::frame::{self, Part};
use crate::gui::command::Command;
use crate::gui::jobs::JobResult;
use zeroize::Zeroizing;

use crate::gui::verbs::Verb;
use crate::gui::worker::TeamLogin;

/// Open a store directory (created if it does not exist), or create a new one; or a team
/// store by its `postgres://` address, with the database password and team passphrase.
pub struct OpenStoreDialog {
    /// The directory or address typed.
    pub path: String,
    /// A new store: the directory must not exist yet.
    pub new: bool,
    /// A team store's database password (empty: PGPASSWORD or ~/.pgpass).
    password: Zeroizing<String>,
    /// A team store's passphrase (empty: read only).
    passphrase: Zeroizing<String>,
    /// The store is being opened.
    pub opening: bool,
    /// Why the last attempt failed.
    error: Option<String>,
}

/// About certdesk: the version, the store, the keys.
pub struct About {
    /// The store's directory (or a team store's address) shown.
    pub store: PathBuf,
}

impl DialogPage for About {
    fn title(&self) -> &'static str {
        "About certdesk"
    }

    fn size(&self) -> [f32; 2] {
        [620.0, 620.0]
    }

    fn show(&mut self, ui: &mut egui::Ui, _cx: &mut DialogContext<'_>) -> Flow {
        about_ui(ui, &self.store)
    }
}

impl DialogPage for OpenStoreDialog {
    fn title(&self) -> &'static str {
        if self.new { "New store" } else { "Open store" }
    }

    fn size(&self) -> [f32; 2] {
        [620.0, 280.0]
    }

    fn show(&mut self, ui: &mut egui::Ui, _cx: &mut DialogContext<'_>) -> Flow {
        self.ui(ui)
    }

    fn job_done(&mut self, result: JobResult, _commands: &mut Vec<Command>) {
        if let JobResult::Proposed(path) = result {
            self.on_proposed(&path);
        }
    }
}

impl OpenStoreDialog {
    /// Open: starts from the store open now.
    pub fn open(current: &std::path::Path) -> Self {
        Self {
            path: current.display().to_string(),
            new: false,
            password: Zeroizing::default(),
            passphrase: Zeroizing::default(),
            opening: false,
            error: None,
        }
    }

    /// New: the directory is proposed by a job ([`crate::gui::jobs::Jobs::propose_store`]), which
    /// looks at the disk off the UI thread.
    pub fn new_store() -> Self {
        Self {
            path: String::new(),
            new: true,
            password: Zeroizing::default(),
            passphrase: Zeroizing::default(),
            opening: false,
            error: None,
        }
    }

    /// The store could not be opened: why (the fields keep what was typed).
    pub fn failed(&mut self, why: String) {
        self.opening = false;
        self.error = Some(why);
    }

    /// Whether the address typed is a team store's.
    fn team(&self) -> bool {
        crate::store::is_team_address(self.path.trim())
    }

    /// A proposed directory arrived: it fills the field unless the user typed already.
    pub fn on_proposed(&mut self, path: &std::path::Path) {
        if self.new && self.path.is_empty() {
            self.path = path.display().to_string();
        }
    }

    /// Draws the dialog; Enter opens.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Flow {
        let mut flow = Flow::Stay;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Body => {
                ui.label(if self.new {
                    "A directory that does not exist yet: certdesk creates it with an empty store."
                } else {
                    "The directory of a certdesk store (a new directory becomes a new, empty store), \
                     or a team store's address: postgres://USER@HOST[:PORT]/DATABASE."
                });
                ui.horizontal(|ui| {
                    let label = ui.label("Store directory or address");
                    let field = ui
                        .add(egui::TextEdit::singleline(&mut self.path).desired_width(400.0))
                        .labelled_by(label.id);
                    if ui.memory(|m| m.focused().is_none()) {
                        field.request_focus();
                    }
                });
                if self.team() {
                    egui::Grid::new("team login").num_columns(2).show(ui, |ui| {
                        let label = ui.label("Database password");
                        ui.add(
                            egui::TextEdit::singleline(&mut *self.password)
                                .password(true)
                                .hint_text("blank: PGPASSWORD or ~/.pgpass"),
                        )
                        .labelled_by(label.id);
                        ui.end_row();
                        let label = ui.label("Team passphrase");
                        ui.add(
                            egui::TextEdit::singleline(&mut *self.passphrase)
                                .password(true)
                                .hint_text("blank: read only"),
                        )
                        .labelled_by(label.id);
                        ui.end_row();
                    });
                }
                if self.opening {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Opening…");
                    });
                } else if let Some(error) = &self.error {
                    frame::error_ui(ui, error);
                }
            }
            Part::Footer => {
                let ready = !self.path.trim().is_empty() && !self.opening;
                let label = if self.new { "Create" } else { "Open" };
                let open = frame::button_enabled(ui, ready, label);
                if open.clicked() || (ready && frame::enter_pressed(ui)) {
                    self.opening = true;
                    self.error = None;
                    flow = if self.team() {
                        let given = |s: &Zeroizing<String>| {
                            (!s.is_empty()).then(|| Zeroizing::new(s.to_string()))
                        };
                        Flow::OpenTeam(
                            self.path.trim().to_owned(),
                            TeamLogin {
                                password: given(&self.password),
                                passphrase: given(&self.passphrase),
                            },
                        )
                    } else {
                        Flow::OpenStore(PathBuf::from(self.path.trim()), self.new)
                    };
                }
                if frame::button(ui, "Cancel").clicked() {
                    flow = Flow::Close;
                }
            }
        });
        flow
    }
}

/// The version, the store open, and every keyboard shortcut.
fn about_ui(ui: &mut egui::Ui, store: &std::path::Path) -> Flow {
    let mut flow = Flow::Stay;
    frame::parts_ui(ui, |ui, part| match part {
        Part::Body => {
            ui.label(format!(
                "certdesk {}: a certificate manager for server administrators.",
                env!("CARGO_PKG_VERSION")
            ));
            ui.label(format!("The store open now: {}", store.display()));
            ui.add_space(8.0);
            ui.strong("Keyboard");
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                for verb in Verb::ALL.into_iter().chain(Verb::WINDOW) {
                    ui.label(ui.ctx().format_shortcut(&verb.shortcut()));
                    ui.label(verb.label());
                    ui.end_row();
                }
                for (keys, what) in [
                    (
                        "Alt+F, Alt+A, Alt+V, Alt+H",
                        "Open the File, Action, View or Help menu",
                    ),
                    ("Ctrl+F", "Filter the certificate list"),
                    ("Tab, Shift+Tab", "Move between fields and buttons"),
                    ("Enter", "Press a dialog's default button"),
                    ("Esc", "Cancel a dialog or close a menu"),
                    (
                        "Ctrl+Plus, Ctrl+Minus, Ctrl+0",
                        "Zoom in, zoom out, actual size",
                    ),
                ] {
                    ui.label(keys);
                    ui.label(what);
                    ui.end_row();
                }
            });
        }
        Part::Footer => {
            if frame::button(ui, "Close").clicked() || frame::enter_pressed(ui) {
                flow = Flow::Close;
            }
        }
    });
    flow
}
