//! Decisions on an application: an action (approve, return, reject,
//! withdraw...), an approver's edits, the applicant's resubmission, a
//! batch approval and the expiry job, each through the one transition
//! writer.

use super::access::*;
use super::form::*;
use super::transition::*;
use super::writes::*;
use super::*;
use crate::domain::lifecycle::{self, Action, Actor, Status};
use crate::platform::context::{AppState, Principal};
use serde_json::json;

/// One action on an application by the caller; `version` is the one they
/// saw. Approving a step whose next step the approver chooses needs `next`.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    st: &AppState,
    me: &Principal,
    id: &str,
    action: Action,
    version: i64,
    note: &str,
    edits: Option<ApproverEdits>,
    next: Option<NextStep>,
) -> Result<(), AppError> {
    // A resubmission has its own server function; submitting and expiring never come this way.
    if matches!(action, Action::Resubmit | Action::Submit | Action::Expire { .. }) {
        return Err(AppError::invalid("action", Msg::ErrWrongState));
    }
    let note = note.trim().chars().take(300).collect::<String>();
    if action.needs_note() && note.is_empty() {
        return Err(AppError::invalid("note", Msg::ErrReasonNeeded));
    }
    // Edits are checked before the transaction, by the submission's rules.
    let pre = load(&st.db.read, id).await?.ok_or(AppError::NotFound)?;
    if !may_see(me, &pre) {
        return Err(AppError::NotFound);
    }
    let edited = match (action.needs_edits(), edits) {
        (true, Some(e)) => Some(check_edits(st, &pre, e).await?),
        (true, None) => return Err(AppError::invalid("edits", Msg::ErrRequired)),
        (false, _) => None,
    };
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let a = load(&mut *tx, id).await?.ok_or(AppError::NotFound)?;
    if a.version != version {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    if !allowed_actions(me, &a).contains(&action) {
        return Err(if is_applicant(me, &a) || holds_current_step(me, &a) || is_department_approver(me, &a) {
            AppError::invalid("action", Msg::ErrWrongState)
        } else {
            AppError::Forbidden
        });
    }
    // The next step chosen by this approver: its department and handler.
    let mut chain = a.chain.clone();
    let chain_changed = match (a.status, action) {
        (Status::InReview { step }, Action::Approve | Action::ApproveWithEdits) => name_next_step(&mut tx, &mut chain, step, next).await?,
        _ => false,
    };
    // One person holding the next steps too: this approval clears them.
    let holds = |s: u8| chain.get(s as usize).is_some_and(|c| c.held_by(me));
    let decision = lifecycle::decide(a.status, action, action.actor(is_applicant(me, &a)), a.steps(), holds)
        .map_err(|_| AppError::invalid("action", Msg::ErrWrongState))?;
    let mut changes = json!({});
    if let Some((e, ch)) = &edited {
        apply_edits(st, &mut tx, id, &a, e).await?;
        changes = json!({ "edited": ch });
    }
    if decision.cleared > 1 {
        changes["steps_cleared"] = json!(decision.cleared);
    }
    let actor = me.actor_label();
    let t = Transition {
        id,
        version,
        from: a.status,
        to: decision.to,
        action,
        actor: &actor,
        note: &note,
        changes,
        chain: &chain,
        chain_changed,
        applicant: &a.applicant,
        form: None,
    };
    write(st, tx, t, now).await
}

/// When the step after `step` is chosen by its approver and not yet named,
/// names it from `next`: a department and one of its active approvers.
/// Returns whether the chain changed.
async fn name_next_step(tx: &mut Tx<'_>, chain: &mut [ChainStep], step: u8, next: Option<NextStep>) -> Result<bool, AppError> {
    let Some(following) = chain.get_mut(step as usize + 1) else { return Ok(false) };
    if !following.chosen || following.staff_id.is_some() {
        return Ok(false);
    }
    let n = next.ok_or_else(|| AppError::invalid("next", Msg::ErrChooseNextHandler))?;
    let handler: Option<(String,)> = sqlx::query_as(
        "SELECT s.id FROM staff s JOIN grants g ON g.staff_id = s.id
         WHERE s.id = $1 AND s.active = 1 AND g.role = 'approver' AND g.scope_id = $2 AND g.status = 'active'",
    )
    .bind(&n.staff_id)
    .bind(&n.department_id)
    .fetch_optional(&mut **tx)
    .await?;
    if handler.is_none() {
        return Err(AppError::invalid("next", Msg::ErrNextHandlerUnknown));
    }
    following.staff_id = Some(n.staff_id);
    following.department_id = Some(n.department_id);
    Ok(true)
}

/// The approvers of `department_id`, for the one deciding the step before
/// a chosen one (nobody else learns who approves where).
pub async fn handlers(st: &AppState, me: &Principal, id: &str, department_id: &str) -> Result<Vec<Handler>, AppError> {
    let a = load(&st.db.read, id).await?.ok_or(AppError::NotFound)?;
    if !may_see(me, &a) {
        return Err(AppError::NotFound);
    }
    if !holds_current_step(me, &a) {
        return Err(AppError::Forbidden);
    }
    let rows: Vec<Handler> = sqlx::query_as(
        "SELECT s.id AS staff_id, s.name FROM staff s JOIN grants g ON g.staff_id = s.id
         WHERE g.role = 'approver' AND g.scope_id = $1 AND g.status = 'active' AND s.active = 1 ORDER BY s.name, s.staff_no LIMIT 200",
    )
    .bind(department_id)
    .fetch_all(&st.db.read)
    .await?;
    Ok(rows)
}

/// The applicant changes a returned application and sends it back to the
/// step that returned it.
pub async fn resubmit(st: &AppState, me: &Principal, id: &str, version: i64, form: ApplicationInput) -> Result<(), AppError> {
    let mut applicant = Applicant::of(me);
    let pre = load(&st.db.read, id).await?.ok_or(AppError::NotFound)?;
    if !is_applicant(me, &pre) {
        return Err(AppError::NotFound);
    }
    if let (Applicant::Phone(phone), Some(by)) = (&applicant, &pre.host_id) {
        // Someone who completed what a staff member filed for them.
        applicant = super::invitations::invitee(&crate::rules::policies::policy(st, pre.kind).await?, phone.clone(), by.clone());
    }
    if let (Applicant::Staff { id: staff }, Some(by)) = (&applicant, &pre.filed_by)
        && staff == by
    {
        // The staff member who filed it on the visitor's behalf, for them again.
        let phone = crate::domain::Phone::parse(&pre.applicant).map_err(|_| AppError::Internal)?;
        applicant = Applicant::OnBehalf { phone, by_staff: by.clone() };
    }
    let mut form = form;
    // The host and kind stay; the chain was fixed at submission.
    form.host_staff_id = pre.host_id.clone().unwrap_or_default();
    form.kind = pre.kind;
    // A number sent back masked and left as it was is the stored one.
    let stored: Vec<(String, String, String)> =
        sqlx::query_as("SELECT doc_type, doc_sealed, doc_masked FROM entrants WHERE application_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&st.db.read)
            .await?;
    for (e, (doc_type, sealed, masked)) in form.entrants.iter_mut().zip(&stored) {
        if e.doc_number.trim() == masked.as_str() && e.doc_type.code() == doc_type.as_str() {
            e.doc_number = st.keys.open_pii(sealed).unwrap_or_default();
        }
    }
    let c = check_form(st, &applicant, &form, true).await?;
    if c.household_id.is_some() && (c.start.to_string() != pre.start) {
        // The household's days were taken for the first date.
        return Err(AppError::invalid("start_date", Msg::ErrWrongState));
    }
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let a = load(&mut *tx, id).await?.ok_or(AppError::NotFound)?;
    if a.version != version {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    let status = lifecycle::transition(a.status, Action::Resubmit, Actor::Applicant, a.steps())
        .map_err(|_| AppError::invalid("action", Msg::ErrWrongState))?;
    check_people_and_vehicle(st, &c).await?;
    release_claims(&mut tx, id).await?;
    take_claims(st, &mut tx, id, &c).await?;
    replace_entrants(st, &mut tx, id, &c, now).await?;
    replace_periods(&mut tx, id, &c).await?;
    let actor = me.actor_label();
    let changes = json!({"plate": c.plate.as_ref().map(|p| p.as_str().to_owned()), "start_date": c.start.to_string(), "end_date": c.end.to_string()});
    let t = Transition {
        id,
        version,
        from: a.status,
        to: status,
        action: Action::Resubmit,
        actor: &actor,
        note: "",
        changes,
        chain: &a.chain,
        chain_changed: false,
        applicant: &a.applicant,
        form: Some(&c),
    };
    write(st, tx, t, now).await
}

pub async fn approve_many(st: &AppState, me: &Principal, items: Vec<(String, i64)>) -> Result<Vec<BatchOutcome>, AppError> {
    if me.staff().is_none() {
        return Err(AppError::Forbidden);
    }
    if items.len() > 100 {
        return Err(AppError::invalid("items", Msg::ErrTooMany));
    }
    let mut out = Vec::with_capacity(items.len());
    for (id, version) in items {
        let error = act(st, me, &id, Action::Approve, version, "", None, None).await.err();
        out.push(BatchOutcome { id, error });
    }
    Ok(out)
}

/// Ends applications whose period is over: approved ones whose passes were
/// used are completed, other approved ones expire, undecided ones expire
/// too. A pass's `used_at` is set by its first admission (the recorder
/// spends a single-use pass and marks the first use of the others).
/// Conditional per row, so several servers may run it at once.
pub async fn expire_due(st: &AppState) -> Result<usize, AppError> {
    let today = st.clock.today().to_string();
    let due: Vec<Due> = sqlx::query_as(
        "SELECT a.id, a.status, a.version,
                CASE WHEN EXISTS (SELECT 1 FROM passes p WHERE p.application_id = a.id AND p.used_at IS NOT NULL) THEN 1 ELSE 0 END AS used
         FROM applications a WHERE a.end_date < $1
         AND (a.status = 'approved' OR a.status = 'draft' OR a.status LIKE 'in_review:%' OR a.status LIKE 'returned:%' OR a.status LIKE 'awaiting_confirmation:%')
         LIMIT 500",
    )
    .bind(&today)
    .fetch_all(&st.db.read)
    .await?;
    let now = st.clock.now_ms();
    let mut n = 0;
    for d in due {
        let Some(from) = Status::from_code(&d.status) else { continue };
        let used = d.used != 0;
        let Ok(to) = lifecycle::on_period_over(from, used) else { continue };
        let tx = st.db.write.begin().await?;
        let t = Transition {
            id: &d.id,
            version: d.version,
            from,
            to,
            action: Action::Expire { used },
            actor: "system",
            note: "",
            changes: json!({}),
            chain: &[],
            chain_changed: false,
            applicant: "",
            form: None,
        };
        match write(st, tx, t, now).await {
            Ok(()) => n += 1,
            // Another server (or the applicant) moved it first.
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// An application whose period is over.
#[derive(sqlx::FromRow)]
struct Due {
    id: String,
    status: String,
    version: i64,
    /// One of its passes was used (1) or none (0).
    used: i64,
}
