//! What an application writes beside its own row: the duplicate rule's
//! claims, the entrants (documents sealed), the event with its audit entry,
//! an approver's edits.

use super::access::*;
use super::form::*;
use super::*;
use crate::domain::Phone;
use crate::domain::Plate;
use crate::domain::claims::{self, ClaimKind, EntrantKeys};
use crate::domain::lifecycle::Status;
use crate::platform::context::{AppState, client_ip};
use crate::platform::{
    audit,
    db::{Script, Statement, is_unique_violation, new_id},
};
use serde_json::json;

pub(super) type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// The duplicate rule's claims of one application (written by the upserts
/// `claim_writes` returns beside them).
pub(super) struct ClaimWrites {
    pub(super) list: Vec<claims::Claim>,
    pub(super) doc_keys: Vec<String>,
}

pub(super) fn claim_code(k: ClaimKind) -> &'static str {
    match k {
        ClaimKind::Document => "document",
        ClaimKind::Mobile => "mobile",
        ClaimKind::Plate => "plate",
    }
}

/// The upserts that take `app_id`'s claims. A key held by an application
/// whose visit has ended is taken over; a key held by a live one stays,
/// and the rows written tell (one each when all are taken).
pub(super) fn claim_writes(st: &AppState, app_id: &str, c: &Checked) -> Result<(ClaimWrites, Script), AppError> {
    let doc_keys: Vec<String> = c.entrants.iter().map(|e| st.keys.pii_mac(&e.doc.claim_text())).collect();
    let keys: Vec<EntrantKeys> =
        c.entrants.iter().zip(&doc_keys).map(|(e, d)| EntrantKeys { document: d, mobile: e.phone.as_ref().map(Phone::as_str) }).collect();
    let list = claims::claims(c.applicant.phone(), &keys, c.plate.as_ref().map(Plate::as_str)).map_err(|e| match e {
        claims::ClaimError::RepeatedWithin(ClaimKind::Document) => AppError::invalid("entrants", Msg::ErrRepeatedDocument),
        claims::ClaimError::RepeatedWithin(_) => AppError::invalid("entrants", Msg::ErrRepeatedMobile),
    })?;
    let today = st.clock.today().format("%Y-%m-%d").to_string();
    // The holder is looked up by its key (EXISTS): `IN (SELECT … WHERE
    // end_date < …)` made SQLite list every ended application first
    // (96 ms with 200,000 of them, against 0.1 ms).
    let mut script = Script::new();
    for chunk in crate::platform::db::row_chunks(&list) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${}, $1)", 2 * i + 3, 2 * i + 4)).collect();
        let sql = format!(
            "INSERT INTO application_claims (kind, claim_key, application_id) VALUES {}
             ON CONFLICT (kind, claim_key) DO UPDATE SET application_id = excluded.application_id
             WHERE EXISTS (SELECT 1 FROM applications a WHERE a.id = application_claims.application_id AND a.end_date < $2)",
            values.join(", ")
        );
        let mut q = Statement::new(sql).bind(app_id).bind(&today);
        for claim in chunk {
            q = q.bind(claim_code(claim.kind)).bind(&claim.key);
        }
        script.push(q);
    }
    Ok((ClaimWrites { list, doc_keys }, script))
}

/// Why the claims were not all taken: a live application holds a key.
/// Names the first such claim, in the form's order (the refusal path
/// only; the caller rolls back what was taken).
pub(super) async fn claims_refused(tx: &mut Tx<'_>, app_id: &str, w: &ClaimWrites, c: &Checked) -> AppError {
    let list = &w.list;
    let terms: Vec<String> = (0..list.len()).map(|i| format!("(kind = ${} AND claim_key = ${})", 2 * i + 2, 2 * i + 3)).collect();
    let sql = format!("SELECT kind, claim_key FROM application_claims WHERE application_id <> $1 AND ({})", terms.join(" OR "));
    let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(app_id);
    for claim in list {
        q = q.bind(claim_code(claim.kind)).bind(&claim.key);
    }
    let held = match q.fetch_all(&mut **tx).await {
        Ok(held) => held,
        Err(e) => return e.into(),
    };
    let first = list.iter().find(|claim| held.iter().any(|(k, key)| k == claim_code(claim.kind) && *key == claim.key));
    match first {
        Some(claim) => match claim.kind {
            ClaimKind::Document => {
                let masked = c.entrants.iter().zip(&w.doc_keys).find(|(_, k)| **k == claim.key).map(|(e, _)| e.doc.masked()).unwrap_or_default();
                AppError::rule("doc_number", Msg::ErrDuplicateDocument, masked)
            }
            ClaimKind::Mobile => AppError::rule("phone", Msg::ErrDuplicateMobile, Phone::parse(&claim.key).map(|p| p.masked()).unwrap_or_default()),
            // Masked like the others: whoever types a plate learns no more of
            // it than they typed.
            ClaimKind::Plate => AppError::rule("plate", Msg::ErrDuplicatePlate, Plate::parse(&claim.key).map(|p| p.masked()).unwrap_or_default()),
        },
        // Not reachable: a claim row not written is held by another application.
        None => {
            tracing::error!(application = app_id, "claims not taken, yet none held by another application");
            AppError::Internal
        }
    }
}

