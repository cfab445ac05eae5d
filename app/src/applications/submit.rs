//! An application is submitted (a visitor's, a resident's, a staff
//! member's own, or one a department files for a contractor): every rule
//! checked again, then one job of the write batcher (one script) writes it
//! with its claims, entrants, event and notices; approved at once, it
//! issues the passes.

use super::access::*;
use super::form::*;
use super::invitations::{invitee, load_invitation};
use super::notices::*;
use super::writes::*;
use super::*;
use crate::domain::lifecycle::{self, Action, Status};
use crate::platform::context::{AppState, Principal};
use crate::platform::db::{Script, Statement, is_unique_violation, new_id};
use crate::platform::keys::sha256_hex;
use crate::platform::rate_limit::{DAY, HOUR, Limit};
use crate::rules::policies::policy;
use serde_json::json;

pub async fn submit(st: &AppState, me: &Principal, form: ApplicationInput, idem: &str, invitation: Option<&str>) -> Result<String, AppError> {
    submit_as(st, me, Applicant::of(me), form, idem, invitation).await
}

/// A visitor's application filed by a staff member on their behalf: the
/// same rules, under the visitor's mobile (their pass is texted there), and
/// marked as filed by the staff member. A host filing for their own
/// visitor has approved it as host by filing it.
pub async fn submit_on_behalf(st: &AppState, me: &Principal, form: ApplicationInput, mobile: &str, idem: &str) -> Result<String, AppError> {
    let staff = me.staff().ok_or(AppError::Forbidden)?;
    let phone = crate::domain::Phone::parse(mobile).map_err(|_| AppError::invalid("on_behalf_mobile", Msg::ErrPhoneInvalid))?;
    if form.kind != PassKind::Visitor {
        return Err(AppError::invalid("kind", Msg::ErrKindNotOffered));
    }
    submit_as(st, me, Applicant::OnBehalf { phone, by_staff: staff.id.clone() }, form, idem, None).await
}

