//! Passes: issued on approval, signed tokens, the pass page, and the scan
//! verdicts, including the single-use race.

use crate::applications::{Ctx, ctx, id_number};
use app::domain::gate::Reason;
use app::domain::pass_token::{PassClaims, PublicKey};
use app::passes::ssr as passes;
use app::passes::{PassStatus, PassView, Verdict};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

pub async fn links(c: &Ctx, phone: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT body FROM sms_outbox WHERE purpose = 'approved_entrant' AND phone = $1")
        .bind(phone)
        .fetch_all(&c.app.state.db.read)
        .await
        .unwrap();
    rows.into_iter().map(|(b,)| b.split("/p#").nth(1).unwrap().split_whitespace().next().unwrap().to_owned()).collect()
}

pub async fn south_gate(c: &Ctx) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = '南门'").fetch_one(&c.app.state.db.read).await.unwrap();
    id
}

pub async fn token_of(c: &Ctx, link: &str) -> String {
    let view: PassView = c.app.call_json(&crate::support::TestApp::browser(), "pass_by_link", json!({"link": link})).await.unwrap();
    assert!(view.qr_svg.starts_with("<?xml") || view.qr_svg.contains("<svg"));
    // The page's QR holds the same token the server signs now.
    let (pid,): (String,) = sqlx::query_as("SELECT id FROM passes WHERE link_hash = $1")
        .bind(app::platform::keys::sha256_hex(link.as_bytes()))
        .fetch_one(&c.app.state.db.read)
        .await
        .unwrap();
    let row = pass_row(c, &pid).await;
    passes::sign(&c.app.state, &passes::claims_for(&row, c.app.state.clock.now_ms())).unwrap()
}

pub async fn pass_row(c: &Ctx, pid: &str) -> passes::PassRow {
    let (application_id, entrant_id, kind, vehicle, holder, campus_id, valid_from, valid_until, single_use): (
        String,
        Option<String>,
        String,
        i64,
        String,
        String,
        i64,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT application_id, entrant_id, kind, vehicle, holder, campus_id, valid_from, valid_until, single_use FROM passes WHERE id = $1",
    )
    .bind(pid)
    .fetch_one(&c.app.state.db.read)
    .await
    .unwrap();
    passes::PassRow {
        id: pid.to_owned(),
        application_id,
        entrant_id,
        kind,
        vehicle: vehicle != 0,
        holder,
        campus_id,
        valid_from,
        valid_until,
        single_use: single_use != 0,
        used_at: None,
        cancelled_at: None,
    }
}

/// Tomorrow 09:00 campus time: the visit day of `Ctx::simple`.
pub fn visit_day(c: &Ctx) {
    c.app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 26, 1, 0, 0).unwrap());
}

#[tokio::test]
async fn approval_issues_a_pass_per_entrant_and_vehicle_with_its_own_link() {
    let c = ctx().await;
    let v = c.app.phone_user("13800000001").await;
    let f = c.form(
        json!([Ctx::entrant("李雷", "13800000001", &id_number(1), true), Ctx::entrant("韩梅梅", "13800000002", &id_number(2), true)]),
        "京AD12345",
    );
    let id = c.submit(&v, f).await.unwrap();
    c.act(&c.app.staff("T1001").await, &id, "Approve", "", Value::Null).await.unwrap();
    c.act(&c.app.staff("A1001").await, &id, "Approve", "", Value::Null).await.unwrap();
    assert_eq!(c.app.count("SELECT COUNT(*) FROM passes").await, 3, "two people and the car");
    let a = links(&c, "13800000001").await;
    let b = links(&c, "13800000002").await;
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_ne!(a[0], b[0]);
    let view: PassView = c.app.call_json(&crate::support::TestApp::browser(), "pass_by_link", json!({"link": a[0]})).await.unwrap();
    assert_eq!(view.holder, "李雷");
    assert_eq!(view.status, PassStatus::NotYetValid, "the visit is tomorrow");
    assert!(view.gates.contains(&"南门".to_owned()));
    assert!(!view.gates.iter().any(|g| g.contains("车")), "a person's pass lists pedestrian gates");
    let unknown = c.app.call_json::<PassView>(&crate::support::TestApp::browser(), "pass_by_link", json!({"link": "nope"})).await;
    assert_eq!(unknown.unwrap_err().0, 404);
}

