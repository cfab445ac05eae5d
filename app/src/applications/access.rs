//! Who may see an application and who may act on it now. Anyone who is
//! not the applicant, the host, an approver of a department in its chain or
//! a security admin is told it does not exist.

use super::*;
use crate::domain::lifecycle::{self, Action, Status};
use crate::domain::{Phone, Role};
use crate::platform::context::{Principal, Subject};
use serde::{Deserialize, Serialize};

/// Who may act on one step of an application, fixed at submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChainStep {
    /// The host's own step (only the host acts on it).
    pub host: bool,
    pub staff_id: Option<String>,
    pub department_id: Option<String>,
    /// Chosen by the previous step's approver (seed 004's 下一步 / 下一步办理人):
    /// the department and the one person who handles it, unset until then.
    #[serde(default)]
    pub chosen: bool,
}

impl ChainStep {
    pub(super) fn held_by(&self, me: &Principal) -> bool {
        match (&self.staff_id, &self.department_id, me.staff()) {
            (Some(id), _, Some(s)) if self.host || self.chosen => *id == s.id,
            _ if self.chosen => false,
            (_, Some(d), Some(_)) if !self.host => me.has_scoped(Role::Approver, d),
            _ => false,
        }
    }
}

/// Who files an application: someone signed in by SMS, a staff member, or
/// someone signed in by SMS completing what a staff member filed for them
/// (a contractor invited by their department: the staff member answers for
/// them as if they had filed it).
#[derive(Clone, Debug)]
pub(super) enum Applicant {
    Phone(Phone),
    Staff {
        id: String,
    },
    Invited {
        phone: Phone,
        by_staff: String,
    },
    /// A visitor registered by a staff member on their behalf (seed 000
    /// §五: the elderly and others who cannot use a phone): the visitor's
    /// application under their mobile, filed and answered for by the staff
    /// member, who sees and prints its passes.
    OnBehalf {
        phone: Phone,
        by_staff: String,
    },
}

impl Applicant {
    pub(super) fn of(me: &Principal) -> Applicant {
        match &me.subject {
            Subject::Phone { phone, .. } => Applicant::Phone(phone.clone()),
            Subject::Staff(s) => Applicant::Staff { id: s.id.clone() },
        }
    }

    /// The mobile of someone signed in by SMS.
    pub(super) fn mobile(&self) -> Option<&Phone> {
        match self {
            Applicant::Phone(p) | Applicant::Invited { phone: p, .. } | Applicant::OnBehalf { phone: p, .. } => Some(p),
            Applicant::Staff { .. } => None,
        }
    }

    /// The stored `applicant_phone` (empty for staff).
    pub(super) fn phone(&self) -> &str {
        match self {
            Applicant::Phone(p) | Applicant::Invited { phone: p, .. } | Applicant::OnBehalf { phone: p, .. } => p.as_str(),
            Applicant::Staff { .. } => "",
        }
    }

    /// The applicant's mobile, masked (empty for staff).
    pub(super) fn phone_masked(&self) -> String {
        self.mobile().map(|p| p.masked()).unwrap_or_default()
    }

    /// The stored `applicant_staff_id` (empty for someone signed in by SMS).
    pub(super) fn staff_id(&self) -> &str {
        match self {
            Applicant::Phone(_) | Applicant::Invited { .. } | Applicant::OnBehalf { .. } => "",
            Applicant::Staff { id, .. } => id,
        }
    }
}

