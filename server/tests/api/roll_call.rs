//! Roll call and drills: who is inside with their contact (audited), the
//! people inside when a drill begins, each accounted for once, the report
//! of who was missing and how long it took; one drill per campus at a time.

use crate::applications::ctx;
use crate::passes::{links, south_gate, token_of, visit_day};
use app::passes::{DrillSummary, DrillView, RollCallRow, Verdict};
use serde_json::json;

#[tokio::test]
async fn a_drill_accounts_for_everyone_inside_and_reports_who_was_missing_and_how_long_it_took() {
    let c = ctx().await;
    c.approved("13800000001", 1).await;
    c.approved("13800000002", 2).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let guard = c.app.staff("G0001").await;
    for phone in ["13800000001", "13800000002"] {
        let token = token_of(&c, &links(&c, phone).await[0]).await;
        let v: Verdict = c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": token}})).await.unwrap();
        assert!(v.allow);
    }
    let admin = c.app.staff("S0001").await;
    let (campus,): (String,) = sqlx::query_as("SELECT campus_id FROM gates WHERE id = $1").bind(&gate).fetch_one(&c.app.state.db.read).await.unwrap();

    // The roll call: full names and mobiles, each view audited.
    let rows: Vec<RollCallRow> = c.app.call(&admin, "roll_call", &[("campus_id", &campus)]).await.unwrap();
    assert_eq!(rows.len(), 2);
    let phones: Vec<&str> = rows.iter().map(|r| r.phone.as_str()).collect();
    assert!(phones.contains(&"13800000001") && phones.contains(&"13800000002"), "{rows:?}");
    assert!(rows.iter().all(|r| !r.who.contains('*') && r.host.contains("张伟")), "{rows:?}");
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'roll_call_view'").await, 1);
    // Its export masks unless asked.
    let res = admin.get(format!("{}/api/export/roll-call?format=csv&campus_id={campus}", c.app.base)).send().await.unwrap();
    let text = res.text().await.unwrap();
    assert!(text.contains("138****0001") && !text.contains("13800000001"), "{text}");

    // A drill: both to account for; a second drill on the campus waits.
    let drill: String = c.app.call(&admin, "start_drill", &[("campus_id", &campus), ("name", "秋季消防演练")]).await.unwrap();
    let again = c.app.call::<String>(&admin, "start_drill", &[("campus_id", &campus), ("name", "再来")]).await.unwrap_err();
    assert_eq!(again.1.msg(), app::i18n::Msg::ErrDrillOpen);
    let d: DrillView = c.app.call(&admin, "get_drill", &[("id", &drill)]).await.unwrap();
    assert_eq!((d.summary.total, d.summary.accounted, d.people.len()), (2, 0, 2));
    // Someone entering after the start is not on this drill's list.
    c.app.clock.advance(chrono::Duration::minutes(4));
    let first = d.people[0].pass_id.clone();
    // Two staff tick the same person at once: counted once.
    let tick = [("drill_id", drill.as_str()), ("pass_id", first.as_str()), ("accounted", "true")];
    let (a, b) = tokio::join!(c.app.call::<()>(&admin, "mark_accounted", &tick), c.app.call::<()>(&admin, "mark_accounted", &tick));
    a.unwrap();
    b.unwrap();
    let d: DrillView = c.app.call(&admin, "get_drill", &[("id", &drill)]).await.unwrap();
    assert_eq!((d.summary.accounted, d.summary.minutes), (1, None), "running with one missing");
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'drill_mark'").await, 1);
    // Ended with one missing: the report names them and the time to the end.
    c.app.clock.advance(chrono::Duration::minutes(8));
    c.app.call::<()>(&admin, "end_drill", &[("id", &drill)]).await.unwrap();
    let d: DrillView = c.app.call(&admin, "get_drill", &[("id", &drill)]).await.unwrap();
    assert_eq!((d.summary.accounted, d.summary.total, d.summary.minutes), (1, 2, Some(12)));
    let missing: Vec<&str> = d.people.iter().filter(|p| p.accounted.is_none()).map(|p| p.phone.as_str()).collect();
    assert_eq!(missing.len(), 1);
    // An ended drill is the record: no more marks.
    let late = c.app.call::<()>(&admin, "mark_accounted", &[("drill_id", &drill), ("pass_id", &d.people[1].pass_id), ("accounted", "true")]).await;
    assert_eq!(late.unwrap_err().0, 404);
    let drills: Vec<DrillSummary> = c.app.call(&admin, "list_drills", &[]).await.unwrap();
    assert_eq!(drills.len(), 1);
    // A new drill may begin once the last one ended; all accounted for in 3 minutes.
    let next: String = c.app.call(&admin, "start_drill", &[("campus_id", &campus), ("name", "复演")]).await.unwrap();
    let d: DrillView = c.app.call(&admin, "get_drill", &[("id", &next)]).await.unwrap();
    c.app.clock.advance(chrono::Duration::minutes(3));
    for p in &d.people {
        c.app.call::<()>(&admin, "mark_accounted", &[("drill_id", &next), ("pass_id", &p.pass_id), ("accounted", "true")]).await.unwrap();
    }
    let d: DrillView = c.app.call(&admin, "get_drill", &[("id", &next)]).await.unwrap();
    assert_eq!((d.summary.accounted, d.summary.minutes), (2, Some(3)), "done when the last is accounted for");
}
