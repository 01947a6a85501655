//! Certification paths by name and key-identifier linkage over the store's cached
//! summaries: cheap enough to compute for every row of a 100,000-certificate list.
//!
//! A path climbs from a certificate to an issuer whose subject equals its issuer name
//! (preferring the one whose subject key identifier matches the authority key
//! identifier), until it reaches a certificate in Trusted Roots (a trust anchor) or a
//! self-signed certificate that is not one. Signatures are not checked here.

use serde::Serialize;

use crate::store::{Location, Logical, StoredCert};

/// Longest path followed before giving up (a loop or an absurd chain).
const MAX_DEPTH: usize = 12;

/// The status of a certificate's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChainStatus {
    /// Reaches a trusted root and every link is within its validity period.
    Valid,
    /// Reaches a trusted root, but a link is expired or not yet valid.
    Expired,
    /// Ends in a self-signed certificate that is not in Trusted Roots.
    Untrusted,
    /// An issuer is missing from the store.
    Incomplete,
}

impl ChainStatus {
    /// The lower-case name used in JSON and the list.
    pub fn as_str(self) -> &'static str {
        match self {
            ChainStatus::Valid => "valid",
            ChainStatus::Expired => "expired",
            ChainStatus::Untrusted => "untrusted",
            ChainStatus::Incomplete => "incomplete",
        }
    }
}

/// An index of the store's certificates by subject name.
pub struct ChainIndex<'a> {
    /// By subject (foldhash: a 100,000-certificate store is indexed in a few ms).
    by_subject: foldhash::HashMap<&'a str, Vec<&'a StoredCert>>,
}

impl<'a> ChainIndex<'a> {
    /// Indexes `certs` (typically the whole store).
    pub fn new(certs: &'a [StoredCert]) -> Self {
        Self::from_refs(certs)
    }

    /// Indexes certificates given by reference.
    pub fn from_refs(certs: impl IntoIterator<Item = &'a StoredCert>) -> Self {
        let mut by_subject: foldhash::HashMap<&str, Vec<&StoredCert>> = Default::default();
        for c in certs.into_iter().filter(|c| c.logical != Logical::Requests) {
            by_subject
                .entry(c.summary.subject.as_str())
                .or_default()
                .push(c);
        }
        Self { by_subject }
    }

    /// The path from `cert` upwards, `cert` first, as far as it can be built.
    pub fn path(&self, cert: &'a StoredCert) -> Vec<&'a StoredCert> {
        let mut path = vec![cert];
        let mut current = cert;
        while path.len() < MAX_DEPTH
            && !is_anchor(current, cert.location)
            && !current.summary.self_signed
        {
            let Some(issuer) = self.issuer_of(current, cert.location) else {
                break;
            };
            if path.iter().any(|p| p.id == issuer.id) {
                break;
            }
            path.push(issuer);
            current = issuer;
        }
        path
    }

    /// The status of `cert`'s path at `now` (Unix seconds).
    pub fn status(&self, cert: &'a StoredCert, now: i64) -> ChainStatus {
        let path = self.path(cert);
        let Some(top) = path.last() else {
            return ChainStatus::Incomplete;
        };
        if !is_anchor(top, cert.location) {
            return if top.summary.self_signed {
                ChainStatus::Untrusted
            } else {
                ChainStatus::Incomplete
            };
        }
        if path.iter().all(|c| c.summary.is_time_valid(now)) {
            ChainStatus::Valid
        } else {
            ChainStatus::Expired
        }
    }

    fn issuer_of(&self, cert: &StoredCert, location: Location) -> Option<&'a StoredCert> {
        let candidates = self.by_subject.get(cert.summary.issuer.as_str())?;
        let visible = |c: &&&StoredCert| c.location == location || c.location == Location::Computer;
        let key_match = |c: &&&StoredCert| {
            cert.summary.aki.is_none()
                || c.summary.ski.is_none()
                || c.summary.ski == cert.summary.aki
        };
        candidates
            .iter()
            .filter(visible)
            .filter(key_match)
            .max_by_key(|c| {
                (
                    c.logical == Logical::Root,
                    c.summary.is_ca(),
                    c.summary.not_after,
                )
            })
            .copied()
    }
}

/// A trust anchor for certificates of `location`: a Trusted Roots certificate of that
/// location, or of the Computer location (users trust the machine's roots, as on Windows).
fn is_anchor(cert: &StoredCert, location: Location) -> bool {
    cert.logical == Logical::Root
        && (cert.location == location || cert.location == Location::Computer)
}
