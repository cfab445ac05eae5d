//! Directory sync against a real OpenLDAP server (Debian's slapd, started
//! by `scripts/test.sh` through `scripts/ldap/start.sh`; its URL in
//! `CAMPUS_PASS_TEST_LDAP`). Each test writes its own `ou=` under the
//! suffix and syncs from there. Without the variable the tests say so and
//! pass: `cargo test` alone needs no slapd.

use crate::support::TestApp;
use app::components::Me;
use app::directory::DirectorySyncRun;
use ldap3::{LdapConnAsync, Mod};
use std::collections::HashSet;

const SUFFIX: &str = "dc=campus,dc=test";

pub fn ldap_server() -> Option<String> {
    let url = std::env::var("CAMPUS_PASS_TEST_LDAP").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("CAMPUS_PASS_TEST_LDAP is not set: the directory tests did not run (scripts/test.sh starts slapd)");
    }
    url
}

/// A person in the test directory.
pub struct Person<'a> {
    pub uid: &'a str,
    pub staff_no: &'a str,
    pub name: &'a str,
    pub dept: &'a str,
    pub dept_name: &'a str,
    pub mobile: &'a str,
}

/// The test's own branch of the directory, written as its administrator.
pub struct Branch {
    pub url: String,
    pub base: String,
    ldap: ldap3::Ldap,
}

impl Branch {
    pub async fn new(url: &str) -> Branch {
        let (conn, mut ldap) = LdapConnAsync::new(url).await.expect("connect to the test slapd");
        ldap3::drive!(conn);
        ldap.simple_bind(&format!("cn=admin,{SUFFIX}"), "test-admin-secret").await.unwrap().success().unwrap();
        let base = format!("ou=t{},{SUFFIX}", uuid::Uuid::new_v4().simple());
        let ou = base.split(',').next().unwrap().trim_start_matches("ou=").to_owned();
        ldap.add(&base, vec![("objectClass", HashSet::from(["organizationalUnit"])), ("ou", HashSet::from([ou.as_str()]))])
            .await
            .unwrap()
            .success()
            .unwrap();
        Branch { url: url.to_owned(), base, ldap }
    }

    pub fn dn(&self, uid: &str) -> String {
        format!("uid={uid},{}", self.base)
    }

    pub async fn add(&mut self, p: &Person<'_>) {
        let dn = self.dn(p.uid);
        let mut attrs = vec![
            ("objectClass", HashSet::from(["inetOrgPerson"])),
            ("uid", HashSet::from([p.uid])),
            ("cn", HashSet::from([p.name])),
            ("sn", HashSet::from([p.name])),
            ("employeeNumber", HashSet::from([p.staff_no])),
            ("departmentNumber", HashSet::from([p.dept])),
            ("ou", HashSet::from([p.dept_name])),
        ];
        if !p.mobile.is_empty() {
            attrs.push(("mobile", HashSet::from([p.mobile])));
        }
        self.ldap.add(&dn, attrs).await.unwrap().success().unwrap();
    }

    pub async fn replace(&mut self, uid: &str, attr: &str, value: &str) {
        self.ldap.modify(&self.dn(uid), vec![Mod::Replace(attr, HashSet::from([value]))]).await.unwrap().success().unwrap();
    }

    pub async fn delete(&mut self, uid: &str) {
        self.ldap.delete(&self.dn(uid)).await.unwrap().success().unwrap();
    }

    /// The sync's settings for this branch.
    pub fn configure(&self, c: &mut app::platform::config::Config) {
        c.ldap.url = self.url.clone();
        c.ldap.bind_dn = format!("cn=campus-pass,{SUFFIX}");
        c.ldap.bind_password = Some(secrecy::SecretString::from("test-bind-secret"));
        c.ldap.base_dn = self.base.clone();
        // The test server pages at most 50 entries (scripts/ldap/start.sh).
        c.ldap.page_size = 40;
    }
}

async fn sync(app: &TestApp, admin: &reqwest::Client, dry_run: bool) -> DirectorySyncRun {
    let run: Option<DirectorySyncRun> =
        app.call(admin, "sync_directory", &[("dry_run", if dry_run { "true" } else { "false" })]).await.expect("sync answered");
    run.expect("a manual sync always runs")
}

async fn staff(app: &TestApp, staff_no: &str) -> (String, String, i64, i64) {
    sqlx::query_as(
        "SELECT s.name, d.code, s.active, s.directory_managed FROM staff s JOIN departments d ON d.id = s.department_id WHERE s.staff_no = $1",
    )
    .bind(staff_no)
    .fetch_one(&app.state.db.read)
    .await
    .unwrap()
}

