//! Temporary personnel (seed 003, 临时人员): people a department engages for
//! a time (external teachers, research assistants, outsourced service
//! staff, dispatched workers, on-site operations staff). A department's
//! temporary-personnel admin asks for their temporary staff number and
//! later maintains it (renewal, transfer, delete); each request is decided
//! by department leaders. The rules here: what a request may ask, whose
//! leaders must approve it, where a person stands, and the number format.

use crate::messages::{Msg, OfficeMsg};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest engagement one request or renewal covers: three years
/// (the seed is silent; a temporary contract seldom runs longer).
pub const MAX_DAYS: i64 = 3 * 366;

/// What a department's admin asks for (seed 003: 初次申请工号 / 个人信息维护:
/// a new leave date, another department, or deletion).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestKind {
    FirstNumber,
    Renewal,
    Transfer,
    Delete,
}

impl RequestKind {
    pub const ALL: [RequestKind; 4] = [RequestKind::FirstNumber, RequestKind::Renewal, RequestKind::Transfer, RequestKind::Delete];

    pub fn code(self) -> &'static str {
        match self {
            RequestKind::FirstNumber => "first_number",
            RequestKind::Renewal => "renewal",
            RequestKind::Transfer => "transfer",
            RequestKind::Delete => "delete",
        }
    }

    pub fn from_code(s: &str) -> Option<RequestKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> OfficeMsg {
        match self {
            RequestKind::FirstNumber => OfficeMsg::TempKindFirst,
            RequestKind::Renewal => OfficeMsg::TempKindRenewal,
            RequestKind::Transfer => OfficeMsg::TempKindTransfer,
            RequestKind::Delete => OfficeMsg::TempKindDelete,
        }
    }
}

/// Where a person with a temporary staff number stands (seed 003 §4's
/// 人员状态: 有效期内 / 已过期, and deleted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    Valid,
    Expired,
    Deleted,
}

impl Standing {
    pub const ALL: [Standing; 3] = [Standing::Valid, Standing::Expired, Standing::Deleted];

    pub fn code(self) -> &'static str {
        match self {
            Standing::Valid => "valid",
            Standing::Expired => "expired",
            Standing::Deleted => "deleted",
        }
    }

    pub fn from_code(s: &str) -> Option<Standing> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> OfficeMsg {
        match self {
            Standing::Valid => OfficeMsg::TempStandingValid,
            Standing::Expired => OfficeMsg::TempStandingExpired,
            Standing::Deleted => OfficeMsg::TempStandingDeleted,
        }
    }

    /// Expiry is automatic: past the leave date a number is expired.
    pub fn of(deleted: bool, leave: NaiveDate, today: NaiveDate) -> Standing {
        if deleted {
            Standing::Deleted
        } else if leave < today {
            Standing::Expired
        } else {
            Standing::Valid
        }
    }
}

/// The review of a person's face photo. `Declined`: they chose to show
/// their document at the gate instead (the alternative visitors have).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaceStatus {
    Missing,
    Pending,
    Accepted,
    Refused,
    Declined,
}

impl FaceStatus {
    pub const ALL: [FaceStatus; 5] = [FaceStatus::Missing, FaceStatus::Pending, FaceStatus::Accepted, FaceStatus::Refused, FaceStatus::Declined];

    pub fn code(self) -> &'static str {
        match self {
            FaceStatus::Missing => "missing",
            FaceStatus::Pending => "pending",
            FaceStatus::Accepted => "accepted",
            FaceStatus::Refused => "refused",
            FaceStatus::Declined => "declined",
        }
    }

    pub fn from_code(s: &str) -> Option<FaceStatus> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> OfficeMsg {
        match self {
            FaceStatus::Missing => OfficeMsg::TempFaceMissing,
            FaceStatus::Pending => OfficeMsg::TempFacePending,
            FaceStatus::Accepted => OfficeMsg::TempFaceAccepted,
            FaceStatus::Refused => OfficeMsg::TempFaceRefused,
            FaceStatus::Declined => OfficeMsg::TempFaceDeclined,
        }
    }

    /// The return-to-campus application comes after the photo step: an
    /// accepted photo, or the document-at-the-gate alternative.
    pub fn lets_apply(self) -> bool {
        matches!(self, FaceStatus::Accepted | FaceStatus::Declined)
    }

    pub fn step(self) -> StepState {
        match self {
            FaceStatus::Missing | FaceStatus::Refused => StepState::ToDo,
            FaceStatus::Pending => StepState::InProgress,
            FaceStatus::Accepted | FaceStatus::Declined => StepState::Done,
        }
    }
}

