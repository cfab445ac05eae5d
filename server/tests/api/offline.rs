//! The scanner page's offline side against a real server: the roster and its
//! deltas (cancellations and blacklisting reach it), verdicts synced once,
//! who is on campus, and the security office's scan log. Also the OpenAPI
//! description of the gate-device API.

use crate::applications::{Ctx, ctx, id_number};
use crate::passes::{links, south_gate, token_of, visit_day};
use app::domain::gate::{Direction, Reason};
use app::domain::roster::{LocalRoster, Roster};
use app::passes::{IngestOutcome, OnCampus, ScanRow, Verdict};
use serde_json::{Value, json};

async fn roster(c: &Ctx, gate: &str, since: Option<i64>) -> Result<Roster, (u16, app::error::AppError)> {
    let guard = c.app.staff("G0001").await;
    c.app.call_json(&guard, "guard_roster", json!({"gate_id": gate, "since": since})).await
}

async fn sync(c: &Ctx, gate: &str, events: Value) -> IngestOutcome {
    let guard = c.app.staff("G0001").await;
    c.app.call_json(&guard, "guard_sync", json!({"gate_id": gate, "events": events})).await.unwrap()
}

fn event(id: &str, at: i64, direction: &str, pid: &str) -> Value {
    json!({"event_id": id, "at": at, "direction": direction, "pass_id": pid, "allowed": true, "reason": "ok"})
}

