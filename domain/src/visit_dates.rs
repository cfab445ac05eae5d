//! Date rules of a pass kind, in campus time: how long a visit may last, how
//! far ahead it may be booked, and the deadline for next-day requests.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// A pass kind's date rules (configured per kind, not hard-coded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRules {
    /// Longest stay, counting both first and last day (15 for visitors).
    pub max_days: u32,
    /// Latest first day, in days after today (7: at most a week ahead).
    pub max_days_ahead: u32,
    /// Requests for tomorrow close at this campus time today (e.g. 16:00).
    pub next_day_deadline: Option<NaiveTime>,
    /// Whether a visit may start today.
    pub same_day: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DateProblem {
    #[error("the end date is before the start date")]
    EndBeforeStart,
    #[error("the start date has passed")]
    StartInPast,
    #[error("visits may not start today; apply for tomorrow or later")]
    SameDayNotAllowed,
    #[error("requests for tomorrow closed at the deadline")]
    PastNextDayDeadline,
    #[error("longer than the longest stay allowed")]
    TooLong,
    #[error("starts further ahead than bookings are open")]
    TooFarAhead,
}

impl DateRules {
    /// Checks a requested period against the rules at campus time `now`.
    pub fn check(&self, start: NaiveDate, end: NaiveDate, now: NaiveDateTime) -> Result<(), DateProblem> {
        let today = now.date();
        if end < start {
            return Err(DateProblem::EndBeforeStart);
        }
        if start < today {
            return Err(DateProblem::StartInPast);
        }
        if start == today && !self.same_day {
            return Err(DateProblem::SameDayNotAllowed);
        }
        if let Some(deadline) = self.next_day_deadline
            && start == today.succ_opt().unwrap_or(today)
            && now.time() >= deadline
        {
            return Err(DateProblem::PastNextDayDeadline);
        }
        if (end - start).num_days() + 1 > i64::from(self.max_days) {
            return Err(DateProblem::TooLong);
        }
        if (start - today).num_days() > i64::from(self.max_days_ahead) {
            return Err(DateProblem::TooFarAhead);
        }
        Ok(())
    }
}

/// Most validity periods one application may ask for (seed 001: a visitor
/// may come on several separate days, each its own period and passes).
pub const MAX_PERIODS: usize = 5;

/// Why a list of periods is refused: which period (0-based) and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PeriodsProblem {
    #[error("period {0}: {1}")]
    Period(usize, DateProblem),
    #[error("period {0} overlaps an earlier one")]
    Overlap(usize),
    #[error("more periods than allowed")]
    TooMany,
    #[error("no period")]
    None,
}

impl DateRules {
    /// Checks several periods: each by the rules, none overlapping another.
    pub fn check_periods(&self, periods: &[(NaiveDate, NaiveDate)], now: NaiveDateTime) -> Result<(), PeriodsProblem> {
        if periods.is_empty() {
            return Err(PeriodsProblem::None);
        }
        if periods.len() > MAX_PERIODS {
            return Err(PeriodsProblem::TooMany);
        }
        for (i, (s, e)) in periods.iter().enumerate() {
            self.check(*s, *e, now).map_err(|p| PeriodsProblem::Period(i, p))?;
            if periods[..i].iter().any(|(s2, e2)| s <= e2 && s2 <= e) {
                return Err(PeriodsProblem::Overlap(i));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn several_periods_each_obey_the_rules_and_never_overlap() {
        let now = at(25, 9, 0);
        assert_eq!(visitor().check_periods(&[(d(26), d(26)), (d(28), d(29))], now), Ok(()));
        assert_eq!(visitor().check_periods(&[(d(26), d(27)), (d(27), d(28))], now), Err(PeriodsProblem::Overlap(1)));
        assert_eq!(visitor().check_periods(&[(d(26), d(26)), (d(24), d(24))], now), Err(PeriodsProblem::Period(1, DateProblem::StartInPast)));
        assert_eq!(visitor().check_periods(&[], now), Err(PeriodsProblem::None));
        let six: Vec<_> = (0..6).map(|i| (d(26) + chrono::Days::new(i), d(26) + chrono::Days::new(i))).collect();
        assert_eq!(visitor().check_periods(&six, now), Err(PeriodsProblem::TooMany));
    }

    fn visitor() -> DateRules {
        DateRules { max_days: 15, max_days_ahead: 7, next_day_deadline: NaiveTime::from_hms_opt(16, 0, 0), same_day: false }
    }
    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }
    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        d(day).and_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn tomorrow_closes_at_the_deadline() {
        assert_eq!(visitor().check(d(26), d(26), at(25, 15, 59)), Ok(()));
        assert_eq!(visitor().check(d(26), d(26), at(25, 16, 0)), Err(DateProblem::PastNextDayDeadline));
        assert_eq!(visitor().check(d(27), d(27), at(25, 23, 0)), Ok(()), "the day after tomorrow is still open");
    }

    #[test]
    fn period_rules() {
        let now = at(25, 9, 0);
        assert_eq!(visitor().check(d(27), d(26), now), Err(DateProblem::EndBeforeStart));
        assert_eq!(visitor().check(d(24), d(26), now), Err(DateProblem::StartInPast));
        assert_eq!(visitor().check(d(25), d(25), now), Err(DateProblem::SameDayNotAllowed));
        assert_eq!(visitor().check(d(26), d(26) + chrono::Days::new(14), now), Ok(()), "15 days counting both ends");
        assert_eq!(visitor().check(d(26), d(26) + chrono::Days::new(15), now), Err(DateProblem::TooLong));
        assert_eq!(visitor().check(d(25) + chrono::Days::new(7), d(25) + chrono::Days::new(7), now), Ok(()));
        assert_eq!(visitor().check(d(25) + chrono::Days::new(8), d(25) + chrono::Days::new(8), now), Err(DateProblem::TooFarAhead));
        let walk_in = DateRules { same_day: true, next_day_deadline: None, ..visitor() };
        assert_eq!(walk_in.check(d(25), d(25), at(25, 23, 59)), Ok(()));
    }

    proptest! {
        #[test]
        fn an_accepted_period_always_obeys_every_rule(start in 0i64..20, len in 0i64..30, hour in 0u32..24) {
            let now = at(25, hour, 0);
            let s = d(20) + chrono::Duration::days(start);
            let e = s + chrono::Duration::days(len);
            if visitor().check(s, e, now).is_ok() {
                prop_assert!(s > now.date() && e >= s);
                prop_assert!((e - s).num_days() < 15);
                prop_assert!((s - now.date()).num_days() <= 7);
                prop_assert!(!(s == d(26) && hour >= 16));
            }
        }
    }
}
