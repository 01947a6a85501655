//! The database under the store, reduced to the calls its SQL needs: run a statement, read
//! rows, read one row. Parameters and columns travel as [`Value`]s, so the store's modules
//! never name an engine's own types; statements number their parameters `?1`, `?2`, … and
//! keep to the SQL that SQLite and PostgreSQL share. [`Sql`] is a handle on the store's
//! connection, in or out of its write transaction: the embedded SQLite file
//! ([`sqlite`]) or a team's PostgreSQL database ([`postgres`]).

pub mod postgres;
mod sqlite;

use std::cell::RefCell;

use super::StoreError;

/// A parameter or a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer (booleans are 0 and 1).
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Blob(v.to_vec())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}

impl From<&Vec<u8>> for Value {
    fn from(v: &Vec<u8>) -> Self {
        Value::Blob(v.clone())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// The parameters of a statement, each converted with [`Value::from`].
macro_rules! values {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::db::Value::from($v)),*][..]
    };
}
pub(crate) use values;

/// How many rows a multi-row statement carries: few statements for many rows, and well
/// under the engines' limits on parameters (SQLite 32,766, PostgreSQL 65,535).
pub const ROWS_PER_STATEMENT: usize = 1_000;

/// How many keys one `IN (…)` lookup carries (one parameter each): an import of 10,000
/// certificates asks what the store holds in one round trip.
pub const KEYS_PER_LOOKUP: usize = 10_000;

