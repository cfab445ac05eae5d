//! Signing in and out: visitors and residents by phone + SMS code, staff by
//! staff number + password; server-side sessions.

#[cfg(feature = "ssr")]
pub mod cas;
mod pages;
#[cfg(feature = "ssr")]
pub mod wecom;
pub use pages::*;

use crate::components::{Me, MeKind};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::domain::{Phone, StaffNo};
    use crate::i18n::{Lang, Msg};
    use crate::platform::{
        audit,
        context::{AppState, Principal},
        password,
        rate_limit::{DAY, HOUR, Limit, MINUTE},
        session::{self, SessionSubject},
        sms,
    };
    use rand::Rng;

    pub const CODE_TTL_MS: i64 = 10 * MINUTE;
    pub const CODE_MAX_TRIES: i64 = 5;
    pub const SMS_PER_PHONE: [Limit; 3] = [Limit { max: 1, window_ms: MINUTE }, Limit { max: 5, window_ms: HOUR }, Limit { max: 10, window_ms: DAY }];
    pub const SMS_PER_IP: [Limit; 1] = [Limit { max: 30, window_ms: HOUR }];
    pub const PASSWORD_WINDOW_MS: i64 = 15 * MINUTE;
    pub const PASSWORD_FAILS_PER_ACCOUNT: i64 = 5;
    pub const PASSWORD_FAILS_PER_IP: i64 = 30;
    pub const SIGNIN_PER_IP: [Limit; 1] = [Limit { max: 60, window_ms: 15 * MINUTE }];

    pub fn request_lang() -> Lang {
        use_context::<http::request::Parts>()
            .map(|p| {
                let cookie = session::cookie_in(&p.headers, "lang");
                let accept = p.headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
                Lang::negotiate(cookie, accept)
            })
            .unwrap_or_default()
    }

    pub async fn send_code(st: &AppState, phone: &Phone, ip: &str, lang: Lang) -> Result<(), AppError> {
        let now = st.clock.now_ms();
        // A flood from many claimed addresses for random numbers passes
        // each address's and number's limits: refused here, in memory,
        // before it costs the one SQLite writer the guards' scans need.
        if !st.limits.code_brake_allows() {
            return Err(AppError::RateLimited { msg: Msg::ErrSmsBusy, retry_after_secs: 1 });
        }
        if let Err((_, wait)) = st.limits.take(&format!("sms:ip:{ip}"), &SMS_PER_IP, now).await? {
            return Err(AppError::RateLimited { msg: Msg::ErrSmsPerIp, retry_after_secs: wait / 1000 });
        }
        if let Err((which, wait)) = st.limits.take(&format!("sms:phone:{}", phone.as_str()), &SMS_PER_PHONE, now).await? {
            let msg = [Msg::ErrSmsPerMinute, Msg::ErrSmsPerHour, Msg::ErrSmsPerDay][which];
            return Err(AppError::RateLimited { msg, retry_after_secs: wait / 1000 });
        }
        let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
        sqlx::query("INSERT INTO sms_codes (id, phone, code_mac, created_at, expires_at, failed_attempts) VALUES ($1, $2, $3, $4, $5, 0)")
            .bind(crate::platform::db::new_id())
            .bind(phone.as_str())
            .bind(st.keys.otp_mac(phone.as_str(), &code))
            .bind(now)
            .bind(now + CODE_TTL_MS)
            .execute(&st.db.write)
            .await?;
        let text = crate::i18n::OfficeMsg::SmsCodeText.text(lang);
        sms::send(
            &st.db,
            st.sms.as_ref(),
            &st.keys,
            now,
            sms::Outgoing {
                to: phone,
                purpose: "sign_in_code",
                body: text.replace("{code}", &code),
                params: vec![("code".into(), code.clone())],
                wecom_user: None,
            },
        )
        .await?;
        Ok(())
    }

    /// Checks a code: only the newest unexpired one counts, each try is
    /// counted before comparing (so parallel guesses cannot exceed the
    /// limit), and the code is spent by a conditional update.
    pub async fn check_code(st: &AppState, phone: &Phone, code: &str) -> Result<(), AppError> {
        let now = st.clock.now_ms();
        let bad = AppError::invalid("code", Msg::ErrCodeInvalid);
        let latest: Option<(String, String)> = sqlx::query_as(
            "SELECT id, code_mac FROM sms_codes WHERE phone = $1 AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(phone.as_str())
        .bind(now)
        .fetch_optional(&st.db.write)
        .await?;
        let Some((id, mac)) = latest else { return Err(bad) };
        let reserved =
            sqlx::query("UPDATE sms_codes SET failed_attempts = failed_attempts + 1 WHERE id = $1 AND failed_attempts < $2 AND used_at IS NULL")
                .bind(&id)
                .bind(CODE_MAX_TRIES)
                .execute(&st.db.write)
                .await?;
        if reserved.rows_affected() != 1 {
            return Err(bad);
        }
        if !constant_time_eq(mac.as_bytes(), st.keys.otp_mac(phone.as_str(), code).as_bytes()) {
            return Err(bad);
        }
        let spent =
            sqlx::query("UPDATE sms_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL").bind(now).bind(&id).execute(&st.db.write).await?;
        if spent.rows_affected() == 1 { Ok(()) } else { Err(bad) }
    }

    fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// Who a single sign-on (CAS, WeCom) named, by the one rule for both:
    /// the staff number must be on the staff list and active. `Ok(None)`:
    /// the list does not have them (the caller may provision, or refuses
    /// with its own message).
    pub async fn signed_on_staff(st: &AppState, number: &str) -> Result<Option<(String, StaffNo)>, AppError> {
        let Ok(staff_no) = StaffNo::parse(number) else { return Ok(None) };
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT id, active FROM staff WHERE staff_no = $1").bind(staff_no.as_str()).fetch_optional(&st.db.read).await?;
        match row {
            Some((id, 1)) => Ok(Some((id, staff_no))),
            Some(_) => Err(AppError::Rule { field: "staff_no".into(), msg: Msg::ErrCasStaffInactive, arg: String::new() }),
            None => {
                tracing::info!(staff_no = staff_no.as_str(), "a single sign-on named someone the staff list does not have");
                Ok(None)
            }
        }
    }

    /// Opens a signed-on staff member's session (with the sign-on's ticket,
    /// if it has one) and records the sign-in; the cookie value.
    pub async fn signed_on_session(
        st: &AppState,
        id: &str,
        staff_no: &StaffNo,
        via: &str,
        ticket: Option<&str>,
        ip: &str,
    ) -> Result<String, sqlx::Error> {
        let now = st.clock.now_ms();
        let token = session::create_with_ticket(&st.db, &SessionSubject::Staff(id.to_owned()), ticket, now, &st.timeouts()).await?;
        audit::record(&st.db.write, now, &format!("staff:{}", staff_no.as_str()), "sign_in", "staff", id, serde_json::json!({"via": via}), Some(ip))
            .await?;
        Ok(token)
    }

    pub async fn start_session(st: &AppState, subject: SessionSubject) -> Result<(), AppError> {
        let t = st.timeouts();
        let token = session::create(&st.db, &subject, st.clock.now_ms(), &t).await?;
        crate::platform::context::set_cookie(session::cookie_header(&token, t.absolute_ms / 1000, st.config.secure_cookies()));
        Ok(())
    }

    pub async fn password_sign_in(st: &AppState, staff_no: &str, pw: String, ip: &str) -> Result<String, AppError> {
        let now = st.clock.now_ms();
        let bad = AppError::invalid("password", Msg::ErrBadCredentials);
        if st.limits.take(&format!("signin:ip:{ip}"), &SIGNIN_PER_IP, now).await?.is_err() {
            return Err(AppError::RateLimited { msg: Msg::ErrRateLimited, retry_after_secs: 900 });
        }
        let Ok(staff_no) = StaffNo::parse(staff_no) else { return Err(bad) };
        let acct_bucket = format!("pw:acct:{}", staff_no.as_str());
        let ip_bucket = format!("pw:ip:{ip}");
        // Each try is counted as a failure before the (slow) check, so 500
        // tries at once are 500 counted tries, not 500 that all passed a
        // "fewer than five" check; a right password takes its try back.
        let Ok(acct_try) = st.limits.reserve(&acct_bucket, &[Limit { max: PASSWORD_FAILS_PER_ACCOUNT, window_ms: PASSWORD_WINDOW_MS }], now).await?
        else {
            return Err(AppError::RateLimited { msg: Msg::ErrAccountLocked, retry_after_secs: PASSWORD_WINDOW_MS / 1000 });
        };
        let Ok(ip_try) = st.limits.reserve(&ip_bucket, &[Limit { max: PASSWORD_FAILS_PER_IP, window_ms: PASSWORD_WINDOW_MS }], now).await? else {
            st.limits.release(&acct_try).await?;
            return Err(AppError::RateLimited { msg: Msg::ErrRateLimited, retry_after_secs: PASSWORD_WINDOW_MS / 1000 });
        };
        let row: Option<(String, Option<String>)> = sqlx::query_as("SELECT id, password_hash FROM staff WHERE staff_no = $1 AND active = 1")
            .bind(staff_no.as_str())
            .fetch_optional(&st.db.read)
            .await?;
        let (id, hash) = match row {
            Some((id, h)) => (Some(id), h),
            None => (None, None),
        };
        if !password::verify(pw, hash).await || id.is_none() {
            return Err(bad);
        }
        let id = id.unwrap_or_default();
        st.limits.release(&ip_try).await?;
        st.limits.clear(&acct_bucket).await?;
        audit::record(&st.db.write, now, &format!("staff:{}", staff_no.as_str()), "sign_in", "staff", &id, serde_json::json!({}), Some(ip)).await?;
        Ok(id)
    }

    pub async fn change_password(st: &AppState, p: &Principal, current: String, new: String, ip: &str) -> Result<(), AppError> {
        let Some(staff) = p.staff() else { return Err(AppError::Forbidden) };
        let now = st.clock.now_ms();
        let acct_bucket = format!("pw:acct:{}", staff.staff_no);
        let Ok(acct_try) = st.limits.reserve(&acct_bucket, &[Limit { max: PASSWORD_FAILS_PER_ACCOUNT, window_ms: PASSWORD_WINDOW_MS }], now).await?
        else {
            return Err(AppError::RateLimited { msg: Msg::ErrAccountLocked, retry_after_secs: PASSWORD_WINDOW_MS / 1000 });
        };
        let (hash,): (Option<String>,) =
            sqlx::query_as("SELECT password_hash FROM staff WHERE id = $1").bind(&staff.id).fetch_one(&st.db.read).await?;
        if !password::verify(current.clone(), hash).await {
            return Err(AppError::invalid("current_password", Msg::ErrBadCredentials));
        }
        st.limits.release(&acct_try).await?;
        if !crate::domain::account::password_is_acceptable(&new, &staff.staff_no) {
            return Err(AppError::invalid("new_password", Msg::ErrPasswordWeak));
        }
        if new == current {
            return Err(AppError::invalid("new_password", Msg::ErrPasswordSame));
        }
        // Common passwords, names, words, dates and keyboard runs, and the
        // person's own staff number and name, found in under 10^10 guesses.
        if zxcvbn::zxcvbn(&new, &[staff.staff_no.as_str(), staff.name.as_str()]).score() < zxcvbn::Score::Three {
            return Err(AppError::invalid("new_password", Msg::ErrPasswordCommon));
        }
        let new_hash = password::hash(new).await;
        let mut tx = st.db.write.begin().await?;
        sqlx::query("UPDATE staff SET password_hash = $1, must_change_password = 0, updated_at = $2 WHERE id = $3")
            .bind(new_hash)
            .bind(now)
            .bind(&staff.id)
            .execute(&mut *tx)
            .await?;
        audit::record(&mut *tx, now, &p.actor_label(), "change_password", "staff", &staff.id, serde_json::json!({"password": "changed"}), Some(ip))
            .await?;
        tx.commit().await?;
        session::end_others_for_staff(&st.db, &staff.id, Some(&p.session_hash), now).await?;
        Ok(())
    }
}

