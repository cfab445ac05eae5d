//! A crash: the server process killed with SIGKILL in the middle of a write
//! load (gate scans and visitor submissions) loses no write whose answer was
//! sent, and the database is whole afterwards. The real binary, not the
//! in-process server the other tests use: only a process can be killed.

use crate::applications::id_number;
use crate::process::{call, client, form_call, start, visit_day};
use crate::support::fresh_database_url;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test]
async fn a_killed_server_loses_no_answered_write() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let (database_url, backend) = fresh_database_url(dir.path()).await;
    let mut server = start(&database_url, dir.path(), &[]).await;
    let base = server.base.clone();
    let db = sqlx::AnyPool::connect(&database_url).await.unwrap();

    // A device at the south gate, and visitors signed in by SMS.
    let admin = client("10.0.0.1");
    form_call(&admin, &base, "sign_in_with_password", &[("staff_no", "S0001"), ("password", campus_pass_server::demo::DEMO_PASSWORD)]).await;
    let (gate,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = '南门'").fetch_one(&db).await.unwrap();
    let key = form_call(&admin, &base, "register_device", &[("gate_id", &gate), ("name", "车牌识别相机")]).await.as_str().unwrap().to_owned();
    let (host,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE staff_no = 'T1001'").fetch_one(&db).await.unwrap();
    let mut visitors = Vec::new();
    for i in 0..4u32 {
        let phone = format!("1380000{:04}", 100 + i);
        let c = client(&format!("10.0.1.{i}"));
        form_call(&c, &base, "request_sms_code", &[("phone", &phone)]).await;
        let (body,): (String,) =
            sqlx::query_as("SELECT body FROM sms_outbox WHERE phone = $1 AND purpose = 'sign_in_code' ORDER BY created_at DESC LIMIT 1")
                .bind(&phone)
                .fetch_one(&db)
                .await
                .unwrap();
        let code = body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().to_owned();
        form_call(&c, &base, "sign_in_with_sms", &[("phone", &phone), ("code", &code)]).await;
        visitors.push((c, phone));
    }
    let setup = call(&visitors[0].0, &base, "application_form_setup", json!({"kind": "Visitor", "invitation": null})).await.unwrap();
    let (campus, reason) = (setup["campuses"][0]["id"].clone(), setup["reasons"][0]["id"].clone());

    // The load: devices scanning plates and visitors applying, each write
    // kept once its answer has arrived.
    let scans_answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let submissions_answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut load = Vec::new();
    for w in 0..6u32 {
        let (base, key, answered) = (base.clone(), key.clone(), scans_answered.clone());
        load.push(tokio::spawn(async move {
            let c = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
            for n in 0u32.. {
                let event_id = format!("w{w}-{n}");
                let body = json!({"direction": "in", "plate": format!("京A{:05}", (w * 10_000 + n) % 100_000), "event_id": event_id});
                let Ok(res) = c.post(format!("{base}/api/gate/v1/check")).bearer_auth(&key).json(&body).send().await else { return };
                assert!(res.status().is_success(), "scan answered {}", res.status());
                // Answered once the whole answer has arrived.
                if res.bytes().await.is_err() {
                    return;
                }
                answered.lock().unwrap().push(event_id);
            }
        }));
    }
    for (i, (c, phone)) in visitors.into_iter().enumerate() {
        let (base, answered, host, campus, reason) = (base.clone(), submissions_answered.clone(), host.clone(), campus.clone(), reason.clone());
        load.push(tokio::spawn(async move {
            // Within the per-applicant limit of 10 an hour.
            for n in 0..10u32 {
                let entrant = json!({"name": "李雷", "phone": phone, "doc_type": "ResidentId", "doc_number": id_number(i as u32 * 100 + n),
                    "in_vehicle": false, "face_photo": null, "face_consent": false});
                let form = json!({"kind": "Visitor", "host_staff_id": host, "campus_id": campus, "reason_id": reason,
                    "start_date": visit_day(), "end_date": visit_day(), "entrants": [entrant], "plate": "", "note": "", "doc_consent": true});
                match call(
                    &c,
                    &base,
                    "submit_application",
                    json!({"form": form, "idempotency_key": uuid::Uuid::new_v4().to_string(), "invitation": null}),
                )
                .await
                {
                    Ok(id) => answered.lock().unwrap().push(id.as_str().unwrap().to_owned()),
                    Err(Some(refused)) => panic!("{refused}"),
                    Err(None) => return,
                }
                // One application open per person: withdraw it, so the
                // next can be filed (another write under load).
                let id = answered.lock().unwrap().last().cloned().unwrap();
                let detail = match call(&c, &base, "get_application", json!({"id": id})).await {
                    Ok(d) => d,
                    Err(_) => return,
                };
                let version = detail["row"]["version"].clone();
                if call(&c, &base, "act_on_application", json!({"id": id, "action": "Withdraw", "version": version, "note": "", "edits": null}))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }));
    }
    // Once the load is well under way, kill the process without warning.
    for _ in 0..600 {
        if scans_answered.lock().unwrap().len() >= 100 && submissions_answered.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for task in load {
        task.await.unwrap();
    }
    let scans: Vec<String> = scans_answered.lock().unwrap().clone();
    let submissions: Vec<String> = submissions_answered.lock().unwrap().clone();
    assert!(scans.len() >= 100 && submissions.len() >= 2, "the kill came during the load ({} scans, {} submissions)", scans.len(), submissions.len());

    // Back up on the same database: every answered write is there.
    drop(db);
    let server = start(&database_url, dir.path(), &[]).await;
    let db = sqlx::AnyPool::connect(&database_url).await.unwrap();
    let (device,): (String,) = sqlx::query_as("SELECT id FROM gate_devices").fetch_one(&db).await.unwrap();
    let stored: Vec<(String,)> = sqlx::query_as("SELECT event_key FROM scan_events WHERE device_id = $1").bind(&device).fetch_all(&db).await.unwrap();
    let stored: std::collections::HashSet<String> = stored.into_iter().map(|(k,)| k).collect();
    let lost: Vec<&String> = scans.iter().filter(|e| !stored.contains(&format!("device:{device}:{e}"))).collect();
    assert!(lost.is_empty(), "{backend}: {} of {} answered scans lost, e.g. {:?}", lost.len(), scans.len(), lost.first());
    for id in &submissions {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM entrants WHERE application_id = $1").bind(id).fetch_one(&db).await.unwrap();
        assert_eq!(n, 1, "{backend}: answered application {id} and its entrant are there");
    }
    // Nothing half-written: no application without its entrant.
    let (orphans,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM entrants e WHERE e.application_id = a.id)")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(orphans, 0);
    if backend == "sqlite" {
        let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&db).await.unwrap();
        assert_eq!(check, "ok");
    }
    // And it serves again: the device's next scan is answered.
    let res = reqwest::Client::new()
        .post(format!("{}/api/gate/v1/check", server.base))
        .bearer_auth(&key)
        .json(&json!({"direction": "in", "plate": "京B00001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    drop(server);
}
