//! Certificates, keys and extended properties in the store: reading, finding by
//! thumbprint, and the row-level writes that model operations compose in a transaction.

use std::collections::HashSet;

use super::db::{Row, Sql, Value, values};
use super::rows::{KeyInfo, StoredCert, StoredProperty};
use super::system;
use super::{Location, Logical, Store, StoreError};
use crate::pki::cert::{CertSummary, Certificate};
use crate::pki::key::{KeyError, PrivateKey};

const SELECT: &str = "SELECT c.id, c.location, c.logical, c.summary, c.friendly_name, c.added,
        k.id, k.exportable, k.description, c.issuing_ca
    FROM certificates c LEFT JOIN keys k ON k.id = c.key_id";

/// The rows a list reads: of one location (`?1`) and one logical store (`?2`), or all.
const LISTED: &str = "WHERE (CAST(?1 AS TEXT) IS NULL OR c.location = ?1)
    AND (CAST(?2 AS TEXT) IS NULL OR c.logical = ?2)";

fn from_row(row: &Row) -> Result<StoredCert, StoreError> {
    let summary: CertSummary = postcard::from_bytes(row.blob(3)?)
        .map_err(|e| StoreError::Corrupt(format!("a certificate summary: {e}")))?;
    let key = match row.opt_int(6)? {
        Some(id) => Some(KeyInfo {
            id,
            exportable: row.bool(7)?,
            description: row.text(8)?,
        }),
        None => None,
    };
    Ok(StoredCert {
        id: row.int(0)?,
        location: Location::parse(row.str(1)?).unwrap_or(Location::Computer),
        logical: Logical::parse(row.str(2)?).unwrap_or(Logical::Personal),
        summary,
        friendly_name: row.text(4)?,
        added: row.int(5)?,
        key,
        issuing_ca: row.opt_text(9)?,
        system: false,
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
        let filter = values![location.map(Location::as_str), logical.map(Logical::as_str)];
        // Sized once from a count in SQLite; a team store's rows stream from the server,
        // where a count first would cost another round trip and scan.
        let capacity = if self.is_team() {
            0
        } else {
            self.count(filter)?
        };
        let mut certs = Vec::with_capacity(capacity);
        self.sql()
            .for_each(&format!("{SELECT} {LISTED} ORDER BY c.id"), filter, |row| {
                certs.push(from_row(row)?);
                Ok(())
            })?;
        let wants_roots = location.is_none_or(|l| l == Location::Computer)
            && logical.is_none_or(|l| l == Logical::Root);
        if self.system_roots && wants_roots {
            let stored: HashSet<&str> = certs
                .iter()
                .filter(|c| c.location == Location::Computer && c.logical == Logical::Root)
                .map(|c| c.summary.thumbprint.as_str())
                .collect();
            let extra: Vec<StoredCert> = system::roots()
                .certs
                .iter()
                .filter(|c| !stored.contains(c.summary.thumbprint.as_str()))
                .cloned()
                .collect();
            certs.extend(extra);
        }
        Ok(certs)
    }

    /// Finds a certificate by thumbprint (any case), or by a unique prefix of 8 or more
    /// hex digits, in one location.
    /// System roots are found too (in Computer) while the store trusts them.
    pub fn find(&self, location: Location, thumbprint: &str) -> Result<StoredCert, StoreError> {
        match find(self.sql(), location, thumbprint) {
            Err(StoreError::NotFound { .. })
                if self.system_roots && location == Location::Computer =>
            {
                let wanted = normalise_thumbprint(thumbprint)?;
                match system::roots().find(&wanted).as_slice() {
                    [one] => Ok((*one).clone()),
                    [] => Err(StoreError::NotFound {
                        thumbprint: wanted,
                        location: location.as_str(),
                    }),
                    _ => Err(StoreError::Ambiguous(wanted)),
                }
            }
            other => other,
        }
    }

    /// The DER of a stored certificate (or of a system root, whose ids are negative).
    pub fn der(&self, cert_id: i64) -> Result<Vec<u8>, StoreError> {
        if cert_id < 0 {
            return system::roots()
                .der(cert_id)
                .map(<[u8]>::to_vec)
                .ok_or(StoreError::Corrupt(format!("no system root {cert_id}")));
        }
        let row = self
            .sql()
            .query_one(
                "SELECT der FROM certificate_der WHERE cert_id = ?1",
                values![cert_id],
            )?
            .ok_or(StoreError::Vanished("certificate"))?;
        Ok(row.blob(0)?.to_vec())
    }

    /// The extended properties of a certificate.
    pub fn properties(&self, cert_id: i64) -> Result<Vec<StoredProperty>, StoreError> {
        self.sql()
            .query(
                "SELECT bag, oid, value FROM properties WHERE cert_id = ?1 ORDER BY bag, oid",
                values![cert_id],
            )?
            .iter()
            .map(|r| {
                Ok(StoredProperty {
                    bag: r.text(0)?,
                    oid: r.text(1)?,
                    value: r.blob(2)?.to_vec(),
                })
            })
            .collect()
    }

    /// Opens a stored private key. Its sealed blob must open with its own row (public key
    /// hash and exportable flag), else it was altered outside certdesk.
    pub fn private_key(&self, key_id: i64) -> Result<PrivateKey, StoreError> {
        let row = self
            .sql()
            .query_one(
                "SELECT encrypted_pkcs8, public_key_hash, exportable FROM keys WHERE id = ?1",
                values![key_id],
            )?
            .ok_or(StoreError::Vanished("private key"))?;
        Ok(PrivateKey::open(
            row.blob(0)?,
            self.secret(),
            &row.text(1)?,
            row.bool(2)?,
        )?)
    }

    /// Opens the private key of `cert`, which must be the certificate's: a key row linked
    /// to another certificate's row outside certdesk is refused as altered.
    pub fn cert_key(&self, cert: &StoredCert) -> Result<Option<PrivateKey>, StoreError> {
        let Some(info) = &cert.key else {
            return Ok(None);
        };
        let key = self.private_key(info.id)?;
        if !key
            .public_key_hash()
            .eq_ignore_ascii_case(&cert.summary.public_key_hash)
        {
            return Err(KeyError::Altered.into());
        }
        Ok(Some(key))
    }

    /// How many rows [`Store::list`] reads: its vector is made that size once.
    fn count(&self, filter: &[Value]) -> Result<usize, StoreError> {
        let n = self
            .sql()
            .query_one(
                &format!("SELECT COUNT(*) FROM certificates c {LISTED}"),
                filter,
            )?
            .map_or(Ok(0), |r| r.int(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

fn find(sql: Sql<'_>, location: Location, thumbprint: &str) -> Result<StoredCert, StoreError> {
    let wanted = normalise_thumbprint(thumbprint)?;
    let query = format!(
        "{SELECT} WHERE c.location = ?1 AND c.thumbprint >= ?2 AND c.thumbprint < ?2 || 'G' LIMIT 2"
    );
    let mut found = sql
        .query(&query, values![location.as_str(), &wanted])?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()?;
    match (found.pop(), found.is_empty()) {
        (None, _) => Err(StoreError::NotFound {
            thumbprint: wanted,
            location: location.as_str(),
        }),
        (Some(cert), true) => Ok(cert),
        (Some(_), false) => Err(StoreError::Ambiguous(wanted)),
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

    /// What one transaction knows of the friendly names of the store, so that naming many
    /// certificates costs one query per distinct name, not one per certificate: the next
    /// number to try for each name, and whether names are taken (read from the database,
    /// or given in this transaction).
    #[derive(Debug, Default)]
    pub struct NameCache {
        next: std::collections::HashMap<(Location, String), u64>,
        taken: std::collections::HashMap<(Location, String), bool>,
        /// The names whose numbered forms `name (n)` were all read into `taken`.
        numbered: HashSet<(Location, String)>,
    }

    impl NameCache {
        /// Reads up front which of `names` the location uses (a thousand per query).
        pub fn preload(
            &mut self,
            tx: Sql<'_>,
            location: Location,
            names: &[&str],
        ) -> Result<(), StoreError> {
            let wanted: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| !n.is_empty())
                .filter(|n| !self.taken.contains_key(&(location, (*n).to_owned())))
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let used = super::super::batch::names_taken(tx, location, &wanted)?;
            for name in wanted {
                let taken = used.contains(name);
                self.taken.insert((location, name.to_owned()), taken);
            }
            Ok(())
        }

        /// Whether the location uses `name`: known, else read (and remembered).
        fn is_taken(
            &mut self,
            tx: Sql<'_>,
            location: Location,
            name: &str,
        ) -> Result<bool, StoreError> {
            let key = (location, name.to_owned());
            if let Some(taken) = self.taken.get(&key) {
                return Ok(*taken);
            }
            let taken = friendly_name_taken(tx, location, name)?;
            self.taken.insert(key, taken);
            Ok(taken)
        }

        /// Reads every `wanted (n)` the location uses, once; the number after the highest.
        fn load_numbered(
            &mut self,
            tx: Sql<'_>,
            location: Location,
            wanted: &str,
        ) -> Result<u64, StoreError> {
            let numbered = numbered_names(tx, location, wanted)?;
            let highest = numbered.iter().map(|(_, n)| *n).max().unwrap_or(0);
            for (name, _) in numbered {
                self.taken.insert((location, name), true);
            }
            self.numbered.insert((location, wanted.to_owned()));
            Ok(highest.saturating_add(1).max(2))
        }
    }

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
    pub fn insert_cert(tx: Sql<'_>, new: &NewCert<'_>) -> Result<i64, StoreError> {
        let ids = crate::store::batch::insert_certs(tx, std::slice::from_ref(new))?;
        ids.first()
            .copied()
            .ok_or_else(|| StoreError::Corrupt("an insert returned no id".into()))
    }

    /// Stores a private key sealed under the store secret, or returns the id of the
    /// key already stored for the same public key, whose exportable flag it leaves as it
    /// is (only [`make_exportable`] changes it). The second value is `Some(stored flag)`
    /// when the key was already stored.
    pub fn upsert_key(
        tx: Sql<'_>,
        secret: &[u8],
        key: &PrivateKey,
        exportable: bool,
        now: i64,
    ) -> Result<(i64, Option<bool>), StoreError> {
        if let Some(row) = tx.query_one(
            "SELECT id, exportable FROM keys WHERE public_key_hash = ?1",
            values![key.public_key_hash()],
        )? {
            return Ok((row.int(0)?, Some(row.bool(1)?)));
        }
        let encrypted = key.seal(secret, exportable)?;
        let id = tx.insert(
            "INSERT INTO keys (public_key_hash, description, encrypted_pkcs8, exportable, added)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            values![
                key.public_key_hash(),
                key.description(),
                encrypted,
                exportable,
                now
            ],
        )?;
        Ok((id, None))
    }

    /// Makes the stored key `key_id` exportable: seals `key` again under the new flag, in
    /// the caller's transaction (the seal binds the flag, so the flag alone cannot change).
    /// `key` must be that row's key, proven by its holder: the caller has it from a file,
    /// and its private half gives the row's public key hash.
    pub fn make_exportable(
        tx: Sql<'_>,
        secret: &[u8],
        key_id: i64,
        key: &PrivateKey,
    ) -> Result<(), StoreError> {
        let sealed = key.seal(secret, true)?;
        let changed = tx.execute(
            "UPDATE keys SET encrypted_pkcs8 = ?2, exportable = ?3 WHERE id = ?1 AND public_key_hash = ?4",
            values![key_id, sealed, true, key.public_key_hash()],
        )?;
        if changed != 1 {
            return Err(StoreError::Vanished("private key"));
        }
        Ok(())
    }

    /// Whether the stored key `key_id` is exportable.
    pub fn key_exportable(tx: Sql<'_>, key_id: i64) -> Result<bool, StoreError> {
        tx.query_one("SELECT exportable FROM keys WHERE id = ?1", values![key_id])?
            .ok_or(StoreError::Vanished("private key"))?
            .bool(0)
    }

    /// Records the online CA connection that issued a certificate (where renewal goes).
    pub fn set_issuing_ca(tx: Sql<'_>, cert_id: i64, ca: &str) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE certificates SET issuing_ca = ?2 WHERE id = ?1",
            values![cert_id, ca],
        )?;
        Ok(())
    }

    /// Links a key to an existing certificate.
    pub fn attach_key(tx: Sql<'_>, cert_id: i64, key_id: i64) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE certificates SET key_id = ?2 WHERE id = ?1",
            values![cert_id, key_id],
        )?;
        Ok(())
    }

    /// A metadata value, read inside the caller's transaction.
    pub fn meta(tx: Sql<'_>, key: &str) -> Result<Option<String>, StoreError> {
        tx.query_one("SELECT value FROM meta WHERE key = ?1", values![key])?
            .map(|r| r.text(0))
            .transpose()
    }

    /// Sets a metadata value.
    pub fn set_meta(tx: Sql<'_>, key: &str, value: &str) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            values![key, value],
        )?;
        Ok(())
    }

    /// `wanted`, or `wanted (2)`, `(3)`, ... when the location already uses it; the second
    /// value says so in a sentence. An empty name stays empty. `names` remembers, for the
    /// length of one transaction, the names read and given and the next free number of
    /// each name, so importing a thousand certificates that share a name costs a query or
    /// two, not a million.
    pub fn unique_friendly_name(
        tx: Sql<'_>,
        names: &mut NameCache,
        location: Location,
        wanted: &str,
    ) -> Result<(String, Option<String>), StoreError> {
        if wanted.is_empty() {
            return Ok((String::new(), None));
        }
        let key = (location, wanted.to_owned());
        let mut n = match names.next.get(&key).copied() {
            Some(n) => n,
            None if !names.is_taken(tx, location, wanted)? => {
                names.next.insert(key.clone(), 2);
                names.taken.insert(key, true);
                return Ok((wanted.to_owned(), None));
            }
            None => names.load_numbered(tx, location, wanted)?,
        };
        if !names.numbered.contains(&key) {
            names.load_numbered(tx, location, wanted)?;
        }
        // Every numbered form the location used is in `taken` now: no more queries.
        let candidate = loop {
            let candidate = format!("{wanted} ({n})");
            n = n.saturating_add(1);
            if !names
                .taken
                .get(&(location, candidate.clone()))
                .copied()
                .unwrap_or(false)
            {
                break candidate;
            }
        };
        names.next.insert(key, n);
        names.taken.insert((location, candidate.clone()), true);
        let note = format!(
            "the friendly name \"{wanted}\" is already used in this location, so the certificate was named \"{candidate}\""
        );
        Ok((candidate, Some(note)))
    }

    /// The names `wanted (n)` the location uses, with their `n` (0 when the rest is not a
    /// number), read through the friendly-name index.
    fn numbered_names(
        tx: Sql<'_>,
        location: Location,
        wanted: &str,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let low = format!("{wanted} (");
        let high = format!("{wanted} )");
        let rows = tx.query(
            "SELECT friendly_name FROM certificates
             WHERE location = ?1 AND friendly_name <> '' AND friendly_name >= ?2 AND friendly_name < ?3",
            values![location.as_str(), &low, &high],
        )?;
        rows.iter()
            .map(|row| {
                let name = row.text(0)?;
                let number = name
                    .strip_prefix(low.as_str())
                    .and_then(|rest| rest.strip_suffix(')'))
                    .and_then(|digits| digits.parse::<u64>().ok())
                    .unwrap_or(0);
                Ok((name, number))
            })
            .collect()
    }

    /// Sets a certificate's friendly name, made unique in its location (returned).
    pub fn rename(tx: Sql<'_>, cert: &StoredCert, wanted: &str) -> Result<String, StoreError> {
        tx.execute(
            "UPDATE certificates SET friendly_name = '' WHERE id = ?1",
            values![cert.id],
        )?;
        let (name, _) = unique_friendly_name(tx, &mut NameCache::default(), cert.location, wanted)?;
        tx.execute(
            "UPDATE certificates SET friendly_name = ?2 WHERE id = ?1",
            values![cert.id, &name],
        )?;
        Ok(name)
    }

    /// Finds a certificate inside a transaction (see [`Store::find`]); a system root,
    /// which no write may touch, is refused as such.
    pub fn find(
        tx: Sql<'_>,
        location: Location,
        thumbprint: &str,
    ) -> Result<StoredCert, StoreError> {
        match super::find(tx, location, thumbprint) {
            Err(StoreError::NotFound { thumbprint, .. })
                if location == Location::Computer
                    && !super::system::roots().find(&thumbprint).is_empty() =>
            {
                Err(StoreError::SystemRoot(thumbprint))
            }
            other => other,
        }
    }

    /// Deletes a private key from the store and detaches it from its certificates, unless
    /// a pending request still needs it (then only the certificates let go of it).
    pub fn delete_key(tx: Sql<'_>, key_id: i64) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE certificates SET key_id = NULL WHERE key_id = ?1",
            values![key_id],
        )?;
        tx.execute(
            "DELETE FROM keys WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM requests WHERE key_id = ?1)",
            values![key_id],
        )?;
        Ok(())
    }

    /// Whether a friendly name is used by another certificate in the location.
    pub fn friendly_name_taken(
        tx: Sql<'_>,
        location: Location,
        name: &str,
    ) -> Result<bool, StoreError> {
        Ok(tx
            .query_one(
                "SELECT 1 FROM certificates WHERE location = ?1 AND friendly_name = ?2",
                values![location.as_str(), name],
            )?
            .is_some())
    }

    /// The id and key of a certificate already in the location.
    pub fn existing(
        tx: Sql<'_>,
        location: Location,
        thumbprint: &str,
    ) -> Result<Option<(i64, Option<i64>)>, StoreError> {
        tx.query_one(
            "SELECT id, key_id FROM certificates WHERE location = ?1 AND thumbprint = ?2",
            values![location.as_str(), thumbprint],
        )?
        .map(|r| Ok((r.int(0)?, r.opt_int(1)?)))
        .transpose()
    }

    /// Key-less certificates of the location whose public key matches: (id, thumbprint).
    pub fn keyless_with_public(
        tx: Sql<'_>,
        location: Location,
        hash: &str,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        tx.query(
            "SELECT id, thumbprint FROM certificates
             WHERE key_id IS NULL AND location = ?1 AND public_key_hash = ?2",
            values![location.as_str(), hash],
        )?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?)))
        .collect()
    }

    /// Deletes a certificate's row and its DER (its properties go with the row). The DER's
    /// table has no foreign key: PostgreSQL checks one with a trigger for every inserted
    /// row, which made a team import of 10,000 certificates half as slow again.
    pub fn delete_row(tx: Sql<'_>, cert_id: i64) -> Result<(), StoreError> {
        tx.execute(
            "DELETE FROM certificate_der WHERE cert_id = ?1",
            values![cert_id],
        )?;
        tx.execute("DELETE FROM certificates WHERE id = ?1", values![cert_id])?;
        Ok(())
    }

    /// Deletes a certificate (its properties go with it, and the pending request whose
    /// placeholder it is) and its key when no other certificate uses that key.
    pub fn delete_cert(tx: Sql<'_>, cert_id: i64) -> Result<(), StoreError> {
        tx.execute("DELETE FROM requests WHERE cert_id = ?1", values![cert_id])?;
        let key_id = tx
            .query_one(
                "SELECT key_id FROM certificates WHERE id = ?1",
                values![cert_id],
            )?
            .map(|r| r.opt_int(0))
            .transpose()?
            .flatten();
        delete_row(tx, cert_id)?;
        if let Some(key_id) = key_id {
            tx.execute(
                "DELETE FROM keys WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM certificates WHERE key_id = ?1)",
                values![key_id],
            )?;
        }
        Ok(())
    }
}
