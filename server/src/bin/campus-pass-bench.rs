//! `campus-pass-bench`: the benchmark harness's Rust side (run by
//! `scripts/bench.sh`, never by the tests).
//!
//!   campus-pass-bench generate DIR [--people N] [--passes N] [--events N] [--database-url URL]
//!       a large campus in DIR/bench.db (or URL): the demo campus, N staff,
//!       N passes over a year (a day's worth valid now), N scan events; then
//!       the inputs of the load runs: QR texts of passes valid now, a device
//!       key, signed-in visitor sessions and the form's ids.
//!   campus-pass-bench qr-video DIR OUT.y4m
//!       a YUV4MPEG2 video of the first multi-use pass's QR, for Chromium's
//!       fake camera.
//!   campus-pass-bench statistics DIR [--database-url URL]
//!       counts the finished days' scans as the servers' upkeep does (timed),
//!       then times each view of the office's statistics over a week, a
//!       month and a year: JSON with the slowest of five runs of each.
//!   campus-pass-bench verify-rate DIR [--seconds S]
//!       the single-core Ed25519 verify rate, through the server's gate path
//!       (`passes::verify`, now the domain's ed25519-dalek verifier) and the
//!       bare domain call.

use app::domain::pass_token::PassClaims;
use app::passes::ssr as passes;
use app::platform::{config::Config, context::AppState, session};
use campus_pass_server::{build_state, demo, system_clock};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args.first().map(String::as_str) {
        Some("generate") => generate(&args[1..]).await,
        Some("verify-rate") => verify_rate(&args[1..]).await,
        Some("statistics") => statistics(&args[1..]).await,
        Some("qr-video") => qr_video(&args[1..]),
        _ => Err("usage: campus-pass-bench generate DIR [--people N] [--passes N] [--events N] [--database-url URL] | verify-rate DIR [--seconds S]"
            .into()),
    };
    if let Err(e) = r {
        eprintln!("campus-pass-bench: {e}");
        std::process::exit(1);
    }
}

fn opt(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn num(args: &[String], name: &str, default: i64) -> Result<i64, Error> {
    Ok(match opt(args, name) {
        Some(v) => v.parse()?,
        None => default,
    })
}

fn config(dir: &Path, url: Option<String>) -> Config {
    Config {
        database_url: url.unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.display())),
        data_dir: dir.to_path_buf(),
        background_jobs: false,
        ..Config::default()
    }
}

async fn state(dir: &Path, url: Option<String>) -> Result<AppState, Error> {
    Ok(build_state(config(dir, url), system_clock()).await?)
}

/// Runs one generated statement, reporting how long it took.
async fn run(st: &AppState, what: &str, sql: &str) -> Result<(), Error> {
    let t = Instant::now();
    let r = sqlx::query(sql).execute(&st.db.write).await?;
    eprintln!("  {what}: {} rows in {:.1} s", r.rows_affected(), t.elapsed().as_secs_f64());
    Ok(())
}

/// Signed-in visitors for the submission rush: each thread of each run
/// (`RUN` in submit.lua) takes 25,000 of them, one per submission.
const RUSH_SESSIONS: i64 = 150_000;

/// `1..=n` as rows `c(n)`, written the same for SQLite and PostgreSQL.
/// BIGINT: on PostgreSQL a plain 1 is a 32-bit integer, and the instants
/// computed from `n` (milliseconds) overflowed it.
fn series(n: i64) -> String {
    format!("WITH RECURSIVE c(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM c WHERE n < {n})")
}

