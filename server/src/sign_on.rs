//! Single sign-on routes: the campus CAS (`app::auth::cas` holds the
//! protocol and the rules; these only turn them into redirects).

use app::auth::cas;
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
    Router::new().route("/auth/cas", get(start)).route(cas::CALLBACK_PATH, get(callback).post(logout)).with_state(state)
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
    let cookie = format!(
        "{}={}; Path={}; HttpOnly; SameSite=Lax; Max-Age=600{}",
        cas::NEXT_COOKIE,
        percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC),
        cas::CALLBACK_PATH,
        if st.config.secure_cookies() { "; Secure" } else { "" }
    );
    with_cookies(Redirect::to(&login), [cookie])
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
        Err(e) => {
            let msg = match &e {
                AppError::Invalid { msg, .. } | AppError::Rule { msg, .. } | AppError::Conflict { msg } | AppError::RateLimited { msg, .. } => *msg,
                AppError::NotFound => return StatusCode::NOT_FOUND.into_response(),
                _ => {
                    tracing::error!(error = %e, "CAS sign-in failed");
                    app::i18n::Msg::ErrCasUnavailable
                }
            };
            with_cookies(Redirect::to(&format!("/sign-in/staff?error={}", msg.name())), [forget_next])
        }
    }
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

fn with_cookies<const N: usize>(redirect: Redirect, cookies: [String; N]) -> Response {
    let mut res = redirect.into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}
