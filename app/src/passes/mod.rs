//! Passes and the gate: issuing signed QR passes on approval, the holder's
//! pass page, the public keys, and the verdict of a scan (online), shared
//! by the guard's scanner and the gate-device API.

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
    pub check_document: String,
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

/// A guard's scan at their gate: verified, recorded, a single-use pass spent.
#[server(prefix = "/api/fn", endpoint = "guard_scan", input = Json)]
pub async fn guard_scan(gate_id: String, direction: Direction, input: ScanInput) -> Result<Verdict, AppError> {
    use crate::platform::context::*;
    respond(async move {
        let me = require_role(crate::domain::Role::Guard).await?;
        if !me.has_scoped(crate::domain::Role::Guard, &gate_id) {
            return Err(AppError::Forbidden);
        }
        let st = state()?;
        let who = ssr::Scanner::Guard(me.actor_label());
        ssr::scan(&st, &gate_id, direction, &input, &who, true).await
    })
    .await
}
