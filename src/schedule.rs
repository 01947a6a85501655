//! The renewal schedule (`certdesk schedule install|status|remove`): a systemd timer and
//! service that run `certdesk renew --due --scheduled` twice a day with a randomised delay,
//! for the user (`$XDG_CONFIG_HOME/systemd/user`, else `~/.config/systemd/user`) or the
//! system (`/etc/systemd/system`, or `$CERTDESK_SYSTEM_UNIT_DIR`); where systemd does not run,
//! a line in the user's crontab. Runs never overlap: `renew --due` takes the store's lock.
//! With a keytab (`--keytab FILE`), the runs get their Kerberos tickets from it, as MIT
//! Kerberos reads a client keytab: `KRB5_CLIENT_KTNAME` in the run's environment, so an AD
//! CS connection signs in unattended with no password stored.
//!
//! It imports nothing of the model: it writes unit files and asks `systemctl` or `crontab`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The units' name.
pub const NAME: &str = "certdesk-renew";
/// What marks certdesk's crontab line.
const CRON_MARK: &str = "# certdesk-renew";

/// For whom the schedule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The user's own systemd instance (or crontab).
    User,
    /// The system's (root).
    System,
}

/// How the schedule is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A systemd timer and service.
    Systemd,
    /// A crontab line.
    Cron,
}

/// Why the schedule could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// No home directory for the user's units.
    #[error("no home directory was found; set XDG_CONFIG_HOME")]
    NoHome,
    /// A unit file could not be written or removed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The user's systemd instance cannot be reached.
    #[error(
        "the timer is written in {0} but the user's systemd cannot be reached (no user bus: log in to a session, or `loginctl enable-linger`), so it is not enabled; run `systemctl --user enable --now certdesk-renew.timer` there"
    )]
    NoUserBus(PathBuf),
    /// The keytab cannot be used: missing, not a regular file, or readable by others.
    #[error("the keytab {path} {why}")]
    Keytab {
        /// The file.
        path: PathBuf,
        /// What is wrong with it, and the fix.
        why: &'static str,
    },
    /// `systemctl` or `crontab` failed.
    #[error("{program} failed: {message}")]
    Tool {
        /// The program.
        program: &'static str,
        /// What it said.
        message: String,
    },
}

/// What is installed, or was just.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Schedule {
    /// systemd or cron.
    pub kind: Kind,
    /// For whom.
    pub scope: Scope,
    /// The unit files (systemd).
    pub files: Vec<PathBuf>,
    /// The crontab line (cron).
    pub line: Option<String>,
}

/// Whether systemd runs here (`sd_booted`).
pub fn systemd_runs() -> bool {
    Path::new("/run/systemd/system").is_dir()
}

/// Where the units of `scope` go.
pub fn unit_dir(scope: Scope) -> Result<PathBuf, ScheduleError> {
    match scope {
        Scope::System => Ok(std::env::var_os("CERTDESK_SYSTEM_UNIT_DIR")
            .filter(|d| !d.is_empty())
            .map_or_else(|| PathBuf::from("/etc/systemd/system"), PathBuf::from)),
        Scope::User => {
            let config = std::env::var_os("XDG_CONFIG_HOME")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .or_else(|| directories::BaseDirs::new().map(|b| b.config_dir().to_path_buf()))
                .ok_or(ScheduleError::NoHome)?;
            Ok(config.join("systemd/user"))
        }
    }
}

/// What a scheduled run executes: the store, and the keytab its Kerberos tickets come from.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    /// certdesk's own path.
    pub exe: &'a Path,
    /// The store (`--store`).
    pub store: &'a str,
    /// A keytab for Kerberos (`KRB5_CLIENT_KTNAME`), absolute and owner-only.
    pub keytab: Option<&'a Path>,
}

/// Checks a keytab for a schedule: a regular file that only its owner may read (it holds
/// keys), given by its absolute path.
pub fn check_keytab(path: &Path) -> Result<PathBuf, ScheduleError> {
    let bad = |why| ScheduleError::Keytab {
        path: path.to_path_buf(),
        why,
    };
    let path = std::path::absolute(path).map_err(|_| bad("cannot be found"))?;
    let meta = std::fs::metadata(&path).map_err(|_| bad("cannot be read"))?;
    if !meta.is_file() {
        return Err(bad("is not a file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(bad(
                "can be read by others: it holds keys; run chmod 600 on it",
            ));
        }
    }
    Ok(path)
}

