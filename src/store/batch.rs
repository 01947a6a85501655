//! Batched statements for an operation that touches many certificates in one transaction
//! (the import of a large bundle): what the store already holds is read with one query per
//! ten thousand certificates, and new rows are written with ids reserved up front (a team
//! store takes them as one COPY), so the work grows linearly with the certificates and a
//! team store's round trips are few.

use std::collections::{HashMap, HashSet};

use super::certs::write::NewCert;
use super::db::{
    KEYS_PER_LOOKUP, Kind, ROWS_PER_STATEMENT, Sql, Value, parameter_list, value_rows,
};
use super::{Location, StoreError};

/// The certificates of `location` among `thumbprints`: thumbprint → (row id, key id).
pub fn existing(
    tx: Sql<'_>,
    location: Location,
    thumbprints: &[&str],
) -> Result<HashMap<String, (i64, Option<i64>)>, StoreError> {
    let mut found = HashMap::new();
    for chunk in thumbprints.chunks(KEYS_PER_LOOKUP) {
        let sql = format!(
            "SELECT thumbprint, id, key_id FROM certificates WHERE location = ?1 AND thumbprint IN ({})",
            parameter_list(2, chunk.len())
        );
        let params = with_first(location.as_str(), chunk);
        for row in tx.query(&sql, &params)? {
            found.insert(row.text(0)?, (row.int(1)?, row.opt_int(2)?));
        }
    }
    Ok(found)
}

/// The stored keys among public key hashes: hash → key id.
pub fn keys_by_public(tx: Sql<'_>, hashes: &[&str]) -> Result<HashMap<String, i64>, StoreError> {
    let mut found = HashMap::new();
    for chunk in hashes.chunks(KEYS_PER_LOOKUP) {
        let sql = format!(
            "SELECT public_key_hash, id FROM keys WHERE public_key_hash IN ({})",
            parameter_list(1, chunk.len())
        );
        let params: Vec<Value> = chunk.iter().map(|h| Value::from(*h)).collect();
        for row in tx.query(&sql, &params)? {
            found.insert(row.text(0)?, row.int(1)?);
        }
    }
    Ok(found)
}

/// The friendly names among `names` that certificates of `location` use.
pub fn names_taken(
    tx: Sql<'_>,
    location: Location,
    names: &[&str],
) -> Result<HashSet<String>, StoreError> {
    let mut taken = HashSet::new();
    for chunk in names.chunks(KEYS_PER_LOOKUP) {
        let sql = format!(
            "SELECT friendly_name FROM certificates WHERE location = ?1 AND friendly_name IN ({})",
            parameter_list(2, chunk.len())
        );
        for row in tx.query(&sql, &with_first(location.as_str(), chunk))? {
            taken.insert(row.text(0)?);
        }
    }
    Ok(taken)
}

/// Inserts certificates (their DER beside them, in a table of its own) with ids reserved
/// up front, so neither table waits for the other's answer, and returns their row ids in
/// the order given. The certificates of one location must have distinct thumbprints (the
/// store's unique key): an import inserts a certificate the file repeats only once.
pub fn insert_certs(tx: Sql<'_>, new: &[NewCert<'_>]) -> Result<Vec<i64>, StoreError> {
    const CERT: [(&str, Kind); 9] = [
        ("id", Kind::Int),
        ("location", Kind::Text),
        ("logical", Kind::Text),
        ("thumbprint", Kind::Text),
        ("public_key_hash", Kind::Text),
        ("summary", Kind::Blob),
        ("friendly_name", Kind::Text),
        ("added", Kind::Int),
        ("key_id", Kind::Int),
    ];
    const DER: [(&str, Kind); 2] = [("cert_id", Kind::Int), ("der", Kind::Blob)];
    let ids = tx.new_ids("certificates", new.len())?;
    let rows = new.iter().zip(&ids).map(|(c, id)| {
        let s = c.cert.summary();
        let summary = postcard::to_allocvec(s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(vec![
            Value::Int(*id),
            Value::from(c.location.as_str()),
            Value::from(c.logical.as_str()),
            Value::from(&s.thumbprint),
            Value::from(&s.public_key_hash),
            Value::Blob(summary),
            Value::from(c.friendly_name),
            Value::Int(c.now),
            Value::from(c.key_id),
        ])
    });
    tx.insert_rows("certificates", &CERT, rows)?;
    let ders = new
        .iter()
        .zip(&ids)
        .map(|(c, id)| Ok(vec![Value::Int(*id), Value::from(c.cert.der())]));
    tx.insert_rows("certificate_der", &DER, ders)?;
    Ok(ids)
}

/// An extended property of a new certificate: (row id, bag, dotted OID, DER of the value
/// set).
pub type NewProperty<'a> = (i64, &'a str, &'a str, &'a [u8]);

/// Records extended properties of certificates, a thousand per statement; of two with
/// the same certificate, bag and OID, the later one is kept.
pub fn insert_properties(tx: Sql<'_>, properties: &[NewProperty<'_>]) -> Result<(), StoreError> {
    const COLUMNS: usize = 4;
    // One statement may not change a row twice (PostgreSQL refuses): the last one wins.
    let mut last = HashMap::new();
    for (i, (id, bag, oid, _)) in properties.iter().enumerate() {
        last.insert((*id, *bag, *oid), i);
    }
    let kept: Vec<&NewProperty<'_>> = properties
        .iter()
        .enumerate()
        .filter(|(i, (id, bag, oid, _))| last.get(&(*id, *bag, *oid)) == Some(i))
        .map(|(_, p)| p)
        .collect();
    for chunk in kept.chunks(ROWS_PER_STATEMENT) {
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|(id, bag, oid, value)| {
                [
                    Value::Int(*id),
                    Value::from(*bag),
                    Value::from(*oid),
                    Value::from(*value),
                ]
            })
            .collect();
        let sql = format!(
            "INSERT INTO properties (cert_id, bag, oid, value) VALUES {}
             ON CONFLICT (cert_id, bag, oid) DO UPDATE SET value = excluded.value",
            value_rows(chunk.len(), COLUMNS)
        );
        tx.execute(&sql, &params)?;
    }
    Ok(())
}

fn with_first(first: &str, rest: &[&str]) -> Vec<Value> {
    std::iter::once(Value::from(first))
        .chain(rest.iter().map(|t| Value::from(*t)))
        .collect()
}
