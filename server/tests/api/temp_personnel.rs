//! Temporary personnel (seed 003), end to end: a department's admin
//! requests a temporary staff number, the department leader approves, the
//! person adds a face photo the office reviews and applies to return to
//! campus, the leader approves, the gate lets them in; then renewal,
//! transfer (both leaders while valid, the receiver alone after expiry),
//! deletion, expiry, another department's admin, and concurrent approvals.

use crate::applications::{Ctx, ctx, id_number};
use crate::passes::{device, device_check, pass_row, south_gate};
use app::domain::gate::Reason;
use app::domain::lifecycle::Status;
use app::domain::temp_personnel::{FaceStatus, RequestKind, Standing, StepState};
use app::error::AppError;
use app::i18n::Msg;
use app::passes::Verdict;
use app::temp_personnel::{FaceToReview, MyTempSteps, TempPersonRow, TempRequestRow};
use serde_json::{Value, json};

/// A tiny JPEG as a data URL (the server checks the type by its first bytes).
const PHOTO: &str = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA==";

async fn dept(c: &Ctx, code: &str) -> String {
    c.app.one_text(&format!("SELECT id FROM departments WHERE code = '{code}'")).await
}

fn first_input(name: &str, phone: &str, seq: u32, department: &str, leave: &str, commitment: bool) -> Value {
    json!({"input": {"category": "external_teacher", "name": name, "phone": phone, "doc_type": "ResidentId", "doc_number": id_number(seq),
        "department_id": department, "start_date": "2026-11-25", "leave_date": leave, "commitment": commitment}})
}

async fn request_number(c: &Ctx, admin: &reqwest::Client, name: &str, phone: &str, seq: u32, department: &str) -> Result<String, (u16, AppError)> {
    c.app.call_json(admin, "request_temp_number", first_input(name, phone, seq, department, "2027-05-31", true)).await
}

async fn decide(c: &Ctx, who: &reqwest::Client, id: &str, approve: bool) -> Result<(), (u16, AppError)> {
    c.app.call_json(who, "decide_temp_request", json!({"id": id, "approve": approve, "reason": "材料不全"})).await
}

async fn maintain(c: &Ctx, admin: &reqwest::Client, temp_no: &str, kind: RequestKind, new_leave: &str, to: &str) -> Result<String, (u16, AppError)> {
    c.app
        .call_json(
            admin,
            "request_temp_maintenance",
            json!({"input": {"temp_no": temp_no, "kind": kind, "new_leave_date": new_leave, "to_department_id": to, "commitment": true}}),
        )
        .await
}

async fn number_of(c: &Ctx, phone: &str) -> String {
    c.app.one_text(&format!("SELECT temp_no FROM temp_people WHERE phone = '{phone}'")).await
}

async fn steps(c: &Ctx, person: &reqwest::Client) -> MyTempSteps {
    c.app.call_json(person, "my_temp_status", json!({})).await.unwrap()
}

fn return_form(c: &Ctx, start: &str, end: &str) -> Value {
    json!({"form": {"kind": "TempPersonnel", "host_staff_id": "", "campus_id": c.setup.campuses[0].id, "reason_id": "",
        "start_date": start, "end_date": end, "entrants": [], "plate": "", "note": "返校上课", "household": null, "more_periods": [],
        "doc_consent": false}, "idempotency_key": uuid::Uuid::new_v4().to_string(), "invitation": null})
}

async fn scan(c: &Ctx, pid: &str) -> Verdict {
    let row = pass_row(c, pid).await;
    let token = app::passes::ssr::sign(&c.app.state, &app::passes::ssr::claims_for(&row, c.app.state.clock.now_ms())).unwrap();
    let guard = c.app.staff("G0001").await;
    let gate = south_gate(c).await;
    c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": token}})).await.unwrap()
}

