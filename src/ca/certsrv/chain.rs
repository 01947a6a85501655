//! The CA's own certificates as Web Enrollment serves them: `certcarc.asp` says how many
//! times the CA certificate was renewed (`nRenewals`), and
//! `certnew.p7b?ReqID=CACert&Renewal=N&Enc=b64` is the chain of the current CA certificate,
//! up to the enterprise root, as base64 PKCS#7.

use super::{Credentials, OnlineError, Session, base64_body, number_after};
use crate::pki::formats::pkcs7;
use crate::store::CaConnection;

/// The most certificates kept from the CA's chain.
const MAX_CHAIN: usize = 16;

/// The CA's chain (DER, as the CA orders it; at most 16 certificates).
pub fn ca_chain(
    ca: &CaConnection,
    credentials: Credentials<'_>,
) -> Result<Vec<Vec<u8>>, OnlineError> {
    ca_certificates(&Session::new(ca, credentials)?)
}

/// The CA's chain through a session signed in already.
pub(super) fn ca_certificates(session: &Session<'_>) -> Result<Vec<Vec<u8>>, OnlineError> {
    let archive = session.get("certcarc.asp")?.text();
    let renewal = number_after(&archive, "nRenewals=").unwrap_or_else(|| "0".into());
    let p7b = session.get(&format!(
        "certnew.p7b?ReqID=CACert&Renewal={renewal}&Enc=b64"
    ))?;
    let der = base64_body(&p7b.text())
        .ok_or_else(|| session.protocol("its CA chain (certnew.p7b) is not base64".into()))?;
    let mut cas = pkcs7::certificates(&der)
        .map_err(|e| session.protocol(format!("its CA chain (certnew.p7b) cannot be read: {e}")))?;
    cas.truncate(MAX_CHAIN);
    Ok(cas)
}
