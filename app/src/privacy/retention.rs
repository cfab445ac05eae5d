//! Retention (PIPL): the personal data of a visit is kept for the
//! configured period after it ended (`retention_days`, 180 by default),
//! then anonymised by a daily job: names, mobiles, documents, photos,
//! plates, notes and texts go; the counts, times and decisions stay (the
//! statistics and the audit trail still add up). The audit trail itself is
//! kept: it holds masked values only and must outlive the period.
//!
//! Several servers may run the job: each campus day's run is claimed by
//! inserting its `retention_runs` row, so it runs once a day; the work is
//! done in small transactions (a first run on a large campus must not
//! hold the one SQLite writer for long), each idempotent, so a run cut
//! short is finished by the next day's.

use crate::error::AppError;
use crate::platform::batch::Tx;
use crate::platform::{audit, context::AppState};
use serde::Serialize;
use serde_json::json;

/// What an anonymised name reads.
pub const ANONYMISED: &str = "已匿名";

/// Applications anonymised per transaction.
const CHUNK: usize = 500;

/// What one run anonymised.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RetentionCounts {
    pub applications: u64,
    pub entrants: u64,
    pub photos: u64,
    pub passes: u64,
    pub texts: u64,
    pub scan_events: u64,
    pub drills: u64,
    /// Manual admissions' names and documents.
    pub manual: u64,
}

