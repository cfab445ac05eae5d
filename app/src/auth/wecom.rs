//! Staff sign-in through enterprise WeChat (企业微信). Inside the WeCom app
//! (user agent `wxwork`) `/auth/wecom` goes to WeCom's OAuth page with
//! `snsapi_base`, which returns at once with a code (silent: nothing to
//! tap); in a PC's browser it goes to WeCom's QR sign-in page. Either way
//! `/auth/wecom/callback?code=…&state=…` exchanges the code for the
//! member's userid (`platform::wecom`), which is the staff number.
//!
//! `state` is random and kept in a cookie scoped to the callback with where
//! to go next: a callback whose state is not this browser's is refused
//! (login CSRF). A code is accepted once here, whatever WeCom says.

use crate::error::AppError;
use crate::i18n::Msg;
use crate::platform::{context::AppState, db, keys};

pub const START_PATH: &str = "/auth/wecom";
pub const CALLBACK_PATH: &str = "/auth/wecom/callback";
/// `<state>.<where to go next, percent-encoded>`.
pub const STATE_COOKIE: &str = "cp_wecom";

/// Inside the WeCom app.
pub fn in_wecom(user_agent: &str) -> bool {
    user_agent.to_ascii_lowercase().contains("wxwork")
}

/// Where WeCom sends the browser back.
pub fn redirect_uri(st: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", st.config.public_base_url.trim_end_matches('/'))
}

/// Where to send the browser to sign in, and the state cookie's value.
pub fn start(st: &AppState, user_agent: &str, next: &str) -> Option<(String, String)> {
    let wecom = st.wecom.as_ref()?;
    let state = keys::random_token(16);
    let url = if in_wecom(user_agent) { wecom.oauth_url(&redirect_uri(st), &state) } else { wecom.qr_login_url(&redirect_uri(st), &state) };
    let next = crate::domain::site_path::safe_next(next).unwrap_or("/");
    Some((url, format!("{state}.{}", crate::components::encode_component(next))))
}

/// Where to go after signing in, if `state` is the one this browser was given.
pub fn next_if_state_matches(cookie: Option<&str>, state: &str) -> Option<String> {
    let (kept, next) = cookie?.split_once('.')?;
    if kept.is_empty() || kept != state {
        return None;
    }
    let next = percent_encoding::percent_decode_str(next).decode_utf8().ok()?;
    Some(crate::domain::site_path::safe_next(&next).unwrap_or("/").to_owned())
}

/// Exchanges a code for the staff member it names and opens their session;
/// the cookie value.
pub async fn sign_in(st: &AppState, code: &str, ip: &str) -> Result<String, AppError> {
    let Some(wecom) = st.wecom.as_ref() else { return Err(AppError::NotFound) };
    let failed = AppError::invalid("code", Msg::ErrWeComFailed);
    let now = st.clock.now_ms();
    if st.limits.take(&format!("signin:ip:{ip}"), &super::ssr::SIGNIN_PER_IP, now).await?.is_err() {
        return Err(AppError::RateLimited { msg: Msg::ErrRateLimited, retry_after_secs: 900 });
    }
    if code.is_empty() || code.len() > 512 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)) {
        return Err(failed);
    }
    // Spent before it is used: two requests with one code, one goes on.
    let spent = sqlx::query("INSERT INTO wecom_codes (code_hash, used_at) VALUES ($1, $2)")
        .bind(keys::sha256_hex(code.as_bytes()))
        .bind(now)
        .execute(&st.db.write)
        .await;
    match spent {
        Ok(_) => {}
        Err(e) if db::is_unique_violation(&e) => return Err(failed),
        Err(e) => return Err(e.into()),
    }
    let userid = match wecom.user_for_code(code).await {
        Ok(u) => u,
        Err(e) if e.is_bad_code() => {
            tracing::info!(error = %e, "WeCom refused a sign-in code");
            return Err(failed);
        }
        Err(crate::platform::wecom::WeComError::Api { code: 0, message }) => {
            tracing::info!(message, "a WeCom sign-in by someone outside the corp");
            return Err(failed);
        }
        Err(e) => {
            tracing::warn!(error = %e, "WeCom sign-in could not complete");
            return Err(AppError::Conflict { msg: Msg::ErrWeComUnavailable });
        }
    };
    let Some((id, staff_no)) = super::ssr::signed_on_staff(st, &userid).await? else {
        return Err(AppError::Rule { field: "staff_no".into(), msg: Msg::ErrWeComUnknownStaff, arg: String::new() });
    };
    let token = super::ssr::signed_on_session(st, &id, &staff_no, "wecom", None, ip).await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wecom_app_is_told_by_its_user_agent() {
        assert!(in_wecom("Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh"));
        assert!(!in_wecom("Mozilla/5.0 (Linux; Android 13) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47"));
    }

    #[test]
    fn the_state_must_be_this_browsers() {
        assert_eq!(next_if_state_matches(Some("abc.%2Fapprovals"), "abc").as_deref(), Some("/approvals"));
        assert_eq!(next_if_state_matches(Some("abc.%2F%2Fevil.example"), "abc").as_deref(), Some("/"));
        assert_eq!(next_if_state_matches(Some("abc.%2F"), "abd"), None);
        assert_eq!(next_if_state_matches(Some(".%2F"), ""), None);
        assert_eq!(next_if_state_matches(None, "abc"), None);
    }
}
