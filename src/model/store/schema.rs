//! The database schema and its migrations. `PRAGMA user_version` holds the number of
//! migrations applied; each migration runs once, in its own transaction.

use rusqlite::Connection;

use super::StoreError;

/// Migration `i` brings the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: certificates, keys, extended properties, activity log.
    "CREATE TABLE keys (
        id INTEGER PRIMARY KEY,
        public_key_hash TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL,
        encrypted_pkcs8 BLOB NOT NULL,
        exportable INTEGER NOT NULL,
        added INTEGER NOT NULL
    );
    CREATE TABLE certificates (
        id INTEGER PRIMARY KEY,
        location TEXT NOT NULL CHECK (location IN ('computer', 'user')),
        logical TEXT NOT NULL CHECK (logical IN ('personal', 'ca', 'root', 'requests')),
        thumbprint TEXT NOT NULL,
        public_key_hash TEXT NOT NULL,
        der BLOB NOT NULL,
        summary TEXT NOT NULL,
        friendly_name TEXT NOT NULL DEFAULT '',
        added INTEGER NOT NULL,
        key_id INTEGER REFERENCES keys(id),
        UNIQUE (location, thumbprint)
    );
    CREATE UNIQUE INDEX certificates_friendly_name
        ON certificates(location, friendly_name) WHERE friendly_name <> '';
    CREATE INDEX certificates_key ON certificates(key_id);
    CREATE INDEX certificates_public_key ON certificates(public_key_hash);
    CREATE TABLE properties (
        cert_id INTEGER NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
        bag TEXT NOT NULL CHECK (bag IN ('cert', 'key')),
        oid TEXT NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (cert_id, bag, oid)
    );
    CREATE TABLE log (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        location TEXT NOT NULL,
        operation TEXT NOT NULL,
        outcome TEXT NOT NULL,
        details TEXT NOT NULL,
        command TEXT NOT NULL
    );",
];

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies the migrations the database has not seen yet.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > VERSION {
        return Err(StoreError::NewerSchema(current));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
