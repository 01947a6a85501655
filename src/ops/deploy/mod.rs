//! Deploy targets (`certdesk deploy`, the Deploy targets dialog): where a certificate's
//! files go, and the run that puts them there and proves it.
//!
//! A run writes every file to a temporary name beside its final one, then keeps the current
//! files as `NAME.previous` and renames the new ones over them ([`local`], or [`ssh`] on
//! another host), runs the reload command, and probes the target until it serves the new
//! certificate ([`proof`]). When the reload or the proof fails, the previous files are put
//! back and the reload runs again: nothing is left half-deployed. A failed run sends a
//! notification ([`crate::ops::notify`]); every run's outcome is kept on its target.

pub mod destination;
mod files;
mod local;
mod process;
mod proof;
mod ssh;

use std::path::Path;
use std::time::Duration;

use crate::deploy::usage::UsageType;
use crate::net::probe::Target;
use crate::ops::command_line::quote;
use crate::ops::export::{ExportError, pfx_refusal};
use crate::ops::notify::{self, Event};
use crate::ops::words;
use crate::store::db::Sql;
use crate::store::deploys::write;
use crate::store::log::{self, LogEntry};
use crate::store::{
    DeployFormat, DeploySource, DeployTarget, LastRun, Location, Store, StoreError, TargetSettings,
};
use destination::{Destination, DestinationError};
use files::DeployFile;
pub use process::ProcessError;

/// How long the proof may take unless the target says otherwise, seconds.
pub const DEFAULT_PROOF_SECONDS: i64 = 30;
/// The longest proof a target may ask for, seconds.
pub const MAX_PROOF_SECONDS: i64 = 600;
/// How long one SSH call (one file, the renames) may take.
pub(crate) const SSH_LIMIT: Duration = Duration::from_secs(60);
/// How long the reload command may take.
pub(crate) const RELOAD_LIMIT: Duration = Duration::from_secs(120);
/// What a kept previous file's name ends with.
pub(crate) const PREVIOUS: &str = ".previous";
/// The longest reload command.
const MAX_RELOAD: usize = 1024;

/// The temporary name a file is written to before it is renamed into place.
pub(crate) fn temporary(name: &str) -> String {
    format!(".{name}.certdesk-tmp")
}

/// Why a target cannot be saved, or a deploy failed: one sentence each.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The store failed, or a name is unknown.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A target's setting cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// The destination cannot be used.
    #[error(transparent)]
    Destination(#[from] DestinationError),
    /// The usage holds no certificate.
    #[error("no certificate is assigned to {0}, so there is nothing to deploy")]
    NoCertificate(&'static str),
    /// The key cannot leave the store.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A PFX target without its password.
    #[error("a pfx target needs a password for the file: give --password-file")]
    NoPassword,
    /// A local file cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// `ssh` or the reload command could not run, or ran too long.
    #[error(transparent)]
    Process(#[from] ProcessError),
    /// The host's key is not the one known_hosts holds.
    #[error(
        "the SSH host key of {0} is not the one known_hosts holds for it (it changed), so nothing was sent there; if the server's key really changed, update known_hosts"
    )]
    HostKeyChanged(String),
    /// known_hosts has no key for the host.
    #[error(
        "known_hosts has no SSH host key for {0}, so nothing was sent there; add the server's key to known_hosts (or give --known-hosts)"
    )]
    HostKeyUnknown(String),
    /// SSH could not connect or sign in.
    #[error("cannot reach {host} over SSH: {message}")]
    Ssh {
        /// `host:port`.
        host: String,
        /// What ssh said.
        message: String,
    },
    /// A step on the remote host failed.
    #[error("{what} on {host} failed: {message}")]
    Remote {
        /// `host:port`.
        host: String,
        /// The step.
        what: String,
        /// What the shell said.
        message: String,
    },
    /// The reload command failed.
    #[error("the reload command `{command}` failed with exit code {code}: {message}")]
    Reload {
        /// The command.
        command: String,
        /// Its exit code.
        code: i32,
        /// What it said on stderr.
        message: String,
    },
    /// The probe never saw the new certificate.
    #[error("{probe} did not serve the new certificate {wanted} within {seconds} s: {seen}")]
    Proof {
        /// `HOST:PORT`.
        probe: String,
        /// The deployed certificate's thumbprint.
        wanted: String,
        /// The bound, seconds.
        seconds: i64,
        /// What it served instead.
        seen: String,
    },
}

