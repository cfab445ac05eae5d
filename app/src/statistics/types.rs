//! The wire types of the statistics page.

use serde::{Deserialize, Serialize};

/// What the office counts: each empty field is "all". Dates are campus
/// dates (`YYYY-MM-DD`, both included; empty: the last week). Campus,
/// pass kind and dates apply to every view; department and status to the
/// applications', gate to the scans'.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsFilter {
    #[serde(default)]
    pub campus_id: String,
    #[serde(default)]
    pub department_id: String,
    /// A pass kind's code (`visitor`, `resident`, …).
    #[serde(default)]
    pub kind: String,
    /// An application status's code without its step (`in_review`, `approved`, …).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub gate_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The views of the statistics page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatsKind {
    /// Applications by status and step, time to decide.
    Applications,
    /// Scans by gate, hour and verdict; entries per day.
    Scans,
    /// People and vehicles inside now.
    Inside,
}

/// One counted list: its rows as the table shows them, and the same as a
/// chart (SVG drawn by the server).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Stable, for the page's anchors and the tests.
    pub id: String,
    pub title: String,
    /// A sentence under the title (an average, a total), or empty.
    pub note: String,
    pub rows: Vec<(String, i64)>,
    pub svg: String,
}

/// A view: the period it counted and its sections.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatsView {
    pub from: String,
    pub to: String,
    pub sections: Vec<Section>,
}

/// The choices of the filter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsChoices {
    pub campuses: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
    /// (campus id, gate id, "campus gate")
    pub gates: Vec<(String, String, String)>,
}
