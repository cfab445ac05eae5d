//! People with a temporary staff number: the department's list (seed 003
//! §4), the categories the office keeps, the face photo (the person's
//! upload with its own consent, or the document-at-the-gate alternative;
//! the review by the security office or the department, as configured)
//! and the person's own status page.

use super::requests::administers;
use super::*;
use crate::domain::Role;
use crate::domain::temp_personnel::{FaceStatus, Standing, StepState};
use crate::platform::audit;
use crate::platform::context::{AppState, Principal, Subject, client_ip};
use chrono::NaiveDate;
use serde_json::json;

pub async fn setup(st: &AppState, me: &Principal) -> Result<TempWorkSetup, AppError> {
    let departments: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM departments ORDER BY code").fetch_all(&st.db.read).await?;
    let all: Vec<Choice> = departments.into_iter().map(|(id, name)| Choice { id, name }).collect();
    let mine = all.iter().filter(|d| administers(me, &d.id)).cloned().collect();
    Ok(TempWorkSetup {
        categories: categories(st).await?,
        my_departments: mine,
        all_departments: all,
        today: st.clock.today().to_string(),
        files_requests: me.has(Role::TempPersonnelAdmin),
        is_office: me.has(Role::SecurityAdmin),
    })
}

pub async fn categories(st: &AppState) -> Result<Vec<Category>, AppError> {
    let rows: Vec<(String, String, String, i64)> =
        sqlx::query_as("SELECT code, name, name_en, active FROM temp_categories ORDER BY position, code").fetch_all(&st.db.read).await?;
    Ok(rows.into_iter().map(|(code, name, name_en, active)| Category { code, name, name_en, active: active != 0 }).collect())
}