server_fn! {
    "request_sms_code";
    /// Sends a six-digit sign-in code to a mainland mobile number.
    pub async fn request_sms_code(phone: String) -> Result<(), AppError> {
        use self::ssr::*;
        use crate::platform::context::*;
        respond(async move {
            let st = state()?;
            let phone = crate::domain::Phone::parse(&phone).map_err(|_| AppError::invalid("phone", crate::i18n::Msg::ErrPhoneInvalid))?;
            send_code(&st, &phone, &client_ip(), request_lang()).await
        })
        .await
    }
}

server_fn! {
    "sign_in_with_sms";
    /// Signs a visitor or resident in with the code sent to their phone.
    pub async fn sign_in_with_sms(phone: String, code: String) -> Result<Me, AppError> {
        use self::ssr::*;
        use crate::platform::context::*;
        use crate::i18n::Msg;
        respond(async move {
            let st = state()?;
            let ip = client_ip();
            if rate_limit_signin(&st, &ip).await? {
                return Err(AppError::RateLimited { msg: Msg::ErrRateLimited, retry_after_secs: 900 });
            }
            let phone = crate::domain::Phone::parse(&phone).map_err(|_| AppError::invalid("phone", Msg::ErrPhoneInvalid))?;
            let code = code.trim();
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(AppError::invalid("code", Msg::ErrCodeFormat));
            }
            check_code(&st, &phone, code).await?;
            start_session(&st, crate::platform::session::SessionSubject::Phone(phone.as_str().to_owned())).await?;
            let household: Option<(String,)> = sqlx::query_as("SELECT household_id FROM residents WHERE phone = $1")
                .bind(phone.as_str())
                .fetch_optional(&st.db.read)
                .await?;
            Ok(Me {
                display_name: phone.masked(),
                kind: MeKind::Phone { masked: phone.masked(), resident: household.is_some() },
                grants: vec![],
                must_change_password: false,
            })
        })
        .await
    }
}

