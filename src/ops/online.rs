//! Immediate requests to an online CA connection of the store (ACME, SCEP, AD CS Web
//! Enrollment). The exchange runs outside any transaction (it waits on the network); then
//! either the issued chain is stored with the request's key in one transaction, or a CA
//! that holds the request for approval leaves it pending in Enrollment Requests with the
//! CA's reference, for [`super::retrieve`]. On any failure the store holds no new
//! certificate and no orphan key.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::enroll::error::EnrollError;
use super::enroll::keep::{Held, Issuer, keep_issued, keep_pending};
use crate::ca::OnlineError;
use crate::ca::acme::{self, AcmeError, Http01, Secrets, TxtRecord};
use crate::ca::certsrv::{self, Credentials, Disposition, Retrieved};
use crate::ca::scep::{self, Enrolled, ScepRequest};
use crate::deploy::request::{Generated, RequestSpec};
use crate::pki::cert::Certificate;
use crate::store::certs::write::{self as cert_write, NewCert};
use crate::store::db::Sql;
use crate::store::{CaConnection, CaKind, CaSecrets, Location, Logical, Store, StoreError};

/// The most certificates a CA's chain may hold.
const MAX_CHAIN: usize = 16;

/// How a request goes to an online CA.
#[derive(Clone, Copy)]
pub struct OnlineOptions<'a> {
    /// ACME: where the HTTP-01 answers are served.
    pub http01: Http01<'a>,
    /// ACME: answer DNS-01 instead: the records are shown and the request waits.
    pub dns01: bool,
    /// AD CS: credentials to use instead of the connection's (the wizard's "Certificate
    /// Authority Account" page).
    pub credentials: Option<Credentials<'a>>,
}

impl std::fmt::Debug for OnlineOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnlineOptions")
            .field("http01", &self.http01)
            .field("dns01", &self.dns01)
            .field(
                "credentials",
                &self.credentials.map(|c| c.username.to_owned()),
            )
            .finish()
    }
}

/// What the CA did.
pub(super) enum Answer {
    /// Issued and stored: (thumbprint, friendly name).
    Issued(String, String),
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

/// Sends the request to the connection `name` and stores what comes back.
pub(super) fn submit(
    store: &mut Store,
    (spec, generated): (&RequestSpec, Generated),
    location: Location,
    (name, options): (&str, OnlineOptions<'_>),
    (command, now): (&str, i64),
    warnings: &mut Vec<String>,
) -> Result<Answer, EnrollError> {
    let ca = store.ca(name)?;
    let secrets = store.ca_secrets(name)?;
    let key_hash = generated.key.public_key_hash().to_owned();
    let pending = |store: &mut Store, reference: String, warnings: &mut Vec<String>| {
        let held = Held {
            csr_file: None,
            ca: Some((name, &reference)),
        };
        keep_pending(
            store,
            (spec, &generated),
            location,
            held,
            (command, now),
            warnings,
        )
        .map(|(id, friendly)| Answer::Pending {
            id,
            friendly,
            reference: reference.clone(),
            records: Vec::new(),
        })
    };
    let chain = match ca.kind {
        CaKind::Acme if options.dns01 => {
            let started = acme::start_dns01(&ca, Secrets::from(&secrets), &order_names(spec))?;
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
                let answer = pending(store, started.order_url, warnings)?;
                return Ok(match answer {
                    Answer::Pending {
                        id,
                        friendly,
                        reference,
                        ..
                    } => Answer::Pending {
                        id,
                        friendly,
                        reference,
                        records: started.records,
                    },
                    issued => issued,
                });
            }
        }
        CaKind::Acme => {
            let issued = acme::issue(
                &ca,
                Secrets::from(&secrets),
                &order_names(spec),
                &generated.csr_der,
                options.http01,
            )?;
            if let Some(registered) = &issued.registered {
                super::cas::keep_account(store, name, registered)?;
            }
            pem_ders(name, &issued.chain_pem)?
        }
        CaKind::Certsrv => {
            let creds = credentials(&ca, &secrets, options.credentials);
            let disposition =
                certsrv::submit(&ca, creds, &generated.csr_pem, &spec.input.template)?;
            match disposition {
                Disposition::Pending(id) => return pending(store, id, warnings),
                Disposition::Issued(id) => match certsrv::retrieve(&ca, creds, &id)? {
                    Retrieved::Issued(chain) => chain,
                    Retrieved::Pending => return pending(store, id, warnings),
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
                    return pending(store, request.transaction_id(), warnings);
                }
            }
        }
    };
    let chain = parse_chain(name, &chain, &key_hash)?;
    let leaf = &chain[0];
    let described = format!("the {} CA {name}", ca.kind.as_str().to_uppercase());
    let issuer = Issuer {
        name,
        described: &described,
    };
    let friendly = store.transaction(|tx, secret| {
        let friendly = keep_issued(
            tx,
            secret,
            (spec, &generated),
            (leaf, location),
            &issuer,
            (command, now),
            warnings,
        )?;
        insert_chain_cas(tx, location, &chain[1..], now)?;
        Ok::<_, EnrollError>(friendly)
    })?;
    Ok(Answer::Issued(leaf.summary().thumbprint.clone(), friendly))
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
