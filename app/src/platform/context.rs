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
    /// Texts: the SMS provider, with staff's notices through WeCom where
    /// configured (`wecom::Messenger`).
    pub sms: Box<dyn SmsProvider>,
    /// The campus's enterprise WeChat, if configured (sign-in; notices go
    /// through `sms`).
    pub wecom: Option<std::sync::Arc<super::wecom::WeCom>>,
    /// Group commit for writes that many make at once (see `batch`).
    pub writes: super::batch::WriteBatcher,
    /// Sessions' "last seen" refreshes, written behind requests.
    pub touches: Arc<super::session::Touches>,
    /// Bumped when a gate changes on this server: what was cached of gates
    /// before (the device cache) is read again at once. Other servers see
    /// the change when their caches expire.
    pub gates_version: std::sync::atomic::AtomicU64,
    /// Limits on SMS and sign-ins (see `rate_limit`).
    pub limits: super::rate_limit::RateLimits,
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

/// The client's address (per-address limits, the audit trail): the socket
/// peer, or behind trusted proxies what the nearest of them saw.
pub fn client_ip() -> String {
    let Some(parts) = parts() else { return "unknown".into() };
    let Some(peer) = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip()) else {
        return "unknown".into();
    };
    let Some(st) = use_context::<AppState>() else { return peer.to_string() };
    request_address(&st, peer, &parts.headers)
}

/// The client's address for a plain axum route (what `client_ip` is for
/// server functions).
pub fn request_address(st: &AppState, peer: std::net::IpAddr, headers: &http::HeaderMap) -> String {
    let forwarded: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    client_address(peer, &forwarded.join(","), st.config.trust_proxy, &st.config.trusted_proxies).to_string()
}

/// Who connected to the nearest trusted proxy. `X-Forwarded-For` is read
/// from the right: each proxy appends the address it saw, and everything
/// left of the entry our own proxy appended is whatever the client wrote.
/// With no list, the peer is the one proxy and the rightmost entry is what
/// it saw; with a list, proxies' own entries are skipped first. A peer that
/// is not a trusted proxy is the client itself, whatever it says.
pub fn client_address(peer: std::net::IpAddr, forwarded: &str, trust: bool, proxies: &[std::net::IpAddr]) -> std::net::IpAddr {
    let trusted = |ip: &std::net::IpAddr| proxies.is_empty() || proxies.contains(ip);
    if !trust || !trusted(&peer) {
        return peer;
    }
    let mut hops = forwarded.rsplit(',').map(str::trim).filter(|h| !h.is_empty());
    for hop in hops.by_ref() {
        let Ok(ip) = hop.parse::<std::net::IpAddr>() else { return peer };
        if proxies.is_empty() || !proxies.contains(&ip) {
            return ip;
        }
    }
    peer
}

#[cfg(test)]
mod client_address_tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_address_is_what_our_proxy_saw_not_what_the_client_wrote() {
        let proxy = ip("127.0.0.1");
        // nginx with $proxy_add_x_forwarded_for: the client's own entries first.
        assert_eq!(client_address(proxy, "6.6.6.6, 203.0.113.7", true, &[]), ip("203.0.113.7"));
        // nginx with $remote_addr: one entry.
        assert_eq!(client_address(proxy, "203.0.113.7", true, &[]), ip("203.0.113.7"));
        // No header, or junk where our proxy's entry should be: the peer.
        assert_eq!(client_address(proxy, "", true, &[]), proxy);
        assert_eq!(client_address(proxy, "203.0.113.7, not-an-ip", true, &[]), proxy);
        // Not trusted: the header is ignored.
        assert_eq!(client_address(proxy, "203.0.113.7", false, &[]), proxy);
        // Two hops: a load balancer (10.0.0.2) in front of nginx (10.0.0.3).
        let hops = [ip("10.0.0.2"), ip("10.0.0.3")];
        assert_eq!(client_address(ip("10.0.0.3"), "6.6.6.6, 203.0.113.7, 10.0.0.2", true, &hops), ip("203.0.113.7"));
        // Someone reaching the server directly, around the proxies.
        assert_eq!(client_address(ip("198.51.100.1"), "203.0.113.7", true, &hops), ip("198.51.100.1"));
    }
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
    let Some(row) = session::resolve(&st.db, &st.touches, token, now, &st.timeouts()).await? else { return Ok(None) };
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

/// This request calls a server function (rather than renders a page).
fn is_server_fn_call() -> bool {
    use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/api/fn/"))
}

/// A guard posted at this gate (a guard grant is scoped to one gate).
pub async fn require_guard_at(gate_id: &str) -> Result<Principal, AppError> {
    let me = require_role(Role::Guard).await?;
    if me.has_scoped(Role::Guard, gate_id) { Ok(me) } else { Err(AppError::Forbidden) }
}

/// Runs a server function's body: sets the HTTP status of an error, so API
/// clients see 401/403/422/429 rather than a blanket 500. Only when the
/// request is the call itself: a page's resources run the same functions
/// while the page streams, and whether one of them finishes before the
/// head is sent is chance; a page's status must not be (a refused page
/// says so in its body, with a way to sign in).
pub async fn respond<T>(fut: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let r = fut.await;
    if let Err(e) = &r
        && is_server_fn_call()
        && let Some(opts) = use_context::<leptos_axum::ResponseOptions>()
    {
        opts.set_status(http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
    }
    r
}
