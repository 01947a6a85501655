//! How outcomes are said: the one sentence each operation's outcome is told in, which the
//! command line prints and the window shows (status bar, result pages, Activity) alike.
//! An outcome type of `ops` implements `Display` here; an outcome that is a plain stored
//! value (a removed certificate, a saved deploy target) is said by a small wording type.
//! A caller adds only its own next step ("`certdesk requests --poll` retrieves it", "Retrieve
//! it from Enrollment Requests").

use std::fmt;

use crate::deploy::usage::UsageType;
use crate::ops::assign::AssignOutcome;
use crate::ops::cas::Reached;
use crate::ops::deploy::RunReport;
use crate::ops::enroll::{RequestOutcome, RequestStatus};
use crate::ops::export::ExportOutcome;
use crate::ops::import::ImportReport;
use crate::ops::online::ChainRoot;
use crate::ops::pool::PoolReport;
use crate::ops::probe::ProbeReport;
use crate::ops::renew::RenewOutcome;
use crate::ops::retrieve::Polled;
use crate::ops::revocation::Revocation;
use crate::ops::revocation::applied::Link;
use crate::store::assignments::Assignment;
use crate::store::{DeployTarget, StoredCert};

/// "1 certificate", "2 certificates".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nothing = self.imported.is_empty()
            && self.keys_attached.is_empty()
            && self.already_present.is_empty()
            && self.made_exportable.is_empty();
        if nothing && !self.skipped.is_empty() {
            return f.write_str("Nothing imported: the root CA was not added to Trusted Roots");
        }
        write!(
            f,
            "{} imported, {} already present, {} attached",
            self.imported.len(),
            self.already_present.len(),
            count(self.keys_linked(), "key", "keys")
        )
    }
}

impl fmt::Display for ExportOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Exported {}{} to {}",
            count(self.certificates.len(), "certificate", "certificates"),
            if self.with_key {
                " and the private key"
            } else {
                ""
            },
            self.file
        )?;
        if self.key_deleted {
            f.write_str("; the private key was deleted from the store")?;
        }
        Ok(())
    }
}

/// A certificate [`crate::ops::remove::remove`] removed.
pub struct Removed<'a>(pub &'a StoredCert);

impl fmt::Display for Removed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = &self.0.summary;
        write!(
            f,
            "Removed {} ({})",
            summary.issued_to(),
            summary.thumbprint
        )
    }
}

/// One usage's binding an assignment wrote.
pub struct Bound<'a>(pub &'a Assignment);

impl fmt::Display for Bound<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0;
        match &a.staged_thumbprint {
            Some(staged) => write!(
                f,
                "{}: {staged} staged, effective {}",
                a.usage,
                a.effective_date
                    .map(crate::pki::timefmt::rfc3339)
                    .unwrap_or_default()
            ),
            None => write!(f, "{}: {} assigned", a.usage, a.thumbprint),
        }
    }
}

impl fmt::Display for AssignOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, row) in self.rows.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}", Bound(row))?;
        }
        Ok(())
    }
}

/// A usage's assignment removed, or only its previous certificate.
pub struct Unassigned {
    /// The usage.
    pub usage: UsageType,
    /// Only the previous certificate.
    pub previous: bool,
}

impl fmt::Display for Unassigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.previous {
            "previous certificate"
        } else {
            "assignment"
        };
        write!(f, "{}: {what} removed", self.usage)
    }
}

impl fmt::Display for RequestOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.request_id.unwrap_or_default();
        let name = &self.friendly_name;
        match (&self.thumbprint, &self.ca_reference) {
            (Some(thumbprint), _) => write!(f, "Issued {thumbprint} \"{name}\" in Personal"),
            (None, Some(_)) if !self.dns_records.is_empty() => {
                write!(f, "Request {id} \"{name}\" waits for its DNS-01 records")
            }
            (None, Some(reference)) => write!(
                f,
                "The CA holds request {id} \"{name}\" for approval (its request {reference})"
            ),
            (None, None) => write!(
                f,
                "Request {id} \"{name}\" saved; its CSR is {}",
                self.csr_file
                    .as_deref()
                    .map_or("kept in the store".to_owned(), |file| format!("in {file}"))
            ),
        }
    }
}

