//! What every server function reaches for: the shared state and the caller.
//! Each helper returns `Result`, so a server function starts with
//! `let me = require_role(Role::SecurityAdmin).await?;` and nothing else.

use super::{
    clock::CampusClock,
    config::Config,
    db::Db,
    keys::Keys,
    session::{self, SessionRow, Timeouts},
    sms::SmsProvider,
};
use crate::domain::{Phone, Role};
use crate::error::AppError;
use http::{HeaderValue, header::SET_COOKIE, request::Parts};
use leptos::prelude::*;
use std::sync::Arc;

pub struct Inner {
    pub db: Db,
    pub clock: CampusClock,
    pub keys: Keys,
    pub config: Config,
    pub sms: Box<dyn SmsProvider>,
    /// Group commit for writes that many make at once (see `batch`).
    pub writes: super::batch::WriteBatcher,
    /// Bumped when a gate changes on this server: what was cached of gates
    /// before (the device cache) is read again at once. Other servers see
    /// the change when their caches expire.
    pub gates_version: std::sync::atomic::AtomicU64,
}

/// Shared by every request; provided to server functions through context.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn timeouts(&self) -> Timeouts {
        Timeouts { idle_ms: self.config.session_idle_minutes * 60_000, absolute_ms: self.config.session_absolute_hours * 3_600_000 }
    }
}

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The client's address: the socket peer, or the proxy's `X-Forwarded-For`
/// when the proxy is trusted.
pub fn client_ip() -> String {
    let Some(parts) = parts() else { return "unknown".into() };
    let trust = use_context::<AppState>().is_some_and(|s| s.config.trust_proxy);
    if trust
        && let Some(xff) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(first) = xff.split(',').next()
    {
        return first.trim().to_owned();
    }
    parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

pub fn set_cookie(value: String) {
    if let (Some(opts), Ok(v)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&value)) {
        opts.append_header(SET_COOKIE, v);
    }
}

/// Who is calling, resolved from the session cookie on every call.
#[derive(Clone, Debug)]
pub struct Principal {
    pub session_hash: String,
    pub subject: Subject,
    pub grants: Vec<(Role, String)>,
}

#[derive(Clone, Debug)]
pub enum Subject {
    Staff(StaffAccount),
    Phone { phone: Phone, resident_household: Option<String> },
}

#[derive(Clone, Debug)]
pub struct StaffAccount {
    pub id: String,
    pub staff_no: String,
    pub name: String,
    pub department_id: String,
    pub department_name: String,
    pub must_change_password: bool,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|(r, _)| *r == role)
    }
    pub fn has_scoped(&self, role: Role, scope_id: &str) -> bool {
        self.grants.iter().any(|(r, s)| *r == role && s == scope_id)
    }
    pub fn staff(&self) -> Option<&StaffAccount> {
        match &self.subject {
            Subject::Staff(s) => Some(s),
            Subject::Phone { .. } => None,
        }
    }
    /// How the audit trail names this actor: never a full phone number.
    pub fn actor_label(&self) -> String {
        match &self.subject {
            Subject::Staff(s) => format!("staff:{} {}", s.staff_no, s.name),
            Subject::Phone { phone, .. } => format!("phone:{}", phone.masked()),
        }
    }
}

pub async fn principal() -> Result<Option<Principal>, AppError> {
    let st = state()?;
    let Some(parts) = parts() else { return Ok(None) };
    let p = principal_from(&st, &parts.headers).await?;
    // The server function's span (`server_fn!`) names its caller without
    // personal data: a staff member's internal id, or a visitor's session
    // by the first characters of its digest.
    if let Some(p) = &p {
        let caller = match &p.subject {
            Subject::Staff(s) => format!("staff:{}", s.id),
            Subject::Phone { .. } => format!("session:{}", p.session_hash.get(..8).unwrap_or_default()),
        };
        tracing::Span::current().record("caller", caller.as_str());
    }
    Ok(p)
}

