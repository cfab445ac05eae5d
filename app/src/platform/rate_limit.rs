//! Sliding-window limits kept in the database, so every server sees the same
//! counts. A request is counted before it is let through: two racing
//! requests can both be refused, never both let through past the limit.
//!
//! Refusals write nothing: a flood of refused SMS or sign-in requests must
//! not queue at the one SQLite writer the guards' scans need. Each process
//! also remembers the events it let through, and refuses a flood from that
//! memory without asking the database at all; it knows at most what the
//! database knows (its own share of the events), so it never refuses what
//! the database would allow.

use super::db::{Db, new_id};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// A limit: at most `max` events per `window_ms` in one bucket.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i64,
    pub window_ms: i64,
}

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// The limits' database, this process's memory of what it let through,
/// and its brake on sign-in codes.
pub struct RateLimits {
    db: Db,
    recent: Mutex<Recent>,
    codes: governor::DefaultDirectRateLimiter,
}

/// Buckets this process let events through in, each with its events' ids
/// and times (ids, so a released reservation is forgotten too).
#[derive(Default)]
struct Recent {
    buckets: HashMap<String, VecDeque<(String, i64)>>,
    since_prune: usize,
}

/// At most this many buckets are remembered (a flood of distinct numbers
/// fills it; past it the database alone decides, as it always may).
const MAX_REMEMBERED: usize = 200_000;

impl Recent {
    fn over(&self, bucket: &str, limits: &[Limit], now_ms: i64) -> Option<(usize, i64)> {
        let events = self.buckets.get(bucket)?;
        worst(limits, now_ms, 1, |l| events.iter().map(|e| e.1).filter(|at| *at > now_ms - l.window_ms).collect())
    }

    fn remember(&mut self, bucket: &str, id: String, at: i64) {
        self.since_prune += 1;
        if self.since_prune > 10_000 {
            self.since_prune = 0;
            // Nothing counts beyond the longest window in use (a day).
            self.buckets.retain(|_, v| v.back().is_some_and(|e| e.1 > at - DAY));
        }
        if self.buckets.len() >= MAX_REMEMBERED && !self.buckets.contains_key(bucket) {
            return;
        }
        let events = self.buckets.entry(bucket.to_owned()).or_default();
        events.push_back((id, at));
        while events.front().is_some_and(|e| e.1 <= at - DAY) {
            events.pop_front();
        }
    }
}

