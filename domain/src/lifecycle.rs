//! The application lifecycle: which action, by whom, moves an application
//! from one state to the next. Pure: the server loads the state, asks
//! `transition`, and writes the answer with a conditional update.

use serde::{Deserialize, Serialize};

/// Where an application stands. `step` is the 0-based index of the
/// approval step it waits at (or that returned it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Draft,
    InReview { step: u8 },
    /// Sent back to the applicant to change; resubmitting returns it to `step`.
    Returned { step: u8 },
    /// An approver edited it; the applicant confirms, and it goes back to `step`.
    AwaitingConfirmation { step: u8 },
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    Submit,
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
    Expire { used: bool },
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
        matches!(
            self,
            Status::InReview { .. } | Status::Returned { .. } | Status::AwaitingConfirmation { .. } | Status::Approved
        )
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Rejected | Status::Withdrawn | Status::Released | Status::Cancelled | Status::Expired | Status::Completed
        )
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
        (S::Returned { step }, A::Submit) => need(R::Applicant).map(|_| S::InReview { step }),
        (S::InReview { step }, A::Approve | A::ApproveWithEdits) => need(R::StepApprover).map(|_| {
            if step + 1 >= steps { S::Approved } else { S::InReview { step: step + 1 } }
        }),
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
            if matches!(actor, R::StepApprover | R::DepartmentApprover) { Ok(S::Cancelled) } else { Err(Refusal::WrongActor) }
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
        vec![Submit, Approve, ApproveWithEdits, EditAndReturn, Confirm, ReturnForChange, Reject, AcknowledgeRejection, Withdraw, Release, Cancel, Expire { used: false }, Expire { used: true }]
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
                (S::Returned { step }, A::Submit, R::Applicant, S::InReview { step }),
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
