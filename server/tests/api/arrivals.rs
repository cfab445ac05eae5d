//! The host is told when their visitor arrives: one text at a pass's first
//! entry, online or synced from a guard's phone that was offline; none for
//! a later entry or a replayed event; none once the host turned them off.

use crate::applications::ctx;
use crate::passes::{links, south_gate, token_of, visit_day};
use app::passes::{IngestOutcome, Verdict};
use serde_json::json;

#[tokio::test]
async fn the_host_is_texted_once_when_their_visitor_first_enters_unless_they_turned_it_off() {
    let c = ctx().await;
    let texts = || async {
        sqlx::query_as::<_, (String, String)>("SELECT phone, body FROM sms_outbox WHERE purpose = 'visitor_arrived' ORDER BY created_at, id")
            .fetch_all(&c.app.state.db.read)
            .await
            .unwrap()
    };
    let (host_phone,): (String,) = sqlx::query_as("SELECT phone FROM staff WHERE staff_no = 'T1001'").fetch_one(&c.app.state.db.read).await.unwrap();
    // Three visitors of T1001's, approved before their day.
    let (_v, _id) = c.approved("13800000001", 1).await;
    let (_v2, id2) = c.approved("13800000002", 2).await;
    let (_v3, _) = c.approved("13800000003", 3).await;
    let token = token_of(&c, &links(&c, "13800000001").await[0]).await;
    let token3 = token_of(&c, &links(&c, "13800000003").await[0]).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let guard = c.app.staff("G0001").await;
    let scan = |direction: &'static str| {
        let (guard, gate, token) = (guard.clone(), gate.clone(), token.clone());
        let app = &c.app;
        async move {
            app.call_json::<Verdict>(&guard, "guard_scan", json!({"gate_id": gate, "direction": direction, "input": {"qr": token}})).await.unwrap()
        }
    };
    assert!(texts().await.is_empty());
    assert!(scan("in").await.allow);
    let sent = texts().await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, host_phone);
    assert!(sent[0].1.contains("李雷") && sent[0].1.contains("南门"), "{}", sent[0].1);
    // Out and in again: the visitor arrived once.
    scan("out").await;
    scan("in").await;
    assert_eq!(texts().await.len(), 1);

    // A second visitor, admitted by a guard's phone without a network and
    // synced later (twice: the second copy changes nothing).
    let (pid,): (String,) =
        sqlx::query_as("SELECT id FROM passes WHERE application_id = $1").bind(&id2).fetch_one(&c.app.state.db.read).await.unwrap();
    let at = c.app.state.clock.now_ms() - 60_000;
    let event = json!([{"event_id": "arrival-1", "at": at, "direction": "in", "pass_id": pid, "allowed": true, "reason": "ok"}]);
    for _ in 0..2 {
        let _: IngestOutcome = c.app.call_json(&guard, "guard_sync", json!({"gate_id": gate, "events": event})).await.unwrap();
    }
    let sent = texts().await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].1.contains(&c.app.state.clock.format(at)), "the time it happened: {}", sent[1].1);

    // The host turns them off (audited); a visitor whose host did is not texted about.
    let host = c.app.staff("T1001").await;
    assert!(c.app.call::<bool>(&host, "arrival_texts", &[]).await.unwrap());
    c.app.call::<()>(&host, "set_arrival_texts", &[("on", "false")]).await.unwrap();
    assert!(!c.app.call::<bool>(&host, "arrival_texts", &[]).await.unwrap());
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'set_arrival_texts'").await, 1);
    let v: Verdict = c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": token3}})).await.unwrap();
    assert!(v.allow);
    assert_eq!(texts().await.len(), 2);
    // A visitor has no such setting.
    let visitor = c.app.phone_user("13800000001").await;
    assert_eq!(c.app.call::<()>(&visitor, "set_arrival_texts", &[("on", "false")]).await.unwrap_err().0, 403);
}
