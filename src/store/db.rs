//! The database under the store, reduced to the calls its SQL needs: run a statement, read
//! rows, read one row. Parameters and columns travel as [`Value`]s, so the store's modules
//! never name the engine's own types; statements number their parameters `?1`, `?2`, ….
//! [`Sql`] is a handle on the store's connection, in or out of its write transaction.

use rusqlite::types::ValueRef;

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

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Blob(v) => ValueRef::Blob(v),
        }))
    }
}

/// One row read.
#[derive(Debug)]
pub struct Row(Vec<Value>);

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

    /// A text column that may be NULL.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.at(i) {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.clone())),
            _ => Err(mismatch(i, "text")),
        }
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

    fn from_sqlite(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Self> {
        (0..columns)
            .map(|i| {
                Ok(match row.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Text(v.to_string()),
                    ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
                    ValueRef::Blob(v) => Value::Blob(v.to_vec()),
                })
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .map(Row)
    }
}

/// The store's connection, in or out of its write transaction.
#[derive(Clone, Copy)]
pub struct Sql<'a> {
    conn: &'a rusqlite::Connection,
}

impl<'a> Sql<'a> {
    /// A handle on `conn`.
    pub fn new(conn: &'a rusqlite::Connection) -> Self {
        Self { conn }
    }

    /// Runs a statement; the number of rows it changed.
    pub fn execute(self, sql: &str, params: &[Value]) -> Result<usize, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params))?)
    }

    /// Every row a query returns.
    pub fn query(self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Row::from_sqlite(r, columns)
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The first row a query returns, if any.
    pub fn query_one(self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        match rows.next()? {
            Some(row) => Ok(Some(Row::from_sqlite(row, columns)?)),
            None => Ok(None),
        }
    }

    /// Inserts a row; its new id (the statement ends with `RETURNING id`).
    pub fn insert(self, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
        self.query_one(sql, params)?
            .ok_or_else(|| StoreError::Corrupt("an insert returned no id".into()))?
            .int(0)
    }
}
