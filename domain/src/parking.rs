//! Parking for visitors' cars (seed 002 §(五)): a visit reason's fee rule,
//! the office's figures for it as typed in yuan, and the receipt number an
//! office writes when it settles a plate's unpaid fees.

/// The longest free period, rate and daily cap the office may set: a day
/// free, ¥1,000 an hour, ¥10,000 a day. Beyond them is a typing slip.
pub const MAX_FREE_MINUTES: i64 = 24 * 60;
pub const MAX_CENTS_PER_HOUR: i64 = 100_000;
pub const MAX_DAILY_CAP_CENTS: i64 = 1_000_000;

/// Why the office's figures for a fee rule are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeRuleProblem {
    FreeMinutes,
    Rate,
    DailyCap,
}

/// A visit reason's parking rule, as every gate applies it: official
/// visits pay no hourly fee (seed 002: only private visits are charged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeRule {
    pub free_minutes: i64,
    pub cents_per_hour: i64,
    pub daily_cap_cents: i64,
}

impl FeeRule {
    /// The office's figures for a private reason, within the bounds above.
    pub fn new(free_minutes: i64, cents_per_hour: i64, daily_cap_cents: i64) -> Result<FeeRule, FeeRuleProblem> {
        if !(0..=MAX_FREE_MINUTES).contains(&free_minutes) {
            return Err(FeeRuleProblem::FreeMinutes);
        }
        if !(0..=MAX_CENTS_PER_HOUR).contains(&cents_per_hour) {
            return Err(FeeRuleProblem::Rate);
        }
        if !(0..=MAX_DAILY_CAP_CENTS).contains(&daily_cap_cents) {
            return Err(FeeRuleProblem::DailyCap);
        }
        Ok(FeeRule { free_minutes, cents_per_hour, daily_cap_cents })
    }

    pub fn of_reason(official: bool, free_minutes: i64, cents_per_hour: i64, daily_cap_cents: i64) -> FeeRule {
        FeeRule { free_minutes, cents_per_hour: if official { 0 } else { cents_per_hour }, daily_cap_cents }
    }

    /// The fee for a stay from `entered_ms` to `left_ms`.
    pub fn charge(&self, entered_ms: i64, left_ms: i64) -> i64 {
        parking_fee_cents(entered_ms, left_ms, self.free_minutes, self.cents_per_hour, self.daily_cap_cents)
    }
}

/// A parking fee in cents: free for the first `free_minutes`, then
/// `cents_per_hour` for every started hour, at most `daily_cap_cents` for
/// every started 24 hours (0 = no cap).
pub fn parking_fee_cents(entered_ms: i64, left_ms: i64, free_minutes: i64, cents_per_hour: i64, daily_cap_cents: i64) -> i64 {
    let minutes = ((left_ms - entered_ms).max(0) + 59_999) / 60_000;
    if minutes <= free_minutes || cents_per_hour <= 0 {
        return 0;
    }
    let hours = (minutes - free_minutes + 59) / 60;
    let charge = hours * cents_per_hour;
    if daily_cap_cents > 0 {
        let days = (minutes + 1439) / 1440;
        charge.min(days * daily_cap_cents)
    } else {
        charge
    }
}

