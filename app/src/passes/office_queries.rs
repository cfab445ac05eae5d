//! The security office's queries and actions behind `office.rs`: the scan
//! log, who is on campus, gates to filter by, signing keys and stale
//! "inside" states cleared.

use super::stored::mask_name;
use super::*;
use crate::domain::Plate;
use crate::i18n::Lang;
use crate::i18n::Msg;
use crate::platform::context::AppState;
use crate::platform::export::{self, Sheet};

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

/// The scan log's query, newest first: the page reads 100 at a time, an
/// export all of it. Empty filters match everything; the newest-first
/// index serves the rest.
/// The scan log's columns over `events` (the table, or one page of it).
fn scan_log_sql(events: &str) -> String {
    format!(
        "SELECT e.at, c.name AS campus, g.name AS gate, e.direction, e.method, e.allowed, e.reason, e.offline, e.conflict, e.guard,
            d.name AS device, p.holder, p.vehicle, p.kind
         FROM {events} e LEFT JOIN campuses c ON c.id = e.campus_id LEFT JOIN gates g ON g.id = e.gate_id
         LEFT JOIN gate_devices d ON d.id = e.device_id LEFT JOIN passes p ON p.id = e.pass_id"
    )
}

/// Which events the office's filter keeps.
const SCAN_FILTER: &str = "WHERE ($1 = '' OR e.campus_id = $1) AND ($2 = '' OR e.gate_id = $2) AND e.at >= $3 AND e.at < $4
       AND ($5 = '' OR ($5 = 'allowed' AND e.allowed = 1) OR ($5 = 'refused' AND e.allowed = 0) OR ($5 = 'conflict' AND e.conflict = 1))";

fn scan_log_query<'q>(
    st: &AppState,
    sql: &'q str,
    f: &'q ScanFilter,
) -> sqlx::query::QueryAs<'q, sqlx::Any, ScanLogRow, sqlx::any::AnyArguments<'q>> {
    let (from, to) = st.clock.span_of_days(&f.from, &f.to);
    sqlx::query_as::<_, ScanLogRow>(sql).bind(&f.campus_id).bind(&f.gate_id).bind(from).bind(to).bind(&f.verdict)
}

/// A scan as the office reads it: people masked unless `unmasked`
/// (a security admin's export), plates in full.
fn scan_row(st: &AppState, r: ScanLogRow, unmasked: bool) -> ScanRow {
    ScanRow {
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
        kind: r.kind.map(|k| crate::domain::roster::kind_on_wire(&k, r.vehicle == Some(1))).unwrap_or_default(),
        holder: match (r.holder, r.vehicle) {
            (Some(h), Some(1)) => h,
            (Some(h), _) if unmasked => h,
            (Some(h), _) => mask_name(&h),
            (None, _) => String::new(),
        },
    }
}

/// One page of the scan log, newest first.
pub async fn scan_log(st: &AppState, f: &ScanFilter) -> Result<Vec<ScanRow>, AppError> {
    // The page is taken from the events first, then joined: PostgreSQL's
    // generic plan for the prepared statement, not knowing the period,
    // joined every event of the day before sorting (0.7 s a page on a
    // busy day, measured by the bench harness).
    let sql = format!(
        "{} ORDER BY e.at DESC",
        scan_log_sql(&format!("(SELECT * FROM scan_events e {SCAN_FILTER} ORDER BY e.at DESC LIMIT 100 OFFSET $6)"))
    );
    let rows = scan_log_query(st, &sql, f).bind(f.offset.max(0)).fetch_all(&st.db.read).await?;
    Ok(rows.into_iter().map(|r| scan_row(st, r, false)).collect())
}

/// The whole scan log under `f`, as a file's rows.
pub fn scan_log_export(st: &AppState, f: ScanFilter, lang: Lang, unmasked: bool) -> Sheet {
    use crate::i18n::OfficeMsg;
    let headers = [
        OfficeMsg::Time.text(lang),
        Msg::Campus.text(lang),
        Msg::Gate.text(lang),
        Msg::Direction.text(lang),
        OfficeMsg::Verdict.text(lang),
        OfficeMsg::BlReason.text(lang),
        Msg::Offline.text(lang),
        OfficeMsg::Conflict.text(lang),
        OfficeMsg::PassKindColumn.text(lang),
        OfficeMsg::Holder.text(lang),
        OfficeMsg::Scanner.text(lang),
    ];
    let st = st.clone();
    let rows = export::rows(move |out| async move {
        let yes_no = |b: bool| if b { OfficeMsg::Yes.text(lang) } else { "" };
        let sql = format!("{} {SCAN_FILTER} ORDER BY e.at DESC", scan_log_sql("scan_events"));
        export::send_all(&out, scan_log_query(&st, &sql, &f).fetch(&st.db.read), |r| {
            let r = scan_row(&st, r, unmasked);
            vec![
                r.at.into(),
                r.campus.into(),
                r.gate.into(),
                (if r.direction == Direction::In { Msg::DirIn } else { Msg::DirOut }).text(lang).into(),
                (if r.allowed { Msg::Allow } else { Msg::Refuse }).text(lang).into(),
                r.reason.msg().text(lang).into(),
                yes_no(r.offline).into(),
                yes_no(r.conflict).into(),
                (if r.kind.is_empty() { "" } else { kind_label(&r.kind).text(lang) }).into(),
                r.holder.into(),
                r.scanner.into(),
            ]
        })
        .await?;
        Ok(())
    });
    Sheet::new(&headers, rows)
}