/// A pass link is a key: it travels in the fragment (`/p#<link>`), which
/// browsers never send, so no access log or proxy keeps it. The page the
/// server sends is the same frame for every pass; links texted before
/// (`/p/<link>`) are sent on to the fragment.
#[tokio::test]
async fn a_pass_link_travels_in_the_fragment_never_in_a_path() {
    let c = ctx().await;
    let (_v, _id) = c.approved("13800000001", 1).await;
    let (body,): (String,) = sqlx::query_as("SELECT body FROM sms_outbox WHERE purpose = 'approved_entrant' AND phone = '13800000001'")
        .fetch_one(&c.app.state.db.read)
        .await
        .unwrap();
    let link = &links(&c, "13800000001").await[0];
    assert!(body.contains(&format!("{}/p#{link}", c.app.state.config.public_base_url.trim_end_matches('/'))), "{body}");
    assert!(!body.contains("/p/"), "{body}");
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let frame = no_redirects.get(format!("{}/p", c.app.base)).send().await.unwrap();
    assert_eq!(frame.status().as_u16(), 200);
    let html = frame.text().await.unwrap();
    assert!(html.contains("id=\"pass-loading\"") && !html.contains("李雷"), "the frame holds no pass");
    for (path, to) in [
        (format!("/p/{link}"), format!("/p#{link}")),
        ("/p/a%0d%0aSet-Cookie:x".to_owned(), "/p".to_owned()),
        ("/p/short".to_owned(), "/p".to_owned()),
    ] {
        let res = no_redirects.get(format!("{}{path}", c.app.base)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 308, "{path}");
        assert_eq!(res.headers()["location"], to.as_str(), "{path}");
        assert!(res.headers().get("set-cookie").is_none());
    }
}

#[tokio::test]
async fn the_qr_is_small_lean_and_public_keys_are_published() {
    let c = ctx().await;
    let (_v, _id) = c.approved("13800000001", 1).await;
    let link = &links(&c, "13800000001").await[0];
    let token = token_of(&c, link).await;
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    let keys: Vec<&str> = payload.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5, "{payload}: pid, knd, cmp, nbf, exp (su only when true)");
    assert!(!token.contains(&id_number(1)) && !payload.to_string().contains("李雷"), "no personal data in the token");
    // A long base URL still fits QR version 13 at error correction M.
    let url = format!("https://pass.some-university-campus.edu.cn/s#t={token}");
    let (_, version) = passes::qr_svg(&url).unwrap();
    assert!(version <= 13, "QR version {version}");
    // An independent decoder (rqrr, not the encoder's own code) reads it back.
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).unwrap();
    let (w, scale, quiet) = (code.width(), 6usize, 4usize);
    let size = (w + 2 * quiet) * scale;
    let colors = code.to_colors();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        let (mx, my) = ((x / scale) as isize - quiet as isize, (y / scale) as isize - quiet as isize);
        let dark = mx >= 0 && my >= 0 && (mx as usize) < w && (my as usize) < w && colors[my as usize * w + mx as usize] == qrcode::Color::Dark;
        if dark { 0 } else { 255 }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().unwrap().1, url);
    let jwks: Value = reqwest::get(format!("{}/.well-known/jwks.json", c.app.base)).await.unwrap().json().await.unwrap();
    let k = &jwks["keys"][0];
    assert_eq!((k["kty"].as_str(), k["crv"].as_str(), k["alg"].as_str()), (Some("OKP"), Some("Ed25519"), Some("EdDSA")));
    // The browser's verifier (ed25519-dalek, strict) accepts what the server signed.
    let pk = PublicKey { kid: k["kid"].as_str().unwrap().into(), x: k["x"].as_str().unwrap().into() };
    visit_day(&c);
    let claims = app::domain::pass_token::verify(&token, &[pk], c.app.state.clock.now_ms() / 1000).unwrap();
    assert_eq!(claims.knd, "v");
}

