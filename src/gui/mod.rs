//! The desktop GUI (egui/eframe): views read a [`view_model::StoreView`] and emit
//! [`command::Command`]s; the app sends them, in one place after each frame, to the store's
//! own thread ([`worker`]), which applies them and sends back fresh snapshots (also when
//! another process changed the store); what waits on the network (online CAs, probes,
//! revocation) runs on a second connection beside it ([`network`]); slow work (key
//! generation, file reading, dialogs) runs in [`jobs`]. Every verb of the CLI is reachable here.
//!
//! It imports the model ([`crate::ops`] for every change, and the read-only types of the
//! layers below); nothing in the model imports it.

pub mod app;
pub mod command;
pub mod dialogs;
pub mod jobs;
pub mod list_order;
pub mod network;
pub mod settings;
pub mod verbs;
pub mod view_model;
pub mod views;
pub mod words;
pub mod worker;

use std::path::Path;

use crate::store::Store;

/// "certdesk — NAME (PATH)": which store the window works on; for a team store, "certdesk
/// — DB on HOST as USER (team store)".
pub fn window_title(dir: &Path) -> String {
    if let Some(url) = dir
        .to_str()
        .filter(|d| crate::store::is_team_address(d))
        .and_then(|d| url::Url::parse(d).ok())
    {
        let database = url.path().trim_start_matches('/');
        let user = match url.username() {
            "" => String::new(),
            user => format!(" as {user}"),
        };
        return format!(
            "certdesk — {database} on {}{user} (team store)",
            url.host_str().unwrap_or("localhost")
        );
    }
    let name = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!("certdesk — {name} ({})", dir.display())
}

/// Opens the main window on `store`, counting the operating system's roots unless
/// `system_roots` is false (`--no-system-roots`, kept for every store the window opens);
/// returns when it closes, or the sentence saying why it could not open.
pub fn run(mut store: Store, file: Option<&Path>, system_roots: bool) -> Result<(), WindowError> {
    if !system_roots {
        store.ignore_system_roots();
    }
    // A team store's sample goes beside the user's own store.
    let dir = match store.is_team() {
        true => directories::ProjectDirs::from("", "", "certdesk")
            .map(|d| d.data_dir().to_path_buf())
            .ok_or(WindowError::NoHome)?,
        false => store.dir().to_path_buf(),
    };
    let sample_dir = dir.with_file_name(format!(
        "{}-sample",
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "certdesk".into())
    ));
    let store_dir = store.dir().to_path_buf();
    let mut app = app::CertdeskApp::new(store, sample_dir);
    let settings_path = settings::Settings::default_path();
    let settings = settings_path
        .as_deref()
        .map(settings::Settings::load)
        .unwrap_or_default();
    let size = settings.window.unwrap_or([1280.0, 800.0]);
    app.restore(settings, settings_path);
    if let Some(file) = file {
        app.open_file(file.to_path_buf());
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(window_title(store_dir.as_path()))
            .with_app_id("certdesk")
            .with_inner_size(size)
            .with_min_inner_size([640.0, 480.0]),
        ..Default::default()
    };
    struct Shell(app::CertdeskApp);
    impl eframe::App for Shell {
        fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
            self.0.ui(ui);
        }
        fn on_exit(&mut self) {
            self.0.save_settings();
        }
    }
    eframe::run_native("certdesk", options, Box::new(|_| Ok(Box::new(Shell(app)))))
        .map_err(|e| WindowError::NoDisplay(e.to_string()))
}

/// Why the window could not open; its `Display` is one sentence.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    /// A team store's sample store needs the user's data directory, and there is none.
    #[error("no home directory was found for the sample store")]
    NoHome,
    /// eframe could not open a window (its words).
    #[error(
        "the window could not be opened ({0}); a graphical display is needed (set DISPLAY or WAYLAND_DISPLAY), or use a subcommand such as `certdesk list`"
    )]
    NoDisplay(String),
}
