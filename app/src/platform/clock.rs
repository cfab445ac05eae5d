//! Time comes from an injected clock, so tests move time instead of sleeping,
//! and every date is read in campus time whatever the server's own zone.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests set and advance.
#[derive(Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock(Arc::new(AtomicI64::new(start.timestamp_millis())))
    }
    pub fn advance(&self, by: chrono::Duration) {
        self.0.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
    pub fn set(&self, to: DateTime<Utc>) {
        self.0.store(to.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0.load(Ordering::SeqCst)).single().unwrap_or_default()
    }
}

/// The campus's clock: UTC instants plus the campus time zone.
#[derive(Clone)]
pub struct CampusClock {
    clock: Arc<dyn Clock>,
    pub tz: Tz,
}

impl CampusClock {
    pub fn new(clock: Arc<dyn Clock>, tz: Tz) -> Self {
        CampusClock { clock, tz }
    }
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
    /// Milliseconds since the epoch: how instants are stored.
    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
    /// An instant as campus wall time, `2026-11-25 08:05`.
    pub fn format(&self, ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms).map(|d| d.with_timezone(&self.tz).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
    }

    /// Campus wall time now: what deadlines are compared with.
    pub fn local_now(&self) -> chrono::NaiveDateTime {
        self.clock.now().with_timezone(&self.tz).naive_local()
    }

    /// Today's date on campus.
    pub fn today(&self) -> NaiveDate {
        self.clock.now().with_timezone(&self.tz).date_naive()
    }

    /// The instant a campus date begins (midnight campus time), in
    /// milliseconds: the one rule for "from the start of that day" (a
    /// pass's validity, a date filter). A midnight the zone skips takes
    /// the first instant after it.
    pub fn start_of_day(&self, date: NaiveDate) -> i64 {
        let midnight = date.and_time(chrono::NaiveTime::MIN);
        match self.tz.from_local_datetime(&midnight) {
            chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.timestamp_millis(),
            // Midnight skipped (summer time begins): the hour after it exists.
            chrono::LocalResult::None => self
                .tz
                .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                .earliest()
                .map(|t| t.timestamp_millis())
                .unwrap_or_else(|| self.tz.from_utc_datetime(&midnight).timestamp_millis()),
        }
    }

    /// How far campus wall time is ahead of UTC at an instant, in
    /// milliseconds (statistics count hours and days with it).
    pub fn utc_offset_ms(&self, at_ms: i64) -> i64 {
        use chrono::Offset;
        chrono::DateTime::from_timestamp_millis(at_ms).map(|t| t.with_timezone(&self.tz).offset().fix().local_minus_utc() as i64 * 1000).unwrap_or(0)
    }

    /// The instant a campus date ends: the start of the next one.
    pub fn end_of_day(&self, date: NaiveDate) -> i64 {
        self.start_of_day(date.succ_opt().unwrap_or(date))
    }

    /// A list filter's dates (`YYYY-MM-DD`, `to` inclusive, either empty
    /// or unreadable for no bound) as the instants `[from, to)`.
    pub fn span_of_days(&self, from: &str, to: &str) -> (i64, i64) {
        let day = |d: &str| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok();
        (day(from).map(|d| self.start_of_day(d)).unwrap_or(0), day(to).map(|d| self.end_of_day(d)).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campus_date_is_shanghai_even_when_utc_is_still_yesterday() {
        // 2026-11-25 17:30 UTC is 2026-11-26 01:30 in Shanghai.
        let c = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 17, 30, 0).unwrap());
        let campus = CampusClock::new(Arc::new(c.clone()), chrono_tz::Asia::Shanghai);
        assert_eq!(campus.today(), NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        c.advance(chrono::Duration::hours(-2));
        assert_eq!(campus.today(), NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
    }

    #[test]
    fn a_campus_day_runs_from_campus_midnight_to_the_next() {
        let campus = CampusClock::new(Arc::new(SystemClock), chrono_tz::Asia::Shanghai);
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        // Midnight in Shanghai is 16:00 UTC the day before.
        assert_eq!(campus.start_of_day(d), Utc.with_ymd_and_hms(2026, 11, 25, 16, 0, 0).unwrap().timestamp_millis());
        assert_eq!(campus.end_of_day(d) - campus.start_of_day(d), 86_400_000);
        // A zone with summer time: the day it begins is 23 hours long.
        let ny = CampusClock::new(Arc::new(SystemClock), chrono_tz::America::New_York);
        let spring = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(ny.end_of_day(spring) - ny.start_of_day(spring), 23 * 3_600_000);
        // A zone whose summer time begins at midnight (Chile): the day
        // before ends at 01:00 of the next, 24 hours after it began.
        let cl = CampusClock::new(Arc::new(SystemClock), chrono_tz::America::Santiago);
        let eve = NaiveDate::from_ymd_opt(2026, 9, 5).unwrap();
        let skipped = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap().and_time(chrono::NaiveTime::MIN);
        assert!(matches!(chrono_tz::America::Santiago.from_local_datetime(&skipped), chrono::LocalResult::None), "the case under test");
        assert_eq!(cl.end_of_day(eve) - cl.start_of_day(eve), 24 * 3_600_000);
    }
}