/// A person of 计算机学院 (CS) with a number, an accepted photo and an
/// approved return-to-campus application: (their phone's client, their
/// number, the pass id).
async fn on_campus(c: &Ctx, phone: &str, seq: u32) -> (reqwest::Client, String, String) {
    let cs = dept(c, "CS").await;
    let admin = c.app.staff("K0001").await;
    let leader = c.app.staff("A1001").await;
    let id = request_number(c, &admin, "林老师", phone, seq, &cs).await.unwrap();
    decide(c, &leader, &id, true).await.unwrap();
    let person = c.app.phone_user(phone).await;
    c.app.call_json::<()>(&person, "set_temp_face", json!({"photo": PHOTO, "consent": true})).await.unwrap();
    let no = number_of(c, phone).await;
    let office = c.app.staff("S0001").await;
    c.app.call_json::<()>(&office, "review_temp_face", json!({"temp_no": no, "accept": true, "reason": ""})).await.unwrap();
    let app_id: String = c.app.call_json(&person, "submit_application", return_form(c, "2026-11-25", "2027-05-31")).await.unwrap();
    c.act(&leader, &app_id, "Approve", "", Value::Null).await.unwrap();
    assert_eq!(c.status(&app_id).await, Status::Approved);
    let pid = c.app.one_text(&format!("SELECT id FROM passes WHERE application_id = '{app_id}'")).await;
    (person, no, pid)
}

