//! CRLs (RFC 5280): fetched from a distribution point once and kept until their
//! nextUpdate, their signature checked against the certificate's issuer.

use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use super::{Answer, NoAnswer, Query, Revocation};
use crate::net::fetch;
use crate::pki::timefmt;
use crate::store::Store;
use crate::store::revocation::write;

/// How long a CRL without a nextUpdate is kept.
const DEFAULT_LIFETIME: i64 = 86_400;

/// The verdict of one CRL, or why it could not be had.
pub(super) fn verdict(store: Option<&mut Store>, query: Query<'_>) -> Answer {
    let Query { url, now, .. } = query;
    let cached = match store.as_deref() {
        Some(store) => store.cached_crl(url, now)?,
        None => None,
    };
    let (crl_der, fresh) = match cached {
        Some(cached) => (cached, false),
        None => match fetch::get(url, query.deadline) {
            Ok(bytes) => (bytes, true),
            Err(e) => return Ok(Err(NoAnswer::CrlUnreachable(e))),
        },
    };
    let (Ok((_, cert)), Ok((_, issuer))) = (
        X509Certificate::from_der(query.ders.cert),
        X509Certificate::from_der(query.ders.issuer),
    ) else {
        return Ok(Err(NoAnswer::Unreadable));
    };
    let Ok((_, crl)) = CertificateRevocationList::from_der(&crl_der) else {
        return Ok(Err(NoAnswer::NotCrl(url.to_owned())));
    };
    if crl.issuer() != issuer.subject() || crl.verify_signature(issuer.public_key()).is_err() {
        return Ok(Err(NoAnswer::CrlNotSigned(url.to_owned())));
    }
    let next_update = crl
        .next_update()
        .map_or(now + DEFAULT_LIFETIME, |t| t.timestamp());
    if next_update <= now {
        return Ok(Err(NoAnswer::CrlOutOfDate(url.to_owned())));
    }
    if fresh && let Some(store) = store {
        // Best effort: a store that may not be written (an auditor's) still gets its
        // answer, only not kept.
        let _ = store.transaction(|tx, _| write::put_crl(tx, url, &crl_der, next_update, now));
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
