//! The offline side's server half: the roster a phone or device keeps, and
//! the events it decided by itself, stored once each.

use super::arrivals::{self, Arrival};
use super::passage::{fees_of, passage, spend};
use super::scan::Scanner;
use super::scan_context::gate;
use super::stored::*;
use super::token::public_keys;
use super::*;
pub use crate::domain::roster::{Roster, RosterPass};
use crate::i18n::Msg;
use crate::platform::context::AppState;
use crate::platform::db::new_id;

/// A pass as the roster query returns it.
#[derive(sqlx::FromRow)]
pub(super) struct RosterRow {
    pub(super) id: String,
    pub(super) holder: String,
    pub(super) kind: String,
    pub(super) vehicle: i64,
    pub(super) single_use: i64,
    /// 0 when unused.
    pub(super) used_at: i64,
    pub(super) valid_from: i64,
    pub(super) valid_until: i64,
    pub(super) category: String,
    pub(super) vehicle_gates: String,
    pub(super) cancelled: i64,
    pub(super) doc_type: Option<String>,
    /// The policy's document at issue; empty for passes issued before.
    pub(super) check_document: String,
    pub(super) blacklisted: i64,
    pub(super) holder_note: String,
}

/// A pass as a roster lists it, or its id alone when it must no longer let
/// anyone in. Blacklisted passes go out as withdrawn ids: the phone is not
/// told who is blacklisted (offline it says "cancelled").
pub(super) fn roster_entry(r: RosterRow, valid_text: String) -> Result<RosterPass, String> {
    if r.cancelled != 0 || r.blacklisted != 0 {
        return Err(r.id);
    }
    let vehicle = r.vehicle != 0;
    Ok(RosterPass {
        holder: if vehicle { r.holder } else { mask_name(&r.holder) },
        kind: crate::domain::roster::kind_on_wire(&r.kind, vehicle),
        vehicle,
        single_use: r.single_use != 0,
        used: r.used_at != 0,
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        valid_text,
        official: r.category == "official",
        allowed_vehicle_gates: serde_json::from_str(&r.vehicle_gates).unwrap_or_default(),
        check_document: if vehicle {
            "vehicle".into()
        } else if !r.check_document.is_empty() {
            r.check_document
        } else {
            r.doc_type.unwrap_or_else(|| "resident_id".into())
        },
        note: r.holder_note,
        pid: r.id,
    })
}

/// Passes valid today at a campus (changed since `since`, when given), and
/// the ids that must no longer let anyone in: what a phone or device needs
/// offline. A delta also carries the passes that entered the day's window
/// since the last sync (booked earlier, valid from today).
pub async fn roster(st: &AppState, campus_id: &str, since: Option<i64>) -> Result<Roster, AppError> {
    const DAY: i64 = 24 * 3_600_000;
    let now = st.clock.now_ms();
    let since_ms = since.unwrap_or(0).max(0);
    let rows: Vec<RosterRow> = sqlx::query_as(&format!(
        "SELECT p.id, p.holder, p.kind, p.vehicle, p.single_use, COALESCE(p.used_at, 0) AS used_at, p.valid_from, p.valid_until,
                COALESCE(r.category, 'private') AS category, COALESCE(r.vehicle_gates, '[]') AS vehicle_gates,
                CASE WHEN p.cancelled_at IS NULL THEN 0 ELSE 1 END AS cancelled, e.doc_type, p.check_document,
                CASE WHEN {listed} THEN 1 ELSE 0 END AS blacklisted, p.holder_note
         FROM passes p JOIN applications a ON a.id = p.application_id LEFT JOIN visit_reasons r ON r.id = a.reason_id
         LEFT JOIN entrants e ON e.id = p.entrant_id
         WHERE p.campus_id = $1 AND p.valid_until > $2 AND p.valid_from < $3 AND (p.updated_at >= $4 OR p.valid_from >= $5)",
        listed = crate::rules::listed::PASS_HOLDER_LISTED
    ))
    .bind(campus_id)
    .bind(now)
    .bind(now + DAY)
    .bind(since_ms)
    .bind(since_ms + DAY)
    .fetch_all(&st.db.read)
    .await?;
    let mut passes = Vec::new();
    let mut cancelled = Vec::new();
    for r in rows {
        let text = format!("{} → {}", st.clock.format(r.valid_from), st.clock.format(r.valid_until - 1));
        match roster_entry(r, text) {
            Ok(p) => passes.push(p),
            Err(id) => cancelled.push(id),
        }
    }
    let gates: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM gates WHERE campus_id = $1 ORDER BY created_at").bind(campus_id).fetch_all(&st.db.read).await?;
    let mut gate_facts = Vec::with_capacity(gates.len());
    for (id,) in gates {
        gate_facts.push(gate(st, &id).await?.facts);
    }
    Ok(Roster {
        campus_id: campus_id.to_owned(),
        generated_at: now,
        delta: since.is_some(),
        keys: public_keys(st).await?,
        gates: gate_facts,
        passes,
        cancelled,
    })
}

