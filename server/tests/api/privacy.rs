//! Retention: a visit's personal data is anonymised once the period after
//! it ended has passed — no name, mobile, document, plate or text of it
//! left in any table — while its counts and the audit trail stay; the job
//! runs once a day however many servers run it.

use crate::applications::{Ctx, ctx, id_number};
use crate::passes::{links, south_gate, token_of, visit_day};
use crate::support;
use app::error::AppError;
use app::i18n::Msg;
use app::passes::Verdict;
use app::privacy::OwnData;
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

/// Whom `my_data` lists for a client.
async fn my_data(c: &Ctx, who: &reqwest::Client) -> Result<OwnData, (u16, AppError)> {
    c.app.call_json(who, "my_data", json!({})).await
}

#[tokio::test]
async fn a_visitor_sees_the_data_kept_on_them_and_deletes_an_ended_application_of_their_own_only() {
    let c = ctx().await;
    let v = c.app.phone_user("13800000001").await;
    // The ID number needs its own consent: refused without it, nothing written.
    let mut f = c.form(json!([Ctx::entrant("李雷", "13800000001", &id_number(1), false)]), "");
    f["doc_consent"] = json!(false);
    let e = c.submit(&v, f.clone()).await.unwrap_err();
    assert_eq!((e.0, e.1.msg()), (422, Msg::ErrDocConsent));
    assert_eq!(c.app.count("SELECT COUNT(*) FROM applications").await, 0);
    f["doc_consent"] = json!(true);
    let id = c.submit(&v, f).await.unwrap();

    // What is kept on them, masked as everywhere, with when they consented.
    let mine = my_data(&c, &v).await.unwrap();
    assert_eq!(mine.mobile, "138****0001");
    assert_eq!(mine.applications.len(), 1);
    let a = &mine.applications[0];
    assert_eq!((a.id.as_str(), a.erasable), (id.as_str(), false));
    assert_eq!(a.entrants[0].name, "李雷");
    assert!(a.entrants[0].document.contains('*') && !a.entrants[0].document.contains(&id_number(1)[6..14]), "{:?}", a.entrants[0]);
    assert!(a.entrants[0].doc_consent_at.is_some() && a.entrants[0].photo_consent_at.is_none());
    assert_eq!(c.app.count("SELECT COUNT(*) FROM entrants WHERE doc_consent_at IS NOT NULL").await, 1);
    assert!(mine.texts >= 1, "the sign-in code");

    // Not yet ended: refused, nothing changes.
    let e = c.app.call_json::<()>(&v, "delete_my_application", json!({"id": id})).await.unwrap_err();
    assert_eq!(e.1.msg(), Msg::ErrNotEnded);
    c.act(&v, &id, "Withdraw", "", Value::Null).await.unwrap();
    assert!(my_data(&c, &v).await.unwrap().applications[0].erasable);
    // Someone else's does not exist for them; staff and strangers are refused.
    let other = c.app.phone_user("13900000002").await;
    assert_eq!(c.app.call_json::<()>(&other, "delete_my_application", json!({"id": id})).await.unwrap_err().0, 404);
    assert!(my_data(&c, &other).await.unwrap().applications.is_empty());
    let staff = c.app.staff("S0001").await;
    assert_eq!(c.app.call_json::<()>(&staff, "delete_my_application", json!({"id": id})).await.unwrap_err().1.msg(), Msg::ErrVisitorsOnly);
    assert_eq!(my_data(&c, &staff).await.unwrap_err().1.msg(), Msg::ErrVisitorsOnly);
    let nobody = support::TestApp::browser();
    assert_eq!(c.app.call_json::<()>(&nobody, "delete_my_application", json!({"id": id})).await.unwrap_err().0, 401);
    assert_eq!(holding(&c, "entrants", &["name"], "李雷").await, 1);

    // Theirs, ended: anonymised at once, the deletion audited (masked).
    c.app.call_json::<()>(&v, "delete_my_application", json!({"id": id})).await.unwrap();
    for (table, columns) in [
        ("applications", &["applicant_phone", "note"][..]),
        ("entrants", &["name", "phone", "doc_masked", "doc_sealed"]),
        ("application_events", &["note", "changes"]),
    ] {
        assert_eq!(holding(&c, table, columns, "李雷").await + holding(&c, table, columns, &id_number(1)[..14]).await, 0, "left in {table}");
    }
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM applications WHERE id = '{id}' AND anonymised_at IS NOT NULL")).await, 1);
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'erase_on_request' AND record_id = '{id}'")).await, 1);
    assert_eq!(holding(&c, "audit_log", &["actor", "changes"], "13800000001").await, 0, "the audit trail holds the mobile masked");
    assert!(my_data(&c, &v).await.unwrap().applications.is_empty());
    assert_eq!(c.app.call_json::<()>(&v, "delete_my_application", json!({"id": id})).await.unwrap_err().0, 404, "gone");
    // Ended while its holder is still inside: refused until they leave.
    let (_, id2) = c.approved("13800000003", 3).await;
    visit_day(&c);
    let v2 = c.app.phone_user("13800000003").await;
    let gate = south_gate(&c).await;
    let token = token_of(&c, &links(&c, "13800000003").await[0]).await;
    let guard = c.app.staff("G0001").await;
    let seen: Verdict = c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": token}})).await.unwrap();
    assert!(seen.allow);
    c.act(&v2, &id2, "Release", "", Value::Null).await.unwrap();
    let e = c.app.call_json::<()>(&v2, "delete_my_application", json!({"id": id2})).await.unwrap_err();
    assert_eq!(e.1.msg(), Msg::ErrStillInside);
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM applications WHERE id = '{id2}' AND anonymised_at IS NULL")).await, 1);
    // The notice states this campus's period, to anyone.
    let days: i64 = c.app.call_json(&nobody, "privacy_facts", json!({})).await.unwrap();
    assert_eq!(days, c.app.state.config.retention_days);
}
