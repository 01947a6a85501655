//! Assignment (DOMAIN.md §7): binding usages to certificates of the Computer location,
//! staged rolling of A/V and OAuth certificates, the status of every usage the server's
//! role needs, the configuration test, and which certificates are eligible for a usage.
//! The store binds only [`ValidAssignment`] proofs.

use super::command_line;
use super::rules::{Checker, Problem, Severity, ValidAssignment};
use super::store::assignments::{self, Assignment};
use super::store::log::{self, LogEntry};
use super::store::{Location, Store, StoreError, StoredCert};
use super::topology::Topology;
use super::usage::UsageType;

/// Why an assignment operation is refused.
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    /// The store failed, or the certificate is not there.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The certificate does not satisfy a usage.
    #[error("{} cannot be assigned to {usage}: {}", .cert, .problems.iter().filter(|p| p.severity == Severity::Error).map(|p| p.text.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The certificate.
        cert: String,
        /// The usage.
        usage: &'static str,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// Rolling is for A/V and OAuth only.
    #[error(
        "only AudioVideoAuthentication and OAuthTokenIssuer certificates are rolled; assign {0} directly"
    )]
    NotRollable(&'static str),
    /// Nothing to roll from.
    #[error("{0} has no certificate assigned to roll from; assign one directly")]
    NothingToRoll(&'static str),
    /// The effective date is too late.
    #[error(
        "the effective date must be at least {hours} hours before the current {usage} certificate expires ({limit}); choose an earlier date"
    )]
    TooLate {
        /// The usage.
        usage: &'static str,
        /// The margin.
        hours: i64,
        /// The latest acceptable date.
        limit: String,
    },
    /// Nothing to unassign.
    #[error("{0} has no {1} certificate to remove")]
    NotAssigned(&'static str, &'static str),
}

/// A usage's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    /// A valid certificate is bound.
    Assigned,
    /// Nothing is bound.
    NotAssigned,
    /// A successor is staged.
    Staged,
    /// The bound certificate expires soon.
    Expiring,
    /// The bound certificate fails the usage's rules (or is gone).
    Invalid,
}

/// One row of the status view.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UsageStatus {
    /// The usage.
    pub usage: UsageType,
    /// The certificate in force.
    pub thumbprint: Option<String>,
    /// Its friendly name.
    pub friendly_name: Option<String>,
    /// Its expiry, Unix seconds.
    pub not_after: Option<i64>,
    /// `global` for OAuthTokenIssuer (one for the deployment), else `local`.
    pub location: &'static str,
    /// The status.
    pub status: Status,
    /// The staged successor.
    pub staged_thumbprint: Option<String>,
    /// When it takes over.
    pub effective_date: Option<i64>,
    /// The certificate in force before the last roll.
    pub previous_thumbprint: Option<String>,
    /// Problems (errors and warnings) of the certificate in force.
    pub problems: Vec<String>,
}

/// A certificate and, if it is not eligible, why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Eligibility {
    /// The certificate's thumbprint.
    pub thumbprint: String,
    /// What it is issued to.
    pub issued_to: String,
    /// Its friendly name.
    pub friendly_name: String,
    /// Its location.
    pub location: &'static str,
    /// Why it cannot be assigned (empty when it can).
    pub reasons: Vec<String>,
    /// Warnings for an eligible one.
    pub warnings: Vec<String>,
}

fn label(cert: &StoredCert) -> String {
    if cert.friendly_name.is_empty() {
        format!("\"{}\"", cert.summary.issued_to())
    } else {
        format!("\"{}\"", cert.friendly_name)
    }
}

