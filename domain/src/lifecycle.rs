//! The application lifecycle: which action, by whom, moves an application
//! from one state to the next, where a submission starts, what an approval
//! clears, how a period ends and who is offered what. Pure: the server
//! loads the state, asks `decide`, and writes the answer with a
//! conditional update. (Over 400 lines for its tables of tests; the rules
//! are the first 330.)

use crate::messages::Msg;
use serde::{Deserialize, Serialize};

/// Where an application stands. `step` is the 0-based index of the
/// approval step it waits at (or that returned it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Draft,
    InReview {
        step: u8,
    },
    /// Sent back to the applicant to change; resubmitting returns it to `step`.
    Returned {
        step: u8,
    },
    /// An approver edited it; the applicant confirms, and it goes back to `step`.
    AwaitingConfirmation {
        step: u8,
    },
    Approved,
    /// Rejected; the applicant has not yet acknowledged it.
    RejectedUnacknowledged,
    Rejected,
    Withdrawn,
    /// Given up by the applicant after approval.
    Released,
    /// Revoked by an approver after approval.
    Cancelled,
    /// The period ended and the pass was never used.
    Expired,
    /// The period ended after the pass was used.
    Completed,
}

/// What someone does to an application: the one list of actions. Its wire
/// form (serde) is the variant's name, what the pages send as the `action`
/// of `act_on_application`; `code()` is what `application_events.action`
/// stores. `Submit` and `Expire` never travel: a first submission has its
/// own server function, and only the clock expires an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    Approve,
    ApproveWithEdits,
    EditAndReturn,
    Confirm,
    ReturnForChange,
    Reject,
    AcknowledgeRejection,
    Withdraw,
    Release,
    Cancel,
    /// Edit a returned application and send it again.
    Resubmit,
    #[serde(skip)]
    Submit,
    /// The period is over; `used`: one of its passes was used.
    #[serde(skip)]
    Expire {
        used: bool,
    },
}

impl Action {
    /// Every action with its stored code (expiry is one code, used or not).
    const CODES: [(Action, &'static str); 13] = [
        (Action::Approve, "approve"),
        (Action::ApproveWithEdits, "approve_with_edits"),
        (Action::EditAndReturn, "edit_and_return"),
        (Action::Confirm, "confirm"),
        (Action::ReturnForChange, "return_for_change"),
        (Action::Reject, "reject"),
        (Action::AcknowledgeRejection, "acknowledge_rejection"),
        (Action::Withdraw, "withdraw"),
        (Action::Release, "release"),
        (Action::Cancel, "cancel"),
        (Action::Resubmit, "resubmit"),
        (Action::Submit, "submit"),
        (Action::Expire { used: false }, "expire"),
    ];

    /// The code stored in `application_events.action`.
    pub fn code(self) -> &'static str {
        let a = if let Action::Expire { .. } = self { Action::Expire { used: false } } else { self };
        Self::CODES.iter().find(|(x, _)| *x == a).map(|(_, c)| *c).unwrap_or("")
    }

    pub fn from_code(s: &str) -> Option<Action> {
        Self::CODES.iter().find(|(_, c)| *c == s).map(|(a, _)| *a)
    }

    /// The button that takes the action.
    pub fn label(self) -> Msg {
        match self {
            Action::Approve => Msg::ActApprove,
            Action::ApproveWithEdits => Msg::ActApproveWithEdits,
            Action::EditAndReturn => Msg::ActEditAndReturn,
            Action::Confirm => Msg::ActConfirm,
            Action::ReturnForChange => Msg::ActReturn,
            Action::Reject => Msg::ActReject,
            Action::AcknowledgeRejection => Msg::ActAcknowledge,
            Action::Withdraw => Msg::ActWithdraw,
            Action::Release => Msg::ActRelease,
            Action::Cancel => Msg::ActCancel,
            Action::Resubmit => Msg::ActResubmit,
            Action::Submit => Msg::SubmitApplication,
            Action::Expire { .. } => Msg::StExpired,
        }
    }

    /// The line of an application's history that records the action.
    pub fn event_label(self) -> Msg {
        match self {
            Action::Submit => Msg::EvSubmit,
            Action::Resubmit => Msg::EvResubmit,
            other => other.label(),
        }
    }

    /// Actions that need a sentence of explanation.
    pub fn needs_note(self) -> bool {
        matches!(self, Action::Reject | Action::ReturnForChange | Action::Cancel | Action::EditAndReturn)
    }

