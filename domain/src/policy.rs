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
}

impl PassPolicy {
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
        let mut with_security = host_then_department.clone();
        with_security.push(ApprovalStep { approver: StepApprover::Department { department_id: security_office.to_owned() }, skipped_for: vec![] });
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
            },
            PassPolicy {
                kind: PassKind::Contractor,
                chain: with_security,
                dates: DateRules { max_days: 180, max_days_ahead: 30, next_day_deadline: t(16, 0), same_day: false },
                vehicles_allowed: true,
                face_photo: FieldNeed::Optional,
                single_use: false,
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
            },
            PassPolicy {
                kind: PassKind::ResidentDay,
                chain: vec![],
                dates: DateRules { max_days: 1, max_days_ahead: 2, next_day_deadline: None, same_day: true },
                vehicles_allowed: false,
                face_photo: FieldNeed::Hidden,
                single_use: true,
            },
        ]
    }
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
        p.chain[2].skipped_for.push("CS".into());
        assert_eq!(p.chain_for("CS").len(), 2);
        assert_eq!(p.chain_for("HIST").len(), 3);
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
