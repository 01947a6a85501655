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

fn owned(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(v) => Value::Int(v),
        ValueRef::Real(v) => Value::Text(v.to_string()),
        ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
        ValueRef::Blob(v) => Value::Blob(v.to_vec()),
    }
}

/// Writes `value` over `slot`, keeping the slot's text or bytes buffer when it has one.
fn overwrite(slot: &mut Value, value: ValueRef<'_>) {
    match (slot, value) {
        (Value::Text(text), ValueRef::Text(v)) => {
            text.clear();
            text.push_str(&String::from_utf8_lossy(v));
        }
        (Value::Blob(bytes), ValueRef::Blob(v)) => {
            bytes.clear();
            bytes.extend_from_slice(v);
        }
        (slot, value) => *slot = owned(value),
    }
}

fn row(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Row> {
    (0..columns)
        .map(|i| Ok(owned(row.get_ref(i)?)))
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

/// Calls `f` with each row a query returns, one at a time, in one [`Row`] written over for
/// each (its text and bytes buffers are kept: a long list allocates for its first row).
pub fn for_each(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
    mut f: impl FnMut(&Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut current = Row(vec![Value::Null; columns]);
    while let Some(r) = rows.next()? {
        for (i, slot) in current.0.iter_mut().enumerate() {
            overwrite(slot, r.get_ref(i)?);
        }
        f(&current)?;
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
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        super::column_names(columns),
        super::parameter_list(1, columns.len())
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    for row in rows {
        stmt.execute(rusqlite::params_from_iter(row?))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows read one by one into one written-over row are the rows a query returns,
    /// whatever each column held in the row before (NULL, text, bytes, an integer).
    #[test]
    fn rows_written_over_equal_rows_read_whole() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory");
        conn.execute_batch(
            "CREATE TABLE t (a, b);
             INSERT INTO t VALUES ('long text here', x'0102030405'), (NULL, 'x'),
                 (7, x''), ('é', NULL), (x'ff', 'a somewhat longer text than before');",
        )
        .expect("rows");
        let sql = "SELECT a, b FROM t ORDER BY rowid";
        let whole: Vec<Vec<Value>> = query(&conn, sql, &[])
            .expect("query")
            .into_iter()
            .map(|r| r.0)
            .collect();
        let mut seen = Vec::new();
        for_each(&conn, sql, &[], |r| {
            seen.push(r.0.clone());
            Ok(())
        })
        .expect("for_each");
        assert_eq!(seen, whole);
        assert_eq!(whole.len(), 5);
    }
}