#[tokio::test]
async fn a_temporary_person_goes_from_a_request_to_the_gate() {
    let c = ctx().await;
    let cs = dept(&c, "CS").await;
    let admin = c.app.staff("K0001").await;
    // The admin's commitment is required, and nothing is stored without it.
    let e = c
        .app
        .call_json::<String>(&admin, "request_temp_number", first_input("林老师", "13500135001", 301, &cs, "2027-05-31", false))
        .await
        .unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrTempCommitment, .. }), "{e:?}");
    // Bad input: a clear error, nothing stored.
    let e =
        c.app.call_json::<String>(&admin, "request_temp_number", first_input("林老师", "1350013", 301, &cs, "2027-05-31", true)).await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrPhoneInvalid, .. }), "{e:?}");
    let e = c
        .app
        .call_json::<String>(&admin, "request_temp_number", first_input("林老师", "13500135001", 301, &cs, "2026-11-01", true))
        .await
        .unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrEndBeforeStart, .. }), "{e:?}");
    assert_eq!(c.app.count("SELECT COUNT(*) FROM temp_requests").await, 0);
    let id = request_number(&c, &admin, "林老师", "13500135001", 301, &cs).await.unwrap();
    // The commitment is stored with who and when.
    let committed =
        c.app.count(&format!("SELECT COUNT(*) FROM temp_requests WHERE id = '{id}' AND committed_at > 0 AND filed_by_label LIKE '%K0001%'")).await;
    assert_eq!(committed, 1);
    // The department's leader is told.
    let told = c
        .app
        .count("SELECT COUNT(*) FROM sms_outbox o JOIN staff s ON s.phone = o.phone WHERE o.purpose = 'temp_request' AND s.staff_no = 'A1001'")
        .await;
    assert_eq!(told, 1);
    // The same person again while the first request is open: refused.
    let e = request_number(&c, &admin, "林老师", "13500135001", 301, &cs).await.unwrap_err();
    assert!(matches!(e.1, AppError::Conflict { msg: Msg::ErrTempOpenRequest }), "{e:?}");
    // Another department's leader cannot act on it.
    let history = c.app.staff("A2001").await;
    assert_eq!(decide(&c, &history, &id, true).await.unwrap_err().0, 404);
    let leader = c.app.staff("A1001").await;
    let open: Vec<TempRequestRow> = c.app.call_json(&leader, "temp_requests", json!({"open": true})).await.unwrap();
    assert!(open.iter().any(|r| r.id == id && r.can_decide && r.kind == RequestKind::FirstNumber));
    decide(&c, &leader, &id, true).await.unwrap();
    assert_eq!(decide(&c, &leader, &id, true).await.unwrap_err().0, 409, "decided once");
    let no = number_of(&c, "13500135001").await;
    // The demo's person holds the first number; this is the next one.
    assert_eq!(no, "LS202600002");
    let sms =
        c.app.count("SELECT COUNT(*) FROM sms_outbox WHERE purpose = 'temp_number' AND phone = '13500135001' AND body LIKE '%LS202600002%'").await;
    assert_eq!(sms, 1, "the person is told their number and what to do next");

    // The person, signed in with the mobile on record.
    let person = c.app.phone_user("13500135001").await;
    let s = steps(&c, &person).await;
    assert_eq!((s.temp_no.as_str(), s.face, s.return_step, s.standing), ("LS202600002", FaceStatus::Missing, StepState::ToDo, Standing::Valid));
    let e = c.app.call_json::<String>(&person, "submit_application", return_form(&c, "2026-11-25", "2027-05-31")).await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrTempFaceFirst, .. }), "{e:?}");
    let e = c.app.call_json::<()>(&person, "set_temp_face", json!({"photo": PHOTO, "consent": false})).await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrPhotoConsent, .. }), "{e:?}");
    c.app.call_json::<()>(&person, "set_temp_face", json!({"photo": PHOTO, "consent": true})).await.unwrap();
    assert_eq!(steps(&c, &person).await.face, FaceStatus::Pending);
    // A department leader does not review photos unless so configured.
    assert!(c.app.call_json::<Vec<FaceToReview>>(&leader, "temp_faces", json!({})).await.unwrap().is_empty());
    let office = c.app.staff("S0001").await;
    let faces: Vec<FaceToReview> = c.app.call_json(&office, "temp_faces", json!({})).await.unwrap();
    assert_eq!(faces.len(), 1);
    assert!(faces[0].photo.starts_with("data:image/jpeg;base64,/9j/"));
    // Refused with a reason, taken again, accepted.
    let e = c.app.call_json::<()>(&office, "review_temp_face", json!({"temp_no": no, "accept": false, "reason": ""})).await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrReasonNeeded, .. }), "{e:?}");
    c.app.call_json::<()>(&office, "review_temp_face", json!({"temp_no": no, "accept": false, "reason": "照片模糊"})).await.unwrap();
    let s = steps(&c, &person).await;
    assert_eq!((s.face, s.face_reason.as_str()), (FaceStatus::Refused, "照片模糊"));
    c.app.call_json::<()>(&person, "set_temp_face", json!({"photo": PHOTO, "consent": true})).await.unwrap();
    c.app.call_json::<()>(&office, "review_temp_face", json!({"temp_no": no, "accept": true, "reason": ""})).await.unwrap();
    assert_eq!(steps(&c, &person).await.face, FaceStatus::Accepted);

    // The return-to-campus application: never past the leave date.
    let e = c.app.call_json::<String>(&person, "submit_application", return_form(&c, "2026-11-25", "2027-06-01")).await.unwrap_err();
    assert!(matches!(&e.1, AppError::Rule { msg: Msg::ErrTempAfterLeave, arg, .. } if arg == "2027-05-31"), "{e:?}");
    let app_id: String = c.app.call_json(&person, "submit_application", return_form(&c, "2026-11-25", "2027-05-31")).await.unwrap();
    assert_eq!(steps(&c, &person).await.return_step, StepState::InProgress);
    assert!(c.act(&history, &app_id, "Approve", "", Value::Null).await.is_err(), "another department's leader cannot approve it");
    c.act(&leader, &app_id, "Approve", "", Value::Null).await.unwrap();
    assert_eq!(c.status(&app_id).await, Status::Approved);
    assert_eq!(steps(&c, &person).await.return_step, StepState::Done);

    // At the gate: online, with category, department, number and the
    // document on record; in the offline roster; at a device.
    let pid = c.app.one_text(&format!("SELECT id FROM passes WHERE application_id = '{app_id}'")).await;
    let v = scan(&c, &pid).await;
    assert!(v.allow, "{v:?}");
    let shown = v.pass.unwrap();
    assert_eq!(shown.note, "外聘教师 · 计算机学院 · LS202600002");
    assert_eq!(shown.check_document, Msg::DocResidentId);
    assert!(shown.has_photo, "the accepted photo goes with the pass");
    let guard = c.app.staff("G0001").await;
    let gate = south_gate(&c).await;
    let roster: app::domain::roster::Roster = c.app.call_json(&guard, "guard_roster", json!({"gate_id": gate, "since": null})).await.unwrap();
    assert!(roster.passes.iter().any(|p| p.pid == pid && p.note == "外聘教师 · 计算机学院 · LS202600002"));
    let key = device(&c, &gate).await;
    let row = pass_row(&c, &pid).await;
    let token = app::passes::ssr::sign(&c.app.state, &app::passes::ssr::claims_for(&row, c.app.state.clock.now_ms())).unwrap();
    let (status, body) = device_check(&c, &key, json!({"qr": token, "direction": "in", "record": false})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["allow"], true);
    assert_eq!(body["pass"]["note"], "外聘教师 · 计算机学院 · LS202600002");

    // The department's list.
    let list: Vec<TempPersonRow> =
        c.app.call_json(&admin, "temp_people", json!({"filter": {"query": "", "category": "", "standing": "", "department_id": ""}})).await.unwrap();
    assert_eq!(list.len(), 1, "only 计算机学院's people: {list:?}");
    assert_eq!((list[0].temp_no.as_str(), list[0].standing, list[0].phone.as_str()), ("LS202600002", Standing::Valid, "135****5001"));
    let all: Vec<TempPersonRow> =
        c.app.call_json(&office, "temp_people", json!({"filter": {"query": "", "category": "", "standing": "", "department_id": ""}})).await.unwrap();
    assert_eq!(all.len(), 2, "the office sees every department's (the demo's 刘建 too)");
}

