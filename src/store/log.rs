//! The activity log: one entry per successful operation, with the equivalent command line
//! (which never contains a password).

use super::db::{Row, Sql, values};
use super::{Store, StoreError};

/// One logged operation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogEntry {
    /// Row id (increasing).
    pub id: i64,
    /// When, Unix seconds.
    pub time: i64,
    /// The location the operation worked on.
    pub location: String,
    /// The verb, e.g. `import`.
    pub operation: String,
    /// `ok`, or `warning` when it succeeded with warnings.
    pub outcome: String,
    /// What it did, in a sentence or a few lines.
    pub details: String,
    /// The equivalent `certdesk ...` command.
    pub command: String,
    /// The database user who did it (team stores; the database records it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl LogEntry {
    /// A successful operation's entry, to be appended in the operation's transaction.
    pub fn new(
        now: i64,
        location: super::Location,
        operation: &str,
        details: String,
        command: String,
    ) -> Self {
        Self {
            id: 0,
            time: now,
            location: location.as_str().to_owned(),
            operation: operation.to_owned(),
            outcome: "ok".to_owned(),
            details,
            command,
            user: None,
        }
    }

    /// The same entry, marked as having succeeded with warnings when `warned`.
    pub fn warned(mut self, warned: bool) -> Self {
        if warned {
            "warning".clone_into(&mut self.outcome);
        }
        self
    }
}

impl Store {
    /// The last `n` log entries (all when `None`), oldest first.
    pub fn log_entries(&self, n: Option<usize>) -> Result<Vec<LogEntry>, StoreError> {
        let limit = n.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
        self.sql()
            .query(
                "SELECT id, time, location, operation, outcome, details, command, db_user FROM
                   (SELECT * FROM log ORDER BY id DESC LIMIT ?1) AS newest ORDER BY id",
                values![limit],
            )?
            .iter()
            .map(entry)
            .collect()
    }
}

fn entry(r: &Row) -> Result<LogEntry, StoreError> {
    Ok(LogEntry {
        id: r.int(0)?,
        time: r.int(1)?,
        location: r.text(2)?,
        operation: r.text(3)?,
        outcome: r.text(4)?,
        details: r.text(5)?,
        command: r.text(6)?,
        user: r.opt_text(7)?,
    })
}

/// Appends a log entry inside the operation's transaction.
pub(crate) fn append(tx: Sql<'_>, entry: &LogEntry) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO log (time, location, operation, outcome, details, command) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        values![
            entry.time,
            &entry.location,
            &entry.operation,
            &entry.outcome,
            &entry.details,
            &entry.command
        ],
    )?;
    // Every change writes its log entry: the entry is what the team's windows hear of.
    tx.announce()
}

/// The newest entry's id (0 when the log is empty), read when a transaction begins if its
/// entries are to name `user`.
pub(crate) fn last_id(tx: Sql<'_>, user: Option<&str>) -> Result<i64, StoreError> {
    if user.is_none() {
        return Ok(0);
    }
    tx.query_one("SELECT COALESCE(MAX(id), 0) FROM log", &[])?
        .map_or(Ok(0), |r| r.int(0))
}

/// Names `user` in the entries written after `since` (none when `user` is `None`); a team
/// database keeps its own user beside it.
pub(crate) fn name_user(tx: Sql<'_>, since: i64, user: Option<&str>) -> Result<(), StoreError> {
    if let Some(user) = user {
        tx.execute(
            "UPDATE log SET db_user = CASE WHEN db_user IS NULL THEN ?2
               ELSE ?2 || ' (' || db_user || ')' END WHERE id > ?1",
            values![since, user],
        )?;
    }
    Ok(())
}
