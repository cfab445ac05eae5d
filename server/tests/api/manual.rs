//! Manual admissions (人工放行): a guard admits someone on the office's
//! telephoned instruction while the system is down; the phone queues it and
//! syncs it later; it is stored once, only from the guard who recorded it,
//! at their gate, and the office reviews it afterwards.

use crate::applications::{Ctx, ctx};
use crate::passes::south_gate;
use app::error::AppError;
use app::i18n::Msg;
use app::passes::ManualRow;
use serde_json::json;

fn entry(id: &str, gate: &str, guard: &str, at: i64, authorised_by: &str) -> String {
    json!({"id": id, "gate_id": gate, "guard": guard, "at": at, "direction": "in", "name": "王奶奶",
        "document": "110101194001011234", "authorised_by": authorised_by, "reason": "系统故障，探望亲属"})
    .to_string()
}

async fn sync(c: &Ctx, who: &reqwest::Client, entries: Vec<String>) -> Result<Vec<String>, (u16, AppError)> {
    c.app.call_json(who, "guard_manual_sync", json!({"entries": entries})).await
}

#[tokio::test]
async fn a_manual_admission_queued_offline_is_stored_once_from_its_guard_and_reviewed_by_the_office() {
    let c = ctx().await;
    let gate = south_gate(&c).await;
    let (north,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name <> '南门' LIMIT 1").fetch_one(&c.app.state.db.read).await.unwrap();
    let guard = c.app.staff("G0001").await;
    // Recorded on the phone ten minutes ago, while the server was down.
    let at = c.app.state.clock.now_ms() - 600_000;
    let first = entry("m-1", &gate, "G0001", at, "保卫处 周敏 电话 8888");
    // Another guard's phone passing it on stores nothing: it waits for its own guard.
    let next_shift = c.app.staff("G0002").await;
    assert_eq!(sync(&c, &next_shift, vec![first.clone()]).await.unwrap(), Vec::<String>::new());
    assert_eq!(c.app.count("SELECT COUNT(*) FROM manual_admissions").await, 0);
    // Its guard syncs it: stored once, however often or concurrently sent.
    let (a, b) = tokio::join!(sync(&c, &guard, vec![first.clone()]), sync(&c, &guard, vec![first.clone()]));
    assert_eq!((a.unwrap(), b.unwrap()), (vec!["m-1".to_owned()], vec!["m-1".to_owned()]));
    assert_eq!(sync(&c, &guard, vec![first.clone()]).await.unwrap(), vec!["m-1".to_owned()]);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM manual_admissions").await, 1);
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM scan_events WHERE method = 'manual' AND allowed = 1 AND at = {at}")).await, 1);
    // A gate they are not posted at: nothing stored, and it stays on the
    // phone. An entry the form would not make: refused and forgotten. A
    // phone whose clock is far off: kept, its time within what can be believed.
    let more = vec![
        entry("m-2", &north, "G0001", at, "周敏"),
        entry("m-3", &gate, "G0001", at, " "),
        entry("m-4", &gate, "G0001", at - 9 * 86_400_000, "周敏"),
    ];
    let mut done = sync(&c, &guard, more).await.unwrap();
    done.sort();
    assert_eq!(done, ["m-3", "m-4"]);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM manual_admissions").await, 2);
    let week = app::domain::gate::OFFLINE_EVENT_MAX_AGE_MS;
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM manual_admissions WHERE at = {}", c.app.state.clock.now_ms() - week)).await, 1);
    // The document is kept masked only.
    assert_eq!(c.app.count("SELECT COUNT(*) FROM manual_admissions WHERE doc_masked = '1101**********1234'").await, 2);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM manual_admissions WHERE doc_masked LIKE '%19400101%'").await, 0);
    // Only guards record; only the office reads and reviews.
    let visitor = c.app.phone_user("13800000001").await;
    assert_eq!(sync(&c, &visitor, vec![entry("m-5", &gate, "G0001", at, "周敏")]).await.unwrap_err().0, 403);
    assert_eq!(sync(&c, &c.app.staff("A1001").await, vec![]).await.unwrap_err().0, 403);
    assert_eq!(c.app.call::<Vec<ManualRow>>(&guard, "list_manual_admissions", &[("status", "pending"), ("offset", "0")]).await.unwrap_err().0, 403);

    let office = c.app.staff("S0001").await;
    let list = |status: &'static str| {
        let (c, office) = (&c, &office);
        async move { c.app.call::<Vec<ManualRow>>(office, "list_manual_admissions", &[("status", status), ("offset", "0")]).await.unwrap() }
    };
    let pending = list("pending").await;
    assert_eq!(pending.len(), 2);
    // Newest first: the one recorded ten minutes ago.
    let row = &pending[0];
    assert_eq!((row.name.as_str(), row.authorised_by.as_str(), row.guard.as_str()), ("王奶奶", "保卫处 周敏 电话 8888", "G0001 孙磊"));
    assert!(row.reviewed.is_none());
    assert_eq!(c.app.call::<()>(&guard, "review_manual_admission", &[("id", &row.id), ("note", "")]).await.unwrap_err().0, 403);
    c.app.call::<()>(&office, "review_manual_admission", &[("id", &row.id), ("note", "已电话核实")]).await.unwrap();
    let again = c.app.call::<()>(&office, "review_manual_admission", &[("id", &row.id), ("note", "")]).await.unwrap_err();
    assert_eq!(again.1.msg(), Msg::ErrAlreadyHandled);
    assert_eq!(c.app.call::<()>(&office, "review_manual_admission", &[("id", "nope"), ("note", "")]).await.unwrap_err().0, 404);
    assert_eq!(list("pending").await.len(), 1);
    let reviewed = list("reviewed").await;
    assert!(reviewed[0].reviewed.as_deref().is_some_and(|r| r.contains("已电话核实") && r.contains("S0001")), "{reviewed:?}");
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'review_manual_admission'").await, 1);
    // The list exports as the page shows it, the name masked unless asked, audited.
    let (status, _, csv) = crate::exports::download(&c.app, &office, "/api/export/manual-admissions?format=csv&status=reviewed").await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}') && csv.contains("授权人") && csv.contains("王**") && !csv.contains("王奶奶"), "{csv}");
    assert!(csv.contains("1101**********1234") && csv.contains("已电话核实"));
    let (_, _, csv) = crate::exports::download(&c.app, &office, "/api/export/manual-admissions?format=csv&status=all&unmasked=true").await;
    assert!(String::from_utf8(csv).unwrap().contains("王奶奶"));
    assert_eq!(crate::exports::download(&c.app, &guard, "/api/export/manual-admissions?format=csv").await.0, 403);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND record_kind = 'manual-admissions'").await, 2);
    // Past the retention period, the person's name goes like every visitor's.
    c.app.clock.advance(chrono::Duration::days(200));
    app::privacy::retention::run_retention(&c.app.state, 180).await.unwrap().expect("today's run");
    assert_eq!(c.app.count("SELECT COUNT(*) FROM manual_admissions WHERE name = '王奶奶' OR doc_masked <> '' OR reason <> ''").await, 0);
}
