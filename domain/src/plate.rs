//! Chinese vehicle plates (GA 36), including new-energy plates.

use serde::{Deserialize, Serialize};
use std::fmt;

const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
const SUFFIXES: &str = "学警挂港澳领试超";

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Plate(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlateError {
    #[error("empty")]
    Empty,
    #[error("not a Chinese plate")]
    Invalid,
}

/// Accepted, but worth a second look by a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlateWarning {
    /// A new-energy plate whose D/F is not where the vehicle size puts it.
    NewEnergyLetterPosition,
}

fn serial_char(c: char) -> bool {
    c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'I' && c != 'O')
}

impl Plate {
    pub fn parse(input: &str) -> Result<Self, PlateError> {
        Self::parse_with_warning(input).map(|(p, _)| p)
    }

    pub fn parse_with_warning(input: &str) -> Result<(Self, Option<PlateWarning>), PlateError> {
        let s: String = input
            .chars()
            .map(crate::phone::fullwidth_to_ascii)
            .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '-' | '.'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.is_empty() {
            return Err(PlateError::Empty);
        }
        let chars: Vec<char> = s.chars().collect();
        if chars.len() < 7 || !PROVINCES.contains(chars[0]) {
            return Err(PlateError::Invalid);
        }
        let office = chars[1];
        if !(office.is_ascii_uppercase()) {
            return Err(PlateError::Invalid);
        }
        let rest = &chars[2..];
        let warning = match rest.len() {
            5 if rest.iter().all(|c| serial_char(*c)) && rest.iter().filter(|c| c.is_ascii_alphabetic()).count() <= 2 => None,
            5 if rest[..4].iter().all(|c| serial_char(*c)) && SUFFIXES.contains(rest[4]) => None,
            6 if rest.iter().all(|c| serial_char(*c)) => {
                let is_df = |c: char| c == 'D' || c == 'F';
                let small = is_df(rest[0]) && rest[2..].iter().all(char::is_ascii_digit);
                let large = is_df(rest[5]) && rest[..5].iter().all(char::is_ascii_digit);
                if small || large {
                    None
                } else if rest.iter().any(|c| is_df(*c)) {
                    Some(PlateWarning::NewEnergyLetterPosition)
                } else {
                    return Err(PlateError::Invalid);
                }
            }
            _ => return Err(PlateError::Invalid),
        };
        Ok((Plate(s), warning))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Plates are visible on the street; lists still shorten them a little.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let n = chars.len();
        chars.iter().enumerate().map(|(i, c)| if i >= 2 && i + 2 < n { '*' } else { *c }).collect()
    }
}

impl fmt::Debug for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plate({})", self.0)
    }
}

impl TryFrom<String> for Plate {
    type Error = PlateError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Plate::parse(&value)
    }
}

impl From<Plate> for String {
    fn from(v: Plate) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_documented_examples() {
        for p in ["京A12345", "粤B1234学", "粤Z1234港", "京AD12345", "甘G23459F", "沪AF1234 5"] {
            assert!(Plate::parse(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn refuses_the_documented_counter_examples() {
        for p in ["京A1234", "京A1234I", "浙苏H6F681", "A12345", "京A123456", "京AAB12C"] {
            assert_eq!(Plate::parse(p), Err(PlateError::Invalid), "{p}");
        }
    }

    #[test]
    fn normalises_case_fullwidth_spaces_and_dots() {
        assert_eq!(Plate::parse(" 京a·１２３４５ ").unwrap().as_str(), "京A12345");
    }

    #[test]
    fn new_energy_letter_in_an_odd_place_is_a_warning_not_a_refusal() {
        let (p, w) = Plate::parse_with_warning("京A1D2345").unwrap();
        assert_eq!(p.as_str(), "京A1D2345");
        assert_eq!(w, Some(PlateWarning::NewEnergyLetterPosition));
        assert_eq!(Plate::parse_with_warning("京AD12345").unwrap().1, None);
    }

    #[test]
    fn at_most_two_letters_in_an_ordinary_serial() {
        assert!(Plate::parse("京AAB123").is_ok());
        assert!(Plate::parse("京AABC12").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Plate::parse(&s);
        }

        #[test]
        fn ordinary_digit_plates_are_accepted(p in 0usize..31, office in "[A-Z]", digits in "[0-9]{5}") {
            let prov = PROVINCES.chars().nth(p).unwrap();
            let s = format!("{prov}{office}{digits}");
            let p = Plate::parse(&s).unwrap();
            prop_assert_eq!(p.as_str(), s.as_str());
        }
    }
}