impl RateLimits {
    pub fn new(db: Db, codes_per_second: u32) -> RateLimits {
        let rate = std::num::NonZeroU32::new(codes_per_second.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        let burst = rate.saturating_mul(std::num::NonZeroU32::new(2).unwrap_or(std::num::NonZeroU32::MIN));
        let codes = governor::RateLimiter::direct(governor::Quota::per_second(rate).allow_burst(burst));
        RateLimits { db, recent: Mutex::new(Recent::default()), codes }
    }

    /// Whether this server may send one more sign-in code now (the brake:
    /// it says nothing of whether the address's and number's limits allow it).
    pub fn code_brake_allows(&self) -> bool {
        self.codes.check().is_ok()
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts an event in `bucket` if every limit still allows it. On
    /// refusal nothing is written and the index of the limit that refused
    /// is returned, with the milliseconds until a slot frees up.
    pub async fn take(&self, bucket: &str, limits: &[Limit], now_ms: i64) -> Result<Result<(), (usize, i64)>, sqlx::Error> {
        Ok(self.reserve(bucket, limits, now_ms).await?.map(|_| ()))
    }

    /// `take`, for a try that may turn out not to count (a password that
    /// was right): the event is counted before the try, so parallel tries
    /// each count the others, and its id is returned to `release` it.
    pub async fn reserve(&self, bucket: &str, limits: &[Limit], now_ms: i64) -> Result<Result<String, (usize, i64)>, sqlx::Error> {
        if let Some(refusal) = self.recent().over(bucket, limits, now_ms) {
            return Ok(Err(refusal));
        }
        // Full already: refused with a read, nothing written.
        if let Some(refusal) = over_limit(&self.db.read, bucket, limits, now_ms, 1).await? {
            return Ok(Err(refusal));
        }
        let id = new_id();
        sqlx::query("INSERT INTO rate_events (id, bucket, at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(bucket)
            .bind(now_ms)
            .execute(&self.db.write)
            .await?;
        // Others may have been counted meanwhile: the count after our own
        // write decides (racing requests may all be refused, never all let through).
        if let Some(refusal) = over_limit(&self.db.write, bucket, limits, now_ms, 0).await? {
            self.release(&id).await?;
            return Ok(Err(refusal));
        }
        self.recent().remember(bucket, id.clone(), now_ms);
        Ok(Ok(id))
    }

    /// Takes back a reserved event.
    pub async fn release(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM rate_events WHERE id = $1").bind(id).execute(&self.db.write).await?;
        for events in self.recent().buckets.values_mut() {
            events.retain(|e| e.0 != id);
        }
        Ok(())
    }

    pub async fn clear(&self, bucket: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM rate_events WHERE bucket = $1").bind(bucket).execute(&self.db.write).await?;
        self.recent().buckets.remove(bucket);
        Ok(())
    }
}

/// Whether `pending` more events would break a limit; the limit with the
/// longest wait wins ("try tomorrow" beats "try in a minute").
/// `times(limit)` gives the events within that limit's window, oldest first.
fn worst(limits: &[Limit], now_ms: i64, pending: i64, mut times: impl FnMut(&Limit) -> Vec<i64>) -> Option<(usize, i64)> {
    let mut worst: Option<(usize, i64)> = None;
    for (i, l) in limits.iter().enumerate() {
        let rows = times(l);
        let n = rows.len() as i64 + pending;
        if n > l.max {
            // The slot frees when the event that put us over the limit ages out.
            let oldest = rows[(n - 1 - l.max) as usize];
            let wait = (oldest + l.window_ms - now_ms).max(1000);
            if worst.is_none_or(|(_, w)| wait > w) {
                worst = Some((i, wait));
            }
        }
    }
    worst
}

/// Whether `pending` more events would put `bucket` over a limit.
async fn over_limit(pool: &sqlx::AnyPool, bucket: &str, limits: &[Limit], now_ms: i64, pending: i64) -> Result<Option<(usize, i64)>, sqlx::Error> {
    // One read, over the longest window; each limit counts its own part.
    let longest = limits.iter().map(|l| l.window_ms).max().unwrap_or(0);
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT at FROM rate_events WHERE bucket = $1 AND at > $2 ORDER BY at")
        .bind(bucket)
        .bind(now_ms - longest)
        .fetch_all(pool)
        .await?;
    Ok(worst(limits, now_ms, pending, |l| rows.iter().map(|r| r.0).filter(|at| *at > now_ms - l.window_ms).collect()))
}

/// Drops events older than any window in use. Safe to run on every server.
pub async fn purge(db: &Db, now_ms: i64) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM rate_events WHERE at < $1").bind(now_ms - 2 * DAY).execute(&db.write).await?;
    Ok(r.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_refuses_only_past_the_limit_and_says_how_long_to_wait() {
        let limits = [Limit { max: 2, window_ms: MINUTE }, Limit { max: 3, window_ms: HOUR }];
        let mut r = Recent::default();
        assert_eq!(r.over("b", &limits, 0), None);
        r.remember("b", "1".into(), 0);
        assert_eq!(r.over("b", &limits, 1000), None);
        r.remember("b", "2".into(), 1000);
        // A third within the minute: wait until the first ages out.
        assert_eq!(r.over("b", &limits, 2000), Some((0, MINUTE - 2000)));
        assert_eq!(r.over("other", &limits, 2000), None);
        r.remember("b", "3".into(), MINUTE + 1);
        // The hour's limit is the longer wait.
        assert_eq!(r.over("b", &limits, MINUTE + 2), Some((1, HOUR - MINUTE - 2)));
    }
}