/// An application as stored, for deciding what the caller may do.
pub(super) struct Loaded {
    pub(super) id: String,
    pub(super) status: Status,
    pub(super) version: i64,
    pub(super) applicant: String,
    pub(super) applicant_staff: String,
    pub(super) host_id: Option<String>,
    pub(super) department_id: Option<String>,
    pub(super) chain: Vec<ChainStep>,
    pub(super) kind: PassKind,
    pub(super) start: String,
    pub(super) end: String,
    pub(super) reason_id: Option<String>,
    pub(super) plate: Option<String>,
    /// The staff member who filed it on the visitor's behalf.
    pub(super) filed_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LoadedRow {
    id: String,
    status: String,
    version: i64,
    applicant_phone: String,
    applicant_staff_id: String,
    host_staff_id: Option<String>,
    department_id: Option<String>,
    chain: String,
    kind: String,
    start_date: String,
    end_date: String,
    reason_id: Option<String>,
    plate: Option<String>,
    filed_by_staff_id: Option<String>,
}

impl Loaded {
    /// The chain's length as the lifecycle counts it (at least one step).
    pub(super) fn steps(&self) -> u8 {
        self.chain.len().max(1) as u8
    }
}

pub(super) async fn load<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(exec: E, id: &str) -> Result<Option<Loaded>, AppError> {
    let row: Option<LoadedRow> = sqlx::query_as(
        "SELECT id, status, version, applicant_phone, applicant_staff_id, host_staff_id, department_id, chain, kind, start_date, end_date, reason_id, plate, filed_by_staff_id
         FROM applications WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await?;
    Ok(row.map(|r| Loaded {
        id: r.id,
        status: Status::from_code(&r.status).unwrap_or(Status::Draft),
        version: r.version,
        applicant: r.applicant_phone,
        applicant_staff: r.applicant_staff_id,
        host_id: r.host_staff_id,
        department_id: r.department_id,
        chain: serde_json::from_str(&r.chain).unwrap_or_default(),
        kind: PassKind::from_code(&r.kind).unwrap_or(PassKind::Visitor),
        start: r.start_date,
        end: r.end_date,
        reason_id: r.reason_id,
        plate: r.plate,
        filed_by: r.filed_by_staff_id,
    }))
}

/// The staff member who filed it on the visitor's behalf.
pub(super) fn files_on_behalf(me: &Principal, a: &Loaded) -> bool {
    me.staff().is_some_and(|s| a.filed_by.as_deref() == Some(s.id.as_str()))
}

/// The applicant, or the staff member who filed it on the visitor's
/// behalf (they act for someone who cannot: change, withdraw, print).
pub(super) fn is_applicant(me: &Principal, a: &Loaded) -> bool {
    match &me.subject {
        Subject::Phone { phone, .. } => !a.applicant.is_empty() && phone.as_str() == a.applicant,
        Subject::Staff(s) => (!a.applicant_staff.is_empty() && s.id == a.applicant_staff) || a.filed_by.as_deref() == Some(s.id.as_str()),
    }
}

/// The staff member who answers for a contractor: who filed it, or who
/// invited the person to complete it; they renew it.
pub(super) fn files_for_contractor(me: &Principal, a: &Loaded) -> bool {
    a.kind == PassKind::Contractor
        && me.staff().is_some_and(|s| {
            (!a.applicant_staff.is_empty() && s.id == a.applicant_staff)
                || (a.applicant_staff.is_empty() && a.host_id.as_deref() == Some(s.id.as_str()))
        })
}

/// An approver of the application's department or of a department in its
/// chain (the department of a chosen step included).
pub(super) fn is_department_approver(me: &Principal, a: &Loaded) -> bool {
    a.department_id.as_deref().is_some_and(|d| me.has_scoped(Role::Approver, d))
        || a.chain.iter().filter_map(|s| s.department_id.as_ref()).any(|d| me.has_scoped(Role::Approver, d))
}

/// Whether the caller may see the application at all. Anyone else is told
/// it does not exist: no data, not even its existence, leaks.
pub(super) fn may_see(me: &Principal, a: &Loaded) -> bool {
    is_applicant(me, a)
        || me.staff().is_some_and(|s| a.host_id.as_deref() == Some(s.id.as_str()))
        || is_department_approver(me, a)
        || me.has(Role::SecurityAdmin)
}

pub(super) fn holds_current_step(me: &Principal, a: &Loaded) -> bool {
    match a.status {
        Status::InReview { step } => a.chain.get(step as usize).is_some_and(|s| s.held_by(me)),
        _ => false,
    }
}

/// What the caller may do to the application now (the lifecycle's table).
pub(super) fn allowed_actions(me: &Principal, a: &Loaded) -> Vec<Action> {
    lifecycle::allowed(a.status, a.steps(), is_applicant(me, a), holds_current_step(me, a), is_department_approver(me, a))
}
