//! `certdesk schedule install|status|remove`: the renewal timer ([`crate::schedule`]).

use std::path::PathBuf;

use super::CliError;
use super::commands::print_json;
use super::terminal::outln;
use crate::schedule::{self, Kind, Schedule, ScheduleError, Scope};

/// What to do with the schedule.
#[derive(Debug, clap::Subcommand)]
pub enum ScheduleAction {
    /// Write and enable the timer and service (or the crontab line) for this store.
    Install {
        #[command(flatten)]
        scope: ScopeArgs,
        /// A systemd timer even where systemd does not seem to run (default: when it runs).
        #[arg(long, conflicts_with = "cron")]
        systemd: bool,
        /// A crontab line even where systemd runs.
        #[arg(long)]
        cron: bool,
        /// Kerberos for AD CS from this keytab (owner-only), for runs with no one logged in:
        /// the runs' `KRB5_CLIENT_KTNAME`.
        #[arg(long, value_name = "FILE")]
        keytab: Option<PathBuf>,
    },
    /// Say whether a schedule is installed.
    Status {
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Remove the timer and service (or the crontab line).
    Remove {
        #[command(flatten)]
        scope: ScopeArgs,
    },
}

/// `--user` (default) or `--system`.
#[derive(Debug, clap::Args)]
pub struct ScopeArgs {
    /// The user's own systemd instance (the default).
    #[arg(long, conflicts_with = "system")]
    user: bool,
    /// The system's (as root: /etc/systemd/system).
    #[arg(long)]
    system: bool,
}

impl ScopeArgs {
    fn scope(&self) -> Scope {
        if self.system && !self.user {
            Scope::System
        } else {
            Scope::User
        }
    }
}

fn error(e: ScheduleError) -> CliError {
    match e {
        ScheduleError::Keytab { .. } => CliError::bad_input(e.to_string()),
        _ => CliError::refused(e.to_string()),
    }
}

fn print(found: &Schedule, verb: &str) {
    match found.kind {
        Kind::Systemd => {
            for file in &found.files {
                outln!("{verb} {}", file.display());
            }
        }
        Kind::Cron => outln!(
            "{verb} the crontab line: {}",
            crate::text::escape(found.line.as_deref().unwrap_or_default())
        ),
    }
}

/// Runs a `schedule` action for the store `store` (`--store`, else the default).
pub fn schedule(
    action: &ScheduleAction,
    store: Option<PathBuf>,
    json: bool,
) -> Result<(), CliError> {
    match action {
        ScheduleAction::Install {
            scope,
            systemd,
            cron,
            keytab,
        } => {
            let exe = std::env::current_exe()
                .map_err(|e| CliError::refused(format!("cannot find certdesk's own path: {e}")))?;
            let dir = super::store_dir(store)?;
            let dir = std::path::absolute(&dir).unwrap_or(dir);
            let with_systemd = *systemd || (!*cron && schedule::systemd_runs());
            let keytab = match keytab {
                Some(k) => Some(schedule::check_keytab(k).map_err(error)?),
                None => None,
            };
            let store = dir.display().to_string();
            let run = schedule::Run {
                exe: &exe,
                store: &store,
                keytab: keytab.as_deref(),
            };
            let found = schedule::install(&run, scope.scope(), with_systemd).map_err(error)?;
            if json {
                return print_json(&found);
            }
            print(&found, "installed");
            Ok(())
        }
        ScheduleAction::Status { scope } => {
            let found = schedule::status(scope.scope()).map_err(error)?;
            if json {
                return print_json(&serde_json::json!({ "installed": found }));
            }
            match &found {
                Some(found) => print(found, "installed:"),
                None => outln!("no renewal schedule is installed (`certdesk schedule install`)"),
            }
            Ok(())
        }
        ScheduleAction::Remove { scope } => {
            let found = schedule::remove(scope.scope()).map_err(error)?;
            if json {
                return print_json(&serde_json::json!({ "removed": found }));
            }
            match &found {
                Some(found) => print(found, "removed"),
                None => outln!("no renewal schedule was installed"),
            }
            Ok(())
        }
    }
}
