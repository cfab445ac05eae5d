//! The form's checks: fields parsed into domain types, dates by the pass
//! kind's rules, the photo, the approval chain for the host's department,
//! the blacklist and a vehicle still inside or owing a fee; an approver's
//! edits go through the same rules.

use super::access::*;
use super::*;
use crate::domain::document::{DocType, DocumentError, DocumentNumber, MAX_ENTRANTS};
use crate::domain::policy::{Applicants, FieldNeed, PassPolicy, StepApprover};
use crate::domain::visit_dates::{DateProblem, MAX_PERIODS, PeriodsProblem};
use crate::domain::{Phone, Plate};
use crate::platform::context::AppState;
use crate::rules::BlacklistKind;
use crate::rules::listed::first_listed;
use crate::rules::policies::{policy, stored_policy};
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
    pub(super) applicant: Applicant,
    /// The staff member responsible: the visitor's host, the staff member
    /// themselves, the one filing for a contractor; none for a resident.
    pub(super) host_id: Option<String>,
    pub(super) department_id: Option<String>,
    pub(super) campus_id: String,
    /// The configured visit reason; a resident's or staff member's reason
    /// is free text in `note`.
    pub(super) reason_id: Option<String>,
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
    pub(super) entrants: Vec<CheckedEntrant>,
    pub(super) plate: Option<Plate>,
    pub(super) note: String,
    pub(super) household_id: Option<String>,
    /// Every validity period, in the form's order; `start`/`end` span them.
    pub(super) periods: Vec<(NaiveDate, NaiveDate)>,
    /// Consent to the ID numbers was given on the form (the documents typed
    /// in; a resident's or staff member's come from their record).
    pub(super) doc_consent: bool,
    /// A temporary person's return-to-campus application: who they are.
    pub(super) temp_person_id: Option<String>,
}

pub(super) fn check_photo(field: &str, data_url: &str) -> Result<String, AppError> {
    crate::fields::photo(field, data_url)
}

pub(super) fn doc_error(field: &str, e: DocumentError) -> AppError {
    AppError::invalid(field, e.msg())
}

/// Whether `applicant` may file applications of a kind with `policy`; the
/// refusal says how to apply instead.
pub(super) fn may_apply(policy: &PassPolicy, applicant: &Applicant) -> Result<(), AppError> {
    match (policy.applicants, applicant) {
        (Applicants::TempPersonnel, Applicant::Phone(_)) => Ok(()),
        (Applicants::TempPersonnel, _) => Err(AppError::invalid("kind", Msg::ErrKindNotOffered)),
        (Applicants::Anyone | Applicants::Residents, Applicant::Phone(_)) => Ok(()),
        (Applicants::Anyone, Applicant::OnBehalf { .. }) => Ok(()),
        (_, Applicant::OnBehalf { .. }) => Err(AppError::invalid("kind", Msg::ErrKindNotOffered)),
        (Applicants::StaffThemselves | Applicants::StaffForOthers, Applicant::Staff { .. }) => Ok(()),
        // Invited by a staff member to complete what they file for them.
        (Applicants::StaffForOthers, Applicant::Invited { .. }) => Ok(()),
        (Applicants::StaffForOthers, Applicant::Phone(_)) => Err(AppError::invalid("kind", Msg::ErrFiledByStaff)),
        (Applicants::Anyone | Applicants::Residents, Applicant::Staff { .. }) => Err(AppError::invalid("kind", Msg::ErrVisitorsOnly)),
        (_, Applicant::Phone(_) | Applicant::Invited { .. }) => Err(AppError::invalid("kind", Msg::ErrStaffOnly)),
    }
}

