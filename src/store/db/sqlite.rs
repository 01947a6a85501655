//! The embedded engine: statements prepared once per connection (rusqlite's cache), values
//! and rows converted to and from [`Value`].

use rusqlite::types::ValueRef;

use super::{Row, Value};
use crate::store::StoreError;

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

fn row(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Row> {
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

/// Runs a statement; the number of rows it changed.
pub fn execute(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    Ok(stmt.execute(rusqlite::params_from_iter(params))?)
}

/// Every row a query returns.
pub fn query(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
) -> Result<Vec<Row>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns = stmt.column_count();
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| row(r, columns))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Calls `f` with each row a query returns, one at a time.
pub fn for_each(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
    mut f: impl FnMut(Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    while let Some(r) = rows.next()? {
        f(row(r, columns)?)?;
    }
    Ok(())
}

/// The first row a query returns, if any.
pub fn query_one(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
) -> Result<Option<Row>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    match rows.next()? {
        Some(r) => Ok(Some(row(r, columns)?)),
        None => Ok(None),
    }
}

/// Inserts rows into `table` with one prepared statement, run once per row.
pub fn insert_rows(
    conn: &rusqlite::Connection,
    table: &str,
    columns: &[(&str, super::Kind)],
    rows: impl Iterator<Item = Result<Vec<Value>, StoreError>>,
) -> Result<(), StoreError> {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names.join(", "),
        super::parameter_list(1, names.len())
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    for row in rows {
        stmt.execute(rusqlite::params_from_iter(row?))?;
    }
    Ok(())
}
