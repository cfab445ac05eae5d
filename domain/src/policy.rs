//! Pass-kind policies as data: the approval chain, date rules and what a
//! kind allows. The security office edits them; nothing here is specific to
//! one university. The defaults are what the seed guides describe.

use super::visit_dates::DateRules;
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PassKind {
    Visitor,
    Contractor,
    StaffWork,
    ResidentDay,
    TempPersonnel,
    Event,
    WalkIn,
}

impl PassKind {
    pub const ALL: [PassKind; 7] = [
        PassKind::Visitor,
        PassKind::Contractor,
        PassKind::StaffWork,
        PassKind::ResidentDay,
        PassKind::TempPersonnel,
        PassKind::Event,
        PassKind::WalkIn,
    ];

    /// The kind's one spelling in every table (`applications.kind`,
    /// `pass_policies.kind`, `passes.kind`). The wire (JSON) form stays the
    /// variant's name.
    pub fn code(self) -> &'static str {
        match self {
            PassKind::Visitor => "visitor",
            PassKind::Contractor => "contractor",
            PassKind::StaffWork => "staff_work",
            PassKind::ResidentDay => "resident_day",
            PassKind::TempPersonnel => "temp_personnel",
            PassKind::Event => "event",
            PassKind::WalkIn => "walk_in",
        }
    }

    pub fn from_code(s: &str) -> Option<PassKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The short code inside a pass token, where every byte counts in the
    /// QR code; a vehicle's pass has its own.
    pub fn token_code(self, vehicle: bool) -> &'static str {
        if vehicle {
            return "car";
        }
        match self {
            PassKind::Visitor => "v",
            PassKind::Contractor => "c",
            PassKind::StaffWork => "w",
            PassKind::ResidentDay => "r",
            PassKind::TempPersonnel => "t",
            PassKind::Event => "e",
            PassKind::WalkIn => "x",
        }
    }

    pub fn label(self) -> crate::messages::Msg {
        use crate::messages::Msg;
        match self {
            PassKind::Visitor => Msg::KindVisitor,
            PassKind::Contractor => Msg::KindContractor,
            PassKind::StaffWork => Msg::KindStaffWork,
            PassKind::ResidentDay => Msg::KindResidentDay,
            PassKind::TempPersonnel => Msg::KindTempPersonnel,
            PassKind::Event => Msg::KindEvent,
            PassKind::WalkIn => Msg::KindWalkIn,
        }
    }
}

/// Who approves one step of a chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepApprover {
    /// The staff member being visited (found by staff number or name).
    Host,
    /// Any approver of the host's department.
    HostDepartment,
    /// Any approver of one named department (e.g. the security office).
    Department { department_id: String },
    /// The previous step's approver chooses the department and the person
    /// who handles this step (seed 004: unit head -> e.g. student affairs).
    ChosenByPrevious,
    /// Approvers of two departments must both approve (seed 003: transfers).
    BothDepartments,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalStep {
    pub approver: StepApprover,
    /// Departments for which this step is left out.
    #[serde(default)]
    pub skipped_for: Vec<String>,
}

/// Who may file an application of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Applicants {
    /// Anyone who signs in with a mobile number, naming a host (visitors).
    Anyone,
    /// Members of a registered household, signed in with their mobile on record.
    Residents,
    /// An active staff member, for themselves (staff work pass).
    StaffThemselves,
    /// A staff member, for someone else (a contractor their department
    /// employs, or a visitor where hosts register their visitors); the
    /// person may complete it from the staff member's SMS invitation.
    StaffForOthers,
    /// Temporary personnel with a valid temporary staff number, for
    /// themselves, signed in with the mobile on record (seed 003's
    /// return-to-campus application).
    TempPersonnel,
}

impl Applicants {
    pub const ALL: [Applicants; 5] =
        [Applicants::Anyone, Applicants::Residents, Applicants::StaffThemselves, Applicants::StaffForOthers, Applicants::TempPersonnel];

