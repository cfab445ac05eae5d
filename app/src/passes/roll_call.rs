//! Roll call and drills (evacuations, seed 002): who is inside a campus
//! now with what the office needs to reach them (full names and mobiles:
//! security admins only, each view audited), and drills: the people inside
//! when a drill begins, each marked accounted for, and the report of who
//! was missing and how long it took.

use super::*;
use crate::domain::Phone;
use crate::i18n::{Lang, Msg, OfficeMsg};
use crate::platform::{
    audit,
    context::{AppState, Principal, client_ip},
    db::{is_unique_violation, new_id},
    export::{self, Sheet},
};
use serde_json::json;

#[derive(sqlx::FromRow)]
struct Inside {
    pass_id: String,
    campus: String,
    holder: String,
    phone: Option<String>,
    kind: String,
    vehicle: i64,
    host: Option<String>,
    department: Option<String>,
    entered_at: i64,
    gate: Option<String>,
}

/// People and vehicles inside (`$1` a campus or ''), earliest first: the
/// person's own mobile, else the applicant's (a staff member's from the
/// directory); the host and department.
const INSIDE: &str = "SELECT i.pass_id, c.name AS campus, p.holder,
        COALESCE(NULLIF(e.phone, ''), NULLIF(a.applicant_phone, ''), ap.phone) AS phone, p.kind, p.vehicle,
        hs.name AS host, d.name AS department, i.entered_at, g.name AS gate
     FROM people_inside i JOIN passes p ON p.id = i.pass_id JOIN campuses c ON c.id = i.campus_id
     LEFT JOIN entrants e ON e.id = p.entrant_id LEFT JOIN applications a ON a.id = p.application_id LEFT JOIN staff ap ON ap.id = a.applicant_staff_id
     LEFT JOIN staff hs ON hs.id = a.host_staff_id LEFT JOIN departments d ON d.id = a.department_id LEFT JOIN gates g ON g.id = i.gate_id
     WHERE ($1 = '' OR i.campus_id = $1)
     UNION ALL
     SELECT COALESCE(v.pass_id, v.plate), c.name, v.plate, NULLIF(a.applicant_phone, ''), COALESCE(p.kind, ''), 1,
        hs.name, d.name, v.entered_at, g.name
     FROM vehicles_inside v JOIN campuses c ON c.id = v.campus_id LEFT JOIN passes p ON p.id = v.pass_id
     LEFT JOIN applications a ON a.id = p.application_id LEFT JOIN staff hs ON hs.id = a.host_staff_id
     LEFT JOIN departments d ON d.id = a.department_id LEFT JOIN gates g ON g.id = v.gate_id
     WHERE ($1 = '' OR v.campus_id = $1)
     ORDER BY 9";

fn phone_shown(p: Option<String>, unmasked: bool) -> String {
    let p = p.unwrap_or_default();
    if unmasked { p } else { Phone::parse(&p).map(|p| p.masked()).unwrap_or_default() }
}

fn row(st: &AppState, r: Inside, unmasked: bool) -> RollCallRow {
    RollCallRow {
        pass_id: r.pass_id,
        campus: r.campus,
        who: if unmasked { r.holder } else { super::stored::mask_name(&r.holder) },
        phone: phone_shown(r.phone, unmasked),
        kind: crate::domain::roster::kind_on_wire(&r.kind, r.vehicle != 0),
        host: [r.host, r.department].into_iter().flatten().collect::<Vec<_>>().join(" · "),
        entered_at: st.clock.format(r.entered_at),
        gate: r.gate.unwrap_or_default(),
        vehicle: r.vehicle != 0,
    }
}

/// The roll call: everyone inside with their contact, audited.
pub async fn roll_call(st: &AppState, me: &Principal, campus_id: &str) -> Result<Vec<RollCallRow>, AppError> {
    let rows: Vec<Inside> = sqlx::query_as(INSIDE).bind(campus_id).fetch_all(&st.db.read).await?;
    audit::record(
        &st.db.write,
        st.clock.now_ms(),
        &me.actor_label(),
        "roll_call_view",
        "campus",
        campus_id,
        json!({"people": rows.len()}),
        Some(&client_ip()),
    )
    .await?;
    Ok(rows.into_iter().map(|r| row(st, r, true)).collect())
}

