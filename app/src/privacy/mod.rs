//! Personal information (PIPL): the privacy notice every form links to
//! (`/privacy`), a person's own data and the deletion of their ended
//! applications (`/my-data`, `own_data.rs`), and how long a visit's
//! personal data is kept and the job that anonymises it after that
//! (`retention.rs`).

#[cfg(feature = "ssr")]
mod own_data;
mod pages;
#[cfg(feature = "ssr")]
pub mod retention;

pub use pages::*;

use crate::applications::status_label;
use crate::domain::lifecycle::Status;
use crate::domain::policy::PassKind;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::i18n::Msg;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

/// What the university keeps about the person signed in by SMS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnData {
    /// Their mobile, masked.
    pub mobile: String,
    pub applications: Vec<MyApplication>,
    /// Their household record (name, door, document masked), when a resident.
    pub resident: Option<String>,
    /// Gate records of their applications' passes.
    pub scans: i64,
    /// Texts sent to their mobile.
    pub texts: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyApplication {
    pub id: String,
    pub kind: PassKind,
    pub status: Status,
    pub campus: String,
    /// `start → end`.
    pub dates: String,
    pub plate: Option<String>,
    pub entrants: Vec<MyEntrant>,
    /// Ended: its personal data may be deleted now.
    pub erasable: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyEntrant {
    pub name: String,
    /// Masked, as everywhere else.
    pub document: String,
    pub phone: Option<String>,
    pub has_photo: bool,
    /// When consent was given (campus time), if it was recorded.
    pub doc_consent_at: Option<String>,
    pub photo_consent_at: Option<String>,
}

impl MyApplication {
    pub fn status_text(&self) -> crate::i18n::Msg {
        status_label(self.status)
    }
}

server_fn! {
    "privacy_facts", input = Json;
    /// What the privacy notice states from this campus's configuration:
    /// the days a visit's personal data is kept. Open to anyone.
    pub async fn privacy_facts() -> Result<i64, AppError> {
        use crate::platform::context::*;
        respond(async move { Ok(state()?.config.retention_days) }).await
    }
}

app_fn!(
    /// The caller's own personal data (someone signed in by SMS).
    my_data "my_data"() -> OwnData => |st, me| own_data::mine(&st, &me).await);
app_fn!(
    /// Deletes the personal data of one of the caller's own applications
    /// once it has ended (anonymised at once, as the retention job would).
    delete_my_application "delete_my_application"(id: String) -> () => |st, me| own_data::erase(&st, &me, &id).await);