pub(super) async fn check_form(st: &AppState, applicant: &Applicant, form: &ApplicationInput, check_dates: bool) -> Result<Checked, AppError> {
    // Policy, host, campus and reason in one read (one round trip at the
    // rush); each is NULL when unknown or switched off.
    let code = form.kind.code();
    let host = match applicant {
        Applicant::Staff { id, .. } | Applicant::Invited { by_staff: id, .. } => id.as_str(),
        Applicant::Phone(_) | Applicant::OnBehalf { .. } => form.host_staff_id.as_str(),
    };
    let found: FormFacts = sqlx::query_as(
        "SELECT (SELECT policy FROM pass_policies WHERE kind = $4) AS policy,
                (SELECT department_id FROM staff WHERE id = $1 AND active = 1) AS department_id,
                (SELECT id FROM campuses WHERE id = $2) AS campus_id,
                (SELECT id FROM visit_reasons WHERE id = $3 AND active = 1) AS reason_id",
    )
    .bind(host)
    .bind(&form.campus_id)
    .bind(&form.reason_id)
    .bind(code)
    .fetch_one(&st.db.read)
    .await?;
    let FormFacts { policy: stored, department_id: department, campus_id: campus, reason_id: reason } = found;
    let policy = stored_policy(code, stored)?;
    may_apply(&policy, applicant)?;
    let campus_id = campus.ok_or_else(|| AppError::invalid("campus", Msg::ErrUnknownCampus))?;
    let first = (parse_date("start_date", &form.start_date)?, parse_date("end_date", &form.end_date)?);
    let mut periods = vec![first];
    if !form.more_periods.is_empty() {
        // Several periods are a visitor's (seed 001); other kinds have one.
        if form.kind != PassKind::Visitor {
            return Err(AppError::invalid("more_periods", Msg::ErrKindNotOffered));
        }
        for (i, p) in form.more_periods.iter().enumerate() {
            periods.push((
                parse_date(&format!("more_periods[{i}].start_date"), &p.start_date)?,
                parse_date(&format!("more_periods[{i}].end_date"), &p.end_date)?,
            ));
        }
    }
    if check_dates {
        let now = st.clock.local_now();
        policy.dates.check_periods(&periods, now).map_err(|p| periods_error(p, &policy))?;
    } else if let Some(i) = periods.iter().position(|(s, e)| e < s) {
        return Err(AppError::invalid(&period_field(i, "end_date"), Msg::ErrEndBeforeStart));
    }
    let start = periods.iter().map(|p| p.0).min().unwrap_or(first.0);
    let end = periods.iter().map(|p| p.1).max().unwrap_or(first.1);
    let today = st.clock.today();
    let note: String = form.note.trim().chars().take(200).collect();
    // Who the pass is for, who answers for it, and why, by who files.
    let policy_applicants = policy.applicants;
    let mut temp_person_id = None;
    let (host_id, department_id, reason_id, entrants, household_id) = match policy.applicants {
        Applicants::Anyone | Applicants::StaffForOthers => {
            let department_id = department.ok_or_else(|| AppError::invalid("host", Msg::ErrHostUnknown))?;
            let reason_id = reason.ok_or_else(|| AppError::invalid("reason", Msg::ErrReasonUnknown))?;
            let mut entrants = check_entrants(&form.entrants, &policy, today)?;
            // ID numbers are sensitive personal information: kept only with
            // their own consent (PIPL art. 29), apart from a photo's.
            if !form.doc_consent {
                return Err(AppError::invalid("doc_consent", Msg::ErrDocConsent));
            }
            if let Applicant::Invited { phone, .. } = applicant {
                // The invited person completes their own details, and only
                // theirs; the pass goes to the mobile the department named.
                if entrants.len() != 1 {
                    return Err(AppError::rule("entrants", Msg::ErrTooManyEntrants, "1"));
                }
                entrants[0].phone = Some(phone.clone());
            }
            (Some(host.to_owned()), Some(department_id), Some(reason_id), entrants, None)
        }
        Applicants::StaffThemselves => {
            let department_id = department.ok_or(AppError::Forbidden)?;
            let me: Option<(String, String)> =
                sqlx::query_as("SELECT name, staff_no FROM staff WHERE id = $1 AND active = 1").bind(host).fetch_optional(&st.db.read).await?;
            let (name, staff_no) = me.ok_or(AppError::Forbidden)?;
            let entrant = CheckedEntrant { name, phone: None, doc: DocumentNumber::work_card(&staff_no), in_vehicle: false, photo: None };
            (Some(host.to_owned()), Some(department_id), reason, vec![entrant], None)
        }
        Applicants::Residents => {
            let Applicant::Phone(phone) = applicant else { return Err(AppError::invalid("kind", Msg::ErrVisitorsOnly)) };
            if note.is_empty() {
                return Err(AppError::invalid("note", Msg::ErrReasonNeeded));
            }
            let (household_id, entrant) = check_resident(st, phone, form.household.as_ref(), &campus_id, today).await?;
            (None, None, None, vec![entrant], Some(household_id))
        }
        Applicants::TempPersonnel => {
            let Applicant::Phone(phone) = applicant else { return Err(AppError::invalid("kind", Msg::ErrKindNotOffered)) };
            let (person_id, department_id, entrant) = check_temp_person(st, phone, end, today).await?;
            temp_person_id = Some(person_id);
            (None, Some(department_id), None, vec![entrant], None)
        }
    };
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
    Ok(Checked {
        kind: form.kind,
        policy,
        applicant: applicant.clone(),
        host_id,
        department_id,
        campus_id,
        reason_id,
        start,
        end,
        entrants,
        plate,
        note,
        household_id,
        periods,
        doc_consent: form.doc_consent && matches!(policy_applicants, Applicants::Anyone | Applicants::StaffForOthers),
        temp_person_id,
    })
}

