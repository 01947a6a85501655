//! Which columns hold sealed blobs and what each is bound to ([`crate::pki::seal`]), the
//! one-time conversion of an older store's blobs to that layout, and sealing again under
//! another store key (`store copy`).
//!
//! The conversion runs inside one write transaction, so a store killed in the middle keeps
//! the old blobs or the new ones, never a mix. A legacy key whose private half does not
//! give its row's public key (a blob already moved by someone) is left as it is: it then
//! fails to open as altered, as every blob in the old layout does once the store has been
//! converted.

use super::StoreError;
use super::cas::{ACCOUNT_KEY, EAB_HMAC, PASSWORD};
use super::db::{Sql, Value, values};
use crate::pki::key::{PrivateKey, unseal_legacy};
use crate::pki::seal::{self, Binding};

/// The binding of a sealed column of a row whose columns `row` gives by name: the `keys`
/// table's key, a `cas` row's secret, a deploy target's PFX password or the notification
/// mail's SMTP password (`scratch` holds the endpoint and owner that the binding borrows).
pub(crate) fn binding<'a>(
    column: &str,
    row: impl Fn(&str) -> Option<&'a Value>,
    scratch: &'a mut [String; 2],
) -> Option<Binding<'a>> {
    let text = |name| match row(name) {
        Some(Value::Text(t)) => Some(t.as_str()),
        _ => None,
    };
    let [endpoint, owner] = scratch;
    match column {
        "encrypted_pkcs8" => {}
        "encrypted_pfx_password" => {
            *endpoint = super::deploys::endpoint(text("destination")?, text("format")?);
            *owner = format!("deploy {}", text("name")?);
        }
        "encrypted_smtp_password" => {
            *endpoint =
                super::notify::endpoint(text("smtp").unwrap_or_default(), text("smtp_user"));
            "notify".clone_into(owner);
        }
        _ => {
            *endpoint = super::cas::endpoint(
                text("kind")?,
                text("url")?,
                text("ca_bundle"),
                text("username"),
            );
        }
    }
    let endpoint: &'a str = endpoint;
    let owner: &'a str = owner;
    match column {
        "encrypted_pkcs8" => Some(Binding::Key {
            public_key_hash: text("public_key_hash")?,
            exportable: matches!(row("exportable"), Some(Value::Int(1))),
        }),
        "encrypted_account_key" => Some(Binding::CaSecret {
            ca: text("name")?,
            field: ACCOUNT_KEY,
            endpoint,
        }),
        "encrypted_eab_hmac" => Some(Binding::CaSecret {
            ca: text("name")?,
            field: EAB_HMAC,
            endpoint,
        }),
        "encrypted_password" => Some(Binding::CaSecret {
            ca: text("name")?,
            field: PASSWORD,
            endpoint,
        }),
        "encrypted_pfx_password" => Some(Binding::Setting {
            owner,
            field: super::deploys::PFX_PASSWORD,
            endpoint,
        }),
        "encrypted_smtp_password" => Some(Binding::Setting {
            owner,
            field: super::notify::SMTP_PASSWORD,
            endpoint,
        }),
        _ => None,
    }
}

/// A blob sealed under `from` sealed again under `to`, for the same binding.
pub(crate) fn reseal(
    blob: &[u8],
    binding: Binding<'_>,
    from: &[u8],
    to: &[u8],
) -> Result<Vec<u8>, StoreError> {
    Ok(seal::seal(&seal::open(blob, from, binding)?, to, binding)?)
}

/// Seals every blob of the old layout in place, bound to its row; returns how many.
pub(crate) fn convert_legacy(tx: Sql<'_>, secret: &[u8]) -> Result<usize, StoreError> {
    let mut converted = 0;
    for row in tx.query(
        "SELECT id, public_key_hash, exportable, encrypted_pkcs8 FROM keys",
        &[],
    )? {
        let blob = row.blob(3)?;
        if seal::is_sealed(blob) {
            continue;
        }
        let hash = row.text(1)?;
        let Ok(key) = PrivateKey::open_legacy(blob, secret) else {
            continue;
        };
        if !key.public_key_hash().eq_ignore_ascii_case(&hash) {
            continue;
        }
        let sealed = key.seal(secret, row.bool(2)?)?;
        tx.execute(
            "UPDATE keys SET encrypted_pkcs8 = ?2 WHERE id = ?1",
            values![row.int(0)?, sealed],
        )?;
        converted += 1;
    }
    let columns = [
        ("encrypted_account_key", ACCOUNT_KEY),
        ("encrypted_eab_hmac", EAB_HMAC),
        ("encrypted_password", PASSWORD),
    ];
    for row in tx.query(
        "SELECT name, encrypted_account_key, encrypted_eab_hmac, encrypted_password,
            kind, url, ca_bundle, username FROM cas",
        &[],
    )? {
        let ca = row.text(0)?;
        let endpoint = super::cas::endpoint(
            &row.text(4)?,
            &row.text(5)?,
            row.opt_text(6)?.as_deref(),
            row.opt_text(7)?.as_deref(),
        );
        for (i, (column, field)) in columns.iter().enumerate() {
            let Some(blob) = row.opt_blob(i + 1)? else {
                continue;
            };
            if seal::is_sealed(blob) {
                continue;
            }
            let binding = Binding::CaSecret {
                ca: &ca,
                field,
                endpoint: &endpoint,
            };
            let sealed = if *field == ACCOUNT_KEY {
                match PrivateKey::open_legacy(blob, secret) {
                    Ok(key) => key.seal_as(secret, binding)?,
                    Err(_) => continue,
                }
            } else {
                match unseal_legacy(blob, secret) {
                    Ok(plain) => seal::seal(&plain, secret, binding)?,
                    Err(_) => continue,
                }
            };
            tx.execute(
                &format!("UPDATE cas SET {column} = ?2 WHERE name = ?1"),
                values![ca.as_str(), sealed],
            )?;
            converted += 1;
        }
    }
    Ok(converted)
}
