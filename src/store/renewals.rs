//! Renewal tracking as stored rows, one per certificate that has one: whether `certdesk
//! track` added it (certificates in force are tracked without a row), whether it renews with
//! its own key, the certificate that renewed it, the ACME renewal window chosen for it, and
//! its last unattended attempt, and the renewal request a CA holds for approval.

use super::db::{Row, Sql, values};
use super::{Location, Store, StoreError};

/// A renewal window the CA suggested (RFC 9773) and the time chosen inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct AriChoice {
    /// The window's start, Unix seconds.
    pub start: i64,
    /// The window's end, Unix seconds.
    pub end: i64,
    /// The random time chosen inside it, kept so that every run agrees.
    pub at: i64,
}

/// One certificate's renewal row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenewalRow {
    /// The certificate's location.
    pub location: Option<Location>,
    /// Its thumbprint.
    pub thumbprint: String,
    /// Added by `certdesk track` (certificates in force are tracked anyway).
    pub tracked: bool,
    /// Renewed with its own key instead of a new one.
    pub same_key: bool,
    /// The certificate that renewed it: it is not renewed again.
    pub renewed_by: Option<String>,
    /// The CA's renewal window and the time chosen in it.
    pub ari: Option<AriChoice>,
    /// The CA asked not to be asked again before this time (`Retry-After`).
    pub ari_fetch_after: Option<i64>,
    /// The last unattended attempt, Unix seconds.
    pub last_attempt: Option<i64>,
    /// What it gave, in a sentence.
    pub last_outcome: Option<String>,
    /// Whether it failed.
    pub last_failed: bool,
    /// The renewal request a CA holds for approval, and its key (the certificate the CA
    /// issues for it is the successor).
    pub pending: Option<(i64, i64)>,
}

const COLUMNS: &str = "location, thumbprint, tracked, same_key, renewed_by, ari_start, ari_end, \
    ari_at, ari_fetch_after, last_attempt, last_outcome, last_failed, pending_request, pending_key";

impl Store {
    /// Every renewal row.
    pub fn renewal_rows(&self) -> Result<Vec<RenewalRow>, StoreError> {
        self.sql()
            .query(
                &format!("SELECT {COLUMNS} FROM renewals ORDER BY location, thumbprint"),
                &[],
            )?
            .iter()
            .map(row)
            .collect()
    }
}

fn row(r: &Row) -> Result<RenewalRow, StoreError> {
    let ari = match (r.opt_int(5)?, r.opt_int(6)?, r.opt_int(7)?) {
        (Some(start), Some(end), Some(at)) => Some(AriChoice { start, end, at }),
        _ => None,
    };
    Ok(RenewalRow {
        location: Location::parse(&r.text(0)?),
        thumbprint: r.text(1)?,
        tracked: r.int(2)? != 0,
        same_key: r.int(3)? != 0,
        renewed_by: r.opt_text(4)?,
        ari,
        ari_fetch_after: r.opt_int(8)?,
        last_attempt: r.opt_int(9)?,
        last_outcome: r.opt_text(10)?,
        last_failed: r.int(11)? != 0,
        pending: r.opt_int(12)?.zip(r.opt_int(13)?),
    })
}

/// Row-level writes.
pub(crate) mod write {
    use super::*;

    /// The row of a certificate, read inside the caller's transaction.
    pub fn get(
        tx: Sql<'_>,
        location: Location,
        thumbprint: &str,
    ) -> Result<Option<RenewalRow>, StoreError> {
        tx.query_one(
            &format!("SELECT {COLUMNS} FROM renewals WHERE location = ?1 AND thumbprint = ?2"),
            values![location.as_str(), thumbprint],
        )?
        .as_ref()
        .map(row)
        .transpose()
    }

    /// Stores a row, replacing the certificate's.
    pub fn put(tx: Sql<'_>, location: Location, r: &RenewalRow) -> Result<(), StoreError> {
        tx.execute(
            &format!(
                "INSERT INTO renewals ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (location, thumbprint) DO UPDATE SET tracked = excluded.tracked,
                   same_key = excluded.same_key, renewed_by = excluded.renewed_by,
                   ari_start = excluded.ari_start, ari_end = excluded.ari_end,
                   ari_at = excluded.ari_at, ari_fetch_after = excluded.ari_fetch_after,
                   last_attempt = excluded.last_attempt, last_outcome = excluded.last_outcome,
                   last_failed = excluded.last_failed,
                   pending_request = excluded.pending_request,
                   pending_key = excluded.pending_key"
            ),
            values![
                location.as_str(),
                &r.thumbprint,
                i64::from(r.tracked),
                i64::from(r.same_key),
                r.renewed_by.as_deref(),
                r.ari.map(|a| a.start),
                r.ari.map(|a| a.end),
                r.ari.map(|a| a.at),
                r.ari_fetch_after,
                r.last_attempt,
                r.last_outcome.as_deref(),
                i64::from(r.last_failed),
                r.pending.map(|p| p.0),
                r.pending.map(|p| p.1)
            ],
        )?;
        Ok(())
    }
}
