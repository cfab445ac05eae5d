//! Pure rules of the product: no Leptos, HTTP or SQL. Shared by the browser
//! (checks as you type) and the server (checks that count).

pub mod account;
pub mod claims;
pub mod document;
pub mod gate;
pub mod id_number;
pub mod lifecycle;
pub mod pass_token;
pub mod phone;
pub mod plate;
pub mod policy;
pub mod roster;
pub mod visit_dates;
#[cfg(feature = "ssr")]
pub mod staff_import;

pub use account::{GrantStatus, Role, StaffNo};
pub use id_number::IdNumber;
pub use phone::Phone;
pub use plate::Plate;