#[tokio::test]
async fn tokens_tampered_forged_or_out_of_time_are_refused() {
    let c = ctx().await;
    let (_v, _id) = c.approved("13800000001", 1).await;
    let token = token_of(&c, &links(&c, "13800000001").await[0]).await;
    let keys = passes::public_keys(&c.app.state).await.unwrap();
    let claims: PassClaims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    let mid = claims.nbf + 3600;
    assert!(passes::verify(&token, &keys, mid).is_ok());
    assert_eq!(passes::verify(&token, &keys, claims.nbf - 3600), Err(Reason::NotYetValid));
    assert_eq!(passes::verify(&token, &keys, claims.exp + 3600), Err(Reason::Expired));
    // Any byte changed.
    for i in (0..token.len()).step_by(7) {
        let mut b = token.clone().into_bytes();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        let t = String::from_utf8(b).unwrap();
        assert!(passes::verify(&t, &keys, mid).is_err(), "changed at {i}");
    }
    let [h, p, _] = token.split('.').collect::<Vec<_>>()[..] else { panic!() };
    // alg none.
    let none = format!("{}.{p}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"x"}"#));
    assert!(passes::verify(&none, &keys, mid).is_err());
    // HS256 keyed with the public key.
    use hmac::{Hmac, Mac};
    let hs = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"HS256","kid":"{}"}}"#, keys[0].kid));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&URL_SAFE_NO_PAD.decode(&keys[0].x).unwrap()).unwrap();
    mac.update(format!("{hs}.{p}").as_bytes());
    let forged = format!("{hs}.{p}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
    assert_eq!(passes::verify(&forged, &keys, mid), Err(Reason::BadSignature));
    // Unknown key id.
    let other = URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"unknown"}"#);
    let sig = token.rsplit('.').next().unwrap();
    assert_eq!(passes::verify(&format!("{other}.{p}.{sig}"), &keys, mid), Err(Reason::BadSignature));
    let _ = h;
}

#[tokio::test]
async fn a_guard_scans_at_the_gate_and_every_refusal_has_its_reason() {
    let c = ctx().await;
    let (_v, id) = c.approved("13800000001", 1).await;
    let token = token_of(&c, &links(&c, "13800000001").await[0]).await;
    let gate = south_gate(&c).await;
    let scan = |g: String, dir: &'static str, input: Value| {
        let app = &c.app;
        async move {
            let guard = app.staff("G0001").await;
            app.call_json::<Verdict>(&guard, "guard_scan", json!({"gate_id": g, "direction": dir, "input": input})).await
        }
    };
    let v = scan(gate.clone(), "in", json!({"qr": format!("{}/scan#t={token}", c.app.base)})).await.unwrap();
    assert_eq!(v.reason, Reason::NotYetValid, "today is the day before the visit");
    visit_day(&c);
    let v = scan(gate.clone(), "in", json!({"qr": format!("{}/scan#t={token}", c.app.base)})).await.unwrap();
    assert!(v.allow, "{v:?}");
    assert_eq!(v.pass.as_ref().unwrap().holder, "李雷");
    assert_eq!(v.pass.as_ref().unwrap().check_document, app::i18n::Msg::DocResidentId);
    assert_eq!(v.message, "核验通过，请放行");
    // Manual lookups: ID number and mobile.
    assert!(scan(gate.clone(), "out", json!({"id_number": id_number(1)})).await.unwrap().allow);
    assert!(scan(gate.clone(), "in", json!({"mobile": "13800000001"})).await.unwrap().allow);
    assert_eq!(scan(gate.clone(), "in", json!({"id_number": id_number(99)})).await.unwrap().reason, Reason::NoPass);
    assert_eq!(scan(gate.clone(), "in", json!({"qr": "hello"})).await.unwrap().reason, Reason::Malformed);
    // Another gate: the guard holds only the south gate.
    let (west,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = '西门'").fetch_one(&c.app.state.db.read).await.unwrap();
    assert_eq!(scan(west, "in", json!({"qr": token.clone()})).await.unwrap_err().0, 403);
    // Cancelled by the department: refused at once.
    c.act(&c.app.staff("A1001").await, &id, "Cancel", "访问取消", Value::Null).await.unwrap();
    let v = scan(gate.clone(), "in", json!({"qr": token.clone()})).await.unwrap();
    assert_eq!((v.allow, v.reason), (false, Reason::Cancelled));
    assert!(v.message.contains("取消"));
    // Every scan is in the log.
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events").await, 7);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events WHERE reason = 'cancelled' AND allowed = 0").await, 1);
    // Only guards scan.
    let visitor = c.app.phone_user("13800000002").await;
    assert_eq!(
        c.app.call_json::<Verdict>(&visitor, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": token}})).await.unwrap_err().0,
        403
    );
}

