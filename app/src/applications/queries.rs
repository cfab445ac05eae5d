//! Reading applications: the form's setup, hosts, the applicant's list, the
//! approver's inbox, a department's list and one application's detail.

use super::access::*;
use super::form::*;
use super::invitations::{invitee, load_invitation};
use super::*;
use crate::domain::document::DocType;
use crate::domain::lifecycle::{Action, Status};
use crate::domain::{Phone, Role};
use crate::platform::context::{AppState, Principal};
use crate::rules::policies::policy;
use crate::rules::reasons::reasons;

/// The form's choices for `kind`, and what is filled in for the caller: a
/// visitor's masked mobile and invitation, a resident's household, a staff
/// member's number, name and department.
pub async fn form_setup(st: &AppState, me: &Principal, kind: PassKind, invitation_link: Option<&str>) -> Result<FormSetup, AppError> {
    let mut applicant = Applicant::of(me);
    let mut kind = kind;
    let mut invitation = None;
    if let (Applicant::Phone(phone), Some(token)) = (&applicant, invitation_link.filter(|t| !t.is_empty())) {
        let (by_staff, prefill) = load_invitation(st, phone, token).await?;
        // The link says which form it opens (a department's invitation its
        // contractor form), whatever page it landed on.
        kind = prefill.kind;
        applicant = invitee(&policy(st, kind).await?, phone.clone(), by_staff);
        invitation = Some(prefill);
    }
    let p = policy(st, kind).await?;
    may_apply(&p, &applicant)?;
    let (mut resident, mut staff) = (None, None);
    match (&applicant, me.staff()) {
        (Applicant::Invited { .. } | Applicant::OnBehalf { .. }, _) => {}
        (Applicant::Phone(phone), _) => {
            if p.applicants == crate::domain::policy::Applicants::Residents {
                resident = Some(resident_setup(st, phone).await?);
            }
        }
        (Applicant::Staff { .. }, Some(s)) => {
            staff = Some(StaffSetup { staff_no: s.staff_no.clone(), name: s.name.clone(), department: s.department_name.clone() });
        }
        (Applicant::Staff { .. }, None) => return Err(AppError::Forbidden),
    }
    let applicant_phone = applicant.mobile().map(|p| p.masked()).unwrap_or_default();
    setup_of(st, kind, &p, applicant_phone, invitation, resident, staff).await
}

/// The visitor's form for a staff member filing on a visitor's behalf
/// (the office, or a host, for someone who cannot use a phone).
pub async fn on_behalf_setup(st: &AppState, me: &Principal) -> Result<FormSetup, AppError> {
    let s = me.staff().ok_or(AppError::Forbidden)?;
    let p = policy(st, PassKind::Visitor).await?;
    if p.applicants != crate::domain::policy::Applicants::Anyone {
        return Err(AppError::invalid("kind", Msg::ErrKindNotOffered));
    }
    let staff = StaffSetup { staff_no: s.staff_no.clone(), name: s.name.clone(), department: s.department_name.clone() };
    let mut setup = setup_of(st, PassKind::Visitor, &p, String::new(), None, None, Some(staff)).await?;
    setup.on_behalf = true;
    Ok(setup)
}

async fn setup_of(
    st: &AppState,
    kind: PassKind,
    p: &crate::domain::policy::PassPolicy,
    applicant_phone: String,
    invitation: Option<InvitationPrefill>,
    resident: Option<ResidentSetup>,
    staff: Option<StaffSetup>,
) -> Result<FormSetup, AppError> {
    let campuses: Vec<Choice> = sqlx::query_as("SELECT id, name FROM campuses ORDER BY created_at, name").fetch_all(&st.db.read).await?;
    Ok(FormSetup {
        kind,
        campuses,
        reasons: reasons(st, true).await?,
        today: st.clock.today().format("%Y-%m-%d").to_string(),
        first_open_date: {
            let now = st.clock.local_now();
            let today = now.date();
            (0..=2u64)
                .map(|d| today + chrono::Days::new(d))
                .find(|d| p.dates.check(*d, *d, now).is_ok())
                .unwrap_or(today + chrono::Days::new(2))
                .to_string()
        },
        max_days: p.dates.max_days,
        max_days_ahead: p.dates.max_days_ahead,
        next_day_deadline: p.dates.next_day_deadline.map(|t| t.format("%H:%M").to_string()),
        same_day: p.dates.same_day,
        vehicles_allowed: p.vehicles_allowed,
        face_photo: p.face_photo,
        applicant_phone,
        invitation,
        resident,
        staff,
        on_behalf: false,
    })
}