/// The form field of period `i` (0: the first, `start_date`/`end_date`).
fn period_field(i: usize, field: &str) -> String {
    if i == 0 { field.to_owned() } else { format!("more_periods[{}].{field}", i - 1) }
}

fn periods_error(p: PeriodsProblem, policy: &PassPolicy) -> AppError {
    match p {
        PeriodsProblem::Period(i, problem) => {
            let mut e = date_error(problem, policy);
            if let AppError::Invalid { field, .. } | AppError::Rule { field, .. } = &mut e {
                *field = period_field(i, field);
            }
            e
        }
        PeriodsProblem::Overlap(i) => AppError::invalid(&period_field(i, "start_date"), Msg::ErrPeriodsOverlap),
        PeriodsProblem::TooMany => AppError::rule("more_periods", Msg::ErrTooManyPeriods, MAX_PERIODS.to_string()),
        PeriodsProblem::None => AppError::invalid("start_date", Msg::ErrRequired),
    }
}

/// The people a visitor or a department names on the form.
fn check_entrants(input: &[EntrantInput], policy: &PassPolicy, today: NaiveDate) -> Result<Vec<CheckedEntrant>, AppError> {
    if input.is_empty() {
        return Err(AppError::invalid("entrants", Msg::ErrNoEntrants));
    }
    if input.len() > MAX_ENTRANTS {
        return Err(AppError::rule("entrants", Msg::ErrTooManyEntrants, MAX_ENTRANTS.to_string()));
    }
    let mut entrants = Vec::with_capacity(input.len());
    for (i, e) in input.iter().enumerate() {
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
    Ok(entrants)
}

/// A resident's day pass: the mobile must be a household member's, the
/// household the form names must be theirs (householder's name and door),
/// and a household holding a paper pass cannot apply (seed 004 §4). The
/// pass is for the member alone, with the document on record.
async fn check_resident(
    st: &AppState,
    phone: &Phone,
    choice: Option<&HouseholdChoice>,
    campus_id: &str,
    today: NaiveDate,
) -> Result<(String, CheckedEntrant), AppError> {
    let member: Option<ResidentRow> = sqlx::query_as(
        "SELECT r.household_id, r.name, r.doc_type, r.doc_sealed, h.campus_id, h.community, h.building, h.door, h.paper_pass,
                (SELECT m.name FROM residents m WHERE m.household_id = h.id AND m.householder = 1 ORDER BY m.created_at LIMIT 1) AS householder
         FROM residents r JOIN households h ON h.id = r.household_id WHERE r.phone = $1",
    )
    .bind(phone.as_str())
    .fetch_optional(&st.db.read)
    .await?;
    let m = member.ok_or_else(|| AppError::invalid("phone", Msg::ErrNotAResident))?;
    if m.paper_pass != 0 {
        return Err(AppError::invalid("household", Msg::ErrPaperPassHolder));
    }
    if m.campus_id != campus_id {
        return Err(AppError::invalid("campus", Msg::ErrHouseholdElsewhere));
    }
    let c = choice.ok_or_else(|| AppError::invalid("household", Msg::ErrRequired))?;
    let same = |a: &str, b: &str| a.trim() == b.trim();
    if !(same(&c.community, &m.community) && same(&c.building, &m.building) && same(&c.door, &m.door)) {
        return Err(AppError::invalid("household", Msg::ErrNotYourHousehold));
    }
    if !same(&c.householder, m.householder.as_deref().unwrap_or(&m.name)) {
        return Err(AppError::invalid("householder", Msg::ErrHouseholderName));
    }
    let doc_type = DocType::from_code(&m.doc_type).unwrap_or_default();
    let number = st.keys.open_pii(&m.doc_sealed).unwrap_or_default();
    let doc = DocumentNumber::parse(doc_type, &number, today).map_err(|_| AppError::invalid("household", Msg::ErrResidentDocumentMissing))?;
    Ok((m.household_id, CheckedEntrant { name: m.name, phone: Some(phone.clone()), doc, in_vehicle: false, photo: None }))
}

/// A temporary person's return-to-campus application (seed 003 §3): the
/// mobile must be a person's with a number not deleted or expired, whose
/// photo step is done; the pass is for them alone, with their document
/// and accepted photo on record, and ends by their leave date.
async fn check_temp_person(st: &AppState, phone: &Phone, end: NaiveDate, today: NaiveDate) -> Result<(String, String, CheckedEntrant), AppError> {
    use crate::domain::temp_personnel::{FaceStatus, Standing};
    let row: Option<TempPersonRow> = sqlx::query_as(
        "SELECT id, name, doc_type, doc_sealed, department_id, leave_date, face_status, face_mime, face_data FROM temp_people
         WHERE phone = $1 AND deleted_at IS NULL",
    )
    .bind(phone.as_str())
    .fetch_optional(&st.db.read)
    .await?;
    let p = row.ok_or_else(|| AppError::invalid("phone", Msg::ErrTempNotOnRecord))?;
    let leave = parse_date("leave_date", &p.leave_date)?;
    if Standing::of(false, leave, today) != Standing::Valid {
        return Err(AppError::invalid("phone", Msg::ErrTempNotValid));
    }
    let face = FaceStatus::from_code(&p.face_status).unwrap_or(FaceStatus::Missing);
    if !face.lets_apply() {
        return Err(AppError::invalid("face_photo", Msg::ErrTempFaceFirst));
    }
    if end > leave {
        return Err(AppError::rule("end_date", Msg::ErrTempAfterLeave, leave.to_string()));
    }
    let doc_type = DocType::from_code(&p.doc_type).unwrap_or_default();
    let number = st.keys.open_pii(&p.doc_sealed).unwrap_or_default();
    let doc = DocumentNumber::parse(doc_type, &number, today).map_err(|e| doc_error("doc_number", e))?;
    let photo = match (face, p.face_data.as_deref().and_then(|d| st.keys.open_pii(d))) {
        (FaceStatus::Accepted, Some(b64)) => Some(format!("data:{};base64,{b64}", p.face_mime.unwrap_or_else(|| "image/jpeg".into()))),
        _ => None,
    };
    Ok((p.id, p.department_id, CheckedEntrant { name: p.name, phone: Some(phone.clone()), doc, in_vehicle: false, photo }))
}

/// A temporary person as the return-to-campus form checks them.
#[derive(sqlx::FromRow)]
struct TempPersonRow {
    id: String,
    name: String,
    doc_type: String,
    doc_sealed: String,
    department_id: String,
    leave_date: String,
    face_status: String,
    face_mime: Option<String>,
    face_data: Option<String>,
}

/// A household member as the resident form checks them.
#[derive(sqlx::FromRow)]
struct ResidentRow {
    household_id: String,
    name: String,
    doc_type: String,
    doc_sealed: String,
    campus_id: String,
    community: String,
    building: String,
    door: String,
    paper_pass: i64,
    householder: Option<String>,
}

/// The form's policy, host, campus and reason, each NULL when unknown or switched off.
#[derive(sqlx::FromRow)]
struct FormFacts {
    policy: Option<String>,
    department_id: Option<String>,
    campus_id: Option<String>,
    reason_id: Option<String>,
}

/// The approval chain of a checked form: who may act on each step, fixed
/// at submission. A step chosen by the previous approver is open until
/// that approval names its department and handler.
pub(super) fn resolve_chain(c: &Checked) -> Result<Vec<ChainStep>, AppError> {
    let department = c.department_id.as_deref().unwrap_or("");
    let step = |host: bool, staff_id: Option<&str>, department_id: Option<&str>| ChainStep {
        host,
        staff_id: staff_id.map(str::to_owned),
        department_id: department_id.map(str::to_owned),
        chosen: false,
    };
    c.policy
        .chain_for(department)
        .into_iter()
        .map(|s| match (&s.approver, &c.host_id, &c.department_id) {
            (StepApprover::Host, Some(host), _) => Ok(step(true, Some(host), None)),
            (StepApprover::HostDepartment, _, Some(d)) => Ok(step(false, None, Some(d))),
            (StepApprover::Department { department_id }, _, _) => Ok(step(false, None, Some(department_id))),
            (StepApprover::ChosenByPrevious, _, _) => Ok(ChainStep { chosen: true, ..step(false, None, None) }),
            (other, _, _) => {
                // The rules page refuses such policies (`PassPolicy::check`).
                tracing::error!(?other, kind = c.kind.code(), "approval step not possible for this kind");
                Err(AppError::Internal)
            }
        })
        .collect()
}

/// Blacklist and vehicle-inside rules, read inside the writing transaction.
pub(super) async fn check_people_and_vehicle(st: &AppState, c: &Checked) -> Result<(), AppError> {
    let doc_keys: Vec<String> = c.entrants.iter().flat_map(|e| e.doc.listed_texts()).map(|t| st.keys.pii_mac(&t)).collect();
    let mut keys: Vec<(BlacklistKind, &str)> = Vec::new();
    if let Some(p) = c.applicant.mobile() {
        keys.push((BlacklistKind::Mobile, p.as_str()));
    }
    keys.extend(doc_keys.iter().map(|k| (BlacklistKind::Document, k.as_str())));
    for e in &c.entrants {
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
        return Err(AppError::rule("plate", Msg::ErrUnpaidFee, crate::domain::parking::yuan(cents)));
    }
    Ok(())
}

/// A vehicle the gate recorded inside cannot be booked again. The message
/// does not say where: anyone may type any plate.
pub(super) async fn vehicle_not_inside<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(exec: E, plate: &str) -> Result<(), AppError> {
    let inside: Option<(String,)> = sqlx::query_as("SELECT campus_id FROM vehicles_inside WHERE plate = $1").bind(plate).fetch_optional(exec).await?;
    match inside {
        Some(_) => Err(AppError::invalid("plate", Msg::ErrVehicleInside)),
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
    if dates_changed && periods_of(&st.db.read, &a.id).await?.len() > 1 {
        // Several periods are the visitor's to change (return it to them).
        return Err(AppError::invalid("start_date", Msg::ErrPeriodsEditedByVisitor));
    }
    if dates_changed {
        let now = st.clock.local_now();
        policy.dates.check(start, end, now).map_err(|p| date_error(p, &policy))?;
    }
    // A staff member's or resident's reason is free text: no reason to keep.
    let free_text_reason = a.reason_id.is_none() && e.reason_id.is_empty();
    let reason: Option<(String,)> =
        sqlx::query_as("SELECT id FROM visit_reasons WHERE id = $1 AND active = 1").bind(&e.reason_id).fetch_optional(&st.db.read).await?;
    if reason.is_none() && !free_text_reason {
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
    diff("reason_id", a.reason_id.as_deref().unwrap_or(""), &e.reason_id);
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

/// The stored periods of an application with more than one (else empty).
pub(super) async fn periods_of<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(exec: E, id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT start_date, end_date FROM application_periods WHERE application_id = $1 ORDER BY position").bind(id).fetch_all(exec).await
}