/// Adds a category (no `code`) or renames / switches one on or off. A
/// category is never removed: people on record keep theirs.
pub async fn save_category(st: &AppState, me: &Principal, code: Option<String>, name: &str, name_en: &str, active: bool) -> Result<(), AppError> {
    let name = crate::fields::text("name", name, 30)?;
    let name_en = name_en.trim().chars().take(60).collect::<String>();
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let code = match code {
        Some(code) => {
            let r = sqlx::query("UPDATE temp_categories SET name = $1, name_en = $2, active = $3 WHERE code = $4")
                .bind(&name)
                .bind(&name_en)
                .bind(active as i64)
                .bind(&code)
                .execute(&mut *tx)
                .await;
            match r {
                Ok(r) if r.rows_affected() == 1 => code,
                Ok(_) => return Err(AppError::NotFound),
                Err(e) if crate::platform::db::is_unique_violation(&e) => return Err(AppError::invalid("name", Msg::ErrDuplicate)),
                Err(e) => return Err(e.into()),
            }
        }
        None => {
            let code = format!("c{}", &crate::platform::db::new_id()[..8]);
            let r = sqlx::query(
                "INSERT INTO temp_categories (code, name, name_en, position, active) VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM temp_categories), 1)",
            )
            .bind(&code)
            .bind(&name)
            .bind(&name_en)
            .execute(&mut *tx)
            .await;
            match r {
                Ok(_) => code,
                Err(e) if crate::platform::db::is_unique_violation(&e) => return Err(AppError::invalid("name", Msg::ErrDuplicate)),
                Err(e) => return Err(e.into()),
            }
        }
    };
    audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "temp_category",
        "temp_category",
        &code,
        json!({"name": name, "name_en": name_en, "active": active}),
        Some(&client_ip()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ListedPerson {
    temp_no: String,
    name: String,
    category: String,
    department: String,
    leave_date: String,
    deleted_at: Option<i64>,
    face_status: String,
    phone: String,
    doc_masked: String,
}

/// The department's list with filters; a temporary-personnel admin sees
/// their departments' people only, the security office every department's.
pub async fn people(st: &AppState, me: &Principal, f: TempFilter) -> Result<Vec<TempPersonRow>, AppError> {
    let today = st.clock.today().to_string();
    let departments: Vec<String> = if me.has(Role::SecurityAdmin) {
        vec![]
    } else {
        me.grants.iter().filter(|(r, _)| *r == Role::TempPersonnelAdmin).map(|(_, d)| d.clone()).collect()
    };
    if !me.has(Role::SecurityAdmin) && (departments.is_empty() || (!f.department_id.is_empty() && !departments.contains(&f.department_id))) {
        return Ok(vec![]);
    }
    let scope = if departments.is_empty() {
        "1 = 1".to_owned()
    } else {
        // Grants' ids as literals would be injectable: bound instead.
        format!("t.department_id IN ({})", (0..departments.len()).map(|i| format!("${}", i + 7)).collect::<Vec<_>>().join(", "))
    };
    let standing = match f.standing.as_str() {
        "valid" => "t.deleted_at IS NULL AND t.leave_date >= $1",
        "expired" => "t.deleted_at IS NULL AND t.leave_date < $1",
        "deleted" => "t.deleted_at IS NOT NULL",
        _ => "$1 = $1",
    };
    let sql = format!(
        "SELECT t.temp_no, t.name, COALESCE(c.name, t.category) AS category, d.name AS department, t.leave_date, t.deleted_at, t.face_status,
                t.phone, t.doc_masked
         FROM temp_people t JOIN departments d ON d.id = t.department_id LEFT JOIN temp_categories c ON c.code = t.category
         WHERE {standing} AND ($2 = '' OR t.category = $2) AND ($3 = '' OR t.department_id = $3)
           AND ($4 = '' OR t.temp_no = $5 OR t.name LIKE $6) AND {scope}
         ORDER BY t.temp_no LIMIT 1000"
    );
    let q = f.query.trim();
    let mut query = sqlx::query_as::<_, ListedPerson>(&sql)
        .bind(&today)
        .bind(&f.category)
        .bind(&f.department_id)
        .bind(q)
        .bind(q.to_ascii_uppercase())
        .bind(format!("%{}%", q.replace(['%', '_'], "")));
    for d in &departments {
        query = query.bind(d);
    }
    let rows = query.fetch_all(&st.db.read).await?;
    let today = st.clock.today();
    Ok(rows
        .into_iter()
        .map(|r| {
            let leave = NaiveDate::parse_from_str(&r.leave_date, "%Y-%m-%d").unwrap_or(today);
            TempPersonRow {
                temp_no: r.temp_no,
                name: r.name,
                category: r.category,
                department: r.department,
                leave_date: r.leave_date,
                standing: Standing::of(r.deleted_at.is_some(), leave, today),
                face: FaceStatus::from_code(&r.face_status).unwrap_or(FaceStatus::Missing),
                phone: crate::domain::Phone::parse(&r.phone).map(|p| p.masked()).unwrap_or_default(),
                document: r.doc_masked,
            }
        })
        .collect())
}

/// Who reviews a person's photo: the security office, or (as configured)
/// also the leaders of the person's department.
fn reviews(st: &AppState, me: &Principal, department_id: &str) -> bool {
    me.has(Role::SecurityAdmin) || (st.config.temp_personnel.department_reviews_faces() && me.has_scoped(Role::Approver, department_id))
}

#[derive(sqlx::FromRow)]
struct FaceRow {
    temp_no: String,
    name: String,
    category: String,
    department_id: String,
    department: String,
    face_mime: Option<String>,
    face_data: Option<String>,
}

pub async fn faces_to_review(st: &AppState, me: &Principal) -> Result<Vec<FaceToReview>, AppError> {
    let rows: Vec<FaceRow> = sqlx::query_as(
        "SELECT t.temp_no, t.name, COALESCE(c.name, t.category) AS category, t.department_id, d.name AS department, t.face_mime, t.face_data
         FROM temp_people t JOIN departments d ON d.id = t.department_id LEFT JOIN temp_categories c ON c.code = t.category
         WHERE t.face_status = 'pending' AND t.deleted_at IS NULL ORDER BY t.updated_at LIMIT 100",
    )
    .fetch_all(&st.db.read)
    .await?;
    let mut out = Vec::new();
    for r in rows.into_iter().filter(|r| reviews(st, me, &r.department_id)) {
        let data = r.face_data.as_deref().and_then(|d| st.keys.open_pii(d)).unwrap_or_default();
        out.push(FaceToReview {
            temp_no: r.temp_no.clone(),
            name: r.name,
            category: r.category,
            department: r.department,
            photo: format!("data:{};base64,{}", r.face_mime.unwrap_or_else(|| "image/jpeg".into()), data),
        });
        // Each look at a person's face is on the record.
        audit::record(&st.db.write, st.clock.now_ms(), &me.actor_label(), "view_temp_face", "temp_person", &r.temp_no, json!({}), Some(&client_ip()))
            .await?;
    }
    Ok(out)
}

pub async fn review_face(st: &AppState, me: &Principal, temp_no: &str, accept: bool, reason: &str) -> Result<(), AppError> {
    let reason = if accept {
        String::new()
    } else {
        crate::fields::text("reason", reason, 200).map_err(|_| AppError::invalid("reason", Msg::ErrReasonNeeded))?
    };
    let row: Option<(String, String)> = sqlx::query_as("SELECT id, department_id FROM temp_people WHERE temp_no = $1 AND deleted_at IS NULL")
        .bind(temp_no)
        .fetch_optional(&st.db.read)
        .await?;
    let (id, department) = row.ok_or(AppError::NotFound)?;
    if !reviews(st, me, &department) {
        return Err(AppError::NotFound);
    }
    let now = st.clock.now_ms();
    let status = if accept { FaceStatus::Accepted } else { FaceStatus::Refused };
    let mut tx = st.db.write.begin().await?;
    // Of two reviewers at once, one decides.
    let r = sqlx::query(
        "UPDATE temp_people SET face_status = $1, face_reason = $2, face_reviewed_by = $3, face_reviewed_at = $4, updated_at = $4
         WHERE id = $5 AND face_status = 'pending'",
    )
    .bind(status.code())
    .bind(&reason)
    .bind(me.actor_label())
    .bind(now)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "review_temp_face",
        "temp_person",
        temp_no,
        json!({"status": status.code(), "reason": reason}),
        Some(&client_ip()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The signed-in mobile's person: the one not deleted, else the latest.
#[derive(sqlx::FromRow)]
pub(super) struct OwnRow {
    pub(super) id: String,
    temp_no: String,
    name: String,
    category: String,
    department: String,
    start_date: String,
    leave_date: String,
    deleted_at: Option<i64>,
    face_status: String,
    face_reason: String,
}

pub(super) async fn own(st: &AppState, me: &Principal) -> Result<OwnRow, AppError> {
    let Subject::Phone { phone, .. } = &me.subject else { return Err(AppError::invalid("phone", Msg::ErrTempNotOnRecord)) };
    let row: Option<OwnRow> = sqlx::query_as(
        "SELECT t.id, t.temp_no, t.name, COALESCE(c.name, t.category) AS category, d.name AS department, t.start_date, t.leave_date, t.deleted_at,
                t.face_status, t.face_reason
         FROM temp_people t JOIN departments d ON d.id = t.department_id LEFT JOIN temp_categories c ON c.code = t.category
         WHERE t.phone = $1 ORDER BY CASE WHEN t.deleted_at IS NULL THEN 0 ELSE 1 END, t.created_at DESC LIMIT 1",
    )
    .bind(phone.as_str())
    .fetch_optional(&st.db.read)
    .await?;
    row.ok_or_else(|| AppError::invalid("phone", Msg::ErrTempNotOnRecord))
}

pub async fn my_status(st: &AppState, me: &Principal) -> Result<MyTempSteps, AppError> {
    let p = own(st, me).await?;
    let today = st.clock.today();
    let leave = NaiveDate::parse_from_str(&p.leave_date, "%Y-%m-%d").unwrap_or(today);
    // The latest return-to-campus application, and whether a pass of it
    // runs now or later.
    let latest: Option<(String, String)> =
        sqlx::query_as("SELECT id, status FROM applications WHERE temp_person_id = $1 ORDER BY created_at DESC LIMIT 1")
            .bind(&p.id)
            .fetch_optional(&st.db.read)
            .await?;
    let live: Option<(i64,)> = sqlx::query_as(
        "SELECT COUNT(*) FROM passes WHERE application_id IN (SELECT id FROM applications WHERE temp_person_id = $1) AND cancelled_at IS NULL AND valid_until > $2",
    )
    .bind(&p.id)
    .bind(st.clock.now_ms())
    .fetch_optional(&st.db.read)
    .await?;
    // Seed 003 §3: 进行中 while the leader has it; 待办 when not yet
    // submitted or sent back for changes (the person acts); 已完成 once a
    // pass runs now or later.
    let status = latest.as_ref().and_then(|(_, s)| crate::domain::lifecycle::Status::from_code(s));
    let application_open = status.is_some_and(|s| s.is_open() && s != crate::domain::lifecycle::Status::Approved);
    let return_step = match (status, live.map(|l| l.0).unwrap_or(0)) {
        (_, n) if n > 0 => StepState::Done,
        (Some(crate::domain::lifecycle::Status::InReview { .. }), _) => StepState::InProgress,
        _ => StepState::ToDo,
    };
    let campuses: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM campuses ORDER BY created_at").fetch_all(&st.db.read).await?;
    Ok(MyTempSteps {
        temp_no: p.temp_no,
        name: p.name,
        category: p.category,
        department: p.department,
        start_date: p.start_date,
        standing: Standing::of(p.deleted_at.is_some(), leave, today),
        leave_date: p.leave_date,
        face: FaceStatus::from_code(&p.face_status).unwrap_or(FaceStatus::Missing),
        face_reason: p.face_reason,
        return_step,
        application_open,
        application_id: latest.map(|l| l.0),
        campuses: campuses.into_iter().map(|(id, name)| Choice { id, name }).collect(),
        today: today.to_string(),
    })
}

/// The person's face photo (with its own consent), or their choice to
/// show the document at the gate instead (`photo` None). A photo waits for
/// review; an accepted one is not replaced.
pub async fn set_face(st: &AppState, me: &Principal, photo: Option<String>, consent: bool) -> Result<(), AppError> {
    let p = own(st, me).await?;
    if p.deleted_at.is_some() {
        return Err(AppError::invalid("phone", Msg::ErrTempNotValid));
    }
    let now = st.clock.now_ms();
    let (status, mime, data) = match &photo {
        None => (FaceStatus::Declined, None, None),
        Some(url) => {
            if !consent {
                return Err(AppError::invalid("face_consent", Msg::ErrPhotoConsent));
            }
            let url = crate::fields::photo("face_photo", url)?;
            let (head, b64) = url.split_once(',').unwrap_or_default();
            let mime = head.trim_start_matches("data:").trim_end_matches(";base64").to_owned();
            (FaceStatus::Pending, Some(mime), Some(st.keys.seal_pii(b64)))
        }
    };
    let mut tx = st.db.write.begin().await?;
    let r = sqlx::query(
        "UPDATE temp_people SET face_status = $1, face_reason = '', face_mime = $2, face_data = $3, face_consent_at = $4, updated_at = $5
         WHERE id = $6 AND face_status <> 'accepted'",
    )
    .bind(status.code())
    .bind(mime)
    .bind(data)
    .bind(photo.as_ref().map(|_| now))
    .bind(now)
    .bind(&p.id)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    audit::record(&mut *tx, now, &me.actor_label(), "temp_face", "temp_person", &p.temp_no, json!({"status": status.code()}), Some(&client_ip()))
        .await?;
    tx.commit().await?;
    Ok(())
}