#[tokio::test]
async fn a_hundred_concurrent_scans_of_a_single_use_pass_admit_exactly_one() {
    let c = ctx().await;
    let (_v, _id) = c.approved("13800000001", 1).await;
    let link = &links(&c, "13800000001").await[0];
    sqlx::query("UPDATE passes SET single_use = 1").execute(&c.app.state.db.write).await.unwrap();
    let token = token_of(&c, link).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let guard = c.app.staff("G0001").await;
    let tasks = (0..100).map(|_| {
        let (guard, base, gate, token) = (guard.clone(), c.app.base.clone(), gate.clone(), token.clone());
        tokio::spawn(async move {
            let res = guard
                .post(format!("{base}/api/fn/guard_scan"))
                .header("origin", &base)
                .json(&json!({"gate_id": gate, "direction": "in", "input": {"qr": token}}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200, "no server error under the race");
            res.json::<Verdict>().await.unwrap()
        })
    });
    let verdicts: Vec<Verdict> = futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(verdicts.iter().filter(|v| v.allow).count(), 1);
    assert_eq!(verdicts.iter().filter(|v| v.reason == Reason::AlreadyUsed).count(), 99);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events WHERE allowed = 1").await, 1);
}

pub async fn gate_named(c: &Ctx, name: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = $1").bind(name).fetch_one(&c.app.state.db.read).await.unwrap();
    id
}

pub async fn device(c: &Ctx, gate: &str) -> String {
    let admin = c.app.staff("S0001").await;
    c.app.call::<String>(&admin, "register_device", &[("gate_id", gate), ("name", "车牌识别相机")]).await.unwrap()
}

pub async fn device_check(c: &Ctx, key: &str, body: Value) -> (u16, Value) {
    let res = reqwest::Client::new().post(format!("{}/api/gate/v1/check", c.app.base)).bearer_auth(key).json(&body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

/// An approved car visit for a private reason: plate 京A12345.
pub async fn private_car_visit(c: &Ctx) -> String {
    let v = c.app.phone_user("13800000001").await;
    let private = c.setup.reasons.iter().find(|r| r.category == app::rules::ReasonCategory::Private).unwrap().id.clone();
    let mut f = c.form(json!([Ctx::entrant("李雷", "13800000001", &id_number(1), true)]), "京A12345");
    f["reason_id"] = json!(private);
    let id = c.submit(&v, f).await.unwrap();
    c.act(&c.app.staff("T1001").await, &id, "Approve", "", Value::Null).await.unwrap();
    c.act(&c.app.staff("A1001").await, &id, "Approve", "", Value::Null).await.unwrap();
    private
}

/// The reason's cars may drive in at `gate`, at ¥5 an hour, at most ¥30 a day.
async fn allow_at_with_fees(c: &Ctx, reason: &str, gate: &str) {
    sqlx::query("UPDATE visit_reasons SET vehicle_gates = $1, cents_per_hour = 500, daily_cap_cents = 3000 WHERE id = $2")
        .bind(serde_json::to_string(&[gate]).unwrap())
        .bind(reason)
        .execute(&c.app.state.db.write)
        .await
        .unwrap();
}

#[tokio::test]
async fn plate_cameras_ask_the_device_api_for_their_own_gate_only() {
    let c = ctx().await;
    let private = private_car_visit(&c).await;
    visit_day(&c);
    let north = gate_named(&c, "北门车行道").await;
    let key = device(&c, &north).await;
    // A wrong key is 401.
    let (status, _) = device_check(&c, "not-a-key", json!({"direction": "in", "plate": "京A12345"})).await;
    assert_eq!(status, 401);
    // Private visits may drive in only through the gates listed for the reason.
    let (status, v) = device_check(&c, &key, json!({"direction": "in", "plate": "京A12345"})).await;
    assert_eq!((status, v["allow"].as_bool(), v["reason"].as_str()), (200, Some(false), Some("gate_not_allowed")));
    allow_at_with_fees(&c, &private, &north).await;
    // A preview changes nothing.
    let (_, v) = device_check(&c, &key, json!({"direction": "in", "plate": "京a·12345", "record": false})).await;
    assert_eq!(v["allow"], json!(true));
    assert_eq!(c.app.count("SELECT COUNT(*) FROM vehicles_inside").await, 0);
    let (_, v) = device_check(&c, &key, json!({"direction": "in", "plate": "京A12345"})).await;
    assert_eq!((v["allow"].as_bool(), v["pass"]["holder"].as_str()), (Some(true), Some("京A12345")));
    // The device API names a car's pass `vehicle`, as it always has, though
    // the table stores the application's kind beside the vehicle flag.
    assert_eq!(v["pass"]["kind"].as_str(), Some("vehicle"));
    assert_eq!(c.app.count("SELECT COUNT(*) FROM passes WHERE vehicle = 1 AND kind = 'visitor'").await, 1);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM vehicles_inside WHERE plate = '京A12345'").await, 1);
    // While inside, the plate cannot be booked again (the message names the campus).
    let w = c.app.phone_user("13800000002").await;
    let mut f = c.form(json!([Ctx::entrant("王五", "", &id_number(2), true)]), "京A12345");
    f["start_date"] = json!("2026-11-28");
    f["end_date"] = json!("2026-11-28");
    // (the duplicate rule also holds it: release the first booking's claim by time)
    let err = c.submit(&w, f.clone()).await.unwrap_err().1;
    assert!(matches!(err.msg(), app::i18n::Msg::ErrVehicleInside | app::i18n::Msg::ErrDuplicatePlate));
    // Leaving after 2 h 10 min: 30 free minutes, then 2 started hours at ¥5.
    c.app.clock.advance(chrono::Duration::minutes(130));
    let (_, v) = device_check(&c, &key, json!({"direction": "out", "plate": "京A12345"})).await;
    assert_eq!((v["allow"].as_bool(), v["fee"].as_f64()), (Some(true), Some(10.0)));
    assert_eq!(c.app.count("SELECT COUNT(*) FROM vehicles_inside").await, 0);
    // The unpaid fee blocks the next booking until the office settles it.
    c.app.clock.advance(chrono::Duration::days(3));
    let w = c.app.phone_user("13800000002").await;
    let mut f2 = f.clone();
    f2["start_date"] = json!("2026-11-30");
    f2["end_date"] = json!("2026-11-30");
    let err = c.submit(&w, f2.clone()).await.unwrap_err().1;
    assert_eq!(err.msg(), app::i18n::Msg::ErrUnpaidFee);
    assert!(err.user_message(app::i18n::Lang::Zh).contains("10.00"));
    let admin = c.app.staff("S0001").await;
    assert_eq!(c.app.call::<i64>(&admin, "settle_fees", &[("plate", "京A12345"), ("receipt_no", "R-1")]).await.unwrap(), 1000);
    c.submit(&w, f2).await.expect("settled: the plate may be booked again");
    // A device acts for its own gate only: its key carries the gate.
    let (_, v) = device_check(&c, &key, json!({"direction": "in", "qr": "x", "plate": "京A12345"})).await;
    assert!(v.is_object());
}

#[tokio::test]
async fn twenty_exits_of_one_car_at_once_charge_its_stay_once() {
    let c = ctx().await;
    let private = private_car_visit(&c).await;
    visit_day(&c);
    let north = gate_named(&c, "北门车行道").await;
    let key = device(&c, &north).await;
    allow_at_with_fees(&c, &private, &north).await;
    let (_, v) = device_check(&c, &key, json!({"direction": "in", "plate": "京A12345"})).await;
    assert_eq!(v["allow"], json!(true));
    c.app.clock.advance(chrono::Duration::minutes(130));
    let exits = (0..20).map(|_| device_check(&c, &key, json!({"direction": "out", "plate": "京A12345"})));
    let answers = futures::future::join_all(exits).await;
    assert!(answers.iter().all(|(status, v)| *status == 200 && v["allow"] == json!(true)), "{answers:?}");
    assert_eq!(c.app.count("SELECT COUNT(*) FROM parking_fees").await, 1);
    assert_eq!(c.app.count("SELECT CAST(SUM(cents) AS BIGINT) FROM parking_fees").await, 1000);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM vehicles_inside").await, 0);
}

#[tokio::test]
async fn offline_events_from_years_ago_or_the_future_are_rejected_and_move_nobody() {
    let c = ctx().await;
    let (_v, _id) = c.approved("13800000001", 1).await;
    visit_day(&c);
    let south = south_gate(&c).await;
    let key = device(&c, &south).await;
    let roster: Value =
        reqwest::Client::new().get(format!("{}/api/gate/v1/roster", c.app.base)).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    let pid = roster["passes"][0]["pid"].as_str().unwrap().to_owned();
    let now = c.app.state.clock.now_ms();
    let year = 365 * 24 * 3_600_000i64;
    let batch = json!({"events": [
        {"event_id": "old", "at": now - 5 * year, "direction": "in", "pass_id": pid, "allowed": true, "reason": "ok"},
        {"event_id": "future", "at": now + year, "direction": "out", "pass_id": pid, "allowed": true, "reason": "ok"},
        {"event_id": "before-the-pass", "at": now - 3 * 24 * 3_600_000, "direction": "in", "pass_id": pid, "allowed": true, "reason": "ok"},
        {"event_id": "refused-long-ago", "at": 0, "direction": "in", "allowed": false, "reason": "no_pass"},
        {"event_id": "fine", "at": now - 60_000, "direction": "in", "pass_id": pid, "allowed": true, "reason": "ok"},
    ]});
    let out: Value = reqwest::Client::new()
        .post(format!("{}/api/gate/v1/events", c.app.base))
        .bearer_auth(&key)
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(out["accepted"], json!(1), "{out}");
    assert_eq!(out["rejected"], json!(["old", "future", "before-the-pass", "refused-long-ago"]), "{out}");
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events WHERE offline = 1").await, 1);
    let (entered,): (i64,) = sqlx::query_as("SELECT entered_at FROM people_inside").fetch_one(&c.app.state.db.read).await.unwrap();
    assert_eq!(entered, now - 60_000);
}

#[tokio::test]
async fn device_events_are_stored_once_and_a_double_offline_admission_is_a_conflict() {
    let c = ctx().await;
    let (_v, _id) = c.approved("13800000001", 1).await;
    sqlx::query("UPDATE passes SET single_use = 1").execute(&c.app.state.db.write).await.unwrap();
    visit_day(&c);
    let south = south_gate(&c).await;
    let key = device(&c, &south).await;
    let roster: Value =
        reqwest::Client::new().get(format!("{}/api/gate/v1/roster", c.app.base)).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
    let pid = roster["passes"][0]["pid"].as_str().unwrap().to_owned();
    assert_eq!(roster["passes"][0]["holder"], "李*", "the roster masks names");
    assert!(roster["keys"][0]["x"].is_string());
    let now = c.app.state.clock.now_ms();
    let batch = json!({"events": [
        {"event_id": "e1", "at": now, "direction": "in", "pass_id": pid, "allowed": true, "reason": "ok"},
        {"event_id": "e2", "at": now + 1000, "direction": "in", "pass_id": pid, "allowed": true, "reason": "ok"},
    ]});
    let post = |b: Value| {
        let (base, key) = (c.app.base.clone(), key.clone());
        async move {
            reqwest::Client::new()
                .post(format!("{base}/api/gate/v1/events"))
                .bearer_auth(key)
                .json(&b)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let first = post(batch.clone()).await;
    assert_eq!((first["accepted"].as_u64(), first["conflicts"].as_array().unwrap().len()), (Some(2), 1), "{first}");
    let again = post(batch).await;
    assert_eq!((again["accepted"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(2)), "sent twice, stored once");
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events WHERE offline = 1").await, 2);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events WHERE conflict = 1").await, 1);
    // The pass is spent: an online scan now refuses it.
    let (_, v) = device_check(&c, &key, json!({"direction": "in", "id_number": id_number(1)})).await;
    assert_eq!(v["reason"], "already_used");
    // A deactivated device is locked out.
    let admin = c.app.staff("S0001").await;
    let devices: Vec<app::passes::DeviceView> = c.app.call(&admin, "list_devices", &[]).await.unwrap();
    c.app.call::<()>(&admin, "set_device_active", &[("id", &devices[0].id), ("active", "false")]).await.unwrap();
    let (status, _) = device_check(&c, &key, json!({"direction": "in", "plate": "京A12345"})).await;
    assert_eq!(status, 401);
}

/// The reasons the guard test above does not reach, each through a gate
/// device: a pass of this campus at the wrong kind of gate, through an
/// entry-only gate the wrong way, at another campus, unknown, blacklisted,
/// at a closed gate, and after its day.
#[tokio::test]
async fn every_other_refusal_reaches_a_device_with_its_reason() {
    let c = ctx().await;
    let (_v, _id) = c.approved("13800000001", 1).await;
    let token = token_of(&c, &links(&c, "13800000001").await[0]).await;
    visit_day(&c);
    let qr = |dir: &str| json!({"direction": dir, "qr": format!("{}/s#t={token}", c.app.base)});
    let reason = |v: &Value| (v["allow"].as_bool(), v["reason"].as_str().map(str::to_owned));
    let refused = |code: &str| (Some(false), Some(code.to_owned()));

    let west = device(&c, &gate_named(&c, "西门").await).await;
    assert_eq!(reason(&device_check(&c, &west, qr("in")).await.1), (Some(true), Some("ok".to_owned())));
    assert_eq!(reason(&device_check(&c, &west, qr("out")).await.1), refused("wrong_direction"), "西门 is entry-only");
    let vehicle_lane = device(&c, &gate_named(&c, "北门车行道").await).await;
    assert_eq!(reason(&device_check(&c, &vehicle_lane, qr("in")).await.1), refused("wrong_gate_kind"), "a walker at the car lane");
    let east = device(&c, &gate_named(&c, "东门").await).await;
    assert_eq!(reason(&device_check(&c, &east, qr("in")).await.1), refused("wrong_campus"));

    // Signed with the campus's own key, but no such pass was ever issued.
    let campus = c.setup.campuses.iter().find(|x| x.name == "主校区").unwrap().id.clone();
    let ghost = passes::PassRow {
        id: "p-never-issued".into(),
        application_id: String::new(),
        entrant_id: None,
        kind: "visitor".into(),
        vehicle: false,
        holder: String::new(),
        campus_id: campus.clone(),
        valid_from: 0,
        valid_until: i64::MAX / 2,
        single_use: false,
        used_at: None,
        cancelled_at: None,
    };
    let forged = passes::sign(&c.app.state, &passes::claims_for(&ghost, c.app.state.clock.now_ms())).unwrap();
    let (_, v) = device_check(&c, &west, json!({"direction": "in", "qr": forged})).await;
    assert_eq!(reason(&v), refused("unknown_pass"));

    // Blacklisted after approval: refused at the gate at once, with a neutral message.
    let admin = c.app.staff("S0001").await;
    c.app
        .call::<String>(&admin, "add_to_blacklist", &[("kind", "Document"), ("doc_type", "ResidentId"), ("value", &id_number(1)), ("reason", "冲卡")])
        .await
        .unwrap();
    let (_, v) = device_check(&c, &west, qr("in")).await;
    assert_eq!(reason(&v), refused("blacklisted"));
    let list: Vec<app::rules::BlacklistEntry> = c.app.call(&admin, "list_blacklist", &[("include_lifted", "false")]).await.unwrap();
    c.app.call::<()>(&admin, "lift_blacklist", &[("id", &list[0].id), ("reason", "已核实")]).await.unwrap();
    assert_eq!(reason(&device_check(&c, &west, qr("in")).await.1), (Some(true), Some("ok".to_owned())));

    // The office closes the gate: its devices refuse everything.
    let west_gate = gate_named(&c, "西门").await;
    c.app
        .call::<String>(
            &admin,
            "save_gate",
            &[
                ("id", &west_gate),
                ("campus_id", &campus),
                ("name", "西门"),
                ("name_en", "West Gate"),
                ("kind", "Pedestrian"),
                ("direction", "Entry"),
                ("active", "false"),
            ],
        )
        .await
        .unwrap();
    let (status, v) = device_check(&c, &west, qr("in")).await;
    assert_eq!((status, reason(&v)), (200, refused("gate_inactive")));

    // The day after the visit the token is out of time.
    c.app.clock.advance(chrono::Duration::days(2));
    let south = device(&c, &south_gate(&c).await).await;
    assert_eq!(reason(&device_check(&c, &south, qr("in")).await.1), refused("expired"));
    // Every answer above was recorded with its reason, none with a 5xx.
    for code in ["wrong_direction", "wrong_gate_kind", "wrong_campus", "unknown_pass", "blacklisted", "gate_inactive", "expired"] {
        assert!(c.app.count(&format!("SELECT COUNT(*) FROM scan_events WHERE reason = '{code}' AND allowed = 0")).await >= 1, "{code} logged");
    }
}

/// The server renders the scanner with its manual check usable: hydration
/// keeps a server-rendered `disabled`, so one there blocks manual lookups.
#[tokio::test]
async fn the_scanner_page_is_rendered_ready_to_check() {
    let c = ctx().await;
    let guard = c.app.staff("G0001").await;
    let html = guard.get(format!("{}/scan", c.app.base)).send().await.unwrap().text().await.unwrap();
    let button = html.split("id=\"manual-check\"").nth(1).and_then(|rest| rest.split('>').next()).expect("the manual check button is rendered");
    let opening = html.split("id=\"manual-check\"").next().unwrap().rsplit('<').next().unwrap();
    assert!(!button.contains("disabled") && !opening.contains("disabled"), "{opening} … {button}");
}
