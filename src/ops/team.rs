//! Team stores' own verbs: `certdesk store passwd` changes the team passphrase, and
//! `certdesk store copy` moves a store between a directory and a team database.

use crate::ops::command_line;
use crate::store::log::{self, LogEntry};
use std::collections::BTreeSet;

use crate::store::copy::Copied;
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

/// The stored certificates as (location, thumbprint, has a key): what a copy must keep.
fn inventory(store: &Store) -> Result<BTreeSet<(Location, String, bool)>, StoreError> {
    Ok(store
        .list(None, None)?
        .into_iter()
        .filter(|c| !c.system)
        .map(|c| (c.location, c.summary.thumbprint, c.key.is_some()))
        .collect())
}

/// Copies `from` into the empty store `to` (keys encrypted again under `to`'s key), then
/// checks that `to` holds the same certificates with the same keys, and logs the copy in
/// `to`.
pub fn copy(from: &Store, to: &mut Store, now: i64) -> Result<Copied, StoreError> {
    let copied = from.copy_into(to)?;
    let (expected, found) = (inventory(from)?, inventory(to)?);
    if expected != found {
        let missing = expected.difference(&found).count();
        return Err(StoreError::Corrupt(format!(
            "the copy in {} differs from its source in {missing} certificates",
            to.dir().display()
        )));
    }
    let source = from.dir().display().to_string();
    let target = to.dir().display().to_string();
    to.transaction(|tx, _| {
        log::append(
            tx,
            &LogEntry::new(
                now,
                Location::Computer,
                "copy",
                format!(
                    "copied from {source}: {} certificates, {} keys, {} requests, {} CA connections, {} assignments, {} log entries",
                    copied.certificates,
                    copied.keys,
                    copied.requests,
                    copied.cas,
                    copied.assignments,
                    copied.log_entries
                ),
                format!(
                    "certdesk store copy --from {} --to {}",
                    command_line::quote(&source),
                    command_line::quote(&target)
                ),
            ),
        )
    })?;
    Ok(copied)
}