/// The scanner's queue as its phone keeps it, each a `QueuedEvent`'s JSON
/// text (the scanner's bundle carries no decoder for them). The signed-in
/// guard's events (and those queued before events named their guard) are
/// ingested per gate as `guard_sync` would; the ids done with — stored,
/// stored before, or refused for their time — are returned for the phone
/// to forget. Another guard's events, and a gate this guard is no longer
/// posted at, stay on the phone.
pub async fn ingest_queue(st: &AppState, me: &crate::platform::context::Principal, raw: &[String]) -> Result<Vec<String>, AppError> {
    if raw.len() > MAX_EVENTS_PER_BATCH {
        return Err(AppError::invalid("events", Msg::ErrTooManyEvents));
    }
    let staff_no = me.staff().map(|s| s.staff_no.as_str()).unwrap_or_default();
    let mut by_gate: std::collections::BTreeMap<String, Vec<OfflineEvent>> = Default::default();
    for text in raw {
        match serde_json::from_str::<super::offline::QueuedEvent>(text) {
            Ok(q) if q.guard.is_empty() || q.guard == staff_no => by_gate.entry(q.gate_id).or_default().push(q.event),
            Ok(_) => {}
            Err(_) => tracing::warn!("a queued scan that does not parse was refused"),
        }
    }
    let mut done = Vec::new();
    for (gate_id, events) in by_gate {
        if !me.has_scoped(crate::domain::Role::Guard, &gate_id) {
            continue;
        }
        // A gate that fails (deleted since) keeps its events on the phone
        // and does not hold up the others'.
        match ingest(st, &Scanner::guard(me), &gate_id, &events).await {
            Ok(_) => done.extend(events.into_iter().map(|e| e.event_id)),
            Err(e) => tracing::warn!(gate = gate_id, error = %e, "queued scans of a gate were not stored"),
        }
    }
    Ok(done)
}

