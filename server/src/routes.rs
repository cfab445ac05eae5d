//! Plain axum routes beside the server functions, and the request guards.

use app::error::AppError;
use app::platform::context::{AppState, principal_from};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

/// Every plain `/api` route, with whether it is meant to be public. The
/// authorisation test walks this list.
pub const API_ROUTES: &[(&str, &str, bool)] = &[
    ("GET", "/api/health", true),
    ("POST", "/api/admin/staff-import", false),
    ("POST", "/api/admin/household-import", false),
    ("GET", "/.well-known/jwks.json", true),
    ("POST", "/api/gate/v1/check", false),
    ("GET", "/api/gate/v1/roster", false),
    ("POST", "/api/gate/v1/events", false),
    ("GET", "/api/openapi.json", true),
    ("GET", "/api/export/scans?format=csv", false),
    ("GET", "/api/export/audit?format=xlsx", false),
];

pub fn api(state: AppState) -> Router<leptos::prelude::LeptosOptions> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/admin/staff-import", post(staff_import))
        .route("/api/admin/household-import", post(household_import))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/p/{link}", get(pass_link_in_path))
        .route("/api/export/{list}", get(crate::export::export))
        .layer(axum::extract::DefaultBodyLimit::max(app::domain::csv_file::MAX_BYTES + 1024))
        .with_state(state)
}

/// An `AppError` as an HTTP answer: its status, and its JSON for the page.
pub struct ApiError(pub AppError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

/// A pass link as texts said it before the link moved into the fragment
/// (`/p/<link>`): the same pass at `/p#<link>`, so those texts keep working.
/// New links never travel in a path, where access logs keep them.
async fn pass_link_in_path(Path(link): Path<String>) -> Redirect {
    let plausible = (8..=64).contains(&link.len()) && link.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    Redirect::permanent(&if plausible { format!("/p#{link}") } else { "/p".to_owned() })
}

#[tracing::instrument(name = "api.health", skip_all)]
async fn health(State(st): State<AppState>) -> Result<&'static str, ApiError> {
    sqlx::query("SELECT 1").execute(&st.db.read).await.map_err(AppError::from)?;
    Ok("ok")
}

#[derive(Deserialize)]
struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
}

#[tracing::instrument(skip_all, fields(bytes = body.len(), dry_run = q.dry_run))]
async fn staff_import(
    State(st): State<AppState>,
    Query(q): Query<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Json<app::directory::ImportOutcome>, ApiError> {
    let me = principal_from(&st, &headers).await?.ok_or(AppError::Unauthenticated)?;
    match me.staff() {
        None => return Err(AppError::Forbidden.into()),
        Some(s) if s.must_change_password => return Err(AppError::Forbidden.into()),
        Some(_) if !me.has(app::domain::Role::SecurityAdmin) => return Err(AppError::Forbidden.into()),
        Some(_) => {}
    }
    let outcome = app::directory::ssr::import_staff(&st, &me, &body, q.dry_run).await?;
    Ok(Json(outcome))
}

/// Households and members from CSV: security admins and the resident office.
#[tracing::instrument(skip_all, fields(bytes = body.len(), dry_run = q.dry_run))]
async fn household_import(
    State(st): State<AppState>,
    Query(q): Query<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Json<app::residents::HouseholdImportOutcome>, ApiError> {
    use app::domain::Role;
    let me = principal_from(&st, &headers).await?.ok_or(AppError::Unauthenticated)?;
    match me.staff() {
        None => return Err(AppError::Forbidden.into()),
        Some(s) if s.must_change_password => return Err(AppError::Forbidden.into()),
        Some(_) if !(me.has(Role::SecurityAdmin) || me.has(Role::ResidentOffice)) => return Err(AppError::Forbidden.into()),
        Some(_) => {}
    }
    let outcome = app::residents::ssr::import_households(&st, &me, &body, q.dry_run).await?;
    Ok(Json(outcome))
}

/// State-changing requests must come from our own pages: a browser always
/// sends `Origin` (or `Sec-Fetch-Site`) with them, and another site's form
/// or script is refused. Clients without either (gate devices, curl) carry
/// no cookie of ours unless given one, so they are let through.
pub async fn refuse_cross_site(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site")) {
        return ApiError(AppError::CrossSite).into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let same_host = origin.split_once("://").map(|(_, h)| h) == Some(host);
        let configured = origin.trim_end_matches('/') == st.config.public_base_url.trim_end_matches('/');
        if !same_host && !configured {
            tracing::warn!(origin, "refused a cross-site request");
            return ApiError(AppError::CrossSite).into_response();
        }
    }
    next.run(req).await
}

/// A server function's error answered by the framework itself (arguments
/// that did not decode: our code never ran, so nothing set the status)
/// gets the status of the `AppError` in its body instead of a blanket 500.
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key(server_fn::error::SERVER_FN_ERROR_HEADER) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // An error body is a few hundred bytes; anything else is left as it was.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return ApiError(AppError::Internal).into_response();
    };
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Pages and answers carry personal data: kept by no cache, shared or not
/// (a new release also reaches WeChat's webview at once); hashed assets
/// under /pkg are cached for a year; icons and the manifest for a day.
/// Over HTTPS, browsers are told to use nothing else (HSTS); nothing may
/// frame a page (the policy's `frame-ancestors`, and the older header).
pub async fn security_headers(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let value = if path.starts_with("/pkg/") {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/icons/") || path == "/manifest.webmanifest" || path == "/favicon.ico" {
        "public, max-age=86400"
    } else {
        "private, no-store"
    };
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    if st.config.public_base_url.starts_with("https://") {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

/// The public keys that verify pass tokens (RFC 7517 JWKS, OKP/Ed25519).
#[tracing::instrument(name = "api.jwks", skip_all)]
async fn jwks(State(st): State<AppState>) -> Result<Response, ApiError> {
    let body = app::passes::ssr::jwks(&st).await?;
    Ok(([(http::header::CACHE_CONTROL, "public, max-age=300")], Json(body)).into_response())
}
