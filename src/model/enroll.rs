//! Enrollment: the topology as stored, submitting a generated request (delayed: save the
//! CSR and keep the key pending in Enrollment Requests; immediate: the built-in CA signs at
//! once and the certificate lands in Personal with its key and chain), and clearing a
//! pending request. Each is one transaction with a log entry and its equivalent command.

use std::path::Path;
use std::time::Duration;

use super::ca::{BuiltinCa, CaError};
use super::cert::Certificate;
use super::command_line;
use super::files::{self, OutputError};
use super::request::{Generated, RequestError, RequestSpec};
use super::store::certs::write::{self as cert_write, NewCert};
use super::store::log::{self, LogEntry};
use super::store::requests::{self, PendingRequest};
use super::store::{Location, Logical, Store, StoreError};
use super::topology::{Topology, TopologyError};

/// What can go wrong while enrolling.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The topology is missing or invalid.
    #[error(transparent)]
    Topology(#[from] TopologyError),
    /// The request is invalid.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The CSR file cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The built-in CA failed.
    #[error(transparent)]
    Ca(#[from] CaError),
    /// No pending request has that id.
    #[error("there is no pending request {0} in this location")]
    NoSuchRequest(i64),
}

/// Where the request goes.
#[derive(Debug, Clone, Copy)]
pub enum Delivery<'a> {
    /// Save the CSR (to this file, if any) and keep the key pending.
    Delayed(Option<&'a Path>),
    /// Have the built-in CA sign it now.
    BuiltinCa,
}

/// What a submitted request became.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RequestOutcome {
    /// The pending request's id (delayed only).
    pub request_id: Option<i64>,
    /// `pending` or `issued`.
    pub status: &'static str,
    /// Where the CSR was saved.
    pub csr_file: Option<String>,
    /// The issued certificate's thumbprint (immediate only).
    pub thumbprint: Option<String>,
    /// The friendly name given.
    pub friendly_name: String,
    /// The CSR, PEM.
    pub csr_pem: String,
    /// Key generation and CSR signing time.
    #[serde(serialize_with = "millis")]
    pub key_generation: Duration,
    /// Things the user should know.
    pub warnings: Vec<String>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(d.as_millis())
}

/// The stored topology.
pub fn topology(store: &Store) -> Result<Topology, EnrollError> {
    let text = store.topology_toml()?.ok_or(TopologyError::Missing)?;
    Ok(Topology::from_toml(&text)?)
}

/// Validates and stores a topology; `source` names the file in the log.
pub fn set_topology(
    store: &mut Store,
    text: &str,
    source: &str,
    now: i64,
) -> Result<Topology, EnrollError> {
    let topology = Topology::from_toml(text)?;
    let toml = topology.to_toml();
    store.transaction(|tx, _| {
        requests::write::set_topology(tx, &toml)?;
        log::append(
            tx,
            &entry(
                now,
                Location::Computer,
                "topology",
                format!(
                    "topology set from {source}: {:?} server {}, SIP domains {}",
                    topology.role,
                    topology.server_fqdn,
                    topology.sip_domains.join(", ")
                ),
                command_line::topology_set(source),
            ),
        )?;
        Ok::<_, EnrollError>(())
    })?;
    Ok(topology)
}

