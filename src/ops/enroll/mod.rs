//! Enrollment: the topology as stored, submitting a generated request (delayed: save the
//! CSR and keep the key pending in Enrollment Requests; immediate: the built-in CA signs at
//! once and the certificate lands in Personal with its key and chain), and clearing a
//! pending request. Each is one transaction with a log entry and its equivalent command.

mod continued;
mod delivery;
pub(super) mod error;
pub(super) mod keep;

use std::path::Path;
use std::time::Duration;

use crate::ca::acme::TxtRecord;
use crate::ca::{BuiltinCa, CaError};
use crate::deploy::request::{Generated, RequestSpec};
use crate::deploy::topology::{Topology, TopologyError};
use crate::ops::command_line;
use crate::ops::files;
use crate::ops::online::{self, Answer, ChainRoot, RootState};
use crate::pki::keygen::KeyAlgorithm;
use crate::store::log::{self, LogEntry};
use crate::store::requests::{self, PendingRequest};
use crate::store::{CaKind, Location, Store};

pub use continued::Continued;
pub use delivery::{AltCredentials, Delivery, Http01Answer, OnlineOptions};
pub use error::EnrollError;

/// Where a request stands once its CA has answered; the JSON and the text say it as
/// `issued`, `pending`, `denied` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// The certificate was issued and is in Personal.
    Issued,
    /// Waiting: a delayed request, or one the CA holds for approval.
    Pending,
    /// The CA refused it.
    Denied,
    /// Asking the CA failed (it stays pending).
    Failed,
}

impl RequestStatus {
    /// The word the JSON and the text use.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Issued => "issued",
            RequestStatus::Pending => "pending",
            RequestStatus::Denied => "denied",
            RequestStatus::Failed => "failed",
        }
    }
}

impl std::fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}
use keep::{Held, Issuer, Logged, Made, keep_issued, keep_pending};

/// What a submitted request became.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RequestOutcome {
    /// The pending request's id (delayed, or held by the CA).
    pub request_id: Option<i64>,
    /// The CA's own reference for a request it holds (the AD CS request ID, the SCEP
    /// transaction ID, the ACME order URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_reference: Option<String>,
    /// The TXT records to create before the request can continue (ACME DNS-01).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_records: Vec<TxtRecord>,
    /// Pending or issued.
    pub status: RequestStatus,
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
    /// The root CA that ends the issued chain, when the store does not trust it (the
    /// user may trust it: [`online::trust_root`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untrusted_root: Option<Box<ChainRoot>>,
    /// The root CA put in Trusted Roots with the certificate (`--trust-root`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<Box<ChainRoot>>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(d.as_millis())
}

/// The stored topology.
pub fn topology(store: &Store) -> Result<Topology, EnrollError> {
    let text = store.topology_toml()?.ok_or(TopologyError::Missing)?;
    Ok(Topology::from_toml(&text)?)
}

/// The most a topology file may hold.
pub const TOPOLOGY_LIMIT: u64 = crate::deploy::topology::MAX_TOPOLOGY as u64;

/// Reads a topology file's text (`topology set FILE`, the Topology page's Load).
pub fn read_topology_file(path: &std::path::Path) -> Result<String, crate::ops::files::InputError> {
    crate::ops::files::read_text(path, TOPOLOGY_LIMIT)
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
            &LogEntry::new(
                now,
                Location::Computer,
                "topology",
                format!(
                    "topology set from {source}: {:?} server {}, SIP domains {}; save this as {source} to run the command:\n{toml}",
                    topology.role,
                    topology.server_fqdn,
                    topology.sip_domains.join(", ")
                ),
                topology_command(source),
            ),
        )?;
        Ok::<_, EnrollError>(())
    })?;
    Ok(topology)
}

/// Generates a request's key and CSR (the slow part: run it off the window's thread),
/// after checking that the CSR file of a delayed request can be written, so a bad path is
/// refused before the key is made.
pub fn prepare(
    spec: &RequestSpec,
    csr_path: Option<&Path>,
    now: i64,
) -> Result<Generated, EnrollError> {
    if let Some(path) = csr_path {
        files::check_output_path(path)?;
    }
    spec.generate(now).map_err(EnrollError::Generate)
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
    delivery: &Delivery,
    now: i64,
) -> Result<RequestOutcome, EnrollError> {
    submit_as(store, spec, generated, location, delivery, None, now)
}