/// Takes the duplicate rule's claims for `app_id`, or refuses, naming the
/// field whose claim a live application holds.
pub(super) async fn take_claims(st: &AppState, tx: &mut Tx<'_>, app_id: &str, c: &Checked) -> Result<(), AppError> {
    let (w, script) = claim_writes(st, app_id, c)?;
    let taken = script.execute(tx).await?;
    if taken as usize == w.list.len() {
        return Ok(());
    }
    Err(claims_refused(tx, app_id, &w, c).await)
}

/// The periods of an application with more than one (none otherwise).
pub(super) fn period_writes(app_id: &str, c: &Checked) -> Script {
    let mut script = Script::new();
    if c.periods.len() > 1 {
        for (i, (start, end)) in c.periods.iter().enumerate() {
            script.push(
                Statement::new("INSERT INTO application_periods (application_id, position, start_date, end_date) VALUES ($1, $2, $3, $4)")
                    .bind(app_id)
                    .bind(i as i64)
                    .bind(start.to_string())
                    .bind(end.to_string()),
            );
        }
    }
    script
}

/// Replaces the periods of an earlier version with the form's.
pub(super) async fn replace_periods(tx: &mut Tx<'_>, app_id: &str, c: &Checked) -> Result<(), sqlx::Error> {
    let mut script = Script::new();
    script.push(Statement::new("DELETE FROM application_periods WHERE application_id = $1").bind(app_id)).append(period_writes(app_id, c));
    script.execute(tx).await?;
    Ok(())
}