impl fmt::Display for RenewOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (renewing {} through the CA {})",
            self.request, self.renews, self.ca
        )
    }
}

/// A root CA put in Trusted Roots, as the user agreed.
pub struct TrustedRoot<'a>(pub &'a ChainRoot);

impl fmt::Display for TrustedRoot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "The root CA {} ({}) is now in Trusted Roots",
            self.0.subject, self.0.thumbprint
        )
    }
}

/// What the online CAs said about the requests they hold, counted.
pub struct Retrieved<'a>(pub &'a [Polled]);

impl fmt::Display for Retrieved<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("No request is held by an online CA");
        }
        let count = |status| self.0.iter().filter(|p| p.status == status).count();
        write!(
            f,
            "Retrieved: {} issued, {} still pending, {} denied or failed",
            count(RequestStatus::Issued),
            count(RequestStatus::Pending),
            count(RequestStatus::Denied) + count(RequestStatus::Failed)
        )
    }
}

/// A certificate tracked for renewal.
pub struct Tracking<'a> {
    /// Its thumbprint.
    pub thumbprint: &'a str,
    /// Renewed with its own key.
    pub same_key: bool,
}

impl fmt::Display for Tracking<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is tracked for renewal", self.thumbprint)?;
        if self.same_key {
            f.write_str(" (renewed with the same key)")?;
        }
        Ok(())
    }
}

/// A certificate no longer tracked for renewal (its thumbprint).
pub struct Untracked<'a>(pub &'a str);

impl fmt::Display for Untracked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is no longer tracked", self.0)
    }
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.target, self.message)?;
        if let Some(n) = &self.notification {
            write!(f, " (notification {n})")?;
        }
        Ok(())
    }
}

/// A deploy target added, or changed (`replaced`).
pub struct TargetSaved<'a> {
    /// The target as stored.
    pub target: &'a DeployTarget,
    /// It replaced one of its name.
    pub replaced: bool,
}

impl fmt::Display for TargetSaved<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Deploy target {} {} ({} to {})",
            self.target.settings.name,
            if self.replaced { "changed" } else { "added" },
            self.target.settings.format.as_str(),
            self.target.settings.destination
        )
    }
}

/// A deploy target removed (its name).
pub struct TargetRemoved<'a>(pub &'a str);

impl fmt::Display for TargetRemoved<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Deploy target {} removed", self.0)
    }
}

/// A CA connection reached (`ca test`).
pub struct CaReached<'a> {
    /// The connection's name.
    pub name: &'a str,
    /// What the test found.
    pub reached: &'a Reached,
}

impl fmt::Display for CaReached<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is reachable; {}", self.name, self.reached.detail)
    }
}

impl fmt::Display for PoolReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pool {}: {}", self.pool, self.verdict)
    }
}

/// What the probed servers serve, counted by whether they have problems.
pub struct Probed<'a>(pub &'a [ProbeReport]);

impl fmt::Display for Probed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.iter().filter(|r| !r.problems.is_empty()).count() {
            0 => f.write_str("The server serves a certificate without problems"),
            1 => f.write_str("The server serves a certificate with problems"),
            n => write!(f, "{n} servers serve certificates with problems"),
        }
    }
}

/// The revocation of a certificate's path, leaf first, in one verdict.
pub struct PathRevocation<'a>(pub &'a [Link]);

impl fmt::Display for PathRevocation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdicts = || self.0.iter().map(|l| &l.revocation);
        f.write_str(
            if verdicts().any(|v| matches!(v, Revocation::Revoked { .. })) {
                "A certificate of the path is revoked"
            } else if verdicts().any(|v| matches!(v, Revocation::Unknown { .. })) {
                "The revocation of the path is not fully known"
            } else {
                "No certificate of the path is revoked"
            },
        )
    }
}

/// The store's setting that counts the operating system's roots as Trusted Roots.
pub struct SystemRoots(pub bool);

impl fmt::Display for SystemRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 {
            "The operating system's roots are trusted in this store"
        } else {
            "The operating system's roots are no longer trusted in this store"
        })
    }
}

#[cfg(test)]
#[path = "words_tests.rs"]
mod tests;
