//! Changing a certificate's friendly name (unique within its location).

use crate::ops::command_line;
use crate::store::certs::write;
use crate::store::log::{self, LogEntry};
use crate::store::{Location, Store, StoreError};

/// Renames the certificate; the name is made unique in the location (returned).
pub fn rename(
    store: &mut Store,
    location: Location,
    thumbprint: &str,
    name: &str,
    now: i64,
) -> Result<String, StoreError> {
    let wanted = name.trim();
    store.transaction(|tx, _| {
        let cert = write::find(tx, location, thumbprint)?;
        let name = write::rename(tx, &cert, wanted)?;
        log::append(
            tx,
            &LogEntry::new(
                now,
                location,
                "rename",
                format!(
                    "{} renamed from \"{}\" to \"{name}\"",
                    cert.summary.thumbprint, cert.friendly_name
                ),
                command(location, &cert.summary.thumbprint, &name),
            ),
        )?;
        Ok(name)
    })
}

/// `certdesk rename THUMBPRINT NAME`.
fn command(location: Location, thumbprint: &str, name: &str) -> String {
    format!(
        "{} rename {thumbprint} {}",
        command_line::base(location),
        command_line::quote(name)
    )
}
