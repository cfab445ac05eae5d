//! Manual admissions (人工放行, seed 002 §十二): when the system is down a
//! guard admits a person on the security office's telephoned instruction.
//! The scanner's `/scan/manual` form keeps each in the phone's queue and
//! the scanner syncs it with the other offline events; here it is stored
//! once (a scan event, `method = 'manual'`, and its record) and listed for
//! the office, who review each afterwards (audited).

use super::*;
use crate::components::LIST_PAGE;
use crate::domain::Role;
use crate::domain::manual_admission::ManualAdmission;
use crate::i18n::Msg;
use crate::platform::audit;
use crate::platform::context::{AppState, Principal, client_ip};
use crate::platform::db::{is_unique_violation, new_id};
use serde_json::json;

/// Stores what a guard's phone queued; the ids it is done with (stored now
/// or before, or refused as no phone of ours would send it), which the
/// phone then forgets. Another guard's entries stay on the phone for them.
pub async fn sync_manual(st: &AppState, me: &Principal, raw: &[String]) -> Result<Vec<String>, AppError> {
    let Some(staff) = me.staff() else { return Err(AppError::Forbidden) };
    if raw.len() > MAX_EVENTS_PER_BATCH {
        return Err(AppError::invalid("entries", Msg::ErrTooManyEvents));
    }
    let now = st.clock.now_ms();
    let mut done = Vec::new();
    for text in raw {
        let Ok(e) = serde_json::from_str::<ManualEntry>(text) else {
            tracing::warn!("a manual admission that does not parse was refused");
            continue;
        };
        if e.guard != staff.staff_no {
            continue;
        }
        if !crate::domain::gate::event_id_ok(&e.id) {
            continue;
        }
        // Only at a gate this guard is posted at: else it stays on the
        // phone (a posting renewed lets it through; nothing is lost).
        if !me.has_scoped(Role::Guard, &e.gate_id) {
            continue;
        }
        // As the form allows; the form checks the same, so anything else
        // was not made by it: refused, and the phone forgets it.
        let Ok(admission) = ManualAdmission::new(&e.name, &e.document, &e.authorised_by, &e.reason) else {
            tracing::warn!(gate = e.gate_id, "a manual admission the form would not make was refused");
            done.push(e.id);
            continue;
        };
        // Someone was admitted: a phone's wrong clock does not lose the
        // record; its time is kept within what can be believed.
        let at = e.at.clamp(now.saturating_sub(crate::domain::gate::OFFLINE_EVENT_MAX_AGE_MS), now);
        let campus: Option<(String,)> =
            sqlx::query_as("SELECT campus_id FROM gates WHERE id = $1").bind(&e.gate_id).fetch_optional(&st.db.read).await?;
        let Some((campus_id,)) = campus else {
            done.push(e.id);
            continue;
        };
        let key = format!("guard:{}:manual:{}", staff.id, e.id);
        let scan_id = new_id();
        let mut tx = st.db.write.begin().await?;
        let stored = sqlx::query(
            "INSERT INTO scan_events (id, event_key, at, recorded_at, campus_id, gate_id, guard, device_id, direction, method, pass_id, plate, allowed, reason, offline, conflict)
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, 'manual', NULL, NULL, 1, 'ok', 0, 0)",
        )
        .bind(&scan_id)
        .bind(&key)
        .bind(at)
        .bind(now)
        .bind(&campus_id)
        .bind(&e.gate_id)
        // As every scan records its guard (`Scanner::columns`): the label.
        .bind(me.actor_label())
        .bind(e.direction.code())
        .execute(&mut *tx)
        .await;
        match stored {
            Ok(_) => {}
            // Sent before (a retry, or two syncs at once): stored once.
            Err(err) if is_unique_violation(&err) => {
                done.push(e.id);
                continue;
            }
            Err(err) => return Err(err.into()),
        }
        sqlx::query(
            "INSERT INTO manual_admissions (id, scan_event_id, campus_id, gate_id, guard_staff_id, at, direction, name, doc_masked, authorised_by, reason, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(new_id())
        .bind(&scan_id)
        .bind(&campus_id)
        .bind(&e.gate_id)
        .bind(&staff.id)
        .bind(at)
        .bind(e.direction.code())
        .bind(admission.name())
        .bind(admission.document_masked())
        .bind(admission.authorised_by())
        .bind(admission.reason())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        done.push(e.id);
    }
    Ok(done)
}

#[derive(sqlx::FromRow)]
struct ManualRecord {
    id: String,
    at: i64,
    campus: String,
    gate: String,
    direction: String,
    guard: String,
    name: String,
    doc_masked: String,
    authorised_by: String,
    reason: String,
    reviewed_at: Option<i64>,
    reviewed_by: Option<String>,
    review_note: Option<String>,
}