#[tokio::test]
async fn the_roster_lets_the_phone_decide_alone_and_deltas_carry_cancellations_and_blacklisting() {
    let c = ctx().await;
    let (_v, id) = c.approved("13800000001", 1).await;
    let token = token_of(&c, &links(&c, "13800000001").await[0]).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let full = roster(&c, &gate, None).await.unwrap();
    assert!(!full.delta);
    assert_eq!(full.passes.len(), 1);
    let p = &full.passes[0];
    assert_eq!((p.holder.as_str(), p.check_document.as_str()), ("李*", "resident_id"), "masked; which document to check");
    assert!(full.gates.iter().any(|g| g.id == gate));
    // What the browser does offline, with the server's own roster and token.
    let mut local = LocalRoster::default();
    let now = c.app.state.clock.now_ms();
    local.merge(full.clone(), now);
    let (reason, shown) = local.verdict_for_qr(&gate, Direction::In, &format!("{}/s#t={token}", c.app.base), now);
    assert_eq!((reason, shown.map(|p| p.holder.as_str())), (Reason::Ok, Some("李*")));

    // Nothing changed: an empty delta.
    c.app.clock.advance(chrono::Duration::minutes(3));
    let delta = roster(&c, &gate, Some(full.generated_at)).await.unwrap();
    assert!(delta.delta && delta.passes.is_empty() && delta.cancelled.is_empty(), "{delta:?}");
    // Blacklisting the holder's mobile reaches the next delta as "no longer passes".
    let admin = c.app.staff("S0001").await;
    let bl: String = c
        .app
        .call(&admin, "add_to_blacklist", &[("kind", "Mobile"), ("doc_type", "ResidentId"), ("value", "13800000001"), ("reason", "测试")])
        .await
        .unwrap();
    c.app.clock.advance(chrono::Duration::minutes(3));
    let d2 = roster(&c, &gate, Some(delta.generated_at)).await.unwrap();
    assert_eq!(d2.cancelled, vec![p.pid.clone()]);
    local.merge(d2.clone(), c.app.state.clock.now_ms());
    assert_eq!(local.verdict_for_qr(&gate, Direction::In, &token, c.app.state.clock.now_ms()).0, Reason::Cancelled);
    // Lifted: it passes again.
    c.app.call::<()>(&admin, "lift_blacklist", &[("id", &bl), ("reason", "误录")]).await.unwrap();
    c.app.clock.advance(chrono::Duration::minutes(3));
    let d3 = roster(&c, &gate, Some(d2.generated_at)).await.unwrap();
    assert_eq!(d3.passes.iter().map(|p| p.pid.clone()).collect::<Vec<_>>(), vec![p.pid.clone()]);
    local.merge(d3.clone(), c.app.state.clock.now_ms());
    assert_eq!(local.verdict_for_qr(&gate, Direction::In, &token, c.app.state.clock.now_ms()).0, Reason::Ok);
    // Cancelled by the department: the next delta says so.
    c.act(&c.app.staff("A1001").await, &id, "Cancel", "访问取消", Value::Null).await.unwrap();
    c.app.clock.advance(chrono::Duration::minutes(3));
    let d4 = roster(&c, &gate, Some(d3.generated_at)).await.unwrap();
    assert_eq!(d4.cancelled, vec![p.pid.clone()]);
    // Only a guard of this gate gets it.
    let (west,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = '西门'").fetch_one(&c.app.state.db.read).await.unwrap();
    assert_eq!(roster(&c, &west, None).await.unwrap_err().0, 403);
    let visitor = c.app.phone_user("13800000009").await;
    assert_eq!(c.app.call_json::<Roster>(&visitor, "guard_roster", json!({"gate_id": gate, "since": null})).await.unwrap_err().0, 403);
}

#[tokio::test]
async fn a_pass_booked_earlier_joins_the_delta_on_its_first_day() {
    let c = ctx().await;
    let gate = south_gate(&c).await;
    // The day before the visit: the roster (today and the next 24 h) is
    // taken before the booking exists.
    let before = roster(&c, &gate, None).await.unwrap();
    assert!(before.passes.is_empty());
    c.approved("13800000001", 1).await;
    // Its validity starts tomorrow 00:00; a delta the evening before carries it.
    c.app.clock.advance(chrono::Duration::hours(2));
    let d = roster(&c, &gate, Some(before.generated_at)).await.unwrap();
    assert_eq!(d.passes.len(), 1, "changed since: the new pass");
    // A later delta, with nothing changed, no longer repeats it.
    c.app.clock.advance(chrono::Duration::minutes(5));
    let d2 = roster(&c, &gate, Some(d.generated_at)).await.unwrap();
    assert!(d2.passes.is_empty());
}

#[tokio::test]
async fn offline_verdicts_sync_once_and_move_people_in_and_out() {
    let c = ctx().await;
    c.approved("13800000001", 1).await;
    sqlx::query("UPDATE passes SET single_use = 1").execute(&c.app.state.db.write).await.unwrap();
    visit_day(&c);
    let gate = south_gate(&c).await;
    let pid = roster(&c, &gate, None).await.unwrap().passes[0].pid.clone();
    let t0 = c.app.state.clock.now_ms();
    let admin = c.app.staff("S0001").await;
    let inside = |campus: &str| {
        let (app, admin, campus) = (&c.app, admin.clone(), campus.to_owned());
        async move { app.call::<OnCampus>(&admin, "on_campus_now", &[("campus_id", &campus)]).await.unwrap() }
    };
    // In at t0 (queued on the phone), synced twice: stored once.
    let first = sync(&c, &gate, json!([event("ev-in", t0, "in", &pid)])).await;
    assert_eq!((first.accepted, first.duplicates), (1, 0));
    let again = sync(&c, &gate, json!([event("ev-in", t0, "in", &pid)])).await;
    assert_eq!((again.accepted, again.duplicates), (0, 1));
    let now = inside("").await;
    assert_eq!(now.people.len(), 1);
    assert_eq!(now.people[0].who, "李*", "masked on the office's list too");
    // The pass is spent on the server: an online scan refuses it.
    let guard = c.app.staff("G0001").await;
    let v: Verdict =
        c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"id_number": id_number(1)}})).await.unwrap();
    assert_eq!(v.reason, Reason::AlreadyUsed);
    // Out at t0 + 1 h; then a late copy of an entry at t0 + 30 min arrives
    // from another phone: it must not put them back inside.
    c.app.clock.advance(chrono::Duration::hours(2));
    sync(&c, &gate, json!([event("ev-out", t0 + 3_600_000, "out", &pid)])).await;
    assert!(inside("").await.people.is_empty());
    let late = sync(&c, &gate, json!([event("ev-late", t0 + 1_800_000, "in", &pid)])).await;
    assert_eq!(late.conflicts, vec![pid.clone()], "a single-use pass let in twice is a conflict");
    assert!(inside("").await.people.is_empty());
    // The office sees the conflict in the scan log, names masked.
    let conflicts: Vec<ScanRow> = c
        .app
        .call(&admin, "list_scans", &[("campus_id", ""), ("gate_id", ""), ("verdict", "conflict"), ("from", ""), ("to", ""), ("offset", "0")])
        .await
        .unwrap();
    assert_eq!(conflicts.len(), 1);
    assert!(conflicts[0].offline && conflicts[0].conflict);
    assert_eq!(conflicts[0].holder, "李*");
    let all: Vec<ScanRow> = c
        .app
        .call(
            &admin,
            "list_scans",
            &[("campus_id", ""), ("gate_id", &gate), ("verdict", ""), ("from", "2026-11-26"), ("to", "2026-11-26"), ("offset", "0")],
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 4, "three synced, one online");
    let other_day: Vec<ScanRow> = c
        .app
        .call(
            &admin,
            "list_scans",
            &[("campus_id", ""), ("gate_id", ""), ("verdict", ""), ("from", "2026-11-20"), ("to", "2026-11-25"), ("offset", "0")],
        )
        .await
        .unwrap();
    assert!(other_day.is_empty());
    // Bad input changes nothing: an empty event id, too many events.
    let before = c.app.count("SELECT COUNT(*) FROM scan_events").await;
    let bad = c.app.call_json::<IngestOutcome>(&guard, "guard_sync", json!({"gate_id": gate, "events": [event("", t0, "in", &pid)]})).await;
    assert_eq!(bad.unwrap_err().0, 422);
    let many: Vec<Value> = (0..1001).map(|i| event(&format!("m{i}"), t0, "out", &pid)).collect();
    assert_eq!(c.app.call_json::<IngestOutcome>(&guard, "guard_sync", json!({"gate_id": gate, "events": many})).await.unwrap_err().0, 422);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events").await, before);
}

