//! Sign-in rules: SMS codes (expiry, reuse, wrong tries, limits per number
//! and per IP), staff passwords (throttling, initial passwords), sessions.

use crate::support::TestApp;
use app::components::{Me, MeKind};
use app::error::AppError;
use app::i18n::Msg;
use campus_pass_server::demo::DEMO_PASSWORD;
use chrono::Duration;

const PHONE: &str = "13800138000";

#[tokio::test]
async fn a_visitor_signs_in_with_an_sms_code() {
    let app = TestApp::spawn().await;
    let c = TestApp::browser();
    app.call::<()>(&c, "request_sms_code", &[("phone", "+86 138-0013-8000")]).await.unwrap();
    let code = app.last_code(PHONE).await.unwrap();
    // Only an HMAC of the code is stored.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM sms_codes WHERE code_mac LIKE '%{code}%'")).await, 0);
    let me: Me = app.call(&c, "sign_in_with_sms", &[("phone", PHONE), ("code", &code)]).await.unwrap();
    assert_eq!(me.kind, MeKind::Phone { masked: "138****8000".into(), resident: false });
    let again: Option<Me> = app.call(&c, "current_user", &[]).await.unwrap();
    assert_eq!(again.unwrap().display_name, "138****8000");
}

#[tokio::test]
async fn a_resident_is_recognised_by_the_household_phone() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let c = app.phone_user(campus_pass_server::demo::RESIDENT_PHONE).await;
    let me: Option<Me> = app.call(&c, "current_user", &[]).await.unwrap();
    assert!(matches!(me.unwrap().kind, MeKind::Phone { resident: true, .. }));
}

#[tokio::test]
async fn a_bad_phone_number_is_refused_and_nothing_is_sent() {
    let app = TestApp::spawn().await;
    let err = app.call::<()>(&TestApp::browser(), "request_sms_code", &[("phone", "12345")]).await.unwrap_err();
    assert_eq!(err, (422, AppError::invalid("phone", Msg::ErrPhoneInvalid)));
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox").await, 0);
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes() {
    let app = TestApp::spawn().await;
    let c = TestApp::browser();
    app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap();
    let code = app.last_code(PHONE).await.unwrap();
    app.clock.advance(Duration::minutes(10) + Duration::seconds(1));
    let err = app.call::<Me>(&c, "sign_in_with_sms", &[("phone", PHONE), ("code", &code)]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrCodeInvalid);
}

#[tokio::test]
async fn a_code_works_once() {
    let app = TestApp::spawn().await;
    let c = TestApp::browser();
    app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap();
    let code = app.last_code(PHONE).await.unwrap();
    app.call::<Me>(&c, "sign_in_with_sms", &[("phone", PHONE), ("code", &code)]).await.unwrap();
    let other = TestApp::browser();
    let err = app.call::<Me>(&other, "sign_in_with_sms", &[("phone", PHONE), ("code", &code)]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrCodeInvalid);
}

#[tokio::test]
async fn five_wrong_tries_void_the_code() {
    let app = TestApp::spawn().await;
    let c = TestApp::browser();
    app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap();
    let code = app.last_code(PHONE).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let err = app.call::<Me>(&c, "sign_in_with_sms", &[("phone", PHONE), ("code", wrong)]).await.unwrap_err();
        assert_eq!(err.1.msg(), Msg::ErrCodeInvalid);
    }
    let err = app.call::<Me>(&c, "sign_in_with_sms", &[("phone", PHONE), ("code", &code)]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrCodeInvalid, "the right code no longer works");
}

#[tokio::test]
async fn parallel_guesses_get_at_most_five_comparisons() {
    let app = TestApp::spawn().await;
    let c = TestApp::browser();
    app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap();
    let guesses = (0..20).map(|i| {
        let c = c.clone();
        let app = &app;
        async move {
            let g = format!("{:06}", 100000 + i);
            app.call::<Me>(&c, "sign_in_with_sms", &[("phone", PHONE), ("code", &g)]).await
        }
    });
    futures::future::join_all(guesses).await;
    let (tries,): (i64,) = sqlx::query_as("SELECT failed_attempts FROM sms_codes").fetch_one(&app.state.db.read).await.unwrap();
    assert!(tries <= 5, "{tries} comparisons were made");
}

#[tokio::test]
async fn codes_are_limited_per_minute_hour_and_day() {
    let app = TestApp::spawn().await;
    let c = TestApp::browser();
    app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap();
    let err = app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap_err();
    assert_eq!(err.0, 429);
    assert_eq!(err.1.msg(), Msg::ErrSmsPerMinute);
    for _ in 0..4 {
        app.clock.advance(Duration::seconds(61));
        app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap();
    }
    app.clock.advance(Duration::seconds(61));
    let err = app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrSmsPerHour);
    app.clock.advance(Duration::hours(1));
    for _ in 0..5 {
        app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap();
        app.clock.advance(Duration::seconds(61));
    }
    let err = app.call::<()>(&c, "request_sms_code", &[("phone", PHONE)]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrSmsPerDay);
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox").await, 10);
}

