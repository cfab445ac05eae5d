//! Enterprise WeChat against a local server implementing WeCom's published
//! endpoints (`gettoken`, `auth/getuserinfo`, `message/send`, the OAuth page
//! and the QR sign-in page) that checks every request: the corp id and
//! secret, the token, the code (once), the message's shape.

use crate::applications::Ctx;
use crate::support::TestApp;
use app::applications::{FormSetup, HostMatch};
use app::components::{Me, MeKind};
use axum::{
    Json, Router,
    extract::{Query, State},
    response::{IntoResponse, Redirect},
    routing::get,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const CORP: &str = "ww-test-corp";
const SECRET: &str = "wecom-test-secret";
const AGENT: i64 = 1000002;

#[derive(Default)]
struct Fake {
    /// Tokens handed out; the last is the good one.
    tokens: Vec<String>,
    /// The next code the sign-in pages hand out names this userid.
    next_user: String,
    /// code → userid, until used.
    codes: HashMap<String, String>,
    /// Messages accepted: (touser, content).
    sent: Vec<(String, String)>,
    /// Refuse this many sends first (WeCom busy).
    fail_sends: usize,
    /// Say the token expired this many times.
    expire_token: usize,
    /// Requests that broke a rule of the API.
    bad: Vec<String>,
}

type Shared = Arc<Mutex<Fake>>;
type Q = Query<HashMap<String, String>>;

fn err(code: i64, msg: &str) -> Json<Value> {
    Json(json!({"errcode": code, "errmsg": msg}))
}

async fn gettoken(State(f): State<Shared>, Query(q): Q) -> Json<Value> {
    let mut f = f.lock().unwrap();
    if q.get("corpid").map(String::as_str) != Some(CORP) || q.get("corpsecret").map(String::as_str) != Some(SECRET) {
        f.bad.push(format!("gettoken {q:?}"));
        return err(40013, "invalid corpid or secret");
    }
    let token = format!("TOKEN-{}", f.tokens.len() + 1);
    f.tokens.push(token.clone());
    Json(json!({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}))
}

/// The token check every API call makes.
fn token_ok(f: &mut Fake, q: &HashMap<String, String>, what: &str) -> Option<Json<Value>> {
    let given = q.get("access_token").cloned().unwrap_or_default();
    if f.expire_token > 0 {
        f.expire_token -= 1;
        return Some(err(42001, "access_token expired"));
    }
    if f.tokens.last() != Some(&given) {
        f.bad.push(format!("{what} with token {given:?}"));
        return Some(err(40014, "invalid access_token"));
    }
    None
}

async fn getuserinfo(State(f): State<Shared>, Query(q): Q) -> Json<Value> {
    let mut f = f.lock().unwrap();
    if let Some(e) = token_ok(&mut f, &q, "getuserinfo") {
        return e;
    }
    match q.get("code").and_then(|c| f.codes.remove(c)) {
        Some(user) => Json(json!({"errcode": 0, "errmsg": "ok", "userid": user, "user_ticket": "t", "expires_in": 1800})),
        None => err(40029, "invalid code"),
    }
}

async fn send(State(f): State<Shared>, Query(q): Q, Json(body): Json<Value>) -> Json<Value> {
    let mut f = f.lock().unwrap();
    if let Some(e) = token_ok(&mut f, &q, "message/send") {
        return e;
    }
    let (to, content) = (body["touser"].as_str().unwrap_or(""), body["text"]["content"].as_str().unwrap_or(""));
    if body["msgtype"] != "text" || body["agentid"] != AGENT || to.is_empty() || content.is_empty() {
        f.bad.push(format!("message/send {body}"));
        return err(40008, "invalid message");
    }
    if f.fail_sends > 0 {
        f.fail_sends -= 1;
        return err(-1, "system busy");
    }
    f.sent.push((to.to_owned(), content.to_owned()));
    Json(json!({"errcode": 0, "errmsg": "ok", "invaliduser": ""}))
}

/// WeCom's pages hand the browser back with a fresh code for `next_user`.
fn hand_back(f: &Shared, q: &HashMap<String, String>, checks: &[(&str, &str)]) -> axum::response::Response {
    let mut f = f.lock().unwrap();
    for (k, v) in checks {
        if q.get(*k).map(String::as_str) != Some(*v) {
            f.bad.push(format!("sign-in page: {k} = {:?}", q.get(*k)));
            return "bad request".into_response();
        }
    }
    let code = format!("CODE{}", uuid::Uuid::new_v4().simple());
    let user = f.next_user.clone();
    f.codes.insert(code.clone(), user);
    let to = format!("{}?code={code}&state={}", q["redirect_uri"], q.get("state").cloned().unwrap_or_default());
    Redirect::to(&to).into_response()
}

async fn oauth(State(f): State<Shared>, Query(q): Q) -> axum::response::Response {
    let agent = AGENT.to_string();
    hand_back(&f, &q, &[("appid", CORP), ("response_type", "code"), ("scope", "snsapi_base"), ("agentid", &agent)])
}

async fn qr(State(f): State<Shared>, Query(q): Q) -> axum::response::Response {
    let agent = AGENT.to_string();
    hand_back(&f, &q, &[("appid", CORP), ("login_type", "CorpApp"), ("agentid", &agent)])
}

async fn fake_wecom() -> (Shared, String) {
    let fake: Shared = Arc::default();
    let router = Router::new()
        .route("/cgi-bin/gettoken", get(gettoken))
        .route("/cgi-bin/auth/getuserinfo", get(getuserinfo))
        .route("/cgi-bin/message/send", axum::routing::post(send))
        .route("/connect/oauth2/authorize", get(oauth))
        .route("/wwlogin/sso/login", get(qr))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (fake, format!("http://{addr}"))
}

async fn app_with_wecom() -> (TestApp, Shared) {
    let (fake, base) = fake_wecom().await;
    // The secret is given sealed under the master key, as `server
    // seal-secret` prints it: the server opens it at start.
    let master_key = secrecy::SecretString::from(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [42u8; 32]));
    let dir = tempfile::tempdir().unwrap();
    let sealed = app::platform::keys::MasterKey::load(Some(&master_key), dir.path()).unwrap().seal_setting(SECRET);
    let app = TestApp::spawn_with(move |c| {
        c.master_key = Some(master_key);
        c.wecom.corp_id = CORP.into();
        c.wecom.agent_id = AGENT;
        c.wecom.secret = Some(secrecy::SecretString::from(sealed));
        c.wecom.api_base = base.clone();
        c.wecom.oauth_base = base.clone();
        c.wecom.qr_base = base;
    })
    .await;
    app.seed_demo().await;
    (app, fake)
}

