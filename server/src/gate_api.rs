//! The gate-device API for plate cameras, ID-card readers and turnstiles.
//! Each device holds its own random key (`Authorization: Bearer …`) and
//! acts only for the gate it is registered at.

use crate::routes::ApiError;
use app::domain::gate::{Direction, Reason};
use app::error::AppError;
use app::passes::ScanInput;
use app::passes::ssr::{self as passes, OfflineEvent, Scanner};
use app::platform::context::AppState;
use axum::{
    Json, Router,
    extract::{Query, State},
    http::HeaderMap,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

pub fn routes(state: AppState) -> Router<leptos::prelude::LeptosOptions> {
    Router::new()
        .route("/api/gate/v1/check", post(check))
        .route("/api/gate/v1/roster", get(roster))
        .route("/api/gate/v1/events", post(events))
        .with_state(state)
}

struct Device {
    id: String,
    gate_id: String,
}

async fn device(st: &AppState, headers: &HeaderMap) -> Result<Device, ApiError> {
    let key = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError(AppError::Unauthenticated))?;
    let (id, gate_id) = passes::device_for_key(st, key.trim()).await?.ok_or(ApiError(AppError::Unauthenticated))?;
    // Last seen: at most one write a minute per device.
    let now = st.clock.now_ms();
    sqlx::query("UPDATE gate_devices SET last_seen_at = $1 WHERE id = $2 AND (last_seen_at IS NULL OR last_seen_at < $3)")
        .bind(now)
        .bind(&id)
        .bind(now - 60_000)
        .execute(&st.db.write)
        .await
        .map_err(AppError::from)?;
    Ok(Device { id, gate_id })
}

#[derive(Deserialize)]
pub struct CheckRequest {
    pub direction: Direction,
    #[serde(default)]
    pub plate: Option<String>,
    #[serde(default)]
    pub qr: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    /// `false`: ask without spending or recording (a preview).
    #[serde(default = "yes")]
    pub record: bool,
}

fn yes() -> bool {
    true
}

#[derive(Serialize)]
pub struct CheckAnswer {
    pub allow: bool,
    pub reason: Reason,
    pub message: String,
    /// Parking fee due on exit, in yuan.
    pub fee: Option<f64>,
    pub pass: Option<MaskedPass>,
}

#[derive(Serialize)]
pub struct MaskedPass {
    pub pass_id: String,
    pub holder: String,
    pub kind: String,
    pub vehicle: bool,
    pub valid_until: String,
}

/// The body is read after the key is checked: an unauthenticated caller
/// learns nothing, not even how its body was wrong.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|_| ApiError(AppError::invalid("body", app::i18n::Msg::ErrBadJson)))
}

async fn check(State(st): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Result<Json<CheckAnswer>, ApiError> {
    let d = device(&st, &headers).await?;
    let req: CheckRequest = parse(&body)?;
    let input = match (req.qr, req.plate, req.id_number) {
        (Some(q), None, None) => ScanInput::Qr(q),
        (None, Some(p), None) => ScanInput::Plate(p),
        (None, None, Some(n)) => ScanInput::IdNumber(n),
        _ => return Err(ApiError(AppError::invalid("input", app::i18n::Msg::ErrOneInput))),
    };
    let v = passes::scan(&st, &d.gate_id, req.direction, &input, &Scanner::Device(d.id), req.record).await?;
    Ok(Json(CheckAnswer {
        allow: v.allow,
        reason: v.reason,
        message: v.message,
        fee: v.fee_cents.map(|c| c as f64 / 100.0),
        pass: v.pass.map(|p| MaskedPass {
            pass_id: p.pass_id,
            holder: if p.vehicle { p.holder } else { passes::mask_name(&p.holder) },
            kind: p.kind,
            vehicle: p.vehicle,
            valid_until: p.valid_until,
        }),
    }))
}

#[derive(Deserialize)]
pub struct Since {
    pub since: Option<i64>,
}

async fn roster(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<Since>) -> Result<Json<passes::Roster>, ApiError> {
    let d = device(&st, &headers).await?;
    let (campus,): (String,) = sqlx::query_as("SELECT campus_id FROM gates WHERE id = $1").bind(&d.gate_id).fetch_one(&st.db.read).await.map_err(AppError::from)?;
    Ok(Json(passes::roster(&st, &campus, q.since).await?))
}

#[derive(Deserialize)]
pub struct EventBatch {
    pub events: Vec<OfflineEvent>,
}

async fn events(State(st): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Result<Json<passes::IngestOutcome>, ApiError> {
    let d = device(&st, &headers).await?;
    let batch: EventBatch = parse(&body)?;
    let source = format!("device:{}", d.id);
    Ok(Json(passes::ingest(&st, &source, &d.gate_id, None, Some(&d.id), &batch.events).await?))
}
