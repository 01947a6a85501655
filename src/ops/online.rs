//! Immediate requests to an online CA connection of the store (ACME, SCEP, AD CS Web
//! Enrollment). The exchange runs outside any transaction (it waits on the network); then
//! either the issued chain is stored with the request's key in one transaction, or a CA
//! that holds the request for approval leaves it pending in Enrollment Requests with the
//! CA's reference, for [`super::retrieve`]. On any failure the store holds no new
//! certificate and no orphan key.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::enroll::error::EnrollError;
use super::enroll::keep::{Held, HeldBy, Issuer, Logged, Made, keep_issued, keep_pending};
use super::enroll::{AltCredentials, OnlineOptions};
use crate::ca::OnlineError;
use crate::ca::acme::{self, AcmeError, Secrets, TxtRecord};
use crate::ca::certsrv::{self, Credentials, Disposition, Retrieved};
use crate::ca::scep::{self, Enrolled, ScepRequest};
use crate::deploy::request::RequestSpec;
use crate::ops::command_line;
use crate::pki::cert::Certificate;
use crate::store::certs::write::{self as cert_write, NewCert};
use crate::store::db::Sql;
use crate::store::log::{self, LogEntry};
use crate::store::{CaConnection, CaKind, CaSecrets, Location, Logical, Store, StoreError};

/// The most certificates a CA's chain may hold.
const MAX_CHAIN: usize = 16;

/// The root CA that ends an issued chain, when the store does not trust it: shown to the
/// user (subject and thumbprint, as Windows' security warning shows them) with the choice
/// to trust it ([`trust_root`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainRoot {
    /// The root's subject.
    pub subject: String,
    /// Its SHA-1 thumbprint.
    pub thumbprint: String,
    /// Its DER, for [`trust_root`].
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl ChainRoot {
    pub(super) fn of(cert: &Certificate) -> Self {
        Self {
            subject: cert.summary().subject.clone(),
            thumbprint: cert.summary().thumbprint.clone(),
            der: cert.der().to_vec(),
        }
    }
}

/// What became of the root CA that ends an issued chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RootState {
    /// The chain has no root, or the store trusts it already.
    Trusted,
    /// Not trusted, and the user did not agree to trust it.
    Untrusted(ChainRoot),
    /// Put in Trusted Roots with the certificate, as the user agreed.
    Added(ChainRoot),
}

/// What the CA did.
pub(super) enum Answer {
    /// Issued and stored.
    Issued {
        /// The certificate's thumbprint.
        thumbprint: String,
        /// The friendly name it was given.
        friendly: String,
        /// What became of its chain's root.
        root: RootState,
    },
    /// Held for approval, or waiting for DNS-01 records.
    Pending {
        /// Our request id.
        id: i64,
        /// The friendly name.
        friendly: String,
        /// The CA's reference.
        reference: String,
        /// The TXT records to create (DNS-01).
        records: Vec<TxtRecord>,
    },
}

/// The AD CS credentials: the given ones, else the connection's.
pub(super) fn credentials<'a>(
    ca: &'a CaConnection,
    secrets: &'a CaSecrets,
    given: Option<Credentials<'a>>,
) -> Credentials<'a> {
    given.unwrap_or(Credentials {
        username: ca.username.as_deref().unwrap_or_default(),
        password: secrets.password.as_deref().map_or("", String::as_str),
    })
}

