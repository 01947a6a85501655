//! A store's own verbs: `certdesk store passwd` sets, changes or removes the store's
//! passphrase, and `certdesk store copy` moves a store between a directory and a team
//! database.

use crate::ops::command_line;
use crate::store::log::{self, LogEntry};
use std::collections::BTreeSet;

use crate::store::copy::Copied;
use crate::store::{Location, Store, StoreError};

/// The shortest passphrase accepted.
pub const MIN_PASSPHRASE: usize = 8;

/// Sets, changes or (`None`, a local store only) removes the passphrase of an unlocked
/// store: the store key is wrapped again (a team store's keyring, a local store's key
/// file); no private key is sealed again.
pub fn change_passphrase(store: &mut Store, new: Option<&str>, now: i64) -> Result<(), StoreError> {
    if new.is_some_and(|p| p.chars().count() < MIN_PASSPHRASE) {
        return Err(StoreError::ShortPassphrase(MIN_PASSPHRASE));
    }
    let (details, command) = match new {
        Some(_) => (
            "the store's passphrase was set",
            format!(
                "certdesk store passwd --new-password-file {}",
                command_line::quote("<file>")
            ),
        ),
        None => (
            "the store's passphrase was removed",
            "certdesk store passwd --remove".to_owned(),
        ),
    };
    let entry = LogEntry::new(now, Location::Computer, "passwd", details.into(), command);
    if store.is_team() {
        let passphrase = new.ok_or(StoreError::TeamNeedsPassphrase)?;
        return store.transaction(|tx, secret| {
            Store::rewrap(tx, secret, passphrase)?;
            log::append(tx, &entry)
        });
    }
    let dir = store.dir().to_path_buf();
    store.transaction(|tx, secret| {
        log::append(tx, &entry)?;
        // Last, so that a refused write leaves the log without the entry.
        Store::write_key_file(&dir, secret, new)
    })?;
    // What the keyring kept is the old passphrase.
    super::keyring::forget(&dir);
    Ok(())
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