async fn generate(args: &[String]) -> Result<(), Error> {
    let dir = PathBuf::from(args.first().ok_or("generate needs a folder")?);
    std::fs::create_dir_all(&dir)?;
    let people = num(args, "--people", 50_000)?;
    let pass_count = num(args, "--passes", 1_000_000)?;
    let events = num(args, "--events", 10_000_000)?;
    let st = state(&dir, opt(args, "--database-url")).await?;
    let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM passes").fetch_one(&st.db.read).await?;
    if existing > 0 {
        return Err(format!("{} already holds {existing} passes; remove it to generate again", st.config.database_url).into());
    }
    demo::seed_if_empty(&st).await?;
    let now = st.clock.now_ms();
    let day: i64 = 86_400_000;
    // Written out: `365 * 86400000` overflows PostgreSQL's 32-bit integer.
    let year = 365 * day;
    let ids = |sql: &'static str| {
        let st = st.clone();
        async move { sqlx::query_as::<_, (String,)>(sql).fetch_all(&st.db.read).await.map(|v| v.into_iter().map(|r| r.0).collect::<Vec<_>>()) }
    };
    let departments = ids("SELECT id FROM departments ORDER BY code").await?;
    let (campus,): (String,) = sqlx::query_as("SELECT id FROM campuses WHERE name = '主校区'").fetch_one(&st.db.read).await?;
    let gates = ids("SELECT g.id FROM gates g JOIN campuses c ON c.id = g.campus_id WHERE c.name = '主校区' ORDER BY g.created_at").await?;
    let reasons = ids("SELECT id FROM visit_reasons ORDER BY sort, created_at").await?;
    let pick = |list: &[String], expr: &str| -> String {
        let mut s = format!("CASE ({expr}) % {}", list.len());
        for (i, id) in list.iter().enumerate() {
            s.push_str(&format!(" WHEN {i} THEN '{id}'"));
        }
        s.push_str(" END");
        s
    };
    let (host,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE staff_no = 'T1001'").fetch_one(&st.db.read).await?;
    let apps = pass_count / 2;
    // Passes spread over the past year and the coming week, ~ a day's worth
    // valid now: the shape a year of real use leaves.
    let span_days = 372;
    let start_of = |n: &str| format!("({now} - {year} + ({n}) * {span_days} * {day} / {apps})");
    eprintln!("generating {people} people, {pass_count} passes, {events} scan events into {}", st.config.database_url);
    if st.db.backend == app::platform::db::Backend::Sqlite {
        sqlx::query("PRAGMA synchronous=OFF").execute(&st.db.write).await?;
    }
    run(
        &st,
        "staff",
        &format!(
            "INSERT INTO staff (id, staff_no, name, department_id, phone, password_hash, must_change_password, active, created_at, updated_at)
         {} SELECT 'gen-staff-' || n, 'B' || n, '职工' || n, {}, NULL, NULL, 1, 1, {now}, {now} FROM c",
            series(people),
            pick(&departments, "n")
        ),
    )
    .await?;
    run(&st, "applications", &format!(
        "INSERT INTO applications (id, kind, status, version, applicant_phone, host_staff_id, department_id, campus_id, reason_id, note,
                                   start_date, end_date, plate, chain, created_at, updated_at)
         {} SELECT 'gen-app-' || n, 'visitor', CASE WHEN {start} + {day} < {now} THEN 'completed' ELSE 'approved' END, 2,
                '13' || (100000000 + n), '{host}', '{dept}', '{campus}', {reason}, '', '2026-01-01', '2026-01-01', NULL, '[]', {start} - {day}, {start} - {day}
         FROM c",
        series(apps), start = start_of("n"), dept = departments[0], reason = pick(&reasons, "n"))).await?;
    // Every other visitor of the rush is returning: last year's application
    // (ended) still holds the claim on their mobile, which the new one takes
    // over. Their phones are the sessions' (see `write_inputs`).
    run(
        &st,
        "claims of returning visitors",
        &format!(
            "INSERT INTO application_claims (kind, claim_key, application_id)
         {} SELECT 'mobile', '186' || (10000000 + 2 * (n - 1)), 'gen-app-' || n FROM c",
            series(apps.min(RUSH_SESSIONS / 2))
        ),
    )
    .await?;
    run(
        &st,
        "entrants",
        &format!(
            "INSERT INTO entrants (id, application_id, position, name, phone, doc_type, doc_sealed, doc_mac, doc_masked, in_vehicle)
         {} SELECT 'gen-ent-' || n, 'gen-app-' || ((n + 1) / 2), (n + 1) % 2, '访客' || n, '15' || (100000000 + n), 'resident_id',
                'generated', 'gen-mac-' || n, '1101**********' || (1000 + n % 9000), 0
         FROM c",
            series(apps * 2)
        ),
    )
    .await?;
    // One in ten is single use, like residents' day passes.
    run(
        &st,
        "passes",
        &format!(
            "INSERT INTO passes (id, application_id, entrant_id, kind, vehicle, holder, campus_id, valid_from, valid_until, single_use,
                             link_hash, link_sealed, created_at, updated_at)
         {} SELECT 'gen-pass-' || n, 'gen-app-' || ((n + 1) / 2), 'gen-ent-' || n, 'visitor', 0, '访客' || n, '{campus}',
                {start}, {start} + {day}, CASE WHEN n % 10 = 0 THEN 1 ELSE 0 END, 'gen-link-' || n, 'generated', {start} - {day}, {start} - {day}
         FROM c",
            series(apps * 2),
            start = start_of("(n + 1) / 2")
        ),
    )
    .await?;
    run(
        &st,
        "scan events",
        &format!(
            "INSERT INTO scan_events (id, event_key, at, recorded_at, campus_id, gate_id, guard, device_id, direction, method, pass_id, plate,
                                  allowed, reason, offline, conflict)
         {} SELECT 'gen-ev-' || n, 'gen:' || n, {now} - {year} + n * ({year} / {events}), {now} - {year} + n * ({year} / {events}),
                '{campus}', {}, 'staff:G0001 孙磊', NULL, CASE WHEN n % 2 = 0 THEN 'in' ELSE 'out' END, 'qr',
                'gen-pass-' || (1 + (n * {pass_count} / {events}) % {pass_count}), NULL,
                CASE WHEN n % 50 = 0 THEN 0 ELSE 1 END, CASE WHEN n % 50 = 0 THEN 'expired' ELSE 'ok' END, 0, 0
         FROM c",
            series(events),
            pick(&gates, "n")
        ),
    )
    .await?;
    // A campus a year into its use has anonymised each day's old visits
    // as it went: today's retention run is done here, so the servers
    // measured do not start the whole year's backlog under the load. How
    // long that first run takes is a figure of its own.
    let started = Instant::now();
    let counts = app::privacy::retention::run_retention(&st, st.config.retention_days.max(30)).await.map_err(|e| format!("retention: {e:?}"))?;
    eprintln!(
        "  retention, first run: {} applications anonymised in {:.1} s",
        counts.map(|c| c.applications).unwrap_or(0),
        started.elapsed().as_secs_f64()
    );
    // A campus's database in use has been vacuumed and analysed by then;
    // a freshly loaded one has not, and PostgreSQL's autovacuum could
    // start on the ten million rows during the measures and take the same
    // two cores. SQLite needs statistics, and its file on disk: it was
    // loaded without syncs, and gigabytes the kernel still had to write
    // back would slow every sync of the measures after (each commit's).
    if st.db.backend == app::platform::db::Backend::Postgres {
        let t = Instant::now();
        // Simple queries, one statement each: VACUUM runs outside any
        // transaction block, an implicit one included.
        sqlx::raw_sql("VACUUM (ANALYZE)").execute(&st.db.write).await?;
        sqlx::raw_sql("CHECKPOINT").execute(&st.db.write).await?;
        eprintln!("  vacuum, analyse and checkpoint: {:.1} s", t.elapsed().as_secs_f64());
    } else {
        run(&st, "analyze", "ANALYZE").await?;
    }
    write_inputs(&st, &dir, now).await?;
    if st.db.backend == app::platform::db::Backend::Sqlite {
        let t = Instant::now();
        // With syncs back on, the checkpoint syncs the database file.
        sqlx::raw_sql("PRAGMA synchronous=FULL; PRAGMA wal_checkpoint(TRUNCATE)").execute(&st.db.write).await?;
        eprintln!("  checkpoint and sync: {:.1} s", t.elapsed().as_secs_f64());
    }
    Ok(())
}

