//! Passes and the gate: issuing signed QR passes on approval, the holder's
//! pass page, the public keys, and the verdict of a scan (online), shared
//! by the guard's scanner and the gate-device API.

#[cfg(feature = "ssr")]
pub mod recorder;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::domain::gate::{Direction, Reason};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PassStatus {
    Valid,
    NotYetValid,
    Used,
    Expired,
    Cancelled,
}

/// What the holder's pass page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PassView {
    pub holder: String,
    pub kind: String,
    pub vehicle: bool,
    pub campus: String,
    pub valid_from: String,
    pub valid_until: String,
    pub gates: Vec<String>,
    pub status: PassStatus,
    /// The QR as an SVG document (empty unless the pass can be used now or later).
    pub qr_svg: String,
    /// When the token in the QR expires (a long pass's token is renewed daily).
    pub token_expires: String,
}

/// What a scan is checked against: a QR text, a plate, an ID number or a mobile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanInput {
    Qr(String),
    Plate(String),
    IdNumber(String),
    Mobile(String),
}

/// The holder as the guard sees them: enough to check the person in front.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScannedPass {
    pub holder: String,
    pub kind: String,
    pub vehicle: bool,
    pub valid_from: String,
    pub valid_until: String,
    /// Which document to check beside the QR.
    pub check_document: crate::i18n::Msg,
    /// Masked document number.
    pub document: Option<String>,
    pub has_photo: bool,
    pub pass_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub allow: bool,
    pub reason: Reason,
    pub message: String,
    /// Parking fee due on exit, in cents.
    pub fee_cents: Option<i64>,
    pub pass: Option<ScannedPass>,
}

/// The pass page, by its unguessable link id. Public: the link is the key.
#[server(prefix = "/api/fn", endpoint = "pass_by_link", input = Json)]
pub async fn pass_by_link(link: String) -> Result<PassView, AppError> {
    use crate::platform::context::*;
    respond(async move { ssr::pass_view(&state()?, &link).await }).await
}

/// The label of a pass kind as stored on a pass (`visitor`, `vehicle`, …).
pub fn kind_label(kind: &str) -> crate::i18n::Msg {
    use crate::i18n::Msg;
    match kind {
        "visitor" => Msg::KindVisitor,
        "contractor" => Msg::KindContractor,
        "staffwork" => Msg::KindStaffWork,
        "residentday" => Msg::KindResidentDay,
        "temppersonnel" => Msg::KindTempPersonnel,
        "event" => Msg::KindEvent,
        "walkin" => Msg::KindWalkIn,
        _ => Msg::KindVehicle,
    }
}

/// What the guard checks beside the QR, from a document type code.
pub fn check_document(doc_type: &str) -> crate::i18n::Msg {
    use crate::i18n::Msg;
    match doc_type {
        "passport" => Msg::DocPassport,
        "other" => Msg::DocOther,
        "vehicle" => Msg::CheckVehicle,
        _ => Msg::DocResidentId,
    }
}

/// A guard's scan at their gate: verified, recorded, a single-use pass
/// spent. `event_id` (random, made by the phone) makes a retry harmless and
/// lets an offline copy of the same scan be recognised when it syncs.
#[server(prefix = "/api/fn", endpoint = "guard_scan", input = Json)]
pub async fn guard_scan(gate_id: String, direction: Direction, input: ScanInput, event_id: Option<String>) -> Result<Verdict, AppError> {
    use crate::platform::context::*;
    respond(async move {
        let me = require_guard_at(&gate_id).await?;
        let st = state()?;
        ssr::scan(&st, &gate_id, direction, &input, &ssr::Scanner::guard(&me), true, event_id.as_deref()).await
    })
    .await
}

/// The offline roster of the guard's campus (a delta with `since`).
#[server(prefix = "/api/fn", endpoint = "guard_roster", input = Json)]
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

