//! The gate-device API for plate cameras, ID-card readers and turnstiles.
//! Each device holds its own random key (`Authorization: Bearer …`) and
//! acts only for the gate it is registered at. Described by the OpenAPI
//! document at `/api/openapi.json`, generated from these handlers.

use crate::routes::ApiError;
use app::domain::gate::{Direction, Reason};
use app::error::AppError;
use app::passes::ScanInput;
use app::passes::ssr::{self as passes, OfflineEvent, ScanState, Scanner};
use app::platform::context::AppState;
use axum::{
    Json, Router,
    extract::{Query, State},
    http::HeaderMap,
    http::Uri,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

/// What the device routes share: the platform's state and the scan state
/// (recorder, device cache) of the passes area.
#[derive(Clone)]
pub struct GateState {
    pub app: AppState,
    pub scans: ScanState,
}

pub fn routes(state: GateState) -> Router<leptos::prelude::LeptosOptions> {
    Router::new()
        .route("/api/gate/v1/check", post(check))
        .route("/api/gate/v1/roster", get(roster))
        .route("/api/gate/v1/events", post(events))
        .route("/api/openapi.json", get(openapi))
        .with_state(state)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Campus Pass gate-device API",
        description = "For plate cameras, ID-card readers and turnstiles. Each device is registered by the security office at one gate and holds its own key, sent as `Authorization: Bearer <key>`.\n\nReason codes (stable): `ok`, `malformed` (not a pass code of this system), `bad_signature`, `not_yet_valid`, `expired`, `unknown_pass`, `cancelled`, `already_used` (a single-use pass), `wrong_campus`, `wrong_gate_kind` (pedestrian / vehicle lane), `gate_not_allowed` (a private visit's vehicle at an unlisted gate), `wrong_direction` (entry-only / exit-only gate), `blacklisted`, `no_pass` (a plate or ID number with no valid pass now), `gate_inactive`.\n\nOffline: verify the QR's compact JWS (EdDSA, Ed25519) with the roster's `keys` (also at `/.well-known/jwks.json`), look the pass id (`pid` claim) up in the roster, and send what you decided to `/events` once back online.",
        version = "1"
    ),
    paths(check, roster, events),
    components(schemas(CheckRequest, CheckAnswer, MaskedPass, EventBatch)),
    modifiers(&BearerKey),
    tags((name = "gate", description = "Gate devices"))
)]
pub struct GateApiDoc;

struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device_key",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("The device's key, shown once when it was registered")).build(),
            ),
        );
    }
}

/// The document, with what derive cannot say written in: a check names
/// exactly one of `plate` / `qr` / `id_number`, non-empty (the others
/// absent, null or empty). `check` keeps to exactly this.
async fn openapi() -> Json<serde_json::Value> {
    use utoipa::OpenApi;
    let mut doc = serde_json::to_value(GateApiDoc::openapi()).unwrap_or_default();
    if let Some(check) = doc.pointer_mut("/components/schemas/CheckRequest").and_then(|s| s.as_object_mut()) {
        let one = |field: &str| serde_json::json!({"required": [field], "properties": {field: {"type": "string", "minLength": 1}}});
        check.insert("oneOf".into(), serde_json::json!([one("plate"), one("qr"), one("id_number")]));
    }
    Json(doc)
}

struct Device {
    id: String,
    gate: app::domain::gate::GateFacts,
}

async fn device(gs: &GateState, headers: &HeaderMap) -> Result<Device, ApiError> {
    let key = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError(AppError::Unauthenticated))?;
    let st = &gs.app;
    let (id, gate, last_seen) = passes::device_for_key(st, &gs.scans.devices, key.trim()).await?.ok_or(ApiError(AppError::Unauthenticated))?;
    // Last seen: at most one write a minute per device.
    let now = st.clock.now_ms();
    if last_seen.is_none_or(|t| t < now - 60_000) {
        sqlx::query("UPDATE gate_devices SET last_seen_at = $1 WHERE id = $2 AND (last_seen_at IS NULL OR last_seen_at < $3)")
            .bind(now)
            .bind(&id)
            .bind(now - 60_000)
            .execute(&st.db.write)
            .await
            .map_err(AppError::from)?;
        gs.scans.devices.seen(&id, now);
    }
    tracing::Span::current().record("device", id.as_str());
    Ok(Device { id, gate })
}

/// "May this plate / QR / ID card pass here now?"
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CheckRequest {
    pub direction: Direction,
    /// A plate as the camera read it, e.g. `京A12345`. Give exactly one of `plate`, `qr`, `id_number`.
    #[serde(default)]
    pub plate: Option<String>,
    /// The scanned QR text (the URL, or the bare token).
    #[serde(default)]
    pub qr: Option<String>,
    /// A resident ID number read from the card.
    #[serde(default)]
    pub id_number: Option<String>,
    /// `false`: ask without spending or recording (a preview).
    #[serde(default = "yes")]
    pub record: bool,
    /// Your own id for this passage: sending it again (a retry) answers
    /// what was recorded and changes nothing.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub event_id: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckAnswer {
    pub allow: bool,
    pub reason: Reason,
    /// The verdict in Chinese, for a display at the gate.
    pub message: String,
    /// Parking fee due on exit, in yuan.
    pub fee: Option<f64>,
    pub pass: Option<MaskedPass>,
}

