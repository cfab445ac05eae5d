//! Every server function and every `/api` route refuses an anonymous caller
//! unless it is meant to be public, and every admin action refuses everyone
//! but a security admin, changing nothing.

use crate::support::TestApp;
use app::error::AppError;

/// Server functions that take JSON, with valid-looking arguments, and
/// whether only a security admin may call them (the others are open to any
/// signed-in caller and authorise per record; see `applications.rs`).
pub fn json_calls() -> Vec<(&'static str, bool, serde_json::Value)> {
    use serde_json::json;
    let form = json!({"kind": "Visitor", "host_staff_id": "x", "campus_id": "x", "reason_id": "x", "start_date": "2026-11-26",
        "end_date": "2026-11-26", "entrants": [], "plate": "", "note": ""});
    let temp = json!({"category": "other", "name": "某", "phone": "13800000000", "doc_type": "ResidentId", "doc_number": "x",
        "department_id": "x", "start_date": "2026-11-26", "leave_date": "2026-12-26", "commitment": true});
    vec![
        // Temporary personnel: the department admin's functions refuse
        // everyone else; the others authorise per record (`temp_personnel.rs`).
        ("request_temp_number", true, json!({"input": temp})),
        ("request_temp_maintenance", true, json!({"input": {"temp_no": "LS1", "kind": "Delete", "commitment": true}})),
        ("temp_people", true, json!({"filter": {"query": "", "category": "", "standing": "", "department_id": ""}})),
        ("temp_setup", false, json!({})),
        ("temp_requests", false, json!({"open": true})),
        ("decide_temp_request", false, json!({"id": "x", "approve": true, "reason": ""})),
        ("temp_faces", false, json!({})),
        ("review_temp_face", false, json!({"temp_no": "x", "accept": true, "reason": ""})),
        ("my_temp_status", false, json!({})),
        ("set_temp_face", false, json!({"photo": null, "consent": false})),
        ("application_form_setup", false, json!({"kind": "Visitor", "invitation": null})),
        ("find_hosts", false, json!({"query": "T1001"})),
        ("submit_application", false, json!({"form": form, "idempotency_key": "k1", "invitation": null})),
        ("my_applications", false, json!({})),
        ("get_application", false, json!({"id": "x"})),
        ("act_on_application", false, json!({"id": "x", "action": "Approve", "version": 0, "note": "", "edits": null, "next": null})),
        ("next_step_handlers", false, json!({"id": "x", "department_id": "x"})),
        ("renewal_prefill", false, json!({"id": "x"})),
        ("application_to_edit", false, json!({"id": "x"})),
        ("resubmit_application", false, json!({"id": "x", "version": 0, "form": form})),
        ("approval_inbox", false, json!({})),
        ("department_applications", false, json!({"status": "", "from": "", "to": "", "offset": 0})),
        ("approve_many", false, json!({"items": [["x", 0]]})),
        (
            "invite_visitor",
            false,
            json!({"input": {"phone": "13800000000", "name": "某", "campus_id": "x", "reason_id": "x", "start_date": "2026-11-26", "end_date": "2026-11-26", "note": ""}}),
        ),
        ("invite_choices", false, json!({})),
        ("save_vehicle_rules", true, json!({"rules": {"reason_id": "x", "gates": [], "free_minutes": 30, "hourly_rate": "5", "daily_cap": "30"}})),
        ("statistics", true, json!({"view": "Scans", "filter": {}, "lang": "Zh"})),
        ("save_reason", true, json!({"reason": {"id": "", "name": "新事由", "name_en": "", "category": "Official", "active": true}})),
        ("guard_scan", false, json!({"gate_id": "x", "direction": "in", "input": {"qr": "x"}})),
        ("pass_by_link", false, json!({"link": "x"})),
        ("guard_gates", false, json!({})),
        ("guard_roster", false, json!({"gate_id": "x", "since": null})),
        ("guard_sync", false, json!({"gate_id": "x", "events": []})),
        ("guard_sync_queue", false, json!({"events": []})),
        ("guard_manual_sync", false, json!({"entries": []})),
        ("on_behalf_form_setup", false, json!({})),
        ("my_data", false, json!({})),
        ("delete_my_application", false, json!({"id": "x"})),
        ("privacy_facts", false, json!({})),
        ("submit_on_behalf", false, json!({"form": form, "mobile": "13800000000", "idempotency_key": "k1"})),
        ("guard_photo", false, json!({"gate_id": "x", "pass_id": "x"})),
        (
            "save_policy",
            true,
            json!({"policy": {"kind": "Visitor", "chain": [], "dates": {"max_days": 3, "max_days_ahead": 3, "next_day_deadline": null, "same_day": true}, "vehicles_allowed": true, "face_photo": "Optional", "single_use": false}}),
        ),
    ]
}

