//! Staff import from CSV: every row checked first, then all written in one
//! transaction, or none.

use super::*;
use crate::error::RowError;
use crate::platform::{
    audit,
    context::{AppState, Principal},
    db::new_id,
    password,
};
use serde_json::json;

/// Checks every row first; writes all rows in one transaction, or none.
pub async fn import_staff(st: &AppState, me: &Principal, bytes: &[u8], dry_run: bool) -> Result<ImportOutcome, AppError> {
    let text = crate::domain::staff_import::decode(bytes)
        .map_err(|msg| AppError::InvalidRows { rows: vec![RowError { row: 0, field: String::new(), msg }] })?;
    let depts: Vec<(String, String, String)> = sqlx::query_as("SELECT id, code, name FROM departments").fetch_all(&st.db.read).await?;
    let lookup = |key: &str| depts.iter().find(|(_, code, name)| code.eq_ignore_ascii_case(key) || name == key).map(|(id, _, _)| id.clone());
    let rows = crate::domain::staff_import::parse(&text, lookup).map_err(|rows| AppError::InvalidRows { rows })?;
    let existing: Vec<(String, String)> = sqlx::query_as("SELECT staff_no, id FROM staff").fetch_all(&st.db.read).await?;
    let existing: std::collections::HashMap<String, String> = existing.into_iter().collect();
    let mut outcome = ImportOutcome { dry_run, ..Default::default() };
    for r in &rows {
        if existing.contains_key(r.staff_no.as_str()) {
            outcome.updated += 1;
        } else {
            outcome.created += 1;
        }
    }
    if dry_run {
        return Ok(outcome);
    }
    // Hash the new accounts' passwords before taking the write lock.
    let mut new_passwords = std::collections::HashMap::new();
    for r in rows.iter().filter(|r| !existing.contains_key(r.staff_no.as_str())) {
        let p = password::initial_password();
        let h = password::hash(p.clone()).await;
        new_passwords.insert(r.staff_no.as_str().to_owned(), (p, h));
    }
    let now = st.clock.now_ms();
    let actor = me.actor_label();
    let mut tx = st.db.write.begin().await?;
    for r in &rows {
        let phone = r.phone.as_ref().map(|p| p.as_str().to_owned());
        let changes = json!({"staff_no": r.staff_no.as_str(), "name": r.name, "department_id": r.department_id,
            "phone": r.phone.as_ref().map(|p| p.masked()), "source": "csv_import"});
        if let Some(id) = existing.get(r.staff_no.as_str()) {
            let before = audit::snapshot(&mut tx, "staff", "id", id).await?;
            sqlx::query("UPDATE staff SET name = $1, department_id = $2, phone = $3, updated_at = $4 WHERE id = $5")
                .bind(&r.name)
                .bind(&r.department_id)
                .bind(phone)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let changes = audit::with_before_after(&mut tx, "staff", "id", id, before, changes).await?;
            audit::record(&mut *tx, now, &actor, "update", "staff", id, changes, None).await?;
        } else {
            let id = new_id();
            let (plain, hash) = new_passwords.remove(r.staff_no.as_str()).unwrap_or_default();
            sqlx::query(
                "INSERT INTO staff (id, staff_no, name, department_id, phone, password_hash, must_change_password, active, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 1, 1, $7, $7)",
            )
            .bind(&id)
            .bind(r.staff_no.as_str())
            .bind(&r.name)
            .bind(&r.department_id)
            .bind(phone)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let changes = audit::with_before_after(&mut tx, "staff", "id", &id, serde_json::Value::Null, changes).await?;
            audit::record(&mut *tx, now, &actor, "create", "staff", &id, changes, None).await?;
            outcome.initial_passwords.push((r.staff_no.as_str().to_owned(), r.name.clone(), plain));
        }
    }
    tx.commit().await?;
    Ok(outcome)
}
