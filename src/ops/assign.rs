//! Assignment (DOMAIN.md §7): binding usages to certificates of the Computer location,
//! staged rolling of A/V and OAuth certificates, the status of every usage the server's
//! role needs, the configuration test, and which certificates are eligible for a usage.
//! The store binds only [`ValidAssignment`] proofs.

use crate::deploy::topology::{Topology, TopologyError};
use crate::deploy::usage::UsageType;
use crate::store::db::Sql;

use crate::ops::revocation::{self, Policy};
use crate::pki::timefmt;
use crate::store::assignments::{self, Assignment};
use crate::store::certs::write as cert_write;
use crate::store::log::{self, LogEntry};
use crate::store::{Location, Store, StoreError, StoredCert};
use crate::verify::rules::{Checker, Problem, ValidAssignment};

/// Why an assignment operation is refused.
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    /// The store failed, or the certificate is not there.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The certificate does not satisfy a usage.
    #[error("{} cannot be assigned to {usage}: {}", .cert, .problems.iter().filter(|p| p.is_error()).map(ToString::to_string).collect::<Vec<_>>().join("; "))]
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
    #[error("{usage} has no {which} certificate to remove")]
    NotAssigned {
        /// The usage.
        usage: &'static str,
        /// `assigned` or `previous`.
        which: &'static str,
    },
    /// The topology is missing or invalid.
    #[error(transparent)]
    Topology(#[from] TopologyError),
    /// An effective date that is not RFC 3339.
    #[error("\"{0}\" is not an RFC 3339 date (e.g. 2026-12-01T02:00:00Z)")]
    BadDate(String),
    /// An effective date without rolling, or rolling without one.
    #[error("an effective date goes with rolling, and rolling needs an effective date")]
    RollWithoutDate,
    /// No usage was named.
    #[error("name at least one usage")]
    NoUsage,
}

/// What to assign: the verb's input, as the GUI's dialog and the CLI's flags give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignRequest {
    /// Where the certificate is: only the Computer location's can be assigned, and one
    /// from elsewhere is refused with that reason.
    pub location: Location,
    /// The certificate: thumbprint or a unique prefix.
    pub thumbprint: String,
    /// The usages to bind it to.
    pub usages: Vec<UsageType>,
    /// Stage it instead (A/V and OAuth): `Some(effective date, RFC 3339)`.
    pub roll: Option<String>,
}

/// What an assignment did.
#[derive(Debug, Clone)]
pub struct AssignOutcome {
    /// The rows written, one per usage.
    pub rows: Vec<Assignment>,
    /// Warnings of the proofs (they did not block).
    pub warnings: Vec<Problem>,
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
    pub problems: Vec<Problem>,
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
    pub reasons: Vec<Problem>,
    /// Warnings for an eligible one.
    pub warnings: Vec<Problem>,
}

fn label(cert: &StoredCert) -> String {
    if cert.friendly_name.is_empty() {
        format!("\"{}\"", cert.summary.issued_to())
    } else {
        format!("\"{}\"", cert.friendly_name)
    }
}

/// What validation reads, loaded once: every certificate and the topology.
struct Loaded {
    all: Vec<StoredCert>,
    topology: Topology,
}

impl Loaded {
    fn from(store: &Store) -> Result<Self, AssignError> {
        let text = store.topology_toml()?.ok_or(TopologyError::Missing)?;
        Ok(Self {
            topology: Topology::from_toml(&text)?,
            all: store.list(None, None)?,
        })
    }

    fn checker<'a>(&'a self, store: &'a Store, now: i64) -> Checker<'a> {
        Checker::new(store, &self.all, &self.topology, now)
    }
}

/// Who may be assigned one usage.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UsageEligibility {
    /// The usage.
    pub usage: UsageType,
    /// The certificates that may be assigned to it.
    pub eligible: Vec<Eligibility>,
    /// The others, each with its reasons.
    pub not_eligible: Vec<Eligibility>,
}

/// The certificates each usage may be assigned, then every other with its reasons (the
/// assignment picker's data, and `certdesk eligible`).
pub fn eligible(
    store: &Store,
    usages: &[UsageType],
    now: i64,
) -> Result<Vec<UsageEligibility>, AssignError> {
    let loaded = Loaded::from(store)?;
    let checker = loaded.checker(store, now);
    Ok(usages.iter().map(|u| eligible_with(&checker, *u)).collect())
}

