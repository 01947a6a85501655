//! Writing output files safely: into a temporary file beside the target, synced, then
//! renamed over it, so an existing file is replaced only by a complete new one; reading a
//! small text file (a topology) whole, bounded.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output file cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The directory does not exist.
    #[error("the folder {0} does not exist")]
    MissingDirectory(PathBuf),
    /// The path names a directory.
    #[error("{0} is a folder, not a file name")]
    IsDirectory(PathBuf),
    /// The OS refused.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Why a text file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The OS refused, or there is no such file.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Larger than such a file ever is.
    #[error("{} is larger than {}, more than a file of this kind ever holds", .0.display(), size(*.1))]
    TooLarge(PathBuf, u64),
    /// Not UTF-8 text.
    #[error("{0} is not a text file")]
    NotText(PathBuf),
}

/// A size as a sentence says it: whole MiB or KiB where it is one, else bytes.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// Reads the text file at `path`, at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, InputError> {
    use std::io::Read;
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    fs::File::open(path)
        .map_err(io)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge(path.to_path_buf(), limit));
    }
    String::from_utf8(bytes).map_err(|_| InputError::NotText(path.to_path_buf()))
}

/// Checks, before any work is done, that `path` can be created: its folder exists and it
/// is not itself a folder.
pub fn check_output_path(path: &Path) -> Result<(), OutputError> {
    if path.is_dir() {
        return Err(OutputError::IsDirectory(path.to_path_buf()));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(OutputError::MissingDirectory(parent.to_path_buf()));
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically; `private` makes the file owner-only.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<(), OutputError> {
    check_output_path(path)?;
    let io = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.certdesk-{}.tmp", std::process::id()));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if private {
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        }
        let _ = private;
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}