/// [`submit`], logged with `command` as its equivalent command line when given (a
/// renewal is `certdesk renew`, not `certdesk request`).
pub(super) fn submit_as(
    store: &mut Store,
    spec: &RequestSpec,
    generated: Generated,
    location: Location,
    delivery: &Delivery,
    command: Option<String>,
    now: i64,
) -> Result<RequestOutcome, EnrollError> {
    let mut outcome = RequestOutcome {
        request_id: None,
        ca_reference: None,
        dns_records: Vec::new(),
        status: RequestStatus::Pending,
        csr_file: None,
        thumbprint: None,
        friendly_name: String::new(),
        csr_pem: generated.csr_pem.clone(),
        key_generation: generated.took,
        warnings: spec.warnings(),
        untrusted_root: None,
        trusted_root: None,
    };
    let is_acme = match delivery {
        Delivery::Online { ca, .. } => store.ca(ca)?.kind == CaKind::Acme,
        _ => false,
    };
    // A caller's own command (`renew …`) still shows how the online CA was answered.
    let command = match (command, delivery) {
        (Some(base), Delivery::Online { options, .. }) => base + &online_flags(options, is_acme),
        (Some(base), _) => base,
        (None, _) => request_command(spec, location, delivery, is_acme),
    };
    let made = Made {
        spec,
        generated: &generated,
    };
    let logged = Logged {
        command: &command,
        now,
    };
    match delivery {
        Delivery::Delayed(path) => {
            if let Some(path) = path {
                files::write_atomic(path, generated.csr_pem.as_bytes(), false)?;
                outcome.csr_file = Some(path.display().to_string());
            }
            let held = Held {
                csr_file: outcome.csr_file.clone(),
                ca: None,
            };
            let stored = keep_pending(store, made, location, held, logged, &mut outcome.warnings);
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
        Delivery::Online { ca, options } => {
            let warnings = &mut outcome.warnings;
            match online::submit(store, made, location, ca, options, logged, warnings)? {
                Answer::Issued {
                    thumbprint,
                    friendly,
                    root,
                } => {
                    outcome.status = RequestStatus::Issued;
                    outcome.thumbprint = Some(thumbprint);
                    outcome.friendly_name = friendly;
                    match root {
                        RootState::Trusted => {}
                        RootState::Untrusted(root) => outcome.untrusted_root = Some(Box::new(root)),
                        RootState::Added(root) => outcome.trusted_root = Some(Box::new(root)),
                    }
                }
                Answer::Pending {
                    id,
                    friendly,
                    reference,
                    records,
                } => {
                    outcome.request_id = Some(id);
                    outcome.friendly_name = friendly;
                    outcome.ca_reference = Some(reference);
                    outcome.dns_records = records;
                }
            }
        }
        Delivery::BuiltinCa { trust_new_root } => {
            let domains = topology(store)?.domains();
            // Two processes may create the store's first CA at once: the one that loses
            // the race signs again with the CA the other stored.
            let mut attempts = 0;
            let (cert, name) = loop {
                attempts += 1;
                if attempts > 3 {
                    return Err(EnrollError::Ca(CaError::Signing(
                        "another process keeps replacing the built-in CA".into(),
                    )));
                }
                let ca = BuiltinCa::load_or_create(store, now)?;
                if ca.is_new() && !trust_new_root {
                    return Err(EnrollError::RootNotAgreed);
                }
                let cert = ca.sign(&generated.csr_der, &domains, now)?;
                let stored = store.transaction(|tx, secret| {
                    if !ca.persist_if_new(tx, secret, now)? {
                        return Ok(None);
                    }
                    let issuer = Issuer {
                        name: "builtin",
                        described: ca.issuing.summary().issued_to(),
                        location,
                    };
                    let warnings = &mut outcome.warnings;
                    let name = keep_issued(tx, secret, made, &cert, &issuer, logged, warnings)?;
                    Ok::<_, EnrollError>(Some(name))
                })?;
                if let Some(name) = stored {
                    break (cert, name);
                }
            };
            outcome.status = RequestStatus::Issued;
            outcome.thumbprint = Some(cert.summary().thumbprint.clone());
            outcome.friendly_name = name;
        }
    }
    Ok(outcome)
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
            &LogEntry::new(
                now,
                location,
                "requests",
                format!(
                    "pending request {id} for {} cleared with its private key",
                    request.subject
                ),
                clear_command(location, id),
            ),
        )?;
        Ok(request)
    })
}