/// The signed-in member's household and the campus's doors to choose from.
async fn resident_setup(st: &AppState, phone: &Phone) -> Result<ResidentSetup, AppError> {
    #[derive(sqlx::FromRow)]
    struct Member {
        name: String,
        campus_id: String,
        community: String,
        building: String,
        door: String,
        paper_pass: i64,
        doc_masked: String,
    }
    let m: Option<Member> = sqlx::query_as(
        "SELECT r.name, h.campus_id, h.community, h.building, h.door, h.paper_pass, r.doc_masked
         FROM residents r JOIN households h ON h.id = r.household_id WHERE r.phone = $1",
    )
    .bind(phone.as_str())
    .fetch_optional(&st.db.read)
    .await?;
    let m = m.ok_or_else(|| AppError::invalid("phone", Msg::ErrNotAResident))?;
    let doors: Vec<(String, String, String)> =
        sqlx::query_as("SELECT community, building, door FROM households WHERE campus_id = $1 ORDER BY community, building, door LIMIT 5000")
            .bind(&m.campus_id)
            .fetch_all(&st.db.read)
            .await?;
    Ok(ResidentSetup {
        name: m.name,
        own: DoorChoice { community: m.community, building: m.building, door: m.door },
        doors: doors.into_iter().map(|(community, building, door)| DoorChoice { community, building, door }).collect(),
        paper_pass: m.paper_pass != 0,
        document: m.doc_masked,
    })
}

pub async fn find_hosts(st: &AppState, query: &str) -> Result<Vec<HostMatch>, AppError> {
    let q = query.trim();
    if q.is_empty() || q.chars().count() > 30 {
        return Ok(vec![]);
    }
    // Exact matches only: a visitor knows whom they visit; the list is
    // never browsable.
    let rows: Vec<HostMatch> = sqlx::query_as(
        "SELECT s.id AS staff_id, s.name, d.name AS department FROM staff s JOIN departments d ON d.id = s.department_id
         WHERE s.active = 1 AND (s.staff_no = $1 OR s.name = $2) ORDER BY d.name LIMIT 20",
    )
    .bind(q.to_ascii_uppercase())
    .bind(q)
    .fetch_all(&st.db.read)
    .await?;
    Ok(rows)
}

/// One line of a list, as read by `ROW_SELECT`.
#[derive(sqlx::FromRow)]
pub(super) struct ListRow {
    id: String,
    kind: String,
    status: String,
    version: i64,
    host: String,
    department: String,
    first_entrant: String,
    entrants: i64,
    plate: Option<String>,
    start_date: String,
    end_date: String,
    created_at: i64,
}

/// A resident's application has no host nor department: its line names
/// the household's door instead.
pub(super) const ROW_SELECT: &str = "SELECT a.id, a.kind, a.status, a.version, COALESCE(h.name, '') AS host,
        COALESCE(d.name, hh.community || ' ' || hh.building || ' ' || hh.door, '') AS department,
        COALESCE((SELECT name FROM entrants WHERE application_id = a.id ORDER BY position LIMIT 1), '') AS first_entrant,
        (SELECT COUNT(*) FROM entrants WHERE application_id = a.id) AS entrants, a.plate, a.start_date, a.end_date, a.created_at
    FROM applications a LEFT JOIN staff h ON h.id = a.host_staff_id LEFT JOIN departments d ON d.id = a.department_id
    LEFT JOIN households hh ON hh.id = a.household_id";

pub(super) fn to_row(st: &AppState, r: ListRow) -> ApplicationRow {
    ApplicationRow {
        id: r.id,
        kind: PassKind::from_code(&r.kind).unwrap_or(PassKind::Visitor),
        status: Status::from_code(&r.status).unwrap_or(Status::Draft),
        version: r.version,
        host: r.host,
        department: r.department,
        first_entrant: r.first_entrant,
        entrants: r.entrants,
        plate: r.plate,
        start_date: r.start_date,
        end_date: r.end_date,
        created_at: st.clock.format(r.created_at),
    }
}

