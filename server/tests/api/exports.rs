//! Office exports: CSV with a byte-order mark and the page's columns, XLSX
//! read back by openpyxl (a reader that is not ours), names masked unless
//! a security admin asks, formulas shown as text, every export audited,
//! and nobody else may export.

use crate::applications::ctx;
use crate::passes::{links, south_gate, token_of, visit_day};
use crate::support::TestApp;
use app::passes::Verdict;
use serde_json::{Value, json};

pub async fn download(app: &TestApp, who: &reqwest::Client, path: &str) -> (u16, String, Vec<u8>) {
    let res = who.get(format!("{}{path}", app.base)).send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

/// A sheet as openpyxl reads it: its title and its rows of (value, data type).
type ReadSheet = (String, Vec<Vec<(Value, String)>>);

/// Every sheet of an XLSX file.
fn read_xlsx(bytes: &[u8]) -> Vec<ReadSheet> {
    let python = std::env::var("CAMPUS_PASS_TEST_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../.tools/venv-xlsx/bin/python").to_owned());
    // openpyxl goes by the file's extension.
    let file = tempfile::Builder::new().suffix(".xlsx").tempfile().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let script = "import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(json.dumps([[ws.title, [[[c.value, c.data_type] for c in row] for row in ws.iter_rows()]] for ws in wb.worksheets], default=str))";
    let out = std::process::Command::new(&python)
        .args(["-c", script])
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e} (scripts/setup.sh --test installs openpyxl)"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn the_scan_log_exports_as_csv_and_xlsx_masked_unless_asked_and_audited() {
    let c = ctx().await;
    let (_v, _id) = c.approved("13800000001", 1).await;
    let token = token_of(&c, &links(&c, "13800000001").await[0]).await;
    visit_day(&c);
    let gate = south_gate(&c).await;
    let guard = c.app.staff("G0001").await;
    let v: Verdict = c.app.call_json(&guard, "guard_scan", json!({"gate_id": gate, "direction": "in", "input": {"qr": token}})).await.unwrap();
    assert!(v.allow);
    let admin = c.app.staff("S0001").await;

    let (status, kind, csv) = download(&c.app, &admin, "/api/export/scans?format=csv").await;
    assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "Excel reads UTF-8 by its mark");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "时间,校区,校门,方向,结果,原因,离线,冲突,类型,持证人,核验人 / 设备");
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains("南门") && lines[1].contains(",李*,") && !text.contains("李雷"), "masked by default: {text}");
    let (_, _, full) = download(&c.app, &admin, "/api/export/scans?format=csv&unmasked=true&lang=en").await;
    let full = String::from_utf8(full[3..].to_vec()).unwrap();
    assert!(full.starts_with("Time,Campus,Gate,") && full.contains(",李雷,"), "{full}");

    // Compressed on the way, as a browser asks: the whole file arrives.
    for format in ["csv", "xlsx"] {
        let res = admin.get(format!("{}/api/export/scans?format={format}", c.app.base)).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(res.headers()["content-encoding"], "gzip");
        assert!(res.bytes().await.is_ok(), "{format}: the download ended early");
    }
    let (status, kind, xlsx) = download(&c.app, &admin, &format!("/api/export/scans?format=xlsx&gate_id={gate}")).await;
    assert_eq!((status, kind.as_str()), (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    let sheets = read_xlsx(&xlsx);
    assert_eq!(sheets.len(), 1);
    let (title, rows) = &sheets[0];
    assert_eq!(title, "scan-log");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0].0, json!("时间"));
    assert_eq!(rows[1][9].0, json!("李*"));
    // Filtered to another gate: the headers only.
    let (_, _, none) = download(&c.app, &admin, "/api/export/scans?format=xlsx&gate_id=no-such-gate").await;
    assert_eq!(read_xlsx(&none)[0].1.len(), 1);

    let exports: Vec<(String, String)> = sqlx::query_as("SELECT record_kind, changes FROM audit_log WHERE action = 'export' ORDER BY at, id")
        .fetch_all(&c.app.state.db.read)
        .await
        .unwrap();
    assert_eq!(exports.len(), 6, "{exports:?}");
    assert!(exports.iter().all(|(k, _)| k == "scan-log"));
    assert_eq!(exports.iter().filter(|(_, ch)| ch.contains("\"unmasked\":true")).count(), 1);

    // Nobody else, and nothing audited for them.
    assert_eq!(download(&c.app, &guard, "/api/export/scans?format=csv&unmasked=true").await.0, 403);
    assert_eq!(download(&c.app, &c.app.staff("A1001").await, "/api/export/audit?format=csv").await.0, 403);
    assert_eq!(download(&c.app, &TestApp::browser(), "/api/export/scans?format=csv").await.0, 401);
    assert_eq!(download(&c.app, &admin, "/api/export/scans?format=pdf").await.0, 422);
    assert_eq!(download(&c.app, &admin, "/api/export/passwords?format=csv").await.0, 404);
    assert_eq!(c.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export'").await, 6);
}