/// The pass, with the holder's name masked (a plate in full).
#[derive(Serialize, utoipa::ToSchema)]
pub struct MaskedPass {
    pub pass_id: String,
    pub holder: String,
    pub kind: String,
    pub vehicle: bool,
    pub valid_until: String,
    /// For temporary personnel: category · department · temporary staff
    /// number (empty otherwise).
    pub note: String,
}

/// The body is read after the key is checked: an unauthenticated caller
/// learns nothing, not even how its body was wrong.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|_| ApiError(AppError::invalid("body", app::i18n::Msg::ErrBadJson)))
}

/// Checks one passage and, unless `record` is false, spends a single-use
/// pass, opens or closes a vehicle's stay (fee on exit) and logs it.
#[utoipa::path(post, path = "/api/gate/v1/check", tag = "gate", request_body = CheckRequest,
    security(("device_key" = [])),
    responses(
        (status = 200, description = "The verdict", body = CheckAnswer),
        (status = 401, description = "No key, a wrong key, or a switched-off device"),
        (status = 422, description = "Not exactly one of plate, qr, id_number; or bad JSON"),
    ))]
#[tracing::instrument(name = "gate_api.check", skip_all, fields(device = tracing::field::Empty))]
async fn check(State(gs): State<GateState>, headers: HeaderMap, body: axum::body::Bytes) -> Result<Json<CheckAnswer>, ApiError> {
    let d = device(&gs, &headers).await?;
    let req: CheckRequest = parse(&body)?;
    // Absent, null and empty are alike: exactly one must say something.
    let given = |v: Option<String>| v.filter(|s| !s.is_empty());
    let input = match (given(req.qr), given(req.plate), given(req.id_number)) {
        (Some(q), None, None) => ScanInput::Qr(q),
        (None, Some(p), None) => ScanInput::Plate(p),
        (None, None, Some(n)) => ScanInput::IdNumber(n),
        _ => return Err(ApiError(AppError::invalid("input", app::i18n::Msg::ErrOneInput))),
    };
    let v = passes::scan_at(&gs.app, &gs.scans, &d.gate, req.direction, &input, &Scanner::Device(d.id), req.record, req.event_id.as_deref()).await?;
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
            note: p.note,
        }),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Since {
    /// The `generated_at` of the roster you have: only what changed since.
    #[param(minimum = 0, maximum = 253_402_300_799_999_i64)]
    pub since: Option<i64>,
}

/// The latest `since` (9999-12-31, in milliseconds), as the document says.
const SINCE_MAX: i64 = 253_402_300_799_999;

/// The offline roster of the device's campus: passes valid within the next
/// day (masked names), the ids that must no longer pass, the public keys
/// and the campus's gates.
#[utoipa::path(get, path = "/api/gate/v1/roster", tag = "gate", params(Since),
    security(("device_key" = [])),
    responses((status = 200, description = "The roster, or a delta with `since`", body = app::domain::roster::Roster), (status = 401, description = "Not a device key"), (status = 422, description = "`since` is not a time in range")))]
#[tracing::instrument(name = "gate_api.roster", skip_all, fields(device = tracing::field::Empty))]
async fn roster(State(gs): State<GateState>, headers: HeaderMap, uri: Uri) -> Result<Json<passes::Roster>, ApiError> {
    let d = device(&gs, &headers).await?;
    // Read after the key, like a body, and refused the API's way (422).
    let bad = || ApiError(AppError::invalid("since", app::i18n::Msg::ErrBadJson));
    let Query(q) = Query::<Since>::try_from_uri(&uri).map_err(|_| bad())?;
    if q.since.is_some_and(|s| !(0..=SINCE_MAX).contains(&s)) {
        return Err(bad());
    }
    Ok(Json(passes::roster(&gs.app, &d.gate.campus_id, q.since).await?))
}

/// Passages a device decided by itself (at most 1000 a batch).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct EventBatch {
    #[schema(max_items = 1000)]
    pub events: Vec<OfflineEvent>,
}

/// Stores each event once per (device, `event_id`), however often it is
/// sent; a single-use pass admitted twice is reported as a conflict.
#[utoipa::path(post, path = "/api/gate/v1/events", tag = "gate", request_body = EventBatch,
    security(("device_key" = [])),
    responses((status = 200, description = "What was stored", body = passes::IngestOutcome), (status = 401, description = "Not a device key"), (status = 422, description = "Bad JSON or too many events")))]
#[tracing::instrument(name = "gate_api.events", skip_all, fields(device = tracing::field::Empty))]
async fn events(State(gs): State<GateState>, headers: HeaderMap, body: axum::body::Bytes) -> Result<Json<passes::IngestOutcome>, ApiError> {
    let d = device(&gs, &headers).await?;
    let batch: EventBatch = parse(&body)?;
    Ok(Json(passes::ingest(&gs.app, &Scanner::Device(d.id), &d.gate.id, &batch.events).await?))
}
