//! Single sign-on routes: the campus CAS and enterprise WeChat
//! (`app::auth::cas` and `app::auth::wecom` hold the protocols and the
//! rules; these only turn them into redirects).

use app::auth::{cas, wecom};
use app::error::AppError;
use app::platform::{context::AppState, session};
use axum::{
    Form, Router,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes(state: AppState) -> Router<leptos::prelude::LeptosOptions> {
    Router::new()
        .route("/auth/cas", get(start))
        .route(cas::CALLBACK_PATH, get(callback).post(logout))
        .route(wecom::START_PATH, get(wecom_start))
        .route(wecom::CALLBACK_PATH, get(wecom_callback))
        .with_state(state)
}

#[derive(Deserialize)]
struct Start {
    #[serde(default)]
    next: String,
}

/// Off to the campus CAS, remembering where the person was going.
async fn start(State(st): State<AppState>, Query(q): Query<Start>) -> Response {
    let Ok(login) = cas::login_url(&st) else { return StatusCode::NOT_FOUND.into_response() };
    let next = app::domain::site_path::safe_next(&q.next).unwrap_or("/");
    let next = percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC).to_string();
    with_cookies(Redirect::to(&login), [callback_cookie(&st, cas::NEXT_COOKIE, cas::CALLBACK_PATH, &next)])
}

#[derive(Deserialize)]
struct Callback {
    #[serde(default)]
    ticket: String,
}

/// CAS sends the browser back here with a ticket: signed in and on to
/// where they were going, or back to the sign-in page with the reason.
#[tracing::instrument(name = "cas.callback", skip_all)]
async fn callback(State(st): State<AppState>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap, Query(q): Query<Callback>) -> Response {
    if !st.config.cas.enabled() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let ip = app::platform::context::request_address(&st, peer.ip(), &headers);
    let secure = st.config.secure_cookies();
    let forget_next = format!("{}=; Path={}; HttpOnly; SameSite=Lax; Max-Age=0", cas::NEXT_COOKIE, cas::CALLBACK_PATH);
    match cas::sign_in(&st, &q.ticket, &ip).await {
        Ok(token) => {
            let next = session::cookie_in(&headers, cas::NEXT_COOKIE)
                .and_then(|v| percent_encoding::percent_decode_str(v).decode_utf8().ok())
                .and_then(|v| app::domain::site_path::safe_next(&v).map(str::to_owned))
                .unwrap_or_else(|| "/".to_owned());
            let t = st.timeouts();
            with_cookies(Redirect::to(&next), [session::cookie_header(&token, t.absolute_ms / 1000, secure), forget_next])
        }
        Err(e) => refused(e, app::i18n::Msg::ErrCasUnavailable, forget_next),
    }
}

/// Back to the sign-in page with why (or 404 when sign-on is off).
fn refused(e: AppError, otherwise: app::i18n::Msg, forget: String) -> Response {
    let msg = match &e {
        AppError::Invalid { msg, .. } | AppError::Rule { msg, .. } | AppError::Conflict { msg } | AppError::RateLimited { msg, .. } => *msg,
        AppError::NotFound => return StatusCode::NOT_FOUND.into_response(),
        _ => {
            tracing::error!(error = %e, "single sign-on failed");
            otherwise
        }
    };
    with_cookies(Redirect::to(&format!("/sign-in/staff?error={}", msg.name())), [forget])
}

#[derive(Deserialize)]
struct Logout {
    #[serde(rename = "logoutRequest", default)]
    logout_request: String,
}

/// CAS's single logout, server to server: the session its ticket opened ends.
#[tracing::instrument(name = "cas.logout", skip_all)]
async fn logout(State(st): State<AppState>, Form(f): Form<Logout>) -> Response {
    if !st.config.cas.enabled() {
        return StatusCode::NOT_FOUND.into_response();
    }
    match cas::single_logout(&st, &f.logout_request).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => crate::routes::ApiError(e).into_response(),
    }
}

/// Off to WeCom: its OAuth page inside the WeCom app, its QR sign-in on a PC.
async fn wecom_start(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<Start>) -> Response {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some((url, state)) = wecom::start(&st, agent, &q.next) else { return StatusCode::NOT_FOUND.into_response() };
    with_cookies(Redirect::to(&url), [callback_cookie(&st, wecom::STATE_COOKIE, wecom::CALLBACK_PATH, &state)])
}

#[derive(Deserialize)]
struct WeComCallback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
}

/// WeCom sends the browser back with a code and our state.
#[tracing::instrument(name = "wecom.callback", skip_all)]
async fn wecom_callback(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<WeComCallback>,
) -> Response {
    if st.wecom.is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let forget = format!("{}=; Path={}; HttpOnly; SameSite=Lax; Max-Age=0", wecom::STATE_COOKIE, wecom::CALLBACK_PATH);
    let Some(next) = wecom::next_if_state_matches(session::cookie_in(&headers, wecom::STATE_COOKIE), &q.state) else {
        tracing::info!("a WeCom callback without this browser's state");
        return refused(AppError::invalid("state", app::i18n::Msg::ErrWeComFailed), app::i18n::Msg::ErrWeComFailed, forget);
    };
    let ip = app::platform::context::request_address(&st, peer.ip(), &headers);
    match wecom::sign_in(&st, &q.code, &ip).await {
        Ok(token) => {
            let t = st.timeouts();
            with_cookies(Redirect::to(&next), [session::cookie_header(&token, t.absolute_ms / 1000, st.config.secure_cookies()), forget])
        }
        Err(e) => refused(e, app::i18n::Msg::ErrWeComUnavailable, forget),
    }
}

/// Inside the WeCom app, the staff sign-in page is skipped: the person is
/// sent on to WeCom's silent sign-in at once (unless WeCom just sent them
/// back with a reason, which the page shows).
pub async fn silent_wecom(State(st): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if req.uri().path() == "/sign-in/staff" && st.wecom.is_some() {
        let agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let query = req.uri().query().unwrap_or("");
        if wecom::in_wecom(agent) && !query.split('&').any(|kv| kv.starts_with("error=")) {
            let next = query.split('&').find_map(|kv| kv.strip_prefix("next=")).unwrap_or("%2F");
            return Redirect::to(&format!("{}?next={next}", wecom::START_PATH)).into_response();
        }
    }
    next.run(req).await
}

/// A cookie kept while the browser is at the sign-on server: ten minutes,
/// sent only to the callback.
fn callback_cookie(st: &AppState, name: &str, path: &str, value: &str) -> String {
    format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age=600{}", if st.config.secure_cookies() { "; Secure" } else { "" })
}

fn with_cookies<const N: usize>(redirect: Redirect, cookies: [String; N]) -> Response {
    let mut res = redirect.into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}
