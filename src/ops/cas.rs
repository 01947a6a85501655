//! Connections to online CAs kept in the store: add, list, remove and test. The built-in
//! CA is always there, listed as `builtin`. Secrets (the ACME account key and EAB HMAC
//! key, the SCEP challenge, the AD CS password) are kept encrypted and never listed or
//! logged.

use std::path::Path;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use thiserror::Error;

use zeroize::Zeroizing;

use crate::ca::acme::{self, AcmeError, Registered, Secrets};
use crate::ca::auth::Accepted;
use crate::ca::certsrv::{self, Credentials};
use crate::ca::{OnlineError, scep};
use crate::ops::command_line;
use crate::store::cas::write::{self, NewSecrets};
use crate::store::db::Sql;
use crate::store::log::{self, LogEntry};
use crate::store::{AuthChoice, CaConnection, CaKind, Location, Store, StoreError};

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
    /// The ACME CA failed or refused.
    #[error(transparent)]
    Acme(#[from] AcmeError),
    /// The SCEP or AD CS CA failed or refused.
    #[error(transparent)]
    Online(#[from] OnlineError),
    /// The connection was tried before it was saved, and did not answer as it should:
    /// nothing was saved.
    #[error(
        "{0}; nothing was saved (--no-test, or the dialog's \"Save anyway\", saves it without trying it)"
    )]
    NotSaved(Box<CaOpError>),
}

/// The protocol of a new connection, with what it needs (its secrets zeroised on drop).
pub enum Protocol {
    /// ACME: the directory URL (https), the account's contact e-mail, and external
    /// account binding (the key id and the HMAC key, base64url as CAs give it).
    Acme {
        /// The directory URL.
        directory: String,
        /// The contact e-mail.
        contact: Option<String>,
        /// The EAB key id and HMAC key.
        eab: Option<(String, Zeroizing<String>)>,
    },
    /// SCEP: the URL (http or https) and the challenge password, if the CA wants one.
    Scep {
        /// The SCEP URL (…/scep, …/certsrv/mscep/mscep.dll).
        url: String,
        /// The challenge password.
        challenge: Option<Zeroizing<String>>,
    },
    /// AD CS Web Enrollment: `https://HOST/certsrv`, how it signs in, and a user name
    /// and password (both empty: the Kerberos ticket of the user running certdesk).
    Certsrv {
        /// The Web Enrollment URL.
        url: String,
        /// How it signs in.
        auth: AuthChoice,
        /// The user name (`user@REALM`, `DOMAIN\user`), empty for the ticket.
        username: String,
        /// The password, empty for the ticket.
        password: Zeroizing<String>,
    },
}

/// A new connection.
pub struct NewCa {
    /// Its name (`--ca NAME`).
    pub name: String,
    /// What it speaks.
    pub protocol: Protocol,
    /// A PEM file of the certificates to trust for this server's TLS.
    pub ca_bundle: Option<std::path::PathBuf>,
    /// Try the connection before saving it, and save it only if the CA answers (the
    /// user may save it untried: a CA not reachable from here yet).
    pub try_first: bool,
}

/// What `ca test` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Reached {
    /// The ACME account URL.
    pub account: Option<String>,
    /// AD CS: how and as whom the server accepted the sign-in.
    pub signed_in: Option<Accepted>,
    /// What was checked, one phrase.
    pub detail: String,
}

/// One row of `certdesk ca list`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaEntry {
    /// The name.
    pub name: String,
    /// `builtin`, `acme`, `scep` or `certsrv`.
    pub kind: String,
    /// The URL (none for the built-in CA).
    pub url: Option<String>,
    /// Whether an account is registered (ACME; always true for the others).
    pub registered: bool,
    /// Whether the connection trusts its own TLS bundle instead of the system's roots.
    pub custom_trust: bool,
    /// The AD CS user name (none: the Kerberos ticket of the user running certdesk).
    pub username: Option<String>,
    /// AD CS: how the connection signs in (`automatic`, `negotiate`, `ntlm`, `basic`).
    pub auth: Option<AuthChoice>,
    /// AD CS: how and as whom the server last accepted the sign-in.
    pub accepted: Option<String>,
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

