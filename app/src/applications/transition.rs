//! The one writer of an application's moves from one state to the next
//! (an action, a resubmission, the expiry job): the versioned update,
//! claims released when it leaves the open states, passes cancelled or
//! issued, the event with its audit entry, and the notices.

use super::access::*;
use super::form::Checked;
use super::notices::*;
use super::writes::*;
use super::*;
use crate::domain::lifecycle::{Action, Status};
use crate::platform::context::AppState;

/// One move, as the lifecycle decided it.
pub(super) struct Transition<'a> {
    pub(super) id: &'a str,
    /// The version the caller saw: another decision since, and this one is refused.
    pub(super) version: i64,
    pub(super) from: Status,
    pub(super) to: Status,
    pub(super) action: Action,
    /// Who acts, as the event and the audit trail name them.
    pub(super) actor: &'a str,
    /// The decision's note (empty keeps the one before).
    pub(super) note: &'a str,
    pub(super) changes: serde_json::Value,
    pub(super) chain: &'a [ChainStep],
    /// The chain changed by this move (a chosen next step named): stored.
    pub(super) chain_changed: bool,
    pub(super) applicant: &'a str,
    /// A resubmission's new form (its claims and entrants already written).
    pub(super) form: Option<&'a Checked>,
}

/// Writes `t` in `tx` and commits; the notices are delivered after the
/// commit. Of two callers at once, exactly one changes the row: the other
/// is told it was already handled.
pub(super) async fn write(st: &AppState, mut tx: Tx<'_>, t: Transition<'_>, now: i64) -> Result<(), AppError> {
    let (w_staff, w_dept) = waiting(t.chain, t.to);
    let form_sets =
        if t.form.is_some() { ", campus_id = $9, reason_id = $10, note = $11, start_date = $12, end_date = $13, plate = $14" } else { "" };
    let sql = format!(
        "UPDATE applications SET status = $1, version = version + 1, waiting_staff_id = $2, waiting_department_id = $3, updated_at = $4,
            decision_note = CASE WHEN $5 = '' THEN decision_note ELSE $5 END,
            chain = CASE WHEN $8 = '' THEN chain ELSE $8 END{form_sets}
         WHERE id = $6 AND version = $7"
    );
    let chain_json = if t.chain_changed { serde_json::to_string(t.chain).unwrap_or_default() } else { String::new() };
    let mut q = sqlx::query(&sql).bind(t.to.code()).bind(w_staff).bind(w_dept).bind(now).bind(t.note).bind(t.id).bind(t.version).bind(chain_json);
    if let Some(c) = t.form {
        q = q
            .bind(&c.campus_id)
            .bind(&c.reason_id)
            .bind(&c.note)
            .bind(c.start.to_string())
            .bind(c.end.to_string())
            .bind(c.plate.as_ref().map(|p| p.as_str().to_owned()));
    }
    if q.execute(&mut *tx).await?.rows_affected() != 1 {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    if !t.to.is_open() {
        release_claims(&mut tx, t.id).await?;
    }
    if matches!(t.to, Status::Withdrawn | Status::Rejected | Status::RejectedUnacknowledged | Status::Cancelled | Status::Released) {
        release_household_days(&mut tx, t.id).await?;
    }
    if matches!(t.to, Status::Cancelled | Status::Released) {
        crate::passes::ssr::cancel_for(&mut tx, t.id, now, t.actor).await?;
    }
    event(&mut tx, t.id, now, t.actor, t.action.code(), t.from, t.to, t.note, t.changes).await?;
    // Approval issues the passes; the entrants are then told of them.
    let issued = if t.to == Status::Approved { crate::passes::ssr::issue(st, &mut tx, t.id, now, t.actor).await? } else { vec![] };
    // A staff member who filed it is told on their own mobile on record.
    let applicant = if t.applicant.is_empty()
        && matches!(
            t.to,
            Status::Approved | Status::Returned { .. } | Status::AwaitingConfirmation { .. } | Status::RejectedUnacknowledged | Status::Cancelled
        ) {
        let staff: Option<(Option<String>, String)> =
            sqlx::query_as("SELECT s.phone, s.staff_no FROM applications a JOIN staff s ON s.id = a.applicant_staff_id WHERE a.id = $1")
                .bind(t.id)
                .fetch_optional(&mut *tx)
                .await?;
        staff.map(|(phone, no)| (phone.unwrap_or_default(), Some(no))).unwrap_or_default()
    } else {
        (t.applicant.to_owned(), None)
    };
    let (applicant, applicant_staff_no) = applicant;
    let mut notices = Vec::new();
    match t.to {
        Status::InReview { step } if t.from != t.to => {
            let summary = match t.form {
                Some(c) => Summary::of(c),
                None => Summary::read(&mut tx, t.id).await?,
            };
            notices.extend(step_notices(st, &mut tx, t.id, &t.chain[step as usize], summary).await?);
        }
        Status::Approved => {
            notices.extend(decision_notice(st, &applicant, applicant_staff_no.clone(), t.id, t.to));
            notices.extend(approved_notices(&mut tx, t.id, issued).await?);
        }
        Status::Returned { .. } | Status::AwaitingConfirmation { .. } | Status::RejectedUnacknowledged | Status::Cancelled => {
            notices.extend(decision_notice(st, &applicant, applicant_staff_no.clone(), t.id, t.to));
        }
        _ => {}
    }
    let queued = queue(st, &mut tx, notices, now).await?;
    tx.commit().await?;
    deliver(st, queued);
    Ok(())
}
