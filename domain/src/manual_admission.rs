//! A manual admission (人工放行, seed 002 §十二): when the system is down a
//! guard admits a person on the security office's telephoned instruction,
//! on the scanner, online or not. What the guard records, parsed once here
//! for the scanner's form and the server alike: who came, the document
//! they showed, who at the office authorised it and why.

use crate::messages::Msg;

/// Longest name, authoriser, document and reason, in characters.
pub const NAME_MAX: usize = 30;
pub const AUTHORISER_MAX: usize = 40;
pub const DOCUMENT_MAX: usize = 30;
pub const REASON_MAX: usize = 100;

/// A manual admission as recorded: each field present and within its length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManualAdmission {
    name: String,
    document: String,
    authorised_by: String,
    reason: String,
}

/// What is wrong with a manual admission, by field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManualProblem {
    NameMissing,
    NameTooLong,
    DocumentTooLong,
    AuthoriserMissing,
    AuthoriserTooLong,
    ReasonMissing,
    ReasonTooLong,
}

impl ManualProblem {
    /// The form field it concerns.
    pub fn field(self) -> &'static str {
        match self {
            ManualProblem::NameMissing | ManualProblem::NameTooLong => "name",
            ManualProblem::DocumentTooLong => "document",
            ManualProblem::AuthoriserMissing | ManualProblem::AuthoriserTooLong => "authorised_by",
            ManualProblem::ReasonMissing | ManualProblem::ReasonTooLong => "reason",
        }
    }

    pub fn msg(self) -> Msg {
        match self {
            ManualProblem::NameMissing | ManualProblem::AuthoriserMissing | ManualProblem::ReasonMissing => Msg::ErrRequired,
            ManualProblem::NameTooLong | ManualProblem::DocumentTooLong | ManualProblem::AuthoriserTooLong | ManualProblem::ReasonTooLong => {
                Msg::ErrTooLong
            }
        }
    }
}

/// Trimmed, with control characters (a pasted line break) made spaces.
fn clean(s: &str) -> String {
    s.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

impl ManualAdmission {
    pub fn new(name: &str, document: &str, authorised_by: &str, reason: &str) -> Result<ManualAdmission, ManualProblem> {
        let field = |v: &str, max: usize, missing: Option<ManualProblem>, long: ManualProblem| {
            let v = clean(v);
            match (v.is_empty(), missing) {
                (true, Some(m)) => Err(m),
                _ if v.chars().count() > max => Err(long),
                _ => Ok(v),
            }
        };
        Ok(ManualAdmission {
            name: field(name, NAME_MAX, Some(ManualProblem::NameMissing), ManualProblem::NameTooLong)?,
            document: field(document, DOCUMENT_MAX, None, ManualProblem::DocumentTooLong)?,
            authorised_by: field(authorised_by, AUTHORISER_MAX, Some(ManualProblem::AuthoriserMissing), ManualProblem::AuthoriserTooLong)?,
            reason: field(reason, REASON_MAX, Some(ManualProblem::ReasonMissing), ManualProblem::ReasonTooLong)?,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn authorised_by(&self) -> &str {
        &self.authorised_by
    }
    pub fn reason(&self) -> &str {
        &self.reason
    }
    /// The document as kept: masked like every document (first four, last
    /// four); empty when none was shown.
    pub fn document_masked(&self) -> String {
        crate::document::mask_document_text(&self.document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_field_is_named_when_it_is_missing_or_too_long() {
        assert!(ManualAdmission::new("王奶奶", "", "保卫处 周敏 电话", "系统故障，探望亲属").is_ok());
        assert_eq!(ManualAdmission::new("  ", "", "周敏", "故障").unwrap_err(), ManualProblem::NameMissing);
        assert_eq!(ManualAdmission::new("王", "", "", "故障").unwrap_err(), ManualProblem::AuthoriserMissing);
        assert_eq!(ManualAdmission::new("王", "", "周敏", "\n").unwrap_err(), ManualProblem::ReasonMissing);
        assert_eq!(ManualAdmission::new(&"王".repeat(31), "", "周敏", "故障").unwrap_err(), ManualProblem::NameTooLong);
        assert_eq!(ManualAdmission::new("王", &"1".repeat(31), "周敏", "故障").unwrap_err(), ManualProblem::DocumentTooLong);
        assert_eq!(ManualProblem::AuthoriserTooLong.field(), "authorised_by");
        assert_eq!(ManualProblem::ReasonMissing.msg(), Msg::ErrRequired);
    }

    #[test]
    fn the_document_is_kept_masked_and_a_line_break_is_a_space() {
        let m = ManualAdmission::new("王奶奶", " 110101194001011234 ", "周敏\n电话", "探望").unwrap();
        assert_eq!(m.document_masked(), "1101**********1234");
        assert_eq!(m.authorised_by(), "周敏 电话");
        assert_eq!(ManualAdmission::new("王", "", "周敏", "探望").unwrap().document_masked(), "");
    }

    proptest! {
        #[test]
        fn what_is_accepted_is_within_its_lengths_and_never_holds_a_control_character(
            name in "\\PC{0,40}", doc in "[0-9A-Za-z]{0,40}", by in ".{0,50}", why in ".{0,120}"
        ) {
            if let Ok(m) = ManualAdmission::new(&name, &doc, &by, &why) {
                prop_assert!(!m.name().is_empty() && m.name().chars().count() <= NAME_MAX);
                prop_assert!(m.authorised_by().chars().count() <= AUTHORISER_MAX && m.reason().chars().count() <= REASON_MAX);
                prop_assert!(!m.reason().chars().chain(m.authorised_by().chars()).any(char::is_control));
                let masked = m.document_masked();
                prop_assert!(masked.is_empty() || masked.contains('*'));
            }
        }
    }
}
