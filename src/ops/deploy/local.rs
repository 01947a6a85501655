//! Deploying into a directory of this machine: each file written to a temporary name in
//! the same directory (owner-only for the key), then, once all are written, the current
//! files kept as `NAME.previous` and the new ones renamed over them; the reload command run
//! there by `sh -c`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::files::DeployFile;
use super::process;
use super::{DeployError, PREVIOUS, RELOAD_LIMIT, temporary};

fn io(path: &Path) -> impl Fn(std::io::Error) -> DeployError + '_ {
    move |source| DeployError::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Writes every file to its temporary name.
pub fn stage(dir: &Path, files: &[DeployFile]) -> Result<(), DeployError> {
    for file in files {
        let tmp = dir.join(temporary(&file.name));
        let _ = fs::remove_file(&tmp);
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(
            &mut options,
            if file.private { 0o600 } else { 0o644 },
        );
        let written = options.open(&tmp).and_then(|mut f| {
            f.write_all(&file.bytes)?;
            f.sync_all()
        });
        written.map_err(io(&tmp))?;
    }
    Ok(())
}

/// Removes the temporary files of a stage that did not go through.
pub fn discard(dir: &Path, names: &[String]) {
    for name in names {
        let _ = fs::remove_file(dir.join(temporary(name)));
    }
}

fn previous(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}{PREVIOUS}"))
}

/// Keeps the current files as `NAME.previous` (a file that has none: an old `.previous`
/// is removed). Nothing is replaced yet.
pub fn keep_previous(dir: &Path, names: &[String]) -> Result<(), DeployError> {
    for name in names {
        let current = dir.join(name);
        let kept = previous(dir, name);
        let _ = fs::remove_file(&kept);
        if current.exists() {
            fs::hard_link(&current, &kept)
                .or_else(|_| fs::copy(&current, &kept).map(drop))
                .map_err(io(&kept))?;
        }
    }
    Ok(())
}

/// Renames the staged files over the current ones.
pub fn swap(dir: &Path, names: &[String]) -> Result<(), DeployError> {
    for name in names {
        let target = dir.join(name);
        fs::rename(dir.join(temporary(name)), &target).map_err(io(&target))?;
    }
    Ok(())
}

/// Puts the previous files back (a file that had none is removed).
pub fn rollback(dir: &Path, names: &[String]) -> Result<(), DeployError> {
    for name in names {
        let current = dir.join(name);
        let kept = previous(dir, name);
        if kept.exists() {
            fs::rename(&kept, &current).map_err(io(&current))?;
        } else {
            match fs::remove_file(&current) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io(&current)(e));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Runs the reload command in `dir`.
pub fn reload(dir: &Path, command: &str) -> Result<(), DeployError> {
    let mut sh = Command::new("sh");
    sh.arg("-c").arg(command).current_dir(dir);
    let done = process::run(sh, &[], RELOAD_LIMIT, "the reload command")?;
    if done.status.success() {
        Ok(())
    } else {
        Err(DeployError::Reload {
            command: command.to_owned(),
            code: done.code(),
            message: done.message(),
        })
    }
}
