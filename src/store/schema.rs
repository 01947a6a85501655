//! The database schema and its migrations. `PRAGMA user_version` holds the number of
//! migrations applied; each migration runs once, in its own transaction.

use rusqlite::{Connection, TransactionBehavior};

use super::db::{Sql, values};

use crate::pki::cert::{Certificate, SUMMARY_FORMAT};

use super::StoreError;

/// Migration `i` brings the schema from version `i` to `i + 1`. Append only.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: certificates, keys, extended properties, activity log, metadata.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE keys (
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
        summary BLOB NOT NULL,
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
    // 2: the deployment topology and pending certificate requests.
    "CREATE TABLE topology (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        toml TEXT NOT NULL
    );
    CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        location TEXT NOT NULL,
        key_id INTEGER NOT NULL REFERENCES keys(id),
        cert_id INTEGER REFERENCES certificates(id) ON DELETE SET NULL,
        friendly_name TEXT NOT NULL,
        usages TEXT NOT NULL,
        subject TEXT NOT NULL,
        sans TEXT NOT NULL,
        csr_pem TEXT NOT NULL,
        csr_file TEXT,
        created INTEGER NOT NULL
    );
    CREATE INDEX requests_key ON requests(key_id);",
    // 3: usage assignments of the Computer location, with staged rolling.
    "CREATE TABLE assignments (
        usage TEXT PRIMARY KEY,
        thumbprint TEXT NOT NULL,
        assigned INTEGER NOT NULL,
        staged_thumbprint TEXT,
        effective_date INTEGER,
        previous_thumbprint TEXT
    );",
    // 4: connections to online CAs; the ACME account key encrypted like a private key.
    "CREATE TABLE cas (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        contact TEXT,
        ca_bundle TEXT,
        account_url TEXT,
        encrypted_account_key BLOB,
        added INTEGER NOT NULL
    );",
    // 5: external account binding of ACME connections; the HMAC key encrypted.
    "ALTER TABLE cas ADD COLUMN eab_kid TEXT;
    ALTER TABLE cas ADD COLUMN encrypted_eab_hmac BLOB;",
    // 6: SCEP and AD CS connections (a user name; the SCEP challenge or the password
    // encrypted); requests an online CA holds (the CA and its own reference for them); the
    // online CA that issued a certificate (where renewal goes).
    "ALTER TABLE cas ADD COLUMN username TEXT;
    ALTER TABLE cas ADD COLUMN encrypted_password BLOB;
    ALTER TABLE requests ADD COLUMN ca TEXT;
    ALTER TABLE requests ADD COLUMN ca_reference TEXT;
    ALTER TABLE certificates ADD COLUMN issuing_ca TEXT;",
    // 7: CRLs fetched for revocation checks, kept until their nextUpdate.
    "CREATE TABLE crl_cache (
        url TEXT PRIMARY KEY,
        der BLOB NOT NULL,
        next_update INTEGER NOT NULL,
        fetched INTEGER NOT NULL
    );",
    // 8: OCSP answers, per responder and certificate, kept until their nextUpdate.
    "CREATE TABLE ocsp_cache (
        url TEXT NOT NULL,
        thumbprint TEXT NOT NULL,
        der BLOB NOT NULL,
        next_update INTEGER NOT NULL,
        fetched INTEGER NOT NULL,
        PRIMARY KEY (url, thumbprint)
    );",
    // 9: who wrote each log entry (a team database fills it with the database user).
    "ALTER TABLE log ADD COLUMN db_user TEXT;",
    // 10: deploy targets (where a certificate's files go, how the server reloads and is
    // proved; a PFX password sealed) with their last run, and the notification settings
    // (the SMTP password sealed).
    "CREATE TABLE deploy_targets (
        name TEXT PRIMARY KEY,
        usage TEXT,
        thumbprint TEXT,
        destination TEXT NOT NULL,
        format TEXT NOT NULL,
        reload TEXT,
        probe TEXT,
        identity TEXT,
        known_hosts TEXT,
        proof_seconds INTEGER NOT NULL,
        encrypted_pfx_password BLOB,
        added INTEGER NOT NULL,
        last_run INTEGER,
        last_thumbprint TEXT,
        last_ok INTEGER,
        last_message TEXT
    );
    CREATE TABLE notify (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        smtp TEXT,
        mail_from TEXT,
        mail_to TEXT,
        starttls INTEGER NOT NULL,
        smtp_user TEXT,
        encrypted_smtp_password BLOB,
        webhook TEXT
    );",
    // 11: how an AD CS connection signs in (automatic, negotiate, ntlm, basic), and how
    // and as whom its server last accepted the sign-in.
    "ALTER TABLE cas ADD COLUMN auth TEXT;
    ALTER TABLE cas ADD COLUMN accepted TEXT;",
    // 12: renewal tracking: certificates tracked beside those in force, the renewal policy
    // (same key), the successor that renewed one, the ACME renewal window chosen, the
    // last unattended attempt, and the request a CA holds for its renewal.
    "CREATE TABLE renewals (
        location TEXT NOT NULL,
        thumbprint TEXT NOT NULL,
        tracked INTEGER NOT NULL,
        same_key INTEGER NOT NULL,
        renewed_by TEXT,
        ari_start INTEGER,
        ari_end INTEGER,
        ari_at INTEGER,
        ari_fetch_after INTEGER,
        last_attempt INTEGER,
        last_outcome TEXT,
        last_failed INTEGER NOT NULL DEFAULT 0,
        pending_request INTEGER,
        pending_key INTEGER,
        PRIMARY KEY (location, thumbprint)
    );",
    // 13: each certificate's DER in a table of its own, so that a list reads only the rows'
    // cached summaries (a DER is needed only to show, export or check one certificate).
    // Keyed by the certificate's id without a foreign key (see `certs::write::delete_row`).
    "CREATE TABLE certificate_der (
        cert_id INTEGER PRIMARY KEY,
        der BLOB NOT NULL
    );
    INSERT INTO certificate_der (cert_id, der) SELECT id, der FROM certificates;
    ALTER TABLE certificates DROP COLUMN der;",
    // 14: a team database hands out certificate ids a thousand at a time to each session
    // (its identity sequence's cache; see `team::schema`). Nothing changes here.
    "-- certificate ids: PostgreSQL only",
];

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies the migrations the database has not seen yet, then rebuilds the cached
/// certificate summaries if they were written in another format.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    apply_migrations(conn)?;
    if summaries_current(Sql::Sqlite(conn))? {
        return Ok(());
    }
    // Another process may rebuild them first: the format is read again under the lock.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    rebuild_summaries_if_stale(Sql::Sqlite(&tx))?;
    tx.commit()?;
    Ok(())
}