/// The caller's own applications: by the mobile they signed in with, or,
/// for staff, those they filed (their own passes and contractors', those
/// completed by the contractor included).
pub async fn mine(st: &AppState, me: &Principal) -> Result<Vec<ApplicationRow>, AppError> {
    let rows: Vec<ListRow> = match Applicant::of(me) {
        Applicant::Phone(phone) | Applicant::Invited { phone, .. } | Applicant::OnBehalf { phone, .. } => {
            sqlx::query_as(&format!("{ROW_SELECT} WHERE a.applicant_phone = $1 AND a.applicant_staff_id = '' ORDER BY a.created_at DESC LIMIT 100"))
                .bind(phone.as_str())
                .fetch_all(&st.db.read)
                .await?
        }
        Applicant::Staff { id, .. } => {
            // With the contractors they invited to complete their own, and
            // the visitors they registered on their behalf.
            sqlx::query_as(&format!(
                "{ROW_SELECT} WHERE a.applicant_staff_id = $1 OR (a.invited_by = $1 AND a.kind = 'contractor') OR a.filed_by_staff_id = $1
                 ORDER BY a.created_at DESC LIMIT 100"
            ))
            .bind(id)
            .fetch_all(&st.db.read)
            .await?
        }
    };
    Ok(rows.into_iter().map(|r| to_row(st, r)).collect())
}

/// The departments the caller approves for.
pub(super) fn approver_departments(me: &Principal) -> Vec<String> {
    me.grants.iter().filter(|(r, _)| *r == Role::Approver).map(|(_, s)| s.clone()).collect()
}

pub(super) fn placeholders(from: usize, n: usize) -> String {
    (0..n).map(|i| format!("${}", from + i)).collect::<Vec<_>>().join(", ")
}

pub async fn inbox(st: &AppState, me: &Principal) -> Result<Vec<ApplicationRow>, AppError> {
    let Some(staff) = me.staff() else { return Err(AppError::Forbidden) };
    let depts = approver_departments(me);
    // The 200 first are picked by the indexes in the inbox's order (each
    // side stops at 200), then read in full: the list's columns, two of
    // them subqueries, were computed for everything waiting before the
    // sort (150 ms for a host with 25,000 waiting, in the bench harness).
    let mine = "SELECT id, start_date, created_at FROM applications WHERE waiting_staff_id = $1 AND status LIKE 'in_review:%'
                ORDER BY start_date, created_at LIMIT 200";
    let first = if depts.is_empty() {
        mine.to_owned()
    } else {
        let theirs = format!(
            "SELECT id, start_date, created_at FROM applications
             WHERE waiting_department_id IN ({}) AND waiting_staff_id IS NULL AND status LIKE 'in_review:%'
             ORDER BY start_date, created_at LIMIT 200",
            placeholders(2, depts.len())
        );
        format!("SELECT * FROM ({mine}) waiting_mine UNION ALL SELECT * FROM ({theirs}) waiting_dept ORDER BY start_date, created_at LIMIT 200")
    };
    let sql = format!("{ROW_SELECT} WHERE a.id IN (SELECT id FROM ({first}) picked) ORDER BY a.start_date, a.created_at");
    let mut q = sqlx::query_as::<_, ListRow>(&sql).bind(&staff.id);
    for d in &depts {
        q = q.bind(d);
    }
    Ok(q.fetch_all(&st.db.read).await?.into_iter().map(|r| to_row(st, r)).collect())
}

pub async fn department_list(
    st: &AppState,
    me: &Principal,
    status: &str,
    from: &str,
    to: &str,
    offset: i64,
) -> Result<Vec<ApplicationRow>, AppError> {
    let admin = me.has(Role::SecurityAdmin);
    let depts = approver_departments(me);
    if !admin && depts.is_empty() {
        return Err(AppError::Forbidden);
    }
    let status_like = match status {
        "" => "%".to_owned(),
        s if s.chars().all(|c| c.is_ascii_lowercase() || c == '_') => format!("{s}%"),
        _ => return Err(AppError::invalid("status", Msg::ErrRequired)),
    };
    let from = if from.is_empty() { "0000-00-00".to_owned() } else { parse_date("from", from)?.to_string() };
    let to = if to.is_empty() { "9999-99-99".to_owned() } else { parse_date("to", to)?.to_string() };
    let scope = if admin { String::new() } else { format!("AND a.department_id IN ({})", placeholders(5, depts.len())) };
    let sql = format!(
        "{ROW_SELECT} WHERE a.status LIKE $1 AND a.end_date >= $2 AND a.start_date <= $3 AND $4 = $4 {scope}
         ORDER BY a.created_at DESC LIMIT 50 OFFSET {}",
        offset.max(0)
    );
    let mut q = sqlx::query_as::<_, ListRow>(&sql).bind(status_like).bind(from).bind(to).bind(1i64);
    if !admin {
        for d in &depts {
            q = q.bind(d);
        }
    }
    Ok(q.fetch_all(&st.db.read).await?.into_iter().map(|r| to_row(st, r)).collect())
}

