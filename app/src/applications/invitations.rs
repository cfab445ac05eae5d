//! A staff member invites a visitor: a link by SMS that fills the form in
//! with the host and counts as the host's approval. A department invites a
//! long-term contractor the same way (seed 000 §二): the person completes
//! their own details (document, photo, car) and the application is the
//! department's, reviewed by its approver like one it filed itself.

use super::access::Applicant;
use super::form::*;
use super::notices::*;
use super::*;
use crate::domain::Phone;
use crate::domain::policy::{Applicants, PassPolicy};
use crate::platform::context::{AppState, Principal, client_ip};
use crate::platform::rate_limit::{DAY, HOUR, Limit};
use crate::platform::{audit, db::new_id, keys::random_token, keys::sha256_hex, sms};
use crate::rules::policies::policy;
use serde_json::json;

pub(super) const INVITATION_TTL_MS: i64 = 7 * 24 * 3_600_000;

/// Invitations one staff member may send.
pub const INVITATIONS_PER_STAFF: [Limit; 2] = [Limit { max: 20, window_ms: HOUR }, Limit { max: 60, window_ms: DAY }];

pub(super) async fn load_invitation(st: &AppState, phone: &Phone, token: &str) -> Result<(String, InvitationPrefill), AppError> {
    let row: Option<InvitationRow> =
        sqlx::query_as("SELECT staff_id, phone, prefill, expires_at, application_id FROM invitations WHERE link_hash = $1")
            .bind(sha256_hex(token.as_bytes()))
            .fetch_optional(&st.db.read)
            .await?;
    let Some(InvitationRow { staff_id, phone: invited, prefill, expires_at: expires, application_id: used }) = row else {
        return Err(AppError::invalid("invitation", Msg::ErrInvitationInvalid));
    };
    // The link works only for the mobile it was sent to.
    if invited != phone.as_str() || expires < st.clock.now_ms() {
        return Err(AppError::invalid("invitation", Msg::ErrInvitationInvalid));
    }
    if used.is_some() {
        return Err(AppError::Conflict { msg: Msg::ErrInvitationUsed });
    }
    let prefill: InvitationPrefill = serde_json::from_str(&prefill).map_err(|_| AppError::Internal)?;
    Ok((staff_id, prefill))
}

/// Who the invited person applies as, by the kind's policy: a visitor
/// whose host's step the invitation completes (where people apply
/// themselves), or someone completing what the staff member files for them
/// (where staff file: the application is the staff member's filing, its
/// approvers review it as such).
pub(super) fn invitee(policy: &PassPolicy, phone: Phone, by_staff: String) -> Applicant {
    if policy.applicants == Applicants::StaffForOthers { Applicant::Invited { phone, by_staff } } else { Applicant::Phone(phone) }
}

pub async fn invite(st: &AppState, me: &Principal, input: InvitationInput) -> Result<(), AppError> {
    let Some(staff) = me.staff() else { return Err(AppError::Forbidden) };
    let kind = input.kind;
    if !matches!(kind, PassKind::Visitor | PassKind::Contractor) {
        return Err(AppError::invalid("kind", Msg::ErrKindNotOffered));
    }
    let phone = Phone::parse(&input.phone).map_err(|_| AppError::invalid("phone", Msg::ErrPhoneInvalid))?;
    let name = text("name", &input.name, 30)?;
    // Each invitation is an SMS with words the staff member chose: a
    // handful an hour, a working day's worth a day.
    if let Err((_, wait)) = st.limits.take(&format!("invite:staff:{}", staff.id), &INVITATIONS_PER_STAFF, st.clock.now_ms()).await? {
        return Err(AppError::RateLimited { msg: Msg::ErrTooManyInvitations, retry_after_secs: wait / 1000 });
    }
    let policy = policy(st, kind).await?;
    // The invited person must then be able to apply.
    may_apply(&policy, &invitee(&policy, phone.clone(), staff.id.clone()))?;
    let start = parse_date("start_date", &input.start_date)?;
    let end = parse_date("end_date", &input.end_date)?;
    let now_local = st.clock.local_now();
    policy.dates.check(start, end, now_local).map_err(|p| date_error(p, &policy))?;
    let campus: Option<(String,)> =
        sqlx::query_as("SELECT id FROM campuses WHERE id = $1").bind(&input.campus_id).fetch_optional(&st.db.read).await?;
    campus.ok_or_else(|| AppError::invalid("campus", Msg::ErrUnknownCampus))?;
    let reason: Option<(String,)> =
        sqlx::query_as("SELECT id FROM visit_reasons WHERE id = $1 AND active = 1").bind(&input.reason_id).fetch_optional(&st.db.read).await?;
    reason.ok_or_else(|| AppError::invalid("reason", Msg::ErrReasonUnknown))?;
    let prefill = InvitationPrefill {
        kind,
        host: HostMatch { staff_id: staff.id.clone(), name: staff.name.clone(), department: staff.department_name.clone() },
        campus_id: input.campus_id,
        reason_id: input.reason_id,
        start_date: start.to_string(),
        end_date: end.to_string(),
        name: name.clone(),
        note: input.note.trim().chars().take(200).collect(),
    };
    let token = random_token(16);
    let now = st.clock.now_ms();
    let link = format!("{}/apply#invite={token}", st.config.public_base_url.trim_end_matches('/'));
    let mut tx = st.db.write.begin().await?;
    let id = new_id();
    sqlx::query("INSERT INTO invitations (id, link_hash, staff_id, phone, prefill, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&id)
        .bind(sha256_hex(token.as_bytes()))
        .bind(&staff.id)
        .bind(phone.as_str())
        .bind(serde_json::to_string(&prefill).unwrap_or_default())
        .bind(now)
        .bind(now + INVITATION_TTL_MS)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "invite",
        "invitation",
        &id,
        json!({"kind": kind.code(), "phone": phone.masked(), "name": name, "start_date": start.to_string()}),
        Some(&client_ip()),
    )
    .await?;
    let (template, host) = match kind {
        PassKind::Contractor => (crate::i18n::OfficeMsg::SmsContractorInvitation, staff.department_name.clone()),
        _ => (crate::i18n::OfficeMsg::SmsInvitation, staff.name.clone()),
    };
    let params = vec![("name".into(), name), ("host".into(), host), ("date".into(), start.to_string()), ("link".into(), link)];
    let body = sms::render(template, &params);
    let sms_id = sms::enqueue(
        &mut *tx,
        st.sms.as_ref(),
        &st.keys,
        now,
        &sms::Outgoing { to: &phone, purpose: "invitation", body: body.clone(), params: params.clone(), wecom_user: None },
    )
    .await?;
    tx.commit().await?;
    deliver(st, vec![sms::Queued { id: sms_id, to: phone, purpose: "invitation", body, params, wecom_user: None }]);
    Ok(())
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    staff_id: String,
    phone: String,
    prefill: String,
    expires_at: i64,
    application_id: Option<String>,
}
