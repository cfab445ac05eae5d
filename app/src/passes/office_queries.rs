//! The security office's queries and actions behind `office.rs`: the scan
//! log, who is on campus, gates to filter by, signing keys, parking fees
//! settled and stale "inside" states cleared.

use super::stored::mask_name;
use super::*;
use crate::domain::Plate;
use crate::i18n::Msg;
use crate::platform::context::AppState;

pub async fn settle_fees(st: &AppState, me: &crate::platform::context::Principal, plate: &str) -> Result<i64, AppError> {
    let plate = Plate::parse(plate).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let cents = super::passage::unpaid_fee_cents(&mut *tx, plate.as_str()).await?;
    sqlx::query("UPDATE parking_fees SET settled_at = $1, settled_by = $2 WHERE plate = $3 AND settled_at IS NULL")
        .bind(now)
        .bind(me.actor_label())
        .bind(plate.as_str())
        .execute(&mut *tx)
        .await?;
    crate::platform::audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "settle_fees",
        "vehicle",
        plate.as_str(),
        serde_json::json!({"cents": cents}),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(cents)
}

pub async fn clear_inside(st: &AppState, me: &crate::platform::context::Principal, plate: &str, reason: &str) -> Result<(), AppError> {
    let plate = Plate::parse(plate).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?;
    let reason = crate::fields::text("reason", reason, 200)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let r = sqlx::query("DELETE FROM vehicles_inside WHERE plate = $1").bind(plate.as_str()).execute(&mut *tx).await?;
    if r.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    crate::platform::audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "clear_inside",
        "vehicle",
        plate.as_str(),
        serde_json::json!({"reason": reason}),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
// ------------------------------------------------------------ the security office

/// A scan event as the log query returns it (the joined names may be gone).
#[derive(sqlx::FromRow)]
struct ScanLogRow {
    at: i64,
    campus: Option<String>,
    gate: Option<String>,
    direction: String,
    method: String,
    allowed: i64,
    reason: String,
    offline: i64,
    conflict: i64,
    guard: Option<String>,
    device: Option<String>,
    holder: Option<String>,
    vehicle: Option<i64>,
    kind: Option<String>,
}

/// One page of the scan log, newest first.
pub async fn scan_log(st: &AppState, f: &ScanFilter) -> Result<Vec<ScanRow>, AppError> {
    let mut sql = String::from(
        "SELECT e.at, c.name AS campus, g.name AS gate, e.direction, e.method, e.allowed, e.reason, e.offline, e.conflict, e.guard, d.name AS device,
                p.holder, p.vehicle, p.kind
         FROM scan_events e LEFT JOIN campuses c ON c.id = e.campus_id LEFT JOIN gates g ON g.id = e.gate_id
         LEFT JOIN gate_devices d ON d.id = e.device_id LEFT JOIN passes p ON p.id = e.pass_id WHERE 1 = 1",
    );
    let day_start = |d: &str, next: bool| -> Option<i64> {
        let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?;
        Some(if next { st.clock.end_of_day(date) } else { st.clock.start_of_day(date) })
    };
    // Empty filters match everything; the newest-first index serves the rest.
    sql.push_str(
        " AND ($1 = '' OR e.campus_id = $1) AND ($2 = '' OR e.gate_id = $2) AND e.at >= $3 AND e.at < $4
          AND ($5 = '' OR ($5 = 'allowed' AND e.allowed = 1) OR ($5 = 'refused' AND e.allowed = 0) OR ($5 = 'conflict' AND e.conflict = 1))
          ORDER BY e.at DESC LIMIT 100 OFFSET $6",
    );
    let q = sqlx::query_as::<_, ScanLogRow>(&sql)
        .bind(&f.campus_id)
        .bind(&f.gate_id)
        .bind(day_start(&f.from, false).unwrap_or(0))
        .bind(day_start(&f.to, true).unwrap_or(i64::MAX))
        .bind(&f.verdict)
        .bind(f.offset.max(0));
    let rows = q.fetch_all(&st.db.read).await?;
    Ok(rows
        .into_iter()
        .map(|r| ScanRow {
            at: st.clock.format(r.at),
            campus: r.campus.unwrap_or_default(),
            gate: r.gate.unwrap_or_default(),
            direction: if r.direction == "in" { Direction::In } else { Direction::Out },
            method: r.method,
            allowed: r.allowed != 0,
            reason: Reason::from_code(&r.reason).unwrap_or(Reason::Malformed),
            offline: r.offline != 0,
            conflict: r.conflict != 0,
            scanner: r.guard.or(r.device.map(|d| format!("device:{d}"))).unwrap_or_default(),
            // The log names people masked; plates in full.
            kind: r.kind.map(|k| crate::domain::roster::kind_on_wire(&k, r.vehicle == Some(1))).unwrap_or_default(),
            holder: match (r.holder, r.vehicle) {
                (Some(h), Some(1)) => h,
                (Some(h), _) => mask_name(&h),
                (None, _) => String::new(),
            },
        })
        .collect())
}

/// Who is on campus now: people by their last entry without an exit, and
/// vehicles recorded inside.
pub async fn on_campus(st: &AppState, campus_id: &str) -> Result<OnCampus, AppError> {
    #[derive(sqlx::FromRow)]
    struct PersonInside {
        campus: String,
        holder: String,
        entered_at: i64,
        gate: Option<String>,
        kind: String,
        valid_until: i64,
    }
    let people: Vec<PersonInside> = sqlx::query_as(
        "SELECT c.name AS campus, p.holder, i.entered_at, g.name AS gate, p.kind, p.valid_until FROM people_inside i JOIN passes p ON p.id = i.pass_id
         JOIN campuses c ON c.id = i.campus_id LEFT JOIN gates g ON g.id = i.gate_id
         WHERE ($1 = '' OR i.campus_id = $1) ORDER BY i.entered_at DESC LIMIT 1000",
    )
    .bind(campus_id)
    .fetch_all(&st.db.read)
    .await?;
    let vehicles: Vec<(String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT c.name, v.plate, v.entered_at, g.name FROM vehicles_inside v JOIN campuses c ON c.id = v.campus_id LEFT JOIN gates g ON g.id = v.gate_id
         WHERE ($1 = '' OR v.campus_id = $1) ORDER BY v.entered_at DESC LIMIT 1000",
    )
    .bind(campus_id)
    .fetch_all(&st.db.read)
    .await?;
    let now = st.clock.now_ms();
    Ok(OnCampus {
        people: people
            .into_iter()
            .map(|p| InsideRow {
                campus: p.campus,
                who: mask_name(&p.holder),
                entered_at: st.clock.format(p.entered_at),
                gate: p.gate.unwrap_or_default(),
                kind: crate::domain::roster::kind_on_wire(&p.kind, false),
                overdue: p.valid_until <= now,
            })
            .collect(),
        vehicles: vehicles
            .into_iter()
            .map(|(campus, plate, at, gate)| InsideRow {
                campus,
                who: plate,
                entered_at: st.clock.format(at),
                gate: gate.unwrap_or_default(),
                kind: "vehicle".into(),
                overdue: false,
            })
            .collect(),
    })
}

pub async fn campuses_and_gates(st: &AppState) -> Result<Vec<GateOption>, AppError> {
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT c.id, c.name, g.id, g.name FROM gates g JOIN campuses c ON c.id = g.campus_id ORDER BY c.created_at, g.created_at")
            .fetch_all(&st.db.read)
            .await?;
    Ok(rows.into_iter().map(|(campus_id, campus, gate_id, gate)| GateOption { campus_id, campus, gate_id, gate }).collect())
}

pub async fn signing_keys(st: &AppState) -> Result<Vec<SigningKeyView>, AppError> {
    let rows: Vec<(String, i64, Option<i64>)> =
        sqlx::query_as("SELECT kid, created_at, retired_at FROM signing_keys ORDER BY created_at DESC").fetch_all(&st.db.read).await?;
    let current = st.keys.signing().0;
    Ok(rows
        .into_iter()
        .map(|(kid, created, retired)| SigningKeyView {
            current: kid == current,
            kid,
            created_at: st.clock.format(created),
            retired_at: retired.map(|r| st.clock.format(r)),
        })
        .collect())
}

pub async fn rotate_signing_key(st: &AppState, me: &crate::platform::context::Principal) -> Result<String, AppError> {
    let now = st.clock.now_ms();
    let kid = st.keys.rotate(&st.db, now).await.map_err(|e| {
        tracing::error!(error = %e, "rotating the signing key failed");
        AppError::Internal
    })?;
    let mut tx = st.db.write.begin().await?;
    crate::platform::audit::record(&mut *tx, now, &me.actor_label(), "rotate_signing_key", "signing_key", &kid, serde_json::json!({}), None).await?;
    tx.commit().await?;
    Ok(kid)
}
