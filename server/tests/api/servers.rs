//! Several servers on one PostgreSQL behind a load balancer (Debian's
//! haproxy), as a campus scales out: a single-use pass scanned at once
//! through all of them admits one person; a server killed under load loses
//! and doubles nothing; the upkeep every server runs (SMS retries, expiry)
//! happens once. PostgreSQL only: one SQLite file has one server.

use crate::applications::id_number;
use crate::process::{Server, call, client, form_call, start, visit_day};
use crate::sms::{KEY_ID, SECRET, Shared, fake_cloud, url_decode_form};
use crate::support::fresh_database_url;
use campus_pass_server::demo::DEMO_PASSWORD;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// haproxy in front of `backends`, round robin, checking each every 200 ms
/// so a dead one leaves the rotation at once; a request that cannot reach
/// one is tried on another.
struct Balancer {
    child: Child,
    base: String,
}

impl Balancer {
    async fn start(dir: &std::path::Path, backends: &[&Server]) -> Balancer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let servers: String = backends
            .iter()
            .enumerate()
            .map(|(i, s)| format!("    server s{i} {} check inter 200ms fall 1 rise 1\n", s.base.trim_start_matches("http://")))
            .collect();
        let config = format!(
            "global\n    maxconn 2000\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 30s\n    timeout server 30s\n    \
             retries 3\n    option redispatch 1\n    option http-server-close\n\
             frontend campus\n    bind 127.0.0.1:{port}\n    default_backend servers\n\
             backend servers\n    balance roundrobin\n    option httpchk GET /api/health\n{servers}"
        );
        let path = dir.join("haproxy.cfg");
        std::fs::write(&path, config).unwrap();
        let mut child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy (scripts/setup.sh --test installs it)");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{base}/api/health")).await.is_ok_and(|r| r.status().is_success()) {
                return Balancer { child, base };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("haproxy did not start");
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SMS texts the fake cloud received for `phone`, as (template, params).
fn texts_to(fake: &Shared, phone: &str) -> Vec<(String, String)> {
    let f = fake.lock().unwrap();
    f.hits
        .iter()
        .map(|b| url_decode_form(b).into_iter().collect::<HashMap<String, String>>())
        .filter(|p| p.get("PhoneNumbers").map(String::as_str) == Some(phone))
        .map(|p| (p.get("TemplateCode").cloned().unwrap_or_default(), p.get("TemplateParam").cloned().unwrap_or_default()))
        .collect()
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within 20 s");
}

#[tokio::test]
async fn three_servers_on_one_database_behave_as_one() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let (database_url, backend) = fresh_database_url(dir.path()).await;
    if backend != "postgres" {
        eprintln!("several servers need PostgreSQL: skipped on {backend}");
        return;
    }
    // Every server texts through the same (fake) cloud, which counts.
    let fake: Shared = Arc::default();
    let cloud = format!("{}/", fake_cloud(fake.clone()).await);
    let env: Vec<(&str, &str)> = vec![
        ("CAMPUS_PASS_SMS_PROVIDER", "aliyun"),
        ("CAMPUS_PASS_SMS__ACCESS_KEY_ID", KEY_ID),
        ("CAMPUS_PASS_SMS__ACCESS_KEY_SECRET", SECRET),
        ("CAMPUS_PASS_SMS__SIGN_NAME", "校园通行"),
        ("CAMPUS_PASS_SMS__ENDPOINT", &cloud),
        ("CAMPUS_PASS_SMS__TEMPLATES__SIGN_IN_CODE", "SMS_100"),
        ("CAMPUS_PASS_SMS__TEMPLATES__NEW_REQUEST", "SMS_150"),
        ("CAMPUS_PASS_SMS__TEMPLATES__DECISION", "SMS_200"),
        ("CAMPUS_PASS_SMS__TEMPLATES__APPROVED_ENTRANT", "SMS_300"),
        ("CAMPUS_PASS_UPKEEP_SECONDS", "1"),
    ];
    // The first seeds the demo campus; the others find it there.
    let first = start(&database_url, dir.path(), &env).await;
    let (second, third) = (start(&database_url, dir.path(), &env).await, start(&database_url, dir.path(), &env).await);
    let lb = Balancer::start(dir.path(), &[&first, &second, &third]).await;
    let base = lb.base.clone();
    let db = sqlx::AnyPool::connect(&database_url).await.unwrap();

    // A visitor, approved by host and department, through the balancer.
    let phone = "13800000301";
    let visitor = client("10.0.3.1");
    form_call(&visitor, &base, "request_sms_code", &[("phone", phone)]).await;
    let code = texts_to(&fake, phone).last().unwrap().1.chars().filter(char::is_ascii_digit).collect::<String>();
    form_call(&visitor, &base, "sign_in_with_sms", &[("phone", phone), ("code", &code)]).await;
    let setup = call(&visitor, &base, "application_form_setup", json!({"kind": "Visitor", "invitation": null})).await.unwrap();
    let (host,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE staff_no = 'T1001'").fetch_one(&db).await.unwrap();
    let (host_phone,): (String,) = sqlx::query_as("SELECT phone FROM staff WHERE staff_no = 'T1001'").fetch_one(&db).await.unwrap();
    let doc = id_number(301);
    let form = json!({"kind": "Visitor", "host_staff_id": host, "campus_id": setup["campuses"][0]["id"], "reason_id": setup["reasons"][0]["id"],
        "start_date": visit_day(), "end_date": visit_day(), "plate": "", "note": "", "doc_consent": true,
        "entrants": [{"name": "李雷", "phone": phone, "doc_type": "ResidentId", "doc_number": doc, "in_vehicle": false, "face_photo": null, "face_consent": false}]});
    // The host's "new request" text fails once at the cloud: the retry job
    // (every server runs it) must send it once more, not three times.
    fake.lock().unwrap().fail_first = 1;
    let id = call(&visitor, &base, "submit_application", json!({"form": form, "idempotency_key": "k1", "invitation": null})).await.unwrap();
    let id = id.as_str().unwrap().to_owned();
    let new_requests = || texts_to(&fake, &host_phone).into_iter().filter(|(template, _)| template == "SMS_150").count();
    wait_for("the host's text tried", async || new_requests() == 1).await;
    for staff_no in ["T1001", "A1001"] {
        let c = client("10.0.3.2");
        form_call(&c, &base, "sign_in_with_password", &[("staff_no", staff_no), ("password", DEMO_PASSWORD)]).await;
        let detail = call(&c, &base, "get_application", json!({"id": id})).await.unwrap();
        call(&c, &base, "act_on_application", json!({"id": id, "action": "Approve", "version": detail["row"]["version"], "note": "", "edits": null}))
            .await
            .unwrap();
    }
    // Its back-off over at once (rather than waiting a minute).
    sqlx::query("UPDATE sms_outbox SET next_attempt_at = 0 WHERE status = 'failed' AND phone = $1").bind(&host_phone).execute(&db).await.unwrap();
    wait_for("the retry sent", async || new_requests() >= 2).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(new_requests(), 2, "tried once, retried once: not once per server");

    // The pass made single-use and valid now; a device at the south gate.
    sqlx::query("UPDATE passes SET single_use = 1, valid_from = $1 WHERE application_id = $2")
        .bind(chrono::Utc::now().timestamp_millis() - 3_600_000)
        .bind(&id)
        .execute(&db)
        .await
        .unwrap();
    let admin = client("10.0.3.3");
    form_call(&admin, &base, "sign_in_with_password", &[("staff_no", "S0001"), ("password", DEMO_PASSWORD)]).await;
    let (gate,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = '南门'").fetch_one(&db).await.unwrap();
    let key = form_call(&admin, &base, "register_device", &[("gate_id", &gate), ("name", "闸机")]).await.as_str().unwrap().to_owned();

    // 100 scans of the one single-use pass at once, spread over the three.
    let scans = (0..100).map(|_| {
        let (base, key, doc) = (base.clone(), key.clone(), doc.clone());
        tokio::spawn(async move {
            let res = reqwest::Client::new()
                .post(format!("{base}/api/gate/v1/check"))
                .bearer_auth(&key)
                .json(&json!({"direction": "in", "id_number": doc}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200);
            res.json::<Value>().await.unwrap()
        })
    });
    let verdicts: Vec<Value> = futures::future::join_all(scans).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(verdicts.iter().filter(|v| v["allow"] == json!(true)).count(), 1, "one admission");
    assert_eq!(verdicts.iter().filter(|v| v["reason"] == json!("already_used")).count(), 99);
    let (served,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM scan_events WHERE allowed = 1").fetch_one(&db).await.unwrap();
    assert_eq!(served, 1);

    // The period over: every server's expiry job sees it; one expires it.
    sqlx::query("UPDATE applications SET end_date = '2000-01-01' WHERE id = $1").bind(&id).execute(&db).await.unwrap();
    wait_for("expired", async || {
        let (s,): (String,) = sqlx::query_as("SELECT status FROM applications WHERE id = $1").bind(&id).fetch_one(&db).await.unwrap();
        s != "approved"
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (expiries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND actor = 'system'")
        .bind(&id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(expiries, 1, "expired once, not once per server");

    // A load of scans, each retried with its id until answered; one server
    // killed in the middle. Every scan is recorded, none twice.
    let answered = Arc::new(Mutex::new(HashSet::<String>::new()));
    let load: Vec<_> = (0..6u32)
        .map(|w| {
            let (base, key, answered) = (base.clone(), key.clone(), answered.clone());
            tokio::spawn(async move {
                let c = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                for n in 0..150u32 {
                    let event_id = format!("w{w}-{n}");
                    let body = json!({"direction": "in", "plate": format!("京A{:05}", w * 1000 + n), "event_id": event_id});
                    for _attempt in 0..50 {
                        if let Ok(res) = c.post(format!("{base}/api/gate/v1/check")).bearer_auth(&key).json(&body).send().await
                            && res.status().is_success()
                            && res.bytes().await.is_ok()
                        {
                            answered.lock().unwrap().insert(event_id.clone());
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            })
        })
        .collect();
    for _ in 0..600 {
        if answered.lock().unwrap().len() >= 150 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut second = second;
    second.child.kill().unwrap();
    second.child.wait().unwrap();
    for task in load {
        task.await.unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    assert_eq!(answered.len(), 900, "every scan answered in the end");
    let (device,): (String,) = sqlx::query_as("SELECT id FROM gate_devices").fetch_one(&db).await.unwrap();
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT event_key, COUNT(*) FROM scan_events WHERE device_id = $1 AND event_key LIKE '%:w%' GROUP BY event_key")
            .bind(&device)
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(rows.iter().all(|(_, n)| *n == 1), "no scan recorded twice");
    let stored: HashSet<String> = rows.into_iter().map(|(k, _)| k).collect();
    assert!(answered.iter().all(|e| stored.contains(&format!("device:{device}:{e}"))), "no answered scan lost");
    drop((lb, first, third));
}
