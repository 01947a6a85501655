//! Revocation of a certificate: its OCSP responder first (`ocsp`), then the CRLs its
//! distribution points name (`crl`). Answers are kept in the store until their
//! nextUpdate and checked again (signature, freshness) each time they are read. A revoked
//! certificate is Invalid with the date and reason; an answer that cannot be had is a
//! warning (soft-fail, as Windows does by default) unless the caller requires one
//! ([`Policy`]). [`applied`] brings the verdicts to the status rows, the assignment picker
//! and the certification path.
//!
//! One certificate's checks share one deadline ([`TIME_LIMIT`]) however many responders
//! and CRLs it names: those not asked by then are named in the warning.

pub mod applied;
mod crl;
mod no_answer;
mod ocsp;

pub use no_answer::NoAnswer;

use std::time::Duration;

use crate::net::deadline::Deadline;
use crate::net::fetch;
use crate::pki::{cert, pointers};
use crate::store::revocation::{OcspKept, write};
use crate::store::{Store, StoreError, StoredCert};
use crate::verify::chain::ChainIndex;
use crate::verify::problem::Problem;

/// How long one certificate's revocation checks may take in all.
pub const TIME_LIMIT: Duration = fetch::SHARED_TIME_LIMIT;

/// What an unknown revocation status counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// A warning (Windows' default).
    #[default]
    Soft,
    /// A failure (`--revocation require`).
    Require,
}

/// What the issuer's OCSP responder or CRLs say of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Revocation {
    /// Neither the responder nor the issuer's current CRL says it is revoked.
    Good {
        /// The responder's or the CRL's URL.
        source: String,
    },
    /// Revoked.
    Revoked {
        /// When (RFC 3339).
        date: String,
        /// The CRL's reason, if it gives one.
        reason: String,
        /// The responder's or the CRL's URL.
        source: String,
    },
    /// No answer could be had: why.
    Unknown {
        /// One sentence.
        warning: String,
    },
    /// The certificate names neither a responder nor a CRL (or is a root).
    Unchecked,
}

impl Revocation {
    /// The problem this verdict makes under `policy`: revoked is an error; an unknown
    /// status is a warning, or an error when an answer is required.
    pub fn problem(&self, policy: Policy) -> Option<Problem> {
        let sentence = self.sentence()?;
        Some(match self {
            Revocation::Unknown { .. } if policy == Policy::Soft => {
                Problem::RevocationUnknown(sentence)
            }
            _ => Problem::Revoked(sentence),
        })
    }

    /// The sentence for a revoked certificate, or for an unknown status.
    pub fn sentence(&self) -> Option<String> {
        match self {
            Revocation::Revoked { date, reason, .. } => Some(format!(
                "it was revoked on {} ({reason})",
                &date[..date.len().min(10)]
            )),
            Revocation::Unknown { warning } => {
                Some(format!("its revocation status is unknown: {warning}"))
            }
            _ => None,
        }
    }
}

/// A certificate and the issuer that signed it, both DER: what a responder or a CRL is
/// asked about.
#[derive(Debug, Clone, Copy)]
pub struct CertAndIssuer<'a> {
    /// The certificate.
    pub cert: &'a [u8],
    /// Its issuer.
    pub issuer: &'a [u8],
}

/// One question to one responder or CRL.
#[derive(Debug, Clone, Copy)]
struct Query<'a> {
    /// The certificate asked about, and its issuer.
    ders: CertAndIssuer<'a>,
    /// The responder's or the CRL's URL.
    url: &'a str,
    /// By when every answer must have come.
    deadline: Deadline,
    /// Now, in Unix seconds.
    now: i64,
}

/// Who is asked for a verdict.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// The certificate's OCSP responder.
    Ocsp,
    /// A CRL its distribution points name.
    Crl,
}

/// A verdict, or why none could be had (the store's own failure apart).
type Answer = Result<Result<Revocation, NoAnswer>, StoreError>;

