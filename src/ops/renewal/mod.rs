//! Unattended renewal (DOMAIN.md, "Unattended renewal"): which certificates are tracked
//! (every one in force, assigned or staged for a usage, and those `certdesk track` adds),
//! when each is due ([`due`]), and `certdesk renew --due` ([`run`]), which renews the due
//! ones through [`super::renew`] and rolls their usages through [`super::assign`].

pub mod due;
pub mod follow;
pub mod run;

use crate::deploy::usage::UsageType;
use crate::ops::command_line;
use crate::store::log::{self, LogEntry};
use crate::store::renewals::{RenewalRow, write};
use crate::store::{Location, Logical, Store, StoreError, StoredCert};
use due::Rule;

/// Why a tracking change or the list of tracked certificates failed.
#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    /// The store failed, or the certificate is not there.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Only certificates of Personal are renewed.
    #[error("{0} is not in Personal: only a certificate of Personal can be renewed, so tracked")]
    NotPersonal(String),
    /// An assigned certificate is tracked as long as it is assigned.
    #[error(
        "{thumbprint} is in force for {usages}: it is tracked as long as it is assigned (unassign it first)"
    )]
    InForce {
        /// The certificate.
        thumbprint: String,
        /// Its usages.
        usages: String,
    },
    /// Nothing to untrack.
    #[error("{0} is not tracked")]
    NotTracked(String),
}

/// Why a certificate is tracked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// It is assigned (or staged) for a usage.
    InForce,
    /// `certdesk track` added it.
    Tracked,
}

/// A tracked certificate and when it renews.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Tracked {
    /// Its thumbprint.
    pub thumbprint: String,
    /// Its friendly name.
    pub friendly_name: String,
    /// What it is issued to.
    pub issued_to: String,
    /// Its expiry, Unix seconds.
    pub not_after: i64,
    /// The CA that issued it (where renewal goes), when certdesk requested it.
    pub ca: Option<String>,
    /// Why it is tracked.
    pub reason: Reason,
    /// The usages it holds (in force or staged).
    pub usages: Vec<UsageType>,
    /// Renewed with its own key rather than a new one.
    pub same_key: bool,
    /// When it is due, Unix seconds.
    pub due_at: i64,
    /// The rule that decided it.
    #[serde(flatten)]
    pub rule: Rule,
    /// The rule in words.
    pub rule_text: String,
    /// Why the CA's renewal information was not used, when it was asked and failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The last unattended attempt, Unix seconds.
    pub last_attempt: Option<i64>,
    /// What it gave.
    pub last_outcome: Option<String>,
    /// Whether it failed.
    pub last_failed: bool,
}

impl Tracked {
    /// Whether it is due at `now`.
    pub fn is_due(&self, now: i64) -> bool {
        self.due_at <= now
    }
}

/// Adds a certificate of Personal to the tracked ones; `same_key` sets its policy (renewed
/// with its own key). A certificate in force may be given, to set its policy.
pub fn track(
    store: &mut Store,
    location: Location,
    thumbprint: &str,
    same_key: bool,
    now: i64,
) -> Result<String, TrackError> {
    let cert = personal(store, location, thumbprint)?;
    let thumbprint = cert.summary.thumbprint.clone();
    store.transaction(|tx, _| {
        let mut row = write::get(tx, location, &thumbprint)?.unwrap_or_else(|| RenewalRow {
            thumbprint: thumbprint.clone(),
            ..RenewalRow::default()
        });
        row.tracked = true;
        row.same_key = same_key;
        row.renewed_by = None;
        write::put(tx, location, &row)?;
        let command = format!(
            "{} track {thumbprint}{}",
            command_line::base(location),
            if same_key { " --same-key" } else { "" }
        );
        let details = format!(
            "\"{}\" tracked for renewal{}",
            label(&cert),
            if same_key { " with the same key" } else { "" }
        );
        log::append(tx, &LogEntry::new(now, location, "track", details, command))?;
        Ok::<_, TrackError>(())
    })?;
    Ok(thumbprint)
}