fn invalid(message: impl Into<String>) -> DeployError {
    DeployError::Invalid(message.into())
}

/// A local file an SSH option names: it must exist, and is kept absolute; white space or
/// quotes would split `ssh -o`'s value.
fn ssh_file(path: Option<&str>, what: &str) -> Result<Option<String>, DeployError> {
    let Some(path) = path else { return Ok(None) };
    if path.is_empty()
        || path
            .chars()
            .any(|c| c.is_whitespace() || "\"'\\".contains(c))
    {
        return Err(invalid(format!(
            "the {what} path cannot hold white space, quotes or backslashes"
        )));
    }
    let absolute = std::path::absolute(path).map_err(|e| invalid(e.to_string()))?;
    if !absolute.is_file() {
        return Err(invalid(format!(
            "the {what} {} is not a file",
            absolute.display()
        )));
    }
    Ok(Some(absolute.display().to_string()))
}

/// The thumbprint a target deploys at `now` (none: its usage holds nothing).
fn current_thumbprint(
    store: &Store,
    source: &DeploySource,
    now: i64,
) -> Result<String, DeployError> {
    match source {
        DeploySource::Certificate(t) => latest_successor(store, t),
        DeploySource::Usage(usage) => store
            .assignments()?
            .into_iter()
            .find(|a| a.usage == *usage)
            .map(|a| a.at(now).thumbprint)
            .ok_or(DeployError::NoCertificate(usage.as_str())),
    }
}

/// The certificate that renewed `thumbprint` (of Computer), and the one that renewed that,
/// and so on: a target of one certificate deploys its renewals. At most 64 steps, so a
/// database made to loop cannot hold a run.
fn latest_successor(store: &Store, thumbprint: &str) -> Result<String, DeployError> {
    let rows = store.renewal_rows()?;
    let mut current = thumbprint.to_owned();
    for _ in 0..64 {
        let next = rows.iter().find(|r| {
            r.location == Some(Location::Computer) && r.thumbprint.eq_ignore_ascii_case(&current)
        });
        match next.and_then(|r| r.renewed_by.clone()) {
            Some(successor) => current = successor,
            None => break,
        }
    }
    Ok(current)
}

