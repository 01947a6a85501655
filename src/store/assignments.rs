//! Usage assignments as stored rows: the current certificate of each usage, a staged
//! successor with its effective date, and the previous one after a roll.

use super::db::{Sql, values};
use super::{Store, StoreError};
use crate::deploy::usage::UsageType;

/// One usage's binding, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The usage.
    pub usage: UsageType,
    /// The certificate in force.
    pub thumbprint: String,
    /// When it was bound, Unix seconds.
    pub assigned: i64,
    /// A staged successor (A/V and OAuth rolling).
    pub staged_thumbprint: Option<String>,
    /// When the staged certificate takes over, Unix seconds.
    pub effective_date: Option<i64>,
    /// The certificate that was in force before the last roll.
    pub previous_thumbprint: Option<String>,
}

impl Assignment {
    /// The binding as it stands at `now`: a staged certificate whose effective date has
    /// come is current, and the one it replaced is previous.
    pub fn at(&self, now: i64) -> Assignment {
        match (&self.staged_thumbprint, self.effective_date) {
            (Some(staged), Some(when)) if now >= when => Assignment {
                usage: self.usage,
                thumbprint: staged.clone(),
                assigned: when,
                staged_thumbprint: None,
                effective_date: None,
                previous_thumbprint: Some(self.thumbprint.clone()),
            },
            _ => self.clone(),
        }
    }
}

impl Store {
    /// Every assignment, as stored (call [`Assignment::at`] for the state at a time).
    pub fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        all(self.sql())
    }
}

fn all(sql: Sql<'_>) -> Result<Vec<Assignment>, StoreError> {
    let rows = sql.query(
        "SELECT usage, thumbprint, assigned, staged_thumbprint, effective_date, previous_thumbprint FROM assignments",
        &[],
    )?;
    let mut out = Vec::new();
    for r in rows {
        if let Ok(usage) = UsageType::parse(&r.text(0)?) {
            out.push(Assignment {
                usage,
                thumbprint: r.text(1)?,
                assigned: r.int(2)?,
                staged_thumbprint: r.opt_text(3)?,
                effective_date: r.opt_int(4)?,
                previous_thumbprint: r.opt_text(5)?,
            });
        }
    }
    out.sort_by_key(|a| a.usage);
    Ok(out)
}

/// Row-level writes.
pub(crate) mod write {
    use super::*;

    /// Stores an assignment, replacing the usage's row.
    pub fn put(tx: Sql<'_>, a: &Assignment) -> Result<(), StoreError> {
        tx.execute(
            "INSERT INTO assignments (usage, thumbprint, assigned, staged_thumbprint, effective_date, previous_thumbprint)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (usage) DO UPDATE SET thumbprint = excluded.thumbprint,
               assigned = excluded.assigned, staged_thumbprint = excluded.staged_thumbprint,
               effective_date = excluded.effective_date,
               previous_thumbprint = excluded.previous_thumbprint",
            values![
                a.usage.as_str(),
                &a.thumbprint,
                a.assigned,
                a.staged_thumbprint.as_deref(),
                a.effective_date,
                a.previous_thumbprint.as_deref()
            ],
        )?;
        Ok(())
    }

    /// Every assignment, read inside the caller's transaction.
    pub fn all(tx: Sql<'_>) -> Result<Vec<Assignment>, StoreError> {
        super::all(tx)
    }

    /// Deletes a usage's assignment.
    pub fn delete(tx: Sql<'_>, usage: UsageType) -> Result<(), StoreError> {
        tx.execute(
            "DELETE FROM assignments WHERE usage = ?1",
            values![usage.as_str()],
        )?;
        Ok(())
    }
}