/// `$1`: `pending`, `reviewed` or anything else for all.
const MANUAL: &str = "SELECT m.id, m.at, c.name AS campus, g.name AS gate, m.direction, s.staff_no || ' ' || s.name AS guard, m.name, m.doc_masked,
            m.authorised_by, m.reason, m.reviewed_at, m.reviewed_by, m.review_note
     FROM manual_admissions m JOIN campuses c ON c.id = m.campus_id JOIN gates g ON g.id = m.gate_id JOIN staff s ON s.id = m.guard_staff_id
     WHERE ($1 = 'pending' AND m.reviewed_at IS NULL) OR ($1 = 'reviewed' AND m.reviewed_at IS NOT NULL) OR $1 NOT IN ('pending', 'reviewed')
     ORDER BY m.at DESC, m.id";

pub async fn list_manual(st: &AppState, status: &str, offset: i64) -> Result<Vec<ManualRow>, AppError> {
    let rows: Vec<ManualRecord> =
        sqlx::query_as(&format!("{MANUAL} LIMIT {LIST_PAGE} OFFSET $2")).bind(status).bind(offset.max(0)).fetch_all(&st.db.read).await?;
    Ok(rows
        .into_iter()
        .map(|r| ManualRow {
            id: r.id,
            at: st.clock.format(r.at),
            campus: r.campus,
            gate: r.gate,
            direction: if r.direction == "out" { Direction::Out } else { Direction::In },
            guard: r.guard,
            name: r.name,
            document: r.doc_masked,
            authorised_by: r.authorised_by,
            reason: r.reason,
            reviewed: r
                .reviewed_at
                .map(|t| format!("{} {} {}", st.clock.format(t), r.reviewed_by.unwrap_or_default(), r.review_note.unwrap_or_default())),
        })
        .collect())
}

/// Marks one manual admission reviewed by the office, with a note; once.
pub async fn review_manual(st: &AppState, me: &Principal, id: &str, note: &str) -> Result<(), AppError> {
    let note = crate::fields::optional_text("note", note, 200)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let marked =
        sqlx::query("UPDATE manual_admissions SET reviewed_at = $1, reviewed_by = $2, review_note = $3 WHERE id = $4 AND reviewed_at IS NULL")
            .bind(now)
            .bind(me.actor_label())
            .bind(&note)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if marked == 0 {
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM manual_admissions WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        return Err(if exists.is_some() { AppError::Conflict { msg: Msg::ErrAlreadyHandled } } else { AppError::NotFound });
    }
    audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "review_manual_admission",
        "manual_admission",
        id,
        json!({"before": {"reviewed": false}, "after": {"reviewed": true, "note": note}}),
        Some(&client_ip()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The manual admissions as a file's rows, newest first: `pending`,
/// `reviewed` or all. Names masked unless `unmasked`; documents always.
pub fn manual_export(st: &AppState, status: String, lang: crate::i18n::Lang, unmasked: bool) -> crate::platform::export::Sheet {
    use crate::i18n::{OfficeMsg, PageMsg};
    use crate::platform::export;
    let headers = [
        OfficeMsg::Time.text(lang),
        Msg::Gate.text(lang),
        Msg::Direction.text(lang),
        OfficeMsg::Scanner.text(lang),
        OfficeMsg::ManualWho.text(lang),
        PageMsg::ManualDocument.text(lang),
        OfficeMsg::AuthorisedBy.text(lang),
        PageMsg::ManualReason.text(lang),
        OfficeMsg::ManualReviewed.text(lang),
    ];
    let st = st.clone();
    let rows = export::rows(move |out| async move {
        let records = sqlx::query_as::<_, ManualRecord>(MANUAL).bind(&status).fetch(&st.db.read);
        export::send_all(&out, records, |r| {
            let reviewed = r
                .reviewed_at
                .map(|t| format!("{} {} {}", st.clock.format(t), r.reviewed_by.unwrap_or_default(), r.review_note.unwrap_or_default()))
                .unwrap_or_default();
            vec![
                st.clock.format(r.at).into(),
                format!("{} {}", r.campus, r.gate).into(),
                (if r.direction == "out" { Msg::DirOut } else { Msg::DirIn }).text(lang).into(),
                r.guard.into(),
                (if unmasked { r.name } else { super::stored::mask_name(&r.name) }).into(),
                r.doc_masked.into(),
                r.authorised_by.into(),
                r.reason.into(),
                reviewed.into(),
            ]
        })
        .await?;
        Ok(())
    });
    export::Sheet::new(&headers, rows)
}