#[tokio::test]
async fn renewal_moves_the_leave_date_and_the_running_pass() {
    let c = ctx().await;
    let (_, no, pid) = on_campus(&c, "13500135002", 302).await;
    let admin = c.app.staff("K0001").await;
    let e = maintain(&c, &admin, &no, RequestKind::Renewal, "2027-05-31", "").await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrNoChanges, .. }), "{e:?}");
    let id = maintain(&c, &admin, &no, RequestKind::Renewal, "2027-08-31", "").await.unwrap();
    let before = pass_row(&c, &pid).await.valid_until;
    decide(&c, &c.app.staff("A1001").await, &id, true).await.unwrap();
    let after = pass_row(&c, &pid).await.valid_until;
    assert!(after > before);
    assert_eq!(c.app.one_text(&format!("SELECT leave_date FROM temp_people WHERE temp_no = '{no}'")).await, "2027-08-31");
    assert_eq!(after, c.app.state.clock.end_of_day(chrono::NaiveDate::from_ymd_opt(2027, 8, 31).unwrap()));
}

#[tokio::test]
async fn a_transfer_while_valid_needs_both_leaders() {
    let c = ctx().await;
    let (_, no, pid) = on_campus(&c, "13500135003", 303).await;
    let (cs, hist) = (dept(&c, "CS").await, dept(&c, "HIST").await);
    let admin = c.app.staff("K0001").await;
    let e = maintain(&c, &admin, &no, RequestKind::Transfer, "", &cs).await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrTempSameDepartment, .. }), "{e:?}");
    let id = maintain(&c, &admin, &no, RequestKind::Transfer, "", &hist).await.unwrap();
    // A third department's leader can do nothing.
    assert_eq!(decide(&c, &c.app.staff("A3001").await, &id, true).await.unwrap_err().0, 404);
    // The leaving leader alone is not enough.
    let cs_leader = c.app.staff("A1001").await;
    decide(&c, &cs_leader, &id, true).await.unwrap();
    assert_eq!(c.app.one_text(&format!("SELECT department_id FROM temp_people WHERE temp_no = '{no}'")).await, cs);
    assert_eq!(decide(&c, &cs_leader, &id, true).await.unwrap_err().0, 409, "one department approves once");
    let hist_leader = c.app.staff("A2001").await;
    let mine: Vec<TempRequestRow> = c.app.call_json(&hist_leader, "temp_requests", json!({"open": true})).await.unwrap();
    assert!(mine.iter().any(|r| r.id == id && r.can_decide && r.approved == vec!["计算机学院".to_string()]), "{mine:?}");
    decide(&c, &hist_leader, &id, true).await.unwrap();
    assert_eq!(c.app.one_text(&format!("SELECT department_id FROM temp_people WHERE temp_no = '{no}'")).await, hist);
    assert_eq!(scan(&c, &pid).await.pass.unwrap().note, format!("外聘教师 · 历史学院 · {no}"), "the guard reads the new department");
}