    /// Actions that carry an approver's edits.
    pub fn needs_edits(self) -> bool {
        matches!(self, Action::ApproveWithEdits | Action::EditAndReturn)
    }

    /// Who takes the action, as the rules see it: the applicant's own
    /// actions, the department's cancellation, an approver's decisions.
    pub fn actor(self, by_applicant: bool) -> Actor {
        match self {
            Action::Submit | Action::Resubmit => Actor::Applicant,
            Action::Confirm | Action::AcknowledgeRejection | Action::Withdraw | Action::Release if by_applicant => Actor::Applicant,
            Action::Cancel => Actor::DepartmentApprover,
            Action::Expire { .. } => Actor::System,
            _ => Actor::StepApprover,
        }
    }
}

/// Who acts, as far as the rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    Applicant,
    /// An approver of the step the application waits at.
    StepApprover,
    /// An approver of the application's department (any step), e.g. to cancel.
    DepartmentApprover,
    /// The clock.
    System,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Refusal {
    #[error("this action is not possible in the application's current state")]
    WrongState,
    #[error("this person may not take this action")]
    WrongActor,
}

impl Status {
    /// Open applications hold their entrants' documents, mobiles and plates
    /// (the duplicate rule) until their period is over.
    pub fn is_open(self) -> bool {
        matches!(self, Status::InReview { .. } | Status::Returned { .. } | Status::AwaitingConfirmation { .. } | Status::Approved)
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Rejected | Status::Withdrawn | Status::Released | Status::Cancelled | Status::Expired | Status::Completed)
    }

    /// A stable text code for storage and the API.
    pub fn code(self) -> String {
        match self {
            Status::Draft => "draft".into(),
            Status::InReview { step } => format!("in_review:{step}"),
            Status::Returned { step } => format!("returned:{step}"),
            Status::AwaitingConfirmation { step } => format!("awaiting_confirmation:{step}"),
            Status::Approved => "approved".into(),
            Status::RejectedUnacknowledged => "rejected_unacknowledged".into(),
            Status::Rejected => "rejected".into(),
            Status::Withdrawn => "withdrawn".into(),
            Status::Released => "released".into(),
            Status::Cancelled => "cancelled".into(),
            Status::Expired => "expired".into(),
            Status::Completed => "completed".into(),
        }
    }

    pub fn from_code(s: &str) -> Option<Status> {
        let (name, step) = match s.split_once(':') {
            Some((n, st)) => (n, Some(st.parse::<u8>().ok()?)),
            None => (s, None),
        };
        Some(match (name, step) {
            ("draft", None) => Status::Draft,
            ("in_review", Some(step)) => Status::InReview { step },
            ("returned", Some(step)) => Status::Returned { step },
            ("awaiting_confirmation", Some(step)) => Status::AwaitingConfirmation { step },
            ("approved", None) => Status::Approved,
            ("rejected_unacknowledged", None) => Status::RejectedUnacknowledged,
            ("rejected", None) => Status::Rejected,
            ("withdrawn", None) => Status::Withdrawn,
            ("released", None) => Status::Released,
            ("cancelled", None) => Status::Cancelled,
            ("expired", None) => Status::Expired,
            ("completed", None) => Status::Completed,
            _ => return None,
        })
    }
}