#[derive(sqlx::FromRow)]
struct PersonInside {
    campus: String,
    holder: String,
    entered_at: i64,
    gate: Option<String>,
    kind: String,
    valid_until: i64,
}

/// People inside (by their last entry without an exit), newest first.
const PEOPLE_INSIDE: &str = "SELECT c.name AS campus, p.holder, i.entered_at, g.name AS gate, p.kind, p.valid_until
     FROM people_inside i JOIN passes p ON p.id = i.pass_id JOIN campuses c ON c.id = i.campus_id LEFT JOIN gates g ON g.id = i.gate_id
     WHERE ($1 = '' OR i.campus_id = $1) ORDER BY i.entered_at DESC";
/// Vehicles recorded inside, newest first.
const VEHICLES_INSIDE: &str = "SELECT c.name, v.plate, v.entered_at, g.name FROM vehicles_inside v JOIN campuses c ON c.id = v.campus_id
     LEFT JOIN gates g ON g.id = v.gate_id WHERE ($1 = '' OR v.campus_id = $1) ORDER BY v.entered_at DESC";

/// Everyone and every vehicle inside, as a file's rows: people masked
/// unless `unmasked` (a security admin's export).
pub fn on_campus_export(st: &AppState, campus_id: String, lang: Lang, unmasked: bool) -> Sheet {
    use crate::i18n::OfficeMsg;
    let headers = [
        Msg::Campus.text(lang),
        OfficeMsg::PassKindColumn.text(lang),
        OfficeMsg::Holder.text(lang),
        OfficeMsg::EnteredAt.text(lang),
        Msg::Gate.text(lang),
        OfficeMsg::Overdue.text(lang),
    ];
    let st = st.clone();
    let rows = export::rows(move |out| async move {
        let now = st.clock.now_ms();
        let people = sqlx::query_as::<_, PersonInside>(PEOPLE_INSIDE).bind(&campus_id).fetch(&st.db.read);
        let more = export::send_all(&out, people, |p| {
            let who = if unmasked { p.holder } else { mask_name(&p.holder) };
            let overdue = if p.valid_until <= now { OfficeMsg::Yes.text(lang) } else { "" };
            let kind = kind_label(&crate::domain::roster::kind_on_wire(&p.kind, false)).text(lang);
            vec![p.campus.into(), kind.into(), who.into(), st.clock.format(p.entered_at).into(), p.gate.unwrap_or_default().into(), overdue.into()]
        })
        .await?;
        if more {
            let vehicles = sqlx::query_as::<_, (String, String, i64, Option<String>)>(VEHICLES_INSIDE).bind(&campus_id).fetch(&st.db.read);
            export::send_all(&out, vehicles, |(campus, plate, at, gate)| {
                vec![
                    campus.into(),
                    Msg::KindVehicle.text(lang).into(),
                    plate.into(),
                    st.clock.format(at).into(),
                    gate.unwrap_or_default().into(),
                    "".into(),
                ]
            })
            .await?;
        }
        Ok(())
    });
    Sheet::new(&headers, rows)
}

/// Who is on campus now: people by their last entry without an exit, and
/// vehicles recorded inside.
pub async fn on_campus(st: &AppState, campus_id: &str) -> Result<OnCampus, AppError> {
    let people: Vec<PersonInside> = sqlx::query_as(&format!("{PEOPLE_INSIDE} LIMIT 1000")).bind(campus_id).fetch_all(&st.db.read).await?;
    let vehicles: Vec<(String, String, i64, Option<String>)> =
        sqlx::query_as(&format!("{VEHICLES_INSIDE} LIMIT 1000")).bind(campus_id).fetch_all(&st.db.read).await?;
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