/// Checks `cert` with its responder and the CRLs it names, with `index` (over the store's
/// certificates, built once by the caller) to find its issuer.
pub fn check(
    store: &mut Store,
    cert: &StoredCert,
    index: &ChainIndex<'_>,
    now: i64,
) -> Result<Revocation, StoreError> {
    if cert.summary.self_signed {
        return Ok(Revocation::Unchecked);
    }
    let der = store.der(cert.id)?;
    let pointers = pointers::pointers(&der);
    if pointers.crl.is_empty() && pointers.ocsp.is_empty() {
        return Ok(Revocation::Unchecked);
    }
    let path = index.path(cert);
    let Some(issuer) = path.get(1) else {
        return Ok(Revocation::Unknown {
            warning: "its issuer is not in the store, so its revocation cannot be checked".into(),
        });
    };
    let issuer_der = store.der(issuer.id)?;
    let deadline = Deadline::after(TIME_LIMIT);
    let ders = CertAndIssuer {
        cert: &der,
        issuer: &issuer_der,
    };
    check_ders(ders, Some(store), deadline, now)
}

/// [`check`] for a certificate and its issuer given as DER (a served chain), by
/// `deadline`, keeping the answers in `store` when there is one.
pub fn check_ders(
    ders: CertAndIssuer<'_>,
    mut store: Option<&mut Store>,
    deadline: Deadline,
    now: i64,
) -> Result<Revocation, StoreError> {
    let pointers = pointers::pointers(ders.cert);
    if pointers.crl.is_empty() && pointers.ocsp.is_empty() {
        return Ok(Revocation::Unchecked);
    }
    let total = pointers.ocsp.len() + pointers.crl.len();
    let mut warnings = Vec::new();
    let mut asked = 0;
    // The responders first, then the CRLs.
    let ocsp = pointers.ocsp.iter().map(|url| (Source::Ocsp, url));
    let crls = pointers.crl.iter().map(|url| (Source::Crl, url));
    for (source, url) in ocsp.chain(crls) {
        if deadline.step(fetch::FETCH_TIME_LIMIT).is_none() {
            break;
        }
        asked += 1;
        let query = Query {
            ders,
            url,
            deadline,
            now,
        };
        let store = store.as_deref_mut();
        let answer = match source {
            Source::Ocsp => ocsp_verdict(store, query)?,
            Source::Crl => crl::verdict(store, query)?,
        };
        match (answer, source) {
            (Ok(verdict), _) => return Ok(verdict),
            (Err(why), Source::Ocsp) => warnings.push(format!("OCSP at {url}: {why}")),
            (Err(why), Source::Crl) => warnings.push(why.to_string()),
        }
    }
    if asked < total {
        warnings.push(format!(
            "{} more of its responders and CRLs were not asked: the {} s its checks may take ran out",
            total - asked,
            deadline.seconds()
        ));
    }
    Ok(Revocation::Unknown {
        warning: warnings.join("; "),
    })
}

/// The responder's answer for a certificate: the kept one while it is current, else a new
/// one, kept until its nextUpdate; or why none could be had.
fn ocsp_verdict(store: Option<&mut Store>, query: Query<'_>) -> Answer {
    let Query { ders, url, now, .. } = query;
    let thumbprint = cert::thumbprint(ders.cert);
    if let Some(store) = store.as_deref()
        && let Some(kept) = store.cached_ocsp(url, &thumbprint, now)?
        && let Ok((verdict, _)) = ocsp::verdict(&kept, ders, url, now)
    {
        return Ok(Ok(verdict));
    }
    let Some(request) = ocsp::request(ders) else {
        return Ok(Err(NoAnswer::Unreadable));
    };
    let answer = match fetch::post(url, "application/ocsp-request", request, query.deadline) {
        Ok(bytes) => bytes,
        Err(e) => return Ok(Err(NoAnswer::ResponderUnreachable(e))),
    };
    match ocsp::verdict(&answer, ders, url, now) {
        Ok((verdict, next_update)) => {
            if let (Some(store), Some(next_update)) = (store, next_update) {
                // Best effort: a store that may not be written (an auditor's) still gets
                // its answer, only not kept.
                let kept = OcspKept {
                    url,
                    thumbprint: &thumbprint,
                    der: &answer,
                    next_update,
                };
                let _ = store.transaction(|tx, _| write::put_ocsp(tx, &kept, now));
            }
            Ok(Ok(verdict))
        }
        Err(why) => Ok(Err(why)),
    }
}