/// The keytab's environment assignment.
fn keytab_env(keytab: &Path) -> String {
    format!("KRB5_CLIENT_KTNAME={}", keytab.display())
}

/// The command a run executes: `EXE --store STORE renew --due --scheduled`.
fn run_args(exe: &Path, store: &str) -> Vec<String> {
    vec![
        exe.display().to_string(),
        "--store".into(),
        store.to_owned(),
        "renew".into(),
        "--due".into(),
        "--scheduled".into(),
    ]
}

/// One word of a unit's `ExecStart=` line, quoted for systemd (and `%` doubled).
fn unit_word(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%");
    format!("\"{escaped}\"")
}

/// The service and the timer (twice a day, up to an hour late at random, caught up after
/// the machine was off).
pub fn units(run: &Run<'_>) -> (String, String) {
    let exec: Vec<String> = run_args(run.exe, run.store)
        .iter()
        .map(|w| unit_word(w))
        .collect();
    let environment = run
        .keytab
        .map(|k| format!("Environment={}\n", unit_word(&keytab_env(k))))
        .unwrap_or_default();
    let service = format!(
        "[Unit]\nDescription=certdesk: renew the certificates that are due\n\
         Wants=network-online.target\nAfter=network-online.target\n\n\
         [Service]\nType=oneshot\n{environment}ExecStart={}\n",
        exec.join(" ")
    );
    let timer = "[Unit]\nDescription=certdesk: renew due certificates twice a day\n\n\
         [Timer]\nOnCalendar=*-*-* 00,12:00:00\nRandomizedDelaySec=1h\nPersistent=true\n\n\
         [Install]\nWantedBy=timers.target\n"
        .to_owned();
    (service, timer)
}

/// Installs the schedule for `store`: systemd units when `systemd` (else a crontab line),
/// enabled at once.
pub fn install(run: &Run<'_>, scope: Scope, systemd: bool) -> Result<Schedule, ScheduleError> {
    if !systemd {
        return install_cron(run, scope);
    }
    let dir = unit_dir(scope)?;
    let (service, timer) = units(run);
    let files = vec![
        dir.join(format!("{NAME}.service")),
        dir.join(format!("{NAME}.timer")),
    ];
    std::fs::create_dir_all(&dir).map_err(|source| ScheduleError::Write {
        path: dir.clone(),
        source,
    })?;
    for (path, text) in files.iter().zip([service, timer]) {
        std::fs::write(path, text).map_err(|source| ScheduleError::Write {
            path: path.clone(),
            source,
        })?;
    }
    systemctl(scope, &["daemon-reload"], &dir)?;
    systemctl(scope, &["enable", "--now", &format!("{NAME}.timer")], &dir)?;
    Ok(Schedule {
        kind: Kind::Systemd,
        scope,
        files,
        line: None,
    })
}

/// What is installed for `scope`: unit files, else certdesk's crontab line.
pub fn status(scope: Scope) -> Result<Option<Schedule>, ScheduleError> {
    let dir = unit_dir(scope)?;
    let files: Vec<PathBuf> = ["service", "timer"]
        .iter()
        .map(|ext| dir.join(format!("{NAME}.{ext}")))
        .filter(|p| p.is_file())
        .collect();
    if !files.is_empty() {
        return Ok(Some(Schedule {
            kind: Kind::Systemd,
            scope,
            files,
            line: None,
        }));
    }
    if systemd_runs() {
        return Ok(None);
    }
    Ok(crontab_lines()?
        .into_iter()
        .find(|l| l.ends_with(CRON_MARK))
        .map(|line| Schedule {
            kind: Kind::Cron,
            scope,
            files: Vec::new(),
            line: Some(line),
        }))
}

/// Whether a schedule is installed for the user or the system (unit files only: no
/// process is started, so the window may ask every frame it needs to).
pub fn any_units() -> bool {
    [Scope::User, Scope::System]
        .into_iter()
        .any(|scope| unit_dir(scope).is_ok_and(|d| d.join(format!("{NAME}.timer")).is_file()))
}