fn entry(
    now: i64,
    location: Location,
    operation: &str,
    details: String,
    command: String,
) -> LogEntry {
    LogEntry {
        id: 0,
        time: now,
        location: location.as_str().to_owned(),
        operation: operation.to_owned(),
        outcome: "ok".to_owned(),
        details,
        command,
    }
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

/// Submits a generated request. Delayed: writes the CSR file (atomically, before anything
/// is stored; removed again if storing fails) and keeps key and placeholder pending.
/// Immediate: signs with the built-in CA (created on first use) and stores the
/// certificate in Personal with its key.
pub fn submit(
    store: &mut Store,
    spec: &RequestSpec,
    generated: Generated,
    location: Location,
    delivery: Delivery<'_>,
    now: i64,
) -> Result<RequestOutcome, EnrollError> {
    let mut outcome = RequestOutcome {
        request_id: None,
        status: "pending",
        csr_file: None,
        thumbprint: None,
        friendly_name: String::new(),
        csr_pem: generated.csr_pem.clone(),
        key_generation: generated.took,
        warnings: spec.warnings(),
    };
    let command = command_line::request(spec, location, delivery);
    match delivery {
        Delivery::Delayed(path) => {
            if let Some(path) = path {
                files::write_atomic(path, generated.csr_pem.as_bytes(), false)?;
                outcome.csr_file = Some(path.display().to_string());
            }
            let placeholder = Certificate::from_der(&generated.placeholder_der)
                .map_err(|e| RequestError::Csr(e.to_string()))?;
            let stored = store.transaction(|tx, secret| {
                let (name, note) =
                    cert_write::unique_friendly_name(tx, location, &wanted_name(spec, now))?;
                outcome.warnings.extend(note);
                let key_id =
                    cert_write::upsert_key(tx, secret, &generated.key, spec.input.exportable, now)?;
                let cert_id = cert_write::insert_cert(
                    tx,
                    &NewCert {
                        location,
                        logical: Logical::Requests,
                        cert: &placeholder,
                        friendly_name: &name,
                        key_id: Some(key_id),
                        now,
                    },
                )?;
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
                        csr_file: outcome.csr_file.clone(),
                        created: now,
                    },
                )?;
                let details = format!(
                    "request {id} for {} ({}), {} key generated in {} ms; CSR {}",
                    spec.names.subject,
                    usages_text(spec),
                    spec.input.key.label(),
                    generated.took.as_millis(),
                    outcome.csr_file.as_deref().unwrap_or("kept in the store")
                );
                log::append(
                    tx,
                    &entry(now, location, "request", details, command.clone()),
                )?;
                Ok::<_, EnrollError>((id, name))
            });
            match stored {
                Ok((id, name)) => {
                    outcome.request_id = Some(id);
                    outcome.friendly_name = name;
                }
                Err(e) => {
                    if let Some(path) = path {
                        let _ = std::fs::remove_file(path);
                    }
                    return Err(e);
                }
            }
        }
        Delivery::BuiltinCa => {
            let ca = BuiltinCa::load_or_create(store, now)?;
            let cert = ca.sign(&generated.csr_der, now)?;
            let name = store.transaction(|tx, secret| {
                ca.persist_if_new(tx, secret, now)?;
                let (name, note) =
                    cert_write::unique_friendly_name(tx, location, &wanted_name(spec, now))?;
                outcome.warnings.extend(note);
                let key_id =
                    cert_write::upsert_key(tx, secret, &generated.key, spec.input.exportable, now)?;
                cert_write::insert_cert(
                    tx,
                    &NewCert {
                        location,
                        logical: Logical::Personal,
                        cert: &cert,
                        friendly_name: &name,
                        key_id: Some(key_id),
                        now,
                    },
                )?;
                let details = format!(
                    "{} ({}) issued by {} with thumbprint {}; {} key generated in {} ms",
                    spec.names.subject,
                    usages_text(spec),
                    ca.issuing.summary().issued_to(),
                    cert.summary().thumbprint,
                    spec.input.key.label(),
                    generated.took.as_millis()
                );
                log::append(
                    tx,
                    &entry(now, location, "request", details, command.clone()),
                )?;
                Ok::<_, EnrollError>(name)
            })?;
            outcome.status = "issued";
            outcome.thumbprint = Some(cert.summary().thumbprint.clone());
            outcome.friendly_name = name;
        }
    }
    Ok(outcome)
}

fn usages_text(spec: &RequestSpec) -> String {
    spec.input
        .usages
        .iter()
        .map(|u| u.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Deletes a pending request with its placeholder and key.
pub fn clear_request(
    store: &mut Store,
    location: Location,
    id: i64,
    now: i64,
) -> Result<PendingRequest, EnrollError> {
    store.transaction(|tx, _| {
        let request =
            requests::write::by_id(tx, location, id)?.ok_or(EnrollError::NoSuchRequest(id))?;
        requests::write::delete(tx, &request)?;
        requests::write::delete_key_if_unused(tx, request.key_id)?;
        log::append(
            tx,
            &entry(
                now,
                location,
                "requests",
                format!(
                    "pending request {id} for {} cleared with its private key",
                    request.subject
                ),
                command_line::clear_request(location, id),
            ),
        )?;
        Ok(request)
    })
}