/// Functions any signed-in staff member calls about themselves.
const SELF_SERVICE: &[&str] = &["change_password", "arrival_texts", "set_arrival_texts"];

/// JSON functions open to anyone: the pass page (its unguessable link is the key).
const PUBLIC_JSON: &[&str] = &["pass_by_link", "privacy_facts"];

/// Valid arguments for every server function. A function missing here
/// fails `every_server_function_is_listed`, so none escapes the checks.
/// A server function's name, whether it is public, and valid arguments.
type Call = (&'static str, bool, Vec<(&'static str, &'static str)>);

fn calls() -> Vec<Call> {
    vec![
        // (name, public, arguments)
        ("request_sms_code", true, vec![("phone", "13800138000")]),
        ("sign_in_with_sms", true, vec![("phone", "13800138000"), ("code", "123456")]),
        ("sign_in_with_password", true, vec![("staff_no", "T1001"), ("password", "wrong-password-1")]),
        ("sign_out", true, vec![]),
        ("current_user", true, vec![]),
        ("sign_in_methods", true, vec![]),
        ("change_password", false, vec![("current", "a-password-1"), ("new", "b-password-2")]),
        ("arrival_texts", false, vec![]),
        ("set_arrival_texts", false, vec![("on", "false")]),
        ("list_campuses", false, vec![]),
        ("save_campus", false, vec![("name", "新校区"), ("name_en", "New")]),
        (
            "save_gate",
            false,
            vec![("campus_id", "x"), ("name", "门"), ("name_en", ""), ("kind", "Pedestrian"), ("direction", "Both"), ("active", "true")],
        ),
        ("list_departments", false, vec![]),
        ("save_department", false, vec![("code", "NEW"), ("name", "新部门"), ("name_en", "")]),
        ("list_staff", false, vec![("query", ""), ("department_id", ""), ("offset", "0")]),
        ("directory_sync_status", false, vec![]),
        ("sync_directory", false, vec![("dry_run", "true")]),
        ("save_staff", false, vec![("staff_no", "Z9"), ("name", "某人"), ("department_id", "x"), ("phone", ""), ("active", "true")]),
        ("reset_staff_password", false, vec![("staff_id", "x")]),
        ("list_grants", false, vec![]),
        ("grant_scopes", false, vec![]),
        ("grant_role", false, vec![("staff_no", "T1001"), ("role", "SecurityAdmin"), ("scope_id", "")]),
        ("set_grant_status", false, vec![("grant_id", "x"), ("status", "Revoked")]),
        ("list_audit", false, vec![("actor", ""), ("action", ""), ("record", ""), ("from", ""), ("to", ""), ("offset", "0")]),
        ("list_outbox", false, vec![("offset", "0")]),
        ("list_devices", false, vec![]),
        ("register_device", false, vec![("gate_id", "x"), ("name", "车牌识别")]),
        ("set_device_active", false, vec![("id", "x"), ("active", "false")]),
        ("settle_fees", false, vec![("plate", "京A12345"), ("receipt_no", "R-1")]),
        ("list_parking_fees", false, vec![("status", "unpaid"), ("plate", ""), ("offset", "0")]),
        ("list_vehicle_rules", false, vec![]),
        ("statistics_choices", false, vec![]),
        ("roll_call", false, vec![("campus_id", "")]),
        ("start_drill", false, vec![("campus_id", "x"), ("name", "演练")]),
        ("list_drills", false, vec![]),
        ("get_drill", false, vec![("id", "x")]),
        ("mark_accounted", false, vec![("drill_id", "x"), ("pass_id", "x"), ("accounted", "true")]),
        ("end_drill", false, vec![("id", "x")]),
        ("list_staff_blacklist", false, vec![("include_lifted", "true")]),
        ("add_staff_to_blacklist", false, vec![("staff_no", "T1001"), ("reason", "测试")]),
        ("lift_staff_blacklist", false, vec![("id", "x"), ("reason", "测试")]),
        ("clear_vehicle_inside", false, vec![("plate", "京A12345"), ("reason", "测试")]),
        ("list_blacklist", false, vec![("include_lifted", "true")]),
        ("add_to_blacklist", false, vec![("kind", "Mobile"), ("doc_type", "ResidentId"), ("value", "13800000000"), ("reason", "测试")]),
        ("lift_blacklist", false, vec![("id", "x"), ("reason", "测试")]),
        ("list_reasons", false, vec![]),
        ("list_policies", false, vec![]),
        ("list_scans", false, vec![("campus_id", ""), ("gate_id", ""), ("verdict", ""), ("from", ""), ("to", ""), ("offset", "0")]),
        ("on_campus_now", false, vec![("campus_id", "")]),
        ("gate_options", false, vec![]),
        ("list_signing_keys", false, vec![]),
        ("rotate_signing_key", false, vec![]),
        ("household_choices", false, vec![]),
        ("list_households", false, vec![("campus_id", ""), ("community", ""), ("query", ""), ("offset", "0")]),
        ("save_household", false, vec![("campus_id", "x"), ("community", "新村"), ("building", "1栋"), ("door", "101"), ("paper_pass", "false")]),
        (
            "save_member",
            false,
            vec![
                ("household_id", "x"),
                ("name", "某人"),
                ("phone", "13800000000"),
                ("doc_type", "ResidentId"),
                ("doc_number", "x"),
                ("householder", "true"),
            ],
        ),
        ("remove_member", false, vec![("id", "x")]),
        ("household_poster", false, vec![("campus_id", "x")]),
        ("save_temp_category", false, vec![("name", "新类别"), ("name_en", ""), ("active", "true")]),
        ("list_manual_admissions", false, vec![("status", "pending"), ("offset", "0")]),
        ("review_manual_admission", false, vec![("id", "x"), ("note", "")]),
    ]
}

#[test]
fn every_server_function_is_listed() {
    let mut listed: Vec<String> = calls().iter().map(|(n, _, _)| format!("/api/fn/{n}")).collect();
    listed.extend(json_calls().iter().map(|(n, _, _)| format!("/api/fn/{n}")));
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
    for (name, _, args) in json_calls() {
        let r = app.call_json::<serde_json::Value>(&anon, name, args).await;
        if PUBLIC_JSON.contains(&name) {
            assert!(!matches!(r, Err((401, _))), "{name} is public");
            continue;
        }
        assert_eq!(r.unwrap_err(), (401, AppError::Unauthenticated), "{name}");
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

/// An address nobody serves gets the app's "not found" page with a 404,
/// signed in or not (the page reads who is signed in, like every page).
#[tokio::test]
async fn an_unknown_address_is_not_found() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let staff = app.staff("T1001").await;
    for client in [reqwest::Client::new(), staff] {
        for path in ["/no-such-page", "/admin/no-such-page", "/api/fn/no_such_function"] {
            let res = client.get(format!("{}{path}", app.base)).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 404, "{path}");
            assert!(res.text().await.unwrap().contains("找不到"), "{path}");
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
            if public || SELF_SERVICE.contains(&name) {
                continue;
            }
            let r = app.call::<serde_json::Value>(c, name, &args).await;
            assert_eq!(r.unwrap_err(), (403, AppError::Forbidden), "{who} calling {name}");
        }
        for (name, admin_only, args) in json_calls() {
            if admin_only {
                let r = app.call_json::<serde_json::Value>(c, name, args).await;
                assert_eq!(r.unwrap_err(), (403, AppError::Forbidden), "{who} calling {name}");
            }
        }
        let res = c.post(format!("{}/api/admin/staff-import", app.base)).body("工号,姓名,部门\nT9,某人,CS\n").send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "{who} importing staff");
        let res = c.post(format!("{}/api/admin/household-import", app.base)).body("校区,小区\n").send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "{who} importing households");
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

#[tokio::test]
async fn pages_carry_a_content_security_policy_whose_nonce_every_inline_script_has() {
    let app = TestApp::spawn().await;
    for path in ["/", "/apply", "/sign-in", "/scan"] {
        let res = TestApp::browser().get(format!("{}{path}", app.base)).send().await.unwrap();
        let headers = res.headers().clone();
        let csp = headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("{path}: no CSP")).to_owned();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'") && !csp.contains(" 'unsafe-eval'"), "{csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).unwrap().to_owned();
        let html = res.text().await.unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path} hydrates with a script");
        assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{path}: every inline script has this response's nonce");
        assert_eq!(headers.get("cache-control").unwrap(), "private, no-store", "{path}");
        assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
        assert!(headers.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
    // A second response has another nonce.
    let a = TestApp::browser().get(format!("{}/", app.base)).send().await.unwrap();
    let b = TestApp::browser().get(format!("{}/", app.base)).send().await.unwrap();
    assert_ne!(a.headers().get("content-security-policy"), b.headers().get("content-security-policy"));
    // API answers are not kept either.
    let res = TestApp::browser().get(format!("{}/api/health", app.base)).send().await.unwrap();
    assert_eq!(res.headers().get("cache-control").unwrap(), "private, no-store");
}

#[tokio::test]
async fn over_https_browsers_are_told_to_use_nothing_else() {
    let app = TestApp::spawn_with(|c| c.public_base_url = "https://pass.example.edu.cn".into()).await;
    let res = TestApp::browser().get(format!("{}/api/health", app.base)).send().await.unwrap();
    assert_eq!(res.headers().get("strict-transport-security").unwrap(), "max-age=31536000");
}