const IN_WECOM: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 wxwork/4.1.22 MicroMessenger/7.0.1";
const PC: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// Starts a sign-in as `user` with `agent`; returns WeCom's page address
/// and where it hands the browser back (our callback with a code).
async fn to_wecom(app: &TestApp, fake: &Shared, browser: &reqwest::Client, agent: &str, user: &str, next: &str) -> (String, String) {
    fake.lock().unwrap().next_user = user.to_owned();
    let res = browser.get(format!("{}/auth/wecom?next={next}", app.base)).header("user-agent", agent).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let page = location(&res);
    let res = browser.get(&page).send().await.unwrap();
    (page, location(&res))
}

/// Starts a sign-in in `browser` and returns the state it was given.
async fn fresh_state(app: &TestApp, browser: &reqwest::Client) -> String {
    let res = browser.get(format!("{}/auth/wecom", app.base)).header("user-agent", IN_WECOM).send().await.unwrap();
    location(&res).split("state=").nth(1).unwrap().split('&').next().unwrap().to_owned()
}

async fn back_here(browser: &reqwest::Client, callback: &str) -> String {
    let res = browser.get(callback).send().await.unwrap();
    assert_eq!(res.status(), 303, "{callback}");
    location(&res)
}

#[tokio::test]
async fn inside_wecom_sign_in_is_silent_and_on_a_pc_it_is_by_qr_code() {
    let (app, fake) = app_with_wecom().await;
    let options: app::auth::SignInOptions = app.call(&TestApp::browser(), "sign_in_methods", &[]).await.unwrap();
    assert!(options.wecom);

    // Inside WeCom the sign-in page sends the person straight on; back
    // with a reason, it shows the page.
    let phone = TestApp::browser();
    let res = phone.get(format!("{}/sign-in/staff?next=%2Fapprovals", app.base)).header("user-agent", IN_WECOM).send().await.unwrap();
    assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/auth/wecom?next=%2Fapprovals"));
    let res = phone.get(format!("{}/sign-in/staff?error=ErrWeComFailed", app.base)).header("user-agent", IN_WECOM).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("企业微信未能确认您的身份"));
    let res = phone.get(format!("{}/sign-in/staff", app.base)).header("user-agent", PC).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("id=\"sign-in-wecom\""));

    let (page, callback) = to_wecom(&app, &fake, &phone, IN_WECOM, "A1001", "%2Fapprovals").await;
    assert!(page.contains("/connect/oauth2/authorize?") && page.contains("scope=snsapi_base") && page.ends_with("#wechat_redirect"), "{page}");
    assert!(callback.starts_with(&format!("{}/auth/wecom/callback?code=", app.base)), "{callback}");
    assert_eq!(back_here(&phone, &callback).await, "/approvals");
    let me: Me = app.call::<Option<Me>>(&phone, "current_user", &[]).await.unwrap().expect("signed in");
    assert!(matches!(&me.kind, MeKind::Staff { staff_no, .. } if staff_no == "A1001"));

    let pc = TestApp::browser();
    let (page, callback) = to_wecom(&app, &fake, &pc, PC, "T1001", "").await;
    assert!(page.contains("/wwlogin/sso/login?login_type=CorpApp"), "{page}");
    assert_eq!(back_here(&pc, &callback).await, "/");
    assert!(app.call::<Option<Me>>(&pc, "current_user", &[]).await.unwrap().is_some());

    // One token for both sign-ins: it is cached, not asked for each time.
    {
        let f = fake.lock().unwrap();
        assert_eq!(f.tokens.len(), 1);
        assert!(f.bad.is_empty(), "{:?}", f.bad);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in' AND changes LIKE '%wecom%'").await, 2);
}

