//! Sliding-window limits kept in the database, so every server sees the same
//! counts. A request records itself first and then counts: two racing
//! requests can both be refused, never both let through past the limit.

use super::db::{Db, new_id};

/// A limit: at most `max` events per `window_ms` in one bucket.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i64,
    pub window_ms: i64,
}

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// Records an event in `bucket` if every limit still allows it. On refusal
/// nothing is recorded and the index of the limit that refused is returned,
/// with the milliseconds until a slot frees up.
pub async fn take(db: &Db, bucket: &str, limits: &[Limit], now_ms: i64) -> Result<Result<(), (usize, i64)>, sqlx::Error> {
    let id = new_id();
    sqlx::query("INSERT INTO rate_events (id, bucket, at) VALUES ($1, $2, $3)").bind(&id).bind(bucket).bind(now_ms).execute(&db.write).await?;
    match over_limit(db, bucket, limits, now_ms).await? {
        None => Ok(Ok(())),
        Some(refusal) => {
            sqlx::query("DELETE FROM rate_events WHERE id = $1").bind(&id).execute(&db.write).await?;
            Ok(Err(refusal))
        }
    }
}

/// Records an event without a check (e.g. a failed password, counted later).
pub async fn record(db: &Db, bucket: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO rate_events (id, bucket, at) VALUES ($1, $2, $3)").bind(new_id()).bind(bucket).bind(now_ms).execute(&db.write).await?;
    Ok(())
}

/// How many events `bucket` has within the window ending now.
pub async fn count(db: &Db, bucket: &str, window_ms: i64, now_ms: i64) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rate_events WHERE bucket = $1 AND at > $2")
        .bind(bucket)
        .bind(now_ms - window_ms)
        .fetch_one(&db.write)
        .await?;
    Ok(n)
}

pub async fn clear(db: &Db, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rate_events WHERE bucket = $1").bind(bucket).execute(&db.write).await?;
    Ok(())
}

/// The limit with the longest wait wins: "try tomorrow" beats "try in a minute".
async fn over_limit(db: &Db, bucket: &str, limits: &[Limit], now_ms: i64) -> Result<Option<(usize, i64)>, sqlx::Error> {
    let mut worst: Option<(usize, i64)> = None;
    for (i, l) in limits.iter().enumerate() {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT at FROM rate_events WHERE bucket = $1 AND at > $2 ORDER BY at")
            .bind(bucket)
            .bind(now_ms - l.window_ms)
            .fetch_all(&db.write)
            .await?;
        if rows.len() as i64 > l.max {
            // The slot frees when the event that put us over the limit ages out.
            let oldest = rows[rows.len() - 1 - l.max as usize].0;
            let wait = (oldest + l.window_ms - now_ms).max(1000);
            if worst.is_none_or(|(_, w)| wait > w) {
                worst = Some((i, wait));
            }
        }
    }
    Ok(worst)
}

/// Drops events older than any window in use. Safe to run on every server.
pub async fn purge(db: &Db, now_ms: i64) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM rate_events WHERE at < $1").bind(now_ms - 2 * DAY).execute(&db.write).await?;
    Ok(r.rows_affected())
}
