//! The lock that keeps unattended renewal runs from overlapping: a file lock on
//! `renew.lock` in a local store's directory, PostgreSQL's session advisory lock on a team
//! store. It is tried, never waited for: a second run says another is under way and stops.

use std::fs::{File, OpenOptions, TryLockError};

use super::db::{self, values};
use super::{Engine, Store, StoreError};

/// The lock file in a local store's directory.
const LOCK_FILE: &str = "renew.lock";
/// The team store's advisory lock key for renewal runs (its transactions use another).
const TEAM_KEY: i64 = 7_423_110_922;

impl Store {
    /// Runs `f` holding the renewal lock; `None` without running it when another run (in
    /// any process, on any machine of a team store) holds it.
    pub fn with_run_lock<T>(
        &mut self,
        f: impl FnOnce(&mut Store) -> T,
    ) -> Result<Option<T>, StoreError> {
        match &self.conn {
            Engine::Sqlite(_) => {
                let file = OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(self.dir.join(LOCK_FILE))
                    .map_err(|e| lock_error(&e))?;
                match file.try_lock() {
                    Ok(()) => {}
                    Err(TryLockError::WouldBlock) => return Ok(None),
                    Err(TryLockError::Error(e)) => return Err(lock_error(&e)),
                }
                let out = f(self);
                drop::<File>(file);
                Ok(Some(out))
            }
            Engine::Postgres(conn) => {
                let held = db::Sql::Postgres(conn)
                    .query_one("SELECT pg_try_advisory_lock(?1)", values![TEAM_KEY])?
                    .is_some_and(|r| r.int(0).is_ok_and(|v| v != 0));
                if !held {
                    return Ok(None);
                }
                let out = f(self);
                if let Engine::Postgres(conn) = &self.conn {
                    db::Sql::Postgres(conn)
                        .query_one("SELECT pg_advisory_unlock(?1)", values![TEAM_KEY])?;
                }
                Ok(Some(out))
            }
        }
    }
}

fn lock_error(e: &std::io::Error) -> StoreError {
    StoreError::Database(format!(
        "cannot take the renewal lock ({LOCK_FILE} in the store's directory): {e}"
    ))
}