/// The certificates a usage may be assigned, then every other with its reasons.
pub fn eligible(checker: &Checker<'_>, usage: UsageType) -> (Vec<Eligibility>, Vec<Eligibility>) {
    let mut ok = Vec::new();
    let mut not = Vec::new();
    for cert in checker.certificates() {
        if cert.summary.is_ca() {
            continue; // CA certificates are never candidates; listing them would be noise.
        }
        let entry = |reasons: Vec<String>, warnings: Vec<String>| Eligibility {
            thumbprint: cert.summary.thumbprint.clone(),
            issued_to: cert.summary.issued_to().to_owned(),
            friendly_name: cert.friendly_name.clone(),
            location: cert.location.as_str(),
            reasons,
            warnings,
        };
        match checker.validate(cert, usage) {
            Ok(proof) => ok.push(entry(Vec::new(), proof.warnings().to_vec())),
            Err(problems) => {
                let (errors, warnings): (Vec<_>, Vec<_>) = problems
                    .into_iter()
                    .partition(|p| p.severity == Severity::Error);
                not.push(entry(
                    errors.into_iter().map(|p| p.text).collect(),
                    warnings.into_iter().map(|p| p.text).collect(),
                ));
            }
        }
    }
    (ok, not)
}

/// Validates a certificate for every usage; all must pass.
pub fn check_all(
    checker: &Checker<'_>,
    cert: &StoredCert,
    usages: &[UsageType],
) -> Result<Vec<ValidAssignment>, AssignError> {
    usages
        .iter()
        .map(|usage| {
            checker
                .validate(cert, *usage)
                .map_err(|problems| AssignError::Invalid {
                    cert: label(cert),
                    usage: usage.as_str(),
                    problems,
                })
        })
        .collect()
}

/// Binds proofs (all for one certificate); `roll` stages them with an effective date
/// instead (A/V and OAuth only, the current certificate stays in force until then).
pub fn assign(
    store: &mut Store,
    cert: &StoredCert,
    proofs: Vec<ValidAssignment>,
    roll: Option<i64>,
    now: i64,
) -> Result<Vec<Assignment>, AssignError> {
    let current: Vec<Assignment> = store
        .assignments()?
        .into_iter()
        .map(|a| a.at(now))
        .collect();
    let all = store.list(Some(Location::Computer), None)?;
    let mut rows = Vec::new();
    for proof in &proofs {
        let usage = proof.usage();
        let existing = current.iter().find(|a| a.usage == usage);
        let row = match roll {
            None => Assignment {
                usage,
                thumbprint: proof.thumbprint().to_owned(),
                assigned: now,
                staged_thumbprint: None,
                effective_date: None,
                previous_thumbprint: existing.and_then(|a| a.previous_thumbprint.clone()),
            },
            Some(when) => {
                let hours = match usage {
                    UsageType::AudioVideoAuthentication => 8,
                    UsageType::OAuthTokenIssuer => 24,
                    other => return Err(AssignError::NotRollable(other.as_str())),
                };
                let existing = existing.ok_or(AssignError::NothingToRoll(usage.as_str()))?;
                if let Some(old) = all
                    .iter()
                    .find(|c| c.summary.thumbprint == existing.thumbprint)
                {
                    let limit = old.summary.not_after - hours * 3600;
                    if when > limit {
                        return Err(AssignError::TooLate {
                            usage: usage.as_str(),
                            hours,
                            limit: super::timefmt::rfc3339(limit),
                        });
                    }
                }
                Assignment {
                    staged_thumbprint: Some(proof.thumbprint().to_owned()),
                    effective_date: Some(when),
                    ..existing.clone()
                }
            }
        };
        rows.push(row);
    }
    let command = command_line::assign(&proofs, &cert.summary.thumbprint, roll);
    store.transaction(|tx, _| {
        for row in &rows {
            assignments::write::put(tx, row)?;
        }
        let usages: Vec<&str> = proofs.iter().map(|p| p.usage().as_str()).collect();
        let details = match roll {
            None => format!("{} assigned to {}", label(cert), usages.join(", ")),
            Some(when) => format!(
                "{} staged for {} from Unix time {when}",
                label(cert),
                usages.join(", ")
            ),
        };
        log::append(tx, &entry(now, "assign", details, command))?;
        Ok::<_, StoreError>(())
    })?;
    Ok(rows)
}

