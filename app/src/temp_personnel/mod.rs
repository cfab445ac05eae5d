//! Temporary personnel (seed 003, 临时人员入校): a department's
//! temporary-personnel admin requests a temporary staff number and later
//! renews, transfers or deletes it; department leaders approve each
//! request (a transfer of someone still valid needs both departments'
//! leaders); the person, signed in by SMS with the mobile on record, adds
//! a face photo (reviewed by the security office or the department) and
//! applies to return to campus (an application of the `TempPersonnel`
//! kind, approved by their department leader through the applications
//! area, whose passes the gate checks like any other). The rules are
//! `domain::temp_personnel`; this file holds the server functions.
//! Depends on `applications` (the photo reader, the return form's types),
//! `passes` (a deletion cancels passes; a transfer rewrites the guard's
//! line) and `rules` (document labels).

mod pages;
#[cfg(feature = "ssr")]
mod people;
#[cfg(feature = "ssr")]
mod requests;
mod types;

pub use pages::*;
pub use types::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::i18n::Msg;
use leptos::prelude::*;
use server_fn::codec::Json;

/// The server side of the area (the server crate's demo seed and the tests name these).
#[cfg(feature = "ssr")]
pub mod ssr {
    pub use super::people::*;
    pub use super::requests::*;
}

role_fn!(json [TempPersonnelAdmin, SecurityAdmin, Approver], temp_setup "temp_setup"() -> TempWorkSetup => |st, me| people::setup(&st, &me).await);
role_fn!(json [TempPersonnelAdmin],
    /// A first request for a temporary staff number, by the department's admin.
    request_temp_number "request_temp_number"(input: FirstRequestInput) -> String => |st, me| requests::file_first(&st, &me, input).await);
role_fn!(json [TempPersonnelAdmin],
    /// A renewal, transfer or deletion (个人信息维护), by the department's admin.
    request_temp_maintenance "request_temp_maintenance"(input: MaintenanceInput) -> String =>
    |st, me| requests::file_maintenance(&st, &me, input).await);
role_fn!(json [TempPersonnelAdmin, SecurityAdmin, Approver],
    /// Requests the caller files, decides or oversees; `open`: pending only.
    temp_requests "temp_requests"(open: bool) -> Vec<TempRequestRow> => |st, me| requests::list(&st, &me, open).await);
role_fn!(json [Approver],
    /// A department leader approves or refuses a request for their department.
    decide_temp_request "decide_temp_request"(id: String, approve: bool, reason: String) -> () =>
    |st, me| requests::decide(&st, &me, &id, approve, &reason).await);
role_fn!(json [TempPersonnelAdmin, SecurityAdmin],
    /// The department's list (every department's for the security office).
    temp_people "temp_people"(filter: TempFilter) -> Vec<TempPersonRow> => |st, me| people::people(&st, &me, filter).await);
role_fn!(json [SecurityAdmin, Approver],
    /// Face photos awaiting the caller's review.
    temp_faces "temp_faces"() -> Vec<FaceToReview> => |st, me| people::faces_to_review(&st, &me).await);
role_fn!(json [SecurityAdmin, Approver],
    review_temp_face "review_temp_face"(temp_no: String, accept: bool, reason: String) -> () =>
    |st, me| people::review_face(&st, &me, &temp_no, accept, &reason).await);
role_fn!(SecurityAdmin,
    /// Adds (no `code`) or changes a category; categories are never removed.
    save_temp_category "save_temp_category"(code: Option<String>, name: String, name_en: String, active: bool) -> () =>
    |st, me| people::save_category(&st, &me, code, &name, &name_en, active).await);
app_fn!(
    /// The signed-in person's own steps (number, photo, return application).
    my_temp_status "my_temp_status"() -> MyTempSteps => |st, me| people::my_status(&st, &me).await);
app_fn!(
    /// The person's face photo (a data URL, with its consent), or `None`:
    /// they will show their document at the gate instead.
    set_temp_face "set_temp_face"(photo: Option<String>, consent: bool) -> () => |st, me| people::set_face(&st, &me, photo, consent).await);