#[tokio::test]
async fn a_cell_that_begins_like_a_formula_is_shown_never_run() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let reason = "=HYPERLINK(\"http://evil.example\",\"点我\")";
    let _: String = app
        .call(&admin, "add_to_blacklist", &[("kind", "Mobile"), ("doc_type", "ResidentId"), ("value", "13800000009"), ("reason", reason)])
        .await
        .unwrap();
    let (_, _, csv) = download(&app, &admin, "/api/export/blacklist?format=csv").await;
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\")\""), "{text}");
    let (_, _, xlsx) = download(&app, &admin, "/api/export/blacklist?format=xlsx").await;
    let rows = &read_xlsx(&xlsx)[0].1;
    let cell = &rows[1][2];
    assert_eq!(cell.1, "s", "a text cell, not a formula: {cell:?}");
    assert_eq!(cell.0, json!(format!("'{reason}")));
    assert_eq!(rows[1][1].0, json!("138****0009"), "the blacklist keeps masked numbers only");
    // The audit trail exports too, with this export's own entry in it.
    let (_, _, audit) = download(&app, &admin, "/api/export/audit?format=csv").await;
    assert!(String::from_utf8_lossy(&audit).contains("blacklist"));
}

#[tokio::test]
async fn the_audit_trail_is_searched_by_who_what_which_record_and_when_and_exported_as_searched() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let host = app.staff("T1001").await;
    let _: String = app
        .call(&admin, "add_to_blacklist", &[("kind", "Mobile"), ("doc_type", "ResidentId"), ("value", "13800000009"), ("reason", "测试")])
        .await
        .unwrap();
    let _: () = app.call(&host, "set_arrival_texts", &[("on", "false")]).await.unwrap();
    let search = |actor: &'static str, action: &'static str, record: &'static str, from: &'static str, to: &'static str| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let rows: Vec<app::office::AuditView> = app
                .call(&admin, "list_audit", &[("actor", actor), ("action", action), ("record", record), ("from", from), ("to", to), ("offset", "0")])
                .await
                .unwrap();
            rows
        }
    };
    let all = search("", "", "", "", "").await;
    assert!(all.len() >= 2);
    let by_host = search("T1001", "", "", "", "").await;
    assert!(by_host.len() < all.len() && by_host.iter().all(|r| r.actor.contains("T1001")), "{by_host:?}");
    assert!(by_host.iter().any(|r| r.action == "set_arrival_texts"));
    assert_eq!(search("", "set_arrival_texts", "", "", "").await.len(), 1);
    assert!(search("", "", "blacklist", "", "").await.iter().all(|r| r.record_kind == "blacklist"));
    assert!(search("%", "", "", "", "").await.is_empty(), "a wildcard typed is a character searched for");
    let today = app.state.clock.format(app.state.clock.now_ms())[..10].to_owned();
    let today: &'static str = Box::leak(today.into_boxed_str());
    assert_eq!(search("", "", "", today, today).await.len(), all.len());
    assert!(search("", "", "", "2099-01-01", "").await.is_empty());
    // The export holds what the search found.
    let (_, _, csv) = download(&app, &admin, "/api/export/audit?format=csv&actor=T1001&action=set_arrival_texts").await;
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("set_arrival_texts"));
}

#[tokio::test]
async fn personnel_lists_export_as_filtered_with_mobiles_masked_unless_asked() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let (status, _, csv) = download(&app, &admin, "/api/export/staff?format=csv").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "工号,姓名,部门,手机号,状态");
    assert_eq!(lines.len() as i64, 1 + app.count("SELECT COUNT(*) FROM staff").await);
    assert!(lines.iter().any(|l| l.starts_with("T1001,张伟,计算机学院,137****")), "{text}");
    assert!(!text.contains("1370000"), "mobiles masked: {text}");
    let (_, _, csv) = download(&app, &admin, "/api/export/staff?format=csv&unmasked=true&query=T1001").await;
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 2, "as filtered: {text}");
    assert!(text.contains(",1370000"), "{text}");

    // Households, one member a row, read back by openpyxl; the resident office may export them.
    let office = app.staff("R0001").await;
    let (status, _, xlsx) = download(&app, &office, "/api/export/households?format=xlsx").await;
    assert_eq!(status, 200);
    let sheets = read_xlsx(&xlsx);
    let rows = &sheets[0].1;
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|(v, _)| v.as_str().unwrap_or_default().to_owned()).collect()).collect();
    assert_eq!(cells[0], ["校区", "小区名称", "楼栋号", "门牌号", "已领纸质通行证", "姓名", "手机号", "证件号码", "户主"]);
    assert_eq!(cells.len() as i64, 1 + app.count("SELECT COUNT(*) FROM residents").await);
    let wu = cells.iter().find(|r| r[5] == "吴芳").expect("the demo householder");
    assert_eq!((wu[6].as_str(), wu[8].as_str()), ("139****9000", "是"));
    assert!(wu[7].contains('*'), "documents always masked: {wu:?}");
    // The resident office exports households only; a guard nothing.
    assert_eq!(download(&app, &office, "/api/export/staff?format=csv").await.0, 403);
    let guard = app.staff("G0001").await;
    assert_eq!(download(&app, &guard, "/api/export/households?format=csv").await.0, 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND record_kind = 'staff'").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND record_kind = 'households' AND actor LIKE '%R0001%'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export'").await, 3, "refused exports are not written");
}
