//! Changing a certificate's friendly name (unique within its location). A name with a
//! control character (a line break, an escape sequence) or of more than 256 characters is
//! refused, here, so the window and the command line refuse it alike.

use crate::ops::command_line;
use crate::store::certs::write;
use crate::store::log::{self, LogEntry};
use crate::store::{Location, Store, StoreError};
use crate::text::{self, NameError};

/// Why a certificate cannot be renamed.
#[derive(Debug, thiserror::Error)]
pub enum RenameError {
    /// The name cannot be a friendly name.
    #[error(transparent)]
    Name(#[from] NameError),
    /// The store failed, or the certificate is not there.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Renames the certificate; the name is made unique in the location (returned).
pub fn rename(
    store: &mut Store,
    location: Location,
    thumbprint: &str,
    name: &str,
    now: i64,
) -> Result<String, RenameError> {
    let wanted = name.trim();
    text::check_name(wanted)?;
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