/// A step of the person's own path as their status page shows it (seed
/// 003 §3: 进行中 / 已完成 / 待办).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepState {
    ToDo,
    InProgress,
    Done,
}

impl StepState {
    pub fn label(self) -> OfficeMsg {
        match self {
            StepState::ToDo => OfficeMsg::TempStepToDo,
            StepState::InProgress => OfficeMsg::TempStepInProgress,
            StepState::Done => OfficeMsg::TempStepDone,
        }
    }
}

/// Why a request cannot be filed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the leave date is before the start")]
    LeaveBeforeStart,
    #[error("the leave date has passed")]
    LeaveInPast,
    #[error("longer than the longest engagement")]
    TooLong,
    #[error("the person is already in that department")]
    SameDepartment,
    #[error("the person's number was deleted")]
    Deleted,
    #[error("the leave date is unchanged")]
    NoChange,
    #[error("no number issued yet")]
    NoNumber,
}

impl Problem {
    pub fn msg(self) -> Msg {
        match self {
            Problem::LeaveBeforeStart => Msg::ErrEndBeforeStart,
            Problem::LeaveInPast => Msg::ErrTempLeaveInPast,
            Problem::TooLong => Msg::ErrTempTooLong,
            Problem::SameDepartment => Msg::ErrTempSameDepartment,
            Problem::Deleted => Msg::ErrTempNotValid,
            Problem::NoChange => Msg::ErrNoChanges,
            Problem::NoNumber => Msg::ErrTempNoNumber,
        }
    }
}

/// The dates of a first request: a start, and a leave date not past and
/// within [`MAX_DAYS`] of the start.
pub fn check_dates(start: NaiveDate, leave: NaiveDate, today: NaiveDate) -> Result<(), Problem> {
    if leave < start {
        return Err(Problem::LeaveBeforeStart);
    }
    if leave < today {
        return Err(Problem::LeaveInPast);
    }
    if (leave - start).num_days() > MAX_DAYS {
        return Err(Problem::TooLong);
    }
    Ok(())
}

/// A maintenance request on a person who holds a number, as the admin files it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Maintenance {
    Renewal { new_leave: NaiveDate },
    Transfer { to_department: String },
    Delete,
}

impl Maintenance {
    pub fn kind(&self) -> RequestKind {
        match self {
            Maintenance::Renewal { .. } => RequestKind::Renewal,
            Maintenance::Transfer { .. } => RequestKind::Transfer,
            Maintenance::Delete => RequestKind::Delete,
        }
    }
}

/// A person as a maintenance request finds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person<'a> {
    pub department: &'a str,
    pub start: NaiveDate,
    pub leave: NaiveDate,
    pub standing: Standing,
}

/// Whether the request may be filed, and the departments whose leaders
/// must each approve it: the person's own, for a renewal or deletion; for
/// a transfer while the number is valid, the leaving and the receiving
/// department's (seed 003 §6); once expired or deleted, the receiving one
/// alone.
pub fn maintenance(person: &Person<'_>, change: &Maintenance, today: NaiveDate) -> Result<Vec<String>, Problem> {
    match change {
        Maintenance::Renewal { new_leave } => {
            if person.standing == Standing::Deleted {
                return Err(Problem::Deleted);
            }
            if *new_leave == person.leave {
                return Err(Problem::NoChange);
            }
            check_dates(person.start, *new_leave, today)?;
            Ok(vec![person.department.to_owned()])
        }
        Maintenance::Transfer { to_department } => {
            if to_department == person.department {
                return Err(Problem::SameDepartment);
            }
            match person.standing {
                Standing::Valid => Ok(vec![person.department.to_owned(), to_department.clone()]),
                Standing::Expired | Standing::Deleted => Ok(vec![to_department.clone()]),
            }
        }
        Maintenance::Delete => {
            if person.standing == Standing::Deleted {
                return Err(Problem::Deleted);
            }
            Ok(vec![person.department.to_owned()])
        }
    }
}

