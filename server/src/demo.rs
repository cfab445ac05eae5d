//! The demo campus: seeded into an empty database when `demo = true`, so a
//! newcomer can click through every role at once.

use app::platform::{context::AppState, db::new_id, password};

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
];

pub const RESIDENT_PHONE: &str = "13900139000";
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
            _ => None,
        };
        if let Some((role, scope)) = grant {
            sqlx::query("INSERT INTO grants (id, staff_id, role, scope_id, status, granted_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'active', 'demo seed', $5, $5)")
                .bind(new_id()).bind(&id).bind(role).bind(scope).bind(now).execute(&mut *tx).await?;
        }
    }
    let household = new_id();
    sqlx::query("INSERT INTO households (id, campus_id, address, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&household)
        .bind(&main)
        .bind("教工宿舍 5 栋 302")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO residents (id, household_id, name, phone, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(new_id())
        .bind(&household)
        .bind("吴芳")
        .bind(RESIDENT_PHONE)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    app::platform::audit::record(&mut *tx, now, "system", "seed_demo", "campus", &main, serde_json::json!({"demo": true}), None).await?;
    tx.commit().await?;
    // The default policies were written before the security office existed:
    // write them again so the contractor chain ends at the security office.
    sqlx::query("DELETE FROM pass_policies").execute(&st.db.write).await?;
    app::rules::policies::seed_rules(st).await?;
    Ok(true)
}

pub fn print_accounts(base_url: &str) {
    println!("\nCampus Pass demo campus — open {base_url} on a phone-sized window\n");
    println!("  Staff accounts (password for all: {DEMO_PASSWORD}):");
    for a in ACCOUNTS {
        println!("    {:<6} {}  — {}", a.staff_no, a.name, a.what);
    }
    println!("\n  Visitors: any mainland mobile, e.g. {VISITOR_PHONE}; resident household member: {RESIDENT_PHONE}.");
    println!("  SMS codes are delivered to the outbox: printed here and shown to S0001 under 短信发件箱 / SMS outbox.\n");
}
