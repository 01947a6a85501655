//! Certificates, keys and extended properties in the store: reading, finding by
//! thumbprint, and the row-level writes that model operations compose in a transaction.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Location, Logical, Store, StoreError};
use crate::model::cert::{CertSummary, Certificate};
use crate::model::key::PrivateKey;

/// A private key as the list shows it (never the key material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Row id of the key.
    pub id: i64,
    /// Whether the key may leave the store.
    pub exportable: bool,
    /// Algorithm and size, e.g. `RSA 2048`.
    pub description: String,
}

/// A certificate in the store, with its cached summary (the DER is fetched on demand).
#[derive(Debug, Clone)]
pub struct StoredCert {
    /// Row id.
    pub id: i64,
    /// Its location.
    pub location: Location,
    /// Its logical store.
    pub logical: Logical,
    /// The parsed summary cached when it entered the store.
    pub summary: CertSummary,
    /// Friendly name, unique within the location; empty when none.
    pub friendly_name: String,
    /// When it was added, Unix seconds.
    pub added: i64,
    /// Its private key, if the store holds one.
    pub key: Option<KeyInfo>,
}

const SELECT: &str = "SELECT c.id, c.location, c.logical, c.summary, c.friendly_name, c.added,
        k.id, k.exportable, k.description
    FROM certificates c LEFT JOIN keys k ON k.id = c.key_id";

fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredCert> {
    let blob: &[u8] = row.get_ref(3)?.as_blob()?;
    let summary: CertSummary = postcard::from_bytes(blob).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Blob, Box::new(e))
    })?;
    let location: String = row.get(1)?;
    let logical: String = row.get(2)?;
    let key = match row.get::<_, Option<i64>>(6)? {
        Some(id) => Some(KeyInfo {
            id,
            exportable: row.get(7)?,
            description: row.get(8)?,
        }),
        None => None,
    };
    Ok(StoredCert {
        id: row.get(0)?,
        location: Location::parse(&location).unwrap_or(Location::Computer),
        logical: Logical::parse(&logical).unwrap_or(Logical::Personal),
        summary,
        friendly_name: row.get(4)?,
        added: row.get(5)?,
        key,
    })
}

impl Store {
    /// Every certificate, optionally limited to one location and one logical store,
    /// ordered by location, logical store and subject.
    pub fn list(
        &self,
        location: Option<Location>,
        logical: Option<Logical>,
    ) -> Result<Vec<StoredCert>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE (?1 IS NULL OR c.location = ?1) AND (?2 IS NULL OR c.logical = ?2) ORDER BY c.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![location.map(Location::as_str), logical.map(Logical::as_str)],
            from_row,
        )?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Finds a certificate by thumbprint (any case), or by a unique prefix of 8 or more
    /// hex digits, in one location.
    pub fn find(&self, location: Location, thumbprint: &str) -> Result<StoredCert, StoreError> {
        let wanted = normalise_thumbprint(thumbprint)?;
        let sql = format!(
            "{SELECT} WHERE c.location = ?1 AND c.thumbprint >= ?2 AND c.thumbprint < ?2 || 'G' LIMIT 2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let found = stmt
            .query_map(params![location.as_str(), wanted], from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        match found.len() {
            0 => Err(StoreError::NotFound {
                thumbprint: wanted,
                location: location.as_str(),
            }),
            1 => Ok(found
                .into_iter()
                .next()
                .ok_or(StoreError::Ambiguous(wanted))?),
            _ => Err(StoreError::Ambiguous(wanted)),
        }
    }

    /// The DER of a stored certificate.
    pub fn der(&self, cert_id: i64) -> Result<Vec<u8>, StoreError> {
        Ok(self.conn.query_row(
            "SELECT der FROM certificates WHERE id = ?1",
            [cert_id],
            |r| r.get(0),
        )?)
    }

    /// The extended properties of a certificate: (bag, dotted OID, DER of the value set).
    pub fn properties(&self, cert_id: i64) -> Result<Vec<(String, String, Vec<u8>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT bag, oid, value FROM properties WHERE cert_id = ?1 ORDER BY bag, oid",
        )?;
        let rows = stmt.query_map([cert_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Decrypts a stored private key.
    pub fn private_key(&self, key_id: i64) -> Result<PrivateKey, StoreError> {
        let encrypted: Vec<u8> = self.conn.query_row(
            "SELECT encrypted_pkcs8 FROM keys WHERE id = ?1",
            [key_id],
            |r| r.get(0),
        )?;
        Ok(PrivateKey::from_encrypted(&encrypted, self.secret())?)
    }

    /// How many certificates each (location, logical store) holds.
    pub fn counts(&self) -> Result<Vec<(Location, Logical, usize)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT location, logical, COUNT(*) FROM certificates GROUP BY location, logical",
        )?;
        let rows = stmt.query_map([], |r| {
            let loc: String = r.get(0)?;
            let log: String = r.get(1)?;
            let n: i64 = r.get(2)?;
            Ok((loc, log, n))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (loc, log, n) = row?;
            if let (Some(loc), Some(log)) = (Location::parse(&loc), Logical::parse(&log)) {
                out.push((loc, log, usize::try_from(n).unwrap_or(0)));
            }
        }
        Ok(out)
    }
}

/// Checks and upper-cases a thumbprint or thumbprint prefix (spaces and colons ignored).
pub fn normalise_thumbprint(input: &str) -> Result<String, StoreError> {
    let hex: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect::<String>()
        .to_ascii_uppercase();
    if hex.len() < 8 || hex.len() > 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::BadThumbprint(input.to_owned()));
    }
    Ok(hex)
}

/// Row-level writes, composed by model operations inside one transaction.
pub(crate) mod write {
    use super::*;