#[tokio::test]
async fn an_online_scan_and_its_offline_copy_count_once() {
    let c = ctx().await;
    c.approved("13800000001", 1).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let guard = c.app.staff("G0001").await;
    let scan = || {
        c.app.call_json::<Verdict>(
            &guard,
            "guard_scan",
            json!({"gate_id": gate, "direction": "in", "input": {"mobile": "13800000001"}, "event_id": "abc123"}),
        )
    };
    let v = scan().await.unwrap();
    assert!(v.allow);
    // The phone timed out and retried, then also queued it offline.
    let again = scan().await.unwrap();
    assert_eq!(again.reason, Reason::Ok);
    let pid = v.pass.unwrap().pass_id;
    let out = sync(&c, &gate, json!([event("abc123", c.app.state.clock.now_ms(), "in", &pid)])).await;
    assert_eq!((out.accepted, out.duplicates), (0, 1));
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events").await, 1);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM people_inside").await, 1);
}

#[tokio::test]
async fn a_guard_sees_a_consented_photo_only_of_the_pass_they_are_checking_and_each_view_is_audited() {
    let c = ctx().await;
    c.approved("13800000001", 1).await;
    c.approved("13800000002", 2).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let passes: Vec<(String, String, String)> =
        sqlx::query_as("SELECT p.id, p.entrant_id, e.phone FROM passes p JOIN entrants e ON e.id = p.entrant_id ORDER BY e.phone")
            .fetch_all(&c.app.state.db.read)
            .await
            .unwrap();
    for (_, entrant, _) in &passes {
        sqlx::query("INSERT INTO entrant_photos (entrant_id, mime, data) VALUES ($1, 'image/jpeg', 'data:image/jpeg;base64,AAAA')")
            .bind(entrant)
            .execute(&c.app.state.db.write)
            .await
            .unwrap();
    }
    let (checked, other) = (passes[0].0.clone(), passes[1].0.clone());
    let guard = c.app.staff("G0001").await;
    let photo = |pid: String| c.app.call_json::<Option<String>>(&guard, "guard_photo", json!({"gate_id": gate, "pass_id": pid}));
    // Before any scan: the roster's pass ids open no photo.
    assert_eq!(photo(checked.clone()).await.unwrap_err().0, 404);
    let v: Verdict = c
        .app
        .call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"mobile": "13800000001"}, "event_id": null}))
        .await
        .unwrap();
    assert_eq!(v.pass.unwrap().pass_id, checked);
    assert_eq!(photo(checked.clone()).await.unwrap().as_deref(), Some("data:image/jpeg;base64,AAAA"));
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'view_photo'").await, 1);
    // Another holder's photo stays closed; so does this one some minutes on.
    assert_eq!(photo(other).await.unwrap_err().0, 404);
    assert_eq!(photo("no-such-pass".into()).await.unwrap_err().0, 404);
    c.app.clock.advance(chrono::Duration::minutes(6));
    assert_eq!(photo(checked.clone()).await.unwrap_err().0, 404);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'view_photo'").await, 1);
}

