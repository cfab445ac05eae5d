//! Pages: the application form, "my applications", an application's detail
//! with its timeline and actions, the approvers' inbox, and the invitation
//! form, one file each. Fields are checked as typed with the server's own
//! parsers.

mod detail;
mod form;
mod invite;
mod lists;
mod people;

pub use detail::*;
pub use form::*;
pub use invite::*;
pub use lists::*;
pub use people::*;

use super::*;
use crate::components::{ErrorLine, FieldHint, PrivacyNotice, Refusal, default_to_first, go_to, resource};
use crate::domain::document::{DocType, DocumentNumber};
use crate::domain::lifecycle::Action;
use crate::domain::policy::PassKind;
use crate::domain::{Phone, Plate};
use crate::i18n::{Msg, t, use_i18n};
use crate::rules::doc_label;
use chrono::NaiveDate;