pub async fn detail(st: &AppState, me: &Principal, id: &str) -> Result<ApplicationDetail, AppError> {
    let a = load(&st.db.read, id).await?.ok_or(AppError::NotFound)?;
    if !may_see(me, &a) {
        return Err(AppError::NotFound);
    }
    let row: ListRow = sqlx::query_as(&format!("{ROW_SELECT} WHERE a.id = $1")).bind(id).fetch_one(&st.db.read).await?;
    let about: About = sqlx::query_as(
        "SELECT c.name AS campus, COALESCE(r.name, '') AS reason, a.note, a.decision_note FROM applications a JOIN campuses c ON c.id = a.campus_id
         LEFT JOIN visit_reasons r ON r.id = a.reason_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&st.db.read)
    .await?;
    let entrants: Vec<EntrantRow> = sqlx::query_as(
        "SELECT e.name, e.phone, e.doc_type, e.doc_sealed, e.doc_masked, e.in_vehicle,
                (SELECT COUNT(*) FROM entrant_photos p WHERE p.entrant_id = e.id) AS photos
         FROM entrants e WHERE e.application_id = $1 ORDER BY e.position",
    )
    .bind(id)
    .fetch_all(&st.db.read)
    .await?;
    let mut steps = Vec::new();
    for (i, s) in a.chain.iter().enumerate() {
        let who: Option<(String,)> = if s.host {
            sqlx::query_as("SELECT name FROM staff WHERE id = $1").bind(s.staff_id.as_deref().unwrap_or("")).fetch_optional(&st.db.read).await?
        } else if s.chosen {
            // Named by the previous approver: the department and the person.
            sqlx::query_as("SELECT d.name || ' · ' || s.name FROM staff s JOIN departments d ON d.id = $2 WHERE s.id = $1")
                .bind(s.staff_id.as_deref().unwrap_or(""))
                .bind(s.department_id.as_deref().unwrap_or(""))
                .fetch_optional(&st.db.read)
                .await?
        } else {
            sqlx::query_as("SELECT name FROM departments WHERE id = $1")
                .bind(s.department_id.as_deref().unwrap_or(""))
                .fetch_optional(&st.db.read)
                .await?
        };
        let state = match a.status {
            Status::InReview { step } | Status::Returned { step } | Status::AwaitingConfirmation { step } => {
                if (i as u8) < step {
                    StepState::Done
                } else if i as u8 == step {
                    StepState::Current
                } else {
                    StepState::Waiting
                }
            }
            Status::Approved | Status::Completed | Status::Expired | Status::Released | Status::Cancelled => StepState::Done,
            _ => StepState::Waiting,
        };
        steps.push(StepView { host: s.host, who: who.map(|w| w.0).unwrap_or_default(), state, chosen: s.chosen });
    }
    let events: Vec<EventRow> =
        sqlx::query_as("SELECT at, actor, action, to_status, note, changes FROM application_events WHERE application_id = $1 ORDER BY at, id")
            .bind(id)
            .fetch_all(&st.db.read)
            .await?;
    let actions = allowed_actions(me, &a);
    let applicant_view = is_applicant(me, &a);
    let periods = periods_of(&st.db.read, id).await?;
    let form = if applicant_view && actions.contains(&Action::Resubmit) {
        Some(ApplicationInput {
            kind: a.kind,
            host_staff_id: a.host_id.clone().unwrap_or_default(),
            campus_id: sqlx::query_as::<_, (String,)>("SELECT campus_id FROM applications WHERE id = $1").bind(id).fetch_one(&st.db.read).await?.0,
            reason_id: a.reason_id.clone().unwrap_or_default(),
            start_date: periods.first().map_or_else(|| a.start.clone(), |p| p.0.clone()),
            end_date: periods.first().map_or_else(|| a.end.clone(), |p| p.1.clone()),
            // The applicant's own data, back to the applicant to edit; the
            // document numbers masked (a phone is no place for a group's ID
            // numbers): left as they are they stay, typed again they change.
            entrants: entrants
                .iter()
                .map(|e| EntrantInput {
                    name: e.name.clone(),
                    phone: e.phone.clone().unwrap_or_default(),
                    doc_type: DocType::from_code(&e.doc_type).unwrap_or_default(),
                    doc_number: e.doc_masked.clone(),
                    in_vehicle: e.in_vehicle != 0,
                    face_photo: None,
                    face_consent: false,
                })
                .collect(),
            plate: a.plate.clone().unwrap_or_default(),
            note: about.note.clone(),
            household: None,
            more_periods: periods.iter().skip(1).map(|(s, e)| PeriodInput { start_date: s.clone(), end_date: e.clone() }).collect(),
            // Asked again with the changed form (never pre-ticked).
            doc_consent: false,
        })
    } else {
        None
    };
    Ok(ApplicationDetail {
        row: to_row(st, row),
        campus: about.campus,
        reason: about.reason,
        reason_id: a.reason_id.clone().unwrap_or_default(),
        note: about.note,
        decision_note: about.decision_note,
        applicant_phone: Phone::parse(&a.applicant).map(|p| p.masked()).unwrap_or_default(),
        entrants: entrants
            .into_iter()
            .map(|e| EntrantView {
                name: e.name,
                phone: e.phone.and_then(|p| Phone::parse(&p).ok()).map(|p| p.masked()),
                doc_type: DocType::from_code(&e.doc_type).unwrap_or_default(),
                document: e.doc_masked,
                in_vehicle: e.in_vehicle != 0,
                has_photo: e.photos > 0,
            })
            .collect(),
        steps,
        events: events
            .into_iter()
            .map(|EventRow { at, actor, action, to_status, note, changes }| EventView {
                at: st.clock.format(at),
                // The applicant sees who decided by role, not staff numbers.
                actor: if applicant_view && actor.starts_with("staff:") {
                    actor.split_once(' ').map(|(_, n)| n.to_owned()).unwrap_or_default()
                } else {
                    actor
                },
                action,
                to_status: Status::from_code(&to_status).unwrap_or(Status::Draft),
                note,
                changes: serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&changes)
                    .map(|m| {
                        m.get("edited")
                            .and_then(|e| e.as_object())
                            .map(|e| {
                                e.iter().map(|(k, v)| format!("{k}: {} → {}", v[0].as_str().unwrap_or(""), v[1].as_str().unwrap_or(""))).collect()
                            })
                            .unwrap_or_default()
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        reasons: if actions.iter().any(|a| a.needs_edits()) { reasons(st, true).await? } else { vec![] },
        passes: if applicant_view {
            let rows: Vec<(String, String)> =
                sqlx::query_as("SELECT holder, link_sealed FROM passes WHERE application_id = $1 ORDER BY vehicle, created_at")
                    .bind(id)
                    .fetch_all(&st.db.read)
                    .await?;
            let base = st.config.public_base_url.trim_end_matches('/');
            rows.into_iter().filter_map(|(h, sealed)| Some((h, format!("{base}/p#{}", st.keys.open_pii(&sealed)?)))).collect()
        } else {
            vec![]
        },
        setup: match (&form, files_on_behalf(me, &a)) {
            (Some(_), true) => Some(on_behalf_setup(st, me).await?),
            (Some(_), false) => Some(form_setup(st, me, a.kind, None).await?),
            (None, _) => None,
        },
        periods,
        renewable: files_for_contractor(me, &a),
        // The visitor sees who filed it by name, as they see who decided.
        filed_by: match &a.filed_by {
            Some(staff_id) if applicant_view && me.staff().is_none() => {
                sqlx::query_as::<_, (String,)>("SELECT name FROM staff WHERE id = $1").bind(staff_id).fetch_optional(&st.db.read).await?.map(|r| r.0)
            }
            Some(staff_id) => sqlx::query_as::<_, (String,)>("SELECT name || ' (' || staff_no || ')' FROM staff WHERE id = $1")
                .bind(staff_id)
                .fetch_optional(&st.db.read)
                .await?
                .map(|r| r.0),
            None => None,
        },
        choose_next: if chooses_next(me, &a) {
            sqlx::query_as("SELECT id, name FROM departments ORDER BY code").fetch_all(&st.db.read).await?
        } else {
            vec![]
        },
        actions,
        form,
    })
}

/// A returned application's form, for its applicant (else refused as the
/// detail would be: not found, or the wrong state).
pub async fn to_edit(st: &AppState, me: &Principal, id: &str) -> Result<(i64, ApplicationInput, FormSetup), AppError> {
    let d = detail(st, me, id).await?;
    match (d.form, d.setup) {
        (Some(f), Some(s)) => Ok((d.row.version, f, s)),
        _ => Err(AppError::invalid("action", Msg::ErrWrongState)),
    }
}

/// A contractor's earlier application as a new form: the person, the
/// campus, the reason and the car; the dates are the renewal's to choose.
/// Only for the staff member who filed it.
pub async fn renewal_prefill(st: &AppState, me: &Principal, id: &str) -> Result<ApplicationInput, AppError> {
    let a = load(&st.db.read, id).await?.ok_or(AppError::NotFound)?;
    if !may_see(me, &a) {
        return Err(AppError::NotFound);
    }
    if !files_for_contractor(me, &a) {
        return Err(AppError::Forbidden);
    }
    let (campus_id, note): (String, String) =
        sqlx::query_as("SELECT campus_id, note FROM applications WHERE id = $1").bind(id).fetch_one(&st.db.read).await?;
    let entrants: Vec<EntrantRow> = sqlx::query_as(
        "SELECT e.name, e.phone, e.doc_type, e.doc_sealed, e.doc_masked, e.in_vehicle, 0 AS photos
         FROM entrants e WHERE e.application_id = $1 ORDER BY e.position",
    )
    .bind(id)
    .fetch_all(&st.db.read)
    .await?;
    Ok(ApplicationInput {
        kind: a.kind,
        host_staff_id: String::new(),
        campus_id,
        reason_id: a.reason_id.unwrap_or_default(),
        start_date: String::new(),
        end_date: String::new(),
        entrants: entrants
            .into_iter()
            .map(|e| EntrantInput {
                name: e.name,
                phone: e.phone.unwrap_or_default(),
                doc_type: DocType::from_code(&e.doc_type).unwrap_or_default(),
                doc_number: st.keys.open_pii(&e.doc_sealed).unwrap_or_default(),
                in_vehicle: e.in_vehicle != 0,
                face_photo: None,
                face_consent: false,
            })
            .collect(),
        plate: a.plate.unwrap_or_default(),
        note,
        household: None,
        more_periods: vec![],
        // Asked again of whoever renews it.
        doc_consent: false,
    })
}

/// Whether the caller holds the current step and the next one is theirs
/// to choose (department and handler).
fn chooses_next(me: &Principal, a: &Loaded) -> bool {
    match a.status {
        Status::InReview { step } => holds_current_step(me, a) && a.chain.get(step as usize + 1).is_some_and(|n| n.chosen && n.staff_id.is_none()),
        _ => false,
    }
}

pub async fn invite_choices(st: &AppState, me: &Principal) -> Result<(Vec<Choice>, Vec<ReasonView>), AppError> {
    if me.staff().is_none() {
        return Err(AppError::Forbidden);
    }
    let campuses: Vec<Choice> = sqlx::query_as("SELECT id, name FROM campuses ORDER BY created_at, name").fetch_all(&st.db.read).await?;
    Ok((campuses, reasons(st, true).await?))
}

/// What the detail page names besides the list's line.
#[derive(sqlx::FromRow)]
struct About {
    campus: String,
    reason: String,
    note: String,
    decision_note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EntrantRow {
    name: String,
    phone: Option<String>,
    doc_type: String,
    doc_sealed: String,
    doc_masked: String,
    in_vehicle: i64,
    photos: i64,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    at: i64,
    actor: String,
    action: String,
    to_status: String,
    note: String,
    changes: String,
}
