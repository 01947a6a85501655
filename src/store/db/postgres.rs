//! The team engine: a PostgreSQL database reached with the `postgres` client over rustls
//! (the system's roots; `sslmode` as libpq reads it). Statements are translated from `?N`
//! to `$N` and prepared once per connection; values and rows are converted to and from
//! [`Value`]. Errors become one sentence: a refused permission names what was refused, a
//! lost server says so. Every change is announced on [`CHANNEL`] (NOTIFY at commit), and
//! a window's connection LISTENs to it.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::BytesMut;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::{Row, Value};
use crate::store::StoreError;

/// An open connection, the statements it has prepared, and how to open it again: a
/// connection the server dropped (a restart, a network cut) is opened again at the next
/// statement, unless a transaction was open on it (that transaction is lost, and its
/// caller says so).
pub struct Connection {
    client: postgres::Client,
    prepared: HashMap<String, postgres::Statement>,
    reconnect: Connect,
    in_transaction: bool,
    /// Whether this session has asked to LISTEN on [`CHANNEL`].
    listening: bool,
    /// Counts the announcements heard and the reconnections (which may have missed some).
    heard: i64,
}

/// How a connection is opened (and opened again): the address and the password it was
/// given, held by the closure only.
pub(crate) type Connect = Arc<dyn Fn() -> Result<postgres::Client, StoreError> + Send + Sync>;

/// The channel on which every change to a team store is announced.
const CHANNEL: &str = "certdesk";
/// How long a look for announcements waits for the socket.
const LISTEN_WAIT: std::time::Duration = std::time::Duration::from_millis(5);

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::BOOL => (*v != 0).to_sql(ty, out),
            Value::Int(v) => v.to_sql(ty, out),
            Value::Text(v) => v.as_str().to_sql(ty, out),
            Value::Blob(v) => v.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// `?N` placeholders as PostgreSQL numbers them (`$N`), outside quoted strings.
pub(crate) fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

