//! Connections to online CAs kept in the store: add, list, remove and test. The built-in
//! CA is always there, listed as `builtin`. Secrets (the ACME account key) are kept
//! encrypted and never listed or logged.

use std::path::Path;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use thiserror::Error;

use zeroize::Zeroizing;

use crate::ca::acme::{self, AcmeError, Registered, Secrets};
use crate::ops::command_line;
use crate::store::cas::write;
use crate::store::log::{self, LogEntry};
use crate::store::{CaConnection, CaKind, Location, Store, StoreError};

/// The largest TLS trust bundle read.
const MAX_BUNDLE: u64 = 1024 * 1024;

/// Why a CA connection cannot be added, removed or used.
#[derive(Debug, Error)]
pub enum CaOpError {
    /// The store failed (or has no such connection, or the name is taken).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The connection's details are not usable.
    #[error("{0}")]
    Invalid(String),
    /// The CA failed or refused.
    #[error(transparent)]
    Acme(#[from] AcmeError),
}

/// A new ACME connection.
pub struct NewAcme<'a> {
    /// Its name (`--ca NAME`).
    pub name: &'a str,
    /// The directory URL (https).
    pub directory: &'a str,
    /// The account's contact e-mail.
    pub contact: Option<&'a str>,
    /// A PEM file of the certificates to trust for this server's TLS.
    pub ca_bundle: Option<&'a Path>,
    /// External account binding: the key id and the HMAC key (base64url, as CAs give it).
    pub eab: Option<(&'a str, &'a str)>,
}

/// One row of `certdesk ca list`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaEntry {
    /// The name.
    pub name: String,
    /// `builtin` or `acme`.
    pub kind: String,
    /// The URL (none for the built-in CA).
    pub url: Option<String>,
    /// Whether an account is registered (ACME).
    pub registered: bool,
    /// Whether the connection trusts its own TLS bundle instead of the system's roots.
    pub custom_trust: bool,
}

fn check_name(name: &str) -> Result<(), CaOpError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok || name == "builtin" {
        return Err(CaOpError::Invalid(format!(
            "\"{name}\" cannot name a CA: use letters, digits, '-', '_' or '.', and not \"builtin\""
        )));
    }
    Ok(())
}

/// Adds an ACME connection (nothing is sent yet: `test` registers the account).
pub fn add_acme(store: &mut Store, new: &NewAcme<'_>, now: i64) -> Result<(), CaOpError> {
    check_name(new.name)?;
    if !new.directory.starts_with("https://") {
        return Err(CaOpError::Invalid(format!(
            "the ACME directory URL must start with https:// (got {})",
            new.directory
        )));
    }
    let ca_bundle = match new.ca_bundle {
        Some(path) => Some(read_bundle(path)?),
        None => None,
    };
    let eab_hmac = match new.eab {
        Some((kid, hmac)) => Some((kid, decode_hmac(hmac)?)),
        None => None,
    };
    let ca = CaConnection {
        name: new.name.to_owned(),
        kind: CaKind::Acme,
        url: new.directory.to_owned(),
        contact: new.contact.map(str::to_owned),
        custom_trust: ca_bundle.is_some(),
        ca_bundle,
        account_url: None,
        added: now,
        eab_kid: eab_hmac.as_ref().map(|(kid, _)| (*kid).to_owned()),
    };
    let mut command = format!(
        "certdesk ca add {} --acme {}",
        command_line::quote(new.name),
        command_line::quote(new.directory)
    );
    if let Some(contact) = new.contact {
        command.push_str(&format!(" --contact {}", command_line::quote(contact)));
    }
    if let Some(path) = new.ca_bundle {
        let path = path.display().to_string();
        command.push_str(&format!(" --ca-bundle {}", command_line::quote(&path)));
    }
    if let Some((kid, _)) = new.eab {
        command.push_str(&format!(
            " --eab-kid {} --eab-hmac-file <file>",
            command_line::quote(kid)
        ));
    }
    store.transaction(|tx, secret| {
        let hmac = eab_hmac.as_ref().map(|(_, h)| h.as_slice());
        write::insert(tx, secret, &ca, hmac)?;
        let details = format!("ACME CA {} added ({})", ca.name, ca.url);
        log::append(
            tx,
            &LogEntry::new(now, Location::Computer, "ca", details, command),
        )?;
        Ok(())
    })
}

/// The EAB HMAC key from its base64url text (padding and standard base64 accepted too).
fn decode_hmac(text: &str) -> Result<Zeroizing<Vec<u8>>, CaOpError> {
    use base64::Engine;
    let text = text.trim();
    let engines = [
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::STANDARD,
    ];
    engines
        .iter()
        .find_map(|e| e.decode(text).ok())
        .filter(|k| !k.is_empty())
        .map(Zeroizing::new)
        .ok_or_else(|| {
            CaOpError::Invalid(
                "the EAB HMAC key is not base64url text (give it as the CA shows it)".into(),
            )
        })
}

/// Reads a PEM bundle of certificates (bounded), refusing one that holds none.
fn read_bundle(path: &Path) -> Result<String, CaOpError> {
    let invalid = |why: String| {
        CaOpError::Invalid(format!(
            "{} cannot be the CA's TLS trust: {why}",
            path.display()
        ))
    };
    let size = std::fs::metadata(path)
        .map_err(|e| invalid(e.to_string()))?
        .len();
    if size > MAX_BUNDLE {
        return Err(invalid("it is larger than 1 MiB".into()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
    let count = CertificateDer::pem_slice_iter(text.as_bytes())
        .filter(Result::is_ok)
        .count();
    if count == 0 {
        return Err(invalid("it holds no PEM certificate".into()));
    }
    Ok(text)
}

/// The built-in CA, then every stored connection.
pub fn list(store: &Store) -> Result<Vec<CaEntry>, CaOpError> {
    let mut entries = vec![CaEntry {
        name: "builtin".into(),
        kind: "builtin".into(),
        url: None,
        registered: true,
        custom_trust: false,
    }];
    entries.extend(store.cas()?.into_iter().map(|c| CaEntry {
        name: c.name,
        kind: "acme".into(),
        url: Some(c.url),
        registered: c.account_url.is_some(),
        custom_trust: c.custom_trust,
    }));
    Ok(entries)
}

/// Removes a connection and its account key.
pub fn remove(store: &mut Store, name: &str, now: i64) -> Result<(), CaOpError> {
    store.transaction(|tx, _| {
        write::delete(tx, name)?;
        log::append(
            tx,
            &LogEntry::new(
                now,
                Location::Computer,
                "ca",
                format!("CA {name} removed with its account key"),
                format!("certdesk ca remove {}", command_line::quote(name)),
            ),
        )?;
        Ok(())
    })
}

/// Reaches the CA and its account (registering one the first time): the account URL.
pub fn test(store: &mut Store, name: &str) -> Result<String, CaOpError> {
    let ca = store.ca(name)?;
    let secrets = store.ca_secrets(name)?;
    let (account_url, registered) = acme::test(&ca, Secrets::from(&secrets))?;
    if let Some(registered) = registered {
        keep_account(store, name, &registered)?;
    }
    Ok(account_url)
}

/// Keeps a newly registered ACME account (its key encrypted).
pub(super) fn keep_account(
    store: &mut Store,
    name: &str,
    registered: &Registered,
) -> Result<(), StoreError> {
    store.transaction(|tx, secret| {
        write::set_account(tx, secret, name, &registered.account_url, &registered.key)
    })
}
