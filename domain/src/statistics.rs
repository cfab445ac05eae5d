//! The office's statistics: the period a view counts, how long an approval
//! took in the buckets the office reads, and the rule for a chart's scale.

use chrono::NaiveDate;

/// The longest period one view counts: a year and a day (a year's report
/// across a leap day).
pub const MAX_DAYS: i64 = 367;
/// Without dates, a view counts the last week, today included.
pub const DEFAULT_DAYS: i64 = 7;

/// Why a period is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodProblem {
    Unreadable,
    Backwards,
    TooLong,
}

/// The campus dates a view counts, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The office's dates (`YYYY-MM-DD`, either empty): an empty `to` is
    /// today, an empty `from` the week up to `to`.
    pub fn parse(from: &str, to: &str, today: NaiveDate) -> Result<Period, PeriodProblem> {
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| PeriodProblem::Unreadable);
        let to = if to.trim().is_empty() { today } else { date(to)? };
        let from = if from.trim().is_empty() { to - chrono::Duration::days(DEFAULT_DAYS - 1) } else { date(from)? };
        if from > to {
            return Err(PeriodProblem::Backwards);
        }
        if (to - from).num_days() + 1 > MAX_DAYS {
            return Err(PeriodProblem::TooLong);
        }
        Ok(Period { from, to })
    }

    /// Every date of the period, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }
}

/// Upper bounds of the approval-time buckets: an hour, four hours, a day,
/// three days; the last bucket holds the rest.
pub const TURNAROUND_BOUNDS_MS: [i64; 4] = [3_600_000, 4 * 3_600_000, 24 * 3_600_000, 72 * 3_600_000];

/// The bucket (0 to 4) of an approval that took `ms`.
pub fn turnaround_bucket(ms: i64) -> usize {
    TURNAROUND_BOUNDS_MS.iter().position(|b| ms < *b).unwrap_or(TURNAROUND_BOUNDS_MS.len())
}

/// A chart's scale: the smallest 1, 2 or 5 times a power of ten that is
/// at least `max` (and at least 1), so gridlines fall on round numbers.
pub fn axis_max(max: i64) -> i64 {
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            let v = step.saturating_mul(m);
            if v >= max {
                return v;
            }
        }
        if step > i64::MAX / 10 {
            return i64::MAX;
        }
        step *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_defaults_to_the_last_week_and_is_bounded() {
        let today = d("2026-12-07");
        assert_eq!(Period::parse("", "", today), Ok(Period { from: d("2026-12-01"), to: today }));
        assert_eq!(Period::parse("", "2026-11-30", today), Ok(Period { from: d("2026-11-24"), to: d("2026-11-30") }));
        assert_eq!(Period::parse("2026-01-01", "2026-12-31", today).unwrap().days().count(), 365);
        assert_eq!(Period::parse("2026-12-08", "2026-12-07", today), Err(PeriodProblem::Backwards));
        assert_eq!(Period::parse("2025-01-01", "2026-12-07", today), Err(PeriodProblem::TooLong));
        assert_eq!(Period::parse("2026-13-01", "", today), Err(PeriodProblem::Unreadable));
        assert_eq!(Period::parse("昨天", "", today), Err(PeriodProblem::Unreadable));
    }

    #[test]
    fn approvals_fall_in_their_bucket() {
        let h = 3_600_000;
        assert_eq!([0, h - 1, h, 4 * h - 1, 4 * h, 24 * h, 72 * h - 1, 72 * h, 1000 * h].map(turnaround_bucket), [0, 0, 1, 1, 2, 3, 3, 4, 4]);
    }

    #[test]
    fn scales_are_round() {
        assert_eq!([0, 1, 2, 3, 7, 10, 11, 99, 101, 4_000, 123_456].map(axis_max), [1, 1, 2, 5, 10, 10, 20, 100, 200, 5_000, 200_000]);
    }

    proptest! {
        #[test]
        fn a_scale_holds_its_maximum_within_two_and_a_half_times(max in 1i64..1_000_000_000_000) {
            let m = axis_max(max);
            prop_assert!(m >= max && m <= max.saturating_mul(5) / 2 + 1);
        }
    }
}