/// The line a guard reads beside a temporary person's name, online, offline
/// and at a device: what they are, for whom, and their number.
pub fn holder_note(category: &str, department: &str, temp_no: &str) -> String {
    format!("{category} · {department} · {temp_no}")
}

/// A request is decided once every department it needs has approved.
pub fn fully_approved(needed: &[String], approved: &[String]) -> bool {
    !needed.is_empty() && needed.iter().all(|d| approved.contains(d))
}

/// The configured format of temporary staff numbers: a prefix, optionally
/// the year of issue, and a sequence of at least `digits` digits, written
/// `LS{yyyy}{seq:5}` (LS202600001). The sequence is one counter across
/// years and never goes back, so a number is never issued twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberFormat {
    prefix: String,
    year: bool,
    digits: usize,
}

impl NumberFormat {
    pub const DEFAULT: &'static str = "LS{yyyy}{seq:5}";

    pub fn parse(s: &str) -> Result<NumberFormat, &'static str> {
        let s = s.trim();
        let (head, rest) = s.split_once("{seq:").ok_or("the format needs {seq:N}")?;
        let digits: usize = rest.strip_suffix('}').ok_or("{seq:N} must end the format")?.parse().map_err(|_| "N in {seq:N} must be a number")?;
        if !(3..=9).contains(&digits) {
            return Err("N in {seq:N} must be 3 to 9");
        }
        let (prefix, year) = match head.strip_suffix("{yyyy}") {
            Some(p) => (p, true),
            None => (head, false),
        };
        if prefix.is_empty() || prefix.len() > 8 || !prefix.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            return Err("the prefix must be 1 to 8 capital letters or digits");
        }
        if prefix.chars().all(|c| c.is_ascii_digit()) {
            // A number of digits only would read like a staff number.
            return Err("the prefix needs a letter");
        }
        Ok(NumberFormat { prefix: prefix.to_owned(), year, digits })
    }

    pub fn format(&self, year: i32, seq: i64) -> String {
        let year = if self.year { format!("{year:04}") } else { String::new() };
        format!("{}{}{:0width$}", self.prefix, year, seq, width = self.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn standing_follows_the_leave_date() {
        let today = d("2026-12-07");
        assert_eq!(Standing::of(false, d("2026-12-07"), today), Standing::Valid);
        assert_eq!(Standing::of(false, d("2026-12-06"), today), Standing::Expired);
        assert_eq!(Standing::of(true, d("2027-12-06"), today), Standing::Deleted);
    }

    #[test]
    fn a_transfer_needs_both_leaders_while_valid_and_the_receiver_after() {
        let today = d("2026-12-07");
        let mut p = Person { department: "A", start: d("2026-01-01"), leave: d("2027-01-01"), standing: Standing::Valid };
        let to_b = Maintenance::Transfer { to_department: "B".into() };
        assert_eq!(maintenance(&p, &to_b, today), Ok(vec!["A".to_string(), "B".to_string()]));
        p.standing = Standing::Expired;
        assert_eq!(maintenance(&p, &to_b, today), Ok(vec!["B".to_string()]));
        p.standing = Standing::Deleted;
        assert_eq!(maintenance(&p, &to_b, today), Ok(vec!["B".to_string()]));
        assert_eq!(maintenance(&p, &Maintenance::Transfer { to_department: "A".into() }, today), Err(Problem::SameDepartment));
    }

    #[test]
    fn renewal_and_delete_go_to_the_persons_department() {
        let today = d("2026-12-07");
        let p = Person { department: "A", start: d("2026-01-01"), leave: d("2026-12-01"), standing: Standing::Expired };
        assert_eq!(maintenance(&p, &Maintenance::Renewal { new_leave: d("2027-06-30") }, today), Ok(vec!["A".to_string()]));
        assert_eq!(maintenance(&p, &Maintenance::Renewal { new_leave: d("2026-12-01") }, today), Err(Problem::NoChange));
        assert_eq!(maintenance(&p, &Maintenance::Renewal { new_leave: d("2026-12-05") }, today), Err(Problem::LeaveInPast));
        assert_eq!(maintenance(&p, &Maintenance::Renewal { new_leave: d("2030-01-01") }, today), Err(Problem::TooLong));
        assert_eq!(maintenance(&p, &Maintenance::Delete, today), Ok(vec!["A".to_string()]));
        let gone = Person { standing: Standing::Deleted, ..p };
        assert_eq!(maintenance(&gone, &Maintenance::Delete, today), Err(Problem::Deleted));
        assert_eq!(maintenance(&gone, &Maintenance::Renewal { new_leave: d("2027-06-30") }, today), Err(Problem::Deleted));
    }

    #[test]
    fn one_leader_of_two_is_not_enough() {
        let needed = vec!["A".to_string(), "B".to_string()];
        assert!(!fully_approved(&needed, &["A".to_string()]));
        assert!(!fully_approved(&needed, &["C".to_string(), "A".to_string()]));
        assert!(fully_approved(&needed, &["B".to_string(), "A".to_string()]));
        assert!(!fully_approved(&[], &["A".to_string()]));
    }

    #[test]
    fn number_formats() {
        let f = NumberFormat::parse(NumberFormat::DEFAULT).unwrap();
        assert_eq!(f.format(2026, 1), "LS202600001");
        assert_eq!(f.format(2026, 123_456), "LS2026123456");
        let plain = NumberFormat::parse("T{seq:6}").unwrap();
        assert_eq!(plain.format(2026, 42), "T000042");
        for bad in ["", "LS", "LS{seq:2}", "LS{seq:x}", "ls{seq:5}", "123{seq:5}", "LS{seq:5}X", "{yyyy}{seq:5}"] {
            assert!(NumberFormat::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::from_code(k.code()), Some(k));
        }
        for s in Standing::ALL {
            assert_eq!(Standing::from_code(s.code()), Some(s));
        }
        for f in FaceStatus::ALL {
            assert_eq!(FaceStatus::from_code(f.code()), Some(f));
        }
        assert!(FaceStatus::Declined.lets_apply() && !FaceStatus::Pending.lets_apply() && !FaceStatus::Refused.lets_apply());
    }

    proptest::proptest! {
        /// Distinct sequence numbers never give the same number, whatever
        /// the years (the counter never goes back).
        #[test]
        fn numbers_are_unique(a in 1i64..5_000_000, b in 1i64..5_000_000, ya in 2020i32..2040, yb in 2020i32..2040, digits in 3usize..9, year: bool) {
            let f = NumberFormat::parse(&format!("LS{}{{seq:{digits}}}", if year { "{yyyy}" } else { "" })).unwrap();
            if a != b || (year && ya != yb) {
                proptest::prop_assert_ne!(f.format(ya, a), f.format(yb, b));
            }
        }

        /// Whatever the standing, a transfer needs the receiving leader,
        /// and the leaving one exactly while the number is valid.
        #[test]
        fn transfers_always_need_the_receiver(standing in 0usize..3) {
            let s = Standing::ALL[standing];
            let p = Person { department: "A", start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), leave: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), standing: s };
            let needed = maintenance(&p, &Maintenance::Transfer { to_department: "B".into() }, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()).unwrap();
            proptest::prop_assert!(needed.contains(&"B".to_string()));
            proptest::prop_assert_eq!(needed.contains(&"A".to_string()), s == Standing::Valid);
        }
    }
}
