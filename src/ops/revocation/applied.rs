//! Revocation brought to what the user sees: the status rows (`status`, `test`), the
//! assignment picker (`eligible`), an assignment, and the certification path link by link.
//! Within one call each certificate is checked once, however many usages it appears under.

use std::collections::HashMap;

use super::{Policy, Revocation, check};
use crate::deploy::usage::UsageType;
use crate::ops::assign::{self, AssignError, Status, UsageEligibility, UsageStatus};
use crate::store::{Store, StoreError, StoredCert};
use crate::verify::chain::ChainIndex;

/// The store's certificates, their chain index (built once), and the verdicts had so
/// far, by thumbprint.
struct Verdicts<'a> {
    store: &'a mut Store,
    all: &'a [StoredCert],
    index: ChainIndex<'a>,
    seen: HashMap<String, Revocation>,
    now: i64,
}

impl<'a> Verdicts<'a> {
    fn new(store: &'a mut Store, all: &'a [StoredCert], now: i64) -> Self {
        Self {
            store,
            all,
            index: ChainIndex::new(all),
            seen: HashMap::new(),
            now,
        }
    }

    /// The verdict of the certificate `thumbprint` (of the Computer location first), or
    /// `None` when the store does not hold it.
    fn of(&mut self, thumbprint: &str) -> Result<Option<Revocation>, StoreError> {
        if let Some(known) = self.seen.get(thumbprint) {
            return Ok(Some(known.clone()));
        }
        let Some(cert) = self
            .all
            .iter()
            .filter(|c| c.summary.thumbprint == thumbprint)
            .min_by_key(|c| c.location != crate::store::Location::Computer)
        else {
            return Ok(None);
        };
        let verdict = check(self.store, cert, &self.index, self.now)?;
        self.seen.insert(thumbprint.to_owned(), verdict.clone());
        Ok(Some(verdict))
    }
}

/// Adds each assigned certificate's revocation to the status rows: a revoked one (or, when
/// an answer is required, one of unknown status) makes its row Invalid; an unknown status
/// is otherwise a warning. Whether any row became Invalid.
pub fn status_rows(
    store: &mut Store,
    rows: &mut [UsageStatus],
    now: i64,
    policy: Policy,
) -> Result<bool, StoreError> {
    let all = store.list(None, None)?;
    let mut verdicts = Verdicts::new(store, &all, now);
    let mut invalid = false;
    for row in rows.iter_mut() {
        let Some(thumbprint) = row.thumbprint.clone() else {
            continue;
        };
        let Some(problem) = verdicts.of(&thumbprint)?.and_then(|v| v.problem(policy)) else {
            continue;
        };
        if problem.is_error() {
            row.status = Status::Invalid;
            invalid = true;
        }
        row.problems.push(problem);
    }
    Ok(invalid)
}

/// The picker's table with revocation: every eligible certificate is checked; a revoked one
/// (or, when an answer is required, one of unknown status) moves to the others with the
/// reason; an unknown status is otherwise a warning. Certificates that are not eligible
/// anyway are not asked about.
pub fn eligibility(
    store: &mut Store,
    table: &mut [UsageEligibility],
    now: i64,
    policy: Policy,
) -> Result<(), StoreError> {
    let all = store.list(None, None)?;
    let mut verdicts = Verdicts::new(store, &all, now);
    for usage in table.iter_mut() {
        let mut kept = Vec::with_capacity(usage.eligible.len());
        for mut entry in std::mem::take(&mut usage.eligible) {
            match verdicts
                .of(&entry.thumbprint)?
                .and_then(|v| v.problem(policy))
            {
                Some(problem) if problem.is_error() => {
                    entry.reasons.push(problem);
                    usage.not_eligible.insert(0, entry);
                }
                Some(warning) => {
                    entry.warnings.push(warning);
                    kept.push(entry);
                }
                None => kept.push(entry),
            }
        }
        usage.eligible = kept;
    }
    Ok(())
}

/// One link of a certification path and its revocation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// The link's thumbprint.
    pub thumbprint: String,
    /// What it is issued to.
    pub issued_to: String,
    /// Its revocation; a root is trusted by being in Trusted Roots, so it is unchecked.
    pub revocation: Revocation,
}

/// The revocation of every link of `cert`'s path in the store, leaf first: each is asked
/// of its own issuer, as Windows checks a chain.
pub fn path(store: &mut Store, cert: &StoredCert, now: i64) -> Result<Vec<Link>, StoreError> {
    let all = store.list(None, None)?;
    let index = ChainIndex::new(&all);
    let this = all.iter().find(|c| c.id == cert.id).unwrap_or(cert);
    index
        .path(this)
        .into_iter()
        .map(|link| {
            Ok(Link {
                thumbprint: link.summary.thumbprint.clone(),
                issued_to: link.summary.issued_to().to_owned(),
                revocation: check(store, link, &index, now)?,
            })
        })
        .collect()
}

/// `certdesk eligible` and the assignment picker: [`assign::eligible`]'s usage rules, then
/// [`eligibility`].
pub fn eligible(
    store: &mut Store,
    usages: &[UsageType],
    now: i64,
    policy: Policy,
) -> Result<Vec<UsageEligibility>, AssignError> {
    let mut table = assign::eligible(store, usages, now)?;
    eligibility(store, &mut table, now, policy)?;
    Ok(table)
}

/// `certdesk status` and `certdesk test`: the usage rules ([`assign::status`], or
/// [`assign::test`] when `test`), then [`status_rows`]. The rows, and whether any is
/// Invalid.
pub fn status(
    store: &mut Store,
    (test, expiring_days): (bool, i64),
    now: i64,
    policy: Policy,
) -> Result<(Vec<UsageStatus>, bool), AssignError> {
    let (mut rows, failed) = if test {
        assign::test(store, now)?
    } else {
        (assign::status(store, expiring_days, now)?, false)
    };
    let revoked = status_rows(store, &mut rows, now, policy)?;
    Ok((rows, failed || revoked))
}
