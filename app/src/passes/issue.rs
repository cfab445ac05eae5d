//! Issuing the passes of an approved application, and cancelling them.

use super::stored::Tx;
use crate::domain::Phone;
use crate::error::AppError;
use crate::platform::context::AppState;
use crate::platform::keys::{random_token, sha256_hex};

/// One issued pass, for the SMS that carries its link.
pub struct Issued {
    pub phone: Option<Phone>,
    pub holder: String,
    pub link: String,
}

/// Who a pass is for: an entrant, or the application's vehicle.
#[derive(Clone)]
struct Holder {
    entrant_id: Option<String>,
    name: String,
    phone: Option<String>,
    /// What the guard checks beside the QR (`GuardDocument::for_pass`).
    check_document: String,
    vehicle: bool,
}

/// What issuing reads of the approved application.
#[derive(sqlx::FromRow)]
struct ApprovedApplication {
    kind: String,
    campus_id: String,
    start_date: String,
    end_date: String,
    plate: Option<String>,
    /// The kind's policy as stored (JSON).
    policy: Option<String>,
}

/// Issues the passes of an application that has just been approved: one
/// per entrant and one for its vehicle. Runs inside the approving
/// transaction.
pub async fn issue(st: &AppState, tx: &mut Tx<'_>, app_id: &str, now: i64, actor: &str) -> Result<Vec<Issued>, AppError> {
    let ApprovedApplication { kind, campus_id, start_date, end_date, plate, policy } = sqlx::query_as(
        "SELECT a.kind, a.campus_id, a.start_date, a.end_date, a.plate, p.policy FROM applications a
         LEFT JOIN pass_policies p ON p.kind = a.kind WHERE a.id = $1",
    )
    .bind(app_id)
    .fetch_one(&mut **tx)
    .await?;
    // The kind's policy decides single use and what the guard checks.
    let policy = crate::rules::policies::stored_policy(&kind, policy)?;
    // Each period from its first day's start to its last day's end, in
    // campus time: one period, or those of a visitor who asked for several.
    let date = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let mut periods: Vec<(String, String)> =
        sqlx::query_as("SELECT start_date, end_date FROM application_periods WHERE application_id = $1 ORDER BY position")
            .bind(app_id)
            .fetch_all(&mut **tx)
            .await?;
    if periods.is_empty() {
        periods.push((start_date, end_date));
    }
    let validity: Vec<(i64, i64)> = periods
        .iter()
        .map(|(s, e)| (date(s).map(|d| st.clock.start_of_day(d)).unwrap_or(now), date(e).map(|d| st.clock.end_of_day(d)).unwrap_or(now)))
        .collect();
    let entrants: Vec<(String, String, Option<String>, String)> =
        sqlx::query_as("SELECT id, name, phone, doc_type FROM entrants WHERE application_id = $1 ORDER BY position")
            .bind(app_id)
            .fetch_all(&mut **tx)
            .await?;
    let mut holders: Vec<Holder> = entrants
        .into_iter()
        .map(|(id, name, phone, doc)| Holder {
            entrant_id: Some(id),
            check_document: policy.guard_document.for_pass(&doc),
            name,
            phone,
            vehicle: false,
        })
        .collect();
    if let Some(p) = plate {
        holders.push(Holder { entrant_id: None, name: p, phone: None, check_document: "vehicle".to_owned(), vehicle: true });
    }
    let base = st.config.public_base_url.trim_end_matches('/').to_owned();
    let mut out = Vec::new();
    // One pass per holder and period.
    let mut each = Vec::with_capacity(validity.len() * holders.len());
    for v in &validity {
        for h in &holders {
            each.push((h.clone(), *v));
        }
    }
    for (Holder { entrant_id, name: holder, phone, check_document, vehicle }, (valid_from, valid_until)) in each {
        let id = random_token(16);
        let link = random_token(16);
        sqlx::query(
            "INSERT INTO passes (id, application_id, entrant_id, kind, vehicle, holder, campus_id, valid_from, valid_until, single_use, link_hash, link_sealed,
                created_at, updated_at, check_document)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)",
        )
        .bind(&id)
        .bind(app_id)
        .bind(entrant_id)
        // One spelling of the kind for every pass; `vehicle` tells a car's.
        .bind(&kind)
        .bind(vehicle as i64)
        .bind(&holder)
        .bind(&campus_id)
        .bind(valid_from)
        .bind(valid_until)
        .bind(policy.single_use as i64)
        .bind(sha256_hex(link.as_bytes()))
        .bind(st.keys.seal_pii(&link))
        .bind(now)
        .bind(check_document)
        .execute(&mut **tx)
        .await?;
        out.push(Issued { phone: phone.and_then(|p| Phone::parse(&p).ok()), holder, link: format!("{base}/p#{link}") });
    }
    // A temporary person's passes carry the line the guard reads.
    let temp: Option<(Option<String>,)> =
        sqlx::query_as("SELECT temp_person_id FROM applications WHERE id = $1").bind(app_id).fetch_optional(&mut **tx).await?;
    if let Some((Some(person),)) = temp {
        refresh_temp_holder_notes(tx, &person, now).await?;
    }
    let after = passes_state(tx, app_id).await?;
    audit_passes(tx, now, actor, "issue_passes", app_id, serde_json::json!([]), after).await?;
    Ok(out)
}

