//! Departments, kept by the security office.

use super::*;
use crate::domain::StaffNo;
use crate::fields::{optional_text, text};
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal},
    db::new_id,
};
use serde_json::json;

pub async fn departments(st: &AppState) -> Result<Vec<DepartmentView>, AppError> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.code, d.name, d.name_en, (SELECT COUNT(*) FROM staff s WHERE s.department_id = d.id AND s.active = 1) AS staff_count
         FROM departments d ORDER BY d.code",
    )
    .fetch_all(&st.db.read)
    .await?)
}

pub async fn save_department(st: &AppState, me: &Principal, id: Option<String>, code: &str, name: &str, name_en: &str) -> Result<String, AppError> {
    let code = StaffNo::parse(code).map_err(|_| AppError::invalid("code", Msg::ErrStaffNoInvalid))?.as_str().to_owned();
    let name = text("name", name, 50)?;
    let name_en = optional_text("name_en", name_en, 80)?;
    let now = st.clock.now_ms();
    let changes = json!({"code": code, "name": name, "name_en": name_en});
    let mut tx = st.db.write.begin().await?;
    let id = match id {
        Some(id) => {
            let before = audit::snapshot(&mut tx, "departments", "id", &id).await?;
            let r = sqlx::query("UPDATE departments SET code = $1, name = $2, name_en = $3 WHERE id = $4")
                .bind(&code)
                .bind(&name)
                .bind(&name_en)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            let changes = audit::with_before_after(&mut tx, "departments", "id", &id, before, changes).await?;
            audit::record(&mut *tx, now, &me.actor_label(), "update", "department", &id, changes, None).await?;
            id
        }
        None => {
            let id = new_id();
            sqlx::query("INSERT INTO departments (id, code, name, name_en, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&id)
                .bind(&code)
                .bind(&name)
                .bind(&name_en)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            audit::record(&mut *tx, now, &me.actor_label(), "create", "department", &id, changes, None).await?;
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}