/// The version is read inside the write transaction that migrates: when two processes
/// open a new store together, the second waits for the first and then finds nothing to do.
fn apply_migrations(conn: &mut Connection) -> Result<(), StoreError> {
    let version =
        |c: &Connection| c.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0));
    let current = version(conn)?;
    if current > VERSION {
        return Err(StoreError::NewerSchema(current));
    }
    if current == VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = version(&tx)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

/// Whether the cached summaries are in this build's format.
pub(super) fn summaries_current(sql: Sql<'_>) -> Result<bool, StoreError> {
    let stored = sql
        .query_one("SELECT value FROM meta WHERE key = 'summary_format'", &[])?
        .map(|r| r.text(0))
        .transpose()?;
    Ok(stored.as_deref() == Some(SUMMARY_FORMAT))
}

/// The cached summaries are postcard bytes, which are not self-describing: when
/// [`SUMMARY_FORMAT`] changes (or in a new store), every summary is parsed again from its
/// DER; inside the caller's write transaction.
pub(super) fn rebuild_summaries_if_stale(tx: Sql<'_>) -> Result<(), StoreError> {
    if summaries_current(tx)? {
        return Ok(());
    }
    for row in tx.query("SELECT cert_id, der FROM certificate_der", &[])? {
        let cert =
            Certificate::from_der(row.blob(1)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let bytes = postcard::to_allocvec(cert.summary())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.execute(
            "UPDATE certificates SET summary = ?2 WHERE id = ?1",
            values![row.int(0)?, bytes],
        )?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('summary_format', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        values![SUMMARY_FORMAT],
    )?;
    Ok(())
}