/// `?first, ?first+1, …` for `n` parameters: an `IN (…)` list.
pub fn parameter_list(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(?1, …, ?columns), (…)` for `rows` rows: the VALUES of a multi-row INSERT.
pub fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", parameter_list(r * columns + 1, columns)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kind of a column's values, as [`Sql::insert_rows`] sends them (PostgreSQL's binary
/// COPY names each column's type; the schema makes integers `BIGINT`, blobs `BYTEA`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An integer.
    Int,
    /// Text.
    Text,
    /// Bytes.
    Blob,
}

/// `a, b, c`: the names of `columns`, as an INSERT or a COPY lists them.
pub(super) fn column_names(columns: &[(&str, Kind)]) -> String {
    columns
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row read.
#[derive(Debug)]
pub struct Row(pub(super) Vec<Value>);

fn mismatch(i: usize, wanted: &str) -> StoreError {
    StoreError::Corrupt(format!("column {i} is not {wanted}"))
}

impl Row {
    fn at(&self, i: usize) -> &Value {
        self.0.get(i).unwrap_or(&Value::Null)
    }

    /// An integer column.
    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?.ok_or_else(|| mismatch(i, "an integer"))
    }

    /// An integer column that may be NULL.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.at(i) {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            _ => Err(mismatch(i, "an integer")),
        }
    }

    /// A boolean column (an integer, non-zero for true).
    pub fn bool(&self, i: usize) -> Result<bool, StoreError> {
        Ok(self.int(i)? != 0)
    }

    /// A text column.
    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?.ok_or_else(|| mismatch(i, "text"))
    }

    /// A text column, borrowed.
    pub fn str(&self, i: usize) -> Result<&str, StoreError> {
        match self.at(i) {
            Value::Text(v) => Ok(v),
            _ => Err(mismatch(i, "text")),
        }
    }

    /// A text column that may be NULL.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.at(i) {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.clone())),
            _ => Err(mismatch(i, "text")),
        }
    }

    /// Column `i` as it is.
    pub fn value(&self, i: usize) -> Value {
        self.at(i).clone()
    }

    /// A blob column.
    pub fn blob(&self, i: usize) -> Result<&[u8], StoreError> {
        self.opt_blob(i)?.ok_or_else(|| mismatch(i, "bytes"))
    }

    /// A blob column that may be NULL.
    pub fn opt_blob(&self, i: usize) -> Result<Option<&[u8]>, StoreError> {
        match self.at(i) {
            Value::Null => Ok(None),
            Value::Blob(v) => Ok(Some(v)),
            _ => Err(mismatch(i, "bytes")),
        }
    }
}

/// The store's connection, in or out of its write transaction.
#[derive(Clone, Copy)]
pub enum Sql<'a> {
    /// The embedded database.
    Sqlite(&'a rusqlite::Connection),
    /// A team's database server.
    Postgres(&'a RefCell<postgres::Connection>),
}

impl Sql<'_> {
    /// Runs a statement; the number of rows it changed.
    pub fn execute(self, sql: &str, params: &[Value]) -> Result<usize, StoreError> {
        match self {
            Sql::Sqlite(conn) => sqlite::execute(conn, sql, params),
            Sql::Postgres(conn) => conn.borrow_mut().execute(sql, params),
        }
    }

    /// Every row a query returns.
    pub fn query(self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        match self {
            Sql::Sqlite(conn) => sqlite::query(conn, sql, params),
            Sql::Postgres(conn) => conn.borrow_mut().query(sql, params),
        }
    }

    /// Calls `f` with each row a query returns, one at a time: a large result is never
    /// held whole as rows.
    pub fn for_each(
        self,
        sql: &str,
        params: &[Value],
        f: impl FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match self {
            Sql::Sqlite(conn) => sqlite::for_each(conn, sql, params, f),
            Sql::Postgres(conn) => conn.borrow_mut().for_each(sql, params, f),
        }
    }

    /// The first row a query returns, if any.
    pub fn query_one(self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        match self {
            Sql::Sqlite(conn) => sqlite::query_one(conn, sql, params),
            Sql::Postgres(conn) => Ok(conn.borrow_mut().query(sql, params)?.into_iter().next()),
        }
    }

    /// Runs statements that take no parameters (a schema).
    pub fn batch(self, sql: &str) -> Result<(), StoreError> {
        match self {
            Sql::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Sql::Postgres(conn) => conn.borrow_mut().batch(sql),
        }
    }

    /// `n` new row ids for `table` (its `id` column), in increasing order, for rows this
    /// write transaction inserts with [`Sql::insert_rows`]. PostgreSQL takes them from the
    /// column's sequence (other sessions never get them); SQLite's writer is alone in its
    /// transaction and follows the table's largest id, as its own row ids do.
    pub fn new_ids(self, table: &str, n: usize) -> Result<Vec<i64>, StoreError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let count = i64::try_from(n).map_err(|_| StoreError::Corrupt("too many rows".into()))?;
        let mut ids = match self {
            Sql::Sqlite(_) => {
                let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
                let last = self.query_one(&sql, &[])?.map_or(Ok(0), |r| r.int(0))?;
                // An id edited to the largest integer leaves no room: refused, not wrapped.
                let end = last.checked_add(count).ok_or_else(|| {
                    StoreError::Corrupt(format!("{table} has no ids left after {last}"))
                })?;
                (last + 1..=end).collect()
            }
            Sql::Postgres(_) => {
                // The sequence is looked up once (a CTE kept apart), not once per id.
                let sql = format!(
                    "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS seq)
                     SELECT nextval(s.seq) FROM s, generate_series(1, ?1)"
                );
                let mut ids = Vec::with_capacity(n);
                self.for_each(&sql, &[Value::Int(count)], |r| {
                    ids.push(r.int(0)?);
                    Ok(())
                })?;
                ids
            }
        };
        ids.sort_unstable();
        if ids.len() != n {
            return Err(StoreError::Corrupt(format!(
                "the database gave {} new ids for {n} rows",
                ids.len()
            )));
        }
        Ok(ids)
    }

    /// Inserts rows into `table`, each with a value for every one of `columns`: SQLite runs
    /// one prepared statement per row; PostgreSQL takes them as one binary COPY, storing
    /// rows while the rest are still being made and sent (no round trip per batch).
    pub fn insert_rows(
        self,
        table: &str,
        columns: &[(&str, Kind)],
        rows: impl Iterator<Item = Result<Vec<Value>, StoreError>>,
    ) -> Result<(), StoreError> {
        match self {
            Sql::Sqlite(conn) => sqlite::insert_rows(conn, table, columns, rows),
            Sql::Postgres(conn) => conn.borrow_mut().copy_in(table, columns, rows),
        }
    }

    /// After rows were inserted with their ids: the table's next id follows them
    /// (PostgreSQL's identity sequence; SQLite follows by itself).
    pub fn follow_ids(self, table: &str) -> Result<(), StoreError> {
        match self {
            Sql::Sqlite(_) => Ok(()),
            Sql::Postgres(conn) => conn.borrow_mut().batch(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )),
        }
    }

    /// Before a write of many rows: SQLite's page cache may grow to 64 MiB (2 MiB by
    /// default, taken only as used) for the rest of the connection, so a transaction that
    /// writes 100,000 certificates keeps its index pages in memory instead of spilling
    /// them to the WAL and reading them back. A team's server keeps its own cache.
    pub fn expect_many_rows(self) -> Result<(), StoreError> {
        match self {
            Sql::Sqlite(conn) => Ok(conn.pragma_update(None, "cache_size", -(64 << 10))?),
            Sql::Postgres(_) => Ok(()),
        }
    }

    /// Tells the team's other sessions that the store changed (PostgreSQL's NOTIFY, sent
    /// at commit); the embedded database's readers see its commit counter instead.
    pub fn announce(self) -> Result<(), StoreError> {
        match self {
            Sql::Sqlite(_) => Ok(()),
            Sql::Postgres(conn) => conn.borrow_mut().announce(),
        }
    }

    /// Inserts a row; its new id (the statement ends with `RETURNING id`).
    pub fn insert(self, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
        self.query_one(sql, params)?
            .ok_or_else(|| StoreError::Corrupt("an insert returned no id".into()))?
            .int(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// New ids follow the largest; a table whose largest id was edited to the largest
    /// integer gets an error, not ids that wrap around.
    #[test]
    fn new_ids_follow_the_largest_and_never_wrap() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory");
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (41);")
            .expect("table");
        assert_eq!(
            Sql::Sqlite(&conn).new_ids("t", 3).expect("ids"),
            [42, 43, 44]
        );
        conn.execute_batch("INSERT INTO t VALUES (9223372036854775807);")
            .expect("row");
        assert!(matches!(
            Sql::Sqlite(&conn).new_ids("t", 1),
            Err(StoreError::Corrupt(_))
        ));
        assert_eq!(
            Sql::Sqlite(&conn).new_ids("t", 0).expect("none"),
            Vec::<i64>::new()
        );
    }
}
