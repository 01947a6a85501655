//! Changing a certificate's friendly name (unique within its location).

use super::command_line;
use super::store::certs::write;
use super::store::log::{self, LogEntry};
use super::store::{Location, Store, StoreError};

/// Renames the certificate; the name is made unique in the location (returned).
pub fn rename(
    store: &mut Store,
    location: Location,
    thumbprint: &str,
    name: &str,
    now: i64,
) -> Result<String, StoreError> {
    let cert = store.find(location, thumbprint)?;
    let wanted = name.trim();
    store.transaction(|tx, _| {
        tx.execute(
            "UPDATE certificates SET friendly_name = '' WHERE id = ?1",
            [cert.id],
        )?;
        let (name, _) = write::unique_friendly_name(tx, location, wanted)?;
        tx.execute(
            "UPDATE certificates SET friendly_name = ?2 WHERE id = ?1",
            rusqlite::params![cert.id, name],
        )?;
        log::append(
            tx,
            &LogEntry {
                id: 0,
                time: now,
                location: location.as_str().to_owned(),
                operation: "rename".to_owned(),
                outcome: "ok".to_owned(),
                details: format!(
                    "{} renamed from \"{}\" to \"{name}\"",
                    cert.summary.thumbprint, cert.friendly_name
                ),
                command: command_line::rename(location, &cert.summary.thumbprint, &name),
            },
        )?;
        Ok(name)
    })
}
