//! The staff blacklist HR keeps (seed 000 §三): a listed staff member can
//! neither get nor use a staff pass. An entry is a blacklist entry of the
//! staff member's work card (`DocumentNumber::work_card`, the document a
//! staff pass is issued on), marked with the staff member: the one
//! blacklist rule (`listed.rs`) then refuses the application, the scan
//! online and, after the next roster sync, offline.

use super::*;
use crate::domain::document::DocumentNumber;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal, client_ip},
    db::new_id,
};
use serde_json::json;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    staff_no: String,
    name: String,
    department: String,
    reason: String,
    added_by: String,
    added_at: i64,
    lifted_by: Option<String>,
    lifted_at: Option<i64>,
    lift_reason: Option<String>,
}

pub async fn list(st: &AppState, include_lifted: bool) -> Result<Vec<StaffBlacklistEntry>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT b.id, s.staff_no, s.name, d.name AS department, b.reason, b.added_by, b.added_at, b.lifted_by, b.lifted_at, b.lift_reason
         FROM blacklist b JOIN staff s ON s.id = b.staff_id JOIN departments d ON d.id = s.department_id
         WHERE ($1 = 1 OR b.lifted_at IS NULL) ORDER BY b.added_at DESC LIMIT 500",
    )
    .bind(include_lifted as i64)
    .fetch_all(&st.db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StaffBlacklistEntry {
            id: r.id,
            staff_no: r.staff_no,
            name: r.name,
            department: r.department,
            reason: r.reason,
            added_by: r.added_by,
            added_at: st.clock.format(r.added_at),
            lifted: r
                .lifted_at
                .map(|at| format!("{} {} {}", st.clock.format(at), r.lifted_by.unwrap_or_default(), r.lift_reason.unwrap_or_default())),
        })
        .collect())
}

pub async fn add(st: &AppState, me: &Principal, staff_no: &str, reason: &str) -> Result<String, AppError> {
    let reason = crate::fields::text("reason", reason, 200)?;
    let staff_no = staff_no.trim().to_ascii_uppercase();
    let staff: Option<(String, String)> =
        sqlx::query_as("SELECT id, name FROM staff WHERE staff_no = $1").bind(&staff_no).fetch_optional(&st.db.read).await?;
    let (staff_id, name) = staff.ok_or_else(|| AppError::invalid("staff_no", Msg::ErrUnknownStaff))?;
    let card = DocumentNumber::work_card(&staff_no);
    let key = st.keys.pii_mac(&card.claim_text());
    let now = st.clock.now_ms();
    let id = new_id();
    let mut tx = st.db.write.begin().await?;
    let entry = super::blacklist::NewEntry {
        id: &id,
        kind: BlacklistKind::Document,
        key: &key,
        masked: &staff_no,
        reason: &reason,
        actor: &me.actor_label(),
        staff_id: Some(&staff_id),
    };
    super::blacklist::insert_entry(&mut tx, entry, now).await?;
    audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "staff_blacklist_add",
        "staff",
        &staff_id,
        json!({"before": {"listed": false}, "after": {"listed": true, "staff_no": staff_no, "name": name, "reason": reason}}),
        Some(&client_ip()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Lifts an entry of the staff blacklist (never one of the office's own).
pub async fn lift(st: &AppState, me: &Principal, id: &str, reason: &str) -> Result<(), AppError> {
    let reason = crate::fields::text("reason", reason, 200)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let lifted: Option<(String, String)> = sqlx::query_as(
        "UPDATE blacklist SET lifted_at = $1, lifted_by = $2, lift_reason = $3 WHERE id = $4 AND lifted_at IS NULL AND staff_id IS NOT NULL
         RETURNING entry_key, staff_id",
    )
    .bind(now)
    .bind(me.actor_label())
    .bind(&reason)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (key, staff_id) = lifted.ok_or(AppError::NotFound)?;
    super::listed::touch_holders_passes(&mut tx, BlacklistKind::Document, &key, now).await?;
    audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "staff_blacklist_lift",
        "staff",
        &staff_id,
        json!({"before": {"listed": true}, "after": {"listed": false, "reason": reason}}),
        Some(&client_ip()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
