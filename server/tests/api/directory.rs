//! The directory: campuses, gates, departments, staff, CSV import (UTF-8 and
//! GBK, all or nothing), audit entries, and campus time in what is shown.

use crate::support::TestApp;
use app::directory::{CampusView, DepartmentView, ImportOutcome, StaffPage};
use app::error::AppError;

async fn import(app: &TestApp, c: &reqwest::Client, body: Vec<u8>, dry_run: bool) -> (u16, serde_json::Value) {
    let res = c
        .post(format!("{}/api/admin/staff-import?dry_run={dry_run}", app.base))
        .header("origin", &app.base)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn a_csv_import_is_all_or_nothing() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let before = app.count("SELECT COUNT(*) FROM staff").await;
    let bad = "工号,姓名,部门,手机\nN001,甲,CS,13800000001\nN002,乙,NOPE,\nN003,,CS,123\n";
    let (status, body) = import(&app, &admin, bad.as_bytes().to_vec(), false).await;
    assert_eq!(status, 422);
    let AppError::InvalidRows { rows } = serde_json::from_value::<AppError>(body).unwrap() else { panic!() };
    let got: Vec<(usize, &str)> = rows.iter().map(|r| (r.row, r.field.as_str())).collect();
    assert_eq!(got, vec![(3, "department"), (4, "name"), (4, "phone")]);
    assert_eq!(app.count("SELECT COUNT(*) FROM staff").await, before, "nothing imported");

    let good = "工号,姓名,部门,手机\nN001,甲,CS,13800000001\nN002,乙,历史学院,\nT1001,张伟,PHYS,\n";
    let (status, body) = import(&app, &admin, good.as_bytes().to_vec(), true).await;
    assert_eq!(status, 200);
    let dry: ImportOutcome = serde_json::from_value(body).unwrap();
    assert_eq!((dry.created, dry.updated, dry.initial_passwords.len()), (2, 1, 0));
    assert_eq!(app.count("SELECT COUNT(*) FROM staff").await, before, "a dry run writes nothing");

    let (status, body) = import(&app, &admin, good.as_bytes().to_vec(), false).await;
    assert_eq!(status, 200);
    let done: ImportOutcome = serde_json::from_value(body).unwrap();
    assert_eq!((done.created, done.updated), (2, 1));
    assert_eq!(done.initial_passwords.len(), 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM staff").await, before + 2);
    // Initial passwords differ and work once, until changed.
    assert_ne!(done.initial_passwords[0].2, done.initial_passwords[1].2);
    let c = TestApp::browser();
    let me = app.sign_in_staff(&c, "N001", &done.initial_passwords[0].2).await;
    assert!(me.must_change_password);
    // T1001 moved department; the audit trail shows it with the phone masked.
    let page: StaffPage = app.call(&admin, "list_staff", &[("query", "N001"), ("department_id", ""), ("offset", "0")]).await.unwrap();
    assert_eq!(page.rows[0].phone.as_deref(), Some("138****0001"));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE record_kind = 'staff' AND changes LIKE '%13800000001%'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE record_kind = 'staff' AND changes LIKE '%csv_import%'").await, 3);
}

#[tokio::test]
async fn a_gbk_file_from_excel_imports() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let (bytes, _, _) = encoding_rs::GBK.encode("工号,姓名,部门\nG100,欧阳娜娜,物理学院\n");
    let (status, body) = import(&app, &admin, bytes.into_owned(), false).await;
    assert_eq!(status, 200, "{body}");
    let page: StaffPage = app.call(&admin, "list_staff", &[("query", "G100"), ("department_id", ""), ("offset", "0")]).await.unwrap();
    assert_eq!(page.rows[0].name, "欧阳娜娜");
    assert_eq!(page.rows[0].department, "物理学院");
}

#[tokio::test]
async fn gates_and_departments_are_kept_with_an_audit_trail() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let id: String = app.call(&admin, "save_campus", &[("name", "南校区"), ("name_en", "South Campus")]).await.unwrap();
    let gate: String = app
        .call(
            &admin,
            "save_gate",
            &[("campus_id", &id), ("name", "南一门"), ("name_en", ""), ("kind", "Vehicle"), ("direction", "Entry"), ("active", "true")],
        )
        .await
        .unwrap();
    let campuses: Vec<CampusView> = app.call(&admin, "list_campuses", &[]).await.unwrap();
    let c = campuses.iter().find(|c| c.id == id).unwrap();
    assert_eq!(c.gates.len(), 1);
    assert_eq!(c.gates[0].id, gate);
    assert_eq!(c.gates[0].direction, app::directory::GateDirection::Entry);
    // Bad input: a clear error, nothing changed.
    let err = app.call::<String>(&admin, "save_campus", &[("name", "  "), ("name_en", "")]).await.unwrap_err();
    assert_eq!(err, (422, AppError::invalid("name", app::i18n::Msg::ErrRequired)));
    let err = app.call::<String>(&admin, "save_campus", &[("name", "南校区"), ("name_en", "")]).await.unwrap_err();
    assert_eq!(err, (409, AppError::Conflict { msg: app::i18n::Msg::ErrDuplicate }));
    let err = app
        .call::<String>(
            &admin,
            "save_gate",
            &[("campus_id", "nope"), ("name", "x"), ("name_en", ""), ("kind", "Vehicle"), ("direction", "Entry"), ("active", "true")],
        )
        .await
        .unwrap_err();
    assert_eq!(err.1.msg(), app::i18n::Msg::ErrUnknownCampus);
    let d: String = app.call(&admin, "save_department", &[("code", "med"), ("name", "医学院"), ("name_en", "Medicine")]).await.unwrap();
    let depts: Vec<DepartmentView> = app.call(&admin, "list_departments", &[]).await.unwrap();
    assert!(depts.iter().any(|x| x.id == d && x.code == "MED"));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND record_kind IN ('campus', 'gate', 'department')").await, 3);
}

#[tokio::test]
async fn times_are_shown_in_campus_time_whatever_the_server_zone() {
    // The server process runs in UTC here; at 17:30 UTC it is already
    // tomorrow on a Shanghai campus.
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 25, 17, 30, 0).unwrap());
    assert_eq!(app.state.clock.today().to_string(), "2026-11-26");
    let admin = app.staff("S0001").await;
    let audit: Vec<app::office::AuditView> =
        app.call(&admin, "list_audit", &[("actor", ""), ("action", ""), ("record", ""), ("from", ""), ("to", ""), ("offset", "0")]).await.unwrap();
    assert_eq!(audit[0].action, "sign_in");
    assert_eq!(audit[0].at, "2026-11-26 01:30");
}

#[tokio::test]
async fn namesakes_in_different_departments_are_told_apart() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let page: StaffPage = app.call(&admin, "list_staff", &[("query", "张伟"), ("department_id", ""), ("offset", "0")]).await.unwrap();
    let mut seen: Vec<(String, String)> = page.rows.iter().map(|s| (s.staff_no.clone(), s.department.clone())).collect();
    seen.sort();
    assert_eq!(seen, vec![("T1001".into(), "计算机学院".into()), ("T2001".into(), "历史学院".into())]);
}
