//! Removing a certificate from the store (and its private key when no other certificate
//! uses that key). Removing a pending request's placeholder clears the request.

use super::command_line;
use super::store::certs::write;
use super::store::log::{self, LogEntry};
use super::store::{Location, Store, StoreError, StoredCert};

/// Removes the certificate with this thumbprint (or unique prefix) from `location`, logs
/// it, and returns what was removed.
pub fn remove(
    store: &mut Store,
    location: Location,
    thumbprint: &str,
    now: i64,
) -> Result<StoredCert, StoreError> {
    let cert = store.find(location, thumbprint)?;
    store.transaction(|tx, _| {
        // A placeholder in Enrollment Requests: the pending request goes with it.
        tx.execute("DELETE FROM requests WHERE cert_id = ?1", [cert.id])?;
        write::delete_cert(tx, cert.id)?;
        let key_note = if cert.key.is_some() {
            " and its private key (unless another certificate uses it)"
        } else {
            ""
        };
        log::append(
            tx,
            &LogEntry {
                id: 0,
                time: now,
                location: location.as_str().to_owned(),
                operation: "remove".to_owned(),
                outcome: "ok".to_owned(),
                details: format!(
                    "removed \"{}\" ({}) from {}{key_note}",
                    cert.summary.issued_to(),
                    cert.summary.thumbprint,
                    cert.logical.title()
                ),
                command: command_line::remove(location, &cert.summary.thumbprint),
            },
        )?;
        Ok::<_, StoreError>(())
    })?;
    Ok(cert)
}