/// Checks a described target and turns it into the stored one (a thumbprint prefix made
/// whole, paths absolute); refuses a certificate whose key cannot be deployed.
fn validate(store: &Store, new: &TargetSettings, now: i64) -> Result<DeployTarget, DeployError> {
    let name_ok = !new.name.is_empty()
        && new.name.len() <= 64
        && !new.name.starts_with(['.', '-'])
        && new
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !name_ok {
        return Err(invalid(format!(
            "\"{}\" cannot name a deploy target: use up to 64 letters, digits, dots, dashes and underscores",
            crate::text::escape(&new.name)
        )));
    }
    let destination = match destination::parse(&new.destination)? {
        Destination::Local(dir) => dir.display().to_string(),
        Destination::Remote(_) => new.destination.clone(),
    };
    if let Some(reload) = &new.reload
        && (reload.trim().is_empty()
            || reload.len() > MAX_RELOAD
            || reload.chars().any(crate::text::is_control))
    {
        return Err(invalid(format!(
            "the reload command must be one line of at most {MAX_RELOAD} characters"
        )));
    }
    if let Some(probe) = &new.probe {
        Target::parse(probe, 443).map_err(|e| invalid(e.to_string()))?;
    }
    if !(1..=MAX_PROOF_SECONDS).contains(&new.proof_seconds) {
        return Err(invalid(format!(
            "the proof may take 1 to {MAX_PROOF_SECONDS} seconds"
        )));
    }
    let source = match &new.source {
        DeploySource::Certificate(t) => {
            DeploySource::Certificate(store.find(Location::Computer, t)?.summary.thumbprint)
        }
        usage @ DeploySource::Usage(_) => usage.clone(),
    };
    match current_thumbprint(store, &source, now) {
        Ok(thumbprint) => {
            let cert = store.find(Location::Computer, &thumbprint)?;
            if let Some(refusal) = pfx_refusal(&cert) {
                return Err(refusal.into());
            }
        }
        Err(DeployError::NoCertificate(_)) => {}
        Err(e) => return Err(e),
    }
    Ok(DeployTarget {
        settings: TargetSettings {
            name: new.name.clone(),
            source,
            destination,
            format: new.format,
            reload: new.reload.clone(),
            probe: new.probe.clone(),
            identity: ssh_file(new.identity.as_deref(), "SSH key")?,
            known_hosts: ssh_file(new.known_hosts.as_deref(), "known_hosts file")?,
            proof_seconds: new.proof_seconds,
        },
        has_password: false,
        added: now,
        last: None,
    })
}

/// `certdesk deploy add|edit …` for `target`.
fn command(target: &DeployTarget, edit: bool, password: bool) -> String {
    let mut cmd = format!(
        "certdesk deploy {} {} ",
        if edit { "edit" } else { "add" },
        quote(&target.settings.name)
    );
    match &target.settings.source {
        DeploySource::Usage(u) => cmd.push_str(&format!("--usage {}", u.as_str())),
        DeploySource::Certificate(t) => cmd.push_str(&format!("--cert {t}")),
    }
    cmd.push_str(&format!(" --to {}", quote(&target.settings.destination)));
    if target.settings.format == DeployFormat::Pfx {
        cmd.push_str(" --format pfx");
    }
    let options = [
        ("--reload", target.settings.reload.as_deref()),
        ("--probe", target.settings.probe.as_deref()),
        ("--identity", target.settings.identity.as_deref()),
        ("--known-hosts", target.settings.known_hosts.as_deref()),
    ];
    for (flag, value) in options {
        if let Some(value) = value {
            cmd.push_str(&format!(" {flag} {}", quote(value)));
        }
    }
    if target.settings.proof_seconds != DEFAULT_PROOF_SECONDS {
        cmd.push_str(&format!(
            " --proof-within {}",
            target.settings.proof_seconds
        ));
    }
    if password {
        cmd.push_str(" --password-file '<password-file>'");
    }
    cmd
}

/// Adds a deploy target (`replace`: changes the one of that name; a password not given
/// keeps the stored one while the destination and format stay). Refused, changing
/// nothing, when a setting cannot be used or the certificate's key cannot be deployed.
pub fn save(
    store: &mut Store,
    new: &TargetSettings,
    password: Option<&str>,
    replace: bool,
    now: i64,
) -> Result<DeployTarget, DeployError> {
    let target = validate(store, new, now)?;
    let password = password.filter(|p| !p.is_empty());
    if target.settings.format == DeployFormat::Pfx && password.is_none() {
        let kept = replace
            && store.deploy_target(&target.settings.name).is_ok_and(|old| {
                old.has_password
                    && old.settings.destination == target.settings.destination
                    && old.settings.format == target.settings.format
            });
        if !kept {
            return Err(DeployError::NoPassword);
        }
    }
    let cmd = command(&target, replace, password.is_some());
    let details = words::TargetSaved {
        target: &target,
        replaced: replace,
    }
    .to_string();
    store.transaction(|tx, secret| {
        write::put(tx, secret, &target, password, replace)?;
        log_target(tx, details, cmd, now)
    })?;
    Ok(store.deploy_target(&target.settings.name)?)
}