/// Checks a CA's URL: one of `schemes`, a host, and no user name or password in it (which
/// would be kept and logged in clear; a refused URL is not echoed, it may hold one).
fn check_url(url: &str, what: &str, schemes: &[&str]) -> Result<(), CaOpError> {
    let parsed = url::Url::parse(url).ok().filter(|u| u.has_host());
    let user_info = match &parsed {
        Some(u) => !u.username().is_empty() || u.password().is_some(),
        None => url.contains('@'),
    };
    if user_info {
        return Err(CaOpError::Invalid(format!(
            "the {what} URL holds a user name or password, which certdesk would keep and log in clear: take it out of the URL (a password goes in --password-file, never in a URL)"
        )));
    }
    match parsed {
        Some(u) if schemes.contains(&u.scheme()) => Ok(()),
        _ => Err(CaOpError::Invalid(format!(
            "the {what} URL must start with {} (got {url})",
            schemes
                .iter()
                .map(|s| format!("{s}://"))
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

/// A connection's secrets, decoded and ready to store (zeroised on drop).
struct StoredSecrets {
    eab_hmac: Option<Zeroizing<Vec<u8>>>,
    password: Option<Zeroizing<String>>,
}

impl StoredSecrets {
    fn secrets(&self) -> NewSecrets<'_> {
        NewSecrets {
            eab_hmac: self.eab_hmac.as_ref().map(|h| h.as_slice()),
            password: self.password.as_deref().map(String::as_str),
        }
    }
}

/// A new connection, checked and ready to store.
struct Prepared {
    /// Its row.
    ca: CaConnection,
    /// Its equivalent command (`certdesk ca add …`, no secret in it).
    command: String,
    /// Its secrets.
    stored: StoredSecrets,
}

/// Checks a new connection.
fn prepare(new: &NewCa, now: i64) -> Result<Prepared, CaOpError> {
    check_name(&new.name)?;
    let ca_bundle = match &new.ca_bundle {
        Some(path) => Some(read_bundle(path)?),
        None => None,
    };
    let mut ca = CaConnection {
        name: new.name.to_owned(),
        kind: CaKind::Acme,
        url: String::new(),
        contact: None,
        custom_trust: ca_bundle.is_some(),
        ca_bundle,
        account_url: None,
        added: now,
        eab_kid: None,
        username: None,
        auth: AuthChoice::Automatic,
        accepted: None,
    };
    let mut command = format!("certdesk ca add {}", command_line::quote(&new.name));
    let mut stored = StoredSecrets {
        eab_hmac: None,
        password: None,
    };
    match &new.protocol {
        Protocol::Acme {
            directory,
            contact,
            eab,
        } => {
            check_url(directory, "ACME directory", &["https"])?;
            ca.url.clone_from(directory);
            ca.contact.clone_from(contact);
            command.push_str(&format!(" --acme {}", command_line::quote(directory)));
            if let Some(contact) = contact {
                command.push_str(&format!(" --contact {}", command_line::quote(contact)));
            }
            if let Some((kid, hmac)) = eab {
                stored.eab_hmac = Some(decode_hmac(hmac)?);
                ca.eab_kid = Some(kid.clone());
                command.push_str(&format!(
                    " --eab-kid {} --eab-hmac-file '<file>'",
                    command_line::quote(kid)
                ));
            }
        }
        Protocol::Scep { url, challenge } => {
            check_url(url, "SCEP", &["http", "https"])?;
            ca.kind = CaKind::Scep;
            ca.url.clone_from(url);
            stored.password = challenge.clone().filter(|c| !c.is_empty());
            command.push_str(&format!(" --scep {}", command_line::quote(url)));
            if stored.password.is_some() {
                command.push_str(" --challenge-file '<file>'");
            }
        }
        Protocol::Certsrv {
            url,
            auth,
            username,
            password,
        } => {
            check_url(url, "AD CS Web Enrollment", &["https"])?;
            let username = username.trim();
            if username.is_empty() != password.is_empty() {
                return Err(CaOpError::Invalid(
                    "AD CS Web Enrollment takes a user name with its password, or neither (the Kerberos ticket of the user running certdesk)".into(),
                ));
            }
            if username.is_empty() && matches!(auth, AuthChoice::Basic | AuthChoice::Ntlm) {
                return Err(CaOpError::Invalid(format!(
                    "--auth {} needs a user name and a password (only Negotiate signs in with a Kerberos ticket)",
                    auth.as_str()
                )));
            }
            ca.kind = CaKind::Certsrv;
            ca.url = url.trim_end_matches('/').to_owned();
            ca.auth = *auth;
            command.push_str(&format!(" --certsrv {}", command_line::quote(url)));
            if *auth != AuthChoice::Automatic {
                command.push_str(&format!(" --auth {}", auth.as_str()));
            }
            if !username.is_empty() {
                ca.username = Some(username.to_owned());
                stored.password = Some(password.clone());
                command.push_str(&format!(
                    " --username {} --password-file '<file>'",
                    command_line::quote(username)
                ));
            }
        }
    }
    if let Some(path) = &new.ca_bundle {
        let path = path.display().to_string();
        command.push_str(&format!(" --ca-bundle {}", command_line::quote(&path)));
    }
    if !new.try_first {
        command.push_str(" --no-test");
    }
    Ok(Prepared {
        ca,
        command,
        stored,
    })
}

/// Adds a connection, tried first unless the user said otherwise (an ACME account is
/// registered later: by `test` or the first request).
pub fn add(store: &mut Store, new: &NewCa, now: i64) -> Result<(), CaOpError> {
    let Prepared {
        mut ca,
        command,
        stored,
    } = prepare(new, now)?;
    if new.try_first {
        // A name taken is said before the CA is reached (insert says it again on a race).
        if store.cas()?.iter().any(|c| c.name == ca.name) {
            return Err(StoreError::CaExists(ca.name).into());
        }
        ca.accepted = reach(&ca, &stored)?;
    }
    store.transaction(|tx, secret| {
        write::insert(tx, secret, &ca, &stored.secrets())?;
        log_change(tx, &ca, "added", command, now)
    })
}

/// The log entry of an added or changed connection (never its secrets).
fn log_change(
    tx: Sql<'_>,
    ca: &CaConnection,
    what: &str,
    command: String,
    now: i64,
) -> Result<(), CaOpError> {
    let details = format!(
        "{} CA {} {what} ({})",
        ca.kind.as_str().to_uppercase(),
        ca.name,
        ca.url
    );
    log::append(
        tx,
        &LogEntry::new(now, Location::Computer, "ca", details, command),
    )?;
    Ok(())
}

/// Changes a connection: its URL, TLS trust and protocol details. A secret given empty
/// and a TLS bundle not given keep the stored ones; an ACME account is kept while the
/// directory is the same.
pub fn edit(store: &mut Store, new: &NewCa, now: i64) -> Result<(), CaOpError> {
    let old = store.ca(&new.name)?;
    let secrets = store.ca_secrets(&new.name)?;
    let kept_password = secrets.password.clone();
    let protocol = match &new.protocol {
        Protocol::Scep { url, challenge } => Protocol::Scep {
            url: url.clone(),
            challenge: challenge
                .clone()
                .filter(|c| !c.is_empty())
                .or(kept_password),
        },
        Protocol::Certsrv {
            url,
            auth,
            username,
            password,
        } => Protocol::Certsrv {
            url: url.clone(),
            auth: *auth,
            username: username.clone(),
            password: if password.is_empty() && !username.trim().is_empty() {
                kept_password.unwrap_or_default()
            } else {
                password.clone()
            },
        },
        Protocol::Acme {
            directory,
            contact,
            eab,
        } => Protocol::Acme {
            directory: directory.clone(),
            contact: contact.clone(),
            eab: eab.clone(),
        },
    };
    let replaced = NewCa {
        name: new.name.clone(),
        protocol,
        ca_bundle: new.ca_bundle.clone(),
        try_first: new.try_first,
    };
    let keep_account = match (&replaced.protocol, &old.account_url, &secrets.account_key) {
        (Protocol::Acme { directory, .. }, Some(url), Some(key)) if *directory == old.url => {
            Some((url.clone(), key.clone_key().map_err(StoreError::from)?))
        }
        _ => None,
    };
    let Prepared {
        ca,
        command,
        stored,
    } = prepare(&replaced, now)?;
    let command = command.replacen("certdesk ca add", "certdesk ca edit", 1);
    let ca = CaConnection {
        added: old.added,
        ca_bundle: ca.ca_bundle.or(if new.ca_bundle.is_none() {
            old.ca_bundle.clone()
        } else {
            None
        }),
        ..ca
    };
    let mut ca = CaConnection {
        custom_trust: ca.ca_bundle.is_some(),
        ..ca
    };
    if new.try_first {
        ca.accepted = reach(&ca, &stored)?;
    }
    store.transaction(|tx, secret| {
        write::delete(tx, &ca.name)?;
        write::insert(tx, secret, &ca, &stored.secrets())?;
        if let Some((url, key)) = &keep_account {
            write::set_account(tx, secret, &ca.name, url, key)?;
        }
        log_change(tx, &ca, "changed", command, now)
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
        username: None,
        auth: None,
        accepted: None,
    }];
    entries.extend(store.cas()?.into_iter().map(|c| CaEntry {
        name: c.name,
        kind: c.kind.as_str().into(),
        url: Some(c.url),
        registered: c.kind != CaKind::Acme || c.account_url.is_some(),
        custom_trust: c.custom_trust,
        username: c.username,
        auth: (c.kind == CaKind::Certsrv).then_some(c.auth),
        accepted: c.accepted,
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

/// Reaches the CA: ACME registers the account the first time (the account URL); SCEP
/// reads the CA's capabilities and certificate (its subject); AD CS signs in with the
/// stored credentials (refused ones are [`OnlineError::BadCredentials`]).
pub fn test(store: &mut Store, name: &str) -> Result<Reached, CaOpError> {
    let ca = store.ca(name)?;
    let secrets = store.ca_secrets(name)?;
    match ca.kind {
        CaKind::Acme => {
            let (account_url, registered) = acme::test(&ca, Secrets::from(&secrets))?;
            if let Some(registered) = registered {
                keep_account(store, name, &registered)?;
            }
            Ok(Reached {
                detail: format!("account {account_url}"),
                account: Some(account_url),
                signed_in: None,
            })
        }
        CaKind::Scep => Ok(Reached {
            account: None,
            signed_in: None,
            detail: format!("CA certificate {}", scep::test(&ca)?),
        }),
        CaKind::Certsrv => {
            let credentials = Credentials {
                username: ca.username.as_deref().unwrap_or_default(),
                password: secrets.password.as_deref().map_or("", String::as_str),
            };
            let accepted = certsrv::test(&ca, credentials)?;
            let words = accepted_words(&accepted);
            store.transaction(|tx, _| write::set_accepted(tx, name, &words))?;
            Ok(Reached {
                account: None,
                detail: signed_in_words(&accepted),
                signed_in: Some(accepted),
            })
        }
    }
}

/// "signed in with Kerberos (Negotiate) as alice@EXAMPLE.TEST".
pub fn signed_in_words(accepted: &Accepted) -> String {
    format!("signed in with {}", accepted_words(accepted))
}

/// "Kerberos (Negotiate) as alice@EXAMPLE.TEST", as the CA page shows it.
fn accepted_words(accepted: &Accepted) -> String {
    if accepted.user.is_empty() {
        return accepted.mechanism.words().to_owned();
    }
    format!("{} as {}", accepted.mechanism.words(), accepted.user)
}

/// Tries a connection before it is saved: the ACME directory (no account is registered),
/// the SCEP CA's certificate, the AD CS sign-in (how and as whom it was accepted); what
/// went wrong says nothing was saved.
fn reach(ca: &CaConnection, stored: &StoredSecrets) -> Result<Option<String>, CaOpError> {
    let reached = match ca.kind {
        CaKind::Acme => acme::reach_directory(ca).map(|()| None),
        CaKind::Scep => scep::test(ca).map(|_| None),
        CaKind::Certsrv => certsrv::test(
            ca,
            Credentials {
                username: ca.username.as_deref().unwrap_or_default(),
                password: stored.password.as_deref().map_or("", String::as_str),
            },
        )
        .map(|accepted| Some(accepted_words(&accepted))),
    };
    reached.map_err(|e| CaOpError::NotSaved(Box::new(e.into())))
}

impl CaOpError {
    /// Whether the connection was tried and the CA did not answer as it should (it may
    /// then be saved untried).
    pub fn not_saved(&self) -> bool {
        matches!(self, CaOpError::NotSaved(_))
    }
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
