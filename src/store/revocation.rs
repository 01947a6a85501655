//! The CRL cache: a CRL fetched from a distribution point is kept until its nextUpdate, so
//! a revocation check costs at most one fetch per CRL (public data, nothing secret).

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
}