    pub fn code(self) -> &'static str {
        match self {
            Applicants::Anyone => "anyone",
            Applicants::Residents => "residents",
            Applicants::StaffThemselves => "staff_themselves",
            Applicants::StaffForOthers => "staff_for_others",
            Applicants::TempPersonnel => "temp_personnel",
        }
    }

    pub fn from_code(s: &str) -> Option<Applicants> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }

    /// Who may apply for each kind, as the rules page offers it: visitors
    /// apply themselves or are registered by their host; contractors are
    /// filed by their department or apply themselves naming a host; staff
    /// and residents apply for themselves.
    pub fn offered_for(kind: PassKind) -> &'static [Applicants] {
        match kind {
            PassKind::Visitor => &[Applicants::Anyone, Applicants::StaffForOthers],
            PassKind::Contractor => &[Applicants::StaffForOthers, Applicants::Anyone],
            PassKind::StaffWork => &[Applicants::StaffThemselves],
            PassKind::ResidentDay => &[Applicants::Residents],
            PassKind::TempPersonnel => &[Applicants::TempPersonnel],
            _ => &Applicants::ALL,
        }
    }

    /// Whether a staff member files (rather than someone signed in by SMS).
    pub fn is_staff(self) -> bool {
        matches!(self, Applicants::StaffThemselves | Applicants::StaffForOthers)
    }
}

/// What the guard checks beside the QR code (seed 004 附件2: an ID card or a
/// residence proof for residents, the work card for staff).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GuardDocument {
    /// The document the application recorded (ID card, passport, ...).
    #[default]
    OnRecord,
    /// The resident ID card, or a proof of living on campus.
    IdOrResidenceProof,
    /// The staff work card (工作证).
    WorkCard,
}

impl GuardDocument {
    pub const ALL: [GuardDocument; 3] = [GuardDocument::OnRecord, GuardDocument::IdOrResidenceProof, GuardDocument::WorkCard];

    pub fn code(self) -> &'static str {
        match self {
            GuardDocument::OnRecord => "on_record",
            GuardDocument::IdOrResidenceProof => "residence_proof",
            GuardDocument::WorkCard => "work_card",
        }
    }

    pub fn from_code(s: &str) -> Option<GuardDocument> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }

    /// The code a pass carries to the gate: the policy's document, or the
    /// recorded document's type.
    pub fn for_pass(self, recorded_doc_type: &str) -> String {
        match self {
            GuardDocument::OnRecord => recorded_doc_type.to_owned(),
            other => other.code().to_owned(),
        }
    }
}

/// Whether a form asks for a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldNeed {
    Required,
    Optional,
    Hidden,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassPolicy {
    pub kind: PassKind,
    pub chain: Vec<ApprovalStep>,
    pub dates: DateRules,
    pub vehicles_allowed: bool,
    pub face_photo: FieldNeed,
    pub single_use: bool,
    /// Who files applications of this kind.
    #[serde(default = "default_applicants")]
    pub applicants: Applicants,
    /// What the guard checks beside the QR code.
    #[serde(default)]
    pub guard_document: GuardDocument,
    /// Residents: one pass per household in any run of this many days
    /// (seed 004: every two days); 0 for no such limit.
    #[serde(default)]
    pub household_every_days: u32,
}

fn default_applicants() -> Applicants {
    Applicants::Anyone
}

impl PassPolicy {
    /// Reads a stored policy. A field saved before it existed takes the
    /// kind's default (a contractor policy from before "who applies" was
    /// stored is the departments', not anyone's).
    pub fn from_stored(json: &str) -> Result<PassPolicy, serde_json::Error> {
        let mut v: serde_json::Value = serde_json::from_str(json)?;
        let before_applicants = v.get("applicants").is_none();
        if let Some(kind) = v.get("kind").cloned().and_then(|k| serde_json::from_value::<PassKind>(k).ok())
            && let Some(base) = PassPolicy::defaults("").into_iter().find(|p| p.kind == kind)
            && let (Some(obj), Ok(serde_json::Value::Object(base))) = (v.as_object_mut(), serde_json::to_value(&base))
        {
            for key in ["applicants", "guard_document", "household_every_days"] {
                if !obj.contains_key(key)
                    && let Some(d) = base.get(key)
                {
                    obj.insert(key.to_owned(), d.clone());
                }
            }
        }
        let mut p: PassPolicy = serde_json::from_value(v)?;
        // A contractor policy from before was a visitor's, with the host's
        // step; the department files now, and its filer approves nothing.
        if before_applicants && p.kind == PassKind::Contractor {
            p.chain.retain(|s| s.approver != StepApprover::Host);
        }
        Ok(p)
    }

