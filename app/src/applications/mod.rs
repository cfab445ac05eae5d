//! Applications to enter a campus and their approval workflow: the form,
//! the rules the server enforces, every action of the lifecycle, the
//! approvers' inbox, invitations and the notifications they send.

mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use pages::*;

use crate::domain::document::DocType;
use crate::domain::lifecycle::Status;
use crate::domain::policy::{FieldNeed, PassKind};
use crate::error::AppError;
use crate::i18n::Msg;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

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
    pub note: String,
}

/// What an approver may change while approving or returning an application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApproverEdits {
    pub start_date: String,
    pub end_date: String,
    pub reason_id: String,
    pub plate: String,
}

/// A staff member a visitor may name as host: never a phone or anything private.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostMatch {
    pub staff_id: String,
    pub name: String,
    pub department: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReasonCategory {
    Official,
    Private,
}

impl ReasonCategory {
    pub fn code(self) -> &'static str {
        match self {
            ReasonCategory::Official => "official",
            ReasonCategory::Private => "private",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "official" => Some(ReasonCategory::Official),
            "private" => Some(ReasonCategory::Private),
            _ => None,
        }
    }
    pub fn label(self) -> Msg {
        match self {
            ReasonCategory::Official => Msg::ReasonOfficial,
            ReasonCategory::Private => Msg::ReasonPrivate,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReasonView {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub category: ReasonCategory,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationPrefill {
    pub host: HostMatch,
    pub campus_id: String,
    pub reason_id: String,
    pub start_date: String,
    pub end_date: String,
    pub name: String,
    pub note: String,
}

/// A staff member invites a visitor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationInput {
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

/// What a caller may do to an application now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Act {
    Approve,
    ApproveWithEdits,
    EditAndReturn,
    Confirm,
    ReturnForChange,
    Reject,
    AcknowledgeRejection,
    Withdraw,
    Release,
    Cancel,
    /// Edit a returned application and send it again.
    Resubmit,
}

impl Act {
    pub fn label(self) -> Msg {
        match self {
            Act::Approve => Msg::ActApprove,
            Act::ApproveWithEdits => Msg::ActApproveWithEdits,
            Act::EditAndReturn => Msg::ActEditAndReturn,
            Act::Confirm => Msg::ActConfirm,
            Act::ReturnForChange => Msg::ActReturn,
            Act::Reject => Msg::ActReject,
            Act::AcknowledgeRejection => Msg::ActAcknowledge,
            Act::Withdraw => Msg::ActWithdraw,
            Act::Release => Msg::ActRelease,
            Act::Cancel => Msg::ActCancel,
            Act::Resubmit => Msg::ActResubmit,
        }
    }
    /// Actions that need a sentence of explanation.
    pub fn needs_note(self) -> bool {
        matches!(self, Act::Reject | Act::ReturnForChange | Act::Cancel | Act::EditAndReturn)
    }
    pub fn needs_edits(self) -> bool {
        matches!(self, Act::ApproveWithEdits | Act::EditAndReturn)
    }
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
    pub actions: Vec<Act>,
    /// The applicant's own form, to edit a returned application, and the
    /// form's choices.
    pub form: Option<ApplicationInput>,
    pub setup: Option<FormSetup>,
    /// Visit reasons, when the caller may edit the application.
    pub reasons: Vec<ReasonView>,
    /// The group's passes (holder, page link), for the applicant.
    pub passes: Vec<(String, String)>,
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

pub fn kind_label(k: PassKind) -> Msg {
    match k {
        PassKind::Visitor => Msg::KindVisitor,
        PassKind::Contractor => Msg::KindContractor,
        PassKind::StaffWork => Msg::KindStaffWork,
        PassKind::ResidentDay => Msg::KindResidentDay,
        PassKind::TempPersonnel => Msg::KindTempPersonnel,
        PassKind::Event => Msg::KindEvent,
        PassKind::WalkIn => Msg::KindWalkIn,
    }
}

macro_rules! app_fn {
    ($(#[$m:meta])* $name:ident $ep:literal ( $($arg:ident : $ty:ty),* ) -> $ret:ty => |$st:ident, $me:ident| $body:expr) => {
        $(#[$m])*
        #[server(prefix = "/api/fn", endpoint = $ep, input = Json)]
        pub async fn $name($($arg: $ty),*) -> Result<$ret, AppError> {
            use crate::platform::context::*;
            respond(async move {
                let $me = require_signed_in().await?;
                if $me.staff().is_some_and(|s| s.must_change_password) {
                    return Err(AppError::Conflict { msg: Msg::MustChangePassword });
                }
                let $st = state()?;
                $body
            })
            .await
        }
    };
}

app_fn!(
    /// The form's choices and limits for a pass kind (and an invitation's prefill).
    application_form_setup "application_form_setup"(kind: PassKind, invitation: Option<String>) -> FormSetup =>
    |st, me| ssr::form_setup(&st, &me, kind, invitation.as_deref()).await);
app_fn!(
    /// Hosts by staff number (exact) or name (exact, namesakes told apart by department).
    find_hosts "find_hosts"(query: String) -> Vec<HostMatch> => |st, me| ssr::find_hosts(&st, &query).await);
app_fn!(
    /// Submits an application; the same `idempotency_key` always yields the same one.
    submit_application "submit_application"(form: ApplicationInput, idempotency_key: String, invitation: Option<String>) -> String =>
    |st, me| ssr::submit(&st, &me, form, &idempotency_key, invitation.as_deref()).await);
app_fn!(my_applications "my_applications"() -> Vec<ApplicationRow> => |st, me| ssr::mine(&st, &me).await);
app_fn!(get_application "get_application"(id: String) -> ApplicationDetail => |st, me| ssr::detail(&st, &me, &id).await);
app_fn!(
    /// Takes one action; `version` is the one the caller saw, so a decision
    /// on a stale view is refused ("already handled").
    act_on_application "act_on_application"(id: String, action: Act, version: i64, note: String, edits: Option<ApproverEdits>) -> () =>
    |st, me| ssr::act(&st, &me, &id, action, version, &note, edits).await);
app_fn!(resubmit_application "resubmit_application"(id: String, version: i64, form: ApplicationInput) -> () =>
    |st, me| ssr::resubmit(&st, &me, &id, version, form).await);
app_fn!(
    /// What waits for the caller's decision.
    approval_inbox "approval_inbox"() -> Vec<ApplicationRow> => |st, me| ssr::inbox(&st, &me).await);
app_fn!(
    /// Every application of the departments the caller approves for.
    department_applications "department_applications"(status: String, from: String, to: String, offset: i64) -> Vec<ApplicationRow> =>
    |st, me| ssr::department_list(&st, &me, &status, &from, &to, offset).await);
app_fn!(approve_many "approve_many"(items: Vec<(String, i64)>) -> Vec<BatchOutcome> => |st, me| ssr::approve_many(&st, &me, items).await);
app_fn!(
    /// A staff member invites a visitor: the visitor gets a link by SMS.
    invite_visitor "invite_visitor"(input: InvitationInput) -> () => |st, me| ssr::invite(&st, &me, input).await);
app_fn!(
    /// Campuses and visit reasons, for a staff member's invitation form.
    invite_choices "invite_choices"() -> (Vec<Choice>, Vec<ReasonView>) => |st, me| ssr::invite_choices(&st, &me).await);