/// The line a guard reads beside a temporary person's name (seed 003:
/// category, department, temporary staff number), written on each of
/// their passes: at issue, and again when they move department (the
/// roster then sends the passes again).
pub async fn refresh_temp_holder_notes(tx: &mut Tx<'_>, temp_person_id: &str, now: i64) -> Result<(), sqlx::Error> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT COALESCE(c.name, t.category), d.name, t.temp_no FROM temp_people t JOIN departments d ON d.id = t.department_id
         LEFT JOIN temp_categories c ON c.code = t.category WHERE t.id = $1",
    )
    .bind(temp_person_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((category, department, number)) = row else { return Ok(()) };
    let note = crate::domain::temp_personnel::holder_note(&category, &department, &number);
    sqlx::query(
        "UPDATE passes SET holder_note = $1, updated_at = $2
         WHERE application_id IN (SELECT id FROM applications WHERE temp_person_id = $3) AND holder_note <> $1",
    )
    .bind(&note)
    .bind(now)
    .bind(temp_person_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The passes of an application as the audit trail shows them: holders'
/// names masked, no link or its hash.
async fn passes_state(tx: &mut Tx<'_>, app_id: &str) -> Result<serde_json::Value, sqlx::Error> {
    let rows: Vec<(String, i64, String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, vehicle, holder, valid_from, valid_until, cancelled_at FROM passes WHERE application_id = $1 ORDER BY vehicle, created_at, id",
    )
    .bind(app_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, vehicle, holder, from, until, cancelled)| {
            let holder = if vehicle != 0 {
                crate::domain::Plate::parse(&holder).map(|p| p.masked()).unwrap_or_else(|_| super::stored::mask_name(&holder))
            } else {
                super::stored::mask_name(&holder)
            };
            serde_json::json!({"id": id, "holder": holder, "valid_from": from, "valid_until": until, "cancelled_at": cancelled})
        })
        .collect())
}

/// One audit entry for a change to an application's passes, with them before and after.
async fn audit_passes(
    tx: &mut Tx<'_>,
    now: i64,
    actor: &str,
    action: &str,
    app_id: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let changes = serde_json::json!({"before": {"passes": before}, "after": {"passes": after}});
    crate::platform::audit::record(&mut **tx, now, actor, action, "application", app_id, changes, None).await
}

/// Cancels every pass of an application (cancelled or released).
pub async fn cancel_for(tx: &mut Tx<'_>, app_id: &str, now: i64, actor: &str) -> Result<(), sqlx::Error> {
    let before = passes_state(tx, app_id).await?;
    let cancelled = sqlx::query("UPDATE passes SET cancelled_at = $1, updated_at = $1 WHERE application_id = $2 AND cancelled_at IS NULL")
        .bind(now)
        .bind(app_id)
        .execute(&mut **tx)
        .await?;
    if cancelled.rows_affected() > 0 {
        // The same passes, those not yet cancelled now cancelled (no second read).
        let mut after = before.clone();
        for p in after.as_array_mut().into_iter().flatten() {
            if p["cancelled_at"].is_null() {
                p["cancelled_at"] = now.into();
            }
        }
        audit_passes(tx, now, actor, "cancel_passes", app_id, before, after).await?;
    }
    Ok(())
}
