//! Directory sync: what the campus directory (LDAP / AD) says about staff,
//! compared with the staff list here, as a plan of changes. The plan is
//! shown as it is by a dry run and applied whole, or not at all, by a sync.
//!
//! Only staff the directory has ever matched are *directory-managed*; an
//! account made here and never found in the directory (a break-glass
//! administrator, a contractor's coordinator) is never deactivated by a
//! sync, only listed as kept.

use crate::{Phone, StaffNo};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One person as the directory gives them (each attribute's first value).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DirectoryEntry {
    /// The entry's DN, to name it in the report.
    pub dn: String,
    pub staff_no: String,
    pub name: String,
    pub department_code: String,
    pub department_name: String,
    pub mobile: String,
    /// False when the status attribute holds one of the inactive values.
    pub active: bool,
}

/// A staff member as the database has them.
#[derive(Clone, Debug, PartialEq)]
pub struct KnownStaff {
    pub staff_no: String,
    pub name: String,
    pub department_code: String,
    pub mobile: Option<String>,
    pub active: bool,
    pub directory_managed: bool,
}

/// A person the directory has and the staff list lacks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewStaff {
    pub staff_no: String,
    pub name: String,
    pub department_code: String,
    pub mobile: Option<String>,
}

/// What changes for a staff member already here (`None`: unchanged).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct StaffChange {
    pub staff_no: String,
    pub name: Option<(String, String)>,
    /// Department codes, before and after: a transfer.
    pub department: Option<(String, String)>,
    /// Masked, before and after.
    pub mobile: Option<(String, String)>,
    pub mobile_new: Option<String>,
    pub reactivated: bool,
    /// Matched for the first time: from now on the directory manages them.
    pub newly_managed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct SyncPlan {
    /// (code, name)
    pub new_departments: Vec<(String, String)>,
    /// (code, old name, new name)
    pub renamed_departments: Vec<(String, String, String)>,
    pub added: Vec<NewStaff>,
    pub changed: Vec<StaffChange>,
    /// Directory-managed staff the directory no longer has, or marks as left.
    pub deactivated: Vec<String>,
    /// Active accounts made here that the directory lacks: left alone.
    pub kept_local: Vec<String>,
    /// Entries that could not be used: (DN, why).
    pub skipped: Vec<(String, SkipReason)>,
    /// Entries read and used.
    pub usable_entries: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkipReason {
    NoStaffNumber,
    BadStaffNumber,
    NoName,
    NoDepartment,
    DuplicateStaffNumber,
}

/// Why a plan is not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// The directory gave no usable entry: a wrong base DN or filter would
    /// otherwise deactivate every directory-managed account.
    EmptyDirectory,
    /// More than half of the directory-managed active staff would go at
    /// once: the same misconfiguration, or a directory half-way through a
    /// migration.
    TooManyDeactivations,
}

impl SyncPlan {
    pub fn is_empty(&self) -> bool {
        self.new_departments.is_empty()
            && self.renamed_departments.is_empty()
            && self.added.is_empty()
            && self.changed.is_empty()
            && self.deactivated.is_empty()
    }
}

