//! Connections to online CAs, as stored rows: the kind, the URL, the TLS trust for that
//! server (a PEM bundle, public), what an ACME account needs (its URL, and its key,
//! encrypted under the store's secret like every private key), and the SCEP challenge or
//! the AD CS user name and password (the secret encrypted). `certdesk ca list` shows none
//! of the secret.

use super::db::{Row, values};
use super::{Store, StoreError};
use zeroize::Zeroizing;

use crate::pki::cert::sha256_hex;
use crate::pki::key::PrivateKey;
use crate::pki::seal::{Binding, open};

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

/// How an AD CS Web Enrollment connection signs in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthChoice {
    /// Whatever the server offers in `WWW-Authenticate`, Negotiate first.
    #[default]
    Automatic,
    /// Negotiate (SPNEGO): Kerberos, or NTLM inside it for a `DOMAIN\user`.
    Negotiate,
    /// NTLM: the raw `NTLM` scheme, or inside Negotiate when the server offers only that.
    Ntlm,
    /// Basic, over HTTPS.
    Basic,
}

impl AuthChoice {
    /// Every choice, in the order the window lists them.
    pub const ALL: [AuthChoice; 4] = [
        AuthChoice::Automatic,
        AuthChoice::Negotiate,
        AuthChoice::Ntlm,
        AuthChoice::Basic,
    ];

    /// The word the command line and the store use.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthChoice::Automatic => "automatic",
            AuthChoice::Negotiate => "negotiate",
            AuthChoice::Ntlm => "ntlm",
            AuthChoice::Basic => "basic",
        }
    }

    /// The choice a stored word names (an unknown or missing one is automatic).
    pub fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .unwrap_or_default()
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
    /// The AD CS user name (none: the Kerberos ticket of the user running certdesk).
    pub username: Option<String>,
    /// How an AD CS connection signs in.
    pub auth: AuthChoice,
    /// How and as whom an AD CS server last accepted the sign-in ("Kerberos (Negotiate)
    /// as alice@EXAMPLE.TEST").
    pub accepted: Option<String>,
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

/// Where a connection's secrets are sent, as its secrets are bound to it: a digest of its
/// kind, URL, TLS trust and user name (each length-prefixed).
pub(crate) fn endpoint(
    kind: &str,
    url: &str,
    ca_bundle: Option<&str>,
    username: Option<&str>,
) -> String {
    let mut parts = Vec::new();
    for part in [Some(kind), Some(url), ca_bundle, username] {
        let part = part.unwrap_or_default().as_bytes();
        parts.extend_from_slice(&(part.len() as u64).to_be_bytes());
        parts.extend_from_slice(part);
    }
    sha256_hex(&parts)
}

impl CaConnection {
    /// Where this connection's secrets are sent ([`endpoint`]).
    pub(crate) fn endpoint(&self) -> String {
        endpoint(
            self.kind.as_str(),
            &self.url,
            self.ca_bundle.as_deref(),
            self.username.as_deref(),
        )
    }
}

const SELECT: &str = "SELECT name, kind, url, contact, ca_bundle, account_url, added, eab_kid, username, auth, accepted FROM cas";

fn from_row(r: &Row) -> Result<CaConnection, StoreError> {
    let ca_bundle = r.opt_text(4)?;
    Ok(CaConnection {
        name: r.text(0)?,
        kind: CaKind::parse(&r.text(1)?).unwrap_or(CaKind::Acme),
        url: r.text(2)?,
        contact: r.opt_text(3)?,
        custom_trust: ca_bundle.is_some(),
        ca_bundle,
        account_url: r.opt_text(5)?,
        added: r.int(6)?,
        eab_kid: r.opt_text(7)?,
        username: r.opt_text(8)?,
        auth: AuthChoice::parse(r.opt_text(9)?.as_deref().unwrap_or_default()),
        accepted: r.opt_text(10)?,
    })
}

impl Store {
    /// Every CA connection, by name.
    pub fn cas(&self) -> Result<Vec<CaConnection>, StoreError> {
        self.sql()
            .query(&format!("{SELECT} ORDER BY name"), &[])?
            .iter()
            .map(from_row)
            .collect()
    }

    /// One CA connection.
    pub fn ca(&self, name: &str) -> Result<CaConnection, StoreError> {
        self.sql()
            .query_one(&format!("{SELECT} WHERE name = ?1"), values![name])?
            .as_ref()
            .map(from_row)
            .transpose()?
            .ok_or_else(|| StoreError::NoSuchCa(name.to_owned()))
    }

