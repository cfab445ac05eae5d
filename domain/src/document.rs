//! Identity documents an entrant shows at the gate: a Chinese resident ID
//! (the default), a passport, or another document (e.g. a Hong Kong / Macau
//! travel permit). The same checks run as the visitor types and on the server.

use super::id_number::{IdNumber, IdNumberError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum DocType {
    #[default]
    ResidentId,
    Passport,
    Other,
}

impl DocType {
    pub const ALL: [DocType; 3] = [DocType::ResidentId, DocType::Passport, DocType::Other];
    pub fn code(self) -> &'static str {
        match self {
            DocType::ResidentId => "resident_id",
            DocType::Passport => "passport",
            DocType::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<DocType> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }
}

/// A document number that passed its type's check, normalised.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct DocumentNumber {
    pub doc_type: DocType,
    value: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum DocumentError {
    #[error("required")]
    Empty,
    #[error("resident ID: {0}")]
    ResidentId(#[from] IdNumberErrorCode),
    #[error("5 to 20 letters and digits")]
    Shape,
}

impl DocumentError {
    /// What to tell the person typing it.
    pub fn msg(self) -> crate::messages::Msg {
        use crate::messages::Msg;
        match self {
            DocumentError::Empty => Msg::ErrRequired,
            DocumentError::Shape => Msg::ErrDocShape,
            DocumentError::ResidentId(IdNumberErrorCode::Length) => Msg::ErrIdLength,
            DocumentError::ResidentId(IdNumberErrorCode::Characters) => Msg::ErrIdChars,
            DocumentError::ResidentId(IdNumberErrorCode::BirthDate) => Msg::ErrIdBirthDate,
            DocumentError::ResidentId(IdNumberErrorCode::CheckDigit) => Msg::ErrIdNumber,
        }
    }
}

/// `IdNumberError` as data, so it can cross to the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum IdNumberErrorCode {
    #[error("length")]
    Length,
    #[error("characters")]
    Characters,
    #[error("birth date")]
    BirthDate,
    #[error("check digit")]
    CheckDigit,
}

impl DocumentNumber {
    pub fn parse(doc_type: DocType, input: &str, today: NaiveDate) -> Result<Self, DocumentError> {
        if input.trim().is_empty() {
            return Err(DocumentError::Empty);
        }
        let value = match doc_type {
            DocType::ResidentId => IdNumber::parse(input, today)
                .map_err(|e| match e {
                    IdNumberError::Empty => DocumentError::Empty,
                    IdNumberError::Length => IdNumberErrorCode::Length.into(),
                    IdNumberError::Characters => IdNumberErrorCode::Characters.into(),
                    IdNumberError::BirthDate => IdNumberErrorCode::BirthDate.into(),
                    IdNumberError::CheckDigit => IdNumberErrorCode::CheckDigit.into(),
                })?
                .as_str()
                .to_owned(),
            DocType::Passport | DocType::Other => {
                let s: String =
                    input.chars().map(super::phone::fullwidth_to_ascii).filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
                if !(5..=20).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(DocumentError::Shape);
                }
                // A valid resident ID is a resident ID whatever the person
                // picked: otherwise choosing "other" would slip past the
                // blacklist and the one-open-application rule.
                if let Ok(id) = IdNumber::parse(&s, today) {
                    return Ok(DocumentNumber { doc_type: DocType::ResidentId, value: id.as_str().to_owned() });
                }
                s
            }
        };
        Ok(DocumentNumber { doc_type, value })
    }

    /// A staff member's work card, numbered by their staff number (the
    /// document the guard checks for a staff work pass). The staff number
    /// comes from the directory, not from a form.
    pub fn work_card(staff_no: &str) -> Self {
        DocumentNumber { doc_type: DocType::Other, value: staff_no.trim().to_ascii_uppercase() }
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The key the duplicate rule, the blacklist and the gate's lookup use
    /// before hashing. It does not depend on the type the person picked: a
    /// resident ID is one whatever the form said (`parse` sees to it), and
    /// a passport and an "other" document of one number are one document.
    pub fn claim_text(&self) -> String {
        match self.doc_type {
            DocType::ResidentId => format!("resident_id:{}", self.value),
            DocType::Passport | DocType::Other => format!("document:{}", self.value),
        }
    }

    /// Every key this document may be listed under: `claim_text`, and for a
    /// document that is not a resident ID the per-type keys blacklist
    /// entries were made with before keys stopped depending on the type.
    pub fn listed_texts(&self) -> Vec<String> {
        match self.doc_type {
            DocType::ResidentId => vec![self.claim_text()],
            DocType::Passport | DocType::Other => vec![self.claim_text(), format!("passport:{}", self.value), format!("other:{}", self.value)],
        }
    }

    /// First four and last four (ID numbers: `1101**********8670`).
    pub fn masked(&self) -> String {
        mask_document_text(&self.value)
    }
}

/// A document number as lists show it, at least half of it hidden: an ID
/// number's first four and last four, a passport's (9–12) first two and
/// last two, a short one's first two; empty stays empty.
pub fn mask_document_text(value: &str) -> String {
    let value = value.trim();
    let n = value.chars().count();
    let (head, tail) = match n {
        0..=2 => (0, 0),
        3..=8 => (2, 0),
        9..=12 => (2, 2),
        _ => (4, 4),
    };
    let first: String = value.chars().take(head).collect();
    let last: String = value.chars().skip(n - tail).collect();
    format!("{first}{}{last}", "*".repeat(n - head - tail))
}

/// Most people one application may bring (a class visit fits; a crowd
/// is an event).
pub const MAX_ENTRANTS: usize = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_does_not_depend_on_the_type_the_person_picked() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let id = DocumentNumber::parse(DocType::ResidentId, "11010519491231002X", today).unwrap();
        for picked in [DocType::Passport, DocType::Other] {
            let same = DocumentNumber::parse(picked, "11010519491231002x", today).unwrap();
            assert_eq!(same.doc_type, DocType::ResidentId, "a valid resident ID is one");
            assert_eq!(same.claim_text(), id.claim_text());
        }
        let passport = DocumentNumber::parse(DocType::Passport, "E12345678", today).unwrap();
        let other = DocumentNumber::parse(DocType::Other, "e1234 5678", today).unwrap();
        assert_eq!(passport.claim_text(), other.claim_text());
        assert_ne!(passport.claim_text(), id.claim_text());
        assert!(passport.listed_texts().contains(&"passport:E12345678".to_owned()));
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn resident_ids_use_the_id_rules() {
        let d = DocumentNumber::parse(DocType::ResidentId, "11010519491231002x", today()).unwrap();
        assert_eq!(d.as_str(), "11010519491231002X");
        assert_eq!(d.masked(), "1101**********002X");
        assert_eq!(
            DocumentNumber::parse(DocType::ResidentId, "110101199003078671", today()),
            Err(DocumentError::ResidentId(IdNumberErrorCode::CheckDigit))
        );
        assert_eq!(DocumentNumber::parse(DocType::ResidentId, "  ", today()), Err(DocumentError::Empty));
    }

    #[test]
    fn passports_are_letters_and_digits() {
        let p = DocumentNumber::parse(DocType::Passport, "e 1234 5678", today()).unwrap();
        assert_eq!(p.as_str(), "E12345678");
        assert_eq!(p.masked(), "E1*****78", "a passport number mostly hidden");
        assert_eq!(DocumentNumber::parse(DocType::Passport, "E12", today()), Err(DocumentError::Shape));
        assert_eq!(DocumentNumber::parse(DocType::Passport, "E1234-5678", today()), Err(DocumentError::Shape));
    }
}
