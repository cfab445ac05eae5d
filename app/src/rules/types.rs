//! The wire types of the rules: blacklist entries and visit reasons.

use crate::domain::document::DocType;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlacklistKind {
    Document,
    Mobile,
    Plate,
}

impl BlacklistKind {
    pub const ALL: [BlacklistKind; 3] = [BlacklistKind::Document, BlacklistKind::Mobile, BlacklistKind::Plate];
    pub fn code(self) -> &'static str {
        match self {
            BlacklistKind::Document => "document",
            BlacklistKind::Mobile => "mobile",
            BlacklistKind::Plate => "plate",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label(self) -> Msg {
        match self {
            BlacklistKind::Document => Msg::BlDocument,
            BlacklistKind::Mobile => Msg::Phone,
            BlacklistKind::Plate => Msg::Plate,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlacklistEntry {
    pub id: String,
    pub kind: BlacklistKind,
    /// Masked: the list itself never shows a full document number.
    pub value: String,
    pub reason: String,
    pub added_by: String,
    pub added_at: String,
    pub lifted: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReasonCategory {
    Official,
    Private,
}

impl ReasonCategory {
    pub fn code(self) -> &'static str {
        match self {
            ReasonCategory::Official => "official",
            ReasonCategory::Private => "private",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "official" => Some(ReasonCategory::Official),
            "private" => Some(ReasonCategory::Private),
            _ => None,
        }
    }
    pub fn label(self) -> Msg {
        match self {
            ReasonCategory::Official => Msg::ReasonOfficial,
            ReasonCategory::Private => Msg::ReasonPrivate,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReasonView {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub category: ReasonCategory,
    pub active: bool,
}

/// A document type as the form and the blacklist name it.
pub fn doc_label(d: DocType) -> Msg {
    match d {
        DocType::ResidentId => Msg::DocResidentId,
        DocType::Passport => Msg::DocPassport,
        DocType::Other => Msg::DocOther,
    }
}

/// A visit reason's vehicle rules as the rules page shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleRules {
    pub reason: ReasonView,
    /// Gate ids a private visit's car may use.
    pub gates: Vec<String>,
    pub free_minutes: i64,
    pub cents_per_hour: i64,
    pub daily_cap_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleGateChoice {
    pub id: String,
    /// Campus and gate, as the office reads them.
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleRulesSetup {
    pub reasons: Vec<VehicleRules>,
    pub gates: Vec<VehicleGateChoice>,
}

/// The office's form for one reason: amounts in yuan as typed (the server
/// parses them with `domain::parking::cents_from_yuan`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleRulesForm {
    pub reason_id: String,
    pub gates: Vec<String>,
    pub free_minutes: i64,
    pub hourly_rate: String,
    pub daily_cap: String,
}

/// An entry of the staff blacklist HR keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffBlacklistEntry {
    pub id: String,
    pub staff_no: String,
    pub name: String,
    pub department: String,
    pub reason: String,
    pub added_by: String,
    pub added_at: String,
    pub lifted: Option<String>,
}
