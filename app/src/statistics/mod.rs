//! The security office's statistics (`/admin/statistics`): applications by
//! status and step and how long approvals took, scans by gate, hour and
//! verdict, people let in per day, and who is inside now; each as numbers
//! and as a chart drawn on the server.

#[cfg(feature = "ssr")]
pub mod chart;
mod pages;
#[cfg(feature = "ssr")]
pub mod queries;
#[cfg(feature = "ssr")]
pub mod rollup;
mod types;

pub use pages::*;
pub use types::*;

use crate::error::AppError;
use crate::i18n::Lang;
use leptos::prelude::*;
use server_fn::codec::Json;

server_fn! {
    "statistics", input = Json;
    /// One view of the statistics: each answers on its own, so the page
    /// shows the quick ones while a slower one counts.
    pub async fn statistics(view: StatsKind, filter: StatsFilter, lang: Lang) -> Result<StatsView, AppError> {
        use crate::platform::context::*;
        respond(async move {
            require_role(crate::domain::Role::SecurityAdmin).await?;
            let st = state()?;
            match view {
                StatsKind::Applications => queries::applications(&st, &filter, lang).await,
                StatsKind::Scans => queries::scans(&st, &filter, lang).await,
                StatsKind::Inside => queries::inside(&st, &filter, lang).await,
            }
        })
        .await
    }
}

role_fn!(SecurityAdmin, statistics_choices "statistics_choices"() -> StatsChoices => |st, me| queries::choices(&st).await);