    /// The steps that apply to an application whose host belongs to
    /// `host_department`, in order.
    pub fn chain_for(&self, host_department: &str) -> Vec<&ApprovalStep> {
        self.chain.iter().filter(|s| !s.skipped_for.iter().any(|d| d == host_department)).collect()
    }

    /// The seed guides' defaults; the security office changes them.
    pub fn defaults(security_office: &str) -> Vec<PassPolicy> {
        let host_then_department = vec![
            ApprovalStep { approver: StepApprover::Host, skipped_for: vec![] },
            ApprovalStep { approver: StepApprover::HostDepartment, skipped_for: vec![] },
        ];
        // Seed 000 §二: whoever employs approves (the filer's department),
        // then the security office.
        let department_then_security = vec![
            ApprovalStep { approver: StepApprover::HostDepartment, skipped_for: vec![] },
            ApprovalStep { approver: StepApprover::Department { department_id: security_office.to_owned() }, skipped_for: vec![] },
        ];
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        vec![
            PassPolicy {
                kind: PassKind::Visitor,
                chain: host_then_department,
                // Requests for tomorrow close at 16:00 (seed 001): no same-day visits.
                dates: DateRules { max_days: 15, max_days_ahead: 7, next_day_deadline: t(16, 0), same_day: false },
                vehicles_allowed: true,
                face_photo: FieldNeed::Optional,
                single_use: false,
                applicants: Applicants::Anyone,
                guard_document: GuardDocument::OnRecord,
                household_every_days: 0,
            },
            PassPolicy {
                kind: PassKind::Contractor,
                chain: department_then_security,
                // Seed 000 §二: at most 180 days, then a new application.
                dates: DateRules { max_days: 180, max_days_ahead: 30, next_day_deadline: None, same_day: true },
                vehicles_allowed: true,
                face_photo: FieldNeed::Optional,
                single_use: false,
                applicants: Applicants::StaffForOthers,
                guard_document: GuardDocument::OnRecord,
                household_every_days: 0,
            },
            PassPolicy {
                kind: PassKind::StaffWork,
                chain: vec![
                    ApprovalStep { approver: StepApprover::HostDepartment, skipped_for: vec![] },
                    ApprovalStep { approver: StepApprover::ChosenByPrevious, skipped_for: vec![] },
                ],
                dates: DateRules { max_days: 30, max_days_ahead: 14, next_day_deadline: None, same_day: true },
                vehicles_allowed: false,
                face_photo: FieldNeed::Hidden,
                single_use: false,
                applicants: Applicants::StaffThemselves,
                guard_document: GuardDocument::WorkCard,
                household_every_days: 0,
            },
            PassPolicy {
                kind: PassKind::ResidentDay,
                chain: vec![],
                dates: DateRules { max_days: 1, max_days_ahead: 2, next_day_deadline: None, same_day: true },
                vehicles_allowed: false,
                face_photo: FieldNeed::Hidden,
                single_use: true,
                applicants: Applicants::Residents,
                guard_document: GuardDocument::IdOrResidenceProof,
                household_every_days: 2,
            },
            // Seed 003 §3: the person's return-to-campus application, which
            // their department leader approves; the pass runs to the leave
            // date at the latest (checked against their record).
            PassPolicy {
                kind: PassKind::TempPersonnel,
                chain: vec![ApprovalStep { approver: StepApprover::HostDepartment, skipped_for: vec![] }],
                dates: DateRules { max_days: crate::temp_personnel::MAX_DAYS as u32, max_days_ahead: 30, next_day_deadline: None, same_day: true },
                vehicles_allowed: false,
                face_photo: FieldNeed::Hidden,
                single_use: false,
                applicants: Applicants::TempPersonnel,
                guard_document: GuardDocument::OnRecord,
                household_every_days: 0,
            },
        ]
    }
}

/// Why a policy cannot be saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyProblem {
    /// "Chosen by the previous approver" needs a previous step.
    #[error("the first step cannot be chosen by a previous approver")]
    ChosenFirst,
    /// A step needs someone: the host, for a kind with no host.
    #[error("this kind has no host to approve")]
    NoHost,
    /// Two-department steps belong to transfers, not to these kinds.
    #[error("a two-department step is not offered for this kind")]
    BothNotOffered,
    /// Kind and applicants do not fit (a resident pass filed by staff...).
    #[error("these applicants cannot apply for this kind")]
    ApplicantsMismatch,
}

