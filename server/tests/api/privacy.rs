//! Retention: a visit's personal data is anonymised once the period after
//! it ended has passed — no name, mobile, document, plate or text of it
//! left in any table — while its counts and the audit trail stay; the job
//! runs once a day however many servers run it.

use crate::applications::{Ctx, ctx, id_number};
use crate::passes::{links, south_gate, token_of, visit_day};
use app::passes::Verdict;
use app::privacy::retention::{ANONYMISED, run_retention};
use serde_json::{Value, json};

/// Rows of `table` where any of `columns` holds `needle`.
async fn holding(c: &Ctx, table: &str, columns: &[&str], needle: &str) -> i64 {
    let terms: Vec<String> = columns.iter().map(|col| format!("COALESCE({col}, '') LIKE '%{needle}%'")).collect();
    c.app.count(&format!("SELECT COUNT(*) FROM {table} WHERE {}", terms.join(" OR "))).await
}

#[tokio::test]
async fn a_visit_past_the_retention_period_leaves_no_personal_data_and_the_audit_trail_stays() {
    let c = ctx().await;
    // 李雷 visits by car (京A12345) on 26–27 November; 韩梅 visits in the summer after.
    let v = c.app.phone_user("13800000001").await;
    let id = c.submit(&v, c.form(json!([Ctx::entrant("李雷", "13800000001", &id_number(1), true)]), "京A12345")).await.unwrap();
    c.act(&c.app.staff("T1001").await, &id, "Approve", "来访愉快", Value::Null).await.unwrap();
    c.act(&c.app.staff("A1001").await, &id, "Approve", "", Value::Null).await.unwrap();
    visit_day(&c);
    let gate = south_gate(&c).await;
    let token = token_of(&c, &links(&c, "13800000001").await[0]).await;
    let guard = c.app.staff("G0001").await;
    let v: Verdict = c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": token}})).await.unwrap();
    assert!(v.allow);
    let audit_before = c.app.count("SELECT COUNT(*) FROM audit_log").await;
    let scans = c.app.count("SELECT COUNT(*) FROM scan_events").await;

    // 100 days on: still within the period, nothing changes.
    c.app.clock.advance(chrono::Duration::days(100));
    run_retention(&c.app.state, 180).await.unwrap().expect("today's run");
    assert_eq!(holding(&c, "entrants", &["name"], "李雷").await, 1);
    // A later visitor, whose visit is recent when the first one's period ends.
    let later = c.app.phone_user("13900000009").await;
    let mut f = c.form(json!([Ctx::entrant("韩梅", "13900000009", &id_number(9), false)]), "");
    let day = c.app.state.clock.today() + chrono::Duration::days(1);
    f["start_date"] = json!(day.to_string());
    f["end_date"] = json!(day.to_string());
    let recent = c.submit(&later, f).await.unwrap();

    // (What the checks below look for is there before the job.)
    assert_eq!(holding(&c, "applications", &["applicant_phone"], "13800000001").await, 1);
    assert_eq!(holding(&c, "passes", &["holder"], "京A12345").await, 1);
    assert_eq!(holding(&c, "application_events", &["note"], "来访愉快").await, 1);
    assert!(holding(&c, "sms_outbox", &["phone"], "13800000001").await > 0);

    // More than 180 days after the visit ended (27 November): anonymised;
    // two servers run the job once.
    c.app.clock.advance(chrono::Duration::days(84));
    let (a, b) = tokio::join!(run_retention(&c.app.state, 180), run_retention(&c.app.state, 180));
    let ran: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(ran.len(), 1, "once a day");
    assert!(ran[0].applications >= 1 && ran[0].entrants >= 1 && ran[0].passes >= 2 && ran[0].texts >= 1, "{:?}", ran[0]);
    assert!(run_retention(&c.app.state, 180).await.unwrap().is_none(), "already ran today");

    for needle in ["李雷", "13800000001", "京A12345", "来访愉快", &id_number(1)[..14]] {
        for (table, columns) in [
            ("applications", &["applicant_phone", "note", "plate", "decision_note"][..]),
            ("entrants", &["name", "phone", "doc_masked", "doc_sealed"]),
            ("passes", &["holder", "link_sealed"]),
            ("application_events", &["note", "changes"]),
            ("application_claims", &["claim_key"]),
            ("sms_outbox", &["phone", "body", "sealed"]),
            ("scan_events", &["plate"]),
            ("parking_fees", &["plate"]),
            ("vehicles_inside", &["plate"]),
        ] {
            assert_eq!(holding(&c, table, columns, needle).await, 0, "{needle} left in {table}");
        }
    }
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM entrants WHERE application_id = '{id}' AND name = '{ANONYMISED}'")).await, 1);
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM applications WHERE id = '{id}' AND anonymised_at IS NOT NULL")).await, 1);
    // The numbers stay: the application, its passes and its scans are counted still.
    assert_eq!(c.app.count("SELECT COUNT(*) FROM scan_events").await, scans);
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM passes WHERE application_id = '{id}'")).await, 2);
    // The audit trail is kept whole, with the run in it.
    assert!(c.app.count("SELECT COUNT(*) FROM audit_log").await > audit_before);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention_run'").await, 2);
    // The recent visit is untouched.
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM entrants WHERE application_id = '{recent}' AND name = '韩梅'")).await, 1);
}