/// Cents as yuan with two decimals ("12.50"), in integers: formatting an
/// `f64` would pull the float printer into the scanner's wasm.
pub fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod fee_tests {
    use super::parking_fee_cents as fee;

    #[test]
    fn official_visits_pay_no_hourly_fee_and_private_ones_do() {
        let hour = 3_600_000;
        assert_eq!(super::FeeRule::of_reason(true, 30, 500, 3000).charge(0, 5 * hour), 0);
        assert_eq!(super::FeeRule::of_reason(false, 30, 500, 3000).charge(0, 5 * hour), fee(0, 5 * hour, 30, 500, 3000));
        assert!(super::FeeRule::of_reason(false, 30, 500, 3000).charge(0, 5 * hour) > 0);
    }
    use super::yuan;

    #[test]
    fn yuan_has_two_decimals() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(1250), "12.50");
        assert_eq!(yuan(-1250), "-12.50");
        assert_eq!(yuan(i64::MIN), "-92233720368547758.08");
    }
    use proptest::prelude::*;

    const MIN: i64 = 60_000;

    #[test]
    fn free_period_then_started_hours_then_the_daily_cap() {
        assert_eq!(fee(0, 30 * MIN, 30, 500, 3000), 0);
        assert_eq!(fee(0, 31 * MIN, 30, 500, 3000), 500);
        assert_eq!(fee(0, 90 * MIN, 30, 500, 3000), 500);
        assert_eq!(fee(0, 91 * MIN, 30, 500, 3000), 1000);
        assert_eq!(fee(0, 20 * 60 * MIN, 30, 500, 3000), 3000, "capped for the day");
        assert_eq!(fee(0, 25 * 60 * MIN, 30, 500, 3000), 6000, "two started days, each capped");
        assert_eq!(fee(0, 5 * 60 * MIN, 30, 0, 0), 0, "official reasons park free");
    }

    proptest! {
        #[test]
        fn a_longer_stay_never_costs_less(a in 0i64..5_000, b in 0i64..5_000, free in 0i64..120, rate in 0i64..2_000, cap in 0i64..10_000) {
            let (short, long) = (a.min(b), a.max(b));
            prop_assert!(fee(0, short * MIN, free, rate, cap) <= fee(0, long * MIN, free, rate, cap));
            if cap > 0 {
                prop_assert!(fee(0, long * MIN, free, rate, cap) <= ((long + 1439) / 1440).max(1) * cap);
            }
        }
    }
}

/// An amount typed in yuan ("5", "5.5", "¥12.50") as cents; `None` for
/// anything else (negative, more than two decimals, over ¥10,000,000).
pub fn cents_from_yuan(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches(['¥', '￥']).trim();
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 8 || frac.len() > 2 || !digits(whole) || !digits(frac) || (t.contains('.') && frac.is_empty()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    Some(whole * 100 + frac)
}

/// The number of the receipt an office issued when a plate's fees were
/// paid: 1 to 40 letters, digits, `-`, `_` or `/` (invoice numbers, the
/// office's own books), kept as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptNumber(String);

impl ReceiptNumber {
    pub const MAX_CHARS: usize = 40;
    pub fn parse(text: &str) -> Option<ReceiptNumber> {
        let t = text.trim();
        let ok = !t.is_empty() && t.len() <= Self::MAX_CHARS && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'));
        ok.then(|| ReceiptNumber(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod office_figures_tests {
    use super::*;

    #[test]
    fn yuan_as_typed_become_cents() {
        for (t, c) in [("5", 500), ("5.5", 550), ("5.05", 505), ("¥12.50", 1250), (" ￥0 ", 0), ("0.01", 1), ("10000000", 1_000_000_000)] {
            assert_eq!(cents_from_yuan(t), Some(c), "{t}");
        }
        for t in ["", "-5", "5.", ".5", "5.123", "1e3", "五", "5,00", "100000000", "+5", "5 .5"] {
            assert_eq!(cents_from_yuan(t), None, "{t}");
        }
    }

    #[test]
    fn the_office_figures_stay_within_bounds() {
        assert_eq!(FeeRule::new(30, 500, 3000), Ok(FeeRule { free_minutes: 30, cents_per_hour: 500, daily_cap_cents: 3000 }));
        assert_eq!(FeeRule::new(-1, 500, 3000), Err(FeeRuleProblem::FreeMinutes));
        assert_eq!(FeeRule::new(1441, 500, 3000), Err(FeeRuleProblem::FreeMinutes));
        assert_eq!(FeeRule::new(30, 100_001, 0), Err(FeeRuleProblem::Rate));
        assert_eq!(FeeRule::new(30, -1, 0), Err(FeeRuleProblem::Rate));
        assert_eq!(FeeRule::new(30, 500, 1_000_001), Err(FeeRuleProblem::DailyCap));
    }

    #[test]
    fn receipt_numbers_are_short_and_plain() {
        assert_eq!(ReceiptNumber::parse(" No-2026/0012 ").unwrap().as_str(), "No-2026/0012");
        for t in ["", "   ", "收据1", "a b", "=1+1", &"9".repeat(41), "1;DROP"] {
            assert!(ReceiptNumber::parse(t).is_none(), "{t}");
        }
    }

    proptest::proptest! {
        #[test]
        fn cents_print_back_as_the_same_yuan(c in 0i64..1_000_000_000) {
            proptest::prop_assert_eq!(cents_from_yuan(&yuan(c)), Some(c));
        }
    }
}
