//! The people who are not visitors, end to end on the one approval engine:
//! residents' day passes (seed 004 附件3), staff work passes with the
//! approver choosing the next step and its handler (附件4), contractors
//! filed by their department (seed 000 §二), and policies that drive them.

use crate::applications::{Ctx, ctx, id_number};
use crate::passes::{south_gate, visit_day};
use app::applications::{ApplicationDetail, ApplicationRow, FormSetup, Handler};
use app::domain::gate::Reason;
use app::domain::lifecycle::Status;
use app::error::AppError;
use app::i18n::Msg;
use app::passes::Verdict;
use serde_json::{Value, json};

/// A household on the main campus: 松林坡 1栋 101 (or the `door` given),
/// its householder 吴建国 on `phones[0]` and members on the others, each
/// with a resident ID on record.
async fn household(c: &Ctx, door: &str, phones: &[&str], paper_pass: bool) -> String {
    let st = &c.app.state;
    let id = app::platform::db::new_id();
    let campus = &c.setup.campuses[0].id;
    sqlx::query(
        "INSERT INTO households (id, campus_id, address, community, building, door, paper_pass, created_at, updated_at)
         VALUES ($1, $2, $3, '松林坡', '1栋', $4, $5, 0, 0)",
    )
    .bind(&id)
    .bind(campus)
    .bind(format!("松林坡 1栋 {door}"))
    .bind(door)
    .bind(paper_pass as i64)
    .execute(&st.db.write)
    .await
    .unwrap();
    for (i, phone) in phones.iter().enumerate() {
        let number = id_number(500 + i as u32 + door.parse::<u32>().unwrap_or(0));
        let doc = app::domain::document::DocumentNumber::parse(app::domain::document::DocType::ResidentId, &number, st.clock.today()).unwrap();
        sqlx::query(
            "INSERT INTO residents (id, household_id, name, phone, created_at, householder, doc_type, doc_sealed, doc_mac, doc_masked)
             VALUES ($1, $2, $3, $4, 0, $5, 'resident_id', $6, $7, $8)",
        )
        .bind(app::platform::db::new_id())
        .bind(&id)
        .bind(if i == 0 { "吴建国".to_owned() } else { format!("吴{i}") })
        .bind(*phone)
        .bind((i == 0) as i64)
        .bind(st.keys.seal_pii(doc.as_str()))
        .bind(st.keys.pii_mac(&doc.claim_text()))
        .bind(doc.masked())
        .execute(&st.db.write)
        .await
        .unwrap();
    }
    id
}

fn resident_form(c: &Ctx, door: &str, householder: &str, date: &str) -> Value {
    json!({
        "kind": "ResidentDay", "host_staff_id": "", "campus_id": c.setup.campuses[0].id, "reason_id": "",
        "start_date": date, "end_date": date, "entrants": [], "plate": "", "note": "上班",
        "household": {"householder": householder, "community": "松林坡", "building": "1栋", "door": door},
    })
}

async fn scan(c: &Ctx, gate: &str, token: &str) -> Verdict {
    let guard = c.app.staff("G0001").await;
    c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": token}})).await.unwrap()
}

/// The signed token of the only pass of application `id`.
async fn token_for(c: &Ctx, id: &str) -> String {
    let (pid,): (String,) = sqlx::query_as("SELECT id FROM passes WHERE application_id = $1").bind(id).fetch_one(&c.app.state.db.read).await.unwrap();
    let row = crate::passes::pass_row(c, &pid).await;
    app::passes::ssr::sign(&c.app.state, &app::passes::ssr::claims_for(&row, c.app.state.clock.now_ms())).unwrap()
}

/// The invitation texted to `phone`.
async fn invitation_sms(c: &Ctx, phone: &str) -> String {
    let (body,): (String,) = sqlx::query_as("SELECT body FROM sms_outbox WHERE purpose = 'invitation' AND phone = $1")
        .bind(phone)
        .fetch_one(&c.app.state.db.read)
        .await
        .unwrap();
    body
}

fn day(d: u32) -> chrono::DateTime<chrono::Utc> {
    // 09:00 campus time (01:00 UTC) on 2026-11-d.
    chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, d, 1, 0, 0).unwrap()
}

