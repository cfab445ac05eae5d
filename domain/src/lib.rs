//! Pure rules of the product and the message table, shared by the browser
//! (checks as you type) and the server (checks that count). No Leptos,
//! HTTP or SQL: this crate does not depend on them, so breaking that
//! promise stops the build. The app re-exports it as `crate::domain`.

pub mod account;
pub mod claims;
#[cfg(feature = "import")]
pub mod csv_file;
pub mod directory_sync;
pub mod document;
pub mod export;
pub mod gate;
pub mod household;
#[cfg(feature = "import")]
pub mod household_import;
pub mod id_number;
pub mod lifecycle;
pub mod manual_admission;
pub mod messages;
pub mod parking;
pub mod pass_token;
pub mod phone;
pub mod plate;
pub mod policy;
pub mod roster;
pub mod site_path;
#[cfg(feature = "import")]
pub mod staff_import;
pub mod statistics;
pub mod temp_personnel;
pub mod visit_dates;

pub use account::{GrantStatus, Role, StaffNo};
pub use id_number::IdNumber;
pub use phone::Phone;
pub use plate::Plate;

use serde::{Deserialize, Serialize};

/// A problem with one row of an imported file: its line, the field, why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub msg: messages::Msg,
}