/// The household day rule's rows (`household_days`): the days a resident's
/// pass holds, written only where no other pass of the household holds
/// them; fewer rows than days means a pass too close to another.
pub(super) async fn take_household_days(tx: &mut Tx<'_>, app_id: &str, c: &Checked) -> Result<(), AppError> {
    let Some(household) = &c.household_id else { return Ok(()) };
    let days = crate::domain::policy::household_days(c.start, c.policy.household_every_days);
    let mut taken = 0;
    for day in &days {
        taken += sqlx::query(
            "INSERT INTO household_days (household_id, day, application_id) VALUES ($1, $2, $3) ON CONFLICT (household_id, day) DO NOTHING",
        )
        .bind(household)
        .bind(day.to_string())
        .bind(app_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    if taken as usize != days.len() {
        return Err(AppError::rule("start_date", Msg::ErrHouseholdPassTooSoon, c.policy.household_every_days.to_string()));
    }
    Ok(())
}

/// Gives a household's days back when its pass will not be used
/// (withdrawn, rejected, cancelled); a used or expired pass keeps them.
pub(super) async fn release_household_days(tx: &mut Tx<'_>, app_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM household_days WHERE application_id = $1").bind(app_id).execute(&mut **tx).await?;
    Ok(())
}

pub(super) async fn release_claims(tx: &mut Tx<'_>, app_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM application_claims WHERE application_id = $1").bind(app_id).execute(&mut **tx).await?;
    Ok(())
}

/// Replaces the entrants of an earlier version with the form's.
/// A person's photo and consent, as stored before a resubmission.
#[derive(sqlx::FromRow)]
struct KeptPhoto {
    doc_mac: String,
    face_consent_at: Option<i64>,
    mime: Option<String>,
    data: Option<String>,
}

pub(super) async fn replace_entrants(st: &AppState, tx: &mut Tx<'_>, app_id: &str, c: &Checked, now: i64) -> Result<(), sqlx::Error> {
    // A person still on the form with the same document keeps the photo
    // and consent they gave, unless a new photo came with the form.
    let kept: Vec<KeptPhoto> = sqlx::query_as(
        "SELECT e.doc_mac, e.face_consent_at, p.mime, p.data FROM entrants e LEFT JOIN entrant_photos p ON p.entrant_id = e.id WHERE e.application_id = $1",
    )
    .bind(app_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut script = Script::new();
    script
        .push(Statement::new("DELETE FROM entrant_photos WHERE entrant_id IN (SELECT id FROM entrants WHERE application_id = $1)").bind(app_id))
        .push(Statement::new("DELETE FROM entrants WHERE application_id = $1").bind(app_id))
        .append(entrant_writes(st, app_id, c, now));
    script.execute(tx).await?;
    for e in c.entrants.iter().filter(|e| e.photo.is_none()) {
        let mac = st.keys.pii_mac(&e.doc.claim_text());
        let Some(KeptPhoto { face_consent_at: Some(consent_at), mime: Some(mime), data: Some(data), .. }) = kept.iter().find(|k| k.doc_mac == mac)
        else {
            continue;
        };
        let (entrant_id,): (String,) =
            sqlx::query_as("SELECT id FROM entrants WHERE application_id = $1 AND doc_mac = $2").bind(app_id).bind(&mac).fetch_one(&mut **tx).await?;
        sqlx::query("UPDATE entrants SET face_consent_at = $1 WHERE id = $2").bind(consent_at).bind(&entrant_id).execute(&mut **tx).await?;
        sqlx::query("INSERT INTO entrant_photos (entrant_id, mime, data) VALUES ($1, $2, $3)")
            .bind(&entrant_id)
            .bind(mime)
            .bind(data)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The inserts of the form's entrants (one row each, and one per photo).
pub(super) fn entrant_writes(st: &AppState, app_id: &str, c: &Checked, now: i64) -> Script {
    let mut script = Script::new();
    for (i, e) in c.entrants.iter().enumerate() {
        let id = new_id();
        script.push(
            Statement::new(
                "INSERT INTO entrants (id, application_id, position, name, phone, doc_type, doc_sealed, doc_mac, doc_masked, in_vehicle, face_consent_at,
                    doc_consent_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&id)
            .bind(app_id)
            .bind(i as i64)
            .bind(&e.name)
            .bind(e.phone.as_ref().map(|p| p.as_str().to_owned()))
            .bind(e.doc.doc_type.code())
            .bind(st.keys.seal_pii(e.doc.as_str()))
            .bind(st.keys.pii_mac(&e.doc.claim_text()))
            .bind(e.doc.masked())
            .bind(e.in_vehicle as i64)
            .bind(e.photo.as_ref().map(|_| now))
            .bind(c.doc_consent.then_some(now)),
        );
        if let Some(photo) = &e.photo {
            let mime = photo.trim_start_matches("data:").split(';').next().unwrap_or("image/jpeg").to_owned();
            script.push(Statement::new("INSERT INTO entrant_photos (entrant_id, mime, data) VALUES ($1, $2, $3)").bind(id).bind(mime).bind(photo));
        }
    }
    script
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn event(
    tx: &mut Tx<'_>,
    app_id: &str,
    now: i64,
    actor: &str,
    action: &str,
    from: Status,
    to: Status,
    note: &str,
    changes: serde_json::Value,
) -> Result<(), sqlx::Error> {
    event_writes(app_id, now, actor, action, from, to, note, changes).execute(tx).await?;
    Ok(())
}

/// The application's event and its audit entry (one row each).
#[allow(clippy::too_many_arguments)]
pub(super) fn event_writes(
    app_id: &str,
    now: i64,
    actor: &str,
    action: &str,
    from: Status,
    to: Status,
    note: &str,
    changes: serde_json::Value,
) -> Script {
    let mut script = Script::new();
    script
        .push(
            Statement::new(
                "INSERT INTO application_events (id, application_id, at, actor, action, from_status, to_status, note, changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(new_id())
            .bind(app_id)
            .bind(now)
            .bind(actor)
            .bind(action)
            .bind(from.code())
            .bind(to.code())
            .bind(note)
            .bind(changes.to_string()),
        )
        .push(audit::entry(
            now,
            actor,
            action,
            "application",
            app_id,
            json!({"before": {"status": from.code()}, "after": {"status": to.code()}, "note": note, "changes": changes}),
            Some(&client_ip()),
        ));
    script
}

pub(super) fn waiting(chain: &[ChainStep], status: Status) -> (Option<String>, Option<String>) {
    match status {
        Status::InReview { step } => chain.get(step as usize).map(|s| (s.staff_id.clone(), s.department_id.clone())).unwrap_or((None, None)),
        _ => (None, None),
    }
}

pub(super) async fn apply_edits(st: &AppState, tx: &mut Tx<'_>, id: &str, a: &Loaded, e: &ApproverEdits) -> Result<(), AppError> {
    let new_plate = (!e.plate.is_empty()).then(|| e.plate.clone());
    if new_plate != a.plate {
        sqlx::query("DELETE FROM application_claims WHERE application_id = $1 AND kind = 'plate'").bind(id).execute(&mut **tx).await?;
        if let Some(p) = &new_plate {
            if crate::rules::listed::first_listed(&mut **tx, &[(crate::rules::BlacklistKind::Plate, p)]).await?.is_some() {
                return Err(AppError::invalid("plate", Msg::ErrNotPermitted));
            }
            vehicle_not_inside(&mut **tx, p).await?;
            no_unpaid_fee(&mut **tx, p).await?;
            let r = sqlx::query("INSERT INTO application_claims (kind, claim_key, application_id) VALUES ('plate', $1, $2)")
                .bind(p)
                .bind(id)
                .execute(&mut **tx)
                .await;
            if let Err(err) = r {
                return Err(if is_unique_violation(&err) {
                    AppError::rule("plate", Msg::ErrDuplicatePlate, Plate::parse(p).map(|p| p.masked()).unwrap_or_default())
                } else {
                    err.into()
                });
            }
        }
    }
    sqlx::query("UPDATE applications SET start_date = $1, end_date = $2, reason_id = $3, plate = $4 WHERE id = $5")
        .bind(&e.start_date)
        .bind(&e.end_date)
        .bind((!e.reason_id.is_empty()).then(|| e.reason_id.clone()))
        .bind(new_plate)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let _ = st;
    Ok(())
}
