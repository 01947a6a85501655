//! `certdesk renew --due`: under the store's renewal lock (runs never overlap), asks each
//! tracked certificate's ACME CA for its renewal window where it offers one, then renews
//! every due certificate through the CA that issued it ([`crate::ops::renew`]: a new key
//! unless its policy keeps the key; the replaced certificate named in an ARI order) and
//! rolls its usages as `assign` does ([`crate::ops::assign`]: A/V and OAuth staged, with
//! their margin as the effective date; the others at once). A renewal a CA holds for
//! approval is followed up, never sent again: once `requests --poll` has stored what the CA
//! issued, it takes over. Each certificate's outcome is typed, for what runs after a
//! renewal (deploys, notifications).

use super::Tracked;
use super::due::{self, Asked};
use super::follow::{self, FollowUp};
use crate::ops::assign::{self, AssignError, AssignRequest};
use crate::ops::enroll::EnrollError;
use crate::ops::enroll::OnlineOptions;
use crate::ops::renew::{self, Renewal};
use crate::pki::timefmt;
use crate::store::log::{self, LogEntry};
use crate::store::renewals::{RenewalRow, write};
use crate::store::{Location, Logical, Store, StoreError};

/// What `renew --due` is asked.
#[derive(Debug, Clone)]
pub struct DueRun {
    /// The location whose Personal certificates are renewed.
    pub location: Location,
    /// How an online CA is reached.
    pub options: OnlineOptions,
    /// Only say what would be renewed.
    pub dry_run: bool,
}

/// Why a run did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Another run holds the lock.
    #[error("another renewal run is under way on this store; this one renewed nothing")]
    Busy,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// *Renew now* on a certificate that is not tracked.
    #[error("{0} is not tracked for renewal")]
    Untracked(String),
}

/// Why one certificate's renewal failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The renewal itself (the CA, the key, the store).
    #[error(transparent)]
    Renew(#[from] EnrollError),
    /// The renewed certificate could not take over its usages.
    #[error("renewed as {thumbprint}, but its usages were not rolled: {error}")]
    Roll {
        /// The new certificate.
        thumbprint: String,
        /// Why.
        error: AssignError,
    },
}

impl serde::Serialize for Failure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A usage the renewed certificate took over.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rolled {
    /// The usage.
    pub usage: crate::deploy::usage::UsageType,
    /// When it takes over, Unix seconds (now, unless staged).
    pub effective: i64,
    /// Staged (A/V, OAuth) rather than assigned at once.
    pub staged: bool,
}

/// What happened to one tracked certificate.
#[derive(Debug, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// It is not due yet.
    NotDue,
    /// It is due; a dry run renews nothing.
    WouldRenew,
    /// It was renewed and its usages rolled.
    Renewed {
        /// The new certificate.
        new_thumbprint: String,
        /// The usages it took over.
        rolled: Vec<Rolled>,
    },
    /// The CA holds the request for approval.
    Pending {
        /// The request in Enrollment Requests.
        request_id: Option<i64>,
    },
    /// It failed; nothing changed for it.
    Failed {
        /// Why, in a sentence.
        error: Failure,
    },
}

