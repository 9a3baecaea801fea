//! Multi-row INSERTs of seed rows, on either database.
use anyhow::{Context, Result};
use sqlx::{Any, Transaction};

/// Inserts `rows` (each a vector of values) into `table` with multi-row INSERTs.
pub async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    // Both dialects cap bound parameters (SQLite 32766, PostgreSQL 65535). SQLite
    // takes `$N` as a named parameter and looks each one up in a list of the names
    // seen so far, so a statement of 30,000 of them took 1.5 s to prepare (most of
    // the seed's time): plain `?` there.
    let per = 30_000 / columns.len();
    let positional = tx.backend_name() == "SQLite";
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (r, row) in chunk.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..row.len() {
                n += 1;
                let sep = if c == 0 { "" } else { ", " };
                if positional {
                    sql.push_str(sep);
                    sql.push('?');
                } else {
                    sql.push_str(&format!("{sep}${n}"));
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Value::I(i) => q.bind(*i),
                    Value::N(o) => q.bind(*o),
                    Value::S(s) => q.bind(s.clone()),
                    Value::O(s) => q.bind(s.clone()),
                };
            }
        }
        q.execute(&mut **tx).await.with_context(|| format!("insert into {table}"))?;
    }
    Ok(())
}

pub enum Value {
    I(i64),
    N(Option<i64>),
    S(String),
    O(Option<String>),
}
