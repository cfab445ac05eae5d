//! The office's statistics against hand-counted fixtures: applications by
//! status and step, time to decide, scans by gate, hour and verdict,
//! entries per day; the same numbers once the days are counted into
//! `scan_day_counts`, counted once however many servers run the job;
//! filters and periods; nobody else may look (see `authz.rs`).

use crate::applications::ctx;
use crate::passes::{links, south_gate, token_of, visit_day};
use app::passes::Verdict;
use app::statistics::{Section, StatsView};
use serde_json::{Value, json};

fn rows(v: &StatsView, id: &str) -> Vec<(String, i64)> {
    v.sections.iter().find(|s| s.id == id).unwrap_or_else(|| panic!("no section {id}")).rows.clone()
}

fn section<'a>(v: &'a StatsView, id: &str) -> &'a Section {
    v.sections.iter().find(|s| s.id == id).unwrap()
}

fn nonzero(rows: Vec<(String, i64)>) -> Vec<(String, i64)> {
    rows.into_iter().filter(|(_, n)| *n > 0).collect()
}

fn named(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
    rows.iter().map(|(l, n)| (l.to_string(), *n)).collect()
}

#[tokio::test]
async fn each_statistic_matches_the_hand_count_before_and_after_its_days_are_counted() {
    let c = ctx().await;
    // A: decided in two hours; B: decided at once; C waits at the host; D at the department.
    let va = c.app.phone_user("13800000001").await;
    let a = c.submit(&va, c.simple("13800000001", 1)).await.unwrap();
    c.app.clock.advance(chrono::Duration::hours(2));
    c.act(&c.app.staff("T1001").await, &a, "Approve", "", Value::Null).await.unwrap();
    c.act(&c.app.staff("A1001").await, &a, "Approve", "", Value::Null).await.unwrap();
    c.approved("13800000002", 2).await;
    let vc = c.app.phone_user("13800000003").await;
    c.submit(&vc, c.simple("13800000003", 3)).await.unwrap();
    let vd = c.app.phone_user("13800000004").await;
    let d = c.submit(&vd, c.simple("13800000004", 4)).await.unwrap();
    c.act(&c.app.staff("T1001").await, &d, "Approve", "", Value::Null).await.unwrap();

    // At the south gate on the visit day, 09:00 on campus: A in, a torn QR, A out.
    visit_day(&c);
    let token = token_of(&c, &links(&c, "13800000001").await[0]).await;
    let gate = south_gate(&c).await;
    let guard = c.app.staff("G0001").await;
    for (direction, qr) in [("in", token.as_str()), ("in", "not a pass"), ("out", token.as_str())] {
        let _: Verdict = c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": direction, "input": {"qr": qr}})).await.unwrap();
    }

    let admin = c.app.staff("S0001").await;
    let filter = json!({"from": "2026-11-20", "to": "2026-11-30"});
    let ask = |name: &'static str, filter: Value| {
        let (app, admin) = (&c.app, &admin);
        async move { app.call_json::<StatsView>(admin, "statistics", json!({"view": name, "filter": filter, "lang": "Zh"})).await }
    };
    let apps = ask("Applications", filter.clone()).await.unwrap();
    assert_eq!((apps.from.as_str(), apps.to.as_str()), ("2026-11-20", "2026-11-30"));
    assert_eq!(rows(&apps, "by-status"), named(&[("审批中", 2), ("已通过", 2)]));
    let host: (String,) = sqlx::query_as("SELECT name FROM staff WHERE staff_no = 'T1001'").fetch_one(&c.app.state.db.read).await.unwrap();
    assert_eq!(rows(&apps, "by-step"), vec![(format!("第1步 {}", host.0), 1), ("第2步 计算机学院".into(), 1)]);
    assert_eq!(nonzero(rows(&apps, "turnaround")), named(&[("1 小时内", 1), ("1–4 小时", 1)]));
    assert!(section(&apps, "turnaround").note.contains("已决定 2"), "{:?}", section(&apps, "turnaround").note);
    assert!(section(&apps, "by-status").svg.starts_with("<svg") && section(&apps, "by-status").svg.contains("已通过"));

    let scans = ask("Scans", filter.clone()).await.unwrap();
    assert_eq!(rows(&scans, "by-gate"), named(&[("主校区 南门", 3)]));
    assert_eq!(nonzero(rows(&scans, "by-hour")), named(&[("09", 3)]));
    let verdicts = rows(&scans, "by-verdict");
    assert_eq!(verdicts.iter().map(|(_, n)| n).sum::<i64>(), 3);
    assert_eq!(verdicts.len(), 2, "allowed twice, refused once: {verdicts:?}");
    assert!(verdicts[0].1 == 2 && verdicts[1].1 == 1);
    assert_eq!(nonzero(rows(&scans, "entries")), named(&[("11-26", 1)]));
    assert_eq!(rows(&scans, "entries").len(), 11, "one column a day");
    let inside = ask("Inside", json!({})).await.unwrap();
    assert_eq!(rows(&inside, "inside"), named(&[("人员", 0), ("车辆", 0)]));

    // Filters: another department, another kind, another gate count nothing.
    let (other_dept,): (String,) = sqlx::query_as("SELECT id FROM departments WHERE code = 'HIST'").fetch_one(&c.app.state.db.read).await.unwrap();
    let none = ask("Applications", json!({"from": "2026-11-20", "to": "2026-11-30", "department_id": other_dept})).await.unwrap();
    assert!(rows(&none, "by-status").is_empty());
    let only_approved = ask("Applications", json!({"from": "2026-11-20", "to": "2026-11-30", "status": "approved"})).await.unwrap();
    assert_eq!(rows(&only_approved, "by-status"), named(&[("已通过", 2)]));
    let residents = ask("Scans", json!({"from": "2026-11-20", "to": "2026-11-30", "kind": "resident"})).await.unwrap();
    assert!(rows(&residents, "by-gate").is_empty());
    let visitors = ask("Scans", json!({"from": "2026-11-20", "to": "2026-11-30", "kind": "visitor"})).await.unwrap();
    assert_eq!(rows(&visitors, "by-gate"), named(&[("主校区 南门", 2)]), "the torn QR names no pass");
    let (north,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = '北门车行道'").fetch_one(&c.app.state.db.read).await.unwrap();
    assert!(rows(&ask("Scans", json!({"from": "2026-11-20", "to": "2026-11-30", "gate_id": north})).await.unwrap(), "by-gate").is_empty());
    // Periods that cannot be counted are refused by name.
    for (bad, field) in [
        (json!({"from": "2026-11-30", "to": "2026-11-20"}), "to"),
        (json!({"from": "2025-01-01", "to": "2026-11-30"}), "from"),
        (json!({"from": "x"}), "from"),
    ] {
        let err = ask("Scans", bad).await.unwrap_err();
        assert_eq!((err.0, err.1.field()), (422, Some(field)));
    }

    // The applications behind the numbers, as a file with their current step.
    let csv = |query: &'static str| {
        let (base, admin) = (c.app.base.clone(), admin.clone());
        async move {
            let res = admin.get(format!("{base}/api/export/applications?format=csv&{query}")).send().await.unwrap();
            (res.status().as_u16(), String::from_utf8_lossy(&res.bytes().await.unwrap()).trim_start_matches('\u{feff}').to_owned())
        }
    };
    let (status, text) = csv("from=2026-11-20&to=2026-11-30").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "提交时间,类型,状态,当前步骤,手机号,部门,校区,来访事由,开始日期,结束日期");
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines.iter().any(|l| l.contains(&format!(",第1步 {},", host.0))) && lines.iter().any(|l| l.contains(",第2步 计算机学院,")), "{text}");
    assert!(text.contains("138****0003") && !text.contains("13800000003"), "mobiles masked: {text}");
    let (_, full) = csv("from=2026-11-20&to=2026-11-30&unmasked=true&status=in_review").await;
    assert_eq!(full.lines().count(), 3, "{full}");
    assert!(full.contains("13800000003"));
    let audited = c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND record_kind = 'applications'").await;
    assert_eq!(audited, 2);
    assert_eq!(csv("from=2025-01-01&to=2026-11-30").await.0, 422);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export'").await, 2, "a refused export is not written");

    // Two weeks on, the days are final: two servers' upkeep count them once,
    // and the view reads the counts and answers the same.
    c.app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 14, 1, 0, 0).unwrap());
    let (x, y) = tokio::join!(app::statistics::rollup::roll_up_scans(&c.app.state, 100), app::statistics::rollup::roll_up_scans(&c.app.state, 100));
    assert!(x.unwrap() + y.unwrap() > 0);
    assert_eq!(c.app.count("SELECT CAST(SUM(n) AS BIGINT) FROM scan_day_counts").await, 3, "each scan counted once");
    assert_eq!(app::statistics::rollup::roll_up_scans(&c.app.state, 100).await.unwrap(), 0, "nothing left to count");
    let admin = c.app.staff("S0001").await;
    let again: StatsView = c.app.call_json(&admin, "statistics", json!({"view": "Scans", "filter": filter, "lang": "Zh"})).await.unwrap();
    assert_eq!(again, scans);
    // With the events gone, the counts still answer: the view read them.
    sqlx::query("DELETE FROM scan_events").execute(&c.app.state.db.write).await.unwrap();
    let counted: StatsView = c.app.call_json(&admin, "statistics", json!({"view": "Scans", "filter": filter, "lang": "Zh"})).await.unwrap();
    assert_eq!(counted, scans);
    let visitors_counted: StatsView = c
        .app
        .call_json(
            &admin,
            "statistics",
            json!({"view": "Scans", "filter": {"from": "2026-11-20", "to": "2026-11-30", "kind": "visitor"}, "lang": "Zh"}),
        )
        .await
        .unwrap();
    assert_eq!(rows(&visitors_counted, "by-gate"), named(&[("主校区 南门", 2)]));
}
