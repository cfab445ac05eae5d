//! A household's place on campus (seed 004: 小区 / 楼栋 / 门牌), as the
//! resident office's form and its CSV import both check it.

use crate::account::{FieldError, short_text};

/// Longest community (小区) name, building (楼栋) and door (门牌).
pub const COMMUNITY_MAX: usize = 50;
pub const BUILDING_MAX: usize = 20;
pub const DOOR_MAX: usize = 20;
/// Longest member's name.
pub const NAME_MAX: usize = 50;

/// Community, building and door, trimmed and bounded. With the campus it
/// names one household (a unique index says so).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Address {
    pub community: String,
    pub building: String,
    pub door: String,
}

impl Address {
    /// Every field that is wrong, by its form name, and why.
    pub fn parse(community: &str, building: &str, door: &str) -> Result<Address, Vec<(&'static str, FieldError)>> {
        let mut wrong = Vec::new();
        let mut field = |name: &'static str, value: &str, max: usize| short_text(value, max).map_err(|e| wrong.push((name, e))).ok();
        let (c, b, d) = (field("community", community, COMMUNITY_MAX), field("building", building, BUILDING_MAX), field("door", door, DOOR_MAX));
        match (c, b, d) {
            (Some(community), Some(building), Some(door)) => Ok(Address { community, building, door }),
            _ => Err(wrong),
        }
    }

    /// `教工宿舍 5栋 302`: how lists and messages name the household (and
    /// the old `address` column, which stays unique per campus with it).
    pub fn label(&self) -> String {
        format!("{} {} {}", self.community, self.building, self.door)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_trimmed_and_every_wrong_one_is_named() {
        let a = Address::parse(" 教工宿舍 ", "5栋", " 302").unwrap();
        assert_eq!(a.label(), "教工宿舍 5栋 302");
        assert_eq!(Address::parse("教工宿舍", " ", "302"), Err(vec![("building", FieldError::Empty)]));
        assert_eq!(Address::parse("教工宿舍", "5栋", &"1".repeat(DOOR_MAX + 1)), Err(vec![("door", FieldError::TooLong)]));
        assert_eq!(Address::parse("教工\u{7}宿舍", "", "302"), Err(vec![("community", FieldError::Invalid), ("building", FieldError::Empty)]));
    }
}