/// Stores each event once, however often it is sent: `(source, event_id)`
/// is unique. An offline admission of a single-use pass spends it; a second
/// one is kept and flagged as a conflict. Admissions move the holder in or
/// out (who is on campus, vehicles' fees) unless a newer state is known.
pub async fn ingest(st: &AppState, who: &Scanner, gate_id: &str, events: &[OfflineEvent]) -> Result<IngestOutcome, AppError> {
    let g = gate(st, gate_id).await?;
    if events.len() > MAX_EVENTS_PER_BATCH {
        return Err(AppError::invalid("events", Msg::ErrTooManyEvents));
    }
    if !events.iter().all(|e| crate::domain::gate::event_id_ok(&e.event_id)) {
        return Err(AppError::invalid("event_id", Msg::ErrRequired));
    }
    let source = who.source();
    let (guard, device) = who.columns();
    let now = st.clock.now_ms();
    let mut out = IngestOutcome { accepted: 0, duplicates: 0, conflicts: vec![], rejected: vec![] };
    for e in events {
        let key = format!("{source}:{}", e.event_id);
        let mut tx = st.db.write.begin().await?;
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM scan_events WHERE event_key = $1").bind(&key).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            out.duplicates += 1;
            continue;
        }
        let pass: Option<StoredPass> = match &e.pass_id {
            Some(pid) => sqlx::query_as(&format!("{PASS_SELECT} WHERE id = $1")).bind(pid).fetch_optional(&mut *tx).await?,
            None => None,
        };
        // Only passes of this gate's campus count; anything else is kept as told.
        let pass = pass.map(PassRow::from).filter(|p| p.campus_id == g.facts.campus_id);
        // A time nobody can vouch for moves nobody: a years-old entry would
        // charge years of parking, a future exit keep a car inside.
        let admitted_on = pass.as_ref().filter(|_| e.allowed).map(|p| (p.valid_from, p.valid_until));
        if let Err(problem) = crate::domain::gate::offline_event_time(e.at, now, admitted_on) {
            tracing::warn!(?problem, gate = gate_id, "offline event refused for its time");
            out.rejected.push(e.event_id.clone());
            continue;
        }
        let mut conflict = false;
        // This event is the pass's first entry (the host is told).
        let mut first_entry = false;
        if let (true, Some(p)) = (e.allowed, &pass) {
            if p.single_use && e.direction == Direction::In {
                conflict = !spend(&mut tx, &p.id, gate_id, e.at, now).await?;
                first_entry = !conflict;
            }
            if !conflict {
                let fees = fees_of(&mut tx, &p.application_id).await?;
                passage(&mut tx, p, &fees, gate_id, e.direction, e.at).await?;
            }
            // An offline entry marks the pass used, as an online one does.
            if !p.single_use && e.direction == Direction::In && p.used_at.is_none() {
                let marked = sqlx::query("UPDATE passes SET used_at = $1, updated_at = $2 WHERE id = $3 AND used_at IS NULL")
                    .bind(e.at)
                    .bind(now)
                    .bind(&p.id)
                    .execute(&mut *tx)
                    .await?;
                first_entry = marked.rows_affected() == 1;
            }
        }
        let texts = match (&pass, first_entry) {
            (Some(p), true) => arrivals::queue(st, &mut tx, &[Arrival { pass_id: &p.id, gate_id, at: e.at }], now).await?,
            _ => vec![],
        };
        let r = sqlx::query(
            "INSERT INTO scan_events (id, event_key, at, recorded_at, campus_id, gate_id, guard, device_id, direction, method, pass_id, plate, allowed, reason, offline, conflict)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'offline', $10, $11, $12, $13, 1, $14)",
        )
        .bind(new_id())
        .bind(&key)
        .bind(e.at)
        .bind(now)
        .bind(&g.facts.campus_id)
        .bind(gate_id)
        .bind(guard)
        .bind(device)
        .bind(e.direction.code())
        .bind(&e.pass_id)
        .bind(e.plate.clone().or_else(|| pass.as_ref().filter(|p| p.vehicle).map(|p| p.holder.clone())))
        .bind(e.allowed as i64)
        .bind(e.reason.code())
        .bind(conflict as i64)
        .execute(&mut *tx)
        .await;
        match r {
            Ok(_) => {
                tx.commit().await?;
                arrivals::deliver(st, &tokio::runtime::Handle::current(), texts);
                out.accepted += 1;
                if conflict {
                    out.conflicts.push(e.pass_id.clone().unwrap_or_default());
                }
            }
            // Sent twice at the same moment: the other copy is stored.
            Err(err) if crate::platform::db::is_unique_violation(&err) => out.duplicates += 1,
            Err(err) => return Err(err.into()),
        }
    }
    Ok(out)
}