#[tokio::test]
async fn a_transfer_either_leader_alone_cannot_finish_and_the_receiver_alone_cannot_either() {
    let c = ctx().await;
    let (_, no, _) = on_campus(&c, "13500135004", 304).await;
    let hist = dept(&c, "HIST").await;
    let id = maintain(&c, &c.app.staff("K0001").await, &no, RequestKind::Transfer, "", &hist).await.unwrap();
    decide(&c, &c.app.staff("A2001").await, &id, true).await.unwrap();
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM temp_requests WHERE id = '{id}' AND status = 'pending'")).await, 1);
    // A refusal by the other leader ends it; nothing moves.
    decide(&c, &c.app.staff("A1001").await, &id, false).await.unwrap();
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM temp_requests WHERE id = '{id}' AND status = 'rejected'")).await, 1);
    assert_ne!(c.app.one_text(&format!("SELECT department_id FROM temp_people WHERE temp_no = '{no}'")).await, hist);
}

#[tokio::test]
async fn after_expiry_a_transfer_needs_only_the_receiver_and_the_gate_refuses() {
    let c = ctx().await;
    let (_, no, pid) = on_campus(&c, "13500135005", 305).await;
    // Past the leave date: expired, automatically.
    c.app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 6, 2, 1, 0, 0).unwrap());
    let person = c.app.phone_user("13500135005").await;
    assert_eq!(steps(&c, &person).await.standing, Standing::Expired);
    assert_eq!(scan(&c, &pid).await.reason, Reason::Expired);
    let e = c.app.call_json::<String>(&person, "submit_application", return_form(&c, "2027-06-02", "2027-06-03")).await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrTempNotValid, .. }), "{e:?}");
    let admin = c.app.staff("K0001").await;
    let list: Vec<TempPersonRow> = c
        .app
        .call_json(&admin, "temp_people", json!({"filter": {"query": "", "category": "", "standing": "expired", "department_id": ""}}))
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    let log = dept(&c, "LOG").await;
    let id = maintain(&c, &admin, &no, RequestKind::Transfer, "", &log).await.unwrap();
    let row: Vec<TempRequestRow> = c.app.call_json(&admin, "temp_requests", json!({"open": true})).await.unwrap();
    assert_eq!(row.iter().find(|r| r.id == id).unwrap().needed, vec!["后勤保障部".to_string()]);
    assert_eq!(decide(&c, &c.app.staff("A1001").await, &id, true).await.unwrap_err().0, 404, "the leaving leader has no say now");
    decide(&c, &c.app.staff("A4001").await, &id, true).await.unwrap();
    let theirs: Vec<TempPersonRow> = c
        .app
        .call_json(&c.app.staff("K4001").await, "temp_people", json!({"filter": {"query": no, "category": "", "standing": "", "department_id": ""}}))
        .await
        .unwrap();
    assert_eq!((theirs.len(), theirs[0].standing), (1, Standing::Expired));
}

