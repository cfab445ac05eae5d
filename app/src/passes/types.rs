//! The wire types of passes and the gate: the pass page, scans and their
//! verdicts, the offline sync, gate devices; and the labels of their codes.

use crate::domain::gate::{Direction, Reason};
use serde::{Deserialize, Serialize};

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
    /// A temporary person's category, department and number.
    #[serde(default)]
    pub note: String,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuardGate {
    pub id: String,
    pub name: String,
    pub campus: String,
    /// The staff number of the guard posted here who asked: the scanner
    /// ties each offline event to them (its bundle reads no other context).
    pub guard: String,
}

/// A manual admission as the guard's phone queues it (`/scan/manual`); the
/// scanner's sync sends it on as its JSON text, unread.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManualEntry {
    /// Random, made by the phone: a retry is harmless.
    pub id: String,
    pub gate_id: String,
    /// The staff number of the guard who recorded it.
    pub guard: String,
    pub at: i64,
    pub direction: Direction,
    pub name: String,
    #[serde(default)]
    pub document: String,
    pub authorised_by: String,
    pub reason: String,
}

/// A manual admission as the office reviews it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManualRow {
    pub id: String,
    pub at: String,
    pub campus: String,
    pub gate: String,
    pub direction: Direction,
    /// Staff number and name.
    pub guard: String,
    pub name: String,
    /// Masked.
    pub document: String,
    pub authorised_by: String,
    pub reason: String,
    /// When, by whom and the note, once reviewed.
    pub reviewed: Option<String>,
}

// ------------------------------------------------------------ the offline sync, shared by the scanner page, gate devices and the server

/// An event a device or an offline phone decided by itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OfflineEvent {
    /// Unique per device (or phone): a retry of the same event is harmless.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 100))]
    pub event_id: String,
    /// Milliseconds since the epoch, when it happened.
    // Devices may write it `1.0`; the browser reads back only what it
    // wrote, and the scanner bundle stays without this code.
    #[cfg_attr(feature = "ssr", serde(deserialize_with = "whole_number"))]
    pub at: i64,
    pub direction: Direction,
    #[serde(default)]
    pub pass_id: Option<String>,
    #[serde(default)]
    pub plate: Option<String>,
    pub allowed: bool,
    pub reason: Reason,
}

/// An integer, also when written `1.0`: JSON has one kind of number, and
/// the API document's `integer` admits it.
#[cfg(feature = "ssr")]
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Int(i64),
        Float(f64),
    }
    match Number::deserialize(d)? {
        Number::Int(n) => Ok(n),
        // A whole f64 strictly inside ±2^63 converts exactly. (An integer
        // just outside i64, such as -2^63 - 1, arrives here as the float
        // -2^63: it is out of range, not i64::MIN.)
        Number::Float(f) if f.fract() == 0.0 && f > -9.223_372_036_854_776e18 && f < 9.223_372_036_854_776e18 => Ok(f as i64),
        Number::Float(_) => Err(serde::de::Error::custom("not a whole number of milliseconds")),
    }
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
    /// Events refused for their time (a week old, in the future, outside
    /// the pass's validity): not stored, their `event_id`s reported so the
    /// device drops them and someone looks at its clock.
    #[serde(default)]
    pub rejected: Vec<String>,
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

/// The label of a pass's kind as a verdict or a list names it
/// (`domain::roster::kind_on_wire`: a kind's code, or `vehicle`).
pub fn kind_label(kind: &str) -> crate::i18n::Msg {
    match crate::domain::roster::kind_from_wire(kind) {
        Some(k) => k.label(),
        None => crate::i18n::Msg::KindVehicle,
    }
}

/// What the guard checks beside the QR, from a pass's `check_document`
/// (a document type, or the policy's `GuardDocument` code).
pub fn check_document(doc_type: &str) -> crate::i18n::Msg {
    use crate::i18n::Msg;
    match doc_type {
        "passport" => Msg::DocPassport,
        "other" => Msg::DocOther,
        "vehicle" => Msg::CheckVehicle,
        "work_card" => Msg::CheckWorkCard,
        "residence_proof" => Msg::CheckResidenceProof,
        _ => Msg::DocResidentId,
    }
}
