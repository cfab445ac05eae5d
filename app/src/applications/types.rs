//! The wire types of applications: what the form sends, what the lists
//! and the detail page receive.

use crate::domain::document::DocType;
use crate::domain::lifecycle::Action;
use crate::domain::lifecycle::Status;
use crate::domain::policy::{FieldNeed, PassKind};
use crate::error::AppError;
use crate::i18n::Msg;
// Visit reasons are the rules' (kept here for the pages and tests that name them so).
pub(crate) use crate::rules::ReasonView;
use serde::{Deserialize, Serialize};

/// One person on an application, as typed into the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct EntrantInput {
    pub name: String,
    /// The entrant's own mobile; empty for someone without one (a child),
    /// who travels on the applicant's.
    pub phone: String,
    pub doc_type: DocType,
    pub doc_number: String,
    /// A passenger of the application's vehicle (or its driver).
    pub in_vehicle: bool,
    /// `data:image/jpeg;base64,…`, at most 300 KB; only with consent.
    pub face_photo: Option<String>,
    pub face_consent: bool,
}

/// The application form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationInput {
    pub kind: PassKind,
    pub host_staff_id: String,
    pub campus_id: String,
    pub reason_id: String,
    /// `YYYY-MM-DD`, campus dates.
    pub start_date: String,
    pub end_date: String,
    pub entrants: Vec<EntrantInput>,
    /// Empty when coming on foot.
    pub plate: String,
    /// The visitor's note; a resident's or staff member's reason (申请原因).
    pub note: String,
    /// A resident's day pass: the household as the form names it.
    #[serde(default)]
    pub household: Option<HouseholdChoice>,
    /// A visitor's further validity periods beyond the first
    /// (`start_date`..`end_date`), each with its own passes (seed 001).
    #[serde(default)]
    pub more_periods: Vec<PeriodInput>,
    /// Consent to the entrants' ID numbers being kept for gate checks (PIPL:
    /// sensitive personal information, consented to apart from a photo);
    /// given by the applicant, or obtained from the person by whoever files
    /// for them. Required wherever the form asks for a document.
    #[serde(default)]
    pub doc_consent: bool,
}

/// One more validity period, `YYYY-MM-DD` campus dates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeriodInput {
    pub start_date: String,
    pub end_date: String,
}

/// The household a resident's day pass is for (seed 004 附件3: householder,
/// community, building, door, chosen from the registered ones).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HouseholdChoice {
    pub householder: String,
    pub community: String,
    pub building: String,
    pub door: String,
}

/// One registered door, for the resident form's three lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoorChoice {
    pub community: String,
    pub building: String,
    pub door: String,
}

/// What the resident form knows of the signed-in member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidentSetup {
    pub name: String,
    /// The member's own door, chosen first.
    pub own: DoorChoice,
    /// Every registered door of the campus (the lists to choose from).
    pub doors: Vec<DoorChoice>,
    pub paper_pass: bool,
    /// Masked.
    pub document: String,
}

/// What a staff form fills in (seed 004 附件4: 学工号, 申请人, 所在单位).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffSetup {
    pub staff_no: String,
    pub name: String,
    pub department: String,
}

/// What an approver may change while approving or returning an application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApproverEdits {
    pub start_date: String,
    pub end_date: String,
    pub reason_id: String,
    pub plate: String,
}

/// The approver's choice of the next step and its handler (seed 004:
/// 下一步 "学工部同意", 下一步办理人 a named person of that department).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NextStep {
    pub department_id: String,
    pub staff_id: String,
}

/// A person who may handle a chosen step: an approver of the department.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Handler {
    pub staff_id: String,
    pub name: String,
}

/// A staff member a visitor may name as host: never a phone or anything private.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct HostMatch {
    pub staff_id: String,
    pub name: String,
    pub department: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// Everything the form needs, in one call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormSetup {
    pub kind: PassKind,
    pub campuses: Vec<Choice>,
    pub reasons: Vec<ReasonView>,
    /// Campus date today, `YYYY-MM-DD` (the browser's clock may be wrong).
    pub today: String,
    /// The earliest first day open now (tomorrow, or later past the deadline).
    pub first_open_date: String,
    pub max_days: u32,
    pub max_days_ahead: u32,
    pub next_day_deadline: Option<String>,
    pub same_day: bool,
    pub vehicles_allowed: bool,
    pub face_photo: FieldNeed,
    /// The signed-in visitor's mobile, shown masked.
    pub applicant_phone: String,
    /// Filled by a staff member's invitation.
    pub invitation: Option<InvitationPrefill>,
    /// A resident's day pass: the member and the doors to choose from.
    #[serde(default)]
    pub resident: Option<ResidentSetup>,
    /// A staff member's own pass or one they file for a contractor.
    #[serde(default)]
    pub staff: Option<StaffSetup>,
    /// A staff member files a visitor's application on their behalf
    /// (`/apply/on-behalf`): the visitor's mobile is typed in, and the host
    /// chosen as a visitor would.
    #[serde(default)]
    pub on_behalf: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationPrefill {
    /// A visitor's pass, or a long-term contractor's the department files
    /// and the person completes (seed 000 §二).
    #[serde(default = "visitor")]
    pub kind: PassKind,
    pub host: HostMatch,
    pub campus_id: String,
    pub reason_id: String,
    pub start_date: String,
    pub end_date: String,
    pub name: String,
    pub note: String,
}