#[tokio::test]
async fn codes_are_limited_per_ip_across_numbers() {
    let app = TestApp::spawn().await;
    let c = TestApp::browser();
    for i in 0..30 {
        app.call::<()>(&c, "request_sms_code", &[("phone", &format!("139{:08}", i))]).await.unwrap();
    }
    let err = app.call::<()>(&c, "request_sms_code", &[("phone", "13700000000")]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrSmsPerIp);
}

#[tokio::test]
async fn staff_sign_in_and_a_wrong_password() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let c = TestApp::browser();
    let err = app.call::<Me>(&c, "sign_in_with_password", &[("staff_no", "S0001"), ("password", "nope-nope-1")]).await.unwrap_err();
    assert_eq!(err, (422, AppError::invalid("password", Msg::ErrBadCredentials)));
    // An unknown account answers exactly the same.
    let err2 = app.call::<Me>(&c, "sign_in_with_password", &[("staff_no", "X9999"), ("password", "nope-nope-1")]).await.unwrap_err();
    assert_eq!(err, err2);
    let me = app.sign_in_staff(&c, "s0001", DEMO_PASSWORD).await;
    assert!(me.has(app::domain::Role::SecurityAdmin));
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let c = TestApp::browser();
    for _ in 0..5 {
        app.call::<Me>(&c, "sign_in_with_password", &[("staff_no", "T1001"), ("password", "wrong-guess-1")]).await.unwrap_err();
    }
    let err = app.call::<Me>(&c, "sign_in_with_password", &[("staff_no", "T1001"), ("password", DEMO_PASSWORD)]).await.unwrap_err();
    assert_eq!(err.0, 429);
    assert_eq!(err.1.msg(), Msg::ErrAccountLocked);
    app.clock.advance(Duration::minutes(16));
    app.sign_in_staff(&c, "T1001", DEMO_PASSWORD).await;
}

