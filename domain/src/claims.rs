//! The duplicate rule's claims: an entrant's document number, an entrant's
//! mobile and a plate may each stand in only one open application at a time.
//! An application lists its claims; the database keeps one row per claim
//! under a unique index, so even concurrent submissions cannot both hold one.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClaimKind {
    Document,
    Mobile,
    Plate,
}

/// One claim: its kind and the key (a keyed hash for documents, the
/// normalised value otherwise).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Claim {
    pub kind: ClaimKind,
    pub key: String,
}

/// What one entrant brings to the rule.
pub struct EntrantKeys<'a> {
    pub document: &'a str,
    /// The entrant's own mobile; `None` for someone without one (a child),
    /// who travels on the applicant's.
    pub mobile: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ClaimError {
    /// Two entrants of one application carry the same value.
    #[error("two entrants share the same {0:?}")]
    RepeatedWithin(ClaimKind),
}

/// The claims of one application. The applicant's mobile may cover entrants
/// without one of their own, so it is claimed once; two entrants with the
/// same document or the same own mobile are refused.
pub fn claims(applicant_mobile: &str, entrants: &[EntrantKeys<'_>], plate: Option<&str>) -> Result<Vec<Claim>, ClaimError> {
    let mut out: Vec<Claim> = Vec::new();
    let mut push = |c: Claim, repeat_is_error: bool| -> Result<(), ClaimError> {
        if out.contains(&c) {
            return if repeat_is_error { Err(ClaimError::RepeatedWithin(c.kind)) } else { Ok(()) };
        }
        out.push(c);
        Ok(())
    };
    for e in entrants {
        push(Claim { kind: ClaimKind::Document, key: e.document.to_owned() }, true)?;
    }
    // A staff member filing for someone has no applicant mobile here ("").
    if !applicant_mobile.is_empty() {
        push(Claim { kind: ClaimKind::Mobile, key: applicant_mobile.to_owned() }, false)?;
    }
    let mut own = std::collections::HashSet::new();
    for e in entrants {
        if let Some(m) = e.mobile {
            if !own.insert(m) {
                return Err(ClaimError::RepeatedWithin(ClaimKind::Mobile));
            }
            push(Claim { kind: ClaimKind::Mobile, key: m.to_owned() }, false)?;
        }
    }
    if let Some(p) = plate {
        push(Claim { kind: ClaimKind::Plate, key: p.to_owned() }, true)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_child_travels_on_the_applicants_mobile() {
        let c = claims(
            "13800000001",
            &[EntrantKeys { document: "d1", mobile: Some("13800000001") }, EntrantKeys { document: "d2", mobile: None }],
            Some("京A12345"),
        )
        .unwrap();
        assert_eq!(c.iter().filter(|c| c.kind == ClaimKind::Mobile).count(), 1);
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn two_entrants_with_one_document_or_one_own_mobile_are_refused() {
        let same_doc = [EntrantKeys { document: "d1", mobile: None }, EntrantKeys { document: "d1", mobile: None }];
        assert_eq!(claims("13800000001", &same_doc, None), Err(ClaimError::RepeatedWithin(ClaimKind::Document)));
        let same_mobile = [EntrantKeys { document: "d1", mobile: Some("13900000001") }, EntrantKeys { document: "d2", mobile: Some("13900000001") }];
        assert_eq!(claims("13800000001", &same_mobile, None), Err(ClaimError::RepeatedWithin(ClaimKind::Mobile)));
    }

    proptest! {
        #[test]
        fn claims_are_unique_and_cover_every_entrant(docs in proptest::collection::hash_set("[a-z]{4}", 1..6)) {
            let docs: Vec<String> = docs.into_iter().collect();
            let entrants: Vec<EntrantKeys> = docs.iter().map(|d| EntrantKeys { document: d, mobile: None }).collect();
            let c = claims("13800000001", &entrants, None).unwrap();
            let mut sorted = c.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), c.len());
            for d in &docs {
                let wanted = Claim { kind: ClaimKind::Document, key: d.clone() };
                prop_assert!(c.contains(&wanted));
            }
        }
    }
}
