//! The demo campus: seeded into an empty database when `demo = true`, so a
//! newcomer can click through every role at once.

use app::domain::Phone;
use app::domain::document::{DocType, DocumentNumber};
use app::domain::household::Address;
use app::platform::{context::AppState, db::new_id, password};
use app::residents::ssr;

pub const DEMO_PASSWORD: &str = "Campus-demo-2026";

pub struct DemoAccount {
    pub staff_no: &'static str,
    pub name: &'static str,
    pub department: &'static str,
    pub what: &'static str,
}

const DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("CS", "计算机学院", "School of Computer Science"),
    ("HIST", "历史学院", "School of History"),
    ("PHYS", "物理学院", "School of Physics"),
    ("LOG", "后勤保障部", "Logistics"),
    ("SEC", "保卫处", "Security Office"),
];

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount { staff_no: "S0001", name: "周敏", department: "SEC", what: "security admin / 保卫处管理员" },
    DemoAccount { staff_no: "G0001", name: "孙磊", department: "SEC", what: "guard at 主校区 南门 / 门岗" },
    DemoAccount { staff_no: "A1001", name: "王芳", department: "CS", what: "approver, 计算机学院" },
    DemoAccount { staff_no: "A2001", name: "李娜", department: "HIST", what: "approver, 历史学院" },
    DemoAccount { staff_no: "A3001", name: "刘洋", department: "PHYS", what: "approver, 物理学院" },
    DemoAccount { staff_no: "A4001", name: "陈静", department: "LOG", what: "approver, 后勤保障部" },
    DemoAccount { staff_no: "A5001", name: "赵强", department: "SEC", what: "approver, 保卫处" },
    DemoAccount { staff_no: "T1001", name: "张伟", department: "CS", what: "staff (host), 计算机学院" },
    DemoAccount { staff_no: "T2001", name: "张伟", department: "HIST", what: "staff (host), 历史学院 — same name, other department" },
    DemoAccount { staff_no: "R0001", name: "郑丽", department: "LOG", what: "resident office / 社区办（居民管理）" },
    // Last, so the accounts above keep their demo mobiles.
    DemoAccount { staff_no: "G0002", name: "钱坤", department: "SEC", what: "guard at 主校区 南门, the next shift / 门岗（下一班）" },
    DemoAccount { staff_no: "H0001", name: "孔丹", department: "LOG", what: "HR: the staff blacklist / 人事处（教职工黑名单）" },
    DemoAccount { staff_no: "K0001", name: "吴婷", department: "CS", what: "temporary-personnel admin, 计算机学院 / 临时人员管理员" },
    DemoAccount { staff_no: "K4001", name: "马超", department: "LOG", what: "temporary-personnel admin, 后勤保障部 / 临时人员管理员" },
];

/// 刘建, outsourced service staff of 后勤保障部 with a temporary staff
/// number (his face photo and return-to-campus application still to do).
pub const TEMP_PERSON_PHONE: &str = "13600136000";

/// 吴芳, householder of 教工宿舍 5栋 302 on the main campus.
pub const RESIDENT_PHONE: &str = "13900139000";

/// (campus: 0 main, 1 east; community; building; door; paper pass; members
/// as name, mobile, ID number's sequence, householder).
type DemoHousehold = (usize, &'static str, &'static str, &'static str, bool, &'static [(&'static str, &'static str, u32, bool)]);

const HOUSEHOLDS: &[DemoHousehold] = &[
    (0, "教工宿舍", "5栋", "302", false, &[("吴芳", RESIDENT_PHONE, 1, true), ("陈小明", "13900139001", 2, false)]),
    (0, "教工宿舍", "6栋", "101", false, &[("黄建国", "13900139002", 3, true), ("黄丽", "13900139006", 4, false)]),
    (0, "紫荆园", "1号楼", "1203", true, &[("林秀英", "13900139003", 5, true)]),
    (1, "东苑", "3栋", "201", false, &[("何伟", "13900139004", 6, true), ("何小雨", "13900139005", 7, false)]),
];

/// A valid resident ID number (born 1962-05-18) with sequence `seq`.
fn demo_id_number(seq: u32) -> String {
    let first17 = format!("11010819620518{:03}", seq % 1000);
    format!("{first17}{}", app::domain::id_number::check_char(first17.as_bytes()) as char)
}
pub const VISITOR_PHONE: &str = "13800138000";

