//! Pending requests (the Enrollment Requests store) and the topology, as stored rows.

use rusqlite::{Connection, OptionalExtension, params};

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

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PendingRequest> {
    let sans: String = r.get(7)?;
    Ok(PendingRequest {
        id: r.get(0)?,
        location: r.get(1)?,
        key_id: r.get(2)?,
        cert_id: r.get(3)?,
        friendly_name: r.get(4)?,
        usages: r.get(5)?,
        subject: r.get(6)?,
        sans: sans
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        csr_pem: r.get(8)?,
        csr_file: r.get(9)?,
        created: r.get(10)?,
        ca: r.get(11)?,
        ca_reference: r.get(12)?,
    })
}

impl Store {
    /// The pending requests of a location, oldest first.
    pub fn pending_requests(&self, location: Location) -> Result<Vec<PendingRequest>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT} WHERE location = ?1 ORDER BY id"))?;
        let rows = stmt.query_map([location.as_str()], from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The stored topology's TOML, if one was set.
    pub fn topology_toml(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT toml FROM topology WHERE id = 1", [], |r| r.get(0))
            .optional()?)
    }
}

/// Row-level writes for requests and the topology.
pub(crate) mod write {
    use super::*;

    /// Inserts a pending request and returns its id.
    pub fn insert(conn: &Connection, r: &PendingRequest) -> Result<i64, StoreError> {
        conn.execute(
            "INSERT INTO requests (location, key_id, cert_id, friendly_name, usages, subject, sans, csr_pem, csr_file, created, ca, ca_reference)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                r.location,
                r.key_id,
                r.cert_id,
                r.friendly_name,
                r.usages,
                r.subject,
                r.sans.join(","),
                r.csr_pem,
                r.csr_file,
                r.created,
                r.ca,
                r.ca_reference
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// The pending request of a location that holds this key.
    pub fn by_key(
        conn: &Connection,
        location: Location,
        key_id: i64,
    ) -> Result<Option<PendingRequest>, StoreError> {
        Ok(conn
            .prepare_cached(&format!("{SELECT} WHERE location = ?1 AND key_id = ?2"))?
            .query_row(params![location.as_str(), key_id], from_row)
            .optional()?)
    }

    /// One pending request by id.
    pub fn by_id(
        conn: &Connection,
        location: Location,
        id: i64,
    ) -> Result<Option<PendingRequest>, StoreError> {
        Ok(conn
            .prepare_cached(&format!("{SELECT} WHERE location = ?1 AND id = ?2"))?
            .query_row(params![location.as_str(), id], from_row)
            .optional()?)
    }

    /// Deletes a request row and its placeholder certificate (not the key).
    pub fn delete(conn: &Connection, r: &PendingRequest) -> Result<(), StoreError> {
        conn.execute("DELETE FROM requests WHERE id = ?1", [r.id])?;
        if let Some(cert_id) = r.cert_id {
            conn.execute("DELETE FROM certificates WHERE id = ?1", [cert_id])?;
        }
        Ok(())
    }

    /// Deletes a key that no certificate and no request uses any more.
    pub fn delete_key_if_unused(conn: &Connection, key_id: i64) -> Result<(), StoreError> {
        conn.execute(
            "DELETE FROM keys WHERE id = ?1
               AND NOT EXISTS (SELECT 1 FROM certificates WHERE key_id = ?1)
               AND NOT EXISTS (SELECT 1 FROM requests WHERE key_id = ?1)",
            [key_id],
        )?;
        Ok(())
    }

    /// Replaces the topology.
    pub fn set_topology(conn: &Connection, toml: &str) -> Result<(), StoreError> {
        conn.execute(
            "INSERT OR REPLACE INTO topology (id, toml) VALUES (1, ?1)",
            [toml],
        )?;
        Ok(())
    }
}