const CS: (&str, &str) = ("CS", "计算机学院");

#[tokio::test]
async fn a_sync_follows_a_newcomer_a_rename_a_transfer_and_a_departure() {
    let Some(url) = ldap_server() else { return };
    let mut dir = Branch::new(&url).await;
    let p = |uid, staff_no, name, (dept, dept_name): (&'static str, &'static str), mobile| Person { uid, staff_no, name, dept, dept_name, mobile };
    dir.add(&p("wangfang", "A1001", "王芳", CS, "13900001001")).await;
    dir.add(&p("zhangwei", "T1001", "张伟", CS, "")).await;
    dir.add(&p("hanmeimei", "T3001", "韩梅梅", ("CHEM", "化学学院"), "13900003001")).await;
    let app = TestApp::spawn_with(|c| dir.configure(c)).await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let before = app.count("SELECT COUNT(*) FROM staff").await;

    // The dry run shows what would change, and changes nothing.
    let preview = sync(&app, &admin, true).await;
    assert_eq!(preview.outcome, "dry_run");
    let plan = preview.plan.unwrap();
    assert_eq!(plan.new_departments, vec![("CHEM".to_owned(), "化学学院".to_owned())]);
    assert_eq!(plan.added.iter().map(|a| a.staff_no.as_str()).collect::<Vec<_>>(), ["T3001"]);
    assert!(plan.deactivated.is_empty(), "nobody is directory-managed yet: {plan:?}");
    assert!(plan.kept_local.contains(&"S0001".to_owned()));
    assert_eq!(app.count("SELECT COUNT(*) FROM staff").await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM departments WHERE code = 'CHEM'").await, 0);

    let first = sync(&app, &admin, false).await;
    assert_eq!(first.outcome, "applied", "{first:?}");
    assert_eq!(staff(&app, "T3001").await, ("韩梅梅".into(), "CHEM".into(), 1, 1));
    assert_eq!(staff(&app, "A1001").await.3, 1, "matched, so managed from now on");
    assert_eq!(staff(&app, "S0001").await.2, 1, "a local account is kept");

    // T1001 is signed in; A1001 approves for CS.
    let t1001 = app.staff("T1001").await;
    let cs_grants = "SELECT COUNT(*) FROM grants g JOIN staff s ON s.id = g.staff_id JOIN departments d ON d.id = g.scope_id WHERE s.staff_no = 'A1001' AND d.code = 'CS' AND g.status = 'active'";
    assert_eq!(app.count(cs_grants).await, 1);

    dir.replace("hanmeimei", "cn", "韩梅").await;
    dir.replace("wangfang", "departmentNumber", "HIST").await;
    dir.replace("wangfang", "ou", "历史学院").await;
    dir.delete("zhangwei").await;
    let second = sync(&app, &admin, false).await;
    assert_eq!(second.outcome, "applied", "{second:?}");
    let plan = second.plan.unwrap();
    assert_eq!(plan.deactivated, ["T1001"]);
    assert_eq!(staff(&app, "T3001").await.0, "韩梅");
    assert_eq!(staff(&app, "A1001").await.1, "HIST");
    assert_eq!(app.count(cs_grants).await, 0, "the approver of the department left approves there no more");
    assert_eq!(staff(&app, "T1001").await.2, 0);
    assert!(app.call::<Option<Me>>(&t1001, "current_user", &[]).await.unwrap().is_none(), "the departed's session ended");
    assert_eq!(staff(&app, "S0001").await.2, 1);

    // Nothing more to do; the audit trail has each applied sync.
    assert_eq!(sync(&app, &admin, false).await.outcome, "no_changes");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'directory_sync'").await, 2);
}

#[tokio::test]
async fn a_directory_larger_than_its_size_limit_is_read_in_pages() {
    let Some(url) = ldap_server() else { return };
    let mut dir = Branch::new(&url).await;
    let numbers: Vec<String> = (0..120).map(|i| format!("P{i:04}")).collect();
    for n in &numbers {
        dir.add(&Person { uid: n, staff_no: n, name: "某老师", dept: "CS", dept_name: "计算机学院", mobile: "" }).await;
    }
    let app = TestApp::spawn_with(|c| dir.configure(c)).await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let run = sync(&app, &admin, false).await;
    assert_eq!(run.outcome, "applied", "{run:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM staff WHERE staff_no LIKE 'P%' AND directory_managed = 1").await, 120);
}