#[tokio::test]
async fn the_gate_api_is_described_by_an_openapi_document() {
    let c = ctx().await;
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", c.app.base)).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/gate/v1/check", "/api/gate/v1/roster", "/api/gate/v1/events"] {
        assert!(doc["paths"][path].is_object(), "{path} described");
    }
    assert_eq!(doc["components"]["securitySchemes"]["device_key"]["scheme"], "bearer");
    let reasons: Vec<String> =
        doc["components"]["schemas"]["Reason"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    let codes: Vec<String> = Reason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(reasons, codes, "every stable reason code is documented");
    assert!(doc["info"]["description"].as_str().unwrap().contains("already_used"));
}

/// The device API keeps to its document: what the document allows is
/// taken, what it forbids is refused with 422, before or after the key.
/// (A contract fuzzer, Schemathesis, found each of these; the test command
/// runs it against the document on every run.)
#[tokio::test]
async fn the_device_api_takes_what_its_document_allows_and_refuses_the_rest() {
    let c = ctx().await;
    c.approved("13800000001", 1).await;
    let token = token_of(&c, &links(&c, "13800000001").await[0]).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let admin = c.app.staff("S0001").await;
    let key: String = c.app.call(&admin, "register_device", &[("gate_id", &gate), ("name", "闸机")]).await.unwrap();
    let api = reqwest::Client::new();
    let check = |body: Value| {
        let (api, base, key) = (api.clone(), c.app.base.clone(), key.clone());
        async move {
            let res = api.post(format!("{base}/api/gate/v1/check")).bearer_auth(&key).json(&body).send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Exactly one of plate / qr / id_number says something; empty and null
    // are as absent.
    let (status, v) = check(json!({"direction": "in", "plate": "", "qr": token, "id_number": null, "record": false})).await;
    assert_eq!((status, v["reason"].as_str()), (200, Some("ok")), "{v}");
    for body in [json!({"direction": "in"}), json!({"direction": "in", "plate": ""}), json!({"direction": "in", "plate": "京A12345", "qr": "x"})] {
        assert_eq!(check(body.clone()).await.0, 422, "{body}");
    }
    // An event id is 1 to 100 characters (not bytes).
    let (status, _) = check(json!({"direction": "in", "plate": "京A12345", "event_id": "门".repeat(100)})).await;
    assert_eq!(status, 200);
    for id in [String::new(), "门".repeat(101)] {
        assert_eq!(check(json!({"direction": "in", "plate": "京A12345", "event_id": id})).await.0, 422);
    }
    // A time written 1.0 is the integer 1 (too old to believe: rejected,
    // not refused).
    let res = api
        .post(format!("{}/api/gate/v1/events", c.app.base))
        .bearer_auth(&key)
        .json(&json!({"events": [{"event_id": "e1", "at": 1.0, "direction": "in", "allowed": true, "reason": "ok"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.json::<IngestOutcome>().await.unwrap().rejected, vec!["e1".to_owned()]);
    // A whole number near 2^51 written with ".0" is read exactly (a fast
    // float parser once read 2251799813685247.0 as …46.5: "not whole").
    let body = r#"{"events": [{"event_id": "e3", "at": 2251799813685247.0, "direction": "in", "allowed": false, "reason": "malformed"}]}"#;
    let res = api
        .post(format!("{}/api/gate/v1/events", c.app.base))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.json::<IngestOutcome>().await.unwrap().rejected, vec!["e3".to_owned()]);
    // Beyond a 64-bit integer is no time at all.
    for at in ["-9223372036854775809", "9223372036854775808", "1.5"] {
        let body = format!(r#"{{"events": [{{"event_id": "e2", "at": {at}, "direction": "in", "allowed": true, "reason": "ok"}}]}}"#);
        let res = api
            .post(format!("{}/api/gate/v1/events", c.app.base))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422, "{at}");
    }
    // `since` is a query parameter within its range; anything else is 422
    // with a key and 401 without one (nothing is read before the key).
    let roster = |q: &'static str, key: Option<String>| {
        let (api, base) = (api.clone(), c.app.base.clone());
        async move {
            let req = api.get(format!("{base}/api/gate/v1/roster{q}"));
            let req = match key {
                Some(k) => req.bearer_auth(k),
                None => req,
            };
            req.send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(roster("?since=1", Some(key.clone())).await, 200);
    for q in ["?since=abc", "?since=", "?since=-1", "?since=253402300800000"] {
        assert_eq!(roster(q, Some(key.clone())).await, 422, "{q}");
        assert_eq!(roster(q, None).await, 401, "{q}");
    }
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", c.app.base)).await.unwrap().json().await.unwrap();
    let since = &doc["paths"]["/api/gate/v1/roster"]["get"]["parameters"][0];
    assert_eq!((since["in"].as_str(), since["required"].as_bool()), (Some("query"), Some(false)));
    assert_eq!(since["schema"]["maximum"], json!(253_402_300_799_999_i64));
    assert_eq!(doc["components"]["schemas"]["CheckRequest"]["oneOf"].as_array().map(Vec::len), Some(3));
    assert_eq!(doc["components"]["schemas"]["EventBatch"]["properties"]["events"]["maxItems"], json!(1000));
    assert_eq!(doc["components"]["schemas"]["OfflineEvent"]["properties"]["event_id"]["maxLength"], json!(100));
}

#[tokio::test]
async fn the_signing_key_rotates_and_passes_signed_before_still_scan() {
    let c = ctx().await;
    c.approved("13800000001", 1).await;
    let link = links(&c, "13800000001").await[0].clone();
    let old_token = token_of(&c, &link).await;
    let admin = c.app.staff("S0001").await;
    let new_kid: String = c.app.call(&admin, "rotate_signing_key", &[]).await.unwrap();
    let new_token = token_of(&c, &link).await;
    assert!(app::domain::pass_token::header(&new_token).unwrap().kid == new_kid);
    assert_ne!(old_token, new_token);
    visit_day(&c);
    let gate = south_gate(&c).await;
    let guard = c.app.staff("G0001").await;
    for t in [&old_token, &new_token] {
        let v: Verdict = c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": t}})).await.unwrap();
        assert!(v.allow, "{v:?}");
    }
    let jwks: Value = reqwest::get(format!("{}/.well-known/jwks.json", c.app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'rotate_signing_key'").await, 1);
}

#[tokio::test]
async fn twenty_copies_of_one_scan_sent_at_once_are_recorded_once() {
    let c = ctx().await;
    c.approved("13800000001", 1).await;
    sqlx::query("UPDATE passes SET single_use = 1").execute(&c.app.state.db.write).await.unwrap();
    visit_day(&c);
    let gate = south_gate(&c).await;
    let guard = c.app.staff("G0001").await;
    // Copies of one scan (a phone retrying) land in the same batch or in
    // consecutive ones: each answers what the first got.
    let tasks = (0..20).map(|_| {
        let (guard, base, gate) = (guard.clone(), c.app.base.clone(), gate.clone());
        tokio::spawn(async move {
            guard
                .post(format!("{base}/api/fn/guard_scan"))
                .header("origin", &base)
                .json(&json!({"gate_id": gate, "direction": "in", "input": {"mobile": "13800000001"}, "event_id": "same-scan"}))
                .send()
                .await
                .unwrap()
                .json::<Verdict>()
                .await
                .unwrap()
        })
    });
    let verdicts: Vec<Verdict> = futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    assert!(verdicts.iter().all(|v| v.reason == Reason::Ok), "{:?}", verdicts.iter().map(|v| v.reason).collect::<Vec<_>>());
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events").await, 1);
    // A new scan of the spent pass is refused.
    let v: Verdict =
        c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"mobile": "13800000001"}})).await.unwrap();
    assert_eq!(v.reason, Reason::AlreadyUsed);
}

/// A visit admitted only by a phone offline ends Completed, as one admitted
/// online does; an exit alone does not count as a use.
#[tokio::test]
async fn an_offline_entry_marks_the_pass_used_and_an_exit_alone_does_not() {
    use app::domain::lifecycle::Status;
    let c = ctx().await;
    let (_v, entered) = c.approved("13800000001", 1).await;
    let (_w, left_only) = c.approved("13800000002", 2).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let pid_of = |mobile: &str| {
        let c = &c;
        let mobile = mobile.to_owned();
        async move {
            let link = &links(c, &mobile).await[0];
            let token = token_of(c, link).await;
            let now_secs = c.app.state.clock.now_ms() / 1000;
            let claims = app::domain::pass_token::verify(&token, &app::passes::ssr::public_keys(&c.app.state).await.unwrap(), now_secs).ok();
            claims.map(|cl| cl.pid).unwrap_or_default()
        }
    };
    let (p1, p2) = (pid_of("13800000001").await, pid_of("13800000002").await);
    let now = c.app.state.clock.now_ms();
    let out = sync(&c, &gate, json!([event("e-in", now, "in", &p1), event("e-out", now, "out", &p2)])).await;
    assert_eq!(out.accepted, 2, "{out:?}");
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM passes WHERE id = '{p1}' AND used_at IS NOT NULL")).await, 1);
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM passes WHERE id = '{p2}' AND used_at IS NOT NULL")).await, 0);
    c.app.clock.advance(chrono::Duration::days(3));
    assert_eq!(app::applications::expire_due(&c.app.state).await.unwrap(), 2);
    assert_eq!(c.status(&entered).await, Status::Completed);
    assert_eq!(c.status(&left_only).await, Status::Expired);
}

#[tokio::test]
async fn the_scanners_queue_is_passed_on_unread_and_each_event_is_stored_once_for_the_guard_who_decided_it() {
    let c = ctx().await;
    let (_v, _id) = c.approved("13800000001", 1).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let (west,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = '西门'").fetch_one(&c.app.state.db.read).await.unwrap();
    let pid = roster(&c, &gate, None).await.unwrap().passes[0].pid.clone();
    let now = c.app.state.clock.now_ms();
    // What the phone keeps: each queued scan's JSON text, with its gate and guard.
    let queued =
        |id: &str, gate: &str, guard: &str| json!({"gate_id": gate, "guard": guard, "event": event(id, now - 60_000, "in", &pid)}).to_string();
    let guard = c.app.staff("G0001").await;
    let texts = vec![
        queued("q-1", &gate, "G0001"),
        queued("q-2", &gate, "G0002"), // the next shift's: waits for them
        queued("q-3", &west, "G0001"), // a gate G0001 is not posted at: stays
        "{not json".to_owned(),        // stays too, and changes nothing
    ];
    let scans = || c.app.count("SELECT COUNT(*) FROM scan_events");
    let before = scans().await;
    let (a, b) = tokio::join!(
        c.app.call_json::<Vec<String>>(&guard, "guard_sync_queue", json!({"events": texts.clone()})),
        c.app.call_json::<Vec<String>>(&guard, "guard_sync_queue", json!({"events": texts.clone()})),
    );
    assert_eq!((a.unwrap(), b.unwrap()), (vec!["q-1".to_owned()], vec!["q-1".to_owned()]), "only this guard's, at their gate");
    assert_eq!(scans().await, before + 1, "stored once");
    let row = c.app.one_text("SELECT guard FROM scan_events WHERE event_key LIKE '%:q-1'").await;
    assert!(row.contains("G0001"), "{row}");
    // The next shift's guard sends theirs.
    let next = c.app.staff("G0002").await;
    let done: Vec<String> = c.app.call_json(&next, "guard_sync_queue", json!({"events": texts})).await.unwrap();
    assert_eq!(done, vec!["q-2".to_owned()]);
    assert_eq!(scans().await, before + 2);
    // Too many at once is refused by name; nobody but a guard may send.
    let many: Vec<String> = (0..app::passes::MAX_EVENTS_PER_BATCH + 1).map(|i| queued(&format!("m-{i}"), &gate, "G0001")).collect();
    let e = c.app.call_json::<Vec<String>>(&guard, "guard_sync_queue", json!({"events": many})).await.unwrap_err();
    assert_eq!(e.0, 422);
    let visitor = c.app.phone_user("13800000009").await;
    assert_eq!(c.app.call_json::<Vec<String>>(&visitor, "guard_sync_queue", json!({"events": []})).await.unwrap_err().0, 403);
    assert_eq!(scans().await, before + 2);
}