    /// A new certificate row.
    pub struct NewCert<'a> {
        pub location: Location,
        pub logical: Logical,
        pub cert: &'a Certificate,
        pub friendly_name: &'a str,
        pub key_id: Option<i64>,
        pub now: i64,
    }

    /// Inserts a certificate, returning its row id.
    pub fn insert_cert(conn: &Connection, new: &NewCert<'_>) -> Result<i64, StoreError> {
        let summary = postcard::to_allocvec(new.cert.summary())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        conn.prepare_cached(
            "INSERT INTO certificates (location, logical, thumbprint, public_key_hash, der, summary, friendly_name, added, key_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            new.location.as_str(),
            new.logical.as_str(),
            new.cert.summary().thumbprint,
            new.cert.summary().public_key_hash,
            new.cert.der(),
            summary,
            new.friendly_name,
            new.now,
            new.key_id
        ])?;
        Ok(conn.last_insert_rowid())
    }

    /// Stores a private key encrypted under the store secret, or returns the id of the
    /// key already stored for the same public key. When the key is already stored its
    /// exportable flag is kept unless `exportable` widens it.
    pub fn upsert_key(
        conn: &Connection,
        secret: &[u8],
        key: &PrivateKey,
        exportable: bool,
        now: i64,
    ) -> Result<i64, StoreError> {
        if let Some(id) = key_by_public(conn, key.public_key_hash())? {
            if exportable {
                conn.execute("UPDATE keys SET exportable = 1 WHERE id = ?1", [id])?;
            }
            return Ok(id);
        }
        let encrypted = key.encrypt(secret)?;
        conn.prepare_cached(
            "INSERT INTO keys (public_key_hash, description, encrypted_pkcs8, exportable, added)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            key.public_key_hash(),
            key.description(),
            encrypted,
            exportable,
            now
        ])?;
        Ok(conn.last_insert_rowid())
    }

    /// The id of the stored key with this public key hash.
    pub fn key_by_public(conn: &Connection, hash: &str) -> Result<Option<i64>, StoreError> {
        Ok(conn
            .prepare_cached("SELECT id FROM keys WHERE public_key_hash = ?1")?
            .query_row([hash], |r| r.get(0))
            .optional()?)
    }

    /// Links a key to an existing certificate.
    pub fn attach_key(conn: &Connection, cert_id: i64, key_id: i64) -> Result<(), StoreError> {
        conn.execute(
            "UPDATE certificates SET key_id = ?2 WHERE id = ?1",
            params![cert_id, key_id],
        )?;
        Ok(())
    }

    /// Records an extended property, replacing one with the same bag and OID.
    pub fn set_property(
        conn: &Connection,
        cert_id: i64,
        bag: &str,
        oid: &str,
        value: &[u8],
    ) -> Result<(), StoreError> {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO properties (cert_id, bag, oid, value) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![cert_id, bag, oid, value])?;
        Ok(())
    }

    /// Sets a metadata value.
    pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(())
    }

    /// `wanted`, or `wanted (2)`, `(3)`, ... when the location already uses it; the second
    /// value says so in a sentence. An empty name stays empty.
    pub fn unique_friendly_name(
        conn: &Connection,
        location: Location,
        wanted: &str,
    ) -> Result<(String, Option<String>), StoreError> {
        if wanted.is_empty() || !friendly_name_taken(conn, location, wanted)? {
            return Ok((wanted.to_owned(), None));
        }
        let mut n = 2u64;
        loop {
            let candidate = format!("{wanted} ({n})");
            if !friendly_name_taken(conn, location, &candidate)? {
                let note = format!(
                    "the friendly name \"{wanted}\" is already used in this location, so the certificate was named \"{candidate}\""
                );
                return Ok((candidate, Some(note)));
            }
            n += 1;
        }
    }

    /// Whether a friendly name is used by another certificate in the location.
    pub fn friendly_name_taken(
        conn: &Connection,
        location: Location,
        name: &str,
    ) -> Result<bool, StoreError> {
        Ok(conn
            .prepare_cached(
                "SELECT 1 FROM certificates WHERE location = ?1 AND friendly_name = ?2",
            )?
            .query_row(params![location.as_str(), name], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The id and key of a certificate already in the location.
    pub fn existing(
        conn: &Connection,
        location: Location,
        thumbprint: &str,
    ) -> Result<Option<(i64, Option<i64>)>, StoreError> {
        Ok(conn
            .prepare_cached(
                "SELECT id, key_id FROM certificates WHERE location = ?1 AND thumbprint = ?2",
            )?
            .query_row(params![location.as_str(), thumbprint], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// Key-less certificates of the location whose public key matches: (id, thumbprint).
    pub fn keyless_with_public(
        conn: &Connection,
        location: Location,
        hash: &str,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt = conn.prepare_cached(
            "SELECT id, thumbprint FROM certificates
             WHERE key_id IS NULL AND location = ?1 AND public_key_hash = ?2",
        )?;
        let rows = stmt.query_map(params![location.as_str(), hash], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Deletes a certificate (its properties go with it) and its key when no other
    /// certificate uses that key.
    pub fn delete_cert(conn: &Connection, cert_id: i64) -> Result<(), StoreError> {
        let key_id: Option<i64> = conn.query_row(
            "SELECT key_id FROM certificates WHERE id = ?1",
            [cert_id],
            |r| r.get(0),
        )?;
        conn.execute("DELETE FROM certificates WHERE id = ?1", [cert_id])?;
        if let Some(key_id) = key_id {
            conn.execute(
                "DELETE FROM keys WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM certificates WHERE key_id = ?1)",
                [key_id],
            )?;
        }
        Ok(())
    }
}
