//! The campus directory the security office keeps: campuses, gates,
//! departments and staff (with CSV import).

mod pages;
pub use pages::*;

use crate::error::{AppError, RowError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampusView {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub gates: Vec<GateView>,
}

pub use crate::domain::gate::{GateDirection, GateKind};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateView {
    pub id: String,
    pub campus_id: String,
    pub name: String,
    pub name_en: String,
    pub kind: GateKind,
    pub direction: GateDirection,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepartmentView {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub staff_count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffView {
    pub id: String,
    pub staff_no: String,
    pub name: String,
    pub department_id: String,
    pub department: String,
    /// Masked: `138****5678`.
    pub phone: Option<String>,
    pub active: bool,
    pub must_change_password: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffPage {
    pub rows: Vec<StaffView>,
    pub total: i64,
}

/// The answer to a staff import (or its dry run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ImportOutcome {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<RowError>,
    /// New accounts' one-time passwords: staff number, name, password.
    pub initial_passwords: Vec<(String, String, String)>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::domain::{Phone, StaffNo, account::short_text};
    use crate::i18n::Msg;
    use crate::platform::{audit, context::{AppState, Principal}, db::new_id, password};
    use serde_json::json;

    pub fn text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
        short_text(value, max).map_err(|e| match e {
            crate::domain::account::FieldError::Empty => AppError::invalid(field, Msg::ErrRequired),
            _ => AppError::invalid(field, Msg::ErrTooLong),
        })
    }

    pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
        if value.trim().is_empty() { Ok(String::new()) } else { text(field, value, max) }
    }

    pub async fn campuses(st: &AppState) -> Result<Vec<CampusView>, AppError> {
        let campuses: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, name, name_en FROM campuses ORDER BY created_at, name").fetch_all(&st.db.read).await?;
        let gates: Vec<(String, String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, campus_id, name, name_en, kind, direction, active FROM gates ORDER BY created_at, name",
        )
        .fetch_all(&st.db.read)
        .await?;
        Ok(campuses
            .into_iter()
            .map(|(id, name, name_en)| CampusView {
                gates: gates
                    .iter()
                    .filter(|g| g.1 == id)
                    .map(|g| GateView {
                        id: g.0.clone(),
                        campus_id: g.1.clone(),
                        name: g.2.clone(),
                        name_en: g.3.clone(),
                        kind: GateKind::from_code(&g.4).unwrap_or(GateKind::Pedestrian),
                        direction: GateDirection::from_code(&g.5).unwrap_or(GateDirection::Both),
                        active: g.6 != 0,
                    })
                    .collect(),
                id,
                name,
                name_en,
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
                let r = sqlx::query("UPDATE campuses SET name = $1, name_en = $2 WHERE id = $3")
                    .bind(&name)
                    .bind(&name_en)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                if r.rows_affected() == 0 {
                    return Err(AppError::NotFound);
                }
                audit::record(&mut *tx, now, &me.actor_label(), "update", "campus", &id, json!({"name": name, "name_en": name_en}), None).await?;
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
        let campus: Option<(String,)> =
            sqlx::query_as("SELECT id FROM campuses WHERE id = $1").bind(campus_id).fetch_optional(&mut *tx).await?;
        if campus.is_none() {
            return Err(AppError::invalid("campus_id", Msg::ErrUnknownCampus));
        }
        let changes = json!({"campus_id": campus_id, "name": name, "name_en": name_en, "kind": kind.code(), "direction": direction.code(), "active": active});
        let id = match id {
            Some(id) => {
                let r = sqlx::query(
                    "UPDATE gates SET campus_id = $1, name = $2, name_en = $3, kind = $4, direction = $5, active = $6 WHERE id = $7",
                )
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
        if let Ok(scans) = crate::passes::ssr::scan_state() { scans.devices.clear(); }
        Ok(id)
    }

    pub async fn departments(st: &AppState) -> Result<Vec<DepartmentView>, AppError> {
        let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT d.id, d.code, d.name, d.name_en, (SELECT COUNT(*) FROM staff s WHERE s.department_id = d.id AND s.active = 1)
             FROM departments d ORDER BY d.code",
        )
        .fetch_all(&st.db.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, code, name, name_en, staff_count)| DepartmentView { id, code, name, name_en, staff_count })
            .collect())
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

    pub async fn staff_page(st: &AppState, query: &str, department_id: &str, offset: i64) -> Result<StaffPage, AppError> {
        let pattern = format!("%{}%", query.trim().replace(['%', '_'], ""));
        let dept = department_id.trim();
        let filter = "FROM staff s JOIN departments d ON d.id = s.department_id
             WHERE (s.staff_no LIKE $1 OR s.name LIKE $1) AND ($2 = '' OR s.department_id = $2)";
        let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {filter}"))
            .bind(&pattern)
            .bind(dept)
            .fetch_one(&st.db.read)
            .await?;
        let rows: Vec<(String, String, String, String, String, Option<String>, i64, i64)> = sqlx::query_as(&format!(
            "SELECT s.id, s.staff_no, s.name, s.department_id, d.name, s.phone, s.active, s.must_change_password {filter}
             ORDER BY s.staff_no LIMIT 50 OFFSET $3"
        ))
        .bind(&pattern)
        .bind(dept)
        .bind(offset.max(0))
        .fetch_all(&st.db.read)
        .await?;
        Ok(StaffPage {
            total,
            rows: rows
                .into_iter()
                .map(|(id, staff_no, name, department_id, department, phone, active, must)| StaffView {
                    id,
                    staff_no,
                    name,
                    department_id,
                    department,
                    phone: phone.and_then(|p| Phone::parse(&p).ok()).map(|p| p.masked()),
                    active: active != 0,
                    must_change_password: must != 0,
                })
                .collect(),
        })
    }

    /// Adds or edits one staff member. A new account gets a one-time
    /// password, returned once for the admin to hand over.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_staff(
        st: &AppState,
        me: &Principal,
        id: Option<String>,
        staff_no: &str,
        name: &str,
        department_id: &str,
        phone: &str,
        active: bool,
    ) -> Result<Option<String>, AppError> {
        let staff_no = StaffNo::parse(staff_no).map_err(|_| AppError::invalid("staff_no", Msg::ErrStaffNoInvalid))?;
        let name = text("name", name, 50)?;
        let phone = if phone.trim().is_empty() {
            None
        } else {
            Some(Phone::parse(phone).map_err(|_| AppError::invalid("phone", Msg::ErrPhoneInvalid))?)
        };
        let now = st.clock.now_ms();
        let dept: Option<(String,)> =
            sqlx::query_as("SELECT id FROM departments WHERE id = $1").bind(department_id).fetch_optional(&st.db.read).await?;
        if dept.is_none() {
            return Err(AppError::invalid("department_id", Msg::ErrUnknownDepartment));
        }
        let changes = json!({"staff_no": staff_no.as_str(), "name": name, "department_id": department_id,
            "phone": phone.as_ref().map(|p| p.masked()), "active": active});
        match id {
            Some(id) => {
                let mut tx = st.db.write.begin().await?;
                let r = sqlx::query(
                    "UPDATE staff SET staff_no = $1, name = $2, department_id = $3, phone = $4, active = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(staff_no.as_str())
                .bind(&name)
                .bind(department_id)
                .bind(phone.as_ref().map(|p| p.as_str().to_owned()))
                .bind(active as i64)
                .bind(now)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                if r.rows_affected() == 0 {
                    return Err(AppError::NotFound);
                }
                audit::record(&mut *tx, now, &me.actor_label(), "update", "staff", &id, changes, None).await?;
                tx.commit().await?;
                if !active {
                    crate::platform::session::end_others_for_staff(&st.db, &id, None, now).await?;
                }
                Ok(None)
            }
            None => {
                let initial = password::initial_password();
                let hash = password::hash(initial.clone()).await;
                let id = new_id();
                let mut tx = st.db.write.begin().await?;
                sqlx::query(
                    "INSERT INTO staff (id, staff_no, name, department_id, phone, password_hash, must_change_password, active, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8)",
                )
                .bind(&id)
                .bind(staff_no.as_str())
                .bind(&name)
                .bind(department_id)
                .bind(phone.as_ref().map(|p| p.as_str().to_owned()))
                .bind(hash)
                .bind(active as i64)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                audit::record(&mut *tx, now, &me.actor_label(), "create", "staff", &id, changes, None).await?;
                tx.commit().await?;
                Ok(Some(initial))
            }
        }
    }

    pub async fn reset_password(st: &AppState, me: &Principal, staff_id: &str) -> Result<String, AppError> {
        let initial = password::initial_password();
        let hash = password::hash(initial.clone()).await;
        let now = st.clock.now_ms();
        let mut tx = st.db.write.begin().await?;
        let r = sqlx::query("UPDATE staff SET password_hash = $1, must_change_password = 1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        audit::record(&mut *tx, now, &me.actor_label(), "reset_password", "staff", staff_id, json!({"password": "reset"}), None).await?;
        tx.commit().await?;
        crate::platform::session::end_others_for_staff(&st.db, staff_id, None, now).await?;
        Ok(initial)
    }

    /// Checks every row first; writes all rows in one transaction, or none.
    pub async fn import_staff(st: &AppState, me: &Principal, bytes: &[u8], dry_run: bool) -> Result<ImportOutcome, AppError> {
        let text = crate::domain::staff_import::decode(bytes).map_err(|msg| AppError::InvalidRows {
            rows: vec![RowError { row: 0, field: String::new(), msg }],
        })?;
        let depts: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, code, name FROM departments").fetch_all(&st.db.read).await?;
        let lookup = |key: &str| {
            depts
                .iter()
                .find(|(_, code, name)| code.eq_ignore_ascii_case(key) || name == key)
                .map(|(id, _, _)| id.clone())
        };
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
                sqlx::query("UPDATE staff SET name = $1, department_id = $2, phone = $3, updated_at = $4 WHERE id = $5")
                    .bind(&r.name)
                    .bind(&r.department_id)
                    .bind(phone)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
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
                audit::record(&mut *tx, now, &actor, "create", "staff", &id, changes, None).await?;
                outcome.initial_passwords.push((r.staff_no.as_str().to_owned(), r.name.clone(), plain));
            }
        }
        tx.commit().await?;
        Ok(outcome)
    }
}

role_fn!(SecurityAdmin, list_campuses "list_campuses"() -> Vec<CampusView> => |st, me| ssr::campuses(&st).await);
role_fn!(SecurityAdmin, save_campus "save_campus"(id: Option<String>, name: String, name_en: String) -> String =>
    |st, me| ssr::save_campus(&st, &me, id, &name, &name_en).await);
role_fn!(SecurityAdmin, save_gate "save_gate"(id: Option<String>, campus_id: String, name: String, name_en: String, kind: GateKind, direction: GateDirection, active: bool) -> String =>
    |st, me| ssr::save_gate(&st, &me, id, &campus_id, &name, &name_en, kind, direction, active).await);
role_fn!(SecurityAdmin, list_departments "list_departments"() -> Vec<DepartmentView> => |st, me| ssr::departments(&st).await);
role_fn!(SecurityAdmin, save_department "save_department"(id: Option<String>, code: String, name: String, name_en: String) -> String =>
    |st, me| ssr::save_department(&st, &me, id, &code, &name, &name_en).await);
role_fn!(SecurityAdmin, list_staff "list_staff"(query: String, department_id: String, offset: i64) -> StaffPage =>
    |st, me| ssr::staff_page(&st, &query, &department_id, offset).await);
role_fn!(SecurityAdmin, 
    /// Returns the new account's one-time password, if one was created.
    save_staff "save_staff"(id: Option<String>, staff_no: String, name: String, department_id: String, phone: String, active: bool) -> Option<String> =>
    |st, me| ssr::save_staff(&st, &me, id, &staff_no, &name, &department_id, &phone, active).await);
role_fn!(SecurityAdmin, reset_staff_password "reset_staff_password"(staff_id: String) -> String => |st, me| ssr::reset_password(&st, &me, &staff_id).await);