fn entry(now: i64, operation: &str, details: String, command: String) -> LogEntry {
    LogEntry {
        id: 0,
        time: now,
        location: Location::Computer.as_str().to_owned(),
        operation: operation.to_owned(),
        outcome: "ok".to_owned(),
        details,
        command,
    }
}

/// Removes a usage's assignment, or only its previous certificate.
pub fn unassign(
    store: &mut Store,
    usage: UsageType,
    previous: bool,
    now: i64,
) -> Result<(), AssignError> {
    let current = store
        .assignments()?
        .into_iter()
        .find(|a| a.usage == usage)
        .map(|a| a.at(now));
    let Some(mut row) = current else {
        return Err(AssignError::NotAssigned(
            usage.as_str(),
            if previous { "previous" } else { "assigned" },
        ));
    };
    if previous && row.previous_thumbprint.is_none() {
        return Err(AssignError::NotAssigned(usage.as_str(), "previous"));
    }
    store.transaction(|tx, _| {
        if previous {
            row.previous_thumbprint = None;
            assignments::write::put(tx, &row)?;
        } else {
            assignments::write::delete(tx, usage)?;
        }
        let what = if previous {
            "previous certificate"
        } else {
            "assignment"
        };
        log::append(
            tx,
            &entry(
                now,
                "unassign",
                format!("{} {what} removed", usage.as_str()),
                command_line::unassign(usage, previous),
            ),
        )?;
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}

/// The status of every usage the topology's role needs, at `now`; `expiring_days` sets
/// how soon an expiry counts as Expiring.
pub fn status(
    checker: &Checker<'_>,
    store: &Store,
    topology: &Topology,
    expiring_days: i64,
    now: i64,
) -> Result<Vec<UsageStatus>, StoreError> {
    let assigned: Vec<Assignment> = store
        .assignments()?
        .into_iter()
        .map(|a| a.at(now))
        .collect();
    let mut usages: Vec<UsageType> = topology.role.usages().to_vec();
    if topology.xmpp_domains.is_empty() {
        usages.retain(|u| *u != UsageType::XmppServer);
    }
    for a in &assigned {
        if !usages.contains(&a.usage) {
            usages.push(a.usage);
        }
    }
    let find = |thumb: &str| {
        checker
            .certificates()
            .iter()
            .find(|c| c.location == Location::Computer && c.summary.thumbprint == thumb)
    };
    Ok(usages
        .into_iter()
        .map(|usage| {
            let row = assigned.iter().find(|a| a.usage == usage);
            let cert = row.and_then(|a| find(&a.thumbprint));
            let mut problems = Vec::new();
            let status = match (row, cert) {
                (None, _) => Status::NotAssigned,
                (Some(_), None) => {
                    problems.push(
                        "the assigned certificate is no longer in the Computer location's store"
                            .to_owned(),
                    );
                    Status::Invalid
                }
                (Some(a), Some(cert)) => match checker.validate(cert, usage) {
                    Err(found) => {
                        problems = found.into_iter().map(|p| p.text).collect();
                        Status::Invalid
                    }
                    Ok(proof) => {
                        problems = proof.warnings().to_vec();
                        if a.staged_thumbprint.is_some() {
                            Status::Staged
                        } else if cert.summary.not_after < now + expiring_days * 86_400 {
                            Status::Expiring
                        } else {
                            Status::Assigned
                        }
                    }
                },
            };
            UsageStatus {
                usage,
                thumbprint: row.map(|a| a.thumbprint.clone()),
                friendly_name: cert.map(|c| c.friendly_name.clone()),
                not_after: cert.map(|c| c.summary.not_after),
                location: if usage == UsageType::OAuthTokenIssuer {
                    "global"
                } else {
                    "local"
                },
                status,
                staged_thumbprint: row.and_then(|a| a.staged_thumbprint.clone()),
                effective_date: row.and_then(|a| a.effective_date),
                previous_thumbprint: row.and_then(|a| a.previous_thumbprint.clone()),
                problems,
            }
        })
        .collect())
}