fn visitor() -> PassKind {
    PassKind::Visitor
}

/// A staff member invites a visitor, or a department a contractor, to
/// complete an application on their phone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationInput {
    #[serde(default = "visitor")]
    pub kind: PassKind,
    pub phone: String,
    pub name: String,
    pub campus_id: String,
    pub reason_id: String,
    pub start_date: String,
    pub end_date: String,
    pub note: String,
}

/// One line of a list of applications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRow {
    pub id: String,
    pub kind: PassKind,
    pub status: Status,
    pub version: i64,
    pub host: String,
    pub department: String,
    pub first_entrant: String,
    pub entrants: i64,
    pub plate: Option<String>,
    pub start_date: String,
    pub end_date: String,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntrantView {
    pub name: String,
    /// Masked.
    pub phone: Option<String>,
    pub doc_type: DocType,
    /// Masked.
    pub document: String,
    pub in_vehicle: bool,
    pub has_photo: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepState {
    Done,
    Current,
    Waiting,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub host: bool,
    /// The host's name or the department's name.
    pub who: String,
    pub state: StepState,
    /// Chosen by the previous approver (unnamed until then).
    #[serde(default)]
    pub chosen: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub to_status: Status,
    pub note: String,
    /// The fields an approver changed, `field: old → new`.
    pub changes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationDetail {
    pub row: ApplicationRow,
    pub campus: String,
    pub reason: String,
    pub reason_id: String,
    pub note: String,
    pub decision_note: Option<String>,
    pub applicant_phone: String,
    pub entrants: Vec<EntrantView>,
    pub steps: Vec<StepView>,
    pub events: Vec<EventView>,
    pub actions: Vec<Action>,
    /// The applicant's own form, to edit a returned application, and the
    /// form's choices.
    pub form: Option<ApplicationInput>,
    pub setup: Option<FormSetup>,
    /// Visit reasons, when the caller may edit the application.
    pub reasons: Vec<ReasonView>,
    /// The group's passes (holder, page link), for the applicant.
    pub passes: Vec<(String, String)>,
    /// Departments to choose the next step from, when approving the
    /// current step means naming the next one's handler.
    #[serde(default)]
    pub choose_next: Vec<Choice>,
    /// Its validity periods when it has more than one (`start → end`).
    #[serde(default)]
    pub periods: Vec<(String, String)>,
    /// The caller filed this contractor application and may renew it.
    #[serde(default)]
    pub renewable: bool,
    /// Filed on the visitor's behalf by this staff member (name, number):
    /// someone who cannot use a phone, registered by the office or a host.
    #[serde(default)]
    pub filed_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchOutcome {
    pub id: String,
    pub error: Option<AppError>,
}

pub fn status_label(s: Status) -> Msg {
    match s {
        Status::Draft => Msg::StDraft,
        Status::InReview { .. } => Msg::StInReview,
        Status::Returned { .. } => Msg::StReturned,
        Status::AwaitingConfirmation { .. } => Msg::StAwaitingConfirmation,
        Status::Approved => Msg::StApproved,
        Status::RejectedUnacknowledged => Msg::StRejectedUnacknowledged,
        Status::Rejected => Msg::StRejected,
        Status::Withdrawn => Msg::StWithdrawn,
        Status::Released => Msg::StReleased,
        Status::Cancelled => Msg::StCancelled,
        Status::Expired => Msg::StExpired,
        Status::Completed => Msg::StCompleted,
    }
}

pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Approved | Status::Completed => "st-ok",
        Status::RejectedUnacknowledged | Status::Rejected | Status::Cancelled => "st-bad",
        Status::Returned { .. } | Status::AwaitingConfirmation { .. } => "st-attn",
        Status::InReview { .. } | Status::Draft => "st-wait",
        _ => "st-off",
    }
}
