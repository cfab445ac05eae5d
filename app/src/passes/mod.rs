//! Passes and the gate: issuing signed QR passes on approval, the holder's
//! pass page, the public keys, and the verdict of a scan (online), shared
//! by the guard's scanner and the gate-device API.

#[cfg(feature = "ssr")]
mod arrivals;
#[cfg(feature = "ssr")]
mod devices;
#[cfg(feature = "ssr")]
mod fees;
#[cfg(feature = "ssr")]
mod issue;
#[cfg(feature = "ssr")]
mod manual;
#[cfg(feature = "ssr")]
mod office_queries;
#[cfg(all(test, feature = "ssr"))]
mod one_verdict_tests;
#[cfg(feature = "ssr")]
mod pass_page;
#[cfg(feature = "ssr")]
mod passage;
#[cfg(feature = "ssr")]
pub mod recorder;
#[cfg(feature = "ssr")]
mod roll_call;
#[cfg(feature = "ssr")]
mod scan;
#[cfg(feature = "ssr")]
mod scan_context;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
mod state;
#[cfg(feature = "ssr")]
mod stored;
#[cfg(feature = "ssr")]
mod sync;
#[cfg(feature = "ssr")]
mod token;
mod types;
pub use types::*;

use crate::domain::gate::{Direction, Reason};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

server_fn! {
    "pass_by_link", input = Json;
    /// The pass page, by its unguessable link id. Public: the link is the key.
    pub async fn pass_by_link(link: String) -> Result<PassView, AppError> {
        use crate::platform::context::*;
        respond(async move { ssr::pass_view(&state()?, &link).await }).await
    }
}

server_fn! {
    "arrival_texts";
    /// Whether the signed-in staff member is texted when a visitor they
    /// host first enters.
    pub async fn arrival_texts() -> Result<bool, AppError> {
        use crate::platform::context::*;
        respond(async move {
            let st = state()?;
            let p = require_staff().await?;
            let staff = p.staff().ok_or(AppError::Forbidden)?;
            let (on,): (i64,) = sqlx::query_as("SELECT arrival_texts FROM staff WHERE id = $1").bind(&staff.id).fetch_one(&st.db.read).await?;
            Ok(on != 0)
        })
        .await
    }
}

