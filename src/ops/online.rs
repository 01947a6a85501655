//! Immediate requests to an online CA connection of the store (ACME): the order is made
//! outside any transaction (it waits on the network), then the issued chain is stored
//! with the request's key in one transaction; on any failure the store holds no new
//! certificate and no orphan key.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::enroll::{EnrollError, insert_with_key, usages_text};
use crate::ca::acme::{self, AcmeError, Http01, Secrets};
use crate::deploy::request::{Generated, RequestSpec};
use crate::pki::cert::Certificate;
use crate::store::certs::write::{self as cert_write, NewCert};
use crate::store::log::{self, LogEntry};
use crate::store::{Location, Logical, Store};

/// Orders the certificate for the request's names from `ca` and stores it in Personal with
/// the request's key, and the CA certificates of its chain in Intermediate CAs (a root in
/// the chain is not trusted for it): (thumbprint, friendly name).
pub(super) fn submit(
    store: &mut Store,
    (spec, generated): (&RequestSpec, Generated),
    location: Location,
    (name, http01): (&str, Http01<'_>),
    (command, now): (&str, i64),
) -> Result<(String, String), EnrollError> {
    let ca = store.ca(name)?;
    let secrets = store.ca_secrets(name)?;
    let mut names = vec![spec.names.subject.clone()];
    for san in spec.names.sans() {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&san)) {
            names.push(san);
        }
    }
    let issued = acme::issue(
        &ca,
        Secrets::from(&secrets),
        &names,
        &generated.csr_der,
        http01,
    )?;
    if let Some(registered) = &issued.registered {
        super::cas::keep_account(store, name, registered)?;
    }
    let refused = |message: String| {
        EnrollError::Acme(AcmeError::Refused {
            ca: name.to_owned(),
            message,
        })
    };
    let chain: Vec<Certificate> = CertificateDer::pem_slice_iter(issued.chain_pem.as_bytes())
        .take(16)
        .map(|der| {
            let der = der.map_err(|e| refused(format!("its chain cannot be read: {e}")))?;
            Certificate::from_der(&der)
                .map_err(|e| refused(format!("its chain cannot be read: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let leaf = chain
        .first()
        .ok_or_else(|| refused("it returned no certificate".into()))?;
    if leaf.summary().public_key_hash != generated.key.public_key_hash() {
        return Err(refused(
            "it returned a certificate for another key than the request's".into(),
        ));
    }
    let mut warnings = Vec::new();
    let friendly = store.transaction(|tx, secret| {
        let (_, _, friendly) = insert_with_key(
            tx,
            secret,
            (spec, &generated),
            leaf,
            (location, Logical::Personal),
            &mut warnings,
            now,
        )?;
        for ca_cert in chain.iter().skip(1) {
            let summary = ca_cert.summary();
            if summary.self_signed
                || cert_write::existing(tx, location, &summary.thumbprint)?.is_some()
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
        }
        let details = format!(
            "{} ({}) issued by the ACME CA {name} with thumbprint {}; {} key generated in {} ms",
            spec.names.subject,
            usages_text(spec),
            leaf.summary().thumbprint,
            spec.input.key.label(),
            generated.took.as_millis()
        );
        log::append(
            tx,
            &LogEntry::new(now, location, "request", details, command.to_owned()),
        )?;
        Ok::<_, EnrollError>(friendly)
    })?;
    Ok((leaf.summary().thumbprint.clone(), friendly))
}
