//! Staff sign-in through a real CAS 3.0 server (django-mama-cas, started by
//! `scripts/test.sh` with `scripts/cas/users.json`; its address in
//! `CAMPUS_PASS_TEST_CAS`, e.g. `http://127.0.0.1:8771/cas`). Without that
//! variable these tests say so and pass: `cargo test` alone needs no Python.

use crate::support::TestApp;
use app::components::{Me, MeKind};

const PASSWORD: &str = "Cas-test-2026";

fn cas_server() -> Option<String> {
    let url = std::env::var("CAMPUS_PASS_TEST_CAS").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("CAMPUS_PASS_TEST_CAS is not set: the CAS tests did not run (scripts/test.sh starts a CAS server)");
    }
    url
}

async fn app_with_cas(cas: &str) -> TestApp {
    let cas = cas.to_owned();
    let app = TestApp::spawn_with(move |c| {
        c.cas.server_url = cas;
        c.cas.staff_number_attribute = "employeeNumber".into();
    })
    .await;
    app.seed_demo().await;
    app
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// Signs in at the CAS server's own form as `username` for `service` (or
/// goes straight through on a CAS session the browser already has), and
/// returns where CAS sends the browser: the service with `?ticket=`.
async fn cas_login(browser: &reqwest::Client, login_url: &str, username: &str) -> String {
    let page = browser.get(login_url).send().await.unwrap();
    if page.status().is_redirection() {
        return location(&page);
    }
    let html = page.text().await.unwrap();
    let csrf = html.split("name=\"csrfmiddlewaretoken\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("CAS login form");
    let res = browser.post(login_url).form(&[("csrfmiddlewaretoken", csrf), ("username", username), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(res.status(), 302, "CAS signed {username} in");
    location(&res)
}

/// The CAS login address for this server's service.
fn login_for(cas: &str, app: &TestApp) -> String {
    let service = format!("{}/auth/cas/callback", app.base);
    format!("{cas}/login?service={}", percent_encoding::utf8_percent_encode(&service, percent_encoding::NON_ALPHANUMERIC))
}

/// A browser signed in here through CAS as `username`, and the ticket it used.
async fn signed_in_at_cas(app: &TestApp, cas: &str, username: &str) -> (reqwest::Client, String) {
    let browser = TestApp::browser();
    let ticket = ticket_in(&cas_login(&browser, &login_for(cas, app), username).await);
    assert_eq!(present(app, &browser, &ticket).await, ("/".to_owned(), true));
    (browser, ticket)
}

fn ticket_in(url: &str) -> String {
    url.split("ticket=").nth(1).expect("a ticket").to_owned()
}

/// Our callback's answer to a ticket: where it sends the browser, and whether a session cookie came with it.
async fn present(app: &TestApp, browser: &reqwest::Client, ticket: &str) -> (String, bool) {
    let res = browser.get(format!("{}/auth/cas/callback?ticket={ticket}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let signed_in = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("cp_session=") && !c.to_str().unwrap().starts_with("cp_session=;"));
    (location(&res), signed_in)
}

#[tokio::test]
async fn a_staff_member_signs_in_through_cas_and_lands_where_they_were_going() {
    let Some(cas) = cas_server() else { return };
    let app = app_with_cas(&cas).await;
    let browser = TestApp::browser();
    // The sign-in page offers the campus sign-in.
    let options: app::auth::SignInOptions = app.call(&browser, "sign_in_methods", &[]).await.unwrap();
    assert!(options.cas);

    let res = browser.get(format!("{}/auth/cas?next=%2Fapprovals", app.base)).send().await.unwrap();
    let to_cas = location(&res);
    let service = format!("{}/auth/cas/callback", app.base);
    assert_eq!(to_cas, format!("{cas}/login?service={}", percent_encoding::utf8_percent_encode(&service, percent_encoding::NON_ALPHANUMERIC)));
    let back = cas_login(&browser, &to_cas, "wangfang").await;
    assert!(back.starts_with(&service), "{back}");

    let res = browser.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/approvals");
    let me: Option<Me> = app.call(&browser, "current_user", &[]).await.unwrap();
    let me = me.expect("signed in");
    assert!(matches!(&me.kind, MeKind::Staff { staff_no, .. } if staff_no == "A1001"), "{me:?}");
    assert!(!me.must_change_password, "a CAS account has no password here to change");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in' AND actor = 'staff:A1001' AND changes LIKE '%cas%'").await, 1);

    // Signed in at CAS already: the next sign-in goes straight through.
    let again = TestApp::browser();
    let res = browser.get(format!("{}/auth/cas", app.base)).send().await.unwrap();
    let back = cas_login(&browser, &location(&res), "wangfang").await;
    let (to, signed_in) = present(&app, &again, &ticket_in(&back)).await;
    assert_eq!((to.as_str(), signed_in), ("/", true));
}

#[tokio::test]
async fn a_replayed_or_forged_ticket_or_one_for_another_service_opens_nothing() {
    let Some(cas) = cas_server() else { return };
    let app = app_with_cas(&cas).await;
    let (browser, ticket) = signed_in_at_cas(&app, &cas, "zhangwei").await;

    // The same ticket again, from another browser: CAS has spent it.
    let thief = TestApp::browser();
    assert_eq!(present(&app, &thief, &ticket).await, ("/sign-in/staff?error=ErrCasFailed".to_owned(), false));
    assert!(app.call::<Option<Me>>(&thief, "current_user", &[]).await.unwrap().is_none());
    // Made up, malformed, or empty.
    for forged in ["ST-1-forgedforgedforged", "TGT-1-abc", "", &"ST-".repeat(100)] {
        assert_eq!(present(&app, &thief, forged).await, ("/sign-in/staff?error=ErrCasFailed".to_owned(), false), "{forged}");
    }
    // A good ticket, issued for another application.
    let other = cas_login(&browser, &format!("{cas}/login?service=http%3A%2F%2F127.0.0.1%3A9%2Fother-app"), "zhangwei").await;
    assert!(other.starts_with("http://127.0.0.1:9/other-app"), "{other}");
    assert_eq!(present(&app, &thief, &ticket_in(&other)).await, ("/sign-in/staff?error=ErrCasFailed".to_owned(), false));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE sso_ticket_hash IS NOT NULL").await, 1);
}

#[tokio::test]
async fn someone_the_directory_lacks_or_has_deactivated_is_refused() {
    let Some(cas) = cas_server() else { return };
    let app = app_with_cas(&cas).await;
    let login = login_for(&cas, &app);

    let visiting = TestApp::browser();
    let ticket = ticket_in(&cas_login(&visiting, &login, "visiting").await);
    assert_eq!(present(&app, &visiting, &ticket).await, ("/sign-in/staff?error=ErrCasUnknownStaff".to_owned(), false));

    sqlx::query("UPDATE staff SET active = 0 WHERE staff_no = 'T2001'").execute(&app.state.db.write).await.unwrap();
    let leaver = TestApp::browser();
    let ticket = ticket_in(&cas_login(&leaver, &login, "zhangwei.hist").await);
    assert_eq!(present(&app, &leaver, &ticket).await, ("/sign-in/staff?error=ErrCasStaffInactive".to_owned(), false));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn signing_out_of_cas_ends_the_session_here() {
    let Some(cas) = cas_server() else { return };
    let app = app_with_cas(&cas).await;
    let (browser, _) = signed_in_at_cas(&app, &cas, "zhangwei").await;
    // A session of the same person by password is another sign-in, left open.
    let by_password = app.staff("T1001").await;
    assert!(app.call::<Option<Me>>(&browser, "current_user", &[]).await.unwrap().is_some());

    // CAS posts its logout request to our callback before answering.
    let res = browser.get(format!("{cas}/logout")).send().await.unwrap();
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    assert!(app.call::<Option<Me>>(&browser, "current_user", &[]).await.unwrap().is_none());
    assert!(app.call::<Option<Me>>(&by_password, "current_user", &[]).await.unwrap().is_some());

    // A logout request naming no ticket of ours ends nothing and says so.
    let res = reqwest::Client::new()
        .post(format!("{}/auth/cas/callback", app.base))
        .form(&[("logoutRequest", "<samlp:LogoutRequest/>")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn without_cas_configured_its_routes_do_not_exist() {
    let app = TestApp::spawn().await;
    let browser = TestApp::browser();
    let options: app::auth::SignInOptions = app.call(&browser, "sign_in_methods", &[]).await.unwrap();
    assert!(!options.cas);
    for path in ["/auth/cas", "/auth/cas/callback?ticket=ST-1-x"] {
        let res = browser.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn someone_the_staff_list_lacks_is_added_from_the_directory_when_configured() {
    let (Some(cas), Some(ldap)) = (cas_server(), crate::directory_sync::ldap_server()) else { return };
    let mut dir = crate::directory_sync::Branch::new(&ldap).await;
    dir.add(&crate::directory_sync::Person {
        uid: "visiting", staff_no: "X9999", name: "访问学者", dept: "CS", dept_name: "计算机学院", mobile: ""
    })
    .await;
    let cas_url = cas.clone();
    let app = TestApp::spawn_with(move |c| {
        c.cas.server_url = cas_url;
        c.cas.staff_number_attribute = "employeeNumber".into();
        c.cas.provision = true;
        dir.configure(c);
    })
    .await;
    app.seed_demo().await;
    let login = login_for(&cas, &app);
    let browser = TestApp::browser();
    let ticket = ticket_in(&cas_login(&browser, &login, "visiting").await);
    assert_eq!(present(&app, &browser, &ticket).await, ("/".to_owned(), true));
    let me: Option<Me> = app.call(&browser, "current_user", &[]).await.unwrap();
    assert_eq!(me.unwrap().display_name, "访问学者");
    assert_eq!(app.count("SELECT COUNT(*) FROM staff WHERE staff_no = 'X9999' AND directory_managed = 1 AND active = 1").await, 1);

    // Someone neither has is still refused.
    let nobody = TestApp::browser();
    sqlx::query("DELETE FROM sessions").execute(&app.state.db.write).await.unwrap();
    sqlx::query("UPDATE staff SET staff_no = 'X9998' WHERE staff_no = 'T1001'").execute(&app.state.db.write).await.unwrap();
    let ticket = ticket_in(&cas_login(&nobody, &login, "zhangwei").await);
    assert_eq!(present(&app, &nobody, &ticket).await, ("/sign-in/staff?error=ErrCasUnknownStaff".to_owned(), false));
}
