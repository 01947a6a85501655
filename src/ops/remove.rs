//! Removing a certificate from the store (and its private key when no other certificate
//! uses that key). Removing a pending request's placeholder clears the request.

use crate::ops::command_line;
use crate::store::certs::write;
use crate::store::log::{self, LogEntry};
use crate::store::{Location, Store, StoreError, StoredCert};

/// Removes the certificate with this thumbprint (or unique prefix) from `location`, logs
/// it, and returns what was removed. The certificate is found inside the transaction, so
/// a concurrent change cannot make it remove something else.
pub fn remove(
    store: &mut Store,
    location: Location,
    thumbprint: &str,
    now: i64,
) -> Result<StoredCert, StoreError> {
    store.transaction(|tx, _| {
        let cert = write::find(tx, location, thumbprint)?;
        write::delete_cert(tx, cert.id)?;
        let key_note = if cert.key.is_some() {
            " and its private key (unless another certificate uses it)"
        } else {
            ""
        };
        log::append(
            tx,
            &LogEntry::new(
                now,
                location,
                "remove",
                format!(
                    "removed \"{}\" ({}) from {}{key_note}",
                    cert.summary.issued_to(),
                    cert.summary.thumbprint,
                    cert.logical.title()
                ),
                command(location, &cert.summary.thumbprint),
            ),
        )?;
        Ok(cert)
    })
}

/// `certdesk remove THUMBPRINT`.
fn command(location: Location, thumbprint: &str) -> String {
    format!("{} remove {thumbprint}", command_line::base(location))
}