#[cfg(feature = "ssr")]
async fn rate_limit_signin(st: &crate::platform::context::AppState, ip: &str) -> Result<bool, AppError> {
    let r = st.limits.take(&format!("signin:ip:{ip}"), &ssr::SIGNIN_PER_IP, st.clock.now_ms()).await?;
    Ok(r.is_err())
}

server_fn! {
    "sign_in_with_password";
    /// Signs a staff member in with staff number and password.
    pub async fn sign_in_with_password(staff_no: String, password: String) -> Result<Me, AppError> {
        use self::ssr::*;
        use crate::platform::context::*;
        respond(async move {
            let st = state()?;
            let id = password_sign_in(&st, &staff_no, password, &client_ip()).await?;
            start_session(&st, crate::platform::session::SessionSubject::Staff(id)).await?;
            // Read back through the same path every later request takes.
            let token_principal = principal_for_staff(&st, &staff_no).await?;
            Ok(token_principal)
        })
        .await
    }
}

#[cfg(feature = "ssr")]
async fn principal_for_staff(st: &crate::platform::context::AppState, staff_no: &str) -> Result<Me, AppError> {
    let staff_no = crate::domain::StaffNo::parse(staff_no).map_err(|_| AppError::NotFound)?;
    let (id, name, dept, must): (String, String, String, i64) = sqlx::query_as(
        "SELECT s.id, s.name, d.name, s.must_change_password FROM staff s JOIN departments d ON d.id = s.department_id WHERE s.staff_no = $1",
    )
    .bind(staff_no.as_str())
    .fetch_one(&st.db.read)
    .await?;
    let grants: Vec<(String,)> =
        sqlx::query_as("SELECT role FROM grants WHERE staff_id = $1 AND status = 'active'").bind(&id).fetch_all(&st.db.read).await?;
    let mut grants: Vec<crate::domain::Role> = grants.into_iter().filter_map(|(r,)| crate::domain::Role::from_code(&r)).collect();
    grants.dedup();
    Ok(Me {
        display_name: name,
        kind: MeKind::Staff { staff_no: staff_no.as_str().to_owned(), department: dept },
        grants,
        must_change_password: must != 0,
    })
}

/// How staff can sign in on this campus (the sign-in page's buttons).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SignInOptions {
    /// The campus CAS (统一身份认证) is configured.
    pub cas: bool,
    /// Enterprise WeChat is configured: inside it, sign-in is silent.
    pub wecom: bool,
}

server_fn! {
    "sign_in_methods";
    /// Which sign-in methods this campus offers staff.
    pub async fn sign_in_methods() -> Result<SignInOptions, AppError> {
        use crate::platform::context::*;
        respond(async move {
            let st = state()?;
            Ok(SignInOptions { cas: st.config.cas.enabled(), wecom: st.wecom.is_some() })
        })
        .await
    }
}

server_fn! {
    "change_password";
    /// Replaces a staff member's password (required after an initial one).
    pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
        use crate::platform::context::*;
        respond(async move {
            let st = state()?;
            let p = require_signed_in().await?;
            ssr::change_password(&st, &p, current, new, &client_ip()).await
        })
        .await
    }
}
