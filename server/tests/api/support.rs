//! `TestApp`: the real server on port 0 with a fresh database — a new SQLite
//! file, or a new PostgreSQL database when `CAMPUS_PASS_TEST_POSTGRES` holds
//! a server URL — and a clock the test moves.
#![allow(dead_code)]

use app::error::AppError;
use app::platform::{clock::ManualClock, config::Config, context::AppState};
use campus_pass_server::{build_state, demo, serve_on};
use chrono::{TimeZone, Utc};
use serde::de::DeserializeOwned;
use std::sync::Arc;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    pub state: AppState,
    pub backend: &'static str,
    _dir: tempfile::TempDir,
}

/// 2026-11-25 09:00 campus time (01:00 UTC).
pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0).unwrap()
}

pub async fn fresh_database_url(dir: &std::path::Path) -> (String, &'static str) {
    match std::env::var("CAMPUS_PASS_TEST_POSTGRES") {
        Ok(server) if !server.is_empty() => {
            use sqlx::{Connection, Executor};
            let name = format!("cp_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&server).await.expect("connect to the test PostgreSQL");
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
            let base = server.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(server);
            (format!("{base}/{name}"), "postgres")
        }
        _ => (format!("sqlite://{}/campus-pass.db", dir.display()), "sqlite"),
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// A server whose configuration `adjust` changes first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let _ = tracing_subscriber_init();
        let dir = tempfile::tempdir().unwrap();
        let (database_url, backend) = fresh_database_url(dir.path()).await;
        let config = Config {
            listen: "127.0.0.1:0".into(),
            database_url,
            data_dir: dir.path().to_path_buf(),
            site_root: dir.path().join("site"),
            background_jobs: false,
            ..Config::default()
        };
        let mut config = config;
        // The address others reach it at is its own (a sign-on server
        // sends the browser and its logout requests there).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        config.public_base_url = format!("http://{}", listener.local_addr().unwrap());
        adjust(&mut config);
        let clock = ManualClock::new(start_time());
        let state = build_state(config, Arc::new(clock.clone())).await.expect("state");
        let running = serve_on(state.clone(), listener).await.expect("serve");
        TestApp { base: format!("http://{}", running.addr), client: Self::browser(), clock, state, backend, _dir: dir }
    }

    /// A new client with its own cookie jar: another person, another phone.
    pub fn browser() -> reqwest::Client {
        // A request that never gets an answer fails the test instead of
        // hanging the suite.
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap()
    }

    /// Seeds the demo campus (departments, staff, grants, a household).
    pub async fn seed_demo(&self) {
        demo::seed_if_empty(&self.state).await.unwrap();
    }

    /// Calls a server function as the page does (URL-encoded arguments).
    pub async fn call<T: DeserializeOwned>(&self, who: &reqwest::Client, name: &str, args: &[(&str, &str)]) -> Result<T, (u16, AppError)> {
        let res = who.post(format!("{}/api/fn/{name}", self.base)).header("origin", &self.base).form(args).send().await.expect("request");
        Self::answer(name, res).await
    }

    async fn answer<T: DeserializeOwned>(name: &str, res: reqwest::Response) -> Result<T, (u16, AppError)> {
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        if (200..300).contains(&status) {
            Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("decoding {name} answer {text:?}: {e}")))
        } else {
            let err = serde_json::from_str::<AppError>(&text).unwrap_or_else(|_| AppError::Request(text.clone()));
            Err((status, err))
        }
    }

    /// Calls a server function that takes JSON (nested forms).
    pub async fn call_json<T: DeserializeOwned>(&self, who: &reqwest::Client, name: &str, args: serde_json::Value) -> Result<T, (u16, AppError)> {
        let res = who.post(format!("{}/api/fn/{name}", self.base)).header("origin", &self.base).json(&args).send().await.expect("request");
        Self::answer(name, res).await
    }

    pub async fn sign_in_staff(&self, who: &reqwest::Client, staff_no: &str, password: &str) -> app::components::Me {
        self.call(who, "sign_in_with_password", &[("staff_no", staff_no), ("password", password)])
            .await
            .unwrap_or_else(|e| panic!("sign in {staff_no}: {e:?}"))
    }

    /// A client signed in as a demo staff member.
    pub async fn staff(&self, staff_no: &str) -> reqwest::Client {
        let c = Self::browser();
        self.sign_in_staff(&c, staff_no, demo::DEMO_PASSWORD).await;
        c
    }

    /// The newest code texted to `phone`, read from the outbox.
    pub async fn last_code(&self, phone: &str) -> Option<String> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT body FROM sms_outbox WHERE phone = $1 AND purpose = 'sign_in_code' ORDER BY created_at DESC, id DESC LIMIT 1")
                .bind(phone)
                .fetch_optional(&self.state.db.read)
                .await
                .unwrap();
        row.and_then(|(b,)| b.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).map(str::to_owned))
    }

    /// A client signed in by phone and SMS code.
    pub async fn phone_user(&self, phone: &str) -> reqwest::Client {
        let c = Self::browser();
        self.call::<()>(&c, "request_sms_code", &[("phone", phone)]).await.expect("code sent");
        let code = self.last_code(phone).await.expect("code in outbox");
        self.call::<app::components::Me>(&c, "sign_in_with_sms", &[("phone", phone), ("code", &code)]).await.expect("signed in");
        c
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&self.state.db.read).await.unwrap();
        n
    }

    /// The one text `sql` selects.
    pub async fn one_text(&self, sql: &str) -> String {
        let (t,): (String,) = sqlx::query_as(sql).fetch_one(&self.state.db.read).await.unwrap();
        t
    }

    /// `count(sql)` once it is `want`, for what the server does after it
    /// has answered (SMS delivery); after 10 s, whatever it is then.
    pub async fn count_eventually(&self, sql: &str, want: i64) -> i64 {
        for _ in 0..200 {
            let n = self.count(sql).await;
            if n == want {
                return n;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.count(sql).await
    }
}

fn tracing_subscriber_init() -> Option<()> {
    Some(())
}