impl PassPolicy {
    /// The rules every saved policy keeps (the rules page refuses others).
    pub fn check(&self) -> Result<(), PolicyProblem> {
        if self.chain.first().is_some_and(|s| s.approver == StepApprover::ChosenByPrevious) {
            return Err(PolicyProblem::ChosenFirst);
        }
        if self.chain.iter().any(|s| s.approver == StepApprover::BothDepartments) {
            return Err(PolicyProblem::BothNotOffered);
        }
        // Only visitors name a host; staff answer for their own filings
        // (their department approves), residents have neither.
        let host_step = self.chain.iter().any(|s| s.approver == StepApprover::Host);
        let department_step = self.chain.iter().any(|s| s.approver == StepApprover::HostDepartment);
        if (host_step && self.applicants != Applicants::Anyone) || (department_step && self.applicants == Applicants::Residents) {
            return Err(PolicyProblem::NoHost);
        }
        if !Applicants::offered_for(self.kind).contains(&self.applicants) {
            return Err(PolicyProblem::ApplicantsMismatch);
        }
        Ok(())
    }
}

/// The days a household's pass on `date` holds: with a limit of one pass
/// every `every` days, a pass on day D holds D .. D+every-1, so two passes
/// fewer than `every` days apart always share a day (a key the database
/// keeps once). Empty when there is no limit.
pub fn household_days(date: chrono::NaiveDate, every: u32) -> Vec<chrono::NaiveDate> {
    (0..every).filter_map(|i| date.checked_add_days(chrono::Days::new(u64::from(i)))).collect()
}

