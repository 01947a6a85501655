//! Storing a request's new key: pending in Enrollment Requests with its placeholder (a
//! delayed request, or one an online CA holds for approval), or with the certificate
//! issued for it, under the request's friendly name made unique.

use super::error::EnrollError;
use crate::deploy::request::{Generated, RequestError, RequestSpec};
use crate::pki::cert::Certificate;
use crate::store::certs::write::{self as cert_write, NewCert};
use crate::store::db::Sql;
use crate::store::log::{self, LogEntry};
use crate::store::requests::{self, PendingRequest};
use crate::store::{Location, Logical, Store, StoreError};

/// A request and what was generated for it: its key, its CSR and its placeholder.
#[derive(Clone, Copy)]
pub(in crate::ops) struct Made<'a> {
    /// What was asked.
    pub spec: &'a RequestSpec,
    /// The key and CSR made for it.
    pub generated: &'a Generated,
}

/// What an operation's log entry says besides its details: the equivalent command line,
/// and when.
#[derive(Clone, Copy)]
pub(in crate::ops) struct Logged<'a> {
    /// The command line, shell-quoted.
    pub command: &'a str,
    /// Unix seconds.
    pub now: i64,
}

/// Where a request's certificate row goes: a location and its logical store.
#[derive(Clone, Copy)]
struct Placed {
    location: Location,
    logical: Logical,
}

/// Where a pending request is held: its saved CSR file, or the online CA (with the CA's
/// own reference) that holds it for approval.
pub(in crate::ops) struct Held<'a> {
    /// Where the CSR was saved.
    pub csr_file: Option<String>,
    /// The online CA that holds it for approval.
    pub ca: Option<HeldBy<'a>>,
}

/// The online CA that holds a request, and its own reference for it.
#[derive(Clone, Copy)]
pub(in crate::ops) struct HeldBy<'a> {
    /// The CA connection's name.
    pub ca: &'a str,
    /// The CA's reference (AD CS request ID, SCEP transaction ID, ACME order URL).
    pub reference: &'a str,
}

/// A request's certificate stored with its new key.
struct Inserted {
    /// The certificate's row id.
    cert_id: i64,
    /// The key's row id.
    key_id: i64,
    /// The friendly name it was given (made unique).
    name: String,
}

/// Keeps a request pending in Enrollment Requests: its key with the placeholder, and the
/// request row, in one transaction with its log entry: (request id, friendly name).
pub(in crate::ops) fn keep_pending(
    store: &mut Store,
    made: Made<'_>,
    location: Location,
    held: Held<'_>,
    logged: Logged<'_>,
    warnings: &mut Vec<String>,
) -> Result<(i64, String), EnrollError> {
    let Made { spec, generated } = made;
    let Logged { command, now } = logged;
    let placeholder = Certificate::from_der(&generated.placeholder_der)
        .map_err(|e| RequestError::Csr(e.to_string()))?;
    store.transaction(|tx, secret| {
        let placed = Placed {
            location,
            logical: Logical::Requests,
        };
        let Inserted {
            cert_id,
            key_id,
            name,
        } = insert_with_key(tx, secret, made, &placeholder, placed, warnings, now)?;
        let id = requests::write::insert(
            tx,
            &PendingRequest {
                id: 0,
                location: location.as_str().to_owned(),
                key_id,
                cert_id: Some(cert_id),
                friendly_name: name.clone(),
                usages: usages_text(spec),
                subject: spec.names.subject.clone(),
                sans: spec.names.sans(),
                csr_pem: generated.csr_pem.clone(),
                csr_file: held.csr_file.clone(),
                created: now,
                ca: held.ca.map(|by| by.ca.to_owned()),
                ca_reference: held.ca.map(|by| by.reference.to_owned()),
            },
        )?;
        let whereto = match (&held.ca, &held.csr_file) {
            (Some(HeldBy { ca, reference }), _) => {
                format!("held by the CA {ca} for approval (its reference {reference})")
            }
            (None, Some(file)) => format!("CSR {file}"),
            (None, None) => "CSR kept in the store".to_owned(),
        };
        let details = format!(
            "request {id} for {} ({}), {} key generated in {} ms; {whereto}",
            spec.names.subject,
            usages_text(spec),
            spec.input.key.label(),
            generated.took.as_millis(),
        );
        log::append(
            tx,
            &LogEntry::new(now, location, "request", details, command.to_owned()),
        )?;
        Ok::<_, EnrollError>((id, name))
    })
}