/// Removes a deploy target (the files it deployed stay where they are).
pub fn remove(store: &mut Store, name: &str, now: i64) -> Result<(), DeployError> {
    store.transaction(|tx, _| {
        write::delete(tx, name)?;
        let command = format!("certdesk deploy remove {}", quote(name));
        log_target(tx, words::TargetRemoved(name).to_string(), command, now)
    })
}

/// The log entry of a target added, changed or removed.
fn log_target(tx: Sql<'_>, details: String, command: String, now: i64) -> Result<(), DeployError> {
    let entry = LogEntry::new(now, Location::Computer, "deploy", details, command);
    log::append(tx, &entry)?;
    Ok(())
}

/// Which targets a run deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which<'a> {
    /// Every target.
    All,
    /// The target of this name.
    Named(&'a str),
    /// The targets of this usage.
    Usage(UsageType),
    /// The targets that deploy this certificate (by thumbprint, or through the usage that
    /// holds it): what a renewal calls once its usages are rolled.
    Certificate(&'a str),
    /// The targets whose certificate is not the one they last deployed well: a renewal, a
    /// staged roll come due, a last run that failed, or no run yet (what `renew --due`
    /// runs after its renewals).
    Stale,
}

/// How one target's run ended.
#[derive(Debug, serde::Serialize)]
pub struct RunReport {
    /// The target.
    pub target: String,
    /// Where it deploys.
    pub destination: String,
    /// The certificate deployed (or tried).
    pub thumbprint: Option<String>,
    /// The files written.
    pub files: Vec<String>,
    /// Whether it was deployed (and proved, when the target has a probe).
    pub ok: bool,
    /// The proof: what the probe saw, when the target has one and the run got that far.
    pub proof: Option<String>,
    /// Whether the previous files were put back.
    pub rolled_back: bool,
    /// What happened, one sentence.
    pub message: String,
    /// How the failure's notification went (none configured, or a success: none).
    pub notification: Option<String>,
    /// The failure, typed.
    #[serde(skip)]
    pub error: Option<DeployError>,
}

/// Where a run writes.
enum Place<'a> {
    Local(&'a Path),
    Remote(ssh::Ssh<'a>),
}

impl Place<'_> {
    fn stage(&self, files: &[DeployFile]) -> Result<(), DeployError> {
        match self {
            Place::Local(dir) => local::stage(dir, files),
            Place::Remote(ssh) => ssh.stage(files),
        }
    }

    fn discard(&self, names: &[String]) {
        match self {
            Place::Local(dir) => local::discard(dir, names),
            Place::Remote(ssh) => ssh.discard(names),
        }
    }

    fn keep_previous(&self, names: &[String]) -> Result<(), DeployError> {
        match self {
            Place::Local(dir) => local::keep_previous(dir, names),
            Place::Remote(ssh) => ssh.keep_previous(names),
        }
    }

    fn swap(&self, names: &[String]) -> Result<(), DeployError> {
        match self {
            Place::Local(dir) => local::swap(dir, names),
            Place::Remote(ssh) => ssh.swap(names),
        }
    }

    fn rollback(&self, names: &[String]) -> Result<(), DeployError> {
        match self {
            Place::Local(dir) => local::rollback(dir, names),
            Place::Remote(ssh) => ssh.rollback(names),
        }
    }

    fn reload(&self, command: &str) -> Result<(), DeployError> {
        match self {
            Place::Local(dir) => local::reload(dir, command),
            Place::Remote(ssh) => ssh.reload(command),
        }
    }
}

/// A failed step and whether the previous files are back in place.
struct Failure {
    error: DeployError,
    rolled_back: bool,
    /// Why putting them back failed, when it did.
    rollback_error: Option<Box<DeployError>>,
    /// Why reloading the previous files failed, when it did.
    reload_error: Option<Box<DeployError>>,
}

impl Failure {
    /// Nothing was changed at the target.
    fn untouched(error: DeployError) -> Self {
        Self {
            error,
            rolled_back: false,
            rollback_error: None,
            reload_error: None,
        }
    }

    /// What became of the target, the end of the sentence.
    fn tail(&self) -> String {
        match (&self.rollback_error, &self.reload_error, self.rolled_back) {
            (Some(e), _, _) => format!("putting the previous files back failed too: {e}"),
            (None, Some(e), _) => {
                format!("the previous files were put back, but reloading them failed too: {e}")
            }
            (None, None, true) => "the previous files were put back".to_owned(),
            (None, None, false) => "nothing was changed there".to_owned(),
        }
    }
}

/// Puts the previous files back and reloads again.
fn roll_back(
    place: &Place<'_>,
    names: &[String],
    reload: Option<&str>,
    error: DeployError,
) -> Failure {
    let mut failure = Failure {
        error,
        rolled_back: true,
        rollback_error: None,
        reload_error: None,
    };
    match place.rollback(names) {
        Err(e) => failure.rollback_error = Some(Box::new(e)),
        Ok(()) => {
            failure.reload_error = reload.and_then(|r| place.reload(r).err().map(Box::new));
        }
    }
    failure
}

/// Writes, reloads and proves; the proof's sentence on success.
fn deploy(
    place: &Place<'_>,
    target: &DeployTarget,
    files: &[DeployFile],
    thumbprint: &str,
) -> Result<Option<String>, Failure> {
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let untouched = Failure::untouched;
    if let Err(e) = place
        .stage(files)
        .and_then(|()| place.keep_previous(&names))
    {
        place.discard(&names);
        return Err(untouched(e));
    }
    // From here each file is the new one or, with its `.previous` beside it, the old one.
    if let Err(e) = place.swap(&names) {
        return Err(roll_back(place, &names, None, e));
    }
    let reload = target.settings.reload.as_deref();
    if let Some(command) = reload
        && let Err(e) = place.reload(command)
    {
        return Err(roll_back(place, &names, reload, e));
    }
    let Some(probe) = &target.settings.probe else {
        return Ok(None);
    };
    let parsed = Target::parse(probe, 443).map_err(|e| untouched(invalid(e.to_string())))?;
    let within = Duration::from_secs(target.settings.proof_seconds.unsigned_abs());
    match proof::prove(&parsed, thumbprint, within) {
        Ok(()) => Ok(Some(format!("{probe} serves {thumbprint}"))),
        Err(seen) => {
            let seen = match seen {
                proof::Seen::Other(other) => format!("it still serves {other}"),
                proof::Seen::Nothing(why) => why,
            };
            let error = DeployError::Proof {
                probe: probe.clone(),
                wanted: thumbprint.to_owned(),
                seconds: target.settings.proof_seconds,
                seen,
            };
            Err(roll_back(place, &names, reload, error))
        }
    }
}

/// Deploys one target: its files written, reloaded, proved; on failure put back as it was
/// and a notification sent. The outcome is kept on the target, and a success logged.
fn run_target(
    store: &mut Store,
    target: &DeployTarget,
    now: i64,
) -> Result<RunReport, DeployError> {
    let mut report = RunReport {
        target: target.settings.name.clone(),
        destination: target.settings.destination.clone(),
        thumbprint: None,
        files: files::names(target.settings.format, &target.settings.name),
        ok: false,
        proof: None,
        rolled_back: false,
        message: String::new(),
        notification: None,
        error: None,
    };
    let outcome = attempt(store, target, now, &mut report);
    match outcome {
        Ok(proof) => {
            report.ok = true;
            report.message = match &proof {
                Some(p) => format!("deployed to {}; {p}", target.settings.destination),
                None => format!("deployed to {}", target.settings.destination),
            };
            report.proof = proof;
        }
        Err(failure) => {
            report.rolled_back = failure.rolled_back;
            report.message = format!("{}; {}", failure.error, failure.tail());
            report.error = Some(failure.error);
        }
    }
    let run = LastRun {
        time: now,
        thumbprint: report.thumbprint.clone(),
        ok: report.ok,
        message: report.message.clone(),
    };
    let details = format!("deploy target {}: {}", target.settings.name, report.message);
    let ok = report.ok;
    store.transaction(|tx, _| {
        write::record_run(tx, &target.settings.name, &run)?;
        if ok {
            log::append(
                tx,
                &LogEntry::new(
                    now,
                    Location::Computer,
                    "deploy",
                    details,
                    format!("certdesk deploy run {}", quote(&target.settings.name)),
                ),
            )?;
        }
        Ok::<_, StoreError>(())
    })?;
    if !report.ok {
        let event = Event::DeployFailed {
            target: target.settings.name.clone(),
            thumbprint: report.thumbprint.clone(),
            message: report.message.clone(),
        };
        report.notification = match notify::send(store, &event, now) {
            Ok(sent) if sent.is_empty() => None,
            Ok(sent) => Some(format!("sent by {}", sent.join(" and "))),
            Err(e) => Some(format!("not sent: {e}")),
        };
    }
    Ok(report)
}

/// Everything up to the proof; fills in the thumbprint as soon as it is known.
fn attempt(
    store: &Store,
    target: &DeployTarget,
    now: i64,
    report: &mut RunReport,
) -> Result<Option<String>, Failure> {
    let untouched = Failure::untouched;
    let thumbprint = current_thumbprint(store, &target.settings.source, now).map_err(untouched)?;
    report.thumbprint = Some(thumbprint.clone());
    let prepared = (|| {
        let cert = store.find(Location::Computer, &thumbprint)?;
        let password = match target.settings.format {
            DeployFormat::Pfx => store.deploy_password(&target.settings.name)?,
            DeployFormat::Pem => None,
        };
        let files = files::build(
            store,
            &cert,
            target.settings.format,
            &target.settings.name,
            password.as_deref().map(String::as_str),
        )?;
        let destination = destination::parse(&target.settings.destination)?;
        Ok::<_, DeployError>((files, destination))
    })();
    let (files, destination) = prepared.map_err(untouched)?;
    match &destination {
        Destination::Local(dir) => deploy(&Place::Local(dir), target, &files, &thumbprint),
        Destination::Remote(remote) => {
            let ssh = ssh::Ssh {
                remote,
                identity: target.settings.identity.as_deref(),
                known_hosts: target.settings.known_hosts.as_deref(),
            };
            deploy(&Place::Remote(ssh), target, &files, &thumbprint)
        }
    }
}

/// Deploys the targets `which` selects, one after the other; each report says how its run
/// ended (a failed one was put back and notified). An error only when the store fails or
/// a named target does not exist.
pub fn run_for(
    store: &mut Store,
    which: Which<'_>,
    now: i64,
) -> Result<Vec<RunReport>, DeployError> {
    let targets = match which {
        Which::Named(name) => vec![store.deploy_target(name)?],
        _ => {
            let mut chosen = Vec::new();
            for target in store.deploy_targets()? {
                let take = match (which, &target.settings.source) {
                    (Which::All, _) => true,
                    (Which::Usage(u), DeploySource::Usage(v)) => u == *v,
                    (Which::Certificate(t), source) => current_thumbprint(store, source, now)
                        .is_ok_and(|current| current.eq_ignore_ascii_case(t)),
                    (Which::Stale, source) => {
                        // A usage that holds no certificate has nothing to deploy: not a
                        // failure of every scheduled run.
                        match (&target.last, current_thumbprint(store, source, now)) {
                            (_, Err(_)) => false,
                            (None, Ok(_)) => true,
                            (Some(last), Ok(current)) => {
                                !last.ok || last.thumbprint.as_deref() != Some(current.as_str())
                            }
                        }
                    }
                    _ => false,
                };
                if take {
                    chosen.push(target);
                }
            }
            chosen
        }
    };
    targets
        .iter()
        .map(|target| run_target(store, target, now))
        .collect()
}