/// Compares the directory with the staff list and departments (code → name).
pub fn plan(directory: &[DirectoryEntry], staff: &[KnownStaff], departments: &BTreeMap<String, String>) -> SyncPlan {
    let mut p = SyncPlan::default();
    let mut seen: BTreeMap<String, &DirectoryEntry> = BTreeMap::new();
    let mut duplicated: BTreeSet<String> = BTreeSet::new();
    for e in directory {
        let reason = if e.staff_no.trim().is_empty() {
            Some(SkipReason::NoStaffNumber)
        } else if StaffNo::parse(&e.staff_no).is_err() {
            Some(SkipReason::BadStaffNumber)
        } else if e.name.trim().is_empty() {
            Some(SkipReason::NoName)
        } else if e.department_code.trim().is_empty() {
            Some(SkipReason::NoDepartment)
        } else {
            None
        };
        if let Some(r) = reason {
            p.skipped.push((e.dn.clone(), r));
            continue;
        }
        let no = StaffNo::parse(&e.staff_no).map(|n| n.as_str().to_owned()).unwrap_or_default();
        if seen.insert(no.clone(), e).is_some() {
            duplicated.insert(no);
        }
    }
    // Two entries with one staff number: neither is trusted.
    for no in &duplicated {
        if let Some(e) = seen.remove(no) {
            p.skipped.push((e.dn.clone(), SkipReason::DuplicateStaffNumber));
        }
    }

    p.usable_entries = seen.len();
    let mut dept_names: BTreeMap<String, String> = BTreeMap::new();
    for e in seen.values() {
        let code = e.department_code.trim().to_owned();
        let name = if e.department_name.trim().is_empty() { code.clone() } else { e.department_name.trim().to_owned() };
        dept_names.entry(code).or_insert(name);
    }
    for (code, name) in &dept_names {
        match departments.get(code) {
            None => p.new_departments.push((code.clone(), name.clone())),
            Some(old) if old != name => p.renamed_departments.push((code.clone(), old.clone(), name.clone())),
            Some(_) => {}
        }
    }

    let known: BTreeMap<&str, &KnownStaff> = staff.iter().map(|s| (s.staff_no.as_str(), s)).collect();
    for (no, e) in &seen {
        let mobile = Phone::parse(&e.mobile).ok().map(|m| m.as_str().to_owned());
        let Some(k) = known.get(no.as_str()) else {
            if e.active {
                p.added.push(NewStaff {
                    staff_no: no.clone(),
                    name: e.name.trim().to_owned(),
                    department_code: e.department_code.trim().to_owned(),
                    mobile,
                });
            }
            continue;
        };
        if !e.active {
            if k.active {
                p.deactivated.push(no.clone());
            }
            continue;
        }
        let mut c = StaffChange { staff_no: no.clone(), ..Default::default() };
        if k.name != e.name.trim() {
            c.name = Some((k.name.clone(), e.name.trim().to_owned()));
        }
        if k.department_code != e.department_code.trim() {
            c.department = Some((k.department_code.clone(), e.department_code.trim().to_owned()));
        }
        // An entry without a mobile leaves the one on record.
        if mobile.is_some() && mobile != k.mobile {
            let show = |m: &Option<String>| m.as_deref().and_then(|m| Phone::parse(m).ok()).map(|m| m.masked()).unwrap_or_default();
            c.mobile = Some((show(&k.mobile), show(&mobile)));
            c.mobile_new = mobile;
        }
        c.reactivated = !k.active;
        c.newly_managed = !k.directory_managed;
        if c != (StaffChange { staff_no: no.clone(), ..Default::default() }) {
            p.changed.push(c);
        }
    }
    for k in staff.iter().filter(|k| k.active && !seen.contains_key(&k.staff_no)) {
        // A skipped entry's person is neither kept nor removed on its account.
        if duplicated.contains(&k.staff_no) {
            continue;
        }
        if k.directory_managed { p.deactivated.push(k.staff_no.clone()) } else { p.kept_local.push(k.staff_no.clone()) }
    }
    p.deactivated.sort();
    p.kept_local.sort();
    p
}