#[tokio::test]
async fn a_resident_gets_a_single_use_day_pass_valid_only_on_its_date() {
    let c = ctx().await;
    household(&c, "101", &["13900000001", "13900000002"], false).await;
    let member = c.app.phone_user("13900000002").await;
    let setup: FormSetup = c.app.call_json(&member, "application_form_setup", json!({"kind": "ResidentDay", "invitation": null})).await.unwrap();
    let r = setup.resident.expect("the member's household");
    assert_eq!((r.own.community.as_str(), r.own.building.as_str(), r.own.door.as_str()), ("松林坡", "1栋", "101"));
    assert!(r.doors.iter().any(|d| d.door == "101"));
    assert!(r.document.contains('*'), "the document is masked");
    let id = c.submit(&member, resident_form(&c, "101", "吴建国", "2026-11-26")).await.unwrap();
    // No review in the default policy: issued at once, for the member alone.
    assert_eq!(c.status(&id).await, Status::Approved);
    let (single, check, holder): (i64, String, String) =
        sqlx::query_as("SELECT single_use, check_document, holder FROM passes WHERE application_id = $1")
            .bind(&id)
            .fetch_one(&c.app.state.db.read)
            .await
            .unwrap();
    assert_eq!((single, check.as_str(), holder.as_str()), (1, "residence_proof", "吴1"));
    assert_eq!(c.app.count_eventually("SELECT COUNT(*) FROM sms_outbox WHERE purpose = 'approved_entrant' AND phone = '13900000002'", 1).await, 1);
    // "My applications" lists it with its pass.
    let mine: Vec<ApplicationRow> = c.app.call_json(&member, "my_applications", json!({})).await.unwrap();
    assert_eq!(mine.len(), 1);
    let d = c.detail(&member, &id).await.unwrap();
    assert_eq!(d.passes.len(), 1);
    let gate = south_gate(&c).await;
    let token = token_for(&c, &id).await;
    // Not before its date, once on it, never again, not the day after.
    assert_eq!(scan(&c, &gate, &token).await.reason, Reason::NotYetValid);
    c.app.clock.set(day(26));
    // The offline roster carries it: single use, and what to check.
    let guard = c.app.staff("G0001").await;
    let roster: app::domain::roster::Roster = c.app.call_json(&guard, "guard_roster", json!({"gate_id": gate, "since": null})).await.unwrap();
    let listed = roster
        .passes
        .iter()
        .find(|p| app::domain::roster::kind_from_wire(&p.kind) == Some(app::domain::policy::PassKind::ResidentDay))
        .expect("in the roster");
    assert!(listed.single_use && listed.check_document == "residence_proof", "{listed:?}");
    let mut local = app::domain::roster::LocalRoster::default();
    local.merge(roster, c.app.state.clock.now_ms());
    let direction = app::domain::gate::Direction::In;
    assert_eq!(local.verdict_for_qr(&gate, direction, &token, c.app.state.clock.now_ms()).0, Reason::Ok);
    // A turnstile asks the device API without spending it ...
    let admin = c.app.staff("S0001").await;
    let key: String = c.app.call(&admin, "register_device", &[("gate_id", &gate), ("name", "闸机")]).await.unwrap();
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/api/gate/v1/check", c.app.base))
        .bearer_auth(&key)
        .json(&json!({"direction": "in", "qr": token, "record": false}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["allow"], true, "{answer}");
    // ... and the guard's scan spends it.
    let v = scan(&c, &gate, &token).await;
    assert!(v.allow, "{v:?}");
    assert_eq!(v.pass.unwrap().check_document, Msg::CheckResidenceProof, "the guard is told what to check");
    assert_eq!(scan(&c, &gate, &token).await.reason, Reason::AlreadyUsed);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM people_inside").await, 1, "counted on campus now");
    c.app.clock.set(day(27));
    assert_eq!(scan(&c, &gate, &token).await.reason, Reason::Expired);
}

#[tokio::test]
async fn twenty_requests_from_two_members_of_one_household_give_one_pass() {
    let c = ctx().await;
    household(&c, "102", &["13900000011", "13900000012"], false).await;
    let a = c.app.phone_user("13900000011").await;
    let b = c.app.phone_user("13900000012").await;
    let mut calls = Vec::new();
    for i in 0..20 {
        let who = if i % 2 == 0 { &a } else { &b };
        // Today (the 25th) and tomorrow: within two days of each other.
        let date = if i % 4 < 2 { "2026-11-25" } else { "2026-11-26" };
        calls.push(c.submit(who, resident_form(&c, "102", "吴建国", date)));
    }
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{results:?}");
    assert_eq!(c.app.count("SELECT COUNT(*) FROM passes").await, 1);
    let too_soon = results.iter().filter(|r| matches!(r, Err((_, AppError::Rule { msg: Msg::ErrHouseholdPassTooSoon, .. })))).count();
    assert!(too_soon >= 1, "the refusal says why: {results:?}");
    // Two days on, the household may have another (the other member asks:
    // the winner's own pass holds their document until its date is over).
    let (taken,): (String,) = sqlx::query_as("SELECT start_date FROM applications").fetch_one(&c.app.state.db.read).await.unwrap();
    let winner_phone = if results.iter().position(|r| r.is_ok()).unwrap() % 2 == 0 { "13900000011" } else { "13900000012" };
    let other_phone = if winner_phone == "13900000011" { "13900000012" } else { "13900000011" };
    let other = if other_phone == "13900000011" { &a } else { &b };
    let day_after = if taken == "2026-11-25" { "2026-11-26" } else { "2026-11-27" };
    assert!(c.submit(other, resident_form(&c, "102", "吴建国", day_after)).await.is_err(), "the day after is within the two days");
    c.app.clock.set(day(26));
    let other = c.app.phone_user(other_phone).await;
    let two_on = if taken == "2026-11-25" { "2026-11-27" } else { "2026-11-28" };
    c.submit(&other, resident_form(&c, "102", "吴建国", two_on)).await.unwrap();
}

#[tokio::test]
async fn paper_pass_households_strangers_and_wrong_doors_are_refused_and_nothing_is_written() {
    let c = ctx().await;
    household(&c, "103", &["13900000021"], true).await;
    household(&c, "104", &["13900000031"], false).await;
    let paper = c.app.phone_user("13900000021").await;
    let refused = |r: Result<String, (u16, AppError)>| match r {
        Err((422, AppError::Invalid { msg, .. })) => msg,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(refused(c.submit(&paper, resident_form(&c, "103", "吴建国", "2026-11-26")).await), Msg::ErrPaperPassHolder);
    let stranger = c.app.phone_user("13600000009").await;
    assert_eq!(refused(c.submit(&stranger, resident_form(&c, "104", "吴建国", "2026-11-26")).await), Msg::ErrNotAResident);
    assert_eq!(
        c.app.call_json::<FormSetup>(&stranger, "application_form_setup", json!({"kind": "ResidentDay", "invitation": null})).await.unwrap_err().0,
        422
    );
    let member = c.app.phone_user("13900000031").await;
    assert_eq!(refused(c.submit(&member, resident_form(&c, "103", "吴建国", "2026-11-26")).await), Msg::ErrNotYourHousehold);
    assert_eq!(refused(c.submit(&member, resident_form(&c, "104", "王某", "2026-11-26")).await), Msg::ErrHouseholderName);
    let mut no_reason = resident_form(&c, "104", "吴建国", "2026-11-26");
    no_reason["note"] = json!("  ");
    assert_eq!(refused(c.submit(&member, no_reason).await), Msg::ErrReasonNeeded);
    // A day pass is one day.
    let mut two_days = resident_form(&c, "104", "吴建国", "2026-11-26");
    two_days["end_date"] = json!("2026-11-27");
    assert!(c.submit(&member, two_days).await.is_err());
    // Staff do not apply for residents' passes with their staff account.
    let staff = c.app.staff("T1001").await;
    assert!(c.submit(&staff, resident_form(&c, "104", "吴建国", "2026-11-26")).await.is_err());
    assert_eq!(c.app.count("SELECT COUNT(*) FROM applications").await, 0);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM household_days").await, 0);
    // A resident of another household sees nothing of this one's pass.
    let id = c.submit(&member, resident_form(&c, "104", "吴建国", "2026-11-26")).await.unwrap();
    household(&c, "105", &["13900000041"], false).await;
    let neighbour = c.app.phone_user("13900000041").await;
    assert_eq!(c.detail(&neighbour, &id).await.unwrap_err().0, 404);
    assert_eq!(c.detail(&c.app.staff("G0001").await, &id).await.unwrap_err().0, 404);
    let mine: Vec<ApplicationRow> = c.app.call_json(&neighbour, "my_applications", json!({})).await.unwrap();
    assert!(mine.is_empty());
}

fn staff_form(c: &Ctx, start: &str, end: &str) -> Value {
    json!({
        "kind": "StaffWork", "host_staff_id": "", "campus_id": c.setup.campuses[0].id, "reason_id": "",
        "start_date": start, "end_date": end, "entrants": [], "plate": "", "note": "上班",
    })
}

async fn department_id(c: &Ctx, code: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM departments WHERE code = $1").bind(code).fetch_one(&c.app.state.db.read).await.unwrap();
    id
}

async fn approve_naming(c: &Ctx, who: &reqwest::Client, id: &str, next: Value) -> Result<(), (u16, AppError)> {
    let version = c.detail(who, id).await.map(|d| d.row.version).unwrap_or(0);
    c.app
        .call_json(who, "act_on_application", json!({"id": id, "action": "Approve", "version": version, "note": "", "edits": null, "next": next}))
        .await
}

#[tokio::test]
async fn a_staff_work_pass_goes_to_the_unit_head_who_names_the_next_handler_and_only_they_act() {
    let c = ctx().await;
    let me = c.app.staff("T1001").await;
    let setup: FormSetup = c.app.call_json(&me, "application_form_setup", json!({"kind": "StaffWork", "invitation": null})).await.unwrap();
    let s = setup.staff.expect("staff number, name and unit filled in");
    assert_eq!((s.staff_no.as_str(), s.name.as_str()), ("T1001", "张伟"));
    let id = c.submit(&me, staff_form(&c, "2026-11-26", "2026-11-30")).await.unwrap();
    assert_eq!(c.status(&id).await, Status::InReview { step: 0 });
    // The unit head (CS) sees it; approvers elsewhere and other staff do not.
    let head = c.app.staff("A1001").await;
    let inbox: Vec<ApplicationRow> = c.app.call_json(&head, "approval_inbox", json!({})).await.unwrap();
    assert!(inbox.iter().any(|r| r.id == id));
    for other in ["A3001", "T2001", "G0001"] {
        assert_eq!(c.detail(&c.app.staff(other).await, &id).await.unwrap_err().0, 404, "{other}");
    }
    let d: ApplicationDetail = c.detail(&head, &id).await.unwrap();
    assert!(d.choose_next.iter().any(|dep| dep.name == "历史学院"), "the departments to choose from");
    let hist = department_id(&c, "HIST").await;
    let handlers: Vec<Handler> = c.app.call_json(&head, "next_step_handlers", json!({"id": id, "department_id": hist})).await.unwrap();
    assert_eq!(handlers.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["李娜"]);
    // Only the one holding the step may ask who handles the next.
    assert_eq!(c.app.call_json::<Vec<Handler>>(&me, "next_step_handlers", json!({"id": id, "department_id": hist})).await.unwrap_err().0, 403);
    // Approving needs the choice, and a real approver of that department.
    let refused = approve_naming(&c, &head, &id, Value::Null).await.unwrap_err();
    assert!(matches!(refused.1, AppError::Invalid { msg: Msg::ErrChooseNextHandler, .. }), "{refused:?}");
    let (t2001,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE staff_no = 'T2001'").fetch_one(&c.app.state.db.read).await.unwrap();
    let refused = approve_naming(&c, &head, &id, json!({"department_id": hist, "staff_id": t2001})).await.unwrap_err();
    assert!(matches!(refused.1, AppError::Invalid { msg: Msg::ErrNextHandlerUnknown, .. }), "{refused:?}");
    assert_eq!(c.status(&id).await, Status::InReview { step: 0 }, "refusals change nothing");
    approve_naming(&c, &head, &id, json!({"department_id": hist, "staff_id": handlers[0].staff_id})).await.unwrap();
    assert_eq!(c.status(&id).await, Status::InReview { step: 1 });
    // The named handler has it in their inbox and is told by SMS; the
    // security office sees it but cannot act for them.
    let handler = c.app.staff("A2001").await;
    let inbox: Vec<ApplicationRow> = c.app.call_json(&handler, "approval_inbox", json!({})).await.unwrap();
    assert!(inbox.iter().any(|r| r.id == id));
    let admin = c.app.staff("S0001").await;
    assert!(c.act(&admin, &id, "Approve", "", Value::Null).await.is_err());
    assert!(c.act(&head, &id, "Approve", "", Value::Null).await.is_err(), "the unit head's step is done");
    let steps = c.detail(&handler, &id).await.unwrap().steps;
    assert!(steps[1].chosen && steps[1].who.contains("李娜"), "{steps:?}");
    c.act(&handler, &id, "Approve", "", Value::Null).await.unwrap();
    assert_eq!(c.status(&id).await, Status::Approved);
    // The applicant hears of it on the mobile the directory holds for them.
    let (phone,): (Option<String>,) =
        sqlx::query_as("SELECT phone FROM staff WHERE staff_no = 'T1001'").fetch_one(&c.app.state.db.read).await.unwrap();
    let phone = phone.expect("the demo staff member has a mobile");
    let told = format!("SELECT COUNT(*) FROM sms_outbox WHERE purpose = 'decision' AND phone = '{phone}'");
    assert_eq!(c.app.count_eventually(&told, 1).await, 1);
    // The pass is the applicant's alone, and the guard is told to check the work card.
    let d = c.detail(&me, &id).await.unwrap();
    assert_eq!(d.passes.len(), 1);
    c.app.clock.set(day(26));
    let v = scan(&c, &south_gate(&c).await, &token_for(&c, &id).await).await;
    assert!(v.allow, "{v:?}");
    let pass = v.pass.unwrap();
    assert_eq!(pass.check_document, Msg::CheckWorkCard);
    assert_eq!(pass.document.as_deref(), Some("T1***"), "the work card's number, masked");
}

fn contractor_form(c: &Ctx, end: &str) -> Value {
    json!({
        "kind": "Contractor", "host_staff_id": "", "campus_id": c.setup.campuses[0].id, "reason_id": c.setup.reasons[0].id,
        "start_date": "2026-11-26", "end_date": end, "plate": "", "note": "物业保洁",
        "entrants": [Ctx::entrant("赵师傅", "13700000001", &id_number(77), false)], "doc_consent": true,
    })
}

#[tokio::test]
async fn a_department_files_a_contractor_for_at_most_180_days_and_can_close_access_at_once() {
    let c = ctx().await;
    let filer = c.app.staff("T1001").await;
    // 181 days is refused; 180 is the most (seed 000 §二).
    let too_long = c.submit(&filer, contractor_form(&c, "2027-05-25")).await.unwrap_err();
    assert!(matches!(too_long.1, AppError::Rule { msg: Msg::ErrStayTooLong, .. }), "{too_long:?}");
    let id = c.submit(&filer, contractor_form(&c, "2027-05-24")).await.unwrap();
    // A visitor signed in by SMS cannot file one.
    let visitor = c.app.phone_user("13600000001").await;
    assert!(c.submit(&visitor, contractor_form(&c, "2027-05-24")).await.is_err());
    // The department's approver, then the security office.
    c.act(&c.app.staff("A1001").await, &id, "Approve", "", Value::Null).await.unwrap();
    assert_eq!(c.status(&id).await, Status::InReview { step: 1 });
    c.act(&c.app.staff("A5001").await, &id, "Approve", "", Value::Null).await.unwrap();
    assert_eq!(c.status(&id).await, Status::Approved);
    // The contractor gets the pass link by SMS; the filer sees it too.
    assert_eq!(c.app.count_eventually("SELECT COUNT(*) FROM sms_outbox WHERE purpose = 'approved_entrant' AND phone = '13700000001'", 1).await, 1);
    let mine: Vec<ApplicationRow> = c.app.call_json(&filer, "my_applications", json!({})).await.unwrap();
    assert_eq!(mine.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    c.app.clock.set(day(26));
    let gate = south_gate(&c).await;
    let token = token_for(&c, &id).await;
    assert!(scan(&c, &gate, &token).await.allow);
    // The department closes access: refused online at once.
    c.act(&c.app.staff("A1001").await, &id, "Cancel", "合同终止", Value::Null).await.unwrap();
    assert_eq!(scan(&c, &gate, &token).await.reason, Reason::Cancelled);
    // Renewal starts from the old application, for the one who filed it only.
    let filer = c.app.staff("T1001").await;
    let prefill: Value = c.app.call_json(&filer, "renewal_prefill", json!({"id": id})).await.unwrap();
    assert_eq!(prefill["entrants"][0]["name"], "赵师傅");
    assert_eq!(prefill["entrants"][0]["doc_number"], id_number(77));
    assert_eq!(prefill["start_date"], "");
    assert!(c.app.call_json::<Value>(&c.app.staff("T2001").await, "renewal_prefill", json!({"id": id})).await.is_err());
    assert!(c.app.call_json::<Value>(&c.app.staff("A1001").await, "renewal_prefill", json!({"id": id})).await.is_err());
}

#[tokio::test]
async fn a_department_invites_a_contractor_who_completes_their_own_details_and_its_approver_still_reviews() {
    let c = ctx().await;
    let filer = c.app.staff("T1001").await;
    let input = json!({"kind": "Contractor", "phone": "13700000002", "name": "钱师傅", "campus_id": c.setup.campuses[0].id,
        "reason_id": c.setup.reasons[0].id, "start_date": "2026-11-26", "end_date": "2027-05-24", "note": "绿化养护"});
    // Beyond 180 days is refused here already.
    let mut too_long = input.clone();
    too_long["end_date"] = json!("2027-05-25");
    let e = c.app.call_json::<()>(&filer, "invite_visitor", json!({"input": too_long})).await.unwrap_err();
    assert_eq!(e.1.msg(), Msg::ErrStayTooLong);
    c.app.call_json::<()>(&filer, "invite_visitor", json!({"input": input})).await.unwrap();
    let body = invitation_sms(&c, "13700000002").await;
    assert!(body.contains("长期出入证"), "{body}");
    let token = body.split("#invite=").nth(1).expect("link in the SMS").to_owned();
    // Another mobile cannot use the link.
    let stranger = c.app.phone_user("13700000003").await;
    let r = c.app.call_json::<FormSetup>(&stranger, "application_form_setup", json!({"kind": "Visitor", "invitation": token})).await;
    assert_eq!(r.unwrap_err().1.msg(), Msg::ErrInvitationInvalid);
    // The link opens the contractor form, whichever page it landed on.
    let person = c.app.phone_user("13700000002").await;
    let setup: FormSetup = c.app.call_json(&person, "application_form_setup", json!({"kind": "Visitor", "invitation": token})).await.unwrap();
    assert_eq!(setup.kind, app::domain::policy::PassKind::Contractor);
    assert_eq!(setup.invitation.as_ref().unwrap().name, "钱师傅");
    // Without the invitation, someone signed in by SMS cannot file one.
    let mut form = contractor_form(&c, "2026-11-27");
    form["entrants"] = json!([Ctx::entrant("钱师傅", "", &id_number(78), false)]);
    assert!(c.submit(&person, form.clone()).await.is_err());
    // Only themselves: a second person is refused.
    let mut two = form.clone();
    two["entrants"] = json!([Ctx::entrant("钱师傅", "", &id_number(78), false), Ctx::entrant("孙师傅", "", &id_number(79), false)]);
    let e = c.app.call_json::<String>(&person, "submit_application", json!({"form": two, "idempotency_key": "c-2", "invitation": token})).await;
    assert!(matches!(e.unwrap_err().1, AppError::Rule { msg: Msg::ErrTooManyEntrants, .. }));
    // What the department decided holds whatever the form says: the
    // person's end date of the 27th becomes the department's 2027-05-24.
    let id: String =
        c.app.call_json(&person, "submit_application", json!({"form": form, "idempotency_key": "c-1", "invitation": token})).await.unwrap();
    let (end, host, applicant_staff, phone): (String, String, String, Option<String>) = sqlx::query_as(
        "SELECT a.end_date, a.host_staff_id, a.applicant_staff_id, e.phone FROM applications a JOIN entrants e ON e.application_id = a.id WHERE a.id = $1",
    )
    .bind(&id)
    .fetch_one(&c.app.state.db.read)
    .await
    .unwrap();
    assert_eq!((end.as_str(), applicant_staff.as_str(), phone.as_deref()), ("2027-05-24", "", Some("13700000002")));
    let (t1001,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE staff_no = 'T1001'").fetch_one(&c.app.state.db.read).await.unwrap();
    assert_eq!(host, t1001);
    // Not an approval: the department's approver reviews it first.
    assert_eq!(c.status(&id).await, Status::InReview { step: 0 });
    let used = c.app.call_json::<String>(&person, "submit_application", json!({"form": form, "idempotency_key": "c-3", "invitation": token})).await;
    assert_eq!(used.unwrap_err().1.msg(), Msg::ErrInvitationUsed);
    // The person and the filer both find it in their lists.
    let theirs: Vec<ApplicationRow> = c.app.call_json(&person, "my_applications", json!({})).await.unwrap();
    assert_eq!(theirs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    let filers: Vec<ApplicationRow> = c.app.call_json(&filer, "my_applications", json!({})).await.unwrap();
    assert_eq!(filers.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    c.act(&c.app.staff("A1001").await, &id, "Approve", "", Value::Null).await.unwrap();
    c.act(&c.app.staff("A5001").await, &id, "Approve", "", Value::Null).await.unwrap();
    assert_eq!(c.status(&id).await, Status::Approved);
    assert_eq!(c.app.count_eventually("SELECT COUNT(*) FROM sms_outbox WHERE purpose = 'approved_entrant' AND phone = '13700000002'", 1).await, 1);
    // The filer renews it; the person cannot.
    let detail: ApplicationDetail = c.app.call_json(&filer, "get_application", json!({"id": id})).await.unwrap();
    assert!(detail.renewable);
    let prefill: Value = c.app.call_json(&filer, "renewal_prefill", json!({"id": id})).await.unwrap();
    assert_eq!(prefill["entrants"][0]["doc_number"], id_number(78));
    assert!(c.app.call_json::<Value>(&person, "renewal_prefill", json!({"id": id})).await.is_err());
    // Someone signed in by SMS cannot invite anyone.
    assert_eq!(c.app.call_json::<()>(&person, "invite_visitor", json!({"input": input})).await.unwrap_err().0, 403);
}

#[tokio::test]
async fn where_hosts_register_their_visitors_a_visitor_cannot_apply_alone_and_an_invitation_is_the_hosts_filing() {
    let c = ctx().await;
    let admin = c.app.staff("S0001").await;
    let policies: Vec<Value> = c.app.call_json(&admin, "list_policies", json!({})).await.unwrap();
    let mut visitor = policies.iter().find(|p| p["kind"] == "Visitor").unwrap().clone();
    visitor["applicants"] = json!("StaffForOthers");
    // The host's own step makes no sense when the host files it.
    let e = c.app.call_json::<()>(&admin, "save_policy", json!({"policy": visitor})).await.unwrap_err();
    assert_eq!(e.1.msg(), Msg::ErrNoHostForKind);
    visitor["chain"] = json!(visitor["chain"].as_array().unwrap().iter().filter(|s| s["approver"] != "Host").cloned().collect::<Vec<_>>());
    c.app.call_json::<()>(&admin, "save_policy", json!({"policy": visitor})).await.unwrap();
    // Residents stay residents.
    let mut resident = policies.iter().find(|p| p["kind"] == "ResidentDay").unwrap().clone();
    resident["applicants"] = json!("Anyone");
    let e = c.app.call_json::<()>(&admin, "save_policy", json!({"policy": resident})).await.unwrap_err();
    assert_eq!(e.1.msg(), Msg::ErrApplicantsMismatch);
    // A visitor alone is told to ask their host, and nothing is written.
    let alone = c.app.phone_user("13800000021").await;
    let e = c.submit(&alone, c.form(json!([Ctx::entrant("冯一", "", &id_number(21), false)]), "")).await.unwrap_err();
    assert_eq!(e.1.msg(), Msg::ErrFiledByStaff);
    let e = c.app.call_json::<FormSetup>(&alone, "application_form_setup", json!({"kind": "Visitor", "invitation": null})).await.unwrap_err();
    assert_eq!(e.1.msg(), Msg::ErrFiledByStaff);
    // The host registers them: the host's department reviews it.
    let host = c.app.staff("T1001").await;
    let mut form = c.form(json!([Ctx::entrant("冯一", "13800000021", &id_number(21), false)]), "");
    form["host_staff_id"] = json!("");
    let id = c.submit(&host, form).await.unwrap();
    assert_eq!(c.status(&id).await, Status::InReview { step: 0 });
    // Or invites them to complete it: their submission is the host's
    // filing, reviewed by the department, not approved by the invitation.
    let input = json!({"phone": "13800000022", "name": "冯二", "campus_id": c.setup.campuses[0].id,
        "reason_id": c.setup.reasons[0].id, "start_date": "2026-11-26", "end_date": "2026-11-26", "note": ""});
    c.app.call_json::<()>(&host, "invite_visitor", json!({"input": input})).await.unwrap();
    let body = invitation_sms(&c, "13800000022").await;
    let token = body.split("#invite=").nth(1).expect("link in the SMS").to_owned();
    let invited = c.app.phone_user("13800000022").await;
    let setup: FormSetup = c.app.call_json(&invited, "application_form_setup", json!({"kind": "Visitor", "invitation": token})).await.unwrap();
    assert_eq!(setup.kind, app::domain::policy::PassKind::Visitor);
    let form = c.form(json!([Ctx::entrant("冯二", "", &id_number(22), false)]), "");
    let id: String =
        c.app.call_json(&invited, "submit_application", json!({"form": form, "idempotency_key": "v-1", "invitation": token})).await.unwrap();
    assert_eq!(c.status(&id).await, Status::InReview { step: 0 });
    let (end,): (String,) =
        sqlx::query_as("SELECT end_date FROM applications WHERE id = $1").bind(&id).fetch_one(&c.app.state.db.read).await.unwrap();
    assert_eq!(end, "2026-11-26", "the host's dates hold");
}

#[tokio::test]
async fn single_use_on_a_policy_makes_its_passes_single_use() {
    let c = ctx().await;
    let admin = c.app.staff("S0001").await;
    let policies: Vec<Value> = c.app.call_json(&admin, "list_policies", json!({})).await.unwrap();
    let mut visitor = policies.iter().find(|p| p["kind"] == "Visitor").unwrap().clone();
    visitor["single_use"] = json!(true);
    c.app.call_json::<()>(&admin, "save_policy", json!({"policy": visitor})).await.unwrap();
    let (_v, id) = c.approved("13800000001", 1).await;
    let (single,): (i64,) =
        sqlx::query_as("SELECT single_use FROM passes WHERE application_id = $1").bind(&id).fetch_one(&c.app.state.db.read).await.unwrap();
    assert_eq!(single, 1);
    c.app.clock.set(day(26));
    let gate = south_gate(&c).await;
    let token = token_for(&c, &id).await;
    assert!(scan(&c, &gate, &token).await.allow);
    assert_eq!(scan(&c, &gate, &token).await.reason, Reason::AlreadyUsed);
}

#[tokio::test]
async fn a_policy_that_cannot_work_is_refused_and_the_chosen_step_and_review_are_configurable() {
    let c = ctx().await;
    let admin = c.app.staff("S0001").await;
    let policies: Vec<Value> = c.app.call_json(&admin, "list_policies", json!({})).await.unwrap();
    let staff = policies.iter().find(|p| p["kind"] == "StaffWork").unwrap().clone();
    // "Chosen by the previous approver" cannot come first.
    let mut bad = staff.clone();
    bad["chain"] = json!([{"approver": "ChosenByPrevious", "skipped_for": []}]);
    assert_eq!(c.app.call_json::<()>(&admin, "save_policy", json!({"policy": bad})).await.unwrap_err().0, 422);
    // Residents have no host.
    let mut resident = policies.iter().find(|p| p["kind"] == "ResidentDay").unwrap().clone();
    let mut hosted = resident.clone();
    hosted["chain"] = json!([{"approver": "Host", "skipped_for": []}]);
    assert_eq!(c.app.call_json::<()>(&admin, "save_policy", json!({"policy": hosted})).await.unwrap_err().0, 422);
    // The resident office reviews where the policy says so.
    let office = department_id(&c, "LOG").await;
    resident["chain"] = json!([{"approver": {"Department": {"department_id": office}}, "skipped_for": []}]);
    c.app.call_json::<()>(&admin, "save_policy", json!({"policy": resident})).await.unwrap();
    household(&c, "106", &["13900000051"], false).await;
    let member = c.app.phone_user("13900000051").await;
    let id = c.submit(&member, resident_form(&c, "106", "吴建国", "2026-11-26")).await.unwrap();
    assert_eq!(c.status(&id).await, Status::InReview { step: 0 });
    c.act(&c.app.staff("A4001").await, &id, "Approve", "", Value::Null).await.unwrap();
    assert_eq!(c.status(&id).await, Status::Approved);
    // Changing anything but the admin's own policies is refused.
    let guard = c.app.staff("G0001").await;
    assert_eq!(c.app.call_json::<()>(&guard, "save_policy", json!({"policy": staff})).await.unwrap_err().0, 403);
}

#[tokio::test]
async fn hr_lists_a_staff_member_who_then_can_neither_apply_for_nor_use_a_staff_pass() {
    let c = ctx().await;
    let me = c.app.staff("T1001").await;
    let id = c.submit(&me, staff_form(&c, "2026-11-26", "2026-11-30")).await.unwrap();
    let head = c.app.staff("A1001").await;
    let hist = department_id(&c, "HIST").await;
    let handlers: Vec<Handler> = c.app.call_json(&head, "next_step_handlers", json!({"id": id, "department_id": hist})).await.unwrap();
    approve_naming(&c, &head, &id, json!({"department_id": hist, "staff_id": handlers[0].staff_id})).await.unwrap();
    c.act(&c.app.staff("A2001").await, &id, "Approve", "", Value::Null).await.unwrap();
    let token = token_for(&c, &id).await;
    let gate = south_gate(&c).await;

    let hr = c.app.staff("H0001").await;
    let err = c.app.call::<String>(&hr, "add_staff_to_blacklist", &[("staff_no", "NOBODY"), ("reason", "离职")]).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrUnknownStaff);
    let err = c.app.call::<String>(&hr, "add_staff_to_blacklist", &[("staff_no", "T1001"), ("reason", " ")]).await.unwrap_err();
    assert_eq!(err.0, 422);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM blacklist").await, 0, "refusals write nothing");
    let listed_at = c.app.state.clock.now_ms();
    let entry: String = c.app.call(&hr, "add_staff_to_blacklist", &[("staff_no", "t1001"), ("reason", "违反校规")]).await.unwrap();
    let touched = format!("SELECT COUNT(*) FROM passes WHERE application_id = '{id}' AND updated_at >= {listed_at}");
    assert_eq!(c.app.count(&touched).await, 1, "the pass is in the next roster delta");
    assert_eq!(c.app.call::<String>(&hr, "add_staff_to_blacklist", &[("staff_no", "T1001"), ("reason", "再次")]).await.unwrap_err().0, 409);
    let listed: Vec<app::rules::StaffBlacklistEntry> = c.app.call(&hr, "list_staff_blacklist", &[("include_lifted", "false")]).await.unwrap();
    assert_eq!(listed.iter().map(|e| (e.staff_no.as_str(), e.name.as_str(), e.reason.as_str())).collect::<Vec<_>>(), [("T1001", "张伟", "违反校规")]);
    // The office's own list leaves HR's entries out, and cannot lift them.
    let admin = c.app.staff("S0001").await;
    let office: Vec<app::rules::BlacklistEntry> = c.app.call(&admin, "list_blacklist", &[("include_lifted", "true")]).await.unwrap();
    assert!(office.is_empty(), "{office:?}");
    assert_eq!(c.app.call::<()>(&admin, "lift_blacklist", &[("id", &entry), ("reason", "误")]).await.unwrap_err().0, 404);

    // The staff pass is refused at the gate, and marked changed for the offline rosters.
    visit_day(&c);
    let v = scan(&c, &gate, &token).await;
    assert_eq!((v.allow, v.reason), (false, Reason::Blacklisted));
    // A new staff pass is refused with the neutral sentence.
    let me = c.app.staff("T1001").await;
    let err = c.submit(&me, staff_form(&c, "2026-11-28", "2026-11-29")).await.unwrap_err();
    assert_eq!(err.1.msg(), Msg::ErrNotPermitted);
    // Lifted by HR: the pass works again.
    let hr = c.app.staff("H0001").await;
    c.app.call::<()>(&hr, "lift_staff_blacklist", &[("id", &entry), ("reason", "申诉成立")]).await.unwrap();
    assert!(scan(&c, &gate, &token).await.allow);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('staff_blacklist_add', 'staff_blacklist_lift')").await, 2);
    // Inside, the roll call reaches them on the mobile the directory holds.
    let (phone,): (String,) = sqlx::query_as("SELECT phone FROM staff WHERE staff_no = 'T1001'").fetch_one(&c.app.state.db.read).await.unwrap();
    let admin = c.app.staff("S0001").await;
    let rows: Vec<app::passes::RollCallRow> = c.app.call(&admin, "roll_call", &[("campus_id", "")]).await.unwrap();
    assert!(rows.iter().any(|r| r.who == "张伟" && r.phone == phone), "{rows:?}");
}
