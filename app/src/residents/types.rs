//! The residents area's wire types. Mobiles and document numbers cross to
//! the browser masked only.

use serde::{Deserialize, Serialize};

pub use crate::domain::document::DocType;

/// A campus to file households under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampusOption {
    pub id: String,
    pub name: String,
}

/// What the households page offers to choose from: the campuses and the
/// communities (小区) already on record on each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct HouseholdOptions {
    pub campuses: Vec<CampusOption>,
    /// (campus id, community), sorted.
    pub communities: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub id: String,
    pub campus_id: String,
    pub campus: String,
    pub community: String,
    pub building: String,
    pub door: String,
    pub paper_pass: bool,
    /// The householder first, then by when they were registered.
    pub members: Vec<MemberView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    /// Masked: `139****9000`.
    pub phone: String,
    pub doc_type: DocType,
    /// Masked: `1101**********002X`; empty when none is on record.
    pub doc: String,
    pub householder: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HouseholdPage {
    pub rows: Vec<HouseholdView>,
    pub total: i64,
}

/// Households shown on one page of the list.
pub const PAGE_SIZE: i64 = 20;

/// One change an import makes (or, in a dry run, would make).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportAction {
    NewHousehold,
    UpdatedHousehold,
    NewMember,
    UpdatedMember,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportChange {
    /// The file's line.
    pub row: usize,
    pub action: ImportAction,
    /// `主校区 教工宿舍 5栋 302`.
    pub household: String,
    /// `吴芳 139****9000`; empty for a household's own change.
    pub member: String,
}

/// The answer to a household import or its dry run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct HouseholdImportOutcome {
    pub dry_run: bool,
    pub households_created: usize,
    pub households_updated: usize,
    pub members_created: usize,
    pub members_updated: usize,
    /// Rows already on record exactly as the file has them.
    pub unchanged: usize,
    /// The first changes, in file order (at most `CHANGES_SHOWN`).
    pub changes: Vec<ImportChange>,
    /// How many more changes there are beyond those listed.
    pub more: usize,
}

/// Changes listed in an import's answer.
pub const CHANGES_SHOWN: usize = 200;

/// The printable application QR code (申请码) of a campus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PosterView {
    pub campus: String,
    pub campus_en: String,
    /// The resident form's address the code opens.
    pub url: String,
    /// The QR code as an SVG document, drawn on the server.
    pub qr_svg: String,
}