/// The inputs of the load runs, from the generated database.
async fn write_inputs(st: &AppState, dir: &Path, now: i64) -> Result<(), Error> {
    // QR texts of passes valid now (signed as the pass page would).
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, campus_id, valid_from, valid_until, single_use FROM passes WHERE valid_from <= $1 AND valid_until > $1 AND cancelled_at IS NULL",
    )
    .bind(now)
    .fetch_all(&st.db.read)
    .await?;
    let mut qr = String::new();
    for (id, campus_id, valid_from, valid_until, single_use) in &rows {
        let row = passes::PassRow {
            id: id.clone(),
            application_id: String::new(),
            entrant_id: None,
            kind: "visitor".into(),
            vehicle: false,
            holder: String::new(),
            campus_id: campus_id.clone(),
            valid_from: *valid_from,
            valid_until: *valid_until,
            single_use: *single_use != 0,
            used_at: None,
            cancelled_at: None,
        };
        let token = passes::sign(st, &passes::claims_for(&row, now))?;
        qr.push_str(&passes::qr_text(st, &token));
        qr.push('\n');
    }
    std::fs::write(dir.join("qr.txt"), qr)?;
    eprintln!("  {} passes valid now → qr.txt", rows.len());
    // A plate camera at the south gate.
    let (gate,): (String,) = sqlx::query_as("SELECT id FROM gates WHERE name = '南门'").fetch_one(&st.db.read).await?;
    let key = app::platform::keys::random_token(32);
    sqlx::query("INSERT INTO gate_devices (id, gate_id, name, key_hash, active, created_at) VALUES ($1, $2, 'bench turnstile', $3, 1, $4)")
        .bind(app::platform::db::new_id())
        .bind(&gate)
        .bind(app::platform::keys::sha256_hex(key.as_bytes()))
        .bind(now)
        .execute(&st.db.write)
        .await?;
    std::fs::write(dir.join("device.key"), &key)?;
    // Signed-in visitors for the submission rush, one session each (the
    // applicant's mobile is claimed: one open application per visitor);
    // the even ones' mobiles are still claimed by an ended application.
    let sessions = RUSH_SESSIONS;
    let mut cookies = String::with_capacity(sessions as usize * 80);
    let t = session::Timeouts { idle_ms: 30 * 86_400_000, absolute_ms: 30 * 86_400_000 };
    let mut tx = st.db.write.begin().await?;
    for i in 0..sessions {
        let phone = format!("186{}", 10_000_000 + i);
        let token = app::platform::keys::random_token(32);
        sqlx::query("INSERT INTO sessions (id_hash, staff_id, phone, created_at, last_seen_at, expires_at) VALUES ($1, NULL, $2, $3, $3, $4)")
            .bind(app::platform::keys::sha256_hex(token.as_bytes()))
            .bind(&phone)
            .bind(now)
            .bind(now + 30 * 86_400_000)
            .execute(&mut *tx)
            .await?;
        cookies.push_str(&format!("{}={token}\n", session::COOKIE));
    }
    tx.commit().await?;
    std::fs::write(dir.join("sessions.txt"), cookies)?;
    // One guard and one visitor for the browser measures and Lighthouse.
    let (guard,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE staff_no = 'G0001'").fetch_one(&st.db.read).await?;
    let guard_cookie = session::create(&st.db, &session::SessionSubject::Staff(guard), now, &t).await?;
    std::fs::write(dir.join("guard.cookie"), guard_cookie)?;
    let visitor_cookie = session::create(&st.db, &session::SessionSubject::Phone("13800138000".into()), now, &t).await?;
    std::fs::write(dir.join("visitor.cookie"), visitor_cookie)?;
    let (host,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE staff_no = 'T1001'").fetch_one(&st.db.read).await?;
    // The host every rush application waits on (their inbox), and the
    // security office (the scan log over the year's events).
    let approver_cookie = session::create(&st.db, &session::SessionSubject::Staff(host.clone()), now, &t).await?;
    std::fs::write(dir.join("approver.cookie"), approver_cookie)?;
    let (office,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE staff_no = 'S0001'").fetch_one(&st.db.read).await?;
    let office_cookie = session::create(&st.db, &session::SessionSubject::Staff(office), now, &t).await?;
    std::fs::write(dir.join("office.cookie"), office_cookie)?;
    let (campus,): (String,) = sqlx::query_as("SELECT id FROM campuses WHERE name = '主校区'").fetch_one(&st.db.read).await?;
    let (reason,): (String,) =
        sqlx::query_as("SELECT id FROM visit_reasons WHERE category = 'official' ORDER BY sort LIMIT 1").fetch_one(&st.db.read).await?;
    let day = st.clock.today() + chrono::Duration::days(2);
    std::fs::write(
        dir.join("form.json"),
        serde_json::json!({"host_staff_id": host, "campus_id": campus, "reason_id": reason, "date": day.format("%Y-%m-%d").to_string()}).to_string(),
    )?;
    Ok(())
}

fn qr_video(args: &[String]) -> Result<(), Error> {
    let dir = PathBuf::from(args.first().ok_or("qr-video needs the folder of a generated campus")?);
    let out = args.get(1).ok_or("qr-video needs an output file")?;
    // Every tenth generated pass is single use: take a multi-use one.
    let text = std::fs::read_to_string(dir.join("qr.txt"))?
        .lines()
        .find(|l| {
            let t = app::domain::pass_token::token_from_scan(l);
            let claims = t.split('.').nth(1).and_then(|p| base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p).ok());
            claims.is_some_and(|c| !String::from_utf8_lossy(&c).contains("\"su\""))
        })
        .ok_or("no multi-use pass in qr.txt")?
        .to_owned();
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)?;
    let (w, h) = (640usize, 480usize);
    let modules = code.width() + 8;
    let scale = (h - 40) / modules;
    let (x0, y0) = ((w - modules * scale) / 2, (h - modules * scale) / 2);
    let colors = code.to_colors();
    let mut luma = vec![255u8; w * h];
    for y in 0..modules * scale {
        for x in 0..modules * scale {
            let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
            let dark = mx >= 0
                && my >= 0
                && (mx as usize) < code.width()
                && (my as usize) < code.width()
                && colors[my as usize * code.width() + mx as usize] == qrcode::Color::Dark;
            if dark {
                luma[(y0 + y) * w + x0 + x] = 16;
            }
        }
    }
    let mut video = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    for _ in 0..10 {
        video.extend_from_slice(b"FRAME\n");
        video.extend_from_slice(&luma);
        video.extend(std::iter::repeat_n(128u8, w * h / 2));
    }
    std::fs::write(out, video)?;
    Ok(())
}

