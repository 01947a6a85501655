//! What the window remembers between sessions, in `settings.toml` in the user's
//! configuration directory: the recent stores, the theme, the zoom, the list's sort and
//! column widths, the window's size, and the folder of the last file chosen. Nothing secret is kept here. A missing or
//! unreadable file is the defaults, never an error that stops the window.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::list_order::SortColumn;

/// How many stores the File menu remembers.
pub const RECENT_STORES: usize = 8;

/// The largest settings file read (a bigger one is ignored).
const MAX_FILE: u64 = 64 * 1024;

/// Light, dark, or whatever the desktop uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the system's setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// Every choice, in menu order.
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::System => "Follow the system",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        }
    }
}

impl From<ThemeChoice> for egui::ThemePreference {
    fn from(choice: ThemeChoice) -> Self {
        match choice {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// A list column's width, as the user left it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ColumnWidth {
    /// The column.
    pub column: SortColumn,
    /// Its width in points.
    pub width: f32,
}

/// The remembered state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Store directories opened, most recent first.
    pub recent_stores: Vec<PathBuf>,
    /// The theme.
    pub theme: ThemeChoice,
    /// The zoom factor (1.0, 1.25, 1.5, …).
    pub zoom: f32,
    /// The list's sort column.
    pub sort: SortColumn,
    /// Whether the list sorts descending.
    pub descending: bool,
    /// The list's column widths.
    pub columns: Vec<ColumnWidth>,
    /// The window's inner size in points.
    pub window: Option<[f32; 2]>,
    /// The folder of the last file chosen in a file dialog: where Browse… starts.
    pub last_folder: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            recent_stores: Vec::new(),
            theme: ThemeChoice::System,
            zoom: 1.0,
            sort: SortColumn::IssuedTo,
            descending: false,
            columns: Vec::new(),
            window: None,
            last_folder: None,
        }
    }
}

/// Why the settings could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// They could not be put in TOML.
    #[error("the settings cannot be written as TOML ({0})")]
    Toml(#[from] toml::ser::Error),
    /// Their directory could not be made.
    #[error("the settings directory cannot be made ({0})")]
    Directory(#[from] std::io::Error),
    /// The file could not be written.
    #[error("{0}")]
    Write(#[from] crate::ops::files::OutputError),
}

impl Settings {
    /// Where the settings live for this user (None when there is no home directory).
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "certdesk")
            .map(|d| d.config_dir().join("settings.toml"))
    }

    /// Reads the settings at `path`; the defaults when it is missing, too big or not ours.
    pub fn load(path: &Path) -> Self {
        let fits = std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_FILE);
        let text = if fits {
            std::fs::read_to_string(path).unwrap_or_default()
        } else {
            String::new()
        };
        let mut settings: Settings = toml::from_str(&text).unwrap_or_default();
        settings.recent_stores.truncate(RECENT_STORES);
        settings.zoom = clamp_zoom(settings.zoom);
        settings
    }

    /// Writes the settings to `path` (atomically, creating the directory).
    pub fn save(&self, path: &Path) -> Result<(), SaveError> {
        let text = toml::to_string(self)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(crate::ops::files::write_atomic(
            path,
            text.as_bytes(),
            false,
        )?)
    }

    /// Puts `dir` at the top of the recent stores.
    pub fn remember_store(&mut self, dir: &Path) {
        self.recent_stores.retain(|d| d != dir);
        self.recent_stores.insert(0, dir.to_path_buf());
        self.recent_stores.truncate(RECENT_STORES);
    }
}

/// A zoom factor the window can show (50 % to 300 %; anything else is 100 %).
pub fn clamp_zoom(zoom: f32) -> f32 {
    if zoom.is_finite() && (0.5..=3.0).contains(&zoom) {
        zoom
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_a_round_trip_and_garbage_is_the_defaults() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("sub").join("settings.toml");
        assert_eq!(Settings::load(&path), Settings::default());
        let mut s = Settings {
            theme: ThemeChoice::Light,
            zoom: 1.5,
            sort: SortColumn::Expires,
            descending: true,
            columns: vec![ColumnWidth {
                column: SortColumn::Key,
                width: 140.0,
            }],
            window: Some([1024.0, 768.0]),
            last_folder: Some(PathBuf::from("/answers")),
            ..Settings::default()
        };
        for i in 0..12 {
            s.remember_store(Path::new(&format!("/stores/{i}")));
        }
        s.remember_store(Path::new("/stores/5"));
        assert_eq!(s.recent_stores.len(), RECENT_STORES);
        assert_eq!(s.recent_stores[0], Path::new("/stores/5"));
        assert_eq!(
            s.recent_stores.iter().filter(|d| d.ends_with("5")).count(),
            1
        );
        s.save(&path).expect("saved");
        assert_eq!(Settings::load(&path), s);
        std::fs::write(&path, "zoom = 99.0\ntheme = 'Neon'\n").expect("write");
        assert_eq!(Settings::load(&path), Settings::default());
        std::fs::write(&path, "zoom = 99.0\n").expect("write");
        assert_eq!(Settings::load(&path).zoom, 1.0);
    }
}