async fn submit_as(
    st: &AppState,
    me: &Principal,
    applicant: Applicant,
    form: ApplicationInput,
    idem: &str,
    invitation: Option<&str>,
) -> Result<String, AppError> {
    let mut applicant = applicant;
    let idem = idem.trim();
    if idem.is_empty() || idem.len() > 64 {
        return Err(AppError::invalid("idempotency_key", Msg::ErrRequired));
    }
    if !matches!(form.kind, PassKind::Visitor | PassKind::Contractor | PassKind::StaffWork | PassKind::ResidentDay | PassKind::TempPersonnel) {
        return Err(AppError::invalid("kind", Msg::ErrKindNotOffered));
    }
    // Every submission texts an approver: submit, withdraw, submit again
    // would text them without end. A day's honest use stays far below.
    // Counted from the applications themselves (a read, no extra write at
    // the rush); racing submissions may pass it by a few, not by a flood.
    // One read over the longest window, which also finds this key's
    // application (a double tap answers with the first): one round trip
    // instead of two at the rush. Each limit counts its own part.
    let now = st.clock.now_ms();
    let longest = SUBMISSIONS_PER_APPLICANT.iter().map(|l| l.window_ms).max().unwrap_or(0);
    let mine: Vec<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, idem_key, created_at FROM applications WHERE applicant_phone = $1 AND applicant_staff_id = $2 AND (created_at > $3 OR idem_key = $4) LIMIT 100",
    )
    .bind(applicant.phone())
    .bind(applicant.staff_id())
    .bind(now - longest)
    .bind(idem)
    .fetch_all(&st.db.read)
    .await?;
    if let Some((id, _, _)) = mine.iter().find(|(_, key, _)| key.as_deref() == Some(idem)) {
        return Ok(id.clone());
    }
    if let Some(limit) = SUBMISSIONS_PER_APPLICANT.iter().find(|l| mine.iter().filter(|r| r.2 > now - l.window_ms).count() as i64 >= l.max) {
        return Err(AppError::RateLimited { msg: Msg::ErrTooManySubmissions, retry_after_secs: limit.window_ms / 1000 });
    }
    let invite = match (invitation, &applicant) {
        (Some(t), Applicant::Phone(phone)) if !t.is_empty() => Some(load_invitation(st, phone, t).await?),
        _ => None,
    };
    let mut form = form;
    if let Some((by_staff, prefill)) = &invite {
        form.host_staff_id = prefill.host.staff_id.clone();
        form.kind = prefill.kind;
        let Applicant::Phone(phone) = &applicant else { return Err(AppError::Forbidden) };
        applicant = invitee(&policy(st, prefill.kind).await?, phone.clone(), by_staff.clone());
        if matches!(applicant, Applicant::Invited { .. }) {
            // What the department decided stays as it decided it; the
            // person adds who they are (and their car).
            form.campus_id = prefill.campus_id.clone();
            form.reason_id = prefill.reason_id.clone();
            form.start_date = prefill.start_date.clone();
            form.end_date = prefill.end_date.clone();
            form.more_periods.clear();
        }
    }
    let c = check_form(st, &applicant, &form, true).await?;
    let chain = resolve_chain(&c)?;
    // Blacklist, a car still inside, unpaid fees: reads that need no
    // lock, made before the write (the duplicate rule is the claims' key).
    check_people_and_vehicle(st, &c).await?;
    let now = st.clock.now_ms();
    let id = new_id();
    let actor = me.actor_label();
    let (job_st, invitation, job_actor) = (st.clone(), invitation.map(str::to_owned), actor.clone());
    let app_id = id.clone();
    // An invitation counts as the host's approval: its steps are done; a
    // chain with no step left is approved at once.
    let host_steps: Vec<bool> = chain.iter().map(|s| s.host).collect();
    // A visitor's invitation is the host's approval of what the host
    // invited, and of nothing more (another campus or reason, other days, a
    // companion or a car go to the host); a staff member's filing completed
    // by the person is no approval at all: its approvers review it.
    let host_approved = match &applicant {
        Applicant::Phone(_) => invite.as_ref().is_some_and(|(_, p)| invitation_covers(p, &c)),
        Applicant::OnBehalf { by_staff, .. } => c.host_id.as_deref() == Some(by_staff.as_str()),
        _ => false,
    };
    let filed_by = match &applicant {
        Applicant::OnBehalf { by_staff, .. } => Some(by_staff.clone()),
        _ => None,
    };
    let status = lifecycle::on_submit(&host_steps, host_approved);
    // Who is told of a new request: read before the write, not in it (the
    // one writer's time is what bounds the 16:00 rush).
    let new_request = match status {
        Status::InReview { step } => {
            let phones = step_phones(&st.db.read, &chain[step as usize], now).await?;
            new_request_notices(st, &id, phones, Summary::of(&c))
        }
        _ => vec![],
    };
    // Everything this submission writes, made before it reaches the one
    // writer (sealing, HMACs, texts) and sent there as one script: the
    // application row, whose key is unique per applicant (a double tap
    // collides on it and gets the first answer), the claims, entrants,
    // the event and its audit entry, the approvers' SMS.
    let (w_staff, w_dept) = waiting(&chain, status);
    let mut script = Script::new();
    script.push(
        Statement::new(
            "INSERT INTO applications (id, kind, status, version, applicant_phone, host_staff_id, department_id, campus_id, reason_id, note,
                start_date, end_date, plate, chain, waiting_staff_id, waiting_department_id, invited_by, created_at, updated_at, idem_key,
                applicant_staff_id, household_id, filed_by_staff_id, temp_person_id)
             VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $20, $21, $22)",
        )
        .bind(&id)
        .bind(c.kind.code())
        .bind(status.code())
        .bind(applicant.phone())
        .bind(&c.host_id)
        .bind(&c.department_id)
        .bind(&c.campus_id)
        .bind(&c.reason_id)
        .bind(&c.note)
        .bind(c.start.format("%Y-%m-%d").to_string())
        .bind(c.end.format("%Y-%m-%d").to_string())
        .bind(c.plate.as_ref().map(|p| p.as_str().to_owned()))
        .bind(serde_json::to_string(&chain).unwrap_or_default())
        .bind(w_staff)
        .bind(w_dept)
        .bind(invite.as_ref().map(|(staff, _)| staff.clone()))
        .bind(now)
        .bind(idem)
        .bind(applicant.staff_id())
        .bind(&c.household_id)
        .bind(filed_by.clone())
        .bind(&c.temp_person_id),
    );
    let (claims, claim_script) = claim_writes(st, &id, &c)?;
    script.append(claim_script);
    // Each of these writes one row.
    let mut rows = entrant_writes(st, &id, &c, now);
    rows.append(period_writes(&id, &c));
    let changes = json!({
        "entrants": c.entrants.iter().map(|e| json!({"name": e.name, "document": e.doc.masked(), "phone": e.phone.as_ref().map(|p| p.masked())})).collect::<Vec<_>>(),
        "plate": c.plate.as_ref().map(|p| p.as_str().to_owned()),
        "start_date": c.start.to_string(), "end_date": c.end.to_string(),
        "periods": c.periods.iter().map(|(s, e)| format!("{s} → {e}")).collect::<Vec<_>>(),
        "filed_on_behalf_of": filed_by.as_ref().map(|_| applicant.phone_masked()),
    });
    rows.append(event_writes(&id, now, &actor, Action::Submit.code(), Status::Draft, status, "", changes));
    let (sms_rows, mut queued) = queue_writes(st, new_request, now);
    rows.append(sms_rows);
    let expected = 1 + claims.list.len() + rows.len();
    script.append(rows);
    // One transaction, shared with other submissions arriving meanwhile
    // (group commit); a refusal rolls back this one only.
    let outcome = st
        .writes
        .run(crate::platform::batch::job(move |tx| {
            Box::pin(async move {
                let (st, id) = (&job_st, &app_id);
                let written = match script.execute(tx).await {
                    Ok(n) => n as usize,
                    // The same submission again (a double tap), answered
                    // below. As an error, so the batcher undoes this job:
                    // on PostgreSQL the failed statement leaves the
                    // transaction aborted until then, and a job answering
                    // "done" over it would lose the batch's other writes
                    // (COMMIT of an aborted transaction rolls back).
                    Err(e) if is_unique_violation(&e) => return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled }),
                    Err(e) => return Err(e.into()),
                };
                // Fewer rows: a claim held by a live application.
                if written != expected {
                    return Err(claims_refused(tx, id, &claims, &c).await);
                }
                take_household_days(tx, id, &c).await?;
                if let Some((staff_id, _)) = &invite {
                    let r =
                        sqlx::query("UPDATE invitations SET application_id = $1 WHERE staff_id = $2 AND link_hash = $3 AND application_id IS NULL")
                            .bind(id)
                            .bind(staff_id)
                            .bind(sha256_hex(invitation.unwrap_or_default().as_bytes()))
                            .execute(&mut **tx)
                            .await?;
                    if r.rows_affected() == 0 {
                        return Err(AppError::Conflict { msg: Msg::ErrInvitationUsed });
                    }
                }
                // Approved at once: issue the passes, then tell the entrants.
                if matches!(status, Status::Approved) {
                    let issued = crate::passes::ssr::issue(st, tx, id, now, &job_actor).await?;
                    let notices = approved_notices(tx, id, issued).await?;
                    queued.extend(queue(st, tx, notices, now).await?);
                }
                Ok(queued)
            })
        }))
        .await;
    match outcome {
        Ok(queued) => {
            deliver(st, queued);
            Ok(id)
        }
        // The same submission again (a double tap): the first one's id.
        Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled }) => {
            existing_for_key(st, &applicant, idem).await?.ok_or(AppError::Conflict { msg: Msg::ErrAlreadyHandled })
        }
        Err(e) => Err(e),
    }
}

/// Whether a submission stays within what the host invited: the campus,
/// the reason, the days, the one person, no car.
fn invitation_covers(p: &InvitationPrefill, c: &Checked) -> bool {
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (Some(from), Some(until)) = (day(&p.start_date), day(&p.end_date)) else { return false };
    c.campus_id == p.campus_id
        && c.reason_id.as_deref() == Some(p.reason_id.as_str())
        && c.periods.iter().all(|(s, e)| *s >= from && *e <= until)
        && c.entrants.len() == 1
        && c.plate.is_none()
}

/// Applications one applicant may submit (each texts an approver).
pub const SUBMISSIONS_PER_APPLICANT: [Limit; 2] = [Limit { max: 10, window_ms: HOUR }, Limit { max: 30, window_ms: DAY }];

pub(super) async fn existing_for_key(st: &AppState, applicant: &Applicant, idem: &str) -> Result<Option<String>, AppError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM applications WHERE applicant_phone = $1 AND applicant_staff_id = $2 AND idem_key = $3")
            .bind(applicant.phone())
            .bind(applicant.staff_id())
            .bind(idem)
            .fetch_optional(&st.db.read)
            .await?;
    Ok(row.map(|r| r.0))
}
