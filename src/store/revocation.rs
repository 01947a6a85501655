//! The revocation caches: a CRL fetched from a distribution point, and an OCSP responder's
//! answer for one certificate, are kept until their nextUpdate, so a revocation check costs
//! at most one fetch per CRL or answer (public data, nothing secret). What is read back is
//! checked again by its reader.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, StoreError};

impl Store {
    /// The cached CRL of `url` while it is current at `now`: its DER.
    pub fn cached_crl(&self, url: &str, now: i64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT der FROM crl_cache WHERE url = ?1 AND next_update > ?2",
                params![url, now],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The kept answer of the responder at `url` for the certificate `thumbprint`, while
    /// current at `now`.
    pub fn cached_ocsp(
        &self,
        url: &str,
        thumbprint: &str,
        now: i64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT der FROM ocsp_cache WHERE url = ?1 AND thumbprint = ?2 AND next_update > ?3",
                params![url, thumbprint, now],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// Row-level writes of the cache.
pub(crate) mod write {
    use super::*;

    /// Keeps (or replaces) the CRL of `url` until `next_update`.
    pub fn put_crl(
        conn: &Connection,
        url: &str,
        der: &[u8],
        next_update: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        conn.execute(
            "INSERT OR REPLACE INTO crl_cache (url, der, next_update, fetched) VALUES (?1, ?2, ?3, ?4)",
            params![url, der, next_update, now],
        )?;
        Ok(())
    }

    /// Keeps (or replaces) the answer of the responder at `url` for the certificate
    /// `thumbprint` until `next_update`.
    pub fn put_ocsp(
        conn: &Connection,
        (url, thumbprint): (&str, &str),
        der: &[u8],
        next_update: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        conn.execute(
            "INSERT OR REPLACE INTO ocsp_cache (url, thumbprint, der, next_update, fetched) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![url, thumbprint, der, next_update, now],
        )?;
        Ok(())
    }
}
