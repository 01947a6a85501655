//! The built-in file browser, for where the system has no file dialog (no portal and no
//! zenity: SSH X forwarding, minimal desktops). A folder field with Up and Home, the
//! folder's entries (folders first; certificate files and `.txt`, where administrators save
//! a CA's e-mailed answer, unless "Show all files"), a file name field, and Open or Save;
//! a double-click or Enter on a file chooses it. Folders are listed off the UI thread.

use std::path::{Path, PathBuf};

use super::frame::{self, Part};
use crate::gui::jobs::{DirEntry, Jobs, MAX_ENTRIES, PickRequest, PickTarget};

/// The file name endings the browser shows unless "Show all files" is ticked: certificate
/// files, and `.txt`, as which administrators save a CA's e-mailed answer (certdesk reads a
/// file by its content, whatever its name).
const CERTIFICATE_FILES: [&str; 12] = [
    "cer", "crt", "pem", "der", "p7b", "p7c", "pfx", "p12", "csr", "req", "key", "txt",
];

/// The endings shown when the Topology page asks for a topology file.
const TOPOLOGY_FILES: [&str; 2] = ["toml", "txt"];

/// The endings the browser shows for what `target` asks for.
fn endings(target: PickTarget) -> &'static [&'static str] {
    match target {
        PickTarget::TopologyFile => &TOPOLOGY_FILES,
        _ => &CERTIFICATE_FILES,
    }
}

/// The browser's size (clamped to the screen).
const SIZE: egui::Vec2 = egui::vec2(720.0, 520.0);

/// What the browser wants after a frame.
pub enum BrowserFlow {
    /// Stay open.
    Stay,
    /// Closed without a choice.
    Cancel,
    /// This path was chosen.
    Chosen(PathBuf),
}

/// The browser's state.
pub struct FileBrowser {
    /// What Browse… asked for.
    pub request: PickRequest,
    /// The folder listed (or being listed).
    pub dir: PathBuf,
    /// The folder field.
    pub folder: String,
    /// The file name field.
    pub name: String,
    entries: Vec<DirEntry>,
    listing: bool,
    error: Option<String>,
    all_files: bool,
    focus_name: bool,
}

impl FileBrowser {
    /// A browser for `request`, starting in its folder (the typed path's, else the last
    /// one a file was chosen in) or `home`; lists it at once.
    pub fn open(ctx: &egui::Context, request: PickRequest, home: PathBuf, jobs: &mut Jobs) -> Self {
        let dir = request.start.clone().unwrap_or(home);
        let mut browser = Self {
            request,
            folder: dir.display().to_string(),
            dir: dir.clone(),
            name: String::new(),
            entries: Vec::new(),
            listing: false,
            error: None,
            all_files: false,
            focus_name: true,
        };
        browser.go(ctx, dir, jobs);
        browser
    }