/// The certificates `usage` may be assigned, and the others with their reasons.
fn eligible_with(checker: &Checker<'_>, usage: UsageType) -> UsageEligibility {
    let mut ok = Vec::new();
    let mut not = Vec::new();
    for cert in checker.certificates() {
        if cert.summary.is_ca() || cert.system {
            // CA certificates and the system's roots are never candidates; listing them
            // would be noise.
            continue;
        }
        let entry = |reasons: Vec<Problem>, warnings: Vec<Problem>| Eligibility {
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
                let (errors, warnings): (Vec<_>, Vec<_>) =
                    problems.into_iter().partition(Problem::is_error);
                not.push(entry(errors, warnings));
            }
        }
    }
    UsageEligibility {
        usage,
        eligible: ok,
        not_eligible: not,
    }
}

/// Validates a certificate for every usage; all must pass.
fn check_all(
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

/// Assigns a certificate of the Computer location to usages, or with `roll` stages it
/// (A/V and OAuth only: the current certificate stays in force until the effective date,
/// which must come early enough before the current one expires). Every usage's rules must
/// pass; the store binds only their proofs.
pub fn assign(
    store: &mut Store,
    request: &AssignRequest,
    now: i64,
) -> Result<AssignOutcome, AssignError> {
    if request.usages.is_empty() {
        return Err(AssignError::NoUsage);
    }
    let when = match &request.roll {
        Some(text) => Some(
            timefmt::parse_rfc3339(text.trim())
                .ok_or_else(|| AssignError::BadDate(text.clone()))?,
        ),
        None => None,
    };
    if when.is_some()
        && let Some(usage) = request
            .usages
            .iter()
            .find(|u| u.roll_margin_hours().is_none())
    {
        return Err(AssignError::NotRollable(usage.as_str()));
    }
    let (proofs, revocation) = match validate(store, request, now) {
        Ok(checked) => checked,
        Err(e) => {
            // Removed by another administrator while it was being checked: say that, as
            // the write below would, rather than report the half-read store.
            store.find(request.location, &request.thumbprint)?;
            return Err(e);
        }
    };
    let warnings = proofs
        .iter()
        .flat_map(|p| p.warnings().to_vec())
        .chain(revocation)
        .collect();
    let rows = store.transaction(|tx, _| {
        // Read again under the write lock: what was validated must still be there.
        let cert = cert_write::find(tx, Location::Computer, &request.thumbprint)?;
        let current: Vec<Assignment> = assignments::write::all(tx)?
            .into_iter()
            .map(|a| a.at(now))
            .collect();
        let mut rows = Vec::new();
        for proof in &proofs {
            let existing = current.iter().find(|a| a.usage == proof.usage());
            let row = match when {
                None => Assignment {
                    usage: proof.usage(),
                    thumbprint: proof.thumbprint().to_owned(),
                    assigned: now,
                    staged_thumbprint: None,
                    effective_date: None,
                    previous_thumbprint: existing.and_then(|a| a.previous_thumbprint.clone()),
                },
                Some(when) => staged(tx, proof, existing, when)?,
            };
            assignments::write::put(tx, &row)?;
            rows.push(row);
        }
        let usages: Vec<&str> = proofs.iter().map(|p| p.usage().as_str()).collect();
        let details = match when {
            None => format!("{} assigned to {}", label(&cert), usages.join(", ")),
            Some(when) => format!(
                "{} staged for {}, effective {}",
                label(&cert),
                usages.join(", "),
                timefmt::rfc3339(when)
            ),
        };
        let command = assign_command(&proofs, &cert.summary.thumbprint, when);
        log::append(
            tx,
            &LogEntry::new(now, Location::Computer, "assign", details, command),
        )?;
        Ok::<_, AssignError>(rows)
    })?;
    Ok(AssignOutcome { rows, warnings })
}

/// Checks every usage's rules and then revocation, outside the write lock: the proofs and
/// the revocation warning, if any.
fn validate(
    store: &mut Store,
    request: &AssignRequest,
    now: i64,
) -> Result<(Vec<ValidAssignment>, Option<Problem>), AssignError> {
    let loaded = Loaded::from(store)?;
    let cert = store.find(request.location, &request.thumbprint)?;
    let proofs = check_all(&loaded.checker(store, now), &cert, &request.usages)?;
    // Last, as it may ask the network: a revoked certificate is never assigned.
    let index = crate::verify::chain::ChainIndex::new(&loaded.all);
    let verdict = revocation::check(store, &cert, &index, now)?;
    match verdict.problem(Policy::Soft) {
        Some(problem) if problem.is_error() => Err(AssignError::Invalid {
            cert: label(&cert),
            usage: request.usages[0].as_str(),
            problems: vec![problem],
        }),
        warning => Ok((proofs, warning)),
    }
}

/// The row of a staged roll, refused when the effective date is too late.
fn staged(
    tx: Sql<'_>,
    proof: &ValidAssignment,
    existing: Option<&Assignment>,
    when: i64,
) -> Result<Assignment, AssignError> {
    let usage = proof.usage();
    let hours = usage
        .roll_margin_hours()
        .ok_or(AssignError::NotRollable(usage.as_str()))?;
    let existing = existing.ok_or(AssignError::NothingToRoll(usage.as_str()))?;
    if let Ok(old) = cert_write::find(tx, Location::Computer, &existing.thumbprint) {
        let limit = old.summary.not_after - hours * 3600;
        if when > limit {
            return Err(AssignError::TooLate {
                usage: usage.as_str(),
                hours,
                limit: timefmt::rfc3339(limit),
            });
        }
    }
    Ok(Assignment {
        staged_thumbprint: Some(proof.thumbprint().to_owned()),
        effective_date: Some(when),
        ..existing.clone()
    })
}

/// Removes a usage's assignment, or only its previous certificate.
pub fn unassign(
    store: &mut Store,
    usage: UsageType,
    previous: bool,
    now: i64,
) -> Result<(), AssignError> {
    store.transaction(|tx, _| {
        let current = assignments::write::all(tx)?
            .into_iter()
            .find(|a| a.usage == usage)
            .map(|a| a.at(now));
        let Some(mut row) = current else {
            return Err(AssignError::NotAssigned {
                usage: usage.as_str(),
                which: if previous { "previous" } else { "assigned" },
            });
        };
        if previous {
            if row.previous_thumbprint.is_none() {
                return Err(AssignError::NotAssigned {
                    usage: usage.as_str(),
                    which: "previous",
                });
            }
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
            &LogEntry::new(
                now,
                Location::Computer,
                "unassign",
                format!("{} {what} removed", usage.as_str()),
                unassign_command(usage, previous),
            ),
        )?;
        Ok(())
    })
}

/// The status of every usage the server's role needs, at `now` (`certdesk status`);
/// `expiring_days` sets how soon an expiry counts as Expiring.
pub fn status(
    store: &Store,
    expiring_days: i64,
    now: i64,
) -> Result<Vec<UsageStatus>, AssignError> {
    let loaded = Loaded::from(store)?;
    Ok(status_of(
        store,
        &loaded.all,
        &loaded.topology,
        expiring_days,
        now,
    )?)
}

/// The configuration test (`certdesk test`): the status of every assigned usage, and
/// whether any is Invalid.
pub fn test(store: &Store, now: i64) -> Result<(Vec<UsageStatus>, bool), AssignError> {
    let rows: Vec<UsageStatus> = status(store, 30, now)?
        .into_iter()
        .filter(|r| r.thumbprint.is_some())
        .collect();
    let failed = rows.iter().any(|r| r.status == Status::Invalid);
    Ok((rows, failed))
}

/// [`status`] over certificates already loaded (the window's snapshot).
pub fn status_of(
    store: &Store,
    certs: &[StoredCert],
    topology: &Topology,
    expiring_days: i64,
    now: i64,
) -> Result<Vec<UsageStatus>, StoreError> {
    let checker = Checker::new(store, certs, topology, now);
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
                    problems.push(Problem::Gone);
                    Status::Invalid
                }
                (Some(a), Some(cert)) => match checker.validate(cert, usage) {
                    Err(found) => {
                        problems = found;
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

/// `certdesk assign --type ... --thumbprint ...` (assignments are of the Computer location).
fn assign_command(proofs: &[ValidAssignment], thumbprint: &str, roll: Option<i64>) -> String {
    let usages: Vec<&str> = proofs.iter().map(|p| p.usage().as_str()).collect();
    let mut cmd = format!(
        "certdesk assign --type {} --thumbprint {thumbprint}",
        usages.join(",")
    );
    if let Some(when) = roll {
        let date = crate::pki::timefmt::rfc3339(when);
        cmd.push_str(&format!(" --roll --effective-date {date}"));
    }
    cmd
}

/// `certdesk unassign --type T [--previous]`.
fn unassign_command(usage: UsageType, previous: bool) -> String {
    let mut cmd = format!("certdesk unassign --type {}", usage.as_str());
    if previous {
        cmd.push_str(" --previous");
    }
    cmd
}
