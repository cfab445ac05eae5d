//! Mainland China mobile numbers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A mainland mobile number: 11 digits, `1` then `3`–`9`.
///
/// `+86` / `0086` prefixes, spaces and dashes are normalised away, so
/// `+86 138-0013-8000` and `13800138000` are the same number.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("empty")]
    Empty,
    #[error("not a mainland mobile number")]
    Invalid,
}

impl Phone {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '(' && *c != ')').map(fullwidth_to_ascii).collect();
        if compact.is_empty() {
            return Err(PhoneError::Empty);
        }
        let digits = compact.strip_prefix("+86").or_else(|| compact.strip_prefix("0086")).unwrap_or(&compact);
        let b = digits.as_bytes();
        let ok = b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        if ok { Ok(Phone(digits.to_owned())) } else { Err(PhoneError::Invalid) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: what lists, logs and other people see.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// Full-width digits and plus sign (as typed by Chinese IMEs) to ASCII.
pub(crate) fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

impl fmt::Debug for Phone {
    // Debug output ends up in logs: never the full number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_real_segments_including_ones_popular_regexes_reject() {
        for n in ["13800138000", "19312345678", "16212345678", "14712345678", "17012345678"] {
            assert_eq!(Phone::parse(n).unwrap().as_str(), n);
        }
    }

    #[test]
    fn normalises_prefixes_spaces_dashes_and_fullwidth() {
        for n in ["+86 138-0013-8000", "0086 13800138000", "138 0013 8000", "１３８００１３８０００"] {
            assert_eq!(Phone::parse(n).unwrap().as_str(), "13800138000", "{n}");
        }
    }

    #[test]
    fn refuses_non_mobile_numbers() {
        for n in ["12800138000", "1380013800", "138001380001", "10086", "abc", "+1 13800138000"] {
            assert_eq!(Phone::parse(n), Err(PhoneError::Invalid), "{n}");
        }
        assert_eq!(Phone::parse("  "), Err(PhoneError::Empty));
    }

    #[test]
    fn masks_the_middle_and_debug_never_shows_it() {
        let p = Phone::parse("13812345678").unwrap();
        assert_eq!(p.masked(), "138****5678");
        assert!(!format!("{p:?}").contains("1234"));
    }

    proptest! {
        #[test]
        fn every_valid_number_round_trips(second in 3u8..=9, rest in "[0-9]{9}") {
            let n = format!("1{second}{rest}");
            let p = Phone::parse(&n).unwrap();
            prop_assert_eq!(p.as_str(), n.as_str());
            let spaced = format!("+86 {} {} {}", &n[..3], &n[3..7], &n[7..]);
            prop_assert_eq!(Phone::parse(&spaced).unwrap(), p);
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Phone::parse(&s);
        }
    }
}