#[tokio::test]
async fn a_sync_that_fails_half_way_changes_nothing() {
    let Some(url) = ldap_server() else { return };
    let mut dir = Branch::new(&url).await;
    dir.add(&Person { uid: "zhangwei", staff_no: "T1001", name: "张伟伟", dept: "CS", dept_name: "计算机学院", mobile: "" }).await;
    // A new department that can be added, then one whose name another
    // department here already has: the second insert fails.
    dir.add(&Person { uid: "art", staff_no: "T4001", name: "艺术老师", dept: "ART", dept_name: "艺术学院", mobile: "" }).await;
    dir.add(&Person { uid: "hist2", staff_no: "T4002", name: "历史老师", dept: "HIST2", dept_name: "历史学院", mobile: "" }).await;
    let app = TestApp::spawn_with(|c| dir.configure(c)).await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let staff_before = app.count("SELECT COUNT(*) FROM staff").await;

    let run = sync(&app, &admin, false).await;
    assert_eq!(run.outcome, "failed");
    assert_eq!(run.error, Some(app::i18n::Msg::ErrDirectoryApplyFailed));
    assert_eq!(app.count("SELECT COUNT(*) FROM departments WHERE code IN ('ART', 'HIST2')").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM staff").await, staff_before);
    assert_eq!(staff(&app, "T1001").await.0, "张伟", "the rename before the failure was undone too");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'directory_sync'").await, 0);
    // The office sees the failed run as the latest.
    let state: app::directory::DirectorySyncState = app.call(&admin, "directory_sync_status", &[]).await.unwrap();
    assert_eq!(state.last.unwrap().outcome, "failed");
}

#[tokio::test]
async fn a_wrong_bind_password_or_an_empty_branch_changes_nothing() {
    let Some(url) = ldap_server() else { return };
    let dir = Branch::new(&url).await;
    let app = TestApp::spawn_with(|c| {
        dir.configure(c);
        c.ldap.bind_password = Some(secrecy::SecretString::from("wrong"));
    })
    .await;
    app.seed_demo().await;
    let admin = app.staff("S0001").await;
    let run = sync(&app, &admin, false).await;
    assert_eq!((run.outcome.as_str(), run.error), ("failed", Some(app::i18n::Msg::ErrDirectoryUnavailable)));

    // The right password, but nobody under the base DN: refused, not
    // every directory-managed account deactivated.
    let app = TestApp::spawn_with(|c| dir.configure(c)).await;
    app.seed_demo().await;
    sqlx::query("UPDATE staff SET directory_managed = 1").execute(&app.state.db.write).await.unwrap();
    let admin = app.staff("S0001").await;
    let run = sync(&app, &admin, false).await;
    assert_eq!((run.outcome.as_str(), run.error), ("failed", Some(app::i18n::Msg::ErrDirectoryEmpty)));
    assert_eq!(app.count("SELECT COUNT(*) FROM staff WHERE active = 0").await, 0);
}

#[tokio::test]
async fn the_scheduled_sync_runs_once_per_interval_whoever_asks() {
    let Some(url) = ldap_server() else { return };
    let mut dir = Branch::new(&url).await;
    dir.add(&Person { uid: "zhangwei", staff_no: "T1001", name: "张伟", dept: "CS", dept_name: "计算机学院", mobile: "" }).await;
    let app = TestApp::spawn_with(|c| dir.configure(c)).await;
    app.seed_demo().await;
    // Three servers' minute upkeep at the same moment.
    let (a, b, c) = tokio::join!(
        app::directory::ldap_sync::run_scheduled(&app.state),
        app::directory::ldap_sync::run_scheduled(&app.state),
        app::directory::ldap_sync::run_scheduled(&app.state)
    );
    a.unwrap();
    b.unwrap();
    c.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM directory_syncs").await, 1);
    app.clock.advance(chrono::Duration::minutes(61));
    app::directory::ldap_sync::run_scheduled(&app.state).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM directory_syncs WHERE actor = 'system'").await, 2);
}

#[tokio::test]
async fn only_the_security_admin_syncs() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    for who in ["A1001", "G0001", "R0001"] {
        let c = app.staff(who).await;
        let r = app.call::<Option<DirectorySyncRun>>(&c, "sync_directory", &[("dry_run", "false")]).await;
        assert_eq!(r.unwrap_err().0, 403, "{who}");
    }
    let anonymous = TestApp::browser();
    assert_eq!(app.call::<Option<DirectorySyncRun>>(&anonymous, "sync_directory", &[("dry_run", "true")]).await.unwrap_err().0, 401);
    // Not configured: there is nothing to sync.
    let admin = app.staff("S0001").await;
    assert_eq!(app.call::<Option<DirectorySyncRun>>(&admin, "sync_directory", &[("dry_run", "true")]).await.unwrap_err().0, 404);
}
