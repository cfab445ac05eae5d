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
}

impl ChainStep {
    pub(super) fn held_by(&self, me: &Principal) -> bool {
        match (&self.staff_id, &self.department_id, me.staff()) {
            (Some(id), _, Some(s)) if self.host => *id == s.id,
            (_, Some(d), Some(_)) if !self.host => me.has_scoped(Role::Approver, d),
            _ => false,
        }
    }
}

pub(super) fn phone_of(me: &Principal) -> Result<Phone, AppError> {
    match &me.subject {
        Subject::Phone { phone, .. } => Ok(phone.clone()),
        Subject::Staff(_) => Err(AppError::invalid("form", Msg::ErrVisitorsOnly)),
    }
}

/// An application as stored, for deciding what the caller may do.
pub(super) struct Loaded {
    pub(super) status: Status,
    pub(super) version: i64,
    pub(super) applicant: String,
    pub(super) host_id: String,
    pub(super) department_id: String,
    pub(super) chain: Vec<ChainStep>,
    pub(super) kind: PassKind,
    pub(super) start: String,
    pub(super) end: String,
    pub(super) reason_id: String,
    pub(super) plate: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LoadedRow {
    status: String,
    version: i64,
    applicant_phone: String,
    host_staff_id: String,
    department_id: String,
    chain: String,
    kind: String,
    start_date: String,
    end_date: String,
    reason_id: String,
    plate: Option<String>,
}

impl Loaded {
    /// The chain's length as the lifecycle counts it (at least one step).
    pub(super) fn steps(&self) -> u8 {
        self.chain.len().max(1) as u8
    }
}

pub(super) async fn load<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(exec: E, id: &str) -> Result<Option<Loaded>, AppError> {
    let row: Option<LoadedRow> = sqlx::query_as(
        "SELECT status, version, applicant_phone, host_staff_id, department_id, chain, kind, start_date, end_date, reason_id, plate FROM applications WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await?;
    Ok(row.map(|r| Loaded {
        status: Status::from_code(&r.status).unwrap_or(Status::Draft),
        version: r.version,
        applicant: r.applicant_phone,
        host_id: r.host_staff_id,
        department_id: r.department_id,
        chain: serde_json::from_str(&r.chain).unwrap_or_default(),
        kind: PassKind::from_code(&r.kind).unwrap_or(PassKind::Visitor),
        start: r.start_date,
        end: r.end_date,
        reason_id: r.reason_id,
        plate: r.plate,
    }))
}

pub(super) fn is_applicant(me: &Principal, a: &Loaded) -> bool {
    matches!(&me.subject, Subject::Phone { phone, .. } if phone.as_str() == a.applicant)
}

pub(super) fn is_department_approver(me: &Principal, a: &Loaded) -> bool {
    me.has_scoped(Role::Approver, &a.department_id)
        || a.chain.iter().filter_map(|s| s.department_id.as_ref()).any(|d| me.has_scoped(Role::Approver, d))
}

/// Whether the caller may see the application at all. Anyone else is told
/// it does not exist: no data, not even its existence, leaks.
pub(super) fn may_see(me: &Principal, a: &Loaded) -> bool {
    is_applicant(me, a) || me.staff().is_some_and(|s| s.id == a.host_id) || is_department_approver(me, a) || me.has(Role::SecurityAdmin)
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