fn column(row: &postgres::Row, i: usize) -> Result<Value, postgres::Error> {
    let ty = row.columns()[i].type_();
    Ok(if *ty == Type::INT8 {
        row.get::<_, Option<i64>>(i).map_or(Value::Null, Value::Int)
    } else if *ty == Type::INT4 {
        row.get::<_, Option<i32>>(i)
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if *ty == Type::INT2 {
        row.get::<_, Option<i16>>(i)
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if *ty == Type::BOOL {
        row.get::<_, Option<bool>>(i)
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if *ty == Type::BYTEA {
        row.get::<_, Option<Vec<u8>>>(i)
            .map_or(Value::Null, Value::Blob)
    } else {
        row.try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text)
    })
}

/// Calls `f` with each row of `rows`, written over one [`Row`] (its text and bytes buffers
/// kept from row to row).
fn each_row(
    rows: &mut postgres::RowIter<'_>,
    f: &mut impl FnMut(&Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut current = Row(Vec::new());
    while let Some(r) = rows.next().map_err(|e| error(&e))? {
        current.0.resize(r.len(), Value::Null);
        for (i, slot) in current.0.iter_mut().enumerate() {
            overwrite(slot, &r, i).map_err(|e| error(&e))?;
        }
        f(&current)?;
    }
    Ok(())
}

/// Writes column `i` of `row` over `slot`, keeping the slot's text or bytes buffer.
fn overwrite(slot: &mut Value, row: &postgres::Row, i: usize) -> Result<(), postgres::Error> {
    let ty = row.columns()[i].type_();
    match slot {
        Value::Blob(bytes) if *ty == Type::BYTEA => {
            if let Some(v) = row.try_get::<_, Option<&[u8]>>(i)? {
                bytes.clear();
                bytes.extend_from_slice(v);
                return Ok(());
            }
        }
        Value::Text(text) if *ty == Type::TEXT || *ty == Type::VARCHAR => {
            if let Some(v) = row.try_get::<_, Option<&str>>(i)? {
                text.clear();
                text.push_str(v);
                return Ok(());
            }
        }
        _ => {}
    }
    *slot = column(row, i)?;
    Ok(())
}

/// Whether the server ended the session (shut down, restarted, or crashed).
fn dropped(e: &postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|db| db.code().code().starts_with("57P"))
}

/// One sentence for a PostgreSQL error.
pub(crate) fn error(e: &postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        return StoreError::Database(match code {
            "42501" => format!(
                "the database user may not do this ({}); ask the store's owner for the rights",
                db.message()
            ),
            "28P01" | "28000" => format!(
                "the database refused the sign-in ({}); check the user name and the database password",
                db.message()
            ),
            _ => format!("the team database failed: {}", db.message()),
        });
    }
    let cause = std::error::Error::source(e).map(ToString::to_string);
    if cause.as_deref() == Some("password missing") {
        return StoreError::NeedsPassword;
    }
    if e.is_closed() {
        return StoreError::Database(
            "the connection to the team database was lost; certdesk will reconnect".into(),
        );
    }
    StoreError::Database(match cause {
        Some(cause) => format!("the team database cannot be reached: {e} ({cause})"),
        None => format!("the team database cannot be reached: {e}"),
    })
}

impl Connection {
    /// A connection opened by `connect`, which opens it again when the server drops it.
    pub(crate) fn new(connect: Connect) -> Result<Self, StoreError> {
        Ok(Self {
            client: connect()?,
            prepared: HashMap::new(),
            reconnect: connect,
            in_transaction: false,
            listening: false,
            heard: 0,
        })
    }

    /// A second connection to the same database, as this one was opened.
    pub(crate) fn another(&self) -> Result<Self, StoreError> {
        Self::new(Arc::clone(&self.reconnect))
    }

    /// Opens the connection again: its prepared statements and LISTEN are gone, and what
    /// was announced while it was away was not heard, so it counts as a change.
    fn reopen(&mut self) -> Result<(), StoreError> {
        self.client = (self.reconnect)()?;
        self.prepared.clear();
        self.listening = false;
        self.heard += 1;
        Ok(())
    }

    /// Opens the connection again if the server dropped it outside a transaction.
    fn ensure(&mut self) -> Result<(), StoreError> {
        if !self.client.is_closed() {
            return Ok(());
        }
        if self.in_transaction {
            return Err(StoreError::Database(
                "the connection to the team database was lost during a change, which did not happen; try again".into(),
            ));
        }
        self.reopen()
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(stmt) = self.prepared.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(&placeholders(sql))?;
        self.prepared.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }

    /// Runs `f` on the connection; when the server dropped it (a restart, a cut) outside
    /// a transaction, opens it again and runs `f` once more.
    fn run<T>(
        &mut self,
        f: impl Fn(&mut Self) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        self.ensure()?;
        match f(self) {
            Err(e) if !self.in_transaction && (self.client.is_closed() || dropped(&e)) => {
                self.reopen()?;
                f(self).map_err(|e| error(&e))
            }
            other => other.map_err(|e| error(&e)),
        }
    }

    fn params(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
        params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
    }

    /// Runs a statement; the number of rows it changed.
    pub(crate) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<usize, StoreError> {
        let n = self.run(|c| {
            let stmt = c.statement(sql)?;
            c.client.execute(&stmt, &Self::params(params))
        })?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Every row a query returns.
    pub(crate) fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let rows = self.run(|c| {
            let stmt = c.statement(sql)?;
            c.client.query(&stmt, &Self::params(params))
        })?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| column(r, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
                    .map_err(|e| error(&e))
            })
            .collect()
    }

    /// The rows of a query as the server sends them.
    fn rows(
        &mut self,
        sql: &str,
        params: &[Value],
    ) -> Result<postgres::RowIter<'_>, postgres::Error> {
        let stmt = self.statement(sql)?;
        self.client.query_raw(&stmt, Self::params(params))
    }

    /// Calls `f` with each row a query returns, as the server sends them, in one [`Row`]
    /// written over for each: a long list is never held whole, as the server's rows or as
    /// ours. A connection the server dropped is opened again before the first row, as
    /// [`Connection::run`] does.
    pub(crate) fn for_each(
        &mut self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.ensure()?;
        let failed = match self.rows(sql, params) {
            Ok(mut rows) => return each_row(&mut rows, &mut f),
            Err(e) => e,
        };
        if self.in_transaction || !(self.client.is_closed() || dropped(&failed)) {
            return Err(error(&failed));
        }
        self.reopen()?;
        let mut rows = self.rows(sql, params).map_err(|e| error(&e))?;
        each_row(&mut rows, &mut f)
    }

    /// Inserts rows into `table` with one binary COPY: the server stores rows while the
    /// rest are still being made and sent. A row that cannot be made, or that the server
    /// refuses, ends the COPY, and the caller's transaction is rolled back.
    pub(crate) fn copy_in(
        &mut self,
        table: &str,
        columns: &[(&str, super::Kind)],
        rows: impl Iterator<Item = Result<Vec<Value>, StoreError>>,
    ) -> Result<(), StoreError> {
        self.ensure()?;
        let types: Vec<Type> = columns
            .iter()
            .map(|(_, kind)| match kind {
                super::Kind::Int => Type::INT8,
                super::Kind::Text => Type::TEXT,
                super::Kind::Blob => Type::BYTEA,
            })
            .collect();
        let sql = format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary)",
            super::column_names(columns)
        );
        let copy = self.client.copy_in(&sql).map_err(|e| error(&e))?;
        let mut writer = BinaryCopyInWriter::new(copy, &types);
        for row in rows {
            writer.write(&Self::params(&row?)).map_err(|e| error(&e))?;
        }
        writer.finish().map_err(|e| error(&e))?;
        Ok(())
    }

    /// Runs statements that take no parameters (the schema).
    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.run(|c| c.client.batch_execute(sql))
    }

    /// Announces a change to every session that listens (delivered when the transaction
    /// commits, and never if it rolls back).
    pub(crate) fn announce(&mut self) -> Result<(), StoreError> {
        self.batch(&format!("NOTIFY {CHANNEL}"))
    }

    /// A counter that moves when another session announced a change (or when the
    /// connection was opened again): it listens on first use, then reads what the server
    /// has sent, without a round trip. A lost server is an error; the next call
    /// opens the connection again.
    pub(crate) fn changes(&mut self) -> Result<i64, StoreError> {
        self.ensure()?;
        if !self.listening {
            self.batch(&format!("LISTEN {CHANNEL}"))?;
            self.listening = true;
        }
        // A short wait, not a bare poll: the client's reactor reads the socket only while
        // it waits, and this is also how a closed connection is noticed.
        let heard = self
            .client
            .notifications()
            .timeout_iter(LISTEN_WAIT)
            .count();
        self.heard += i64::try_from(heard.map_err(|e| error(&e))?).unwrap_or(i64::MAX);
        if self.client.is_closed() {
            return Err(StoreError::Database(
                "the connection to the team database was lost; certdesk will reconnect".into(),
            ));
        }
        Ok(self.heard)
    }

    /// Begins a write transaction with `sql` (which takes the store's lock).
    pub(crate) fn begin(&mut self, sql: &str) -> Result<(), StoreError> {
        self.in_transaction = false;
        self.batch(sql)?;
        self.in_transaction = true;
        Ok(())
    }

    /// Ends the write transaction: COMMIT, or ROLLBACK when `commit` is false.
    pub(crate) fn end(&mut self, commit: bool) -> Result<(), StoreError> {
        let result = self
            .client
            .batch_execute(if commit { "COMMIT" } else { "ROLLBACK" })
            .map_err(|e| error(&e));
        self.in_transaction = false;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_numbered_outside_strings() {
        assert_eq!(
            placeholders("SELECT 1 WHERE a = ?1 AND b < ?2 || 'G?3' AND c = ?10"),
            "SELECT 1 WHERE a = $1 AND b < $2 || 'G?3' AND c = $10"
        );
    }
}
