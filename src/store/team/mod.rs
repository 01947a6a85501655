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

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::db::{Sql, values};
use super::{Engine, SYSTEM_ROOTS, Store, StoreError};
use crate::pki::key::{KeyError, seal, unseal};

/// Every write transaction begins by taking the store's lock (an arbitrary number that
/// names certdesk's lock in the database).
pub(super) const BEGIN: &str = "BEGIN; SELECT pg_advisory_xact_lock(7423110921)";

/// The key that wraps the store key: Argon2id of the passphrase (64 MiB, 3 passes), hex.
fn wrapping_key(passphrase: &str, salt: &[u8]) -> Result<Zeroizing<String>, StoreError> {
    let params = Params::new(64 * 1024, 3, 1, Some(32))
        .map_err(|e| StoreError::Corrupt(format!("the key derivation: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| StoreError::Corrupt(format!("the key derivation: {e}")))?;
    Ok(Zeroizing::new(hex::encode(out.as_ref())))
}

fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>, StoreError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(bytes.as_mut())
        .map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// The store key: unwrapped with `passphrase`, or made and wrapped the first time one is
/// given; empty (locked) without one.
fn store_key(tx: Sql<'_>, passphrase: Option<&str>) -> Result<Zeroizing<String>, StoreError> {
    let Some(passphrase) = passphrase else {
        return Ok(Zeroizing::new(String::new()));
    };
    match tx.query_one("SELECT salt, wrapped FROM keyring WHERE id = 1", &[])? {
        Some(row) => {
            let kek = wrapping_key(passphrase, row.blob(0)?)?;
            let key = unseal(row.blob(1)?, kek.as_bytes()).map_err(|e| match e {
                KeyError::AtRest(_) => StoreError::WrongPassphrase,
                other => other.into(),
            })?;
            Ok(Zeroizing::new(String::from_utf8_lossy(&key).into_owned()))
        }
        None => {
            let key = Zeroizing::new(hex::encode(random::<32>()?.as_ref()));
            let salt = random::<16>()?;
            let kek = wrapping_key(passphrase, salt.as_ref())?;
            let wrapped = seal(key.as_bytes(), kek.as_bytes())?;
            tx.execute(
                "INSERT INTO keyring (id, salt, wrapped) VALUES (1, ?1, ?2)",
                values![salt.as_ref(), wrapped],
            )?;
            Ok(key)
        }
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
        };
        store.secret = store.transaction(|tx, _| {
            schema::migrate(tx)?;
            store_key(tx, passphrase)
        })?;
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
        let salt = random::<16>()?;
        let kek = wrapping_key(passphrase, salt.as_ref())?;
        let wrapped = seal(secret, kek.as_bytes())?;
        tx.execute(
            "UPDATE keyring SET salt = ?1, wrapped = ?2 WHERE id = 1",
            values![salt.as_ref(), wrapped],
        )?;
        Ok(())
    }

    /// Whether this store lives in a team database.
    pub fn is_team(&self) -> bool {
        matches!(self.conn, Engine::Postgres(_))
    }
}
