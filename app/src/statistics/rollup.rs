//! Scans counted by day, once a day can no longer change: offline events
//! older than `OFFLINE_EVENT_MAX_AGE_MS` (a week) are refused, so a campus
//! day that ended more than that ago has every scan it will ever have.
//! Each such day is counted once into `scan_day_counts` (by hour, campus,
//! gate, pass kind, direction and verdict), so statistics over a year read
//! those rows instead of millions of events. Runs in every server's
//! upkeep: `statistics_rollups.rolled_to` moves one day at a time by a
//! conditional update in the transaction that writes the day's counts, so
//! with several servers each day is counted by exactly one.

use crate::domain::gate::OFFLINE_EVENT_MAX_AGE_MS;
use crate::error::AppError;
use crate::platform::context::AppState;
use chrono::NaiveDate;

/// Days since 1970-01-01: how a campus day is numbered in the queries.
pub fn day_number(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days()
}

/// The last day counted, if any.
pub async fn rolled_to<'c, E>(db: E) -> Result<Option<NaiveDate>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row: Option<(String,)> = sqlx::query_as("SELECT rolled_to FROM statistics_rollups WHERE name = 'scans'").fetch_optional(db).await?;
    Ok(row.and_then(|(d,)| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

/// Counts up to `max_days` more finished days; how many it counted.
pub async fn roll_up_scans(st: &AppState, max_days: usize) -> Result<usize, AppError> {
    // A day is final once its end is older than the oldest offline event
    // the server still takes (and a day more for clocks and time zones).
    let last_final = st.clock.today() - chrono::Duration::milliseconds(OFFLINE_EVENT_MAX_AGE_MS) - chrono::Duration::days(2);
    let mut counted = 0;
    while counted < max_days {
        let previous = rolled_to(&st.db.write).await?;
        let day = match previous {
            Some(d) => d.succ_opt().unwrap_or(d),
            None => {
                let (first,): (Option<i64>,) = sqlx::query_as("SELECT MIN(at) FROM scan_events").fetch_one(&st.db.write).await?;
                let Some(first) = first else { return Ok(counted) };
                let Some(at) = chrono::DateTime::from_timestamp_millis(first) else { return Ok(counted) };
                at.with_timezone(&st.clock.tz).date_naive()
            }
        };
        if day > last_final {
            return Ok(counted);
        }
        let (start, end) = (st.clock.start_of_day(day), st.clock.end_of_day(day));
        let offset = st.clock.utc_offset_ms(start);
        let mut tx = st.db.write.begin().await?;
        let claimed = match previous {
            Some(p) => sqlx::query("UPDATE statistics_rollups SET rolled_to = $1 WHERE name = 'scans' AND rolled_to = $2")
                .bind(day.to_string())
                .bind(p.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            None => sqlx::query("INSERT INTO statistics_rollups (name, rolled_to) VALUES ('scans', $1) ON CONFLICT (name) DO NOTHING")
                .bind(day.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected(),
        };
        if claimed != 1 {
            // Another server counted it; look again.
            tx.rollback().await?;
            continue;
        }
        sqlx::query(
            "INSERT INTO scan_day_counts (day, hour, campus_id, gate_id, kind, direction, allowed, reason, n)
             SELECT $1, ((e.at + $2) / 3600000) % 24, COALESCE(e.campus_id, ''), COALESCE(e.gate_id, ''), COALESCE(p.kind, ''),
                    e.direction, e.allowed, e.reason, COUNT(*)
             FROM scan_events e LEFT JOIN passes p ON p.id = e.pass_id
             WHERE e.at >= $3 AND e.at < $4
             GROUP BY 2, 3, 4, 5, 6, 7, 8",
        )
        .bind(day.to_string())
        .bind(offset)
        .bind(start)
        .bind(end)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        counted += 1;
    }
    Ok(counted)
}