#[tokio::test]
async fn delete_closes_access_at_once_and_keeps_the_record() {
    let c = ctx().await;
    let (person, no, pid) = on_campus(&c, "13500135006", 306).await;
    let guard = c.app.staff("G0001").await;
    let gate = south_gate(&c).await;
    let roster: app::domain::roster::Roster = c.app.call_json(&guard, "guard_roster", json!({"gate_id": gate, "since": null})).await.unwrap();
    let id = maintain(&c, &c.app.staff("K0001").await, &no, RequestKind::Delete, "", "").await.unwrap();
    assert!(scan(&c, &pid).await.allow, "still valid until the leader approves");
    c.app.clock.advance(chrono::Duration::seconds(5));
    decide(&c, &c.app.staff("A1001").await, &id, true).await.unwrap();
    assert_eq!(scan(&c, &pid).await.reason, Reason::Cancelled);
    // Offline: the next roster delta withdraws the pass.
    let delta: app::domain::roster::Roster =
        c.app.call_json(&guard, "guard_roster", json!({"gate_id": gate, "since": roster.generated_at})).await.unwrap();
    assert!(delta.cancelled.contains(&pid), "{:?}", delta.cancelled);
    assert_eq!(steps(&c, &person).await.standing, Standing::Deleted);
    assert_eq!(c.app.count(&format!("SELECT COUNT(*) FROM temp_people WHERE temp_no = '{no}' AND deleted_at IS NOT NULL")).await, 1);
    let e = maintain(&c, &c.app.staff("K0001").await, &no, RequestKind::Delete, "", "").await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrTempNotValid, .. }), "{e:?}");
}

#[tokio::test]
async fn another_departments_admin_sees_and_does_nothing_of_this_ones() {
    let c = ctx().await;
    let (_, no, _) = on_campus(&c, "13500135007", 307).await;
    let cs = dept(&c, "CS").await;
    let other = c.app.staff("K4001").await;
    let e = request_number(&c, &other, "冒名", "13500135099", 399, &cs).await.unwrap_err();
    assert_eq!(e.0, 403, "{e:?}");
    let e = maintain(&c, &other, &no, RequestKind::Delete, "", "").await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrTempNoNumber, .. }), "as if unknown: {e:?}");
    let list: Vec<TempPersonRow> =
        c.app.call_json(&other, "temp_people", json!({"filter": {"query": "", "category": "", "standing": "", "department_id": cs}})).await.unwrap();
    assert!(list.is_empty());
    let list: Vec<TempPersonRow> =
        c.app.call_json(&other, "temp_people", json!({"filter": {"query": no, "category": "", "standing": "", "department_id": ""}})).await.unwrap();
    assert!(list.is_empty());
    let requests: Vec<TempRequestRow> = c.app.call_json(&other, "temp_requests", json!({"open": false})).await.unwrap();
    assert!(requests.iter().all(|r| r.department != "计算机学院"), "{requests:?}");
    // Nobody but staff with the grant files; a visitor's session cannot.
    let visitor = c.app.phone_user("13800138111").await;
    assert_eq!(request_number(&c, &visitor, "x", "13500135098", 398, &cs).await.unwrap_err().0, 403);
    // The person's own page is theirs only: a stranger is "not on record".
    let e = c.app.call_json::<MyTempSteps>(&visitor, "my_temp_status", json!({})).await.unwrap_err();
    assert!(matches!(e.1, AppError::Invalid { msg: Msg::ErrTempNotOnRecord, .. }), "{e:?}");
}

