//! The directory's wire types.

use crate::error::RowError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampusView {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub gates: Vec<GateView>,
}

pub use crate::domain::gate::{GateDirection, GateKind};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateView {
    pub id: String,
    pub campus_id: String,
    pub name: String,
    pub name_en: String,
    pub kind: GateKind,
    pub direction: GateDirection,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DepartmentView {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub staff_count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffView {
    pub id: String,
    pub staff_no: String,
    pub name: String,
    pub department_id: String,
    pub department: String,
    /// Masked: `138****5678`.
    pub phone: Option<String>,
    pub active: bool,
    pub must_change_password: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffPage {
    pub rows: Vec<StaffView>,
    pub total: i64,
}

/// The answer to a staff import (or its dry run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ImportOutcome {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<RowError>,
    /// New accounts' one-time passwords: staff number, name, password.
    pub initial_passwords: Vec<(String, String, String)>,
}

/// One directory sync (or dry run) and what it found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectorySyncRun {
    pub started_at: i64,
    /// Campus time, `2026-12-07 14:00`.
    pub started: String,
    pub dry_run: bool,
    /// `staff:<number>` or `system` (the schedule).
    pub actor: String,
    /// `dry_run`, `applied`, `no_changes` or `failed`.
    pub outcome: String,
    pub plan: Option<crate::domain::directory_sync::SyncPlan>,
    pub error: Option<crate::i18n::Msg>,
}

/// Whether the directory sync is configured, and its latest run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectorySyncState {
    pub enabled: bool,
    pub server: String,
    pub base_dn: String,
    pub every_minutes: u64,
    pub last: Option<DirectorySyncRun>,
}
