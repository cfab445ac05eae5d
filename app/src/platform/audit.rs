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
