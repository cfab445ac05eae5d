//! The campus directory the security office keeps: campuses, gates,
//! departments and staff (with CSV import). One file per use case; the
//! server functions are here.

#[cfg(feature = "ssr")]
mod campuses;
#[cfg(feature = "ssr")]
mod departments;
#[cfg(feature = "ssr")]
mod import;
#[cfg(feature = "ssr")]
pub mod ldap_sync;
mod pages;
#[cfg(feature = "ssr")]
mod staff;
mod sync_page;
mod types;

pub use pages::*;
pub use sync_page::*;
pub use types::*;

use crate::error::AppError;
use leptos::prelude::*;

/// The server side of the directory, by use case.
#[cfg(feature = "ssr")]
pub mod ssr {
    pub use super::campuses::*;
    pub use super::departments::*;
    pub use super::import::*;
    pub use super::staff::*;
}

role_fn!(SecurityAdmin, list_campuses "list_campuses"() -> Vec<CampusView> => |st, me| ssr::campuses(&st).await);
role_fn!(SecurityAdmin, save_campus "save_campus"(id: Option<String>, name: String, name_en: String) -> String =>
    |st, me| ssr::save_campus(&st, &me, id, &name, &name_en).await);
role_fn!(SecurityAdmin, save_gate "save_gate"(id: Option<String>, campus_id: String, name: String, name_en: String, kind: GateKind, direction: GateDirection, active: bool) -> String =>
    |st, me| ssr::save_gate(&st, &me, id, &campus_id, &name, &name_en, kind, direction, active).await);
role_fn!(SecurityAdmin, list_departments "list_departments"() -> Vec<DepartmentView> => |st, me| ssr::departments(&st).await);
role_fn!(SecurityAdmin, save_department "save_department"(id: Option<String>, code: String, name: String, name_en: String) -> String =>
    |st, me| ssr::save_department(&st, &me, id, &code, &name, &name_en).await);
role_fn!(SecurityAdmin, list_staff "list_staff"(query: String, department_id: String, offset: i64) -> StaffPage =>
    |st, me| ssr::staff_page(&st, &query, &department_id, offset).await);
role_fn!(SecurityAdmin, 
    /// Returns the new account's one-time password, if one was created.
    save_staff "save_staff"(id: Option<String>, staff_no: String, name: String, department_id: String, phone: String, active: bool) -> Option<String> =>
    |st, me| ssr::save_staff(&st, &me, id, &staff_no, &name, &department_id, &phone, active).await);
role_fn!(SecurityAdmin, reset_staff_password "reset_staff_password"(staff_id: String) -> String => |st, me| ssr::reset_password(&st, &me, &staff_id).await);
role_fn!(SecurityAdmin, directory_sync_status "directory_sync_status"() -> DirectorySyncState => |st, me| ldap_sync::status(&st).await);
role_fn!(SecurityAdmin,
    /// Reads the campus directory and shows (dry run) or applies the changes.
    sync_directory "sync_directory"(dry_run: bool) -> Option<DirectorySyncRun> =>
    |st, me| ldap_sync::sync(&st, &me.actor_label(), dry_run, None, Some(&client_ip())).await);
