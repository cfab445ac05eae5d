//! Staff accounts: the list, adding and editing one, resetting a password.

use super::*;
use crate::domain::{Phone, StaffNo};
use crate::fields::text;
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal},
    db::new_id,
    password,
};
use serde_json::json;

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: String,
    staff_no: String,
    name: String,
    department_id: String,
    department: String,
    phone: Option<String>,
    active: i64,
    must_change_password: i64,
}

/// The staff list's filter: `$1` a LIKE pattern, `$2` a department or ''.
const STAFF_FILTER: &str = "FROM staff s JOIN departments d ON d.id = s.department_id
     WHERE (s.staff_no LIKE $1 OR s.name LIKE $1) AND ($2 = '' OR s.department_id = $2)";

fn staff_pattern(query: &str) -> String {
    format!("%{}%", query.trim().replace(['%', '_'], ""))
}

fn masked_phone(phone: Option<String>) -> Option<String> {
    phone.and_then(|p| Phone::parse(&p).ok()).map(|p| p.masked())
}

/// The staff list as filtered on the page, as a file's rows (mobiles
/// masked unless `unmasked`).
pub fn staff_export(st: &AppState, query: &str, department_id: &str, lang: crate::i18n::Lang, unmasked: bool) -> crate::platform::export::Sheet {
    use crate::platform::export;
    let headers = [Msg::StaffNo.text(lang), Msg::PersonName.text(lang), Msg::Department.text(lang), Msg::Phone.text(lang), Msg::Status.text(lang)];
    let (st, pattern, dept) = (st.clone(), staff_pattern(query), department_id.trim().to_owned());
    let rows = export::rows(move |out| async move {
        let sql = format!(
            "SELECT s.id, s.staff_no, s.name, s.department_id, d.name AS department, s.phone, s.active, s.must_change_password {STAFF_FILTER} ORDER BY s.staff_no"
        );
        let read = sqlx::query_as::<_, StaffRow>(&sql).bind(&pattern).bind(&dept).fetch(&st.db.read);
        export::send_all(&out, read, |r| {
            let phone = if unmasked { r.phone } else { masked_phone(r.phone) };
            let status = if r.active != 0 { Msg::Active } else { Msg::Inactive };
            vec![r.staff_no.into(), r.name.into(), r.department.into(), phone.unwrap_or_default().into(), status.text(lang).into()]
        })
        .await?;
        Ok(())
    });
    export::Sheet::new(&headers, rows)
}

pub async fn staff_page(st: &AppState, query: &str, department_id: &str, offset: i64) -> Result<StaffPage, AppError> {
    let pattern = staff_pattern(query);
    let dept = department_id.trim();
    let filter = STAFF_FILTER;
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {filter}")).bind(&pattern).bind(dept).fetch_one(&st.db.read).await?;
    let rows: Vec<StaffRow> = sqlx::query_as(&format!(
        "SELECT s.id, s.staff_no, s.name, s.department_id, d.name AS department, s.phone, s.active, s.must_change_password {filter}
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
            .map(|r| StaffView {
                id: r.id,
                staff_no: r.staff_no,
                name: r.name,
                department_id: r.department_id,
                department: r.department,
                phone: masked_phone(r.phone),
                active: r.active != 0,
                must_change_password: r.must_change_password != 0,
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
    let phone = if phone.trim().is_empty() { None } else { Some(Phone::parse(phone).map_err(|_| AppError::invalid("phone", Msg::ErrPhoneInvalid))?) };
    let now = st.clock.now_ms();
    let dept: Option<(String,)> = sqlx::query_as("SELECT id FROM departments WHERE id = $1").bind(department_id).fetch_optional(&st.db.read).await?;
    if dept.is_none() {
        return Err(AppError::invalid("department_id", Msg::ErrUnknownDepartment));
    }
    let changes = json!({"staff_no": staff_no.as_str(), "name": name, "department_id": department_id,
        "phone": phone.as_ref().map(|p| p.masked()), "active": active});
    match id {
        Some(id) => {
            let mut tx = st.db.write.begin().await?;
            let before = audit::snapshot(&mut tx, "staff", "id", &id).await?;
            let r =
                sqlx::query("UPDATE staff SET staff_no = $1, name = $2, department_id = $3, phone = $4, active = $5, updated_at = $6 WHERE id = $7")
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
            let changes = audit::with_before_after(&mut tx, "staff", "id", &id, before, changes).await?;
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