#[tokio::test]
async fn numbers_stay_unique_under_twenty_concurrent_approvals() {
    let c = ctx().await;
    let cs = dept(&c, "CS").await;
    let admin = c.app.staff("K0001").await;
    let mut ids = Vec::new();
    for i in 0..20u32 {
        ids.push(request_number(&c, &admin, &format!("临时{i}"), &format!("135002{i:05}"), 400 + i, &cs).await.unwrap());
    }
    let leaders: Vec<reqwest::Client> = futures::future::join_all((0..4).map(|_| c.app.staff("A1001"))).await;
    let results = futures::future::join_all(ids.iter().enumerate().map(|(i, id)| decide(&c, &leaders[i % 4], id, true))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(c.app.count("SELECT COUNT(DISTINCT temp_no) FROM temp_people").await, 21);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM temp_people").await, 21);
    assert_eq!(c.app.count("SELECT next FROM temp_number_counter").await, 22, "the counter never goes back");
}

#[tokio::test]
async fn the_number_format_and_who_reviews_photos_are_configured() {
    let app = crate::support::TestApp::spawn_with(|c| {
        c.temp_personnel.number_format = "T{seq:6}".into();
        c.temp_personnel.face_review = "department".into();
    })
    .await;
    app.seed_demo().await;
    let v = app.phone_user("13600000000").await;
    let setup = app.call_json(&v, "application_form_setup", json!({"kind": "Visitor", "invitation": null})).await.unwrap();
    let c = Ctx { app, setup, host_id: String::new() };
    let cs = dept(&c, "CS").await;
    let id = request_number(&c, &c.app.staff("K0001").await, "林老师", "13500135008", 308, &cs).await.unwrap();
    let leader = c.app.staff("A1001").await;
    decide(&c, &leader, &id, true).await.unwrap();
    let no = number_of(&c, "13500135008").await;
    assert_eq!(no, "T000002");
    let person = c.app.phone_user("13500135008").await;
    c.app.call_json::<()>(&person, "set_temp_face", json!({"photo": PHOTO, "consent": true})).await.unwrap();
    // The department's leaders review their own people's photos; another
    // department's see none of them and cannot decide.
    let other = c.app.staff("A2001").await;
    assert!(c.app.call_json::<Vec<FaceToReview>>(&other, "temp_faces", json!({})).await.unwrap().is_empty());
    let e = c.app.call_json::<()>(&other, "review_temp_face", json!({"temp_no": no, "accept": true, "reason": ""})).await.unwrap_err();
    assert_eq!(e.0, 404);
    assert_eq!(c.app.call_json::<Vec<FaceToReview>>(&leader, "temp_faces", json!({})).await.unwrap().len(), 1);
    c.app.call_json::<()>(&leader, "review_temp_face", json!({"temp_no": no, "accept": true, "reason": ""})).await.unwrap();
    assert_eq!(steps(&c, &person).await.face, FaceStatus::Accepted);
    // The alternative: no photo, the document at the gate.
    let id = request_number(&c, &c.app.staff("K0001").await, "王老师", "13500135009", 309, &cs).await.unwrap();
    decide(&c, &leader, &id, true).await.unwrap();
    let other_person = c.app.phone_user("13500135009").await;
    c.app.call_json::<()>(&other_person, "set_temp_face", json!({"photo": null, "consent": false})).await.unwrap();
    let s = steps(&c, &other_person).await;
    assert_eq!((s.face, s.return_step), (FaceStatus::Declined, StepState::ToDo));
    let app_id: String = c.app.call_json(&other_person, "submit_application", return_form(&c, "2026-11-25", "2027-05-31")).await.unwrap();
    c.act(&leader, &app_id, "Approve", "", Value::Null).await.unwrap();
    let pid = c.app.one_text(&format!("SELECT id FROM passes WHERE application_id = '{app_id}'")).await;
    let shown = scan(&c, &pid).await.pass.unwrap();
    assert!(!shown.has_photo);
    assert_eq!(shown.check_document, Msg::DocResidentId, "the guard checks the document on record");
}