/// Removes the schedule of `scope`: what was removed.
pub fn remove(scope: Scope) -> Result<Option<Schedule>, ScheduleError> {
    let Some(found) = status(scope)? else {
        return Ok(None);
    };
    match found.kind {
        Kind::Systemd => {
            let dir = unit_dir(scope)?;
            // Stopping the timer is best effort: without a bus the files still go.
            let _ = systemctl(scope, &["disable", "--now", &format!("{NAME}.timer")], &dir);
            for path in &found.files {
                std::fs::remove_file(path).map_err(|source| ScheduleError::Write {
                    path: path.clone(),
                    source,
                })?;
            }
            let _ = systemctl(scope, &["daemon-reload"], &dir);
        }
        Kind::Cron => {
            let kept: Vec<String> = crontab_lines()?
                .into_iter()
                .filter(|l| !l.ends_with(CRON_MARK))
                .collect();
            write_crontab(&kept)?;
        }
    }
    Ok(Some(found))
}

fn systemctl(scope: Scope, args: &[&str], dir: &Path) -> Result<(), ScheduleError> {
    let mut command = Command::new("systemctl");
    if scope == Scope::User {
        command.arg("--user");
    }
    let out = command
        .args(args)
        .output()
        .map_err(|e| ScheduleError::Tool {
            program: "systemctl",
            message: e.to_string(),
        })?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    if scope == Scope::User && (said.contains("bus") || said.contains("Bus")) {
        return Err(ScheduleError::NoUserBus(dir.to_path_buf()));
    }
    Err(ScheduleError::Tool {
        program: "systemctl",
        message: crate::text::message(said.trim()),
    })
}

/// The line: twice a day at a minute chosen now, so that machines do not all run at once.
fn install_cron(run: &Run<'_>, scope: Scope) -> Result<Schedule, ScheduleError> {
    let mut byte = [0u8; 1];
    let minute = getrandom::fill(&mut byte).map_or(17, |()| byte[0] % 60);
    let environment = run.keytab.map(keytab_env);
    let command: Vec<String> = environment
        .iter()
        .chain(&run_args(run.exe, run.store))
        .map(|w| crate::ops::command_line::quote(w))
        .collect();
    let line = format!("{minute} 0,12 * * * {} {CRON_MARK}", command.join(" "));
    let mut lines: Vec<String> = crontab_lines()?
        .into_iter()
        .filter(|l| !l.ends_with(CRON_MARK))
        .collect();
    lines.push(line.clone());
    write_crontab(&lines)?;
    Ok(Schedule {
        kind: Kind::Cron,
        scope,
        files: Vec::new(),
        line: Some(line),
    })
}

/// The program that edits crontabs (`crontab`, or `$CERTDESK_CRONTAB`).
fn crontab() -> Command {
    Command::new(std::env::var_os("CERTDESK_CRONTAB").unwrap_or_else(|| "crontab".into()))
}

fn crontab_lines() -> Result<Vec<String>, ScheduleError> {
    let out = match crontab().arg("-l").output() {
        Ok(out) => out,
        // No cron here: no line either.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(ScheduleError::Tool {
                program: "crontab",
                message: e.to_string(),
            });
        }
    };
    // `crontab -l` fails when the user has none yet: that is an empty one.
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

fn write_crontab(lines: &[String]) -> Result<(), ScheduleError> {
    use std::io::Write;
    let mut child = crontab()
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| ScheduleError::Tool {
            program: "crontab",
            message: e.to_string(),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let text = lines.join("\n") + "\n";
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| ScheduleError::Tool {
                program: "crontab",
                message: e.to_string(),
            })?;
    }
    let out = child.wait_with_output().map_err(|e| ScheduleError::Tool {
        program: "crontab",
        message: e.to_string(),
    })?;
    if !out.status.success() {
        return Err(ScheduleError::Tool {
            program: "crontab",
            message: crate::text::message(String::from_utf8_lossy(&out.stderr).trim()),
        });
    }
    Ok(())
}