/// The roll call as a file's rows (names and mobiles masked unless asked).
pub fn roll_call_export(st: &AppState, campus_id: String, lang: Lang, unmasked: bool) -> Sheet {
    let headers = [
        Msg::Campus.text(lang),
        OfficeMsg::Holder.text(lang),
        Msg::Phone.text(lang),
        OfficeMsg::PassKindColumn.text(lang),
        OfficeMsg::HostAndDepartment.text(lang),
        OfficeMsg::EnteredAt.text(lang),
        Msg::Gate.text(lang),
    ];
    let st = st.clone();
    let rows = export::rows(move |out| async move {
        let read = sqlx::query_as::<_, Inside>(INSIDE).bind(&campus_id).fetch(&st.db.read);
        export::send_all(&out, read, |r| {
            let r = row(&st, r, unmasked);
            vec![
                r.campus.into(),
                r.who.into(),
                r.phone.into(),
                kind_label(&r.kind).text(lang).into(),
                r.host.into(),
                r.entered_at.into(),
                r.gate.into(),
            ]
        })
        .await?;
        Ok(())
    });
    Sheet::new(&headers, rows)
}

/// Starts a drill on a campus: the people and vehicles inside now are the
/// ones to account for. One open drill per campus.
pub async fn start_drill(st: &AppState, me: &Principal, campus_id: &str, name: &str) -> Result<String, AppError> {
    let name = crate::fields::text("name", name, 60)?;
    let now = st.clock.now_ms();
    let id = new_id();
    let mut tx = st.db.write.begin().await?;
    let campus: Option<(String,)> = sqlx::query_as("SELECT id FROM campuses WHERE id = $1").bind(campus_id).fetch_optional(&mut *tx).await?;
    campus.ok_or_else(|| AppError::invalid("campus_id", Msg::ErrBadRequest))?;
    let r = sqlx::query("INSERT INTO drills (id, campus_id, name, started_at, started_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(campus_id)
        .bind(&name)
        .bind(now)
        .bind(me.actor_label())
        .execute(&mut *tx)
        .await;
    if let Err(e) = r {
        return Err(if is_unique_violation(&e) { AppError::Conflict { msg: Msg::ErrDrillOpen } } else { e.into() });
    }
    let inside: Vec<Inside> = sqlx::query_as(INSIDE).bind(campus_id).fetch_all(&mut *tx).await?;
    for p in &inside {
        let host = [p.host.clone(), p.department.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
        sqlx::query(
            "INSERT INTO drill_people (drill_id, pass_id, holder, phone, kind, host, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (drill_id, pass_id) DO NOTHING",
        )
        .bind(&id)
        .bind(&p.pass_id)
        .bind(&p.holder)
        .bind(p.phone.clone().unwrap_or_default())
        .bind(crate::domain::roster::kind_on_wire(&p.kind, p.vehicle != 0))
        .bind(host)
        .bind(p.entered_at)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "drill_start",
        "drill",
        &id,
        json!({"campus_id": campus_id, "name": name, "people": inside.len()}),
        Some(&client_ip()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks one person of an open drill accounted for (or not, to undo a slip).
pub async fn mark_accounted(st: &AppState, me: &Principal, drill_id: &str, pass_id: &str, accounted: bool) -> Result<(), AppError> {
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let open: Option<(String,)> =
        sqlx::query_as("SELECT id FROM drills WHERE id = $1 AND ended_at IS NULL").bind(drill_id).fetch_optional(&mut *tx).await?;
    open.ok_or(AppError::NotFound)?;
    let r = if accounted {
        sqlx::query("UPDATE drill_people SET accounted_at = $1, accounted_by = $2 WHERE drill_id = $3 AND pass_id = $4 AND accounted_at IS NULL")
            .bind(now)
            .bind(me.actor_label())
            .bind(drill_id)
            .bind(pass_id)
    } else {
        sqlx::query(
            "UPDATE drill_people SET accounted_at = NULL, accounted_by = NULL WHERE drill_id = $1 AND pass_id = $2 AND accounted_at IS NOT NULL",
        )
        .bind(drill_id)
        .bind(pass_id)
    }
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() > 0 {
        audit::record(
            &mut *tx,
            now,
            &me.actor_label(),
            "drill_mark",
            "drill",
            drill_id,
            json!({"pass_id": pass_id, "accounted": accounted}),
            Some(&client_ip()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn end_drill(st: &AppState, me: &Principal, drill_id: &str) -> Result<(), AppError> {
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let r = sqlx::query("UPDATE drills SET ended_at = $1, ended_by = $2 WHERE id = $3 AND ended_at IS NULL")
        .bind(now)
        .bind(me.actor_label())
        .bind(drill_id)
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut *tx, now, &me.actor_label(), "drill_end", "drill", drill_id, json!({}), Some(&client_ip())).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DrillRow {
    id: String,
    campus: String,
    name: String,
    started_at: i64,
    ended_at: Option<i64>,
    total: i64,
    accounted: i64,
    last_accounted: Option<i64>,
}

const DRILLS: &str = "SELECT d.id, c.name AS campus, d.name, d.started_at, d.ended_at,
        (SELECT COUNT(*) FROM drill_people x WHERE x.drill_id = d.id) AS total,
        (SELECT COUNT(*) FROM drill_people x WHERE x.drill_id = d.id AND x.accounted_at IS NOT NULL) AS accounted,
        (SELECT MAX(x.accounted_at) FROM drill_people x WHERE x.drill_id = d.id) AS last_accounted
     FROM drills d JOIN campuses c ON c.id = d.campus_id";

fn summary(st: &AppState, d: DrillRow) -> DrillSummary {
    // How long it took: to the last person accounted for, or to the end.
    let done = if d.total > 0 && d.accounted == d.total { d.last_accounted } else { d.ended_at };
    DrillSummary {
        id: d.id,
        campus: d.campus,
        name: d.name,
        started_at: st.clock.format(d.started_at),
        ended_at: d.ended_at.map(|t| st.clock.format(t)),
        minutes: done.map(|t| (t - d.started_at).max(0) / 60_000),
        total: d.total,
        accounted: d.accounted,
    }
}

pub async fn drills(st: &AppState) -> Result<Vec<DrillSummary>, AppError> {
    let rows: Vec<DrillRow> = sqlx::query_as(&format!("{DRILLS} ORDER BY d.started_at DESC LIMIT 50")).fetch_all(&st.db.read).await?;
    Ok(rows.into_iter().map(|d| summary(st, d)).collect())
}

#[derive(sqlx::FromRow)]
struct DrillPersonRow {
    pass_id: String,
    holder: String,
    phone: String,
    kind: String,
    host: String,
    accounted_at: Option<i64>,
    accounted_by: Option<String>,
}

/// A drill with its people (full names and mobiles), audited like the roll call.
pub async fn drill(st: &AppState, me: &Principal, id: &str) -> Result<DrillView, AppError> {
    let d: DrillRow = sqlx::query_as(&format!("{DRILLS} WHERE d.id = $1")).bind(id).fetch_optional(&st.db.read).await?.ok_or(AppError::NotFound)?;
    let people: Vec<DrillPersonRow> = sqlx::query_as(
        "SELECT pass_id, holder, phone, kind, host, accounted_at, accounted_by FROM drill_people WHERE drill_id = $1
         ORDER BY accounted_at IS NOT NULL, entered_at",
    )
    .bind(id)
    .fetch_all(&st.db.read)
    .await?;
    audit::record(&st.db.write, st.clock.now_ms(), &me.actor_label(), "drill_view", "drill", id, json!({}), Some(&client_ip())).await?;
    Ok(DrillView {
        summary: summary(st, d),
        people: people
            .into_iter()
            .map(|p| DrillPerson {
                pass_id: p.pass_id,
                holder: p.holder,
                phone: p.phone,
                kind: p.kind,
                host: p.host,
                accounted: p.accounted_at.map(|t| format!("{} {}", st.clock.format(t), p.accounted_by.unwrap_or_default())),
            })
            .collect(),
    })
}