    /// The title bar's text.
    pub fn title(&self) -> &'static str {
        if self.request.save {
            "Save as"
        } else {
            "Choose a file"
        }
    }

    fn go(&mut self, ctx: &egui::Context, dir: PathBuf, jobs: &mut Jobs) {
        self.folder = dir.display().to_string();
        self.dir = dir.clone();
        self.listing = true;
        jobs.list(ctx, dir);
    }

    /// A folder was listed.
    pub fn on_listed(&mut self, dir: &Path, listed: Result<Vec<DirEntry>, std::io::Error>) {
        if dir != self.dir {
            return;
        }
        self.listing = false;
        match listed {
            Ok(entries) => {
                self.entries = entries;
                self.error = None;
            }
            Err(e) => {
                self.entries.clear();
                self.error = Some(format!("{} cannot be read: {e}", dir.display()));
            }
        }
    }

    /// Open / Save: a folder typed or chosen is entered; a file is the answer.
    fn choose(&mut self, ctx: &egui::Context, jobs: &mut Jobs) -> BrowserFlow {
        let name = self.name.trim();
        if name.is_empty() {
            self.error = Some("Type a file name, or choose a file in the list.".into());
            return BrowserFlow::Stay;
        }
        let path = self.dir.join(name);
        match self.entries.iter().find(|e| e.name == name) {
            Some(entry) if entry.dir => {
                self.name.clear();
                self.go(ctx, path, jobs);
                BrowserFlow::Stay
            }
            None if !self.request.save && !Path::new(name).is_absolute() => {
                self.error = Some(format!("There is no file named {name} in this folder."));
                BrowserFlow::Stay
            }
            _ => BrowserFlow::Chosen(path),
        }
    }

    /// Draws the browser (a modal above the dialog that asked).
    pub fn ui(&mut self, ctx: &egui::Context, jobs: &mut Jobs) -> BrowserFlow {
        let title = self.title();
        let (flow, escape) = frame::modal_ui(ctx, title, None, SIZE, |ui| {
            let mut flow = BrowserFlow::Stay;
            let mut event = BodyEvent::Nothing;
            frame::parts_ui(ui, |ui, part| match part {
                Part::Body => event = self.body_ui(ui, jobs),
                Part::Footer => {
                    let label = if self.request.save { "Save" } else { "Open" };
                    let enter = frame::enter_pressed(ui) && event != BodyEvent::Navigated;
                    if frame::button(ui, label).clicked() || enter || event == BodyEvent::Choose {
                        flow = self.choose(ui.ctx(), jobs);
                    }
                    if frame::button(ui, "Cancel").clicked() {
                        flow = BrowserFlow::Cancel;
                    }
                }
            });
            flow
        });
        if escape { BrowserFlow::Cancel } else { flow }
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs) -> BodyEvent {
        let mut event = BodyEvent::Nothing;
        ui.horizontal(|ui| {
            let label = ui.label("Folder");
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.folder).desired_width(420.0))
                .labelled_by(label.id);
            if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                let dir = PathBuf::from(self.folder.trim());
                self.go(ui.ctx(), dir, jobs);
                event = BodyEvent::Navigated;
            }
            if frame::button(ui, "⬆ Up").clicked()
                && let Some(parent) = self.dir.parent()
            {
                let parent = parent.to_path_buf();
                self.go(ui.ctx(), parent, jobs);
            }
            if frame::button(ui, "Home").clicked()
                && let Some(home) = home_dir()
            {
                self.go(ui.ctx(), home, jobs);
            }
        });
        // The body scrolls as a whole when it must; the list gets the dialog's height less
        // the fields around it, so it scrolls on its own.
        let list_height = (frame::size_for(ui.ctx(), SIZE).y - 250.0).max(80.0);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("browser entries")
                .auto_shrink([false, false])
                .max_height(list_height)
                .min_scrolled_height(list_height)
                .show(ui, |ui| {
                    if self.listing {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("Reading the folder…");
                        });
                    }
                    let mut enter = None;
                    let mut pick = None;
                    let all_files = self.all_files;
                    let endings = endings(self.request.target);
                    for entry in self.entries.iter().filter(|e| shown(e, all_files, endings)) {
                        let text = if entry.dir {
                            format!("📁 {}", entry.name)
                        } else {
                            format!("📄 {}", entry.name)
                        };
                        let selected = self.name == entry.name;
                        let row = ui.selectable_label(selected, text);
                        let row = if entry.dir {
                            row
                        } else {
                            row.on_hover_text(format!("{} bytes", entry.size))
                        };
                        if row.clicked() {
                            self.name.clone_from(&entry.name);
                        }
                        if row.double_clicked() {
                            if entry.dir {
                                enter = Some(entry.name.clone());
                            } else {
                                pick = Some(entry.name.clone());
                            }
                        }
                    }
                    if self.entries.len() >= MAX_ENTRIES {
                        ui.label(format!(
                            "Only the first {MAX_ENTRIES} entries are shown: type the name instead."
                        ));
                    }
                    if let Some(name) = enter {
                        self.name.clear();
                        let dir = self.dir.join(name);
                        self.go(ui.ctx(), dir, jobs);
                    } else if let Some(name) = pick {
                        self.name = name;
                        event = BodyEvent::Choose;
                    }
                });
        });
        ui.horizontal(|ui| {
            let label = ui.label("File name");
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.name).desired_width(420.0))
                .labelled_by(label.id);
            if std::mem::take(&mut self.focus_name) {
                field.request_focus();
            }
        });
        ui.checkbox(&mut self.all_files, "Show all files")
            .on_hover_text("Otherwise only certificate files are shown: .cer .crt .pem .der .p7b .p7c .pfx .p12 .csr .req .key, and .txt (a CA's answer saved from an e-mail)");
        if let Some(error) = &self.error {
            frame::error_ui(ui, error);
        }
        event
    }
}

/// What happened in the body that the footer must know.
#[derive(PartialEq, Eq)]
enum BodyEvent {
    Nothing,
    /// Enter in the folder field went to that folder (it is not Open too).
    Navigated,
    /// A file was double-clicked.
    Choose,
}

/// Whether the list shows `entry`: folders always, files by their ending unless all are.
fn shown(entry: &DirEntry, all_files: bool, endings: &[&str]) -> bool {
    entry.dir
        || all_files
        || Path::new(&entry.name)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| endings.contains(&e.to_ascii_lowercase().as_str()))
}

/// The user's home folder.
pub fn home_dir() -> Option<PathBuf> {
    directories::UserDirs::new().map(|u| u.home_dir().to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> DirEntry {
        DirEntry {
            name: name.into(),
            dir: false,
            size: 1,
        }
    }

    #[test]
    fn each_field_is_offered_its_own_files() {
        let topology = endings(PickTarget::TopologyFile);
        let certificates = endings(PickTarget::ImportFile);
        assert!(shown(&file("edge.TOML"), false, topology));
        assert!(!shown(&file("edge.toml"), false, certificates));
        assert!(shown(&file("answer.txt"), false, certificates));
        assert!(shown(&file("edge.pfx"), false, certificates));
        assert!(!shown(&file("edge.pfx"), false, topology));
        assert!(shown(&file("edge.pfx"), true, topology), "Show all files");
    }
}
