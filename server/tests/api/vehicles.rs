//! The office's vehicle rules and parking fees: a private reason's gates
//! and fee set on the rules page (bad figures refused, nothing changed),
//! charged as the car leaves, listed, settled once against a receipt
//! (audited with the amount before and after), after which the plate may
//! be booked again.

use crate::applications::{Ctx, ctx, id_number};
use crate::passes::{device, device_check, gate_named, private_car_visit, south_gate, visit_day};
use app::passes::FeeRow;
use app::rules::VehicleRulesSetup;
use serde_json::{Value, json};

#[tokio::test]
async fn vehicle_rules_set_by_the_office_are_charged_then_settled_against_a_receipt() {
    let c = ctx().await;
    let private = private_car_visit(&c).await;
    visit_day(&c);
    let north = gate_named(&c, "北门车行道").await;
    let south = south_gate(&c).await;
    let key = device(&c, &north).await;
    let admin = c.app.staff("S0001").await;
    // No gate listed yet: the private visit's car is refused.
    let (_, v) = device_check(&c, &key, json!({"direction": "in", "plate": "京A12345"})).await;
    assert_eq!(v["allow"], json!(false));

    let rules = |gates: Value, free: i64, rate: &str, cap: &str| json!({"rules": {"reason_id": private, "gates": gates, "free_minutes": free, "hourly_rate": rate, "daily_cap": cap}});
    for (bad, field) in [
        (rules(json!([north]), 1441, "5", "30"), "free_minutes"),
        (rules(json!([north]), -1, "5", "30"), "free_minutes"),
        (rules(json!([north]), 30, "5.123", "30"), "hourly_rate"),
        (rules(json!([north]), 30, "1000.01", "30"), "hourly_rate"),
        (rules(json!([north]), 30, "5", "-1"), "daily_cap"),
        (rules(json!([south]), 30, "5", "30"), "gates"),
        (rules(json!(["no-such-gate"]), 30, "5", "30"), "gates"),
    ] {
        let err = c.app.call_json::<()>(&admin, "save_vehicle_rules", bad).await.unwrap_err();
        assert_eq!((err.0, err.1.field()), (422, Some(field)), "{err:?}");
    }
    let mut unknown = rules(json!([north]), 30, "5", "30");
    unknown["rules"]["reason_id"] = json!("no-such-reason");
    assert_eq!(c.app.call_json::<()>(&admin, "save_vehicle_rules", unknown).await.unwrap_err().0, 404);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'save_vehicle_rules'").await, 0);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM visit_reasons WHERE vehicle_gates <> '[]'").await, 0, "nothing changed");

    c.app.call_json::<()>(&admin, "save_vehicle_rules", rules(json!([north, north]), 30, "¥5", "30.00")).await.unwrap();
    let setup: VehicleRulesSetup = c.app.call(&admin, "list_vehicle_rules", &[]).await.unwrap();
    let r = setup.reasons.iter().find(|r| r.reason.id == private).unwrap();
    assert_eq!((r.gates.clone(), r.free_minutes, r.cents_per_hour, r.daily_cap_cents), (vec![north.clone()], 30, 500, 3000));
    assert!(setup.gates.iter().any(|g| g.id == north) && !setup.gates.iter().any(|g| g.id == south), "vehicle gates only");
    let (changes,): (String,) =
        sqlx::query_as("SELECT changes FROM audit_log WHERE action = 'save_vehicle_rules'").fetch_one(&c.app.state.db.read).await.unwrap();
    let changes: Value = serde_json::from_str(&changes).unwrap();
    assert_eq!(changes["before"], json!({"gates": [], "free_minutes": 30, "hourly_rate": "0.00", "daily_cap": "0.00"}));
    assert_eq!(changes["after"], json!({"gates": [north], "free_minutes": 30, "hourly_rate": "5.00", "daily_cap": "30.00"}));

    // In, 2 h 10 min, out: 30 free minutes, then 2 started hours at ¥5.
    let (_, v) = device_check(&c, &key, json!({"direction": "in", "plate": "京A12345"})).await;
    assert_eq!(v["allow"], json!(true));
    c.app.clock.advance(chrono::Duration::minutes(130));
    let (_, v) = device_check(&c, &key, json!({"direction": "out", "plate": "京A12345"})).await;
    assert_eq!(v["fee"].as_f64(), Some(10.0));
    let unpaid: Vec<FeeRow> = c.app.call(&admin, "list_parking_fees", &[("status", "unpaid"), ("plate", ""), ("offset", "0")]).await.unwrap();
    assert_eq!(unpaid.iter().map(|f| (f.plate.as_str(), f.cents, f.settled_at.is_none())).collect::<Vec<_>>(), vec![("京A12345", 1000, true)]);
    let err = c.app.call::<Vec<FeeRow>>(&admin, "list_parking_fees", &[("status", "unpaid"), ("plate", "not a plate"), ("offset", "0")]).await;
    assert_eq!(err.unwrap_err().0, 422);

    // The unpaid fee blocks the next booking.
    c.app.clock.advance(chrono::Duration::days(3));
    let w = c.app.phone_user("13800000002").await;
    let mut f = c.form(json!([Ctx::entrant("王五", "", &id_number(2), true)]), "京A12345");
    f["reason_id"] = json!(private);
    f["start_date"] = json!("2026-11-30");
    f["end_date"] = json!("2026-11-30");
    assert_eq!(c.submit(&w, f.clone()).await.unwrap_err().1.msg(), app::i18n::Msg::ErrUnpaidFee);

    // A receipt number that is not one is refused and settles nothing.
    let admin = c.app.staff("S0001").await;
    for bad in ["", "=1+1", "收据"] {
        let err = c.app.call::<i64>(&admin, "settle_fees", &[("plate", "京A12345"), ("receipt_no", bad)]).await.unwrap_err();
        assert_eq!((err.0, err.1.field()), (422, Some("receipt_no")), "{bad}");
    }
    assert_eq!(c.app.count("SELECT COUNT(*) FROM parking_fees WHERE settled_at IS NULL").await, 1);
    // Two clerks record the payment at once: it is recorded once.
    let (a, b) = tokio::join!(
        c.app.call::<i64>(&admin, "settle_fees", &[("plate", "京a12345"), ("receipt_no", "R-2026-001")]),
        c.app.call::<i64>(&admin, "settle_fees", &[("plate", "京A12345"), ("receipt_no", "R-2026-002")]),
    );
    let (won, lost) = if a.is_ok() { (a, b) } else { (b, a) };
    assert_eq!(won.unwrap(), 1000);
    assert_eq!(lost.unwrap_err().1.msg(), app::i18n::Msg::ErrNoUnpaidFee);
    let settled: Vec<FeeRow> =
        c.app.call(&admin, "list_parking_fees", &[("status", "settled"), ("plate", "京A12345"), ("offset", "0")]).await.unwrap();
    assert_eq!(settled.len(), 1);
    assert!(
        settled[0].receipt_no.starts_with("R-2026-00") && settled[0].settled_at.is_some() && settled[0].settled_by.contains("S0001"),
        "{settled:?}"
    );
    let (changes,): (String,) =
        sqlx::query_as("SELECT changes FROM audit_log WHERE action = 'settle_fees'").fetch_one(&c.app.state.db.read).await.unwrap();
    let changes: Value = serde_json::from_str(&changes).unwrap();
    assert_eq!((changes["before"]["unpaid"].as_str(), changes["after"]["unpaid"].as_str()), (Some("10.00"), Some("0.00")));
    assert_eq!(changes["after"]["receipt_no"].as_str(), Some(settled[0].receipt_no.as_str()));

    // The list as a file, with the receipt, the amount in yuan.
    let res = admin.get(format!("{}/api/export/fees?format=csv&status=all", c.app.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = String::from_utf8(res.bytes().await.unwrap()[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "车牌号,校区,进入时间,离开时间,金额（元）,收费登记,收据号");
    assert!(lines[1].starts_with("京A12345,") && lines[1].contains(",10.00,") && lines[1].ends_with(&settled[0].receipt_no), "{text}");
    let res = admin.get(format!("{}/api/export/fees?format=csv&plate=bad", c.app.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export'").await, 1, "a refused export is not written");

    // Settled: the plate may be booked again.
    c.submit(&w, f).await.expect("settled: the plate may be booked again");
}