/// The next state, or why not. `steps` is the length of the approval chain
/// (at least 1; a chain of none is approved on submission by the caller).
pub fn transition(status: Status, action: Action, actor: Actor, steps: u8) -> Result<Status, Refusal> {
    use Action as A;
    use Actor as R;
    use Status as S;
    let need = |who: R| if actor == who { Ok(()) } else { Err(Refusal::WrongActor) };
    match (status, action) {
        (S::Draft, A::Submit) => need(R::Applicant).map(|_| S::InReview { step: 0 }),
        (S::Returned { step }, A::Resubmit) => need(R::Applicant).map(|_| S::InReview { step }),
        (S::InReview { step }, A::Approve | A::ApproveWithEdits) => {
            need(R::StepApprover).map(|_| if step + 1 >= steps { S::Approved } else { S::InReview { step: step + 1 } })
        }
        (S::InReview { step }, A::EditAndReturn) => need(R::StepApprover).map(|_| S::AwaitingConfirmation { step }),
        (S::InReview { step }, A::ReturnForChange) => need(R::StepApprover).map(|_| S::Returned { step }),
        (S::InReview { .. }, A::Reject) => need(R::StepApprover).map(|_| S::RejectedUnacknowledged),
        (S::AwaitingConfirmation { step }, A::Confirm) => need(R::Applicant).map(|_| S::InReview { step }),
        (S::RejectedUnacknowledged, A::AcknowledgeRejection) => need(R::Applicant).map(|_| S::Rejected),
        (S::Draft | S::InReview { .. } | S::Returned { .. } | S::AwaitingConfirmation { .. }, A::Withdraw) => {
            need(R::Applicant).map(|_| S::Withdrawn)
        }
        (S::Approved, A::Release) => need(R::Applicant).map(|_| S::Released),
        (S::Approved, A::Cancel) => {
            if matches!(actor, R::StepApprover | R::DepartmentApprover) {
                Ok(S::Cancelled)
            } else {
                Err(Refusal::WrongActor)
            }
        }
        (S::Approved, A::Expire { used }) => need(R::System).map(|_| if used { S::Completed } else { S::Expired }),
        // An application still undecided when its period is over can no
        // longer be used: it expires rather than waiting forever.
        (S::Draft | S::InReview { .. } | S::Returned { .. } | S::AwaitingConfirmation { .. }, A::Expire { used: false }) => {
            need(R::System).map(|_| S::Expired)
        }
        _ => Err(Refusal::WrongState),
    }
}

/// Consecutive steps held by the same person: one approval clears them all.
/// Given which of the chain's steps the approver may act on, returns how
/// many steps, from `step` on, this approval clears.
pub fn steps_cleared(step: u8, approver_holds: impl Fn(u8) -> bool, steps: u8) -> u8 {
    let mut n = 0;
    while step + n < steps && approver_holds(step + n) {
        n += 1;
    }
    n.max(1)
}

/// Where a new application starts: at the first step, or past the host's
/// leading steps when the host invited the visitor (the invitation is the
/// host's approval); approved at once when no step is left, as with a
/// policy whose chain is empty. `host_steps`: the chain, true for a step
/// the host holds.
pub fn on_submit(host_steps: &[bool], invited: bool) -> Status {
    let first = if invited { host_steps.iter().take_while(|h| **h).count() } else { 0 };
    if first >= host_steps.len() { Status::Approved } else { Status::InReview { step: first as u8 } }
}

/// The outcome of an action on an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub to: Status,
    /// How many approval steps this action cleared (more than one when the
    /// approver also holds the steps after it).
    pub cleared: u8,
}

/// An action by `actor` on an application at `status` with a chain of
/// `steps`; `holds(step)` tells whether the one acting holds that step, so
/// an approval clears every consecutive step they hold.
pub fn decide(status: Status, action: Action, actor: Actor, steps: u8, holds: impl Fn(u8) -> bool) -> Result<Decision, Refusal> {
    let mut to = transition(status, action, actor, steps)?;
    let mut cleared = 1;
    if let (Status::InReview { step }, Action::Approve | Action::ApproveWithEdits) = (status, action) {
        cleared = steps_cleared(step, holds, steps);
        for _ in 1..cleared {
            to = transition(to, Action::Approve, Actor::StepApprover, steps)?;
        }
    }
    Ok(Decision { to, cleared })
}

/// The end of an application whose period is over: completed when one of
/// its passes was used, expired otherwise (undecided ones had no pass).
pub fn on_period_over(status: Status, used: bool) -> Result<Status, Refusal> {
    transition(status, Action::Expire { used: used && status == Status::Approved }, Actor::System, 1)
}