/// Who issued a certificate: the CA connection's name (`builtin` for the built-in CA), and
/// how the log describes it.
pub(in crate::ops) struct Issuer<'a> {
    /// The connection, kept on the certificate for renewal.
    pub name: &'a str,
    /// "the ACME CA pebble", "CN=certdesk Issuing CA".
    pub described: &'a str,
    /// The location the certificate is stored in.
    pub location: Location,
}

/// Stores an issued certificate in Personal with the request's new key, marked with its
/// issuer, with the log entry, inside the caller's transaction: the friendly name given.
pub(in crate::ops) fn keep_issued(
    tx: Sql<'_>,
    secret: &[u8],
    made: Made<'_>,
    cert: &Certificate,
    issuer: &Issuer<'_>,
    logged: Logged<'_>,
    warnings: &mut Vec<String>,
) -> Result<String, StoreError> {
    let Made { spec, generated } = made;
    let Logged { command, now } = logged;
    let location = issuer.location;
    let placed = Placed {
        location,
        logical: Logical::Personal,
    };
    let Inserted { cert_id, name, .. } =
        insert_with_key(tx, secret, made, cert, placed, warnings, now)?;
    cert_write::set_issuing_ca(tx, cert_id, issuer.name)?;
    let details = format!(
        "{} ({}) issued by {} with thumbprint {}; {} key generated in {} ms",
        spec.names.subject,
        usages_text(spec),
        issuer.described,
        cert.summary().thumbprint,
        spec.input.key.label(),
        generated.took.as_millis()
    );
    log::append(
        tx,
        &LogEntry::new(now, location, "request", details, command.to_owned()),
    )?;
    Ok(name)
}

/// Stores a request's certificate (the placeholder, or the issued one) with its new key
/// under the request's friendly name made unique.
fn insert_with_key(
    tx: Sql<'_>,
    secret: &[u8],
    made: Made<'_>,
    cert: &Certificate,
    placed: Placed,
    warnings: &mut Vec<String>,
    now: i64,
) -> Result<Inserted, StoreError> {
    let Made { spec, generated } = made;
    let Placed { location, logical } = placed;
    let (name, note) = cert_write::unique_friendly_name(
        tx,
        &mut cert_write::NameCache::default(),
        location,
        &wanted_name(spec, now),
    )?;
    warnings.extend(note);
    let (key_id, _) =
        cert_write::upsert_key(tx, secret, &generated.key, spec.input.exportable, now)?;
    let cert_id = cert_write::insert_cert(
        tx,
        &NewCert {
            location,
            logical,
            cert,
            friendly_name: &name,
            key_id: Some(key_id),
            now,
        },
    )?;
    Ok(Inserted {
        cert_id,
        key_id,
        name,
    })
}

/// The usages a request is for, as the request row and the log name them.
fn usages_text(spec: &RequestSpec) -> String {
    spec.input
        .usages
        .iter()
        .map(|u| u.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The friendly name of a request: the user's, or one made from the usages and the date.
fn wanted_name(spec: &RequestSpec, now: i64) -> String {
    if !spec.input.friendly_name.is_empty() {
        return spec.input.friendly_name.clone();
    }
    let date = time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.date().to_string())
        .unwrap_or_default();
    let first = spec
        .input
        .usages
        .first()
        .map_or("Certificate", |u| u.title());
    format!("{first} {date}")
}
