//! Campuses and their gates, kept by the security office.

use super::*;
use crate::fields::{optional_text, text};
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal},
    db::new_id,
};
use serde_json::json;

#[derive(sqlx::FromRow)]
struct CampusRow {
    id: String,
    name: String,
    name_en: String,
}

#[derive(sqlx::FromRow)]
struct GateRow {
    id: String,
    campus_id: String,
    name: String,
    name_en: String,
    kind: String,
    direction: String,
    active: i64,
}

pub async fn campuses(st: &AppState) -> Result<Vec<CampusView>, AppError> {
    let campuses: Vec<CampusRow> = sqlx::query_as("SELECT id, name, name_en FROM campuses ORDER BY created_at, name").fetch_all(&st.db.read).await?;
    let gates: Vec<GateRow> = sqlx::query_as("SELECT id, campus_id, name, name_en, kind, direction, active FROM gates ORDER BY created_at, name")
        .fetch_all(&st.db.read)
        .await?;
    Ok(campuses
        .into_iter()
        .map(|c| CampusView {
            gates: gates
                .iter()
                .filter(|g| g.campus_id == c.id)
                .map(|g| GateView {
                    id: g.id.clone(),
                    campus_id: g.campus_id.clone(),
                    name: g.name.clone(),
                    name_en: g.name_en.clone(),
                    kind: GateKind::from_code(&g.kind).unwrap_or(GateKind::Pedestrian),
                    direction: GateDirection::from_code(&g.direction).unwrap_or(GateDirection::Both),
                    active: g.active != 0,
                })
                .collect(),
            id: c.id,
            name: c.name,
            name_en: c.name_en,
        })
        .collect())
}

pub async fn save_campus(st: &AppState, me: &Principal, id: Option<String>, name: &str, name_en: &str) -> Result<String, AppError> {
    let name = text("name", name, 50)?;
    let name_en = optional_text("name_en", name_en, 80)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let id = match id {
        Some(id) => {
            let before = audit::snapshot(&mut tx, "campuses", "id", &id).await?;
            let r = sqlx::query("UPDATE campuses SET name = $1, name_en = $2 WHERE id = $3")
                .bind(&name)
                .bind(&name_en)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            let changes = audit::with_before_after(&mut tx, "campuses", "id", &id, before, json!({"name": name, "name_en": name_en})).await?;
            audit::record(&mut *tx, now, &me.actor_label(), "update", "campus", &id, changes, None).await?;
            id
        }
        None => {
            let id = new_id();
            sqlx::query("INSERT INTO campuses (id, name, name_en, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&id)
                .bind(&name)
                .bind(&name_en)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            audit::record(&mut *tx, now, &me.actor_label(), "create", "campus", &id, json!({"name": name, "name_en": name_en}), None).await?;
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
pub async fn save_gate(
    st: &AppState,
    me: &Principal,
    id: Option<String>,
    campus_id: &str,
    name: &str,
    name_en: &str,
    kind: GateKind,
    direction: GateDirection,
    active: bool,
) -> Result<String, AppError> {
    let name = text("name", name, 50)?;
    let name_en = optional_text("name_en", name_en, 80)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let campus: Option<(String,)> = sqlx::query_as("SELECT id FROM campuses WHERE id = $1").bind(campus_id).fetch_optional(&mut *tx).await?;
    if campus.is_none() {
        return Err(AppError::invalid("campus_id", Msg::ErrUnknownCampus));
    }
    let changes =
        json!({"campus_id": campus_id, "name": name, "name_en": name_en, "kind": kind.code(), "direction": direction.code(), "active": active});
    let id = match id {
        Some(id) => {
            let before = audit::snapshot(&mut tx, "gates", "id", &id).await?;
            let r = sqlx::query("UPDATE gates SET campus_id = $1, name = $2, name_en = $3, kind = $4, direction = $5, active = $6 WHERE id = $7")
                .bind(campus_id)
                .bind(&name)
                .bind(&name_en)
                .bind(kind.code())
                .bind(direction.code())
                .bind(active as i64)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            let changes = audit::with_before_after(&mut tx, "gates", "id", &id, before, changes).await?;
            audit::record(&mut *tx, now, &me.actor_label(), "update", "gate", &id, changes, None).await?;
            id
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO gates (id, campus_id, name, name_en, kind, direction, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&id)
            .bind(campus_id)
            .bind(&name)
            .bind(&name_en)
            .bind(kind.code())
            .bind(direction.code())
            .bind(active as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            audit::record(&mut *tx, now, &me.actor_label(), "create", "gate", &id, changes, None).await?;
            id
        }
    };
    tx.commit().await?;
    // Devices carry their gate's facts: read them again.
    st.gates_version.fetch_add(1, std::sync::atomic::Ordering::Release);
    Ok(id)
}