/// `certdesk topology set FILE`.
fn topology_command(source: &str) -> String {
    format!("certdesk topology set {}", command_line::quote(source))
}

/// `certdesk requests --clear ID`.
fn clear_command(location: Location, id: i64) -> String {
    format!("{} requests --clear {id}", command_line::base(location))
}

/// The flags that reproduce how an online CA was answered: other credentials (the
/// password never), and for ACME the challenge.
fn online_flags(options: &OnlineOptions, is_acme: bool) -> String {
    let mut flags = String::new();
    if options.trust_root {
        flags.push_str(" --trust-root");
    }
    if let Some(credentials) = &options.credentials {
        flags.push_str(&format!(
            " --username {} --password-file '<file>'",
            command_line::quote(&credentials.username)
        ));
    }
    if is_acme {
        match &options.http01 {
            _ if options.dns01 => flags.push_str(" --dns01"),
            Http01Answer::Listen(address) => flags.push_str(&format!(
                " --http-address {} --http-port {}",
                address.ip(),
                address.port()
            )),
            Http01Answer::Webroot(dir) => flags.push_str(&format!(
                " --webroot {}",
                command_line::quote(&dir.display().to_string())
            )),
        }
    }
    flags
}

/// `certdesk request ...` reproducing a request's choices. Individually ticked SIP
/// domains become `--domain-name sip.<domain>`, which yields the same names.
fn request_command(
    spec: &RequestSpec,
    location: Location,
    delivery: &Delivery,
    is_acme: bool,
) -> String {
    let input = &spec.input;
    let usages: Vec<&str> = input.usages.iter().map(|u| u.as_str()).collect();
    let mut cmd = format!(
        "{} request --type {}",
        command_line::base(location),
        usages.join(",")
    );
    match delivery {
        Delivery::Delayed(Some(path)) => {
            cmd.push_str(&format!(
                " --output {}",
                command_line::quote(&path.display().to_string())
            ));
        }
        Delivery::Delayed(None) => cmd.push_str(" --output '<csr-file>'"),
        Delivery::BuiltinCa { .. } => cmd.push_str(" --ca builtin"),
        Delivery::Online { ca, options } => {
            cmd.push_str(&format!(" --ca {}", command_line::quote(ca)));
            cmd.push_str(&online_flags(options, is_acme));
        }
    }
    if !input.friendly_name.is_empty() {
        cmd.push_str(&format!(
            " --friendly-name {}",
            command_line::quote(&input.friendly_name)
        ));
    }
    if let KeyAlgorithm::Rsa(bits) = input.key {
        cmd.push_str(&format!(" --key-size {bits}"));
    }
    cmd.push_str(&format!(
        " --key-alg {} --hash {} --exportable {}",
        input.key.cli_name(),
        input.hash.cli_name(),
        input.exportable
    ));
    for (flag, value) in [
        ("--org", &input.org),
        ("--ou", &input.ou),
        ("--country", &input.country),
        ("--state", &input.state),
        ("--city", &input.city),
    ] {
        if !value.is_empty() {
            cmd.push_str(&format!(" {flag} {}", command_line::quote(value)));
        }
    }
    if let Some(domains) = &input.names.sip_domains {
        cmd.push_str(&format!(
            " --sip-domain {}",
            command_line::quote(&domains.join(","))
        ));
    }
    let extra = &input.names.extra;
    if !extra.is_empty() {
        cmd.push_str(&format!(
            " --domain-name {}",
            command_line::quote(&extra.join(","))
        ));
    }
    if input.client_eku {
        cmd.push_str(" --client-eku");
    }
    if input.template != "WebServer" {
        cmd.push_str(&format!(
            " --template {}",
            command_line::quote(&input.template)
        ));
    }
    cmd
}