async fn statistics(args: &[String]) -> Result<(), Error> {
    use app::i18n::Lang;
    use app::statistics::{StatsFilter, queries};
    let dir = PathBuf::from(args.first().ok_or("statistics needs the folder of a generated campus")?);
    let st = state(&dir, opt(args, "--database-url")).await?;
    let t = Instant::now();
    let mut days = 0;
    loop {
        let n = app::statistics::rollup::roll_up_scans(&st, 1000).await?;
        days += n;
        if n == 0 {
            break;
        }
    }
    let rollup_s = t.elapsed().as_secs_f64();
    let today = st.clock.today();
    let mut views = serde_json::Map::new();
    for (period, days_back) in [("week", 6), ("month", 29), ("year", 366)] {
        let filter = StatsFilter { from: (today - chrono::Duration::days(days_back)).to_string(), to: today.to_string(), ..StatsFilter::default() };
        for view in ["applications", "scans", "inside"] {
            let mut worst = 0f64;
            for _ in 0..5 {
                let t = Instant::now();
                match view {
                    "applications" => drop(queries::applications(&st, &filter, Lang::Zh).await?),
                    "scans" => drop(queries::scans(&st, &filter, Lang::Zh).await?),
                    _ => drop(queries::inside(&st, &filter, Lang::Zh).await?),
                }
                worst = worst.max(t.elapsed().as_secs_f64() * 1000.0);
            }
            views.insert(format!("{view}_{period}_ms"), serde_json::json!((worst * 10.0).round() / 10.0));
        }
    }
    println!("{}", serde_json::json!({"rollup_days": days, "rollup_s": (rollup_s * 10.0).round() / 10.0, "views": views}));
    Ok(())
}

