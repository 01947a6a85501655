//! The store's trust setting: whether the operating system's roots count as Trusted Roots
//! (`certdesk store system-roots on|off`, the View menu's "Trust the system's roots").

use crate::ops::command_line;
use crate::store::log::{self, LogEntry};
use crate::store::{Location, Store, StoreError};

/// Turns the system's roots on or off for this store (every process that opens it next).
pub fn set_system_roots(store: &mut Store, on: bool, now: i64) -> Result<(), StoreError> {
    let state = if on { "on" } else { "off" };
    store.transaction(|tx, _| {
        crate::store::certs::write::set_meta(tx, crate::store::SYSTEM_ROOTS, state)?;
        log::append(
            tx,
            &LogEntry::new(
                now,
                Location::Computer,
                "trust",
                format!(
                    "the operating system's roots are {} Trusted Roots of this store",
                    if on {
                        "counted as"
                    } else {
                        "no longer counted as"
                    }
                ),
                format!("certdesk store system-roots {}", command_line::quote(state)),
            ),
        )?;
        Ok::<_, StoreError>(())
    })?;
    store.set_trusts_system_roots(on);
    Ok(())
}