/// Reads a chain (leaf first, DER) into certificates, refusing one that is not for `key`.
pub(super) fn parse_chain(
    ca: &str,
    chain: &[Vec<u8>],
    public_key_hash: &str,
) -> Result<Vec<Certificate>, EnrollError> {
    let protocol = |message: String| {
        EnrollError::Online(OnlineError::Protocol {
            ca: ca.to_owned(),
            message,
        })
    };
    let chain: Vec<Certificate> = chain
        .iter()
        .take(MAX_CHAIN)
        .map(|der| {
            Certificate::from_der(der)
                .map_err(|e| protocol(format!("its chain cannot be read: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let leaf = chain
        .first()
        .ok_or_else(|| protocol("it returned no certificate".into()))?;
    if leaf.summary().public_key_hash != public_key_hash {
        return Err(protocol(
            "it returned a certificate for another key than the request's".into(),
        ));
    }
    Ok(chain)
}

/// Sends the request to the connection `name`, answering its CA with `options`, and
/// stores what comes back.
pub(super) fn submit(
    store: &mut Store,
    made: Made<'_>,
    location: Location,
    name: &str,
    options: &OnlineOptions,
    logged: Logged<'_>,
    warnings: &mut Vec<String>,
) -> Result<Answer, EnrollError> {
    let Made { spec, generated } = made;
    let ca = store.ca(name)?;
    let secrets = store.ca_secrets(name)?;
    let key_hash = generated.key.public_key_hash().to_owned();
    // The CA holds the request (with these records to create, for DNS-01).
    let pending = |store: &mut Store, reference: String, records, warnings: &mut Vec<String>| {
        let held = Held {
            csr_file: None,
            ca: Some(HeldBy {
                ca: name,
                reference: &reference,
            }),
        };
        let (id, friendly) = keep_pending(store, made, location, held, logged, warnings)?;
        Ok::<_, EnrollError>(Answer::Pending {
            id,
            friendly,
            reference,
            records,
        })
    };
    let chain = match ca.kind {
        CaKind::Acme if options.dns01 => {
            let started = acme::start_dns01(
                &ca,
                Secrets::from(&secrets),
                &order_names(spec),
                options.replaces.as_deref(),
            )?;
            if let Some(registered) = &started.registered {
                super::cas::keep_account(store, name, registered)?;
            }
            if started.records.is_empty() {
                // The CA reused its validations of every name: there is nothing to
                // create, so the order is finished at once.
                let pem = acme::finish_dns01(
                    &ca,
                    Secrets::from(&secrets),
                    &started.order_url,
                    &generated.csr_der,
                )?;
                pem_ders(name, &pem)?
            } else {
                return pending(store, started.order_url, started.records, warnings);
            }
        }
        CaKind::Acme => {
            let issued = acme::issue(
                &ca,
                Secrets::from(&secrets),
                &order_names(spec),
                &generated.csr_der,
                options.http01.borrowed(),
                options.replaces.as_deref(),
            )?;
            if let Some(registered) = &issued.registered {
                super::cas::keep_account(store, name, registered)?;
            }
            pem_ders(name, &issued.chain_pem)?
        }
        CaKind::Certsrv => {
            let given = options.credentials.as_ref().map(AltCredentials::borrowed);
            let creds = credentials(&ca, &secrets, given);
            let template = super::adcs::check_template(&ca, creds, &spec.input.template, warnings)?;
            let disposition = certsrv::submit(&ca, creds, &generated.csr_pem, &template)?;
            match disposition {
                Disposition::Pending(id) => return pending(store, id, Vec::new(), warnings),
                Disposition::Issued(id) => match certsrv::retrieve(&ca, creds, &id)? {
                    Retrieved::Issued(chain) => chain,
                    Retrieved::Pending => return pending(store, id, Vec::new(), warnings),
                },
            }
        }
        CaKind::Scep => {
            let challenge = secrets.password.as_deref().map(String::as_str);
            let csr = match challenge {
                Some(challenge) => spec
                    .csr_with_challenge(&generated.key, challenge)
                    .map_err(EnrollError::Generate)?,
                None => generated.csr_der.clone(),
            };
            let request = ScepRequest {
                csr_der: &csr,
                signer_der: &generated.placeholder_der,
                key: &generated.key,
            };
            match scep::enroll(&ca, &request)? {
                Enrolled::Issued(chain) => chain,
                Enrolled::Pending => {
                    return pending(store, request.transaction_id(), Vec::new(), warnings);
                }
            }
        }
    };
    let chain = parse_chain(name, &chain, &key_hash)?;
    let leaf = &chain[0];
    let root = match untrusted_root(store, location, &chain[1..])? {
        Some(root) if options.trust_root => RootState::Added(ChainRoot::of(root)),
        Some(root) => {
            let root = ChainRoot::of(root);
            warnings.push(untrusted_warning(&root));
            RootState::Untrusted(root)
        }
        None => RootState::Trusted,
    };
    let described = format!("the {} CA {name}", ca.kind.as_str().to_uppercase());
    let issuer = Issuer {
        name,
        described: &described,
        location,
    };
    let friendly = store.transaction(|tx, secret| {
        let friendly = keep_issued(tx, secret, made, leaf, &issuer, logged, warnings)?;
        insert_chain_cas(tx, location, &chain[1..], logged.now)?;
        if let (RootState::Added(_), Some(added)) = (&root, chain.last()) {
            insert_root(tx, location, added, logged)?;
        }
        Ok::<_, EnrollError>(friendly)
    })?;
    Ok(Answer::Issued {
        thumbprint: leaf.summary().thumbprint.clone(),
        friendly,
        root,
    })
}

/// The self-signed root CA that ends `cas` (an issued chain without its leaf) when it is
/// a trust anchor of neither `location` nor Computer (the system's roots count when the
/// store trusts them).
pub(super) fn untrusted_root<'c>(
    store: &Store,
    location: Location,
    cas: &'c [Certificate],
) -> Result<Option<&'c Certificate>, StoreError> {
    let Some(root) = cas
        .last()
        .filter(|c| c.summary().self_signed && c.summary().is_ca())
    else {
        return Ok(None);
    };
    for at in [location, Location::Computer] {
        match store.find(at, &root.summary().thumbprint) {
            Ok(found) if found.logical == Logical::Root => return Ok(None),
            Ok(_) | Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(root))
}

/// What the user is told about a root that was not trusted.
fn untrusted_warning(root: &ChainRoot) -> String {
    format!(
        "the chain ends in the root CA {} (thumbprint {}), which is not in Trusted Roots: no \
         usage can be assigned the certificate until it is; trust it with --trust-root (the \
         result page's \"Trust this root CA\"), or import the root with `certdesk import \
         FILE --trust-root`",
        root.subject, root.thumbprint
    )
}

/// Puts the root CA that ends an issued chain in Trusted Roots of `location`, with a log
/// entry, as the user agreed on the request's result page. A root that is there already
/// is left as it is; anything but a self-signed CA certificate is refused.
pub fn trust_root(
    store: &mut Store,
    location: Location,
    root: &ChainRoot,
    now: i64,
) -> Result<(), EnrollError> {
    let cert = Certificate::from_der(&root.der)
        .ok()
        .filter(|c| {
            let s = c.summary();
            s.self_signed && s.is_ca() && s.thumbprint == root.thumbprint
        })
        .ok_or_else(|| EnrollError::NotARoot(root.subject.clone()))?;
    let command = format!(
        "{} import '<root-certificate-file>' --trust-root",
        command_line::base(location)
    );
    store.transaction(|tx, _| {
        if cert_write::existing(tx, location, &root.thumbprint)?.is_none() {
            let logged = Logged {
                command: &command,
                now,
            };
            insert_root(tx, location, &cert, logged)?;
        }
        Ok::<_, EnrollError>(())
    })
}

/// Inserts `root` into Trusted Roots of `location` with its log entry.
fn insert_root(
    tx: Sql<'_>,
    location: Location,
    root: &Certificate,
    logged: Logged<'_>,
) -> Result<(), StoreError> {
    let Logged { command, now } = logged;
    let summary = root.summary();
    cert_write::insert_cert(
        tx,
        &NewCert {
            location,
            logical: Logical::Root,
            cert: root,
            friendly_name: "",
            key_id: None,
            now,
        },
    )?;
    log::append(
        tx,
        &LogEntry::new(
            now,
            location,
            "trust",
            format!(
                "the root CA {} (thumbprint {}) that ends an issued chain was added to Trusted Roots, as the user agreed",
                summary.subject, summary.thumbprint
            ),
            command.to_owned(),
        ),
    )
}

/// The certificates of an ACME CA's chain (PEM), as DER, at most [`MAX_CHAIN`].
pub(super) fn pem_ders(ca: &str, pem: &str) -> Result<Vec<Vec<u8>>, EnrollError> {
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .take(MAX_CHAIN)
        .map(|der| der.map(|d| d.to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| {
            EnrollError::Acme(AcmeError::Refused {
                ca: ca.to_owned(),
                message: format!("its chain cannot be read: {e}"),
            })
        })
}

/// The names an ACME order asks for: the subject, then every SAN (once).
fn order_names(spec: &RequestSpec) -> Vec<String> {
    let mut names = vec![spec.names.subject.clone()];
    for san in spec.names.sans() {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&san)) {
            names.push(san);
        }
    }
    names
}

/// Stores the CA certificates of an issued (or fetched) chain in Intermediate CAs, unless
/// present; a root in the chain is not trusted for it: the thumbprints added.
pub(super) fn insert_chain_cas(
    tx: Sql<'_>,
    location: Location,
    cas: &[Certificate],
    now: i64,
) -> Result<Vec<String>, StoreError> {
    let mut added = Vec::new();
    for ca_cert in cas {
        let summary = ca_cert.summary();
        if summary.self_signed || cert_write::existing(tx, location, &summary.thumbprint)?.is_some()
        {
            continue;
        }
        cert_write::insert_cert(
            tx,
            &NewCert {
                location,
                logical: Logical::Ca,
                cert: ca_cert,
                friendly_name: "",
                key_id: None,
                now,
            },
        )?;
        added.push(summary.thumbprint.clone());
    }
    Ok(added)
}
