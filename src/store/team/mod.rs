//! Team stores: the store in a PostgreSQL database that several administrators share, with
//! every verb, JSON shape and exit code of the embedded store. Writers take turns through
//! one advisory lock. Private keys and CA secrets are encrypted on the client, as in the
//! embedded store, under a store key that is itself wrapped by the team passphrase
//! (Argon2id): the database never holds a key in clear, and without the passphrase a store
//! can be listed and shown but no key used.

mod connect;
mod schema;

pub use connect::is_url;

use std::cell::RefCell;
use std::path::PathBuf;

use zeroize::Zeroizing;

use super::db::{Sql, values};
use super::keyfile::{Wrapped, new_key};
use super::{Engine, SYSTEM_ROOTS, Store, StoreError, sealing};
use crate::pki::key::KeyError;
use crate::pki::seal;

/// Every write transaction begins by taking the store's lock (an arbitrary number that
/// names certdesk's lock in the database). A script that runs this holds certdesk's
/// writers off until it commits.
pub const BEGIN: &str = "BEGIN; SELECT pg_advisory_xact_lock(7423110921)";

/// The store key: unwrapped with `passphrase`, or made and wrapped the first time one is
/// given; empty (locked) without one. A keyring wrapped by an older certdesk means the
/// database may hold blobs of the old layout: they are converted, and the key wrapped
/// again in the sealed layout, in the same transaction.
pub(super) fn store_key(
    tx: Sql<'_>,
    passphrase: Option<&str>,
) -> Result<Zeroizing<String>, StoreError> {
    let Some(passphrase) = passphrase else {
        return Ok(Zeroizing::new(String::new()));
    };
    match keyring(tx)? {
        Some(wrapped) => {
            let key = wrapped.unwrap(passphrase)?;
            if !seal::is_sealed(&wrapped.sealed) {
                sealing::convert_legacy(tx, key.as_bytes())?;
                Store::rewrap(tx, key.as_bytes(), passphrase)?;
            }
            Ok(key)
        }
        None => {
            let key = new_key()?;
            let wrapped = Wrapped::new(&key, passphrase)?;
            tx.execute(
                "INSERT INTO keyring (id, salt, wrapped) VALUES (1, ?1, ?2)",
                values![wrapped.salt, wrapped.sealed],
            )?;
            Ok(key)
        }
    }
}

/// The wrapped store key, if the store has one yet.
fn keyring(sql: Sql<'_>) -> Result<Option<Wrapped>, StoreError> {
    sql.query_one("SELECT salt, wrapped FROM keyring WHERE id = 1", &[])?
        .map(|row| {
            Ok(Wrapped {
                salt: row.blob(0)?.to_vec(),
                sealed: row.blob(1)?.to_vec(),
            })
        })
        .transpose()
}

/// The store key when opening needs no write, read without the store's lock (so an open
/// does not wait for another session's long import): a current schema, and no passphrase
/// (locked) or a keyring in the sealed layout. `None` when the locked open must create,
/// migrate or convert something.
fn key_without_lock(
    sql: Sql<'_>,
    passphrase: Option<&str>,
) -> Result<Option<Zeroizing<String>>, StoreError> {
    if !schema::current(sql)? {
        return Ok(None);
    }
    let Some(passphrase) = passphrase else {
        return Ok(Some(Zeroizing::new(String::new())));
    };
    match keyring(sql)? {
        Some(wrapped) if seal::is_sealed(&wrapped.sealed) => Ok(Some(wrapped.unwrap(passphrase)?)),
        _ => Ok(None),
    }
}

impl Store {
    /// Opens the team store at `address` (`postgres://USER@HOST[:PORT]/DB`), creating its
    /// schema in an empty database. The database password is `password` (a window's
    /// dialog), else what libpq would use. With the team passphrase its keys can be used
    /// (the first passphrase given to a new store becomes its passphrase); without it the
    /// store can be read but no key used.
    pub fn open_team(
        address: &str,
        password: Option<&str>,
        passphrase: Option<&str>,
    ) -> Result<Self, StoreError> {
        let owned = address.to_owned();
        let password = password.map(|p| Zeroizing::new(p.to_owned()));
        let connection = super::db::postgres::Connection::new(std::sync::Arc::new(move || {
            connect::client(&owned, password.as_deref().map(String::as_str))
        }))?;
        let mut store = Self {
            conn: Engine::Postgres(Box::new(RefCell::new(connection))),
            dir: PathBuf::from(address),
            secret: Zeroizing::new(String::new()),
            system_roots: true,
            session_without_system_roots: false,
            log_user: None,
        };
        store.secret = match key_without_lock(store.sql(), passphrase)? {
            Some(key) => key,
            None => store.transaction(|tx, _| {
                schema::migrate(tx)?;
                store_key(tx, passphrase)
            })?,
        };
        store.system_roots = store.meta(SYSTEM_ROOTS)?.as_deref() != Some("off");
        Ok(store)
    }

    /// Wraps the store key with a new team passphrase, inside the caller's transaction
    /// (with its log entry): no key is encrypted again, and the old passphrase no longer
    /// opens the store. Needs the store unlocked; an embedded store has no passphrase.
    pub(crate) fn rewrap(tx: Sql<'_>, secret: &[u8], passphrase: &str) -> Result<(), StoreError> {
        if secret.is_empty() {
            return Err(KeyError::Locked.into());
        }
        let key = std::str::from_utf8(secret).map_err(|_| KeyError::AtRest("wrapped"))?;
        let wrapped = Wrapped::new(key, passphrase)?;
        tx.execute(
            "UPDATE keyring SET salt = ?1, wrapped = ?2 WHERE id = 1",
            values![wrapped.salt, wrapped.sealed],
        )?;
        Ok(())
    }

    /// Whether this store lives in a team database.
    pub fn is_team(&self) -> bool {
        matches!(self.conn, Engine::Postgres(_))
    }
}