/// Whether a plan may be applied (a dry run shows it either way).
pub fn check(plan: &SyncPlan, staff: &[KnownStaff]) -> Result<(), Refusal> {
    if plan.usable_entries == 0 {
        return Err(Refusal::EmptyDirectory);
    }
    let managed_active = staff.iter().filter(|s| s.directory_managed && s.active).count();
    if managed_active >= 10 && plan.deactivated.len() * 2 > managed_active {
        return Err(Refusal::TooManyDeactivations);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(no: &str, name: &str, dept: &str, mobile: &str) -> DirectoryEntry {
        DirectoryEntry {
            dn: format!("uid={no},ou=people"),
            staff_no: no.into(),
            name: name.into(),
            department_code: dept.into(),
            department_name: format!("{dept} 学院"),
            mobile: mobile.into(),
            active: true,
        }
    }
    fn known(no: &str, name: &str, dept: &str, managed: bool) -> KnownStaff {
        KnownStaff { staff_no: no.into(), name: name.into(), department_code: dept.into(), mobile: None, active: true, directory_managed: managed }
    }
    fn depts(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter().map(|(c, n)| (c.to_string(), n.to_string())).collect()
    }

    #[test]
    fn a_rename_a_transfer_a_departure_and_a_newcomer() {
        let dir = vec![entry("T1001", "张伟伟", "CS", "13900000001"), entry("T2001", "李雷", "PHYS", ""), entry("T3001", "韩梅梅", "CS", "")];
        let staff = vec![known("T1001", "张伟", "CS", true), known("T2001", "李雷", "HIST", true), known("T9001", "王五", "CS", true)];
        let p = plan(&dir, &staff, &depts(&[("CS", "CS 学院"), ("HIST", "HIST 学院")]));
        assert_eq!(p.new_departments, vec![("PHYS".to_owned(), "PHYS 学院".to_owned())]);
        assert_eq!(p.added, vec![NewStaff { staff_no: "T3001".into(), name: "韩梅梅".into(), department_code: "CS".into(), mobile: None }]);
        assert_eq!(p.changed.len(), 2);
        assert_eq!(p.changed[0].name, Some(("张伟".into(), "张伟伟".into())));
        assert_eq!(p.changed[0].mobile, Some((String::new(), "139****0001".into())));
        assert_eq!(p.changed[1].department, Some(("HIST".into(), "PHYS".into())));
        assert_eq!(p.deactivated, vec!["T9001".to_owned()]);
        assert!(p.kept_local.is_empty());
    }

    #[test]
    fn local_accounts_are_kept_and_first_matches_become_managed() {
        let dir = vec![entry("T1001", "张伟", "CS", "")];
        let staff = vec![known("T1001", "张伟", "CS", false), known("S0001", "周敏", "SEC", false)];
        let p = plan(&dir, &staff, &depts(&[("CS", "CS 学院")]));
        assert_eq!(p.kept_local, vec!["S0001".to_owned()]);
        assert!(p.deactivated.is_empty());
        assert_eq!(p.changed, vec![StaffChange { staff_no: "T1001".into(), newly_managed: true, ..Default::default() }]);
    }

    #[test]
    fn marked_as_left_is_gone_and_unusable_entries_are_skipped() {
        let mut left = entry("T1001", "张伟", "CS", "");
        left.active = false;
        let dir = vec![
            left,
            entry("", "无工号", "CS", ""),
            entry("T 1", "坏工号", "CS", ""),
            entry("T4001", "", "CS", ""),
            entry("T5001", "甲", "CS", ""),
            entry("T5001", "乙", "CS", ""),
        ];
        let staff = vec![known("T1001", "张伟", "CS", true), known("T5001", "甲", "CS", true)];
        let p = plan(&dir, &staff, &depts(&[("CS", "CS 学院")]));
        assert_eq!(p.deactivated, vec!["T1001".to_owned()]);
        let reasons: Vec<SkipReason> = p.skipped.iter().map(|s| s.1).collect();
        assert_eq!(reasons, vec![SkipReason::NoStaffNumber, SkipReason::BadStaffNumber, SkipReason::NoName, SkipReason::DuplicateStaffNumber]);
        // Duplicated in the directory: not deactivated on that account.
        assert!(!p.deactivated.contains(&"T5001".to_owned()));
    }

    #[test]
    fn an_empty_or_mostly_missing_directory_is_refused() {
        let staff: Vec<KnownStaff> = (0..20).map(|i| known(&format!("T{i:04}"), "某", "CS", true)).collect();
        let none = plan(&[], &staff, &depts(&[("CS", "CS 学院")]));
        assert_eq!(check(&none, &staff), Err(Refusal::EmptyDirectory));
        let few: Vec<DirectoryEntry> = (0..5).map(|i| entry(&format!("T{i:04}"), "某", "CS", "")).collect();
        let p = plan(&few, &staff, &depts(&[("CS", "CS 学院")]));
        assert_eq!(p.deactivated.len(), 15);
        assert_eq!(check(&p, &staff), Err(Refusal::TooManyDeactivations));
        let most: Vec<DirectoryEntry> = (0..15).map(|i| entry(&format!("T{i:04}"), "某", "CS", "")).collect();
        let p = plan(&most, &staff, &depts(&[("CS", "CS 学院")]));
        assert_eq!(check(&p, &staff), Ok(()));
    }

    proptest! {
        /// Applying a plan and planning again finds nothing left to do.
        #[test]
        fn a_plan_applied_leaves_nothing_to_do(
            dir in proptest::collection::vec(("T[0-9]{2}", "[甲乙丙]{1,2}", "(CS|HIST|PHYS)", any::<bool>()), 0..12),
            here in proptest::collection::vec(("T[0-9]{2}", "[甲乙丙]{1,2}", "(CS|HIST)", any::<bool>(), any::<bool>()), 0..12),
        ) {
            let dir: Vec<DirectoryEntry> = dir.into_iter().map(|(n, name, d, active)| DirectoryEntry { active, ..entry(&n, &name, &d, "") }).collect();
            let mut staff: Vec<KnownStaff> = vec![];
            for (n, name, d, active, managed) in here {
                if !staff.iter().any(|s| s.staff_no == n) {
                    staff.push(KnownStaff { active, directory_managed: managed, ..known(&n, &name, &d, managed) });
                }
            }
            let mut departments = depts(&[("CS", "CS 学院"), ("HIST", "HIST 学院")]);
            let p = plan(&dir, &staff, &departments);
            for (c, n) in &p.new_departments { departments.insert(c.clone(), n.clone()); }
            for (c, _, n) in &p.renamed_departments { departments.insert(c.clone(), n.clone()); }
            for a in &p.added {
                staff.push(KnownStaff { staff_no: a.staff_no.clone(), name: a.name.clone(), department_code: a.department_code.clone(), mobile: a.mobile.clone(), active: true, directory_managed: true });
            }
            for c in &p.changed {
                let s = staff.iter_mut().find(|s| s.staff_no == c.staff_no).unwrap();
                if let Some((_, n)) = &c.name { s.name = n.clone(); }
                if let Some((_, d)) = &c.department { s.department_code = d.clone(); }
                if c.mobile_new.is_some() { s.mobile = c.mobile_new.clone(); }
                s.active = true;
                s.directory_managed = true;
            }
            for no in &p.deactivated {
                let s = staff.iter_mut().find(|s| &s.staff_no == no).unwrap();
                s.active = false;
                s.directory_managed = true;
            }
            let again = plan(&dir, &staff, &departments);
            prop_assert!(again.is_empty(), "{:?}", again);
        }
    }
}
