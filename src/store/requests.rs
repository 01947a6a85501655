//! Pending requests (the Enrollment Requests store) and the topology, as stored rows.

use super::db::{Row, Sql, values};
use super::{Location, Store, StoreError};

/// A request waiting for its CA's response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PendingRequest {
    /// Its id (what `requests --clear ID` takes).
    pub id: i64,
    /// The location its certificate will go to.
    pub location: String,
    /// The stored private key.
    #[serde(skip)]
    pub key_id: i64,
    /// The placeholder certificate in Enrollment Requests.
    #[serde(skip)]
    pub cert_id: Option<i64>,
    /// The friendly name the certificate will get.
    pub friendly_name: String,
    /// The usages, comma-separated.
    pub usages: String,
    /// The requested subject CN.
    pub subject: String,
    /// The requested SANs.
    pub sans: Vec<String>,
    /// The CSR, PEM.
    pub csr_pem: String,
    /// Where the CSR was saved, if it was.
    pub csr_file: Option<String>,
    /// When, Unix seconds.
    pub created: i64,
    /// The online CA that holds it (pending approval), if it was sent to one.
    pub ca: Option<String>,
    /// The CA's own reference: the AD CS request ID, the SCEP transaction ID, the ACME
    /// order URL.
    pub ca_reference: Option<String>,
}

const SELECT: &str = "SELECT id, location, key_id, cert_id, friendly_name, usages, subject, sans,
    csr_pem, csr_file, created, ca, ca_reference FROM requests";

fn from_row(r: &Row) -> Result<PendingRequest, StoreError> {
    let sans = r.text(7)?;
    Ok(PendingRequest {
        id: r.int(0)?,
        location: r.text(1)?,
        key_id: r.int(2)?,
        cert_id: r.opt_int(3)?,
        friendly_name: r.text(4)?,
        usages: r.text(5)?,
        subject: r.text(6)?,
        sans: sans
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        csr_pem: r.text(8)?,
        csr_file: r.opt_text(9)?,
        created: r.int(10)?,
        ca: r.opt_text(11)?,
        ca_reference: r.opt_text(12)?,
    })
}

impl Store {
    /// The pending requests of a location, oldest first.
    pub fn pending_requests(&self, location: Location) -> Result<Vec<PendingRequest>, StoreError> {
        self.sql()
            .query(
                &format!("{SELECT} WHERE location = ?1 ORDER BY id"),
                values![location.as_str()],
            )?
            .iter()
            .map(from_row)
            .collect()
    }

    /// The stored topology's TOML, if one was set.
    pub fn topology_toml(&self) -> Result<Option<String>, StoreError> {
        self.sql()
            .query_one("SELECT toml FROM topology WHERE id = 1", &[])?
            .map(|r| r.text(0))
            .transpose()
    }
}

/// Row-level writes for requests and the topology.
pub(crate) mod write {
    use super::*;

    /// Inserts a pending request and returns its id.
    pub fn insert(tx: Sql<'_>, r: &PendingRequest) -> Result<i64, StoreError> {
        tx.insert(
            "INSERT INTO requests (location, key_id, cert_id, friendly_name, usages, subject, sans, csr_pem, csr_file, created, ca, ca_reference)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
            values![
                &r.location,
                r.key_id,
                r.cert_id,
                &r.friendly_name,
                &r.usages,
                &r.subject,
                r.sans.join(","),
                &r.csr_pem,
                r.csr_file.as_deref(),
                r.created,
                r.ca.as_deref(),
                r.ca_reference.as_deref()
            ],
        )
    }

    /// The pending request of a location that holds this key.
    pub fn by_key(
        tx: Sql<'_>,
        location: Location,
        key_id: i64,
    ) -> Result<Option<PendingRequest>, StoreError> {
        tx.query_one(
            &format!("{SELECT} WHERE location = ?1 AND key_id = ?2"),
            values![location.as_str(), key_id],
        )?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// One pending request by id.
    pub fn by_id(
        tx: Sql<'_>,
        location: Location,
        id: i64,
    ) -> Result<Option<PendingRequest>, StoreError> {
        tx.query_one(
            &format!("{SELECT} WHERE location = ?1 AND id = ?2"),
            values![location.as_str(), id],
        )?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Deletes a request row and its placeholder certificate (not the key).
    pub fn delete(tx: Sql<'_>, r: &PendingRequest) -> Result<(), StoreError> {
        tx.execute("DELETE FROM requests WHERE id = ?1", values![r.id])?;
        if let Some(cert_id) = r.cert_id {
            crate::store::certs::write::delete_row(tx, cert_id)?;
        }
        Ok(())
    }

    /// Deletes a key that no certificate and no request uses any more.
    pub fn delete_key_if_unused(tx: Sql<'_>, key_id: i64) -> Result<(), StoreError> {
        tx.execute(
            "DELETE FROM keys WHERE id = ?1
               AND NOT EXISTS (SELECT 1 FROM certificates WHERE key_id = ?1)
               AND NOT EXISTS (SELECT 1 FROM requests WHERE key_id = ?1)",
            values![key_id],
        )?;
        Ok(())
    }

    /// Replaces the topology.
    pub fn set_topology(tx: Sql<'_>, toml: &str) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO topology (id, toml) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET toml = excluded.toml",
            values![toml],
        )?;
        Ok(())
    }
}
