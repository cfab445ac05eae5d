//! The wire types of temporary personnel: the admin's forms, the lists,
//! the leaders' requests, the photo review and the person's own status.

use crate::domain::document::DocType;
use crate::domain::temp_personnel::{FaceStatus, RequestKind, Standing, StepState};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub active: bool,
}

/// What the temporary-personnel pages need to start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TempWorkSetup {
    pub categories: Vec<Category>,
    /// The departments whose temporary personnel this caller administers
    /// (every department for the security office).
    pub my_departments: Vec<Choice>,
    /// Every department: where a person may be transferred.
    pub all_departments: Vec<Choice>,
    pub today: String,
    pub files_requests: bool,
    pub is_office: bool,
}

/// A first request for a temporary staff number (seed 003 §1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstRequestInput {
    pub category: String,
    pub name: String,
    pub phone: String,
    pub doc_type: DocType,
    pub doc_number: String,
    pub department_id: String,
    pub start_date: String,
    pub leave_date: String,
    /// 经审核，此人符合入校条件。本人承诺以上信息属实。
    pub commitment: bool,
}

/// A maintenance request (个人信息维护) on a person by their number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaintenanceInput {
    pub temp_no: String,
    pub kind: RequestKind,
    #[serde(default)]
    pub new_leave_date: String,
    #[serde(default)]
    pub to_department_id: String,
    pub commitment: bool,
}

/// A person in the department's list (seed 003 §4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TempPersonRow {
    pub temp_no: String,
    pub name: String,
    pub category: String,
    pub department: String,
    pub leave_date: String,
    pub standing: Standing,
    pub face: FaceStatus,
    /// Masked.
    pub phone: String,
    /// Masked.
    pub document: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TempFilter {
    pub query: String,
    pub category: String,
    /// A `Standing` code, or empty for all.
    pub standing: String,
    pub department_id: String,
}

/// A request as the admin, the leaders and the office see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TempRequestRow {
    pub id: String,
    pub kind: RequestKind,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub name: String,
    pub temp_no: String,
    pub category: String,
    pub department: String,
    /// What changes: the dates of a first request, the new leave date, the
    /// receiving department.
    pub details: String,
    pub filed_by: String,
    pub filed_at: String,
    pub needed: Vec<String>,
    pub approved: Vec<String>,
    pub reject_reason: String,
    /// The caller is a leader of a department still to approve.
    pub can_decide: bool,
}

/// A face photo awaiting review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaceToReview {
    pub temp_no: String,
    pub name: String,
    pub category: String,
    pub department: String,
    /// A data URL.
    pub photo: String,
}

/// The person's own page: where each of their steps stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyTempSteps {
    pub temp_no: String,
    pub name: String,
    pub category: String,
    pub department: String,
    pub start_date: String,
    pub leave_date: String,
    pub standing: Standing,
    pub face: FaceStatus,
    pub face_reason: String,
    pub return_step: StepState,
    /// The latest application is still open (in review, or returned for
    /// the person's changes): no second one.
    pub application_open: bool,
    /// The latest return-to-campus application.
    pub application_id: Option<String>,
    pub campuses: Vec<Choice>,
    pub today: String,
}
