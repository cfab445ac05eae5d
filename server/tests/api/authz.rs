//! Every server function and every `/api` route refuses an anonymous caller
//! unless it is meant to be public, and every admin action refuses everyone
//! but a security admin, changing nothing.



use app::error::AppError;
use crate::support::TestApp;

/// Valid arguments for every server function. A function missing here
/// fails `every_server_function_is_listed`, so none escapes the checks.
fn calls() -> Vec<(&'static str, bool, Vec<(&'static str, &'static str)>)> {
    vec![
        // (name, public, arguments)
        ("request_sms_code", true, vec![("phone", "13800138000")]),
        ("sign_in_with_sms", true, vec![("phone", "13800138000"), ("code", "123456")]),
        ("sign_in_with_password", true, vec![("staff_no", "T1001"), ("password", "wrong-password-1")]),
        ("sign_out", true, vec![]),
        ("current_user", true, vec![]),
        ("change_password", false, vec![("current", "a-password-1"), ("new", "b-password-2")]),
        ("list_campuses", false, vec![]),
        ("save_campus", false, vec![("name", "新校区"), ("name_en", "New")]),
        ("save_gate", false, vec![("campus_id", "x"), ("name", "门"), ("name_en", ""), ("kind", "Pedestrian"), ("direction", "Both"), ("active", "true")]),
        ("list_departments", false, vec![]),
        ("save_department", false, vec![("code", "NEW"), ("name", "新部门"), ("name_en", "")]),
        ("list_staff", false, vec![("query", ""), ("department_id", ""), ("offset", "0")]),
        ("save_staff", false, vec![("staff_no", "Z9"), ("name", "某人"), ("department_id", "x"), ("phone", ""), ("active", "true")]),
        ("reset_staff_password", false, vec![("staff_id", "x")]),
        ("list_grants", false, vec![]),
        ("grant_scopes", false, vec![]),
        ("grant_role", false, vec![("staff_no", "T1001"), ("role", "SecurityAdmin"), ("scope_id", "")]),
        ("set_grant_status", false, vec![("grant_id", "x"), ("status", "Revoked")]),
        ("list_audit", false, vec![("offset", "0")]),
        ("list_outbox", false, vec![("offset", "0")]),
    ]
}

#[test]
fn every_server_function_is_listed() {
    let listed: Vec<String> = calls().iter().map(|(n, _, _)| format!("/api/fn/{n}")).collect();
    let mut registered: Vec<String> = server_fn::axum::server_fn_paths().map(|(p, _)| p.to_owned()).collect();
    registered.sort();
    for p in &registered {
        assert!(listed.contains(p), "server function {p} is not covered by the authorisation tests");
    }
    assert_eq!(registered.len(), listed.len(), "{registered:?}");
}

#[tokio::test]
async fn anonymous_callers_are_refused_except_on_public_functions() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let anon = TestApp::browser();
    for (name, public, args) in calls() {
        let r = app.call::<serde_json::Value>(&anon, name, &args).await;
        if public {
            assert!(!matches!(r, Err((401, _))), "{name} is public but refused an anonymous caller");
        } else {
            assert_eq!(r.unwrap_err(), (401, AppError::Unauthenticated), "{name}");
        }
    }
}

#[tokio::test]
async fn every_plain_api_route_is_checked() {
    let app = TestApp::spawn().await;
    let c = reqwest::Client::new();
    for (method, path, public) in campus_pass_server::routes::API_ROUTES {
        let req = match *method {
            "GET" => c.get(format!("{}{path}", app.base)),
            _ => c.post(format!("{}{path}", app.base)).body("工号,姓名,部门\nT1,某,CS\n"),
        };
        let status = req.send().await.unwrap().status().as_u16();
        if *public {
            assert!(status < 400, "{path}: {status}");
        } else {
            assert_eq!(status, 401, "{path}");
        }
    }
}

#[tokio::test]
async fn admin_actions_refuse_everyone_but_security_admins_and_change_nothing() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let callers = vec![
        ("staff", app.staff("T1001").await),
        ("approver", app.staff("A1001").await),
        ("guard", app.staff("G0001").await),
        ("visitor", app.phone_user("13800138000").await),
        ("resident", app.phone_user(campus_pass_server::demo::RESIDENT_PHONE).await),
    ];
    for (who, c) in &callers {
        for (name, public, args) in calls() {
            if public || name == "change_password" {
                continue;
            }
            let r = app.call::<serde_json::Value>(c, name, &args).await;
            assert_eq!(r.unwrap_err(), (403, AppError::Forbidden), "{who} calling {name}");
        }
        let res = c
            .post(format!("{}/api/admin/staff-import", app.base))
            .body("工号,姓名,部门\nT9,某人,CS\n")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{who} importing staff");
    }
    // Sign-ins are audited; nothing else may have been written.
    let sign_ins = app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in'").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, before + sign_ins);
    assert_eq!(app.count("SELECT COUNT(*) FROM staff WHERE staff_no IN ('Z9', 'T9')").await, 0);
}

#[tokio::test]
async fn a_frozen_or_revoked_grant_stops_working_at_once() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    app.call::<()>(&admin, "grant_role", &[("staff_no", "T1001"), ("role", "SecurityAdmin"), ("scope_id", "")]).await.unwrap();
    let t = app.staff("T1001").await;
    app.call::<serde_json::Value>(&t, "list_grants", &[]).await.unwrap();
    let grants: Vec<app::office::GrantView> = app.call(&admin, "list_grants", &[]).await.unwrap();
    let g = grants.iter().find(|g| g.staff_no == "T1001").unwrap();
    app.call::<()>(&admin, "set_grant_status", &[("grant_id", &g.id), ("status", "Frozen")]).await.unwrap();
    assert_eq!(app.call::<serde_json::Value>(&t, "list_grants", &[]).await.unwrap_err().0, 403);
    app.call::<()>(&admin, "set_grant_status", &[("grant_id", &g.id), ("status", "Active")]).await.unwrap();
    app.call::<serde_json::Value>(&t, "list_grants", &[]).await.unwrap();
    app.call::<()>(&admin, "set_grant_status", &[("grant_id", &g.id), ("status", "Revoked")]).await.unwrap();
    assert_eq!(app.call::<serde_json::Value>(&t, "list_grants", &[]).await.unwrap_err().0, 403);
    let audited = app.count("SELECT COUNT(*) FROM audit_log WHERE record_kind = 'grant'").await;
    assert_eq!(audited, 4, "grant, freeze, unfreeze, revoke");
}

#[tokio::test]
async fn scoped_roles_need_their_scope() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let err = app.call::<()>(&admin, "grant_role", &[("staff_no", "T1001"), ("role", "Approver"), ("scope_id", "")]).await.unwrap_err();
    assert_eq!(err.0, 422);
    let err = app.call::<()>(&admin, "grant_role", &[("staff_no", "NOBODY"), ("role", "Hr"), ("scope_id", "")]).await.unwrap_err();
    assert_eq!(err.1.msg(), app::i18n::Msg::ErrUnknownStaff);
}