/// Verdicts the scanner page gave while offline, sent when it is back.
#[server(prefix = "/api/fn", endpoint = "guard_sync", input = Json)]
pub async fn guard_sync(gate_id: String, events: Vec<ssr_types::OfflineEvent>) -> Result<ssr_types::IngestOutcome, AppError> {
    use crate::platform::context::*;
    respond(async move {
        let me = require_guard_at(&gate_id).await?;
        let st = state()?;
        ssr::ingest(&st, &ssr::Scanner::guard(&me), &gate_id, &events).await
    })
    .await
}

/// The face photo of a pass's holder, where they consented to one: for the
/// guard at a gate of the pass's campus only.
#[server(prefix = "/api/fn", endpoint = "guard_photo", input = Json)]
pub async fn guard_photo(gate_id: String, pass_id: String) -> Result<Option<String>, AppError> {
    use crate::platform::context::*;
    respond(async move {
        require_guard_at(&gate_id).await?;
        let st = state()?;
        ssr::photo(&st, &gate_id, &pass_id).await
    })
    .await
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuardGate {
    pub id: String,
    pub name: String,
    pub campus: String,
}

/// The gates the signed-in guard is posted at.
#[server(prefix = "/api/fn", endpoint = "guard_gates", input = Json)]
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
                out.push(GuardGate { id, name, campus });
            }
        }
        Ok(out)
    })
    .await
}

pub mod camera;
#[cfg(feature = "hydrate")]
mod idb;
mod office;
pub mod offline;
mod pages;
pub use office::*;
pub use pages::*;
pub use ssr_types::{IngestOutcome, OfflineEvent};

/// Wire types of the offline sync, shared by the scanner page, gate devices
/// and the server.
pub mod ssr_types {
    use crate::domain::gate::{Direction, Reason};
    use serde::{Deserialize, Serialize};

    /// An event a device or an offline phone decided by itself.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub struct OfflineEvent {
        /// Unique per device (or phone): a retry of the same event is harmless.
        pub event_id: String,
        /// Milliseconds since the epoch, when it happened.
        pub at: i64,
        pub direction: Direction,
        #[serde(default)]
        pub pass_id: Option<String>,
        #[serde(default)]
        pub plate: Option<String>,
        pub allowed: bool,
        pub reason: Reason,
    }

    /// The most events one sync may carry (a phone offline for a whole
    /// morning sends a few hundred at a time).
    pub const MAX_EVENTS_PER_BATCH: usize = 1000;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub struct IngestOutcome {
        pub accepted: usize,
        pub duplicates: usize,
        /// Single-use passes admitted again elsewhere: reported, not hidden.
        pub conflicts: Vec<String>,
    }
}

/// A gate device as the office sees it (never its key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: String,
    pub gate_id: String,
    pub gate: String,
    pub name: String,
    pub active: bool,
    pub last_seen: Option<String>,
}

role_fn!(SecurityAdmin, list_devices "list_devices"() -> Vec<DeviceView> => |st, me| ssr::devices(&st).await);
role_fn!(SecurityAdmin,
    /// Registers a device at a gate; returns its key, shown once.
    register_device "register_device"(gate_id: String, name: String) -> String => |st, me| ssr::register_device(&st, &me, &gate_id, &name).await);
role_fn!(SecurityAdmin, set_device_active "set_device_active"(id: String, active: bool) -> () => |st, me| ssr::set_device_active(&st, &me, &id, active).await);

role_fn!(SecurityAdmin,
    /// Marks a vehicle's parking fees settled (paid at the office).
    settle_fees "settle_fees"(plate: String) -> i64 => |st, me| ssr::settle_fees(&st, &me, &plate).await);
role_fn!(SecurityAdmin,
    /// Clears a stale "inside" state (the camera missed the exit), with a reason.
    clear_vehicle_inside "clear_vehicle_inside"(plate: String, reason: String) -> () => |st, me| ssr::clear_inside(&st, &me, &plate, &reason).await);