/// Removes a certificate that `certdesk track` added.
pub fn untrack(
    store: &mut Store,
    location: Location,
    thumbprint: &str,
    now: i64,
) -> Result<String, TrackError> {
    let cert = store.find(location, thumbprint)?;
    let thumbprint = cert.summary.thumbprint.clone();
    let usages = usages_of(store, location, &thumbprint, now)?;
    if !usages.is_empty() {
        return Err(TrackError::InForce {
            thumbprint,
            usages: usages
                .iter()
                .map(|u| u.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    store.transaction(|tx, _| {
        let mut row = write::get(tx, location, &thumbprint)?
            .filter(|r| r.tracked)
            .ok_or_else(|| TrackError::NotTracked(thumbprint.clone()))?;
        row.tracked = false;
        write::put(tx, location, &row)?;
        let command = format!("{} untrack {thumbprint}", command_line::base(location));
        let details = format!("\"{}\" no longer tracked for renewal", label(&cert));
        log::append(
            tx,
            &LogEntry::new(now, location, "untrack", details, command),
        )?;
        Ok::<_, TrackError>(())
    })?;
    Ok(thumbprint)
}

/// Every tracked certificate of `location`'s Personal with when it is due, by the stored
/// renewal windows only (no network: the window's list); soonest first.
pub fn tracked(store: &Store, location: Location, now: i64) -> Result<Vec<Tracked>, StoreError> {
    let rows = store.renewal_rows()?;
    let mut list: Vec<Tracked> = candidates(store, location, &rows, now)?
        .into_iter()
        .map(
            |Candidate {
                 cert,
                 reason,
                 usages,
             }| {
                let row = rows.iter().find(|r| {
                    r.location == Some(location) && r.thumbprint == cert.summary.thumbprint
                });
                let (due_at, rule) = match row.and_then(|r| r.ari) {
                    Some(choice) => due::by_window(choice),
                    None => due::by_lifetime(cert.summary.not_before, cert.summary.not_after),
                };
                entry(&cert, reason, usages, row, (due_at, rule))
            },
        )
        .collect();
    list.sort_by(|a, b| (a.due_at, &a.thumbprint).cmp(&(b.due_at, &b.thumbprint)));
    Ok(list)
}

/// One list entry.
fn entry(
    cert: &StoredCert,
    reason: Reason,
    usages: Vec<UsageType>,
    row: Option<&RenewalRow>,
    (due_at, rule): (i64, Rule),
) -> Tracked {
    Tracked {
        thumbprint: cert.summary.thumbprint.clone(),
        friendly_name: cert.friendly_name.clone(),
        issued_to: cert.summary.issued_to().to_owned(),
        not_after: cert.summary.not_after,
        ca: cert.issuing_ca.clone(),
        reason,
        usages,
        same_key: row.is_some_and(|r| r.same_key),
        due_at,
        rule,
        rule_text: rule.to_string(),
        note: None,
        last_attempt: row.and_then(|r| r.last_attempt),
        last_outcome: row.and_then(|r| r.last_outcome.clone()),
        last_failed: row.is_some_and(|r| r.last_failed),
    }
}

/// A certificate renewal looks after.
struct Candidate {
    /// The certificate.
    cert: StoredCert,
    /// Why it is tracked.
    reason: Reason,
    /// The usages it holds, in force or staged.
    usages: Vec<UsageType>,
}

/// The tracked certificates of `location`'s Personal: in force (Computer only), staged, or
/// added by `track`; not those another certificate already renewed, nor those gone.
fn candidates(
    store: &Store,
    location: Location,
    rows: &[RenewalRow],
    now: i64,
) -> Result<Vec<Candidate>, StoreError> {
    let assignments: Vec<_> = match location {
        Location::Computer => store
            .assignments()?
            .into_iter()
            .map(|a| a.at(now))
            .collect(),
        Location::User => Vec::new(),
    };
    let mut wanted: Vec<(String, Reason)> = Vec::new();
    for a in &assignments {
        for thumb in std::iter::once(&a.thumbprint).chain(a.staged_thumbprint.as_ref()) {
            wanted.push((thumb.clone(), Reason::InForce));
        }
    }
    for r in rows
        .iter()
        .filter(|r| r.tracked && r.location == Some(location))
    {
        wanted.push((r.thumbprint.clone(), Reason::Tracked));
    }
    let mut out: Vec<Candidate> = Vec::new();
    for (thumb, reason) in wanted {
        if out.iter().any(|c| c.cert.summary.thumbprint == thumb) {
            continue;
        }
        let renewed = rows.iter().any(|r| {
            r.location == Some(location) && r.thumbprint == thumb && r.renewed_by.is_some()
        });
        let Ok(cert) = store.find(location, &thumb) else {
            continue;
        };
        if renewed || cert.logical != Logical::Personal || cert.system {
            continue;
        }
        let usages = assignments
            .iter()
            .filter(|a| a.thumbprint == thumb || a.staged_thumbprint.as_deref() == Some(&thumb))
            .map(|a| a.usage)
            .collect();
        out.push(Candidate {
            cert,
            reason,
            usages,
        });
    }
    Ok(out)
}

/// The usages a certificate holds, in force or staged.
fn usages_of(
    store: &Store,
    location: Location,
    thumbprint: &str,
    now: i64,
) -> Result<Vec<UsageType>, StoreError> {
    if location != Location::Computer {
        return Ok(Vec::new());
    }
    Ok(store
        .assignments()?
        .into_iter()
        .map(|a| a.at(now))
        .filter(|a| {
            a.thumbprint == thumbprint || a.staged_thumbprint.as_deref() == Some(thumbprint)
        })
        .map(|a| a.usage)
        .collect())
}

/// A certificate of Personal, or why not.
fn personal(store: &Store, location: Location, thumbprint: &str) -> Result<StoredCert, TrackError> {
    let cert = store.find(location, thumbprint)?;
    if cert.logical != Logical::Personal {
        return Err(TrackError::NotPersonal(cert.summary.thumbprint));
    }
    Ok(cert)
}

fn label(cert: &StoredCert) -> String {
    if cert.friendly_name.is_empty() {
        cert.summary.issued_to().to_owned()
    } else {
        cert.friendly_name.clone()
    }
}
