//! Revocation of a stored certificate: its OCSP responder first ([`super::ocsp`]), then
//! the CRLs its distribution points name, fetched once and cached until their nextUpdate,
//! their signature checked against the issuer in the certificate's path. A revoked certificate is Invalid with the date and reason; a
//! CRL that cannot be had is a warning (soft-fail, as Windows does by default) unless the
//! caller requires an answer.

use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::net::fetch;
use crate::pki::pointers;
use crate::pki::timefmt;
use crate::store::revocation::write;
use crate::store::{Store, StoreError, StoredCert};
use crate::verify::chain::ChainIndex;

/// How long a CRL without a nextUpdate is kept.
const DEFAULT_LIFETIME: i64 = 86_400;

/// What the CRLs say of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Revocation {
    /// Not on the issuer's current CRL.
    Good {
        /// The CRL's URL.
        source: String,
    },
    /// Revoked.
    Revoked {
        /// When (RFC 3339).
        date: String,
        /// The CRL's reason, if it gives one.
        reason: String,
        /// The CRL's URL.
        source: String,
    },
    /// No answer could be had: why.
    Unknown {
        /// One sentence.
        warning: String,
    },
    /// The certificate names no CRL distribution point (or is a root).
    Unchecked,
}

impl Revocation {
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

/// Checks `cert` against the CRLs it names, with `all` (the store's certificates) to find
/// its issuer.
pub fn check(
    store: &mut Store,
    cert: &StoredCert,
    all: &[StoredCert],
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
    let index = ChainIndex::new(all);
    let path = index.path(cert);
    let Some(issuer) = path.get(1) else {
        return Ok(Revocation::Unknown {
            warning: "its issuer is not in the store, so its CRL cannot be checked".into(),
        });
    };
    let issuer_der = store.der(issuer.id)?;
    check_ders((&der, &issuer_der), Some(store), now)
}

/// [`check`] for a certificate and its issuer given as DER (a served chain), caching CRLs
/// in `store` when there is one.
pub fn check_ders(
    (der, issuer_der): (&[u8], &[u8]),
    mut store: Option<&mut Store>,
    now: i64,
) -> Result<Revocation, StoreError> {
    let pointers = pointers::pointers(der);
    if pointers.crl.is_empty() && pointers.ocsp.is_empty() {
        return Ok(Revocation::Unchecked);
    }
    let mut warnings = Vec::new();
    for url in pointers.ocsp {
        let Some(request) = super::ocsp::request(der, issuer_der) else {
            break;
        };
        let answer = fetch::post(&url, "application/ocsp-request", request)
            .map_err(|e| format!("the OCSP responder could not be asked ({e})"))
            .and_then(|bytes| super::ocsp::verdict(&bytes, (der, issuer_der), &url, now));
        match answer {
            Ok(verdict) => return Ok(verdict),
            Err(warning) => warnings.push(format!("OCSP at {url}: {warning}")),
        }
    }
    for url in pointers.crl {
        match crl_verdict(store.as_deref_mut(), &url, (der, issuer_der), now)? {
            Ok(verdict) => return Ok(verdict),
            Err(warning) => warnings.push(warning),
        }
    }
    Ok(Revocation::Unknown {
        warning: warnings.join("; "),
    })
}

/// The verdict of one CRL, or why it could not be had.
fn crl_verdict(
    store: Option<&mut Store>,
    url: &str,
    (der, issuer_der): (&[u8], &[u8]),
    now: i64,
) -> Result<Result<Revocation, String>, StoreError> {
    let cached = match store.as_deref() {
        Some(store) => store.cached_crl(url, now)?,
        None => None,
    };
    let (crl_der, fresh) = match cached {
        Some(cached) => (cached, false),
        None => match fetch::get(url) {
            Ok(bytes) => (bytes, true),
            Err(e) => return Ok(Err(format!("the CRL could not be fetched ({e})"))),
        },
    };
    let (Ok((_, cert)), Ok((_, issuer))) = (
        X509Certificate::from_der(der),
        X509Certificate::from_der(issuer_der),
    ) else {
        return Ok(Err("the certificate cannot be read".into()));
    };
    let Ok((_, crl)) = CertificateRevocationList::from_der(&crl_der) else {
        return Ok(Err(format!("{url} is not a CRL")));
    };
    if crl.issuer() != issuer.subject() || crl.verify_signature(issuer.public_key()).is_err() {
        return Ok(Err(format!(
            "the CRL at {url} is not signed by the certificate's issuer"
        )));
    }
    let next_update = crl
        .next_update()
        .map_or(now + DEFAULT_LIFETIME, |t| t.timestamp());
    if next_update <= now {
        return Ok(Err(format!("the CRL at {url} is out of date")));
    }
    if fresh && let Some(store) = store {
        store.transaction(|tx, _| write::put_crl(tx, url, &crl_der, next_update, now))?;
    }
    let serial = cert.raw_serial();
    let revoked = crl
        .iter_revoked_certificates()
        .find(|r| r.raw_serial() == serial);
    Ok(Ok(match revoked {
        Some(entry) => Revocation::Revoked {
            date: timefmt::rfc3339(entry.revocation_date.timestamp()),
            reason: entry
                .reason_code()
                .map_or_else(|| "no reason given".to_owned(), |(_, r)| format!("{r}")),
            source: url.to_owned(),
        },
        None => Revocation::Good {
            source: url.to_owned(),
        },
    }))
}
