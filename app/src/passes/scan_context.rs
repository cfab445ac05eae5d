//! What a scan reads: a gate's facts, and a pass with everything its verdict
//! needs in one query (`SCAN_CONTEXT`), turned into the domain's one
//! verdict rule. Shared by online scanning (`scan.rs`) and the recorder
//! (`recorder.rs`), which both depend on this file and not on each other's
//! internals.

use super::passage::Fees;
use super::stored::PassRow;
use super::*;
use crate::domain::gate::{Found, GateDirection, GateFacts, GateKind, PassFacts, Standing, VehicleGates, decide};
use crate::error::AppError;
use crate::platform::context::AppState;

pub(super) struct Gate {
    pub(super) facts: GateFacts,
}

pub(super) const GATE_COLUMNS: &str = "g.id, g.campus_id, g.kind, g.direction, g.active";

/// What `GATE_COLUMNS` returns.
#[derive(sqlx::FromRow)]
pub(super) struct GateRow {
    id: String,
    campus_id: String,
    kind: String,
    direction: String,
    active: i64,
}

impl GateRow {
    pub(super) fn facts(self) -> GateFacts {
        GateFacts {
            id: self.id,
            campus_id: self.campus_id,
            kind: GateKind::from_code(&self.kind).unwrap_or(GateKind::Both),
            direction: GateDirection::from_code(&self.direction).unwrap_or(GateDirection::Both),
            active: self.active != 0,
        }
    }
}

pub(super) async fn gate(st: &AppState, gate_id: &str) -> Result<Gate, AppError> {
    let row: Option<GateRow> =
        sqlx::query_as(&format!("SELECT {GATE_COLUMNS} FROM gates g WHERE g.id = $1")).bind(gate_id).fetch_optional(&st.db.read).await?;
    Ok(Gate { facts: row.ok_or(AppError::NotFound)?.facts() })
}

/// A pass with everything a verdict needs, read in one query: its visit
/// reason's rules, the entrant's document type, whether a photo exists and
/// whether the holder or plate is blacklisted.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ScanContextRow {
    pub(super) id: String,
    pub(super) application_id: String,
    pub(super) entrant_id: Option<String>,
    pub(super) kind: String,
    pub(super) vehicle: i64,
    pub(super) holder: String,
    pub(super) campus_id: String,
    pub(super) valid_from: i64,
    pub(super) valid_until: i64,
    pub(super) single_use: i64,
    pub(super) used_at: Option<i64>,
    pub(super) cancelled_at: Option<i64>,
    pub(super) category: String,
    pub(super) vehicle_gates: String,
    pub(super) free_minutes: i64,
    pub(super) cents_per_hour: i64,
    pub(super) daily_cap_cents: i64,
    pub(super) doc_type: Option<String>,
    pub(super) doc_masked: Option<String>,
    /// The policy's document at issue; empty for passes issued before.
    pub(super) check_document: String,
    pub(super) has_photo: i64,
    pub(super) blacklisted: i64,
    pub(super) holder_note: String,
}

/// What a scan reads of a pass (one row, by `WHERE p.id …`).
pub(super) static SCAN_CONTEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT p.id, p.application_id, p.entrant_id, p.kind, p.vehicle, p.holder, p.campus_id, p.valid_from, p.valid_until,
        p.single_use, p.used_at, p.cancelled_at, COALESCE(r.category, 'private') AS category, COALESCE(r.vehicle_gates, '[]') AS vehicle_gates,
        COALESCE(r.free_minutes, 0) AS free_minutes, COALESCE(r.cents_per_hour, 0) AS cents_per_hour, COALESCE(r.daily_cap_cents, 0) AS daily_cap_cents,
        e.doc_type, e.doc_masked, p.check_document,
        CASE WHEN EXISTS (SELECT 1 FROM entrant_photos ph WHERE ph.entrant_id = p.entrant_id) THEN 1 ELSE 0 END AS has_photo,
        CASE WHEN {listed} THEN 1 ELSE 0 END AS blacklisted, p.holder_note
    FROM passes p JOIN applications a ON a.id = p.application_id LEFT JOIN visit_reasons r ON r.id = a.reason_id
    LEFT JOIN entrants e ON e.id = p.entrant_id",
        listed = crate::rules::listed::PASS_HOLDER_LISTED
    )
});

/// The verdict at `gate` at `now` for the pass a scan found (`None`: no
/// such pass), before any spending: `domain::gate::decide`.
pub fn verdict_for(ctx: Option<&ScanContextRow>, gate: &GateFacts, direction: Direction, now: i64) -> Reason {
    match ctx {
        Some(c) => decide(gate, Found::Pass(&c.facts()), direction, now),
        None => decide(gate, Found::Unknown, direction, now),
    }
}

impl ScanContextRow {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn pass_row(&self) -> PassRow {
        PassRow {
            id: self.id.clone(),
            application_id: self.application_id.clone(),
            entrant_id: self.entrant_id.clone(),
            kind: self.kind.clone(),
            vehicle: self.vehicle != 0,
            holder: self.holder.clone(),
            campus_id: self.campus_id.clone(),
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            single_use: self.single_use != 0,
            used_at: self.used_at,
            cancelled_at: self.cancelled_at,
        }
    }

    pub fn fees(&self) -> Fees {
        Fees::of_reason(self.category == "official", self.free_minutes, self.cents_per_hour, self.daily_cap_cents)
    }

    /// The pass's facts, through the one constructor the phone's roster uses too.
    pub(super) fn facts(&self) -> PassFacts {
        let vehicle = (self.vehicle != 0)
            .then(|| VehicleGates { official: self.category == "official", allowed: serde_json::from_str(&self.vehicle_gates).unwrap_or_default() });
        let standing = Standing::of(self.cancelled_at.is_some(), self.blacklisted != 0);
        PassFacts::new(&self.campus_id, (self.valid_from, self.valid_until), vehicle, self.single_use != 0 && self.used_at.is_some(), standing)
    }

    /// The holder as the guard sees them.
    pub(super) fn scanned(&self, st: &AppState) -> ScannedPass {
        ScannedPass {
            holder: self.holder.clone(),
            kind: crate::domain::roster::kind_on_wire(&self.kind, self.vehicle != 0),
            vehicle: self.vehicle != 0,
            valid_from: st.clock.format(self.valid_from),
            valid_until: st.clock.format(self.valid_until - 1),
            check_document: super::check_document(if self.check_document.is_empty() {
                self.doc_type.as_deref().unwrap_or("vehicle")
            } else {
                &self.check_document
            }),
            document: self.doc_masked.clone(),
            has_photo: self.has_photo != 0,
            pass_id: self.id.clone(),
            note: self.holder_note.clone(),
        }
    }
}