/// Seeds the demo campus if the database has no campus yet. Returns whether it did.
pub async fn seed_if_empty(st: &AppState) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM campuses").fetch_one(&st.db.write).await?;
    if n > 0 {
        return Ok(false);
    }
    let now = st.clock.now_ms();
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await;
    let mut tx = st.db.write.begin().await?;
    let main = new_id();
    let east = new_id();
    for (i, (id, name, en)) in [(&main, "主校区", "Main Campus"), (&east, "东校区", "East Campus")].into_iter().enumerate() {
        sqlx::query("INSERT INTO campuses (id, name, name_en, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(name)
            .bind(en)
            .bind(now + i as i64)
            .execute(&mut *tx)
            .await?;
    }
    let south_gate = new_id();
    let gates = [
        (&south_gate, &main, "南门", "South Gate", "pedestrian", "both"),
        (&new_id(), &main, "北门车行道", "North Vehicle Gate", "vehicle", "both"),
        (&new_id(), &main, "西门", "West Gate", "pedestrian", "entry"),
        (&new_id(), &east, "东门", "East Gate", "both", "both"),
        (&new_id(), &east, "东校区车库出口", "East Garage Exit", "vehicle", "exit"),
    ];
    for (i, (id, campus, name, en, kind, dir)) in gates.iter().enumerate() {
        sqlx::query("INSERT INTO gates (id, campus_id, name, name_en, kind, direction, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)")
            .bind(*id)
            .bind(*campus)
            .bind(*name)
            .bind(*en)
            .bind(*kind)
            .bind(*dir)
            .bind(now + i as i64)
            .execute(&mut *tx)
            .await?;
    }
    let mut dept_ids = std::collections::HashMap::new();
    for (code, name, en) in DEPARTMENTS {
        let id = new_id();
        sqlx::query("INSERT INTO departments (id, code, name, name_en, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(*code)
            .bind(*name)
            .bind(*en)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        dept_ids.insert(*code, id);
    }
    for (i, a) in ACCOUNTS.iter().enumerate() {
        let id = new_id();
        // Demo phones, so notifications to approvers show in the outbox.
        let phone = format!("1370000{:04}", i + 1);
        sqlx::query(
            "INSERT INTO staff (id, staff_no, name, department_id, phone, password_hash, must_change_password, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 0, 1, $7, $7)",
        )
        .bind(&id)
        .bind(a.staff_no)
        .bind(a.name)
        .bind(&dept_ids[a.department])
        .bind(phone)
        .bind(&hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let grant = match a.staff_no.chars().next() {
            Some('S') => Some(("security_admin", String::new())),
            Some('G') => Some(("guard", south_gate.clone())),
            Some('A') => Some(("approver", dept_ids[a.department].clone())),
            Some('R') => Some(("resident_office", String::new())),
            Some('H') => Some(("hr", String::new())),
            Some('K') => Some(("temp_personnel_admin", dept_ids[a.department].clone())),
            _ => None,
        };
        if let Some((role, scope)) = grant {
            sqlx::query("INSERT INTO grants (id, staff_id, role, scope_id, status, granted_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'active', 'demo seed', $5, $5)")
                .bind(new_id()).bind(&id).bind(role).bind(scope).bind(now).execute(&mut *tx).await?;
        }
    }
    // Households on both campuses: a householder and members each, with
    // documents on record; 紫荆园 1号楼 1203 holds a paper pass.
    let today = st.clock.today();
    for (i, (campus, community, building, door, paper_pass, members)) in HOUSEHOLDS.iter().enumerate() {
        let household = new_id();
        let campus_id = if *campus == 0 { &main } else { &east };
        let address = Address::parse(community, building, door).expect("a valid demo address");
        ssr::insert_household(&mut tx, &household, campus_id, &address, *paper_pass, now + i as i64).await?;
        for (j, (name, phone, seq, householder)) in members.iter().enumerate() {
            let doc = DocumentNumber::parse(DocType::ResidentId, &demo_id_number(*seq), today).expect("a valid demo ID number");
            let phone = Phone::parse(phone).expect("a valid demo mobile");
            let sealed = ssr::sealed_document(&st.keys, &doc);
            ssr::insert_member(&mut tx, &new_id(), &household, name, &phone, &doc, &sealed, *householder, now + j as i64).await?;
        }
    }
    seed_temp_person(st, &mut tx, &dept_ids["LOG"], now).await?;
    app::platform::audit::record(&mut *tx, now, "system", "seed_demo", "campus", &main, serde_json::json!({"demo": true}), None).await?;
    tx.commit().await?;
    // The default policies were written before the security office existed:
    // write them again so the contractor chain ends at the security office.
    sqlx::query("DELETE FROM pass_policies").execute(&st.db.write).await?;
    app::rules::policies::seed_rules(st).await?;
    Ok(true)
}

/// One person with a temporary staff number, given as the approval of a
/// first request would give it (the counter moves on past it).
async fn seed_temp_person(st: &AppState, tx: &mut sqlx::Transaction<'_, sqlx::Any>, department: &str, now: i64) -> Result<(), sqlx::Error> {
    use chrono::Datelike;
    let today = st.clock.today();
    let doc = DocumentNumber::parse(DocType::ResidentId, &demo_id_number(40), today).expect("a valid demo ID number");
    let format = app::domain::temp_personnel::NumberFormat::parse(&st.config.temp_personnel.number_format).expect("checked at start");
    let (next,): (i64,) =
        sqlx::query_as("UPDATE temp_number_counter SET next = next + 1 WHERE name = 'temp_no' RETURNING next").fetch_one(&mut **tx).await?;
    let leave = today + chrono::Days::new(180);
    sqlx::query(
        "INSERT INTO temp_people (id, temp_no, name, phone, doc_type, doc_sealed, doc_mac, doc_masked, category, department_id, start_date,
            leave_date, created_at, updated_at)
         VALUES ($1, $2, '刘建', $3, 'resident_id', $4, $5, $6, 'outsourced_service', $7, $8, $9, $10, $10)",
    )
    .bind(new_id())
    .bind(format.format(today.year(), next - 1))
    .bind(TEMP_PERSON_PHONE)
    .bind(st.keys.seal_pii(doc.as_str()))
    .bind(st.keys.pii_mac(&doc.claim_text()))
    .bind(doc.masked())
    .bind(department)
    .bind(today.to_string())
    .bind(leave.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The demo's parking (the demo binary's only, so the tests start from the
/// product's defaults): private visits' cars at the north vehicle gate, 30
/// minutes free, then ¥5 an hour, at most ¥30 a day (seed 002 §(五)); one
/// car left yesterday without paying, one paid the day before; and one
/// still "inside" since three days ago (the exit camera missed it), for the
/// office to clear.
pub async fn seed_parking(st: &AppState) -> Result<(), sqlx::Error> {
    let (north, campus): (String, String) =
        sqlx::query_as("SELECT id, campus_id FROM gates WHERE name = '北门车行道'").fetch_one(&st.db.write).await?;
    sqlx::query(
        "UPDATE visit_reasons SET vehicle_gates = $1, free_minutes = 30, cents_per_hour = 500, daily_cap_cents = 3000 WHERE category = 'private'",
    )
    .bind(serde_json::json!([north]).to_string())
    .execute(&st.db.write)
    .await?;
    let now = st.clock.now_ms();
    let day = 24 * 3_600_000;
    let fees = [
        ("京N12345", now - day - 4 * 3_600_000, now - day, 2000, None),
        ("沪A88888", now - 2 * day - 3 * 3_600_000, now - 2 * day, 1500, Some("2026-000117")),
    ];
    for (plate, entered, left, cents, receipt) in fees {
        sqlx::query(
            "INSERT INTO parking_fees (id, plate, campus_id, entered_at, left_at, cents, settled_at, settled_by, receipt_no) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(plate)
        .bind(&campus)
        .bind(entered)
        .bind(left)
        .bind(cents)
        .bind(receipt.map(|_| left + 3_600_000))
        .bind(receipt.map(|_| "staff:S0001 周敏"))
        .bind(receipt)
        .execute(&st.db.write)
        .await?;
    }
    sqlx::query("INSERT INTO vehicles_inside (plate, campus_id, entered_at, gate_id) VALUES ('苏E66666', $1, $2, $3)")
        .bind(&campus)
        .bind(now - 3 * day)
        .bind(&north)
        .execute(&st.db.write)
        .await?;
    Ok(())
}

pub fn print_accounts(base_url: &str) {
    println!("\nCampus Pass demo campus — open {base_url} on a phone-sized window\n");
    println!("  Staff accounts (password for all: {DEMO_PASSWORD}):");
    for a in ACCOUNTS {
        println!("    {:<6} {}  — {}", a.staff_no, a.name, a.what);
    }
    println!("\n  Visitors: any mainland mobile, e.g. {VISITOR_PHONE}.");
    println!("  Residents (SMS sign-in): {RESIDENT_PHONE} 吴芳, householder of 主校区 教工宿舍 5栋 302 (member 13900139001);");
    println!("    13900139003 holds a paper pass (紫荆园 1号楼 1203); 13900139004 lives on 东校区.");
    println!("  SMS codes are delivered to the outbox: printed here and shown to S0001 under 短信发件箱 / SMS outbox.\n");
}
