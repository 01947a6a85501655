//! Desktop integration: a `.desktop` entry with an icon and the certificate MIME types
//! (PKCS#12, X.509 DER/PEM, PKCS#7), so a file manager opens those files with certdesk the
//! way Windows opens them with its import wizard (`certdesk FILE`). Installed for the
//! current user under `$XDG_DATA_HOME` (else `~/.local/share`), by `certdesk install-desktop`.
//!
//! It imports nothing of the model: it only writes the entry's files.

use std::path::{Path, PathBuf};

/// The MIME types certdesk opens.
pub const MIME_TYPES: [&str; 7] = [
    "application/x-pkcs12",
    "application/pkix-cert",
    "application/x-x509-ca-cert",
    "application/x-x509-user-cert",
    "application/x-pem-file",
    "application/x-pkcs7-certificates",
    "application/pkcs7-mime",
];

const ICON: &str = include_str!("../assets/certdesk.svg");

/// Why the entry could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum DesktopError {
    /// No data directory for the user.
    #[error("no home directory was found; set XDG_DATA_HOME")]
    NoHome,
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// What was installed.
#[derive(Debug, serde::Serialize)]
pub struct Installed {
    /// The `.desktop` file.
    pub entry: PathBuf,
    /// The icon.
    pub icon: PathBuf,
    /// Whether certdesk was also made the default application for the MIME types
    /// (`xdg-mime`, when the desktop has it).
    pub default_for_types: bool,
}

/// The text of the `.desktop` entry that runs `exe`.
pub fn entry_text(exe: &Path) -> String {
    let exe = exe
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace(' ', "\\s");
    format!(
        "[Desktop Entry]\nType=Application\nName=certdesk\nGenericName=Certificate Manager\n\
         Comment=Request, import, export and assign TLS certificates\nExec={exe} %f\n\
         Icon=certdesk\nStartupWMClass=certdesk\nTerminal=false\nCategories=Utility;Security;\nMimeType={};\n",
        MIME_TYPES.join(";")
    )
}

/// Installs the entry and the icon for the current user; `exe` is the program to run.
pub fn install(exe: &Path) -> Result<Installed, DesktopError> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|b| b.data_dir().to_path_buf()))
        .ok_or(DesktopError::NoHome)?;
    let entry = data.join("applications/certdesk.desktop");
    let icon = data.join("icons/hicolor/scalable/apps/certdesk.svg");
    write(&entry, &entry_text(exe))?;
    write(&icon, ICON)?;
    // Best effort: refresh the caches and make certdesk the default where the tools exist.
    let quiet = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let applications = data.join("applications");
    quiet(
        "update-desktop-database",
        &[applications.to_str().unwrap_or_default()],
    );
    let mut args = vec!["default", "certdesk.desktop"];
    args.extend(MIME_TYPES);
    let default_for_types = quiet("xdg-mime", &args);
    Ok(Installed {
        entry,
        icon,
        default_for_types,
    })
}

fn write(path: &Path, text: &str) -> Result<(), DesktopError> {
    let io = |source| DesktopError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)
}
