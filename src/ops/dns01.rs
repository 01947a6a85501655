//! ACME orders answered by DNS-01: the records are shown when the request is sent, the
//! request waits in Enrollment Requests with its order's URL, and it is finished here
//! (from `requests --poll`, `request --wait` or the GUI's *Continue*) once the
//! administrator has created them.

use super::enroll::EnrollError;
use crate::ca::acme::{self, AcmeError, Secrets};
use crate::store::requests::PendingRequest;
use crate::store::{CaConnection, Store};

/// Has the CA validate the records of `request`'s order and issue: the chain (leaf first,
/// DER). A validation that fails is the CA's refusal, with its reason.
pub(super) fn resume(
    store: &Store,
    request: &PendingRequest,
    ca: &CaConnection,
) -> Result<Option<Vec<Vec<u8>>>, EnrollError> {
    let secrets = store.ca_secrets(&ca.name)?;
    let refused = |message: String| {
        EnrollError::Acme(AcmeError::Refused {
            ca: ca.name.clone(),
            message,
        })
    };
    let csr_der = crate::pki::formats::pem::parse(request.csr_pem.as_bytes())
        .ok()
        .and_then(|blocks| blocks.into_iter().next())
        .map(|block| block.der)
        .ok_or_else(|| refused("the stored request cannot be read".into()))?;
    let order_url = request.ca_reference.as_deref().unwrap_or_default();
    let pem = acme::finish_dns01(ca, Secrets::from(&secrets), order_url, &csr_der)?;
    super::online::pem_ders(&ca.name, &pem).map(Some)
}