/// What each side may do to an application now, in the order the page
/// shows them: the applicant's own actions, then the decisions of whoever
/// holds the step it waits at, then the department's cancellation.
pub fn allowed(status: Status, steps: u8, applicant: bool, holds_step: bool, department_approver: bool) -> Vec<Action> {
    use Action as A;
    let mut out = Vec::new();
    let mut offer = |action: Action, actor: Actor| {
        if transition(status, action, actor, steps).is_ok() && !out.contains(&action) {
            out.push(action);
        }
    };
    if applicant {
        for a in [A::Confirm, A::Resubmit, A::AcknowledgeRejection, A::Withdraw, A::Release] {
            offer(a, Actor::Applicant);
        }
    }
    if holds_step {
        for a in [A::Approve, A::ApproveWithEdits, A::EditAndReturn, A::ReturnForChange, A::Reject] {
            offer(a, Actor::StepApprover);
        }
    }
    if department_approver {
        offer(A::Cancel, Actor::DepartmentApprover);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STEPS: u8 = 3;

    fn all_statuses() -> Vec<Status> {
        let mut v = vec![
            Status::Draft,
            Status::Approved,
            Status::RejectedUnacknowledged,
            Status::Rejected,
            Status::Withdrawn,
            Status::Released,
            Status::Cancelled,
            Status::Expired,
            Status::Completed,
        ];
        for step in 0..STEPS {
            v.extend([Status::InReview { step }, Status::Returned { step }, Status::AwaitingConfirmation { step }]);
        }
        v
    }

    fn all_actions() -> Vec<Action> {
        use Action::*;
        vec![
            Submit,
            Resubmit,
            Approve,
            ApproveWithEdits,
            EditAndReturn,
            Confirm,
            ReturnForChange,
            Reject,
            AcknowledgeRejection,
            Withdraw,
            Release,
            Cancel,
            Expire { used: false },
            Expire { used: true },
        ]
    }

    const ACTORS: [Actor; 4] = [Actor::Applicant, Actor::StepApprover, Actor::DepartmentApprover, Actor::System];

    /// The whole table, written out: every allowed (state, action, actor)
    /// with its result. Everything not listed must be refused.
    fn allowed() -> Vec<(Status, Action, Actor, Status)> {
        use Action as A;
        use Actor as R;
        use Status as S;
        let mut v = vec![
            (S::Draft, A::Submit, R::Applicant, S::InReview { step: 0 }),
            (S::Draft, A::Withdraw, R::Applicant, S::Withdrawn),
            (S::Draft, A::Expire { used: false }, R::System, S::Expired),
            (S::RejectedUnacknowledged, A::AcknowledgeRejection, R::Applicant, S::Rejected),
            (S::Approved, A::Release, R::Applicant, S::Released),
            (S::Approved, A::Cancel, R::StepApprover, S::Cancelled),
            (S::Approved, A::Cancel, R::DepartmentApprover, S::Cancelled),
            (S::Approved, A::Expire { used: false }, R::System, S::Expired),
            (S::Approved, A::Expire { used: true }, R::System, S::Completed),
        ];
        for step in 0..STEPS {
            let next = if step + 1 == STEPS { S::Approved } else { S::InReview { step: step + 1 } };
            v.extend([
                (S::InReview { step }, A::Approve, R::StepApprover, next),
                (S::InReview { step }, A::ApproveWithEdits, R::StepApprover, next),
                (S::InReview { step }, A::EditAndReturn, R::StepApprover, S::AwaitingConfirmation { step }),
                (S::InReview { step }, A::ReturnForChange, R::StepApprover, S::Returned { step }),
                (S::InReview { step }, A::Reject, R::StepApprover, S::RejectedUnacknowledged),
                (S::InReview { step }, A::Withdraw, R::Applicant, S::Withdrawn),
                (S::InReview { step }, A::Expire { used: false }, R::System, S::Expired),
                (S::Returned { step }, A::Resubmit, R::Applicant, S::InReview { step }),
                (S::Returned { step }, A::Withdraw, R::Applicant, S::Withdrawn),
                (S::Returned { step }, A::Expire { used: false }, R::System, S::Expired),
                (S::AwaitingConfirmation { step }, A::Confirm, R::Applicant, S::InReview { step }),
                (S::AwaitingConfirmation { step }, A::Withdraw, R::Applicant, S::Withdrawn),
                (S::AwaitingConfirmation { step }, A::Expire { used: false }, R::System, S::Expired),
            ]);
        }
        v
    }

    #[test]
    fn every_action_in_every_state_by_every_actor() {
        let table = allowed();
        let mut checked = 0;
        for s in all_statuses() {
            for a in all_actions() {
                for r in ACTORS {
                    let expected = table.iter().find(|(s2, a2, r2, _)| *s2 == s && *a2 == a && *r2 == r).map(|t| t.3);
                    let got = transition(s, a, r, STEPS);
                    match expected {
                        Some(next) => assert_eq!(got, Ok(next), "{s:?} {a:?} by {r:?}"),
                        None => assert!(got.is_err(), "{s:?} {a:?} by {r:?} should be refused, got {got:?}"),
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, all_statuses().len() * all_actions().len() * ACTORS.len());
    }

    #[test]
    fn final_states_accept_nothing() {
        for s in all_statuses().into_iter().filter(|s| s.is_final()) {
            for a in all_actions() {
                for r in ACTORS {
                    assert!(transition(s, a, r, STEPS).is_err(), "{s:?} {a:?}");
                }
            }
        }
    }

    #[test]
    fn status_codes_round_trip() {
        for s in all_statuses() {
            assert_eq!(Status::from_code(&s.code()), Some(s));
        }
        assert_eq!(Status::from_code("in_review"), None);
        assert_eq!(Status::from_code("approved:1"), None);
        assert_eq!(Status::from_code("nonsense"), None);
    }

    #[test]
    fn one_person_holding_consecutive_steps_clears_them_at_once() {
        assert_eq!(steps_cleared(0, |s| s <= 1, 3), 2);
        assert_eq!(steps_cleared(1, |s| s >= 1, 3), 2);
        assert_eq!(steps_cleared(0, |s| s == 0, 3), 1);
        assert_eq!(steps_cleared(2, |_| true, 3), 1);
    }

    #[test]
    fn action_codes_and_wire_names_stay_as_stored_and_sent() {
        use Action::*;
        // The codes in `application_events.action` and the names the pages send.
        let table = [
            (Approve, "approve", Some("Approve")),
            (ApproveWithEdits, "approve_with_edits", Some("ApproveWithEdits")),
            (EditAndReturn, "edit_and_return", Some("EditAndReturn")),
            (Confirm, "confirm", Some("Confirm")),
            (ReturnForChange, "return_for_change", Some("ReturnForChange")),
            (Reject, "reject", Some("Reject")),
            (AcknowledgeRejection, "acknowledge_rejection", Some("AcknowledgeRejection")),
            (Withdraw, "withdraw", Some("Withdraw")),
            (Release, "release", Some("Release")),
            (Cancel, "cancel", Some("Cancel")),
            (Resubmit, "resubmit", Some("Resubmit")),
            (Submit, "submit", None),
            (Expire { used: false }, "expire", None),
            (Expire { used: true }, "expire", None),
        ];
        for (a, code, wire) in table {
            assert_eq!(a.code(), code);
            let back = Action::from_code(code).unwrap();
            assert_eq!(back.code(), code);
            match wire {
                Some(w) => {
                    assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{w}\""));
                    assert_eq!(serde_json::from_str::<Action>(&format!("\"{w}\"")).unwrap(), a);
                }
                None => assert!(serde_json::to_string(&a).is_err(), "{a:?} never travels"),
            }
        }
        assert!(serde_json::from_str::<Action>("\"Submit\"").is_err());
        assert_eq!(Action::from_code("nonsense"), None);
    }

    #[test]
    fn where_a_submission_starts() {
        use Status as S;
        // (chain: host step?, invited, start)
        let table: [(&[bool], bool, Status); 8] = [
            (&[], false, S::Approved),
            (&[], true, S::Approved),
            (&[true, false], false, S::InReview { step: 0 }),
            (&[true, false], true, S::InReview { step: 1 }),
            (&[true], true, S::Approved),
            (&[true], false, S::InReview { step: 0 }),
            (&[false, true], true, S::InReview { step: 0 }),
            (&[true, true, false], true, S::InReview { step: 2 }),
        ];
        for (chain, invited, start) in table {
            assert_eq!(on_submit(chain, invited), start, "{chain:?} invited: {invited}");
        }
    }

    #[test]
    fn an_approval_clears_the_steps_its_approver_holds() {
        use Action as A;
        use Status as S;
        // (status, action, steps, steps held by the one acting, outcome)
        type Case = (Status, Action, u8, &'static [u8], Result<Decision, Refusal>);
        let table: [Case; 8] = [
            (S::InReview { step: 0 }, A::Approve, 2, &[0], Ok(Decision { to: S::InReview { step: 1 }, cleared: 1 })),
            (S::InReview { step: 0 }, A::Approve, 2, &[0, 1], Ok(Decision { to: S::Approved, cleared: 2 })),
            (S::InReview { step: 0 }, A::ApproveWithEdits, 3, &[0, 1], Ok(Decision { to: S::InReview { step: 2 }, cleared: 2 })),
            // Only consecutive steps: a later one waits its turn.
            (S::InReview { step: 0 }, A::Approve, 3, &[0, 2], Ok(Decision { to: S::InReview { step: 1 }, cleared: 1 })),
            (S::InReview { step: 1 }, A::Approve, 2, &[0, 1], Ok(Decision { to: S::Approved, cleared: 1 })),
            // Other decisions clear nothing further.
            (S::InReview { step: 0 }, A::ReturnForChange, 2, &[0, 1], Ok(Decision { to: S::Returned { step: 0 }, cleared: 1 })),
            (S::InReview { step: 0 }, A::Reject, 2, &[0, 1], Ok(Decision { to: S::RejectedUnacknowledged, cleared: 1 })),
            (S::Approved, A::Approve, 2, &[0, 1], Err(Refusal::WrongState)),
        ];
        for (status, action, steps, held, outcome) in table {
            assert_eq!(decide(status, action, Actor::StepApprover, steps, |s| held.contains(&s)), outcome, "{status:?} {action:?} {held:?}");
        }
    }

    #[test]
    fn the_end_of_the_period_completes_used_approvals_and_expires_the_rest() {
        use Status as S;
        let table = [
            (S::Approved, true, Ok(S::Completed)),
            (S::Approved, false, Ok(S::Expired)),
            (S::InReview { step: 0 }, false, Ok(S::Expired)),
            (S::InReview { step: 0 }, true, Ok(S::Expired)),
            (S::Returned { step: 1 }, false, Ok(S::Expired)),
            (S::AwaitingConfirmation { step: 0 }, false, Ok(S::Expired)),
            (S::Cancelled, true, Err(Refusal::WrongState)),
            (S::Expired, false, Err(Refusal::WrongState)),
        ];
        for (status, used, outcome) in table {
            assert_eq!(on_period_over(status, used), outcome, "{status:?} used: {used}");
        }
    }

    #[test]
    fn who_is_offered_what() {
        use Action as A;
        use Status as S;
        // (status, applicant, holds the step, department approver, offered)
        let table: [(Status, bool, bool, bool, &[Action]); 7] = [
            (S::InReview { step: 0 }, true, false, false, &[A::Withdraw]),
            (S::InReview { step: 0 }, false, true, true, &[A::Approve, A::ApproveWithEdits, A::EditAndReturn, A::ReturnForChange, A::Reject]),
            (S::AwaitingConfirmation { step: 0 }, true, false, false, &[A::Confirm, A::Withdraw]),
            (S::Returned { step: 1 }, true, false, false, &[A::Resubmit, A::Withdraw]),
            (S::RejectedUnacknowledged, true, false, false, &[A::AcknowledgeRejection]),
            (S::Approved, true, false, true, &[A::Release, A::Cancel]),
            (S::Expired, true, true, true, &[]),
        ];
        for (status, applicant, holds, dept, offered) in table {
            assert_eq!(super::allowed(status, 2, applicant, holds, dept), offered.to_vec(), "{status:?}");
        }
    }

    #[test]
    fn who_acts_for_each_action() {
        assert_eq!(Action::Withdraw.actor(true), Actor::Applicant);
        assert_eq!(Action::Cancel.actor(true), Actor::DepartmentApprover);
        assert_eq!(Action::Approve.actor(false), Actor::StepApprover);
        assert_eq!(Action::Expire { used: true }.actor(false), Actor::System);
    }

    fn any_action() -> impl Strategy<Value = (Action, Actor)> {
        (0..all_actions().len(), 0..ACTORS.len()).prop_map(|(a, r)| (all_actions()[a], ACTORS[r]))
    }

    proptest! {
        /// No sequence of actions reaches "approved" without an approval at
        /// every step of the chain.
        #[test]
        fn approved_only_after_every_step_approved(steps in 1u8..5, actions in proptest::collection::vec(any_action(), 0..60)) {
            let mut status = Status::Draft;
            let mut approved_at = std::collections::BTreeSet::new();
            for (action, actor) in actions {
                let before = status;
                if let Ok(next) = transition(status, action, actor, steps) {
                    if let (Status::InReview { step }, Action::Approve | Action::ApproveWithEdits) = (before, action) {
                        approved_at.insert(step);
                    }
                    status = next;
                    if status == Status::Approved {
                        prop_assert_eq!(approved_at.len(), steps as usize, "approved with steps {:?}", approved_at);
                    }
                }
            }
        }

        /// Once final, always final.
        #[test]
        fn final_is_forever(actions in proptest::collection::vec(any_action(), 0..60)) {
            let mut status = Status::Draft;
            let mut was_final = false;
            for (action, actor) in actions {
                if let Ok(next) = transition(status, action, actor, 2) {
                    prop_assert!(!was_final, "left final state {:?}", status);
                    status = next;
                }
                was_final |= status.is_final();
            }
        }
    }
}