#[tokio::test]
async fn a_code_used_twice_or_without_this_browsers_state_opens_nothing() {
    let (app, fake) = app_with_wecom().await;
    let phone = TestApp::browser();
    let (_, callback) = to_wecom(&app, &fake, &phone, IN_WECOM, "T1001", "").await;
    assert_eq!(back_here(&phone, &callback).await, "/");

    // The same callback again in the same browser, after starting anew (a
    // fresh state): the code is spent.
    let again = TestApp::browser();
    let state = fresh_state(&app, &again).await;
    let code = callback.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let replay = format!("{}/auth/wecom/callback?code={code}&state={state}", app.base);
    assert_eq!(back_here(&again, &replay).await, "/sign-in/staff?error=ErrWeComFailed");
    assert!(app.call::<Option<Me>>(&again, "current_user", &[]).await.unwrap().is_none());

    // A good code delivered to a browser that never started a sign-in
    // (a link planted by someone else): refused before WeCom is asked.
    let (_, planted) = to_wecom(&app, &fake, &TestApp::browser(), IN_WECOM, "T1001", "").await;
    let victim = TestApp::browser();
    assert_eq!(back_here(&victim, &planted).await, "/sign-in/staff?error=ErrWeComFailed");
    assert_eq!(fake.lock().unwrap().codes.len(), 1, "the planted code was never exchanged");
    // A made-up code.
    let state = fresh_state(&app, &again).await;
    let forged = format!("{}/auth/wecom/callback?code=MADEUP&state={state}", app.base);
    assert_eq!(back_here(&again, &forged).await, "/sign-in/staff?error=ErrWeComFailed");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn someone_the_staff_list_lacks_or_has_deactivated_is_refused() {
    let (app, fake) = app_with_wecom().await;
    let b = TestApp::browser();
    let (_, callback) = to_wecom(&app, &fake, &b, IN_WECOM, "X9999", "").await;
    assert_eq!(back_here(&b, &callback).await, "/sign-in/staff?error=ErrWeComUnknownStaff");
    sqlx::query("UPDATE staff SET active = 0 WHERE staff_no = 'T2001'").execute(&app.state.db.write).await.unwrap();
    let (_, callback) = to_wecom(&app, &fake, &b, IN_WECOM, "T2001", "").await;
    assert_eq!(back_here(&b, &callback).await, "/sign-in/staff?error=ErrCasStaffInactive");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn an_expired_token_is_replaced_and_the_call_made_again() {
    let (app, fake) = app_with_wecom().await;
    let b = TestApp::browser();
    let (_, callback) = to_wecom(&app, &fake, &b, IN_WECOM, "T1001", "").await;
    back_here(&b, &callback).await;
    fake.lock().unwrap().expire_token = 1;
    let b = TestApp::browser();
    let (_, callback) = to_wecom(&app, &fake, &b, IN_WECOM, "A1001", "").await;
    assert_eq!(back_here(&b, &callback).await, "/");
    let f = fake.lock().unwrap();
    assert_eq!(f.tokens.len(), 2, "a new token after WeCom said the first expired");
    assert!(f.bad.is_empty(), "{:?}", f.bad);
}

#[tokio::test]
async fn approvers_are_told_through_wecom_and_a_failed_message_is_retried() {
    let (app, fake) = app_with_wecom().await;
    fake.lock().unwrap().fail_sends = 1;
    let v = app.phone_user("13600000000").await;
    let setup: FormSetup = app.call_json(&v, "application_form_setup", json!({"kind": "Visitor", "invitation": null})).await.unwrap();
    let hosts: Vec<HostMatch> = app.call_json(&v, "find_hosts", json!({"query": "T1001"})).await.unwrap();
    let c = Ctx { app, setup, host_id: hosts[0].staff_id.clone() };
    let id = c.submit(&v, c.simple("13600000000", 1)).await.unwrap();
    let app = &c.app;
    // The host's "new request" went to WeCom, not SMS; WeCom was busy.
    let row = "SELECT COUNT(*) FROM sms_outbox WHERE purpose = 'new_request' AND provider = 'wecom' AND wecom_user = 'T1001'";
    assert_eq!(app.count_eventually(&format!("{row} AND status = 'failed'"), 1).await, 1);
    // The retry job sends it after its back-off, through WeCom again.
    let later = app.state.clock.now_ms() + 10 * 60_000;
    app::platform::sms::deliver_due(&app.state.db, app.state.sms.as_ref(), &app.state.keys, later).await.unwrap();
    assert_eq!(app.count(&format!("{row} AND status = 'sent'")).await, 1);

    // The host approves: the department's approver is told through WeCom too.
    let host = app.staff("T1001").await;
    c.act(&host, &id, "Approve", "", Value::Null).await.unwrap();
    assert_eq!(app.count_eventually("SELECT COUNT(*) FROM sms_outbox WHERE wecom_user = 'A1001' AND status = 'sent'", 1).await, 1);
    {
        let f = fake.lock().unwrap();
        let to: Vec<&str> = f.sent.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(to, ["T1001", "A1001"]);
        assert!(f.sent[0].1.contains("李雷"), "{}", f.sent[0].1);
        assert!(f.bad.is_empty(), "{:?}", f.bad);
    }
    // The visitor's own texts stay SMS.
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox WHERE phone = '13600000000' AND provider = 'wecom'").await, 0);
}

#[tokio::test]
async fn without_wecom_configured_staff_are_texted_and_its_routes_do_not_exist() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let b = TestApp::browser();
    assert!(!app.call::<app::auth::SignInOptions>(&b, "sign_in_methods", &[]).await.unwrap().wecom);
    for path in ["/auth/wecom", "/auth/wecom/callback?code=x&state=y"] {
        assert_eq!(b.get(format!("{}{path}", app.base)).send().await.unwrap().status(), 404, "{path}");
    }
}