async fn verify_rate(args: &[String]) -> Result<(), Error> {
    let dir = PathBuf::from(args.first().ok_or("verify-rate needs the folder of a generated campus")?);
    let seconds = num(args, "--seconds", 3)? as u64;
    let st = state(&dir, opt(args, "--database-url")).await?;
    let keys = passes::public_keys(&st).await?;
    let now_s = st.clock.now_ms() / 1000;
    // A pass still valid now: the list was taken minutes ago, and the
    // soonest of them ends within a minute of it.
    let listed = std::fs::read_to_string(dir.join("qr.txt"))?;
    let token = listed
        .lines()
        .map(|line| app::domain::pass_token::token_from_scan(line).to_owned())
        .find(|t| app::domain::pass_token::verify(t, &keys, now_s).is_ok())
        .ok_or_else(|| format!("none of the {} passes in qr.txt verifies now", listed.lines().count()))?;
    let rate = |f: &dyn Fn() -> bool| {
        let (t, mut n) = (Instant::now(), 0u64);
        while t.elapsed() < Duration::from_secs(seconds) {
            for _ in 0..100 {
                assert!(f());
            }
            n += 100;
        }
        n as f64 / t.elapsed().as_secs_f64()
    };
    // The server verifies with the domain's one verifier (ed25519-dalek,
    // strict), as the guard's phone does; jsonwebtoken only signs now. The
    // first figure is the gate path's (the reason mapped), the second the
    // bare domain call.
    let server = rate(&|| passes::verify(&token, &keys, now_s).is_ok());
    let dalek = rate(&|| app::domain::pass_token::verify(&token, &keys, now_s).is_ok());
    let _: Option<PassClaims> = None;
    println!("{}", serde_json::json!({"server_verify_per_s": server.round(), "ed25519_dalek_per_s": dalek.round()}));
    Ok(())
}
