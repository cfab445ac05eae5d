//! Staff numbers, names, passwords and roles.

use serde::{Deserialize, Serialize};

/// A staff number. Staff numbers are public (visitors use them as invitation
/// codes), so they are never a secret and never a password.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StaffNo(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("required")]
    Empty,
    #[error("too long")]
    TooLong,
    #[error("invalid characters")]
    Invalid,
}

impl StaffNo {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s: String = s.trim().chars().map(crate::phone::fullwidth_to_ascii).collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err(FieldError::Empty);
        }
        if s.len() > 20 {
            return Err(FieldError::TooLong);
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(FieldError::Invalid);
        }
        Ok(StaffNo(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StaffNo {
    type Error = FieldError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        StaffNo::parse(&v)
    }
}
impl From<StaffNo> for String {
    fn from(v: StaffNo) -> String {
        v.0
    }
}

/// A short free-text field (a person's or a place's name): trimmed,
/// 1..=max characters, no control characters.
pub fn short_text(s: &str, max: usize) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::Empty);
    }
    if t.chars().count() > max {
        return Err(FieldError::TooLong);
    }
    if t.chars().any(char::is_control) {
        return Err(FieldError::Invalid);
    }
    Ok(t.to_owned())
}

/// At least 10 characters, letters and digits, not the staff number.
pub fn password_is_acceptable(password: &str, staff_no: &str) -> bool {
    password.chars().count() >= 10
        && password.chars().count() <= 128
        && password.chars().any(|c| c.is_alphabetic())
        && password.chars().any(|c| c.is_ascii_digit())
        && !password.eq_ignore_ascii_case(staff_no)
}

/// Roles a security admin grants to staff. Visitor, resident and staff are
/// what a sign-in is, not grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Approver,
    SecurityAdmin,
    Guard,
    TempPersonnelAdmin,
    Hr,
    /// Keeps the households and their members (社区办 / 离退休处).
    ResidentOffice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Department,
    Gate,
    Campus,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Approver, Role::SecurityAdmin, Role::Guard, Role::TempPersonnelAdmin, Role::Hr, Role::ResidentOffice];

    pub fn code(self) -> &'static str {
        match self {
            Role::Approver => "approver",
            Role::SecurityAdmin => "security_admin",
            Role::Guard => "guard",
            Role::TempPersonnelAdmin => "temp_personnel_admin",
            Role::Hr => "hr",
            Role::ResidentOffice => "resident_office",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }

    /// What a grant of this role is bound to.
    pub fn scope(self) -> ScopeKind {
        match self {
            Role::Approver => ScopeKind::Department,
            Role::Guard => ScopeKind::Gate,
            _ => ScopeKind::Campus,
        }
    }

    pub fn label(self) -> crate::messages::Msg {
        use crate::messages::Msg;
        match self {
            Role::Approver => Msg::RoleApprover,
            Role::SecurityAdmin => Msg::RoleSecurityAdmin,
            Role::Guard => Msg::RoleGuard,
            Role::TempPersonnelAdmin => Msg::RoleTempAdmin,
            Role::Hr => Msg::RoleHr,
            Role::ResidentOffice => Msg::RoleResidentOffice,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GrantStatus {
    Active,
    Frozen,
    Revoked,
}

impl GrantStatus {
    pub fn code(self) -> &'static str {
        match self {
            GrantStatus::Active => "active",
            GrantStatus::Frozen => "frozen",
            GrantStatus::Revoked => "revoked",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [GrantStatus::Active, GrantStatus::Frozen, GrantStatus::Revoked].into_iter().find(|g| g.code() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn staff_numbers_are_normalised_and_checked() {
        assert_eq!(StaffNo::parse(" t2024-01 ").unwrap().as_str(), "T2024-01");
        assert_eq!(StaffNo::parse(""), Err(FieldError::Empty));
        assert_eq!(StaffNo::parse("a b"), Err(FieldError::Invalid));
        assert_eq!(StaffNo::parse(&"1".repeat(21)), Err(FieldError::TooLong));
    }

    #[test]
    fn password_rules() {
        assert!(password_is_acceptable("campus2026pass", "S001"));
        assert!(!password_is_acceptable("short1", "S001"));
        assert!(!password_is_acceptable("onlyletters", "S001"));
        assert!(!password_is_acceptable("1234567890", "S001"));
        assert!(!password_is_acceptable("t20240001ab", "T20240001AB"));
    }

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    proptest! {
        #[test]
        fn short_text_never_accepts_control_chars_or_blank(s in "\\PC*") {
            if let Ok(t) = short_text(&s, 50) {
                prop_assert!(!t.is_empty() && t.chars().count() <= 50 && !t.chars().any(char::is_control));
            }
        }
    }
}