#[tokio::test]
async fn parallel_password_guesses_get_at_most_five_checks() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let guesses = (0..50).map(|i| {
        let app = &app;
        async move {
            let c = TestApp::browser();
            app.call::<Me>(&c, "sign_in_with_password", &[("staff_no", "T1001"), ("password", &format!("guess-{i}"))]).await
        }
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers.iter().filter(|r| matches!(r, Err((_, e)) if e.msg() == Msg::ErrBadCredentials)).count();
    let locked = answers.iter().filter(|r| matches!(r, Err((429, e)) if e.msg() == Msg::ErrAccountLocked)).count();
    assert!(checked <= 5, "{checked} passwords were checked");
    assert_eq!(checked + locked, 50);
    // (Racing tries may be refused more than needed, never let through:
    // fewer than five may have been checked.) Locked once five are counted.
    let c = TestApp::browser();
    for i in checked..5 {
        let e = app.call::<Me>(&c, "sign_in_with_password", &[("staff_no", "T1001"), ("password", &format!("again-{i}"))]).await.unwrap_err();
        assert_eq!(e.1.msg(), Msg::ErrBadCredentials);
    }
    assert_eq!(app.call::<Me>(&c, "sign_in_with_password", &[("staff_no", "T1001"), ("password", DEMO_PASSWORD)]).await.unwrap_err().0, 429);
    app.clock.advance(Duration::minutes(16));
    let failures = app.count("SELECT COUNT(*) FROM rate_events WHERE bucket LIKE 'pw:ip:%'").await;
    app.sign_in_staff(&c, "T1001", DEMO_PASSWORD).await;
    // A right password leaves no failure behind, on the account or the address.
    assert_eq!(app.count("SELECT COUNT(*) FROM rate_events WHERE bucket LIKE 'pw:ip:%'").await, failures);
    assert_eq!(app.count("SELECT COUNT(*) FROM rate_events WHERE bucket LIKE 'pw:acct:%'").await, 0);
}

#[tokio::test]
async fn behind_the_proxy_the_limit_per_address_counts_what_the_proxy_saw_not_what_the_client_wrote() {
    let app = TestApp::spawn_with(|c| c.trust_proxy = true).await;
    let send = |i: u32, forwarded: String| {
        let app = &app;
        async move {
            let res = reqwest::Client::new()
                .post(format!("{}/api/fn/request_sms_code", app.base))
                .header("origin", &app.base)
                .header("x-forwarded-for", forwarded)
                .form(&[("phone", format!("1370000{i:04}"))])
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    };
    // A client writing a new address of its own each time, through a proxy
    // that appends the one it saw ($proxy_add_x_forwarded_for).
    for i in 0..30 {
        assert_eq!(send(i, format!("10.9.{}.{}, 203.0.113.9", i / 200, i % 200)).await, 200);
    }
    assert_eq!(send(30, "10.77.0.1, 203.0.113.9".into()).await, 429, "the 31st from one address in an hour");
    // Another address is another count.
    assert_eq!(send(31, "203.0.113.10".into()).await, 200);
}

#[tokio::test]
async fn a_flood_of_refused_sms_requests_writes_nothing() {
    let app = TestApp::spawn().await;
    // Every row written to the limits' table is counted by the database itself.
    let db = &app.state.db.write;
    sqlx::query("CREATE TABLE rate_writes (n INTEGER)").execute(db).await.unwrap();
    if app.state.db.backend == app::platform::db::Backend::Postgres {
        sqlx::query(
            "CREATE FUNCTION count_rate_write() RETURNS trigger AS $$ BEGIN INSERT INTO rate_writes VALUES (1); RETURN NEW; END $$ LANGUAGE plpgsql",
        )
        .execute(db)
        .await
        .unwrap();
        sqlx::query("CREATE TRIGGER rate_written AFTER INSERT ON rate_events FOR EACH ROW EXECUTE FUNCTION count_rate_write()")
            .execute(db)
            .await
            .unwrap();
    } else {
        sqlx::query("CREATE TRIGGER rate_written AFTER INSERT ON rate_events BEGIN INSERT INTO rate_writes VALUES (1); END")
            .execute(db)
            .await
            .unwrap();
    }
    let c = TestApp::browser();
    let mut refused = 0;
    for i in 0..200u32 {
        if app.call::<()>(&c, "request_sms_code", &[("phone", &format!("1370001{i:04}"))]).await.is_err() {
            refused += 1;
        }
    }
    assert_eq!(refused, 170, "30 an hour from one address");
    // The 30 accepted requests wrote their address's and their number's
    // events; the 170 refused wrote nothing.
    assert_eq!(app.count("SELECT COUNT(*) FROM rate_writes").await, 60);
}

/// Many claimed addresses asking codes for random numbers pass each
/// address's and each number's limits; the server's brake refuses such a
/// flood in memory, and what it refuses writes nothing.
#[tokio::test]
async fn a_flood_of_codes_from_many_addresses_is_braked_before_the_database() {
    use futures::StreamExt;
    let app = TestApp::spawn_with(|c| {
        c.trust_proxy = true;
        c.sms_codes_per_second = 5;
    })
    .await;
    let c = TestApp::browser();
    let answers: Vec<(u16, String)> = futures::stream::iter(0..80u32)
        .map(|i| {
            let (c, base) = (c.clone(), app.base.clone());
            async move {
                let res = c
                    .post(format!("{base}/api/fn/request_sms_code"))
                    .header("origin", &base)
                    .header("x-forwarded-for", format!("198.51.100.{}", i % 250 + 1))
                    .form(&[("phone", format!("1390002{i:04}"))])
                    .send()
                    .await
                    .unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            }
        })
        .buffer_unordered(40)
        .collect()
        .await;
    let sent = answers.iter().filter(|a| a.0 == 200).count() as i64;
    let braked: Vec<_> = answers.iter().filter(|a| a.0 != 200).collect();
    assert!(sent >= 10, "a burst of twice the rate passes: {sent}");
    assert!(!braked.is_empty() && braked.iter().all(|(s, body)| *s == 429 && body.contains("ErrSmsBusy")), "{braked:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_codes").await, sent);
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox").await, sent);
    assert_eq!(app.count("SELECT COUNT(*) FROM rate_events").await, 2 * sent, "an address's and a number's event per code sent");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let c = app.staff("S0001").await;
    // Keep the raw cookie as a thief would.
    let res = TestApp::browser()
        .post(format!("{}/api/fn/sign_in_with_password", app.base))
        .form(&[("staff_no", "S0001"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    let set_cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let thief = reqwest::Client::new();
    let who = |cookie: String| {
        let thief = thief.clone();
        let url = format!("{}/api/fn/current_user", app.base);
        async move { thief.post(url).header("cookie", cookie).send().await.unwrap().text().await.unwrap() }
    };
    assert!(who(cookie.clone()).await.contains("S0001"));
    // Sign out with that same session.
    let out = reqwest::Client::new().post(format!("{}/api/fn/sign_out", app.base)).header("cookie", cookie.clone()).send().await.unwrap();
    assert!(out.status().is_success());
    assert_eq!(who(cookie).await, "null");
    // The other session is untouched.
    let me: Option<Me> = app.call(&c, "current_user", &[]).await.unwrap();
    assert!(me.is_some());
}

#[tokio::test]
async fn sessions_end_after_idle_and_absolute_timeouts() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let c = app.staff("T1001").await;
    app.clock.advance(Duration::minutes(239));
    assert!(app.call::<Option<Me>>(&c, "current_user", &[]).await.unwrap().is_some());
    app.clock.advance(Duration::minutes(239));
    assert!(app.call::<Option<Me>>(&c, "current_user", &[]).await.unwrap().is_some(), "activity keeps it alive");
    app.clock.advance(Duration::minutes(241));
    assert!(app.call::<Option<Me>>(&c, "current_user", &[]).await.unwrap().is_none(), "idle timeout");
    let c = app.staff("T1001").await;
    for _ in 0..5 {
        app.clock.advance(Duration::hours(3));
        let _ = app.call::<Option<Me>>(&c, "current_user", &[]).await.unwrap();
    }
    assert!(app.call::<Option<Me>>(&c, "current_user", &[]).await.unwrap().is_none(), "absolute timeout after 14 h");
}

/// Use refreshes a session's idle timer in the database (where every
/// server sees it), at most once a minute: reads do not write.
#[tokio::test]
async fn use_refreshes_a_sessions_last_seen_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let c = app.staff("T1001").await;
    let seen = "SELECT MAX(s.last_seen_at) FROM sessions s JOIN staff t ON t.id = s.staff_id WHERE t.staff_no = 'T1001' AND s.ended_at IS NULL";
    let before = app.count(seen).await;
    app.clock.advance(Duration::minutes(2));
    assert!(app.call::<Option<Me>>(&c, "current_user", &[]).await.unwrap().is_some());
    let after = app.count_eventually(seen, before + 120_000).await;
    assert_eq!(after, before + 120_000, "the refresh is written");
    // Within the minute no refresh is written at all.
    app.clock.advance(Duration::seconds(30));
    assert!(app.call::<Option<Me>>(&c, "current_user", &[]).await.unwrap().is_some());
    assert_eq!(app.count(seen).await, after);
}

#[tokio::test]
async fn a_new_session_id_at_every_sign_in() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let cookie_of = |res: reqwest::Response| res.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let c = reqwest::Client::new();
    let send = || c.post(format!("{}/api/fn/sign_in_with_password", app.base)).form(&[("staff_no", "T1001"), ("password", DEMO_PASSWORD)]).send();
    let a = cookie_of(send().await.unwrap());
    let b = cookie_of(send().await.unwrap());
    assert_ne!(a, b);
}

#[tokio::test]
async fn cross_site_requests_are_refused() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/fn/sign_in_with_password", app.base))
        .header("origin", "https://evil.example")
        .form(&[("staff_no", "T1001"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert!(res.headers().get("set-cookie").is_none());
    let res = reqwest::Client::new()
        .post(format!("{}/api/fn/sign_in_with_password", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("staff_no", "T1001"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
}

#[tokio::test]
async fn an_initial_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let depts: Vec<app::directory::DepartmentView> = app.call(&admin, "list_departments", &[]).await.unwrap();
    let cs = depts.iter().find(|d| d.code == "SEC").unwrap();
    let initial: Option<String> = app
        .call(&admin, "save_staff", &[("staff_no", "N0001"), ("name", "新同事"), ("department_id", &cs.id), ("phone", ""), ("active", "true")])
        .await
        .unwrap();
    let initial = initial.unwrap();
    // Give the newcomer the admin role: still refused until the password is changed.
    app.call::<()>(&admin, "grant_role", &[("staff_no", "N0001"), ("role", "SecurityAdmin"), ("scope_id", "")]).await.unwrap();
    let c = TestApp::browser();
    let me = app.sign_in_staff(&c, "N0001", &initial).await;
    assert!(me.must_change_password);
    let err = app.call::<Vec<app::directory::DepartmentView>>(&c, "list_departments", &[]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::MustChangePassword);
    let err = app.call::<()>(&c, "change_password", &[("current", &initial), ("new", "short")]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrPasswordWeak);
    // Long enough but common, or made of the person's own staff number.
    for common in ["Password123!", "qwertyuiop123", "1qaz2wsx3edc", "N0001N0001"] {
        let err = app.call::<()>(&c, "change_password", &[("current", &initial), ("new", common)]).await.unwrap_err();
        assert_eq!(err.1.msg(), Msg::ErrPasswordCommon, "{common}");
    }
    app.call::<()>(&c, "change_password", &[("current", &initial), ("new", "new-secret-2026")]).await.unwrap();
    app.call::<Vec<app::directory::DepartmentView>>(&c, "list_departments", &[]).await.unwrap();
    // The old password is gone.
    let err = app.call::<Me>(&TestApp::browser(), "sign_in_with_password", &[("staff_no", "N0001"), ("password", &initial)]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrBadCredentials);
    assert!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'change_password'").await == 1);
}