server_fn! {
    "set_arrival_texts";
    /// Turns the signed-in staff member's arrival texts on or off (audited).
    pub async fn set_arrival_texts(on: bool) -> Result<(), AppError> {
        use crate::platform::context::*;
        respond(async move {
            let st = state()?;
            let p = require_staff().await?;
            let staff = p.staff().ok_or(AppError::Forbidden)?;
            let now = st.clock.now_ms();
            let mut tx = st.db.write.begin().await?;
            sqlx::query("UPDATE staff SET arrival_texts = $1, updated_at = $2 WHERE id = $3").bind(on as i64).bind(now).bind(&staff.id).execute(&mut *tx).await?;
            crate::platform::audit::record(&mut *tx, now, &p.actor_label(), "set_arrival_texts", "staff", &staff.id, serde_json::json!({"arrival_texts": on}), Some(client_ip().as_str()))
                .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}

server_fn! {
    "guard_scan", input = Json;
    /// A guard's scan at their gate: verified, recorded, a single-use pass
    /// spent. `event_id` (random, made by the phone) makes a retry harmless and
    /// lets an offline copy of the same scan be recognised when it syncs.
    pub async fn guard_scan(gate_id: String, direction: Direction, input: ScanInput, event_id: Option<String>) -> Result<Verdict, AppError> {
        use crate::platform::context::*;
        respond(async move {
            let me = require_guard_at(&gate_id).await?;
            let st = state()?;
            ssr::scan(&st, &ssr::scan_state()?, &gate_id, direction, &input, &ssr::Scanner::guard(&me), true, event_id.as_deref()).await
        })
        .await
    }
}

server_fn! {
    "guard_roster", input = Json;
    /// The offline roster of the guard's campus (a delta with `since`).
    pub async fn guard_roster(gate_id: String, since: Option<i64>) -> Result<crate::domain::roster::Roster, AppError> {
        use crate::platform::context::*;
        respond(async move {
            require_guard_at(&gate_id).await?;
            let st = state()?;
            let campus = ssr::campus_of_gate(&st, &gate_id).await?;
            ssr::roster(&st, &campus, since).await
        })
        .await
    }
}

server_fn! {
    "guard_sync", input = Json;
    /// Verdicts the scanner page gave while offline, sent when it is back.
    pub async fn guard_sync(gate_id: String, events: Vec<OfflineEvent>) -> Result<IngestOutcome, AppError> {
        use crate::platform::context::*;
        respond(async move {
            let me = require_guard_at(&gate_id).await?;
            let st = state()?;
            ssr::ingest(&st, &ssr::Scanner::guard(&me), &gate_id, &events).await
        })
        .await
    }
}

server_fn! {
    "guard_sync_queue", input = Json;
    /// The scanner's queue as the phone keeps it: each a `QueuedEvent`'s
    /// JSON text, passed on unread. This guard's events are stored as
    /// `guard_sync` would; the ids done with come back for the phone to forget.
    pub async fn guard_sync_queue(events: Vec<String>) -> Result<Vec<String>, AppError> {
        use crate::platform::context::*;
        respond(async move {
            let me = require_role(crate::domain::Role::Guard).await?;
            let st = state()?;
            ssr::ingest_queue(&st, &me, &events).await
        })
        .await
    }
}

server_fn! {
    "guard_manual_sync", input = Json;
    /// Manual admissions this guard's phone queued, as their JSON texts (the
    /// scanner passes them on unread); the ids stored or refused, which the
    /// phone then forgets.
    pub async fn guard_manual_sync(entries: Vec<String>) -> Result<Vec<String>, AppError> {
        use crate::platform::context::*;
        respond(async move {
            let me = require_role(crate::domain::Role::Guard).await?;
            let st = state()?;
            ssr::sync_manual(&st, &me, &entries).await
        })
        .await
    }
}

server_fn! {
    "guard_photo", input = Json;
    /// The face photo of a pass's holder, where they consented to one: for the
    /// guard at a gate of the pass's campus only.
    pub async fn guard_photo(gate_id: String, pass_id: String) -> Result<Option<String>, AppError> {
        use crate::platform::context::*;
        respond(async move {
            let me = require_guard_at(&gate_id).await?;
            let st = state()?;
            ssr::photo(&st, &me, &gate_id, &pass_id).await
        })
        .await
    }
}

server_fn! {
    "guard_gates", input = Json;
    /// The gates the signed-in guard is posted at.
    pub async fn guard_gates() -> Result<Vec<GuardGate>, AppError> {
        use crate::platform::context::*;
        respond(async move {
            let me = require_role(crate::domain::Role::Guard).await?;
            let st = state()?;
            let mut out = Vec::new();
            for (_, gate_id) in me.grants.iter().filter(|(r, _)| *r == crate::domain::Role::Guard) {
                let row: Option<(String, String, String)> = sqlx::query_as(
                    "SELECT g.id, g.name, c.name FROM gates g JOIN campuses c ON c.id = g.campus_id WHERE g.id = $1",
                )
                .bind(gate_id)
                .fetch_optional(&st.db.read)
                .await?;
                if let Some((id, name, campus)) = row {
                    out.push(GuardGate { id, name, campus, guard: me.staff().map(|s| s.staff_no.clone()).unwrap_or_default() });
                }
            }
            Ok(out)
        })
        .await
    }
}

pub mod camera;
mod fees_page;
#[cfg(feature = "hydrate")]
mod idb;
mod manual_page;
mod office;
pub mod offline;
mod pages;
mod roll_call_page;
pub use fees_page::*;
pub use manual_page::*;
pub use office::*;
pub use pages::*;
pub use roll_call_page::*;

role_fn!(SecurityAdmin, list_devices "list_devices"() -> Vec<DeviceView> => |st, me| ssr::devices(&st).await);
role_fn!(SecurityAdmin,
    /// Registers a device at a gate; returns its key, shown once.
    register_device "register_device"(gate_id: String, name: String) -> String => |st, me| ssr::register_device(&st, &ssr::scan_state()?.devices, &me, &gate_id, &name).await);
role_fn!(SecurityAdmin, set_device_active "set_device_active"(id: String, active: bool) -> () => |st, me| ssr::set_device_active(&st, &ssr::scan_state()?.devices, &me, &id, active).await);

role_fn!(SecurityAdmin,
    /// Clears a stale "inside" state (the camera missed the exit), with a reason.
    clear_vehicle_inside "clear_vehicle_inside"(plate: String, reason: String) -> () => |st, me| ssr::clear_inside(&st, &me, &plate, &reason).await);
