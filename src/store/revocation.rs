//! The revocation caches: a CRL fetched from a distribution point, and an OCSP responder's
//! answer for one certificate, are kept until their nextUpdate, so a revocation check costs
//! at most one fetch per CRL or answer (public data, nothing secret). What is read back is
//! checked again by its reader.

use super::db::{Sql, values};
use super::{Store, StoreError};

/// A responder's answer kept for one certificate until its nextUpdate.
#[derive(Debug, Clone, Copy)]
pub struct OcspKept<'a> {
    /// The responder's URL.
    pub url: &'a str,
    /// The certificate's SHA-1 thumbprint.
    pub thumbprint: &'a str,
    /// The answer (an OCSPResponse), DER.
    pub der: &'a [u8],
    /// Until when it may be kept (its nextUpdate).
    pub next_update: i64,
}

impl Store {
    /// The cached CRL of `url` while it is current at `now`: its DER.
    pub fn cached_crl(&self, url: &str, now: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.sql()
            .query_one(
                "SELECT der FROM crl_cache WHERE url = ?1 AND next_update > ?2",
                values![url, now],
            )?
            .map(|r| r.blob(0).map(<[u8]>::to_vec))
            .transpose()
    }

    /// The kept answer of the responder at `url` for the certificate `thumbprint`, while
    /// current at `now`.
    pub fn cached_ocsp(
        &self,
        url: &str,
        thumbprint: &str,
        now: i64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.sql()
            .query_one(
                "SELECT der FROM ocsp_cache WHERE url = ?1 AND thumbprint = ?2 AND next_update > ?3",
                values![url, thumbprint, now],
            )?
            .map(|r| r.blob(0).map(<[u8]>::to_vec))
            .transpose()
    }
}

/// Row-level writes of the cache.
pub(crate) mod write {
    use super::*;

    /// Keeps (or replaces) the CRL of `url` until `next_update`.
    pub fn put_crl(
        tx: Sql<'_>,
        url: &str,
        der: &[u8],
        next_update: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO crl_cache (url, der, next_update, fetched) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (url) DO UPDATE SET der = excluded.der,
               next_update = excluded.next_update, fetched = excluded.fetched",
            values![url, der, next_update, now],
        )?;
        Ok(())
    }

    /// Keeps (or replaces) a responder's answer, fetched `now`.
    pub fn put_ocsp(tx: Sql<'_>, kept: &OcspKept<'_>, now: i64) -> Result<(), StoreError> {
        let OcspKept {
            url,
            thumbprint,
            der,
            next_update,
        } = *kept;
        tx.execute(
            "INSERT INTO ocsp_cache (url, thumbprint, der, next_update, fetched)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (url, thumbprint) DO UPDATE SET der = excluded.der,
               next_update = excluded.next_update, fetched = excluded.fetched",
            values![url, thumbprint, der, next_update, now],
        )?;
        Ok(())
    }
}
