//! The audit trail: every state change writes who did what to which record,
//! with the fields it changed. Callers mask personal data before it gets here.

use super::db::Statement;
use serde_json::Value;

/// One entry, written inside the same transaction as the change it records.
#[allow(clippy::too_many_arguments)]
pub async fn record<'c, E>(
    exec: E,
    now_ms: i64,
    actor: &str,
    action: &str,
    record_kind: &str,
    record_id: &str,
    changes: Value,
    ip: Option<&str>,
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    entry(now_ms, actor, action, record_kind, record_id, changes, ip).execute(exec).await?;
    Ok(())
}

/// The same entry as a statement, to write with others in one script.
pub fn entry(now_ms: i64, actor: &str, action: &str, record_kind: &str, record_id: &str, changes: Value, ip: Option<&str>) -> Statement {
    Statement::new("INSERT INTO audit_log (id, at, actor, action, record_kind, record_id, changes, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(super::db::new_id())
        .bind(now_ms)
        .bind(actor)
        .bind(action)
        .bind(record_kind)
        .bind(record_id)
        .bind(changes.to_string())
        .bind(ip)
}

/// A record as the audit trail shows it before or after a change: every
/// column of the row of `table` whose `key` is `id`, with secrets left out
/// (hashes, sealed values, MACs, keys, passwords, photos) and mobiles
/// masked; `null` when there is no such row (before a create, after a
/// delete). `table` and `key` are the caller's constants, never input.
pub async fn snapshot(conn: &mut sqlx::AnyConnection, table: &'static str, key: &'static str, id: &str) -> Result<Value, sqlx::Error> {
    use sqlx::{Column, Row};
    let row = sqlx::query(&format!("SELECT * FROM {table} WHERE {key} = $1")).bind(id).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(Value::Null) };
    let mut out = serde_json::Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let name = col.name();
        let secret = ["_hash", "_sealed", "_mac", "_key"].iter().any(|s| name.ends_with(s))
            || name.contains("password")
            || matches!(name, "sealed" | "data" | "key");
        if secret {
            continue;
        }
        let value = if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            v.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
            match v {
                Some(s) if name == "phone" || name.ends_with("_phone") => {
                    Value::from(crate::domain::Phone::parse(&s).map(|p| p.masked()).unwrap_or_else(|_| if s.is_empty() { s } else { "***".into() }))
                }
                Some(s) => Value::from(s),
                None => Value::Null,
            }
        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
            v.map(Value::from).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        out.insert(name.to_owned(), value);
    }
    Ok(Value::Object(out))
}

/// `changes` with the record's state before (taken by [`snapshot`] before
/// the change) and after (taken now) beside what the caller recorded.
pub async fn with_before_after(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    key: &'static str,
    id: &str,
    before: Value,
    changes: Value,
) -> Result<Value, sqlx::Error> {
    let after = snapshot(conn, table, key, id).await?;
    let mut changes = match changes {
        Value::Object(m) => m,
        other => {
            let mut m = serde_json::Map::new();
            m.insert("changes".into(), other);
            m
        }
    };
    changes.insert("before".into(), before);
    changes.insert("after".into(), after);
    Ok(Value::Object(changes))
}
