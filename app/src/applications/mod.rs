//! Applications to enter a campus and their approval workflow: the form,
//! the rules the server enforces, every action of the lifecycle, the
//! approvers' inbox, invitations and the notifications they send. This file
//! holds the server functions; each use case has its own file.

#[cfg(feature = "ssr")]
mod access;
#[cfg(feature = "ssr")]
mod decide;
#[cfg(feature = "ssr")]
mod form;
#[cfg(feature = "ssr")]
mod invitations;
#[cfg(feature = "ssr")]
mod notices;
mod pages;
#[cfg(feature = "ssr")]
mod queries;
#[cfg(feature = "ssr")]
mod submit;
#[cfg(feature = "ssr")]
mod transition;
mod types;
#[cfg(feature = "ssr")]
mod writes;

pub use pages::*;
pub use types::*;

#[cfg(feature = "ssr")]
pub use decide::expire_due;
#[cfg(feature = "ssr")]
pub use notices::department_leader_phones;

use crate::domain::lifecycle::Action;
use crate::domain::policy::PassKind;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::i18n::Msg;
use leptos::prelude::*;
use server_fn::codec::Json;

app_fn!(
    /// The form's choices and limits for a pass kind (and an invitation's prefill).
    application_form_setup "application_form_setup"(kind: PassKind, invitation: Option<String>) -> FormSetup =>
    |st, me| queries::form_setup(&st, &me, kind, invitation.as_deref()).await);
app_fn!(
    /// Hosts by staff number (exact) or name (exact, namesakes told apart by department).
    find_hosts "find_hosts"(query: String) -> Vec<HostMatch> => |st, me| queries::find_hosts(&st, &query).await);
app_fn!(
    /// Submits an application; the same `idempotency_key` always yields the same one.
    submit_application "submit_application"(form: ApplicationInput, idempotency_key: String, invitation: Option<String>) -> String =>
    |st, me| submit::submit(&st, &me, form, &idempotency_key, invitation.as_deref()).await);
app_fn!(
    /// The visitor's form for a staff member filing on a visitor's behalf.
    on_behalf_form_setup "on_behalf_form_setup"() -> FormSetup => |st, me| queries::on_behalf_setup(&st, &me).await);
app_fn!(
    /// A staff member files a visitor's application on their behalf (someone
    /// who cannot use a phone): `mobile` is the visitor's (or their family's),
    /// where the pass is texted.
    submit_on_behalf "submit_on_behalf"(form: ApplicationInput, mobile: String, idempotency_key: String) -> String =>
    |st, me| submit::submit_on_behalf(&st, &me, form, &mobile, &idempotency_key).await);
app_fn!(
    /// An earlier contractor application's content (without its dates), for
    /// the one who filed it to renew it as a new application.
    renewal_prefill "renewal_prefill"(id: String) -> ApplicationInput => |st, me| queries::renewal_prefill(&st, &me, &id).await);
app_fn!(
    /// A returned application's form and version, for its applicant to
    /// change and resubmit (lighter than the whole detail, for the form's bundle).
    application_to_edit "application_to_edit"(id: String) -> (i64, ApplicationInput, FormSetup) =>
    |st, me| queries::to_edit(&st, &me, &id).await);
app_fn!(my_applications "my_applications"() -> Vec<ApplicationRow> => |st, me| queries::mine(&st, &me).await);
app_fn!(get_application "get_application"(id: String) -> ApplicationDetail => |st, me| queries::detail(&st, &me, &id).await);
app_fn!(
    /// Takes one action; `version` is the one the caller saw, so a decision
    /// on a stale view is refused ("already handled").
    act_on_application "act_on_application"(id: String, action: Action, version: i64, note: String, edits: Option<ApproverEdits>, next: Option<NextStep>) -> () =>
    |st, me| decide::act(&st, &me, &id, action, version, &note, edits, next).await);
app_fn!(
    /// Who may handle a chosen next step in `department_id`: its approvers,
    /// for the one who holds the current step.
    next_step_handlers "next_step_handlers"(id: String, department_id: String) -> Vec<Handler> =>
    |st, me| decide::handlers(&st, &me, &id, &department_id).await);
app_fn!(resubmit_application "resubmit_application"(id: String, version: i64, form: ApplicationInput) -> () =>
    |st, me| decide::resubmit(&st, &me, &id, version, form).await);
app_fn!(
    /// What waits for the caller's decision.
    approval_inbox "approval_inbox"() -> Vec<ApplicationRow> => |st, me| queries::inbox(&st, &me).await);
app_fn!(
    /// Every application of the departments the caller approves for.
    department_applications "department_applications"(status: String, from: String, to: String, offset: i64) -> Vec<ApplicationRow> =>
    |st, me| queries::department_list(&st, &me, &status, &from, &to, offset).await);
app_fn!(approve_many "approve_many"(items: Vec<(String, i64)>) -> Vec<BatchOutcome> => |st, me| decide::approve_many(&st, &me, items).await);
app_fn!(
    /// A staff member invites a visitor: the visitor gets a link by SMS.
    invite_visitor "invite_visitor"(input: InvitationInput) -> () => |st, me| invitations::invite(&st, &me, input).await);
app_fn!(
    /// Campuses and visit reasons, for a staff member's invitation form.
    invite_choices "invite_choices"() -> (Vec<Choice>, Vec<ReasonView>) => |st, me| queries::invite_choices(&st, &me).await);
