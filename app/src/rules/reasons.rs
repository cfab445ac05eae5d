//! Visit reasons: the list the form offers and the security office edits.

use super::*;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal, client_ip},
    db::{is_unique_violation, new_id},
};
use serde_json::json;

/// The visit reasons in the office's order (only those switched on, for a form).
pub async fn reasons(st: &AppState, active_only: bool) -> Result<Vec<ReasonView>, AppError> {
    let rows: Vec<ReasonRow> =
        sqlx::query_as("SELECT id, name, name_en, category, active FROM visit_reasons ORDER BY sort, name").fetch_all(&st.db.read).await?;
    Ok(rows.into_iter().filter(|r| !active_only || r.active != 0).map(ReasonRow::view).collect())
}

#[derive(sqlx::FromRow)]
struct ReasonRow {
    id: String,
    name: String,
    name_en: String,
    category: String,
    active: i64,
}

impl ReasonRow {
    fn view(self) -> ReasonView {
        ReasonView {
            id: self.id,
            name: self.name,
            name_en: self.name_en,
            category: ReasonCategory::from_code(&self.category).unwrap_or(ReasonCategory::Private),
            active: self.active != 0,
        }
    }
}

pub async fn save_reason(st: &AppState, me: &Principal, r: ReasonView) -> Result<String, AppError> {
    let name = crate::fields::text("name", &r.name, 30)?;
    let name_en = crate::fields::optional_text("name_en", &r.name_en, 60)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let before = audit::snapshot(&mut tx, "visit_reasons", "id", &r.id).await?;
    let changes = json!({"name": name, "name_en": name_en, "category": r.category.code(), "active": r.active});
    let id = if r.id.is_empty() {
        let id = new_id();
        let res =
            sqlx::query("INSERT INTO visit_reasons (id, name, name_en, category, active, sort, created_at) VALUES ($1, $2, $3, $4, $5, 100, $6)")
                .bind(&id)
                .bind(&name)
                .bind(&name_en)
                .bind(r.category.code())
                .bind(r.active as i64)
                .bind(now)
                .execute(&mut *tx)
                .await;
        if let Err(e) = res {
            return Err(if is_unique_violation(&e) { AppError::Conflict { msg: Msg::ErrDuplicate } } else { e.into() });
        }
        id
    } else {
        let res = sqlx::query("UPDATE visit_reasons SET name = $1, name_en = $2, category = $3, active = $4 WHERE id = $5")
            .bind(&name)
            .bind(&name_en)
            .bind(r.category.code())
            .bind(r.active as i64)
            .bind(&r.id)
            .execute(&mut *tx)
            .await?;
        if res.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        r.id.clone()
    };
    let changes = audit::with_before_after(&mut tx, "visit_reasons", "id", &id, before, changes).await?;
    audit::record(&mut *tx, now, &me.actor_label(), "save", "visit_reason", &id, changes, Some(&client_ip())).await?;
    tx.commit().await?;
    Ok(id)
}
