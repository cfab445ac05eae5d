//! The real SMS providers against a local fake of each cloud that checks
//! the signed request independently, and the outbox's retries.

use crate::support::TestApp;
use app::domain::Phone;
use app::platform::sms;
use axum::{Router, extract::State, http::HeaderMap, routing::post};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

pub(crate) const KEY_ID: &str = "LTAI-test-id";
pub(crate) const SECRET: &str = "test-secret-value";

#[derive(Default)]
pub(crate) struct Fake {
    /// Answer with a failure this many times first.
    pub(crate) fail_first: usize,
    pub(crate) hits: Vec<String>,
    pub(crate) bad_signatures: usize,
}

pub(crate) type Shared = Arc<Mutex<Fake>>;

fn enc(s: &str) -> String {
    // RFC 3986, written out here rather than shared with the code under test.
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn aliyun(State(fake): State<Shared>, body: String) -> axum::Json<serde_json::Value> {
    let mut params: Vec<(String, String)> = url_decode_form(&body);
    let sig = params.iter().position(|(k, _)| k == "Signature").map(|i| params.remove(i).1).unwrap_or_default();
    params.sort();
    let canonical = params.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
    let to_sign = format!("POST&%2F&{}", enc(&canonical));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{SECRET}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut f = fake.lock().unwrap();
    if sig != expected {
        f.bad_signatures += 1;
        return axum::Json(serde_json::json!({"Code": "SignatureDoesNotMatch"}));
    }
    f.hits.push(body);
    if f.fail_first > 0 {
        f.fail_first -= 1;
        return axum::Json(serde_json::json!({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}));
    }
    axum::Json(serde_json::json!({"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"}))
}

pub(crate) fn url_decode_form(body: &str) -> Vec<(String, String)> {
    body.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn hmac256(key: &[u8], msg: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg.as_bytes());
    m.finalize().into_bytes().to_vec()
}

async fn tencent(State(fake): State<Shared>, headers: HeaderMap, body: String) -> axum::Json<serde_json::Value> {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let ts: i64 = h("x-tc-timestamp").parse().unwrap_or(0);
    let date = chrono::DateTime::from_timestamp(ts, 0).unwrap().format("%Y-%m-%d").to_string();
    let canonical = format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        h("content-type"),
        h("host"),
        hex::encode(Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{date}/sms/tc3_request");
    let to_sign = format!("TC3-HMAC-SHA256\n{ts}\n{scope}\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
    let k = hmac256(&hmac256(&hmac256(format!("TC3{SECRET}").as_bytes(), &date), "sms"), "tc3_request");
    let expected =
        format!("TC3-HMAC-SHA256 Credential={KEY_ID}/{scope}, SignedHeaders=content-type;host, Signature={}", hex::encode(hmac256(&k, &to_sign)));
    let mut f = fake.lock().unwrap();
    if h("authorization") != expected || h("x-tc-action") != "SendSms" || h("x-tc-version") != "2021-01-11" {
        f.bad_signatures += 1;
        return axum::Json(serde_json::json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}}}));
    }
    f.hits.push(body);
    axum::Json(serde_json::json!({"Response": {"SendStatusSet": [{"Code": "Ok", "Message": "send success"}], "RequestId": "r"}}))
}

