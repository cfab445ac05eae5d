//! A person's own data (PIPL art. 45 and 47): what is kept about the mobile
//! they signed in with, and the deletion of an ended application of theirs.
//! Staff data is the office's to keep; this is for visitors and residents.

use super::retention::{RetentionCounts, Scans, anonymise};
use super::*;
use crate::domain::Phone;
use crate::platform::audit;
use crate::platform::context::{AppState, Principal, Subject};
use serde_json::json;

fn own_phone(me: &Principal) -> Result<&Phone, AppError> {
    match &me.subject {
        Subject::Phone { phone, .. } => Ok(phone),
        Subject::Staff(_) => Err(AppError::invalid("kind", Msg::ErrVisitorsOnly)),
    }
}

#[derive(sqlx::FromRow)]
struct AppRow {
    id: String,
    kind: String,
    status: String,
    campus: String,
    start_date: String,
    end_date: String,
    plate: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EntrantRow {
    application_id: String,
    name: String,
    phone: Option<String>,
    doc_masked: String,
    face_consent_at: Option<i64>,
    doc_consent_at: Option<i64>,
    photos: i64,
}

/// Applications filed under the caller's mobile (not those a staff member
/// filed as their own), with who is on them, and what else names them.
pub async fn mine(st: &AppState, me: &Principal) -> Result<OwnData, AppError> {
    let phone = own_phone(me)?;
    const MINE: &str = "a.applicant_phone = $1 AND a.applicant_staff_id = '' AND a.anonymised_at IS NULL";
    let apps: Vec<AppRow> = sqlx::query_as(&format!(
        "SELECT a.id, a.kind, a.status, c.name AS campus, a.start_date, a.end_date, a.plate
         FROM applications a JOIN campuses c ON c.id = a.campus_id WHERE {MINE} ORDER BY a.created_at DESC LIMIT 200"
    ))
    .bind(phone.as_str())
    .fetch_all(&st.db.read)
    .await?;
    let entrants: Vec<EntrantRow> = sqlx::query_as(&format!(
        "SELECT e.application_id, e.name, e.phone, e.doc_masked, e.face_consent_at, e.doc_consent_at,
                (SELECT COUNT(*) FROM entrant_photos p WHERE p.entrant_id = e.id) AS photos
         FROM entrants e JOIN applications a ON a.id = e.application_id WHERE {MINE} ORDER BY e.application_id, e.position"
    ))
    .bind(phone.as_str())
    .fetch_all(&st.db.read)
    .await?;
    let (scans,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM scan_events s JOIN passes p ON p.id = s.pass_id JOIN applications a ON a.id = p.application_id WHERE {MINE}"
    ))
    .bind(phone.as_str())
    .fetch_one(&st.db.read)
    .await?;
    let (texts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sms_outbox WHERE phone = $1").bind(phone.as_str()).fetch_one(&st.db.read).await?;
    let resident: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT r.name, h.community, h.building, h.door, r.doc_masked FROM residents r JOIN households h ON h.id = r.household_id WHERE r.phone = $1",
    )
    .bind(phone.as_str())
    .fetch_optional(&st.db.read)
    .await?;
    let at = |t: Option<i64>| t.map(|t| st.clock.format(t));
    Ok(OwnData {
        mobile: phone.masked(),
        applications: apps
            .into_iter()
            .map(|a| {
                let status = Status::from_code(&a.status).unwrap_or(Status::Draft);
                MyApplication {
                    entrants: entrants
                        .iter()
                        .filter(|e| e.application_id == a.id)
                        .map(|e| MyEntrant {
                            name: e.name.clone(),
                            document: e.doc_masked.clone(),
                            phone: e.phone.as_deref().and_then(|p| Phone::parse(p).ok()).map(|p| p.masked()),
                            has_photo: e.photos > 0,
                            doc_consent_at: at(e.doc_consent_at),
                            photo_consent_at: at(e.face_consent_at),
                        })
                        .collect(),
                    id: a.id,
                    kind: PassKind::from_code(&a.kind).unwrap_or(PassKind::Visitor),
                    erasable: status.is_final(),
                    status,
                    campus: a.campus,
                    dates: format!("{} → {}", a.start_date, a.end_date),
                    plate: a.plate,
                }
            })
            .collect(),
        resident: resident.map(|(name, community, building, door, doc)| format!("{name} · {community} {building} {door} · {doc}")),
        scans,
        texts,
    })
}

/// Anonymises one ended application of the caller's at once, and writes
/// the deletion to the audit trail (masked), in one transaction. Someone
/// else's application, or one already deleted, does not exist for them;
/// one still under way is refused (withdraw or release it first).
pub async fn erase(st: &AppState, me: &Principal, id: &str) -> Result<(), AppError> {
    let phone = own_phone(me)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT status FROM applications WHERE id = $1 AND applicant_phone = $2 AND applicant_staff_id = '' AND anonymised_at IS NULL",
    )
    .bind(id)
    .bind(phone.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let (status,) = row.ok_or(AppError::NotFound)?;
    // A final status never changes again: checked once, it holds.
    if !Status::from_code(&status).is_some_and(Status::is_final) {
        return Err(AppError::invalid("id", Msg::ErrNotEnded));
    }
    // Someone or a car of it still inside: the stay is not over (a car's
    // fee is charged from its entry as it leaves; the roll call counts them).
    let (inside,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM people_inside WHERE pass_id IN (SELECT id FROM passes WHERE application_id = $1))
              + (SELECT COUNT(*) FROM vehicles_inside WHERE pass_id IN (SELECT id FROM passes WHERE application_id = $1))",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if inside > 0 {
        return Err(AppError::invalid("id", Msg::ErrStillInside));
    }
    let mut counts = RetentionCounts::default();
    anonymise(&mut tx, &[id.to_owned()], now, Scans::Now, &mut counts).await?;
    audit::record(&mut *tx, now, &me.actor_label(), "erase_on_request", "application", id, json!({"anonymised": counts}), None).await?;
    tx.commit().await?;
    tracing::info!(application = id, "personal data deleted on the applicant's request");
    Ok(())
}