    /// What a CA connection keeps secret, decrypted: the ACME account key (once
    /// registered), the external account binding's HMAC key (if the CA gave one), and the
    /// SCEP challenge or AD CS password.
    pub fn ca_secrets(&self, name: &str) -> Result<CaSecrets, StoreError> {
        let row = self
            .sql()
            .query_one(
                "SELECT encrypted_account_key, encrypted_eab_hmac, encrypted_password,
                    kind, url, ca_bundle, username
                 FROM cas WHERE name = ?1",
                values![name],
            )?
            .ok_or_else(|| StoreError::NoSuchCa(name.to_owned()))?;
        let secret = self.secret();
        let endpoint = endpoint(
            &row.text(3)?,
            &row.text(4)?,
            row.opt_text(5)?.as_deref(),
            row.opt_text(6)?.as_deref(),
        );
        let binding = |field| Binding::CaSecret {
            ca: name,
            field,
            endpoint: &endpoint,
        };
        Ok(CaSecrets {
            account_key: row
                .opt_blob(0)?
                .map(|bytes| PrivateKey::open_as(bytes, secret, binding(ACCOUNT_KEY)))
                .transpose()?,
            eab_hmac: row
                .opt_blob(1)?
                .map(|bytes| open(bytes, secret, binding(EAB_HMAC)))
                .transpose()?,
            password: row
                .opt_blob(2)?
                .map(|bytes| open(bytes, secret, binding(PASSWORD)))
                .transpose()?
                .map(|bytes| Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned())),
        })
    }
}

/// The field names a CA connection's secrets are bound to (and the columns that hold them).
pub(crate) const ACCOUNT_KEY: &str = "account_key";
/// See [`ACCOUNT_KEY`].
pub(crate) const EAB_HMAC: &str = "eab_hmac";
/// See [`ACCOUNT_KEY`].
pub(crate) const PASSWORD: &str = "password";

/// The writes, inside the caller's transaction (with its log entry).
pub(crate) mod write {
    use super::{ACCOUNT_KEY, CaConnection, EAB_HMAC, PASSWORD, StoreError};
    use crate::pki::key::PrivateKey;
    use crate::pki::seal::{Binding, seal};
    use crate::store::db::{Sql, values};

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
        tx: Sql<'_>,
        secret: &[u8],
        ca: &CaConnection,
        secrets: &NewSecrets<'_>,
    ) -> Result<(), StoreError> {
        let taken = tx.query_one("SELECT 1 FROM cas WHERE name = ?1", values![&ca.name])?;
        if taken.is_some() {
            return Err(StoreError::CaExists(ca.name.clone()));
        }
        let endpoint = ca.endpoint();
        let binding = |field| Binding::CaSecret {
            ca: &ca.name,
            field,
            endpoint: &endpoint,
        };
        let sealed = secrets
            .eab_hmac
            .map(|h| seal(h, secret, binding(EAB_HMAC)))
            .transpose()?;
        let password = secrets
            .password
            .map(|p| seal(p.as_bytes(), secret, binding(PASSWORD)))
            .transpose()?;
        tx.execute(
            "INSERT INTO cas (name, kind, url, contact, ca_bundle, added, eab_kid,
                encrypted_eab_hmac, username, encrypted_password, auth, accepted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            values![
                &ca.name,
                ca.kind.as_str(),
                &ca.url,
                ca.contact.as_deref(),
                ca.ca_bundle.as_deref(),
                ca.added,
                ca.eab_kid.as_deref(),
                sealed,
                ca.username.as_deref(),
                password,
                ca.auth.as_str(),
                ca.accepted.as_deref()
            ],
        )?;
        Ok(())
    }

    /// Records how and as whom an AD CS server accepted the sign-in.
    pub fn set_accepted(tx: Sql<'_>, name: &str, accepted: &str) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE cas SET accepted = ?2 WHERE name = ?1",
            values![name, accepted],
        )?;
        Ok(())
    }

    /// Removes a CA connection and its secret.
    pub fn delete(tx: Sql<'_>, name: &str) -> Result<(), StoreError> {
        if tx.execute("DELETE FROM cas WHERE name = ?1", values![name])? == 0 {
            return Err(StoreError::NoSuchCa(name.to_owned()));
        }
        Ok(())
    }

    /// Records a registered ACME account: its URL and its key (encrypted under `secret`).
    pub fn set_account(
        tx: Sql<'_>,
        secret: &[u8],
        name: &str,
        account_url: &str,
        key: &PrivateKey,
    ) -> Result<(), StoreError> {
        let row = tx
            .query_one(
                "SELECT kind, url, ca_bundle, username FROM cas WHERE name = ?1",
                values![name],
            )?
            .ok_or_else(|| StoreError::NoSuchCa(name.to_owned()))?;
        let endpoint = super::endpoint(
            &row.text(0)?,
            &row.text(1)?,
            row.opt_text(2)?.as_deref(),
            row.opt_text(3)?.as_deref(),
        );
        let binding = Binding::CaSecret {
            ca: name,
            field: ACCOUNT_KEY,
            endpoint: &endpoint,
        };
        let encrypted = key.seal_as(secret, binding)?;
        let changed = tx.execute(
            "UPDATE cas SET account_url = ?2, encrypted_account_key = ?3 WHERE name = ?1",
            values![name, account_url, encrypted],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchCa(name.to_owned()));
        }
        Ok(())
    }
}