pub(crate) async fn fake_cloud(fake: Shared) -> String {
    let router = Router::new().route("/", post(aliyun)).route("/tc", post(tencent)).with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn configure(provider: &str, endpoint: String) -> impl FnOnce(&mut app::platform::config::Config) {
    let provider = provider.to_owned();
    move |c| {
        c.sms_provider = provider;
        c.sms.access_key_id = KEY_ID.into();
        c.sms.access_key_secret = Some(secrecy::SecretString::from(SECRET));
        c.sms.sign_name = "校园通行".into();
        c.sms.app_id = "1400000000".into();
        c.sms.endpoint = endpoint;
        for (purpose, tpl) in [("sign_in_code", "SMS_100"), ("decision", "SMS_200"), ("approved_entrant", "SMS_300")] {
            c.sms.templates.insert(purpose.into(), tpl.into());
        }
    }
}

#[tokio::test]
async fn aliyun_sends_a_correctly_signed_template_and_the_outbox_keeps_no_code() {
    let fake: Shared = Arc::default();
    let base = fake_cloud(fake.clone()).await;
    let app = TestApp::spawn_with(configure("aliyun", format!("{base}/"))).await;
    let c = TestApp::browser();
    app.call::<()>(&c, "request_sms_code", &[("phone", "13800138000")]).await.unwrap();
    let code = {
        let f = fake.lock().unwrap();
        assert_eq!((f.bad_signatures, f.hits.len()), (0, 1));
        let params = url_decode_form(&f.hits[0]);
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        assert_eq!((get("Action"), get("PhoneNumbers"), get("TemplateCode")), ("SendSms".into(), "13800138000".into(), "SMS_100".into()));
        serde_json::from_str::<serde_json::Value>(&get("TemplateParam")).unwrap()["code"].as_str().unwrap().to_owned()
    };
    assert_eq!(code.len(), 6);
    let (body, status): (String, String) = sqlx::query_as("SELECT body, status FROM sms_outbox").fetch_one(&app.state.db.read).await.unwrap();
    assert_eq!(status, "sent");
    assert!(!body.contains(&code), "a real provider's outbox copy has the code blanked: {body}");
}

#[tokio::test]
async fn a_real_providers_outbox_shows_pass_and_invitation_links_blanked_and_retries_send_them_whole() {
    let fake: Shared = Arc::default();
    fake.lock().unwrap().fail_first = 1;
    let base = fake_cloud(fake.clone()).await;
    let app = TestApp::spawn_with(configure("aliyun", format!("{base}/"))).await;
    let st = &app.state;
    let now = st.clock.now_ms();
    let to = Phone::parse("13800138000").unwrap();
    let link = "https://pass.example.edu.cn/p#Secret-Pass-Key-123".to_owned();
    let msg = sms::Outgoing {
        to: &to,
        purpose: "approved_entrant",
        body: format!("您的通行码：{link}"),
        params: vec![("name".into(), "李雷".into()), ("link".into(), link.clone())],
        wecom_user: None,
    };
    sms::enqueue(&st.db.write, st.sms.as_ref(), &st.keys, now, &msg).await.unwrap();
    let stored = || async {
        let (body, params, sealed): (String, String, Option<String>) =
            sqlx::query_as("SELECT body, params, sealed FROM sms_outbox").fetch_one(&st.db.read).await.unwrap();
        (body, params, sealed)
    };
    let (body, params, sealed) = stored().await;
    assert!(!body.contains("Secret-Pass-Key") && !params.contains("Secret-Pass-Key"), "{body} {params}");
    assert!(body.contains("******") && params.contains("李雷"));
    assert!(!sealed.unwrap().contains("Secret-Pass-Key"));
    // The office's outbox page shows it blanked too.
    let admin = {
        app.seed_demo().await;
        app.staff("S0001").await
    };
    let page: serde_json::Value = app.call(&admin, "list_outbox", &[("offset", "0")]).await.unwrap();
    assert!(!page.to_string().contains("Secret-Pass-Key"));
    // The first try fails at the provider; the retry sends the whole link.
    let later = now + sms::ENQUEUER_LEASE_MS;
    assert_eq!(sms::deliver_due(&st.db, st.sms.as_ref(), &st.keys, later).await.unwrap(), 0);
    assert_eq!(sms::deliver_due(&st.db, st.sms.as_ref(), &st.keys, later + 10_000_000).await.unwrap(), 1);
    let f = fake.lock().unwrap();
    let sent = url_decode_form(f.hits.last().unwrap());
    let template = sent.iter().find(|(k, _)| k == "TemplateParam").map(|(_, v)| v.clone()).unwrap();
    assert!(template.contains("Secret-Pass-Key-123"), "{template}");
}

#[tokio::test]
async fn tencent_sends_a_correctly_signed_request() {
    let fake: Shared = Arc::default();
    let base = fake_cloud(fake.clone()).await;
    let app = TestApp::spawn_with(configure("tencent", format!("{base}/tc"))).await;
    let now = app.state.clock.now_ms();
    let to = Phone::parse("13800138000").unwrap();
    let msg = sms::Outgoing {
        to: &to,
        purpose: "decision",
        body: "您的申请已通过".into(),
        params: vec![("status".into(), "已通过".into()), ("link".into(), "https://x/a/1".into())],
        wecom_user: None,
    };
    sms::enqueue(&app.state.db.write, app.state.sms.as_ref(), &app.state.keys, now, &msg).await.unwrap();
    // The request that queued it did not deliver it: the retry job does, after the enqueuer's lease.
    assert_eq!(sms::deliver_due(&app.state.db, app.state.sms.as_ref(), &app.state.keys, now).await.unwrap(), 0, "leased to its enqueuer");
    assert_eq!(sms::deliver_due(&app.state.db, app.state.sms.as_ref(), &app.state.keys, now + sms::ENQUEUER_LEASE_MS).await.unwrap(), 1);
    let f = fake.lock().unwrap();
    assert_eq!((f.bad_signatures, f.hits.len()), (0, 1));
    let body: serde_json::Value = serde_json::from_str(&f.hits[0]).unwrap();
    assert_eq!(body["PhoneNumberSet"][0], "+8613800138000");
    assert_eq!(body["TemplateId"], "SMS_200");
    assert_eq!(body["TemplateParamSet"], serde_json::json!(["已通过", "https://x/a/1"]));
}

#[tokio::test]
async fn a_failing_provider_loses_nothing_retries_with_back_off_and_sends_once() {
    let fake: Shared = Arc::new(Mutex::new(Fake { fail_first: 2, ..Default::default() }));
    let base = fake_cloud(fake.clone()).await;
    let app = TestApp::spawn_with(configure("aliyun", format!("{base}/"))).await;
    let st = &app.state;
    let to = Phone::parse("13800138000").unwrap();
    let queued_at = st.clock.now_ms();
    let msg = sms::Outgoing {
        to: &to,
        purpose: "decision",
        body: "您的申请已通过".into(),
        params: vec![("status".into(), "已通过".into())],
        wecom_user: None,
    };
    sms::enqueue(&st.db.write, st.sms.as_ref(), &st.keys, queued_at, &msg).await.unwrap();
    // Left by its enqueuer (say it crashed): the job's turn after the lease.
    let now = queued_at + sms::ENQUEUER_LEASE_MS;
    assert_eq!(sms::deliver_due(&st.db, st.sms.as_ref(), &st.keys, now).await.unwrap(), 0);
    let (status, attempts, err): (String, i64, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM sms_outbox").fetch_one(&st.db.read).await.unwrap();
    assert_eq!((status.as_str(), attempts), ("failed", 1));
    assert!(err.unwrap().contains("BUSINESS_LIMIT_CONTROL"), "the office sees why");
    // Not due again before the back-off.
    assert_eq!(sms::deliver_due(&st.db, st.sms.as_ref(), &st.keys, now + 30_000).await.unwrap(), 0);
    assert_eq!(fake.lock().unwrap().hits.len(), 1);
    // Two servers' upkeep at the same moment: one of them takes it.
    let later = now + 61_000;
    let (a, b) = tokio::join!(sms::deliver_due(&st.db, st.sms.as_ref(), &st.keys, later), sms::deliver_due(&st.db, st.sms.as_ref(), &st.keys, later));
    assert_eq!(a.unwrap() + b.unwrap(), 0, "second attempt fails too");
    assert_eq!(fake.lock().unwrap().hits.len(), 2, "tried once, not twice");
    let much_later = later + 301_000;
    assert_eq!(sms::deliver_due(&st.db, st.sms.as_ref(), &st.keys, much_later).await.unwrap(), 1);
    let (status, attempts): (String, i64) = sqlx::query_as("SELECT status, attempts FROM sms_outbox").fetch_one(&st.db.read).await.unwrap();
    assert_eq!((status.as_str(), attempts), ("sent", 3));
    assert_eq!(sms::deliver_due(&st.db, st.sms.as_ref(), &st.keys, much_later + 10_000_000).await.unwrap(), 0, "sent once");
}