/// One certificate of a run.
#[derive(Debug, serde::Serialize)]
pub struct CertRun {
    /// The certificate and when it was due.
    #[serde(flatten)]
    pub tracked: Tracked,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What a run did.
#[derive(Debug, serde::Serialize)]
pub struct RunOutcome {
    /// A dry run.
    pub dry_run: bool,
    /// Every tracked certificate, soonest first.
    pub certificates: Vec<CertRun>,
    /// The deploys and notifications that followed.
    #[serde(flatten)]
    pub follow_up: FollowUp,
}

impl RunOutcome {
    /// Whether any renewal or deploy failed.
    pub fn failed(&self) -> bool {
        self.follow_up.failed()
            || self
                .certificates
                .iter()
                .any(|c| matches!(c.outcome, Outcome::Failed { .. }))
    }
}

/// What *Renew now* did: the certificate's run, and the deploys and notifications that
/// followed.
#[derive(Debug, serde::Serialize)]
pub struct NowOutcome {
    /// The certificate's run.
    #[serde(flatten)]
    pub certificate: CertRun,
    /// What followed.
    #[serde(flatten)]
    pub follow_up: FollowUp,
}

/// Renews every due certificate (see the module's text); [`RunError::Busy`] when another
/// run holds the lock.
pub fn renew_due(store: &mut Store, run: &DueRun, now: i64) -> Result<RunOutcome, RunError> {
    store
        .with_run_lock(|store| locked(store, run, now))?
        .unwrap_or(Err(RunError::Busy))
}

/// Renews one tracked certificate now, due or not (the window's *Renew now*), under the
/// same lock; [`RunError::Untracked`] when it is not tracked.
pub fn renew_now(
    store: &mut Store,
    run: &DueRun,
    thumbprint: &str,
    now: i64,
) -> Result<NowOutcome, RunError> {
    store
        .with_run_lock(|store| {
            let mut tracked = super::tracked(store, run.location, now)?
                .into_iter()
                .find(|t| t.thumbprint.starts_with(&thumbprint.to_ascii_uppercase()))
                .ok_or_else(|| RunError::Untracked(thumbprint.to_owned()))?;
            let replaces = ask_ca(store, run.location, &mut tracked, now)?;
            let outcome = match follow_pending(store, run, &tracked, now)? {
                Some(outcome) => outcome,
                None => renew_one(store, run, &tracked, replaces.as_deref(), now),
            };
            record(store, run.location, &tracked, &outcome, now)?;
            let certificate = CertRun { tracked, outcome };
            let follow_up = follow::after_run(store, std::slice::from_ref(&certificate), now);
            Ok(NowOutcome {
                certificate,
                follow_up,
            })
        })?
        .unwrap_or(Err(RunError::Busy))
}

fn locked(store: &mut Store, run: &DueRun, now: i64) -> Result<RunOutcome, RunError> {
    let mut certificates = Vec::new();
    for mut tracked in super::tracked(store, run.location, now)? {
        let replaces = ask_ca(store, run.location, &mut tracked, now)?;
        let outcome = match follow_pending(store, run, &tracked, now)? {
            Some(_) if run.dry_run => Outcome::WouldRenew,
            Some(outcome) => {
                record(store, run.location, &tracked, &outcome, now)?;
                outcome
            }
            None if !tracked.is_due(now) => Outcome::NotDue,
            None if run.dry_run => Outcome::WouldRenew,
            None => {
                let outcome = renew_one(store, run, &tracked, replaces.as_deref(), now);
                record(store, run.location, &tracked, &outcome, now)?;
                outcome
            }
        };
        certificates.push(CertRun { tracked, outcome });
    }
    certificates.sort_by(|a, b| {
        (a.tracked.due_at, &a.tracked.thumbprint).cmp(&(b.tracked.due_at, &b.tracked.thumbprint))
    });
    let follow_up = match run.dry_run {
        true => FollowUp::default(),
        false => follow::after_run(store, &certificates, now),
    };
    Ok(RunOutcome {
        dry_run: run.dry_run,
        certificates,
        follow_up,
    })
}

/// Brings the CA's renewal window into `tracked` where its CA offers one (asking again once
/// its `Retry-After` has passed, keeping the time chosen while the window stays); the ARI
/// identifier to name in the renewal's order.
fn ask_ca(
    store: &mut Store,
    location: Location,
    tracked: &mut Tracked,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let Some(ca) = tracked.ca.as_deref().and_then(|name| store.ca(name).ok()) else {
        return Ok(None);
    };
    let cert = store.find(location, &tracked.thumbprint)?;
    let der = store.der(cert.id)?;
    let row = store
        .renewal_rows()?
        .into_iter()
        .find(|r| r.location == Some(location) && r.thumbprint == tracked.thumbprint);
    let kept = row.as_ref().and_then(|r| r.ari);
    let fresh = row
        .as_ref()
        .and_then(|r| r.ari_fetch_after)
        .is_some_and(|after| now < after);
    if let (Some(choice), true) = (kept, fresh) {
        set(tracked, due::by_window(choice));
        return Ok(crate::ca::ari::certificate_id(&der));
    }
    let mut row = row.unwrap_or_else(|| RenewalRow {
        thumbprint: tracked.thumbprint.clone(),
        ..RenewalRow::default()
    });
    let replaces = match due::ask(&ca, &der, now) {
        Ok(Asked::Window(window, id)) => {
            let choice = due::choose(&window, kept, now);
            row.ari = Some(choice);
            row.ari_fetch_after = Some(now + window.retry_after);
            set(tracked, due::by_window(choice));
            Some(id)
        }
        Ok(Asked::NotOffered) => {
            row.ari = None;
            row.ari_fetch_after = None;
            None
        }
        Err(e) => {
            // The last window the CA gave still stands; without one, the lifetime decides.
            tracked.note = Some(format!("renewal information unavailable: {e}"));
            if let Some(choice) = kept {
                set(tracked, due::by_window(choice));
            }
            return Ok(kept.and_then(|_| crate::ca::ari::certificate_id(&der)));
        }
    };
    store.transaction(|tx, _| write::put(tx, location, &row))?;
    Ok(replaces)
}

fn set(tracked: &mut Tracked, (due_at, rule): (i64, due::Rule)) {
    tracked.due_at = due_at;
    tracked.rule = rule;
    tracked.rule_text = rule.to_string();
}

/// Renews one due certificate and rolls its usages.
fn renew_one(
    store: &mut Store,
    run: &DueRun,
    tracked: &Tracked,
    replaces: Option<&str>,
    now: i64,
) -> Outcome {
    let renewal = Renewal {
        thumbprint: tracked.thumbprint.clone(),
        ca: None,
        new_key: !tracked.same_key,
        options: OnlineOptions {
            replaces: replaces.map(str::to_owned),
            ..run.options.clone()
        },
    };
    let renewed = match renew::renew(store, run.location, &renewal, now) {
        Ok(renewed) => renewed,
        Err(e) => {
            return Outcome::Failed {
                error: Failure::Renew(e),
            };
        }
    };
    let Some(new_thumbprint) = renewed.request.thumbprint.clone() else {
        return Outcome::Pending {
            request_id: renewed.request.request_id,
        };
    };
    take_over(store, run, tracked, new_thumbprint, now)
}

/// A renewal a CA held for approval: still held (pending: nothing is sent again), issued
/// since (`requests --poll` stored it: it takes over as a renewal would), or neither
/// (denied or cleared: `None`, the row forgets it, and the certificate is renewed when due).
fn follow_pending(
    store: &mut Store,
    run: &DueRun,
    tracked: &Tracked,
    now: i64,
) -> Result<Option<Outcome>, StoreError> {
    let location = run.location;
    let Some(mut row) = store
        .renewal_rows()?
        .into_iter()
        .find(|r| r.location == Some(location) && r.thumbprint == tracked.thumbprint)
    else {
        return Ok(None);
    };
    let Some((request, key)) = row.pending else {
        return Ok(None);
    };
    // Its key too: a request's id may be given again once it is gone.
    let waiting = store.pending_requests(location)?;
    if waiting.iter().any(|r| r.id == request && r.key_id == key) {
        return Ok(Some(Outcome::Pending {
            request_id: Some(request),
        }));
    }
    let issued = store
        .list(Some(location), Some(Logical::Personal))?
        .into_iter()
        .filter(|c| c.key.as_ref().is_some_and(|k| k.id == key))
        .filter(|c| c.summary.thumbprint != tracked.thumbprint)
        .max_by_key(|c| c.summary.not_before);
    if let Some(cert) = issued {
        return Ok(Some(take_over(
            store,
            run,
            tracked,
            cert.summary.thumbprint,
            now,
        )));
    }
    row.pending = None;
    store.transaction(|tx, _| write::put(tx, location, &row))?;
    Ok(None)
}

/// The renewed certificate takes over the old one's usages.
fn take_over(
    store: &mut Store,
    run: &DueRun,
    tracked: &Tracked,
    new_thumbprint: String,
    now: i64,
) -> Outcome {
    // A CA may date the new certificate a moment after the run began: it takes over once
    // it is valid.
    let valid_from = store
        .find(run.location, &new_thumbprint)
        .map_or(now, |c| c.summary.not_before.max(now));
    match roll(store, &new_thumbprint, &tracked.usages, valid_from) {
        Ok(rolled) => Outcome::Renewed {
            new_thumbprint,
            rolled,
        },
        Err(error) => Outcome::Failed {
            error: Failure::Roll {
                thumbprint: new_thumbprint,
                error,
            },
        },
    }
}

/// Rolls `usages` onto the new certificate as `assign` does: A/V and OAuth staged, taking
/// over after their margin (8 and 24 hours); the others at once.
fn roll(
    store: &mut Store,
    thumbprint: &str,
    usages: &[crate::deploy::usage::UsageType],
    now: i64,
) -> Result<Vec<Rolled>, AssignError> {
    let mut rolled = Vec::new();
    let (staged, direct): (Vec<_>, Vec<_>) =
        usages.iter().partition(|u| u.roll_margin_hours().is_some());
    if !direct.is_empty() {
        assign::assign(
            store,
            &AssignRequest {
                location: Location::Computer,
                thumbprint: thumbprint.to_owned(),
                usages: direct.clone(),
                roll: None,
            },
            now,
        )?;
        rolled.extend(direct.into_iter().map(|usage| Rolled {
            usage,
            effective: now,
            staged: false,
        }));
    }
    for usage in staged {
        let effective = now + usage.roll_margin_hours().unwrap_or(0) * 3600;
        assign::assign(
            store,
            &AssignRequest {
                location: Location::Computer,
                thumbprint: thumbprint.to_owned(),
                usages: vec![usage],
                roll: Some(timefmt::rfc3339(effective)),
            },
            now,
        )?;
        rolled.push(Rolled {
            usage,
            effective,
            staged: true,
        });
    }
    Ok(rolled)
}

/// Keeps the attempt: the renewed certificate's successor (tracked in its place, with its
/// policy) and the run's log entry, or the failure, on the certificate's row.
fn record(
    store: &mut Store,
    location: Location,
    tracked: &Tracked,
    outcome: &Outcome,
    now: i64,
) -> Result<(), StoreError> {
    let (text, failed, successor) = match outcome {
        Outcome::Renewed { new_thumbprint, .. } => (
            format!("renewed as {new_thumbprint}"),
            false,
            Some(new_thumbprint.clone()),
        ),
        Outcome::Pending { request_id } => (
            format!(
                "pending: request {} waits for the CA's approval",
                request_id.unwrap_or_default()
            ),
            false,
            None,
        ),
        Outcome::Failed { error } => (crate::text::message(&error.to_string()), true, None),
        Outcome::NotDue | Outcome::WouldRenew => return Ok(()),
    };
    // The request the CA holds, with its key: what the issued certificate will carry.
    let pending = match outcome {
        Outcome::Pending {
            request_id: Some(id),
        } => store
            .pending_requests(location)?
            .into_iter()
            .find(|r| r.id == *id)
            .map(|r| (r.id, r.key_id)),
        _ => None,
    };
    store.transaction(|tx, _| {
        let mut row =
            write::get(tx, location, &tracked.thumbprint)?.unwrap_or_else(|| RenewalRow {
                thumbprint: tracked.thumbprint.clone(),
                same_key: tracked.same_key,
                ..RenewalRow::default()
            });
        row.last_attempt = Some(now);
        row.last_outcome = Some(text.clone());
        row.last_failed = failed;
        row.pending = pending;
        if let Some(successor) = &successor {
            row.renewed_by = Some(successor.clone());
            write::put(
                tx,
                location,
                &RenewalRow {
                    thumbprint: successor.clone(),
                    tracked: row.tracked,
                    same_key: row.same_key,
                    ..RenewalRow::default()
                },
            )?;
            row.tracked = false;
            let details = format!(
                "{} renewed as {successor} ({})",
                tracked.thumbprint, tracked.rule_text
            );
            let command = format!("{} renew --due", crate::ops::command_line::base(location));
            log::append(
                tx,
                &LogEntry::new(now, location, "renew-due", details, command),
            )?;
        }
        write::put(tx, location, &row)
    })
}
