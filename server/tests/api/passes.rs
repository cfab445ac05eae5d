//! Passes: issued on approval, signed tokens, the pass page, and the scan
//! verdicts, including the single-use race.

use crate::applications::{Ctx, ctx, id_number};
use app::domain::gate::Reason;
use app::domain::pass_token::{PassClaims, PublicKey};
use app::passes::{PassStatus, PassView, Verdict};
use app::passes::ssr as passes;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

async fn links(c: &Ctx, phone: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT body FROM sms_outbox WHERE purpose = 'approved_entrant' AND phone = $1")
        .bind(phone)
        .fetch_all(&c.app.state.db.read)
        .await
        .unwrap();
    rows.into_iter().map(|(b,)| b.split("/p/").nth(1).unwrap().split_whitespace().next().unwrap().to_owned()).collect()
}

async fn south_gate(c: &Ctx) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = '南门'").fetch_one(&c.app.state.db.read).await.unwrap();
    id
}

async fn token_of(c: &Ctx, link: &str) -> String {
    let view: PassView = c.app.call_json(&crate::support::TestApp::browser(), "pass_by_link", json!({"link": link})).await.unwrap();
    assert!(view.qr_svg.starts_with("<?xml") || view.qr_svg.contains("<svg"));
    // The page's QR holds the same token the server signs now.
    let (pid,): (String,) = sqlx::query_as("SELECT id FROM passes WHERE link_hash = $1").bind(app::platform::keys::sha256_hex(link.as_bytes())).fetch_one(&c.app.state.db.read).await.unwrap();
    let row = pass_row(c, &pid).await;
    passes::sign(&c.app.state, &passes::claims_for(&row, c.app.state.clock.now_ms())).unwrap()
}

async fn pass_row(c: &Ctx, pid: &str) -> passes::PassRow {
    let (application_id, entrant_id, kind, vehicle, holder, campus_id, valid_from, valid_until, single_use): (String, Option<String>, String, i64, String, String, i64, i64, i64) =
        sqlx::query_as("SELECT application_id, entrant_id, kind, vehicle, holder, campus_id, valid_from, valid_until, single_use FROM passes WHERE id = $1")
            .bind(pid)
            .fetch_one(&c.app.state.db.read)
            .await
            .unwrap();
    passes::PassRow { id: pid.to_owned(), application_id, entrant_id, kind, vehicle: vehicle != 0, holder, campus_id, valid_from, valid_until, single_use: single_use != 0, used_at: None, cancelled_at: None }
}

/// Tomorrow 09:00 campus time: the visit day of `Ctx::simple`.
fn visit_day(c: &Ctx) {
    c.app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 26, 1, 0, 0).unwrap());
}

#[tokio::test]
async fn approval_issues_a_pass_per_entrant_and_vehicle_with_its_own_link() {
    let c = ctx().await;
    let v = c.app.phone_user("13800000001").await;
    let f = c.form(json!([Ctx::entrant("李雷", "13800000001", &id_number(1), true), Ctx::entrant("韩梅梅", "13800000002", &id_number(2), true)]), "京AD12345");
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
    assert_eq!(v.pass.as_ref().unwrap().check_document, "居民身份证");
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
    assert_eq!(c.app.call_json::<Verdict>(&visitor, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": token}})).await.unwrap_err().0, 403);
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
