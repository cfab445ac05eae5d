//! Chinese resident identity numbers (GB 11643-1999).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid 18-character resident ID number (including the 81/82/83 Hong Kong,
/// Macau and Taiwan residence permits). Lower-case `x` is read as `X`.
///
/// The region code is deliberately not checked against a list: numbers keep
/// the code that was current when issued, and lists go stale.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("empty")]
    Empty,
    #[error("must be 18 characters")]
    Length,
    #[error("only digits, with X as the last character")]
    Characters,
    #[error("the birth date is not a real date")]
    BirthDate,
    #[error("the check character does not match")]
    CheckDigit,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

impl IdNumber {
    /// Checks shape, birth date (a real date, not after `today`) and the
    /// ISO 7064 MOD 11-2 check character.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).map(crate::phone::fullwidth_to_ascii).map(|c| c.to_ascii_uppercase()).collect();
        if s.is_empty() {
            return Err(IdNumberError::Empty);
        }
        if s.chars().count() != 18 {
            return Err(IdNumberError::Length);
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdNumberError::Characters);
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
        NaiveDate::from_ymd_opt(num(6..10) as i32, num(10..12), num(12..14))
            .filter(|d| *d <= today && d.year_ce().1 >= 1880)
            .ok_or(IdNumberError::BirthDate)?;
        if b[17] != check_char(&b[..17]) {
            return Err(IdNumberError::CheckDigit);
        }
        Ok(IdNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `1101**********8670`: first four and last four.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..4], &self.0[14..])
    }
}

use chrono::Datelike;

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| (d - b'0') as u32 * w).sum();
    CHECK[(sum % 11) as usize]
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;
    // Deserialising cannot know "today": accept any past date up to far future
    // bounds only through the full parse on the server, which knows the clock.
    fn try_from(value: String) -> Result<Self, Self::Error> {
        IdNumber::parse(&value, NaiveDate::from_ymd_opt(9999, 12, 31).unwrap())
    }
}

impl From<IdNumber> for String {
    fn from(v: IdNumber) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn accepts_the_documented_examples() {
        assert!(IdNumber::parse("110101199003078670", today()).is_ok());
        assert_eq!(IdNumber::parse("11010519491231002x", today()).unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn refuses_the_documented_counter_examples() {
        assert_eq!(IdNumber::parse("110101199003078671", today()), Err(IdNumberError::CheckDigit));
        assert_eq!(IdNumber::parse("440308199902301516", today()), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn accepts_hong_kong_macau_taiwan_permits_and_unlisted_regions() {
        for first17 in ["81000019900101001", "82000019900101001", "83000019900101001", "99999919900101001"] {
            let full = format!("{first17}{}", check_char(first17.as_bytes()) as char);
            assert!(IdNumber::parse(&full, today()).is_ok(), "{full}");
        }
    }

    #[test]
    fn refuses_future_birth_dates_and_bad_shapes() {
        let first17 = "11010120300101001";
        let full = format!("{first17}{}", check_char(first17.as_bytes()) as char);
        assert_eq!(IdNumber::parse(&full, today()), Err(IdNumberError::BirthDate));
        assert_eq!(IdNumber::parse("11010119900307867", today()), Err(IdNumberError::Length));
        assert_eq!(IdNumber::parse("11010119900307867A", today()), Err(IdNumberError::Characters));
        assert_eq!(IdNumber::parse("", today()), Err(IdNumberError::Empty));
    }

    #[test]
    fn masks_and_never_debugs_in_full() {
        let id = IdNumber::parse("110101199003078670", today()).unwrap();
        assert_eq!(id.masked(), "1101**********8670");
        assert!(!format!("{id:?}").contains("19900307"));
    }

    proptest! {
        #[test]
        fn any_real_birth_date_with_its_check_char_is_accepted(
            region in 110000u32..=899999, days in 0i64..40000, seq in 0u32..1000
        ) {
            let birth = NaiveDate::from_ymd_opt(1910, 1, 1).unwrap() + chrono::Days::new(days as u64);
            prop_assume!(birth <= today());
            let first17 = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
            let full = format!("{first17}{}", check_char(first17.as_bytes()) as char);
            prop_assert!(IdNumber::parse(&full, today()).is_ok());
        }

        #[test]
        fn changing_one_digit_is_always_caught(pos in 0usize..17, delta in 1u8..10) {
            let good = b"110101199003078670";
            let mut bad = *good;
            bad[pos] = b'0' + (bad[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(bad.to_vec()).unwrap();
            prop_assert!(IdNumber::parse(&s, today()).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = IdNumber::parse(&s, today());
        }
    }
}
