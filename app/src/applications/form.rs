//! The form's checks: fields parsed into domain types, dates by the pass
//! kind's rules, the photo, the approval chain for the host's department,
//! the blacklist and a vehicle still inside or owing a fee; an approver's
//! edits go through the same rules.

use super::access::*;
use super::*;
use crate::domain::document::{DocumentError, DocumentNumber, MAX_ENTRANTS};
use crate::domain::policy::{FieldNeed, PassPolicy, StepApprover};
use crate::domain::visit_dates::DateProblem;
use crate::domain::{Phone, Plate};
use crate::platform::context::AppState;
use crate::rules::BlacklistKind;
use crate::rules::listed::first_listed;
use crate::rules::policies::{policy, stored_policy};
use base64::Engine;
use chrono::NaiveDate;
use serde_json::json;

pub(super) fn parse_date(field: &str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| AppError::invalid(field, Msg::ErrDateFormat))
}

pub(super) fn date_error(p: DateProblem, policy: &PassPolicy) -> AppError {
    match p {
        DateProblem::EndBeforeStart => AppError::invalid("end_date", Msg::ErrEndBeforeStart),
        DateProblem::StartInPast => AppError::invalid("start_date", Msg::ErrStartInPast),
        DateProblem::SameDayNotAllowed => AppError::invalid("start_date", Msg::ErrSameDay),
        DateProblem::PastNextDayDeadline => AppError::rule(
            "start_date",
            Msg::ErrPastDeadline,
            policy.dates.next_day_deadline.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
        ),
        DateProblem::TooLong => AppError::rule("end_date", Msg::ErrStayTooLong, policy.dates.max_days.to_string()),
        DateProblem::TooFarAhead => AppError::rule("start_date", Msg::ErrTooFarAhead, policy.dates.max_days_ahead.to_string()),
    }
}

pub(super) fn text(field: &str, v: &str, max: usize) -> Result<String, AppError> {
    crate::fields::text(field, v, max)
}

/// An entrant after every check.
pub(super) struct CheckedEntrant {
    pub(super) name: String,
    pub(super) phone: Option<Phone>,
    pub(super) doc: DocumentNumber,
    pub(super) in_vehicle: bool,
    pub(super) photo: Option<String>,
}

/// A form after every check that needs no other application.
pub(super) struct Checked {
    pub(super) kind: PassKind,
    pub(super) policy: PassPolicy,
    pub(super) host_id: String,
    pub(super) department_id: String,
    pub(super) campus_id: String,
    pub(super) reason_id: String,
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
    pub(super) entrants: Vec<CheckedEntrant>,
    pub(super) plate: Option<Plate>,
    pub(super) note: String,
}

pub(super) fn check_photo(field: &str, data_url: &str) -> Result<String, AppError> {
    let bad = || AppError::invalid(field, Msg::ErrPhotoInvalid);
    let (head, b64) = data_url.split_once(',').ok_or_else(bad)?;
    let mime = head.strip_prefix("data:").and_then(|h| h.strip_suffix(";base64")).ok_or_else(bad)?;
    if b64.len() > 400_000 {
        return Err(bad());
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| bad())?;
    let ok = match mime {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG"),
        "image/webp" => bytes.len() > 12 && &bytes[8..12] == b"WEBP",
        _ => false,
    };
    if ok { Ok(data_url.to_owned()) } else { Err(bad()) }
}

pub(super) fn doc_error(field: &str, e: DocumentError) -> AppError {
    AppError::invalid(field, e.msg())
}

