//! Retrieving what an online CA has since done with the requests it held for approval
//! (`certdesk requests --poll`, the GUI's *Retrieve*): AD CS by its request ID, SCEP by
//! GetCertInitial with the request's own key. An issued certificate joins its pending key
//! in Personal with the CA's chain, in one transaction; a request still pending stays;
//! a denial or an unreachable CA is reported per request and changes nothing.

use super::enroll::{EnrollError, RequestStatus};
use super::online::{credentials, insert_chain_cas, parse_chain};
use crate::ca::OnlineError;
use crate::ca::certsrv::{self, Retrieved};
use crate::ca::scep::{self, Enrolled, ScepRequest};
use crate::ops::command_line;
use crate::store::certs::write::{self as cert_write, NewCert};
use crate::store::log::{self, LogEntry};
use crate::store::requests::{self, PendingRequest};
use crate::store::{CaKind, Location, Logical, Store, StoreError};

/// What asking the CA about one pending request gave.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Polled {
    /// The pending request's id.
    pub request_id: i64,
    /// The CA connection that holds it.
    pub ca: String,
    /// Issued, pending, denied or failed.
    pub status: RequestStatus,
    /// The issued certificate, now in Personal.
    pub thumbprint: Option<String>,
    /// The friendly name.
    pub friendly_name: String,
    /// The CA's words (denied) or what went wrong (failed), one sentence.
    pub message: Option<String>,
}

/// Asks each online CA about the pending requests of `location` it holds (only request
/// `only`, when given) and stores what has been issued.
pub fn poll(
    store: &mut Store,
    location: Location,
    only: Option<i64>,
    now: i64,
) -> Result<Vec<Polled>, EnrollError> {
    let pending: Vec<PendingRequest> = store
        .pending_requests(location)?
        .into_iter()
        .filter(|r| only.is_none_or(|id| r.id == id))
        .collect();
    if let Some(id) = only {
        match pending.first() {
            None => return Err(EnrollError::NoSuchRequest(id)),
            Some(r) if r.ca.is_none() => return Err(EnrollError::NotOnline(id)),
            Some(_) => {}
        }
    }
    let mut out = Vec::new();
    for request in pending {
        let Some(ca) = request.ca.clone() else {
            continue;
        };
        let mut polled = Polled {
            request_id: request.id,
            ca: ca.clone(),
            status: RequestStatus::Pending,
            thumbprint: None,
            friendly_name: request.friendly_name.clone(),
            message: None,
        };
        match ask(store, &request, &ca) {
            Ok(Some(chain)) => {
                let thumbprint = complete(store, location, &request, (&ca, &chain), now)?;
                polled.status = RequestStatus::Issued;
                polled.thumbprint = thumbprint;
            }
            Ok(None) => {}
            Err(EnrollError::Store(e)) => return Err(EnrollError::Store(e)),
            Err(EnrollError::Online(e @ OnlineError::Denied { .. })) => {
                polled.status = RequestStatus::Denied;
                polled.message = Some(e.to_string());
            }
            Err(e) => {
                polled.status = RequestStatus::Failed;
                polled.message = Some(e.to_string());
            }
        }
        out.push(polled);
    }
    Ok(out)
}

/// The issued chain (leaf first, DER), or None while the CA still holds the request.
fn ask(
    store: &Store,
    request: &PendingRequest,
    name: &str,
) -> Result<Option<Vec<Vec<u8>>>, EnrollError> {
    let ca = match store.ca(name) {
        Ok(ca) => ca,
        Err(StoreError::NoSuchCa(_)) => return Err(EnrollError::CaGone(name.to_owned())),
        Err(e) => return Err(e.into()),
    };
    let reference = request.ca_reference.clone().unwrap_or_default();
    match ca.kind {
        CaKind::Certsrv => {
            let secrets = store.ca_secrets(name)?;
            match certsrv::retrieve(&ca, credentials(&ca, &secrets, None), &reference)? {
                Retrieved::Issued(chain) => Ok(Some(chain)),
                Retrieved::Pending => Ok(None),
            }
        }
        CaKind::Scep => {
            let key = store.private_key(request.key_id)?;
            let placeholder = match request.cert_id {
                Some(id) => store.der(id)?,
                None => return Err(EnrollError::CaGone(name.to_owned())),
            };
            let scep_request = ScepRequest {
                csr_der: &[],
                signer_der: &placeholder,
                key: &key,
            };
            match scep::poll(&ca, &scep_request)? {
                Enrolled::Issued(chain) => Ok(Some(chain)),
                Enrolled::Pending => Ok(None),
            }
        }
        CaKind::Acme => super::dns01::resume(store, request, &ca),
    }
}

/// Stores an issued chain with the pending request's key and retires the request:
/// the thumbprint, or None when another process already did.
fn complete(
    store: &mut Store,
    location: Location,
    request: &PendingRequest,
    (ca, chain): (&str, &[Vec<u8>]),
    now: i64,
) -> Result<Option<String>, EnrollError> {
    let key_hash = store
        .private_key(request.key_id)?
        .public_key_hash()
        .to_owned();
    let chain = parse_chain(ca, chain, &key_hash)?;
    let leaf = &chain[0];
    store.transaction(|tx, _| {
        let Some(current) = requests::write::by_id(tx, location, request.id)? else {
            return Ok(None);
        };
        requests::write::delete(tx, &current)?;
        let thumbprint = leaf.summary().thumbprint.clone();
        if cert_write::existing(tx, location, &thumbprint)?.is_none() {
            let (name, _) = cert_write::unique_friendly_name(
                tx,
                &mut cert_write::NameCache::default(),
                location,
                &current.friendly_name,
            )?;
            let cert_id = cert_write::insert_cert(
                tx,
                &NewCert {
                    location,
                    logical: Logical::Personal,
                    cert: leaf,
                    friendly_name: &name,
                    key_id: Some(current.key_id),
                    now,
                },
            )?;
            cert_write::set_issuing_ca(tx, cert_id, ca)?;
        }
        insert_chain_cas(tx, location, &chain[1..], now)?;
        log::append(
            tx,
            &LogEntry::new(
                now,
                location,
                "retrieve",
                format!(
                    "request {} for {} issued by the CA {ca} with thumbprint {thumbprint}",
                    current.id, current.subject
                ),
                format!(
                    "{} requests --poll {}",
                    command_line::base(location),
                    current.id
                ),
            ),
        )?;
        Ok::<_, EnrollError>(Some(thumbprint))
    })
}
