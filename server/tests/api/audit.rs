//! The audit trail shows each change of the office's records with the
//! record before and after, secrets left out and mobiles masked.

use crate::support::TestApp;
use serde_json::Value;

async fn last_change(app: &TestApp, action: &str, kind: &str, id: &str) -> Value {
    let (changes,): (String,) =
        sqlx::query_as("SELECT changes FROM audit_log WHERE action = $1 AND record_kind = $2 AND record_id = $3 ORDER BY at DESC, id DESC LIMIT 1")
            .bind(action)
            .bind(kind)
            .bind(id)
            .fetch_one(&app.state.db.read)
            .await
            .unwrap_or_else(|e| panic!("no {action} of {kind} {id}: {e}"));
    serde_json::from_str(&changes).unwrap()
}

#[tokio::test]
async fn the_offices_changes_are_audited_with_the_record_before_and_after() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let id_of = |sql: &'static str| {
        let db = app.state.db.read.clone();
        async move { sqlx::query_as::<_, (String,)>(sql).fetch_one(&db).await.unwrap().0 }
    };

    // A department renamed.
    let cs = id_of("SELECT id FROM departments WHERE code = 'CS'").await;
    let _: String =
        app.call(&admin, "save_department", &[("id", &cs), ("code", "CS"), ("name", "计算机科学与技术学院"), ("name_en", "")]).await.unwrap();
    let c = last_change(&app, "update", "department", &cs).await;
    assert_eq!((c["before"]["name"].as_str(), c["after"]["name"].as_str()), (Some("计算机学院"), Some("计算机科学与技术学院")));

    // A staff member's mobile changed: masked on both sides, no password hash.
    let t = id_of("SELECT id FROM staff WHERE staff_no = 'T1001'").await;
    let _: Option<String> = app
        .call(
            &admin,
            "save_staff",
            &[("id", &t), ("staff_no", "T1001"), ("name", "张伟"), ("department_id", &cs), ("phone", "13912345678"), ("active", "true")],
        )
        .await
        .unwrap();
    let c = last_change(&app, "update", "staff", &t).await;
    assert_eq!(c["after"]["phone"].as_str(), Some("139****5678"));
    assert!(c["before"]["phone"].as_str().unwrap().contains("****"));
    assert!(c["before"].get("password_hash").is_none() && c["after"].get("password_hash").is_none());
    assert!(!c.to_string().contains("13912345678"));

    // A gate switched off.
    let (gate, campus): (String, String) =
        sqlx::query_as("SELECT id, campus_id FROM gates WHERE name = '西门'").fetch_one(&app.state.db.read).await.unwrap();
    let _: String = app
        .call(
            &admin,
            "save_gate",
            &[
                ("id", &gate),
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
    let c = last_change(&app, "update", "gate", &gate).await;
    assert_eq!((c["before"]["active"].as_i64(), c["after"]["active"].as_i64()), (Some(1), Some(0)));

    // A grant frozen.
    let grants: Vec<app::office::GrantView> = app.call(&admin, "list_grants", &[]).await.unwrap();
    let g = grants.iter().find(|g| g.staff_no == "G0001").unwrap();
    app.call::<()>(&admin, "set_grant_status", &[("grant_id", &g.id), ("status", "Frozen")]).await.unwrap();
    let c = last_change(&app, "frozen", "grant", &g.id).await;
    assert_eq!((c["before"]["status"].as_str(), c["after"]["status"].as_str()), (Some("active"), Some("frozen")));

    // A pass kind's policy: the whole policy before and after.
    let policies: Vec<app::domain::policy::PassPolicy> = app.call(&admin, "list_policies", &[]).await.unwrap();
    let mut visitor = policies.into_iter().find(|p| p.kind == app::domain::policy::PassKind::Visitor).unwrap();
    let old_max = visitor.dates.max_days;
    visitor.dates.max_days = old_max + 1;
    app.call_json::<()>(&admin, "save_policy", serde_json::json!({"policy": visitor})).await.unwrap();
    let c = last_change(&app, "save", "pass_policy", "visitor").await;
    assert_eq!(
        (c["before"]["dates"]["max_days"].as_i64(), c["after"]["dates"]["max_days"].as_i64()),
        (Some(old_max as i64), Some(old_max as i64 + 1))
    );
}

#[tokio::test]
async fn grants_imports_applications_and_passes_are_audited_with_their_state_before_and_after() {
    use crate::applications::{Ctx, ctx};
    let c: Ctx = ctx().await;
    let app = &c.app;
    let admin = app.staff("S0001").await;
    let staff_id = |no: &'static str| {
        let db = app.state.db.read.clone();
        async move { sqlx::query_as::<_, (String,)>("SELECT id FROM staff WHERE staff_no = $1").bind(no).fetch_one(&db).await.unwrap().0 }
    };

    // A role granted: nothing before, the grant after; granted again after
    // a freeze: frozen before, active after.
    app.call::<()>(&admin, "grant_role", &[("staff_no", "T1001"), ("role", "SecurityAdmin"), ("scope_id", "")]).await.unwrap();
    let (grant,): (String,) = sqlx::query_as("SELECT id FROM grants WHERE staff_id = $1 AND role = 'security_admin'")
        .bind(staff_id("T1001").await)
        .fetch_one(&app.state.db.read)
        .await
        .unwrap();
    let g = last_change(app, "grant", "grant", &grant).await;
    assert!(g["before"].is_null());
    assert_eq!(g["after"]["status"].as_str(), Some("active"));
    app.call::<()>(&admin, "set_grant_status", &[("grant_id", &grant), ("status", "Frozen")]).await.unwrap();
    app.call::<()>(&admin, "grant_role", &[("staff_no", "T1001"), ("role", "SecurityAdmin"), ("scope_id", "")]).await.unwrap();
    let g = last_change(app, "grant", "grant", &grant).await;
    assert_eq!((g["before"]["status"].as_str(), g["after"]["status"].as_str()), (Some("frozen"), Some("active")));

    // A staff import: a renamed member of staff before and after, a new one from nothing.
    let csv = "工号,姓名,部门,手机\nT1001,张伟伟,CS,\nT7001,新人,CS,13912340000\n";
    let res = admin
        .post(format!("{}/api/admin/staff-import?dry_run=false", app.base))
        .header("origin", &app.base)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    let s = last_change(app, "update", "staff", &staff_id("T1001").await).await;
    assert_eq!((s["before"]["name"].as_str(), s["after"]["name"].as_str()), (Some("张伟"), Some("张伟伟")));
    let s = last_change(app, "create", "staff", &staff_id("T7001").await).await;
    assert!(s["before"].is_null());
    assert_eq!(s["after"]["phone"].as_str(), Some("139****0000"));
    assert!(s["after"].get("password_hash").is_none());

    // An application's transitions carry its status before and after; its
    // passes are audited as issued and as cancelled, names masked.
    let (_v, id) = c.approved("13800000001", 1).await;
    let a = last_change(app, "approve", "application", &id).await;
    assert_eq!(a["after"]["status"].as_str(), Some("approved"));
    assert!(a["before"]["status"].as_str().unwrap().starts_with("in_review"));
    let p = last_change(app, "issue_passes", "application", &id).await;
    assert_eq!(p["before"]["passes"], serde_json::json!([]));
    assert_eq!(p["after"]["passes"][0]["holder"].as_str(), Some("李*"));
    assert!(p["after"]["passes"][0]["cancelled_at"].is_null());
    c.act(&app.staff("A1001").await, &id, "Cancel", "访问取消", Value::Null).await.unwrap();
    let p = last_change(app, "cancel_passes", "application", &id).await;
    assert!(p["before"]["passes"][0]["cancelled_at"].is_null());
    assert!(p["after"]["passes"][0]["cancelled_at"].is_i64());
    assert!(!p.to_string().contains("李雷"), "names masked");
}
