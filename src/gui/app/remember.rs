//! What the window remembers: taken at start, collected and saved when it closes.

use std::path::{Path, PathBuf};

use crate::gui::settings::{ColumnWidth, Settings};

use super::CertdeskApp;

impl CertdeskApp {
    /// Takes the remembered settings (saved back to `path`, when given, as they change
    /// and by [`CertdeskApp::save_settings`]): theme, zoom, the list's sort and widths, the
    /// recent stores (the store open now goes on top), the folder Browse… starts in.
    pub fn restore(&mut self, mut settings: Settings, path: Option<PathBuf>) {
        self.list.sort = settings.sort;
        self.list.descending = settings.descending;
        self.list.widths = settings
            .columns
            .iter()
            .map(|c| (c.column, c.width))
            .collect();
        settings.remember_store(&self.store_dir);
        self.jobs.set_last_folder(settings.last_folder.clone());
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
            last_folder: self.jobs.last_folder().map(Path::to_path_buf),
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
    pub(super) fn save_settings_soon(&self) {
        if let Some(path) = self.settings_path.clone() {
            let settings = self.settings();
            std::thread::spawn(move || {
                let _ = settings.save(&path);
            });
        }
    }
}