/// A step needing two departments is complete when both have approved.
pub fn step_complete(step: &ApprovalStep, departments_approved: &[&str], both: (&str, &str)) -> bool {
    match step.approver {
        StepApprover::BothDepartments => departments_approved.contains(&both.0) && departments_approved.contains(&both.1),
        _ => !departments_approved.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_can_be_left_out_for_a_department() {
        let mut p = PassPolicy::defaults("SEC").remove(1);
        p.chain[1].skipped_for.push("CS".into());
        assert_eq!(p.chain_for("CS").len(), 1);
        assert_eq!(p.chain_for("HIST").len(), 2);
    }

    #[test]
    fn defaults_follow_the_guides() {
        let d = PassPolicy::defaults("SEC");
        let visitor = d.iter().find(|p| p.kind == PassKind::Visitor).unwrap();
        assert_eq!(visitor.dates.max_days, 15);
        assert_eq!(visitor.dates.next_day_deadline, NaiveTime::from_hms_opt(16, 0, 0));
        let contractor = d.iter().find(|p| p.kind == PassKind::Contractor).unwrap();
        assert_eq!(contractor.dates.max_days, 180);
        assert!(matches!(contractor.chain.last().unwrap().approver, StepApprover::Department { .. }));
        let resident = d.iter().find(|p| p.kind == PassKind::ResidentDay).unwrap();
        assert!(resident.single_use && resident.chain.is_empty());
    }

    #[test]
    fn defaults_pass_their_own_checks() {
        for p in PassPolicy::defaults("SEC") {
            assert_eq!(p.check(), Ok(()), "{:?}", p.kind);
        }
        let mut staff = PassPolicy::defaults("SEC").remove(2);
        staff.chain.swap(0, 1);
        assert_eq!(staff.check(), Err(PolicyProblem::ChosenFirst));
        let mut resident = PassPolicy::defaults("SEC").remove(3);
        resident.chain.push(ApprovalStep { approver: StepApprover::Host, skipped_for: vec![] });
        assert_eq!(resident.check(), Err(PolicyProblem::NoHost));
        resident.chain = vec![ApprovalStep { approver: StepApprover::Department { department_id: "RES".into() }, skipped_for: vec![] }];
        assert_eq!(resident.check(), Ok(()));
        resident.applicants = Applicants::Anyone;
        assert_eq!(resident.check(), Err(PolicyProblem::ApplicantsMismatch));
        // Hosts may register their visitors, once the host's own step is gone.
        let mut visitor = PassPolicy::defaults("SEC").remove(0);
        visitor.applicants = Applicants::StaffForOthers;
        assert_eq!(visitor.check(), Err(PolicyProblem::NoHost));
        visitor.chain.retain(|s| s.approver != StepApprover::Host);
        assert_eq!(visitor.check(), Ok(()));
        let mut contractor = PassPolicy::defaults("SEC").remove(1);
        contractor.applicants = Applicants::Anyone;
        assert_eq!(contractor.check(), Ok(()));
        contractor.applicants = Applicants::StaffThemselves;
        assert_eq!(contractor.check(), Err(PolicyProblem::ApplicantsMismatch));
    }

    #[test]
    fn a_stored_policy_from_before_applicants_reads_with_its_kinds_defaults() {
        let old = r#"{"kind":"Contractor","chain":[{"approver":"Host","skipped_for":[]},{"approver":"HostDepartment","skipped_for":[]}],"dates":{"max_days":180,"max_days_ahead":30,"next_day_deadline":null,"same_day":false},"vehicles_allowed":true,"face_photo":"Optional","single_use":false}"#;
        let p = PassPolicy::from_stored(old).unwrap();
        assert_eq!(p.applicants, Applicants::StaffForOthers);
        assert_eq!(p.guard_document, GuardDocument::OnRecord);
        assert_eq!(p.household_every_days, 0);
        assert_eq!(p.chain.len(), 1, "the visitor's host step is gone: {:?}", p.chain);
        let visitor = old.replace("Contractor", "Visitor");
        assert_eq!(PassPolicy::from_stored(&visitor).unwrap().applicants, Applicants::Anyone);
        // What was stored wins over the defaults.
        let mut resident = PassPolicy::defaults("").remove(3);
        resident.household_every_days = 3;
        assert_eq!(PassPolicy::from_stored(&serde_json::to_string(&resident).unwrap()).unwrap(), resident);
    }

    proptest::proptest! {
        /// Two passes fewer than `every` days apart share a held day; passes
        /// `every` or more days apart share none.
        #[test]
        fn household_days_collide_exactly_within_the_limit(every in 1u32..6, a in 0i64..60, b in 0i64..60) {
            let base = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
            let (da, db) = (base + chrono::Duration::days(a), base + chrono::Duration::days(b));
            let (ha, hb) = (household_days(da, every), household_days(db, every));
            let share = ha.iter().any(|d| hb.contains(d));
            proptest::prop_assert_eq!(share, (a - b).abs() < i64::from(every));
        }
    }

    #[test]
    fn a_two_department_step_needs_both() {
        let step = ApprovalStep { approver: StepApprover::BothDepartments, skipped_for: vec![] };
        assert!(!step_complete(&step, &["A"], ("A", "B")));
        assert!(step_complete(&step, &["B", "A"], ("A", "B")));
        let one = ApprovalStep { approver: StepApprover::HostDepartment, skipped_for: vec![] };
        assert!(step_complete(&one, &["A"], ("", "")));
    }

    #[test]
    fn policies_round_trip_as_json_for_storage() {
        for p in PassPolicy::defaults("SEC") {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<PassPolicy>(&json).unwrap(), p);
        }
    }

    #[test]
    fn each_kind_has_one_stored_code_and_keeps_its_wire_name() {
        for k in PassKind::ALL {
            let wire = serde_json::to_string(&k).unwrap();
            // The stored code is the wire name in snake case.
            let snake: String = wire.trim_matches('"').chars().enumerate().fold(String::new(), |mut s, (i, c)| {
                if c.is_ascii_uppercase() && i > 0 {
                    s.push('_');
                }
                s.push(c.to_ascii_lowercase());
                s
            });
            assert_eq!(k.code(), snake);
            assert_eq!(PassKind::from_code(k.code()), Some(k));
        }
        assert_eq!(PassKind::from_code("Visitor"), None, "the wire name is not the stored code");
        assert_eq!(PassKind::Visitor.token_code(false), "v");
        assert_eq!(PassKind::StaffWork.token_code(false), "w");
        assert_eq!(PassKind::Visitor.token_code(true), "car");
    }
}
