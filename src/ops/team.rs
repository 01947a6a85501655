//! Team stores' own verbs: `certdesk store passwd` changes the team passphrase.

use crate::ops::command_line;
use crate::store::log::{self, LogEntry};
use crate::store::{Location, Store, StoreError};

/// Changes the team passphrase of an unlocked team store: the store key is wrapped again;
/// no private key is encrypted again.
pub fn change_passphrase(store: &mut Store, new: &str, now: i64) -> Result<(), StoreError> {
    if !store.is_team() {
        return Err(StoreError::NotTeam(store.dir().to_path_buf()));
    }
    store.transaction(|tx, secret| {
        Store::rewrap(tx, secret, new)?;
        log::append(
            tx,
            &LogEntry::new(
                now,
                Location::Computer,
                "passwd",
                "the team passphrase was changed".into(),
                format!(
                    "certdesk store passwd --new-password-file {}",
                    command_line::quote("<file>")
                ),
            ),
        )
    })
}