pub(super) async fn check_form(st: &AppState, form: &ApplicationInput, check_dates: bool) -> Result<Checked, AppError> {
    // Policy, host, campus and reason in one read (one round trip at the
    // rush); each is NULL when unknown or switched off.
    let code = form.kind.code();
    let found: FormFacts = sqlx::query_as(
        "SELECT (SELECT policy FROM pass_policies WHERE kind = $4) AS policy,
                (SELECT department_id FROM staff WHERE id = $1 AND active = 1) AS department_id,
                (SELECT id FROM campuses WHERE id = $2) AS campus_id,
                (SELECT id FROM visit_reasons WHERE id = $3 AND active = 1) AS reason_id",
    )
    .bind(&form.host_staff_id)
    .bind(&form.campus_id)
    .bind(&form.reason_id)
    .bind(code)
    .fetch_one(&st.db.read)
    .await?;
    let FormFacts { policy: stored, department_id: department, campus_id: campus, reason_id: reason } = found;
    let policy = stored_policy(code, stored)?;
    let department_id = department.ok_or_else(|| AppError::invalid("host", Msg::ErrHostUnknown))?;
    let host_id = form.host_staff_id.clone();
    let campus_id = campus.ok_or_else(|| AppError::invalid("campus", Msg::ErrUnknownCampus))?;
    let reason_id = reason.ok_or_else(|| AppError::invalid("reason", Msg::ErrReasonUnknown))?;
    let start = parse_date("start_date", &form.start_date)?;
    let end = parse_date("end_date", &form.end_date)?;
    if check_dates {
        let now = st.clock.local_now();
        policy.dates.check(start, end, now).map_err(|p| date_error(p, &policy))?;
    } else if end < start {
        return Err(AppError::invalid("end_date", Msg::ErrEndBeforeStart));
    }
    if form.entrants.is_empty() {
        return Err(AppError::invalid("entrants", Msg::ErrNoEntrants));
    }
    if form.entrants.len() > MAX_ENTRANTS {
        return Err(AppError::rule("entrants", Msg::ErrTooManyEntrants, MAX_ENTRANTS.to_string()));
    }
    let today = st.clock.today();
    let mut entrants = Vec::with_capacity(form.entrants.len());
    for (i, e) in form.entrants.iter().enumerate() {
        let f = |name: &str| format!("entrants[{i}].{name}");
        let name = text(&f("name"), &e.name, 30)?;
        let phone = if e.phone.trim().is_empty() {
            None
        } else {
            Some(Phone::parse(&e.phone).map_err(|_| AppError::invalid(&f("phone"), Msg::ErrPhoneInvalid))?)
        };
        let doc = DocumentNumber::parse(e.doc_type, &e.doc_number, today).map_err(|err| doc_error(&f("doc_number"), err))?;
        let photo = match (&e.face_photo, e.face_consent, policy.face_photo) {
            (_, _, FieldNeed::Hidden) => None,
            (None, _, FieldNeed::Required) => return Err(AppError::invalid(&f("face_photo"), Msg::ErrPhotoRequired)),
            (None, _, _) => None,
            (Some(_), false, _) => return Err(AppError::invalid(&f("face_consent"), Msg::ErrPhotoConsent)),
            (Some(p), true, _) => Some(check_photo(&f("face_photo"), p)?),
        };
        entrants.push(CheckedEntrant { name, phone, doc, in_vehicle: e.in_vehicle, photo });
    }
    let plate = if form.plate.trim().is_empty() {
        if entrants.iter().any(|e| e.in_vehicle) {
            return Err(AppError::invalid("plate", Msg::ErrPassengersWithoutCar));
        }
        None
    } else {
        if !policy.vehicles_allowed {
            return Err(AppError::invalid("plate", Msg::ErrVehicleNotAllowed));
        }
        Some(Plate::parse(&form.plate).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?)
    };
    let note = form.note.trim().chars().take(200).collect();
    Ok(Checked { kind: form.kind, policy, host_id, department_id, campus_id, reason_id, start, end, entrants, plate, note })
}

/// The form's policy, host, campus and reason, each NULL when unknown or switched off.
#[derive(sqlx::FromRow)]
struct FormFacts {
    policy: Option<String>,
    department_id: Option<String>,
    campus_id: Option<String>,
    reason_id: Option<String>,
}

/// The approval chain for an application to a host in `department_id`.
pub(super) fn resolve_chain(policy: &PassPolicy, host_id: &str, department_id: &str) -> Result<Vec<ChainStep>, AppError> {
    policy
        .chain_for(department_id)
        .into_iter()
        .map(|s| match &s.approver {
            StepApprover::Host => Ok(ChainStep { host: true, staff_id: Some(host_id.to_owned()), department_id: None }),
            StepApprover::HostDepartment => Ok(ChainStep { host: false, staff_id: None, department_id: Some(department_id.to_owned()) }),
            StepApprover::Department { department_id } => Ok(ChainStep { host: false, staff_id: None, department_id: Some(department_id.clone()) }),
            other => {
                tracing::error!(?other, "approval step kind not offered for visitor applications");
                Err(AppError::Internal)
            }
        })
        .collect()
}