/// The caller of a plain axum route (outside server functions).
pub async fn principal_from(st: &AppState, headers: &http::HeaderMap) -> Result<Option<Principal>, AppError> {
    let Some(token) = session::cookie_in(headers, session::COOKIE) else {
        return Ok(None);
    };
    let now = st.clock.now_ms();
    let Some(row) = session::resolve(&st.db, &st.writes, token, now, &st.timeouts()).await? else { return Ok(None) };
    load_principal(st, row).await
}

/// A signed-in staff member as `load_principal` reads them.
#[derive(sqlx::FromRow)]
struct StaffRow {
    id: String,
    staff_no: String,
    name: String,
    department_id: String,
    department_name: String,
    must_change_password: i64,
}

async fn load_principal(st: &AppState, row: SessionRow) -> Result<Option<Principal>, AppError> {
    if let Some(staff_id) = row.staff_id {
        let staff: Option<StaffRow> = sqlx::query_as(
            "SELECT s.id, s.staff_no, s.name, s.department_id, d.name AS department_name, s.must_change_password
             FROM staff s JOIN departments d ON d.id = s.department_id WHERE s.id = $1 AND s.active = 1",
        )
        .bind(&staff_id)
        .fetch_optional(&st.db.read)
        .await?;
        let Some(StaffRow { id, staff_no, name, department_id, department_name, must_change_password: must }) = staff else { return Ok(None) };
        let grants: Vec<(String, String)> =
            sqlx::query_as("SELECT role, scope_id FROM grants WHERE staff_id = $1 AND status = 'active'").bind(&id).fetch_all(&st.db.read).await?;
        let grants = grants.into_iter().filter_map(|(r, s)| Some((Role::from_code(&r)?, s))).collect();
        Ok(Some(Principal {
            session_hash: row.id_hash,
            subject: Subject::Staff(StaffAccount { id, staff_no, name, department_id, department_name, must_change_password: must != 0 }),
            grants,
        }))
    } else if let Some(phone) = row.phone.and_then(|p| Phone::parse(&p).ok()) {
        Ok(Some(Principal {
            session_hash: row.id_hash,
            subject: Subject::Phone { phone, resident_household: row.resident_household },
            grants: vec![],
        }))
    } else {
        Ok(None)
    }
}

pub async fn require_signed_in() -> Result<Principal, AppError> {
    principal().await?.ok_or(AppError::Unauthenticated)
}

/// A staff member who has replaced the initial password.
pub async fn require_staff() -> Result<Principal, AppError> {
    let p = require_signed_in().await?;
    match p.staff() {
        None => Err(AppError::Forbidden),
        Some(s) if s.must_change_password => Err(AppError::Conflict { msg: crate::i18n::Msg::MustChangePassword }),
        Some(_) => Ok(p),
    }
}

pub async fn require_role(role: Role) -> Result<Principal, AppError> {
    let p = require_staff().await?;
    if p.has(role) { Ok(p) } else { Err(AppError::Forbidden) }
}

/// A staff member holding any of these roles.
pub async fn require_any_role(roles: &[Role]) -> Result<Principal, AppError> {
    let p = require_staff().await?;
    if roles.iter().any(|r| p.has(*r)) { Ok(p) } else { Err(AppError::Forbidden) }
}

/// A guard posted at this gate (a guard grant is scoped to one gate).
pub async fn require_guard_at(gate_id: &str) -> Result<Principal, AppError> {
    let me = require_role(Role::Guard).await?;
    if me.has_scoped(Role::Guard, gate_id) { Ok(me) } else { Err(AppError::Forbidden) }
}

/// Runs a server function's body: sets the HTTP status of an error, so API
/// clients see 401/403/422/429 rather than a blanket 500.
pub async fn respond<T>(fut: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let r = fut.await;
    if let Err(e) = &r
        && let Some(opts) = use_context::<leptos_axum::ResponseOptions>()
    {
        opts.set_status(http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
    }
    r
}
