//! The real server binary as a child process, for the tests that kill one
//! or run several on one database: started on a free port with the demo
//! campus, talked to over HTTP like any client.

use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    pub child: Child,
    pub base: String,
}

/// Starts the server binary on a free port with the demo campus (seeded on
/// the first start only) and waits until it answers.
pub async fn start(database_url: &str, data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let log = std::fs::OpenOptions::new().create(true).append(true).open(data_dir.join("server.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("CAMPUS_PASS_LISTEN", format!("127.0.0.1:{port}"))
        .env("CAMPUS_PASS_PUBLIC_BASE_URL", &base)
        .env("CAMPUS_PASS_DATABASE_URL", database_url)
        .env("CAMPUS_PASS_DATA_DIR", data_dir)
        .env("CAMPUS_PASS_SITE_ROOT", data_dir.join("site"))
        .env("CAMPUS_PASS_DEMO", "true")
        // Each simulated phone says where it is, as a proxy would.
        .env("CAMPUS_PASS_TRUST_PROXY", "true")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start the server binary");
    let probe = reqwest::Client::new();
    for _ in 0..300 {
        if probe.get(format!("{base}/api/health")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Server { child, base };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start: {}", std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default());
}

pub fn client(ip: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", ip.parse().unwrap());
    reqwest::Client::builder().cookie_store(true).default_headers(headers).timeout(Duration::from_secs(30)).build().unwrap()
}

/// A server function's answer: `Err(None)` when none arrived (the
/// connection broke), `Err(Some(..))` when the server refused.
pub async fn call(c: &reqwest::Client, base: &str, name: &str, body: Value) -> Result<Value, Option<String>> {
    let res = c.post(format!("{base}/api/fn/{name}")).header("origin", base).json(&body).send().await.map_err(|_| None)?;
    let status = res.status();
    let text = res.text().await.map_err(|_| None)?;
    if status.is_success() { Ok(serde_json::from_str(&text).unwrap_or(Value::Null)) } else { Err(Some(format!("{name}: {status} {text}"))) }
}

pub async fn form_call(c: &reqwest::Client, base: &str, name: &str, args: &[(&str, &str)]) -> Value {
    let res = c.post(format!("{base}/api/fn/{name}")).header("origin", base).form(args).send().await.unwrap();
    assert!(res.status().is_success(), "{name}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

/// A visit day the demo campus books: two days on, in campus time (China).
pub fn visit_day() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8) + chrono::Duration::days(2)).format("%Y-%m-%d").to_string()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
