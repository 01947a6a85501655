//! Connections to online CAs, as stored rows: the kind, the URL, the TLS trust for that
//! server (a PEM bundle, public), what an ACME account needs (its URL, and its key,
//! encrypted under the store's secret like every private key), and the SCEP challenge or
//! the AD CS user name and password (the secret encrypted). `certdesk ca list` shows none
//! of the secret.

use rusqlite::OptionalExtension;

use super::{Store, StoreError};
use zeroize::Zeroizing;

use crate::pki::key::{PrivateKey, unseal};

/// What protocol a CA speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaKind {
    /// RFC 8555.
    Acme,
    /// RFC 8894.
    Scep,
    /// Microsoft AD CS Web Enrollment (`/certsrv`).
    Certsrv,
}

impl CaKind {
    /// The name `ca list` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            CaKind::Acme => "acme",
            CaKind::Scep => "scep",
            CaKind::Certsrv => "certsrv",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [CaKind::Acme, CaKind::Scep, CaKind::Certsrv]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A stored CA connection (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaConnection {
    /// The name requests use (`--ca NAME`).
    pub name: String,
    /// The protocol.
    pub kind: CaKind,
    /// The ACME directory URL, the SCEP URL, or the AD CS `https://HOST/certsrv`.
    pub url: String,
    /// The contact e-mail for the ACME account.
    pub contact: Option<String>,
    /// PEM certificates trusted for this server's TLS (instead of the system's).
    #[serde(skip)]
    pub ca_bundle: Option<String>,
    /// Whether a bundle is set.
    pub custom_trust: bool,
    /// The ACME account's URL, once registered.
    pub account_url: Option<String>,
    /// The external account binding's key id, when the CA asks for one.
    pub eab_kid: Option<String>,
    /// The AD CS user name.
    pub username: Option<String>,
    /// When it was added, Unix seconds.
    pub added: i64,
}

/// A CA connection's secrets, decrypted for one exchange (zeroised on drop).
pub struct CaSecrets {
    /// The registered ACME account's key.
    pub account_key: Option<PrivateKey>,
    /// The external account binding's HMAC key.
    pub eab_hmac: Option<Zeroizing<Vec<u8>>>,
    /// The SCEP challenge or the AD CS password.
    pub password: Option<Zeroizing<String>>,
}

const SELECT: &str =
    "SELECT name, kind, url, contact, ca_bundle, account_url, added, eab_kid, username FROM cas";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaConnection> {
    let kind: String = r.get(1)?;
    let ca_bundle: Option<String> = r.get(4)?;
    Ok(CaConnection {
        name: r.get(0)?,
        kind: CaKind::parse(&kind).unwrap_or(CaKind::Acme),
        url: r.get(2)?,
        contact: r.get(3)?,
        custom_trust: ca_bundle.is_some(),
        ca_bundle,
        account_url: r.get(5)?,
        added: r.get(6)?,
        eab_kid: r.get(7)?,
        username: r.get(8)?,
    })
}

impl Store {
    /// Every CA connection, by name.
    pub fn cas(&self) -> Result<Vec<CaConnection>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY name"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// One CA connection.
    pub fn ca(&self, name: &str) -> Result<CaConnection, StoreError> {
        self.conn
            .query_row(&format!("{SELECT} WHERE name = ?1"), [name], from_row)
            .optional()?
            .ok_or_else(|| StoreError::NoSuchCa(name.to_owned()))
    }

    /// What a CA connection keeps secret, decrypted: the ACME account key (once
    /// registered), the external account binding's HMAC key (if the CA gave one), and the
    /// SCEP challenge or AD CS password.
    pub fn ca_secrets(&self, name: &str) -> Result<CaSecrets, StoreError> {
        type Sealed = Option<Vec<u8>>;
        let (account_key, eab_hmac, password): (Sealed, Sealed, Sealed) = self
            .conn
            .query_row(
                "SELECT encrypted_account_key, encrypted_eab_hmac, encrypted_password
                 FROM cas WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NoSuchCa(name.to_owned()))?;
        Ok(CaSecrets {
            account_key: account_key
                .map(|bytes| PrivateKey::from_encrypted(&bytes, self.secret()))
                .transpose()?,
            eab_hmac: eab_hmac
                .map(|bytes| unseal(&bytes, self.secret()))
                .transpose()?,
            password: password
                .map(|bytes| unseal(&bytes, self.secret()))
                .transpose()?
                .map(|bytes| Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned())),
        })
    }
}

/// The writes, inside the caller's transaction (with its log entry).
pub(crate) mod write {
    use rusqlite::{Connection, params};

    use super::{CaConnection, StoreError};
    use crate::pki::key::{PrivateKey, seal};

    /// What a new connection keeps secret (encrypted under the store's secret).
    #[derive(Default)]
    pub struct NewSecrets<'a> {
        /// The ACME external account binding's HMAC key.
        pub eab_hmac: Option<&'a [u8]>,
        /// The SCEP challenge or the AD CS password.
        pub password: Option<&'a str>,
    }

    /// Adds a CA connection (refused when the name is taken), with its secrets encrypted
    /// under `secret`.
    pub fn insert(
        tx: &Connection,
        secret: &[u8],
        ca: &CaConnection,
        secrets: &NewSecrets<'_>,
    ) -> Result<(), StoreError> {
        let taken: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM cas WHERE name = ?1)",
            [&ca.name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(StoreError::CaExists(ca.name.clone()));
        }
        let sealed = secrets.eab_hmac.map(|h| seal(h, secret)).transpose()?;
        let password = secrets
            .password
            .map(|p| seal(p.as_bytes(), secret))
            .transpose()?;
        tx.execute(
            "INSERT INTO cas (name, kind, url, contact, ca_bundle, added, eab_kid,
                encrypted_eab_hmac, username, encrypted_password)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                ca.name,
                ca.kind.as_str(),
                ca.url,
                ca.contact,
                ca.ca_bundle,
                ca.added,
                ca.eab_kid,
                sealed,
                ca.username,
                password
            ],
        )?;
        Ok(())
    }

    /// Removes a CA connection and its secret.
    pub fn delete(tx: &Connection, name: &str) -> Result<(), StoreError> {
        if tx.execute("DELETE FROM cas WHERE name = ?1", [name])? == 0 {
            return Err(StoreError::NoSuchCa(name.to_owned()));
        }
        Ok(())
    }

    /// Records a registered ACME account: its URL and its key (encrypted under `secret`).
    pub fn set_account(
        tx: &Connection,
        secret: &[u8],
        name: &str,
        account_url: &str,
        key: &PrivateKey,
    ) -> Result<(), StoreError> {
        let encrypted = key.encrypt(secret)?;
        let changed = tx.execute(
            "UPDATE cas SET account_url = ?2, encrypted_account_key = ?3 WHERE name = ?1",
            params![name, account_url, encrypted],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchCa(name.to_owned()));
        }
        Ok(())
    }
}