/// Blacklist and vehicle-inside rules, read inside the writing transaction.
pub(super) async fn check_people_and_vehicle(st: &AppState, applicant: &Phone, c: &Checked) -> Result<(), AppError> {
    let doc_keys: Vec<String> = c.entrants.iter().map(|e| st.keys.pii_mac(&e.doc.claim_text())).collect();
    let mut keys: Vec<(BlacklistKind, &str)> = vec![(BlacklistKind::Mobile, applicant.as_str())];
    for (e, doc) in c.entrants.iter().zip(&doc_keys) {
        keys.push((BlacklistKind::Document, doc));
        if let Some(p) = &e.phone {
            keys.push((BlacklistKind::Mobile, p.as_str()));
        }
    }
    if let Some(p) = &c.plate {
        keys.push((BlacklistKind::Plate, p.as_str()));
    }
    if let Some(kind) = first_listed(&st.db.read, &keys).await? {
        // Neutral on purpose: the message reveals no list.
        tracing::info!(kind = kind.code(), "application refused by the blacklist");
        return Err(AppError::invalid("form", Msg::ErrNotPermitted));
    }
    if let Some(p) = &c.plate {
        vehicle_not_inside(&st.db.read, p.as_str()).await?;
        no_unpaid_fee(&st.db.read, p.as_str()).await?;
    }
    Ok(())
}

/// An unpaid parking fee blocks the plate's next booking until settled.
pub(super) async fn no_unpaid_fee<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(exec: E, plate: &str) -> Result<(), AppError> {
    let cents = crate::passes::ssr::unpaid_fee_cents(exec, plate).await?;
    if cents > 0 {
        return Err(AppError::rule("plate", Msg::ErrUnpaidFee, crate::domain::gate::yuan(cents)));
    }
    Ok(())
}

/// A vehicle the gate recorded inside cannot be booked again; the message
/// names the campus.
pub(super) async fn vehicle_not_inside<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(exec: E, plate: &str) -> Result<(), AppError> {
    let inside: Option<(String,)> = sqlx::query_as("SELECT c.name FROM vehicles_inside v JOIN campuses c ON c.id = v.campus_id WHERE v.plate = $1")
        .bind(plate)
        .fetch_optional(exec)
        .await?;
    match inside {
        Some((campus,)) => Err(AppError::rule("plate", Msg::ErrVehicleInside, campus)),
        None => Ok(()),
    }
}

/// Approver edits, checked by the same rules as a submission.
pub(super) async fn check_edits(
    st: &AppState,
    a: &Loaded,
    e: ApproverEdits,
) -> Result<(ApproverEdits, serde_json::Map<String, serde_json::Value>), AppError> {
    let policy = policy(st, a.kind).await?;
    let start = parse_date("start_date", &e.start_date)?;
    let end = parse_date("end_date", &e.end_date)?;
    let dates_changed = start.to_string() != a.start || end.to_string() != a.end;
    if dates_changed {
        let now = st.clock.local_now();
        policy.dates.check(start, end, now).map_err(|p| date_error(p, &policy))?;
    }
    let reason: Option<(String,)> =
        sqlx::query_as("SELECT id FROM visit_reasons WHERE id = $1 AND active = 1").bind(&e.reason_id).fetch_optional(&st.db.read).await?;
    if reason.is_none() {
        return Err(AppError::invalid("reason", Msg::ErrReasonUnknown));
    }
    let plate = if e.plate.trim().is_empty() {
        None
    } else {
        if !policy.vehicles_allowed {
            return Err(AppError::invalid("plate", Msg::ErrVehicleNotAllowed));
        }
        Some(Plate::parse(&e.plate).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?)
    };
    let mut ch = serde_json::Map::new();
    let mut diff = |k: &str, old: &str, new: &str| {
        if old != new {
            ch.insert(k.to_owned(), json!([old, new]));
        }
    };
    diff("start_date", &a.start, &start.to_string());
    diff("end_date", &a.end, &end.to_string());
    diff("reason_id", &a.reason_id, &e.reason_id);
    diff("plate", a.plate.as_deref().unwrap_or(""), plate.as_ref().map(Plate::as_str).unwrap_or(""));
    if ch.is_empty() {
        return Err(AppError::invalid("edits", Msg::ErrNoChanges));
    }
    Ok((
        ApproverEdits {
            start_date: start.to_string(),
            end_date: end.to_string(),
            reason_id: e.reason_id,
            plate: plate.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        },
        ch,
    ))
}