/// Runs today's retention if no server has: `None` when it already ran.
pub async fn run_retention(st: &AppState, retention_days: i64) -> Result<Option<RetentionCounts>, AppError> {
    let now = st.clock.now_ms();
    let today = st.clock.today();
    let cutoff = today - chrono::Duration::days(retention_days.max(1));
    let previous: Option<(String,)> =
        sqlx::query_as("SELECT cutoff_date FROM retention_runs ORDER BY day DESC LIMIT 1").fetch_optional(&st.db.write).await?;
    let claimed =
        sqlx::query("INSERT INTO retention_runs (day, started_at, cutoff_date, ran_by) VALUES ($1, $2, $3, $4) ON CONFLICT (day) DO NOTHING")
            .bind(today.to_string())
            .bind(now)
            .bind(cutoff.to_string())
            .bind(std::process::id().to_string())
            .execute(&st.db.write)
            .await?
            .rows_affected();
    if claimed == 0 {
        return Ok(None);
    }
    let mut counts = RetentionCounts::default();
    // Applications whose visit ended before the cutoff, a chunk at a time.
    loop {
        let ids: Vec<(String,)> =
            sqlx::query_as(&format!("SELECT id FROM applications WHERE anonymised_at IS NULL AND end_date < $1 ORDER BY end_date LIMIT {CHUNK}"))
                .bind(cutoff.to_string())
                .fetch_all(&st.db.write)
                .await?;
        if ids.is_empty() {
            break;
        }
        let ids: Vec<String> = ids.into_iter().map(|(id,)| id).collect();
        anonymise_applications(st, &ids, now, &mut counts).await?;
        if ids.len() < CHUNK {
            break;
        }
    }
    // Scans and texts by time, a day at a time from where the last run
    // stopped: a scan keeps its time, gate and verdict, not its plate; a
    // text keeps its purpose and outcome, not its number or words.
    let from = previous.and_then(|(d,)| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let first = match from {
        Some(d) => d,
        None => {
            let (oldest,): (Option<i64>,) = sqlx::query_as("SELECT MIN(at) FROM scan_events").fetch_one(&st.db.write).await?;
            let (oldest_text,): (Option<i64>,) = sqlx::query_as("SELECT MIN(created_at) FROM sms_outbox").fetch_one(&st.db.write).await?;
            let oldest = [oldest, oldest_text].into_iter().flatten().min();
            oldest.and_then(chrono::DateTime::from_timestamp_millis).map(|t| t.with_timezone(&st.clock.tz).date_naive()).unwrap_or(cutoff)
        }
    };
    let mut day = first;
    while day < cutoff {
        let (start, end) = (st.clock.start_of_day(day), st.clock.end_of_day(day));
        counts.scan_events += sqlx::query("UPDATE scan_events SET plate = NULL WHERE at >= $1 AND at < $2 AND plate IS NOT NULL")
            .bind(start)
            .bind(end)
            .execute(&st.db.write)
            .await?
            .rows_affected();
        counts.texts +=
            sqlx::query("UPDATE sms_outbox SET phone = '', body = '', sealed = NULL WHERE created_at >= $1 AND created_at < $2 AND phone <> ''")
                .bind(start)
                .bind(end)
                .execute(&st.db.write)
                .await?
                .rows_affected();
        counts.manual += sqlx::query(
            "UPDATE manual_admissions SET name = $1, doc_masked = '', reason = '', review_note = NULL WHERE at >= $2 AND at < $3 AND name <> $1",
        )
        .bind(ANONYMISED)
        .bind(start)
        .bind(end)
        .execute(&st.db.write)
        .await?
        .rows_affected();
        day = day.succ_opt().unwrap_or(cutoff);
    }
    counts.drills += sqlx::query(
        "UPDATE drill_people SET holder = $1, phone = '', host = '' WHERE holder <> $1 AND drill_id IN (SELECT id FROM drills WHERE started_at < $2)",
    )
    .bind(ANONYMISED)
    .bind(st.clock.start_of_day(cutoff))
    .execute(&st.db.write)
    .await?
    .rows_affected();
    let mut tx = st.db.write.begin().await?;
    let summary = serde_json::to_value(&counts).unwrap_or_default();
    sqlx::query("UPDATE retention_runs SET finished_at = $1, counts = $2 WHERE day = $3")
        .bind(st.clock.now_ms())
        .bind(summary.to_string())
        .bind(today.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        now,
        "system",
        "retention_run",
        "retention",
        &today.to_string(),
        json!({"cutoff": cutoff.to_string(), "anonymised": summary}),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(counts))
}

/// One chunk of applications, in one transaction.
async fn anonymise_applications(st: &AppState, ids: &[String], now: i64, counts: &mut RetentionCounts) -> Result<(), AppError> {
    let mut tx = st.db.write.begin().await?;
    anonymise(&mut tx, ids, now, Scans::ClearedByDay, counts).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether `anonymise` clears the plates of the applications' scans.
pub(crate) enum Scans {
    /// The daily job clears every scan's plate by day: a chunk of
    /// applications leaves them (scans are not indexed by pass, and a
    /// search of the whole log per chunk held the one SQLite writer for
    /// seconds, hundreds of times, on a campus with a year of scans).
    ClearedByDay,
    /// A deletion on request clears them at once, searching from the day
    /// the applications' passes were made.
    Now,
}

/// Anonymises applications in the caller's transaction: the daily job's
/// chunks, and a visitor deleting an ended application of their own.
pub(crate) async fn anonymise(tx: &mut Tx<'_>, ids: &[String], now: i64, scans: Scans, counts: &mut RetentionCounts) -> Result<(), sqlx::Error> {
    // The ids as placeholders: from `$1`, or from `$2` after a first value.
    let holes = |from: usize| (from..from + ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let (alone, after) = (holes(1), holes(2));
    macro_rules! run {
        ($sql:expr) => {{
            let sql = format!($sql, ids = alone);
            let mut q = sqlx::query(&sql);
            for id in ids {
                q = q.bind(id);
            }
            q.execute(&mut **tx).await?.rows_affected()
        }};
        ($sql:expr, $first:expr) => {{
            let sql = format!($sql, ids = after);
            let mut q = sqlx::query(&sql).bind($first);
            for id in ids {
                q = q.bind(id);
            }
            q.execute(&mut **tx).await?.rows_affected()
        }};
    }
    counts.photos += run!("DELETE FROM entrant_photos WHERE entrant_id IN (SELECT id FROM entrants WHERE application_id IN ({ids}))");
    counts.entrants += run!(
        "UPDATE entrants SET name = $1, phone = NULL, doc_sealed = '', doc_mac = 'anonymised:' || id, doc_masked = '' WHERE application_id IN ({ids})",
        ANONYMISED
    );
    counts.passes += run!("UPDATE passes SET holder = $1, link_sealed = '' WHERE application_id IN ({ids})", ANONYMISED);
    run!(
        "UPDATE parking_fees SET plate = $1 WHERE settled_at IS NOT NULL AND pass_id IN (SELECT id FROM passes WHERE application_id IN ({ids}))",
        ANONYMISED
    );
    run!("DELETE FROM vehicles_inside WHERE pass_id IN (SELECT id FROM passes WHERE application_id IN ({ids}))");
    // A pass is scanned only after it was made: the time index bounds the
    // search to the days since.
    if let Scans::Now = scans {
        counts.scan_events += run!(
            "UPDATE scan_events SET plate = NULL
             WHERE at >= (SELECT COALESCE(MIN(created_at), 0) FROM passes WHERE application_id IN ({ids}))
               AND plate IS NOT NULL AND pass_id IN (SELECT id FROM passes WHERE application_id IN ({ids}))"
        );
    }
    run!("UPDATE application_events SET note = '', changes = '{{}}' WHERE application_id IN ({ids})");
    run!("DELETE FROM application_claims WHERE application_id IN ({ids})");
    run!("UPDATE invitations SET phone = '', prefill = '{{}}' WHERE application_id IN ({ids})");
    counts.applications += run!(
        "UPDATE applications SET applicant_phone = '', note = '', plate = NULL, decision_note = NULL, anonymised_at = $1 WHERE id IN ({ids})",
        now
    );
    Ok(())
}
