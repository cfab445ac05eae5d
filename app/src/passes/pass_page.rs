//! The holder's pass page: the pass's status, the gates it opens and its QR.

use super::stored::*;
use super::token::{claims_for, qr_svg, qr_text, sign};
use super::*;
use crate::platform::context::AppState;
use crate::platform::keys::sha256_hex;

fn status_of(p: &PassRow, now: i64) -> PassStatus {
    if p.cancelled_at.is_some() {
        PassStatus::Cancelled
    } else if p.single_use && p.used_at.is_some() {
        PassStatus::Used
    } else if now >= p.valid_until {
        PassStatus::Expired
    } else if now < p.valid_from {
        PassStatus::NotYetValid
    } else {
        PassStatus::Valid
    }
}

async fn allowed_gate_names(st: &AppState, p: &PassRow) -> Result<Vec<String>, AppError> {
    let (category, vehicle_gates): (String, String) =
        sqlx::query_as(
            "SELECT COALESCE(r.category, 'private'), COALESCE(r.vehicle_gates, '[]') FROM applications a LEFT JOIN visit_reasons r ON r.id = a.reason_id WHERE a.id = $1",
        )
            .bind(&p.application_id)
            .fetch_one(&st.db.read)
            .await?;
    let gates: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT id, name, kind, direction FROM gates WHERE campus_id = $1 AND active = 1 ORDER BY created_at")
            .bind(&p.campus_id)
            .fetch_all(&st.db.read)
            .await?;
    let listed: Vec<String> = serde_json::from_str(&vehicle_gates).unwrap_or_default();
    Ok(gates
        .into_iter()
        .filter(|(id, _, kind, dir)| {
            let kind_ok = if p.vehicle { kind != "pedestrian" } else { kind != "vehicle" };
            let entry_ok = dir != "exit";
            let listed_ok = !p.vehicle || category == "official" || listed.contains(id);
            kind_ok && entry_ok && listed_ok
        })
        .map(|g| g.1)
        .collect())
}

pub async fn pass_view(st: &AppState, link: &str) -> Result<PassView, AppError> {
    let row: Option<StoredPass> =
        sqlx::query_as(&format!("{PASS_SELECT} WHERE link_hash = $1")).bind(sha256_hex(link.trim().as_bytes())).fetch_optional(&st.db.read).await?;
    let p = PassRow::from(row.ok_or(AppError::NotFound)?);
    let now = st.clock.now_ms();
    let status = status_of(&p, now);
    let (campus,): (String,) = sqlx::query_as("SELECT name FROM campuses WHERE id = $1").bind(&p.campus_id).fetch_one(&st.db.read).await?;
    let (qr_svg, token_expires) = if matches!(status, PassStatus::Valid | PassStatus::NotYetValid) {
        let claims = claims_for(&p, now);
        let token = sign(st, &claims)?;
        (qr_svg(&qr_text(st, &token))?.0, st.clock.format(claims.exp * 1000))
    } else {
        (String::new(), String::new())
    };
    Ok(PassView {
        holder: p.holder.clone(),
        kind: crate::domain::roster::kind_on_wire(&p.kind, p.vehicle),
        vehicle: p.vehicle,
        campus,
        valid_from: st.clock.format(p.valid_from),
        valid_until: st.clock.format(p.valid_until - 1),
        gates: allowed_gate_names(st, &p).await?,
        status,
        qr_svg,
        token_expires,
    })
}
