//! Households and their members as the resident office keeps them (seed
//! 004: 小区 / 楼栋 / 门牌, a householder, members with a mobile and a
//! document, the paper-pass mark), their CSV import and the campus's
//! printable application QR code. Open to security admins and holders of
//! the resident-office grant. One file per use case; the server functions
//! are here. Depends on no other area; only the app's router names it.

#[cfg(feature = "ssr")]
mod households;
#[cfg(feature = "ssr")]
mod import;
#[cfg(feature = "ssr")]
mod members;
mod pages;
#[cfg(feature = "ssr")]
mod poster;
mod types;

pub use pages::*;
pub use types::*;

use crate::error::AppError;
use leptos::prelude::*;

/// The server side of the area, by use case (the server crate's import
/// route and demo seed name these).
#[cfg(feature = "ssr")]
pub mod ssr {
    pub use super::households::*;
    pub use super::import::*;
    pub use super::members::*;
    pub use super::poster::*;
}

role_fn!([SecurityAdmin, ResidentOffice], household_choices "household_choices"() -> HouseholdOptions => |st, me| ssr::choices(&st).await);
role_fn!([SecurityAdmin, ResidentOffice], list_households "list_households"(campus_id: String, community: String, query: String, offset: i64) -> HouseholdPage =>
    |st, me| ssr::households_page(&st, &campus_id, &community, &query, offset).await);
role_fn!([SecurityAdmin, ResidentOffice],
    /// Adds (no `id`) or edits a household; returns its id.
    save_household "save_household"(id: Option<String>, campus_id: String, community: String, building: String, door: String, paper_pass: bool) -> String =>
    |st, me| ssr::save_household(&st, &me, id, &campus_id, &community, &building, &door, paper_pass).await);
role_fn!([SecurityAdmin, ResidentOffice],
    /// Adds (no `id`) or edits a member; on an edit an empty mobile or
    /// document number keeps the one on record. Returns the member's id.
    save_member "save_member"(id: Option<String>, household_id: String, name: String, phone: String, doc_type: DocType, doc_number: String, householder: bool) -> String =>
    |st, me| ssr::save_member(&st, &me, id, &household_id, &name, &phone, doc_type, &doc_number, householder).await);
role_fn!([SecurityAdmin, ResidentOffice], remove_member "remove_member"(id: String) -> () => |st, me| ssr::remove_member(&st, &me, &id).await);
role_fn!([SecurityAdmin, ResidentOffice], household_poster "household_poster"(campus_id: String) -> PosterView =>
    |st, me| ssr::poster(&st, &campus_id).await);
