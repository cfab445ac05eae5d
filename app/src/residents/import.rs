//! Households and members from CSV: every row checked first (the domain's
//! parser, then what needs the register), a dry run lists what would
//! change, the import writes it all in one transaction with its audit
//! entries, or nothing.

use super::households::insert_household;
use super::members::{insert_member, sealed_document};
use super::*;
use crate::domain::household_import::{self, ImportedHousehold};
use crate::error::RowError;
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal},
    db::new_id,
};
use serde_json::json;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct HouseholdOnRecord {
    id: String,
    campus_id: String,
    community: String,
    building: String,
    door: String,
    paper_pass: i64,
}

#[derive(sqlx::FromRow)]
struct MemberOnRecord {
    id: String,
    household_id: String,
    name: String,
    phone: String,
    doc_type: String,
    doc_mac: String,
    householder: i64,
}

/// What the import does to one member.
enum MemberPlan {
    Unchanged,
    Create,
    Update(String),
}

/// What the import does to one household of the file.
struct HouseholdPlan {
    /// The household on record, or None for a new one.
    existing: Option<String>,
    paper_pass_changes: bool,
    members: Vec<MemberPlan>,
}

/// Reads the register and works out each change, or every row that cannot
/// be imported. Run on the transaction that writes, so what it read is
/// what is written over.
async fn plan(conn: &mut sqlx::AnyConnection, st: &AppState, file: &[ImportedHousehold]) -> Result<Vec<HouseholdPlan>, AppError> {
    let households: Vec<HouseholdOnRecord> =
        sqlx::query_as("SELECT id, campus_id, community, building, door, paper_pass FROM households").fetch_all(&mut *conn).await?;
    let members: Vec<MemberOnRecord> =
        sqlx::query_as("SELECT id, household_id, name, phone, doc_type, doc_mac, householder FROM residents").fetch_all(&mut *conn).await?;
    let by_address: HashMap<(&str, &str, &str, &str), &HouseholdOnRecord> =
        households.iter().map(|h| ((h.campus_id.as_str(), h.community.as_str(), h.building.as_str(), h.door.as_str()), h)).collect();
    let by_phone: HashMap<&str, &MemberOnRecord> = members.iter().map(|m| (m.phone.as_str(), m)).collect();
    let mut errors = Vec::new();
    let mut plans = Vec::new();
    for h in file {
        let a = &h.address;
        let existing = by_address.get(&(h.campus_id.as_str(), a.community.as_str(), a.building.as_str(), a.door.as_str()));
        let householder_on_record = existing.and_then(|e| members.iter().find(|m| m.household_id == e.id && m.householder != 0));
        let file_names_householder = h.householder().is_some();
        if !file_names_householder && householder_on_record.is_none() {
            errors.push(RowError { row: h.line, field: "householder".into(), msg: Msg::ErrCsvNoHouseholder });
        }
        let mut member_plans = Vec::new();
        for m in &h.members {
            let on_record = by_phone.get(m.phone.as_str());
            // Without a householder in the file, the one on record stays.
            let householder = if file_names_householder { m.householder } else { on_record.is_some_and(|r| r.householder != 0) };
            let plan = match (on_record, existing) {
                (Some(r), Some(e)) if r.household_id == e.id => {
                    let same = r.name == m.name
                        && r.doc_type == m.doc.doc_type.code()
                        && r.doc_mac == st.keys.pii_mac(&m.doc.claim_text())
                        && (r.householder != 0) == householder;
                    if same { MemberPlan::Unchanged } else { MemberPlan::Update(r.id.clone()) }
                }
                (Some(_), _) => {
                    errors.push(RowError { row: m.line, field: "phone".into(), msg: Msg::ErrCsvPhoneElsewhere });
                    MemberPlan::Unchanged
                }
                (None, _) => MemberPlan::Create,
            };
            member_plans.push(plan);
        }
        plans.push(HouseholdPlan {
            existing: existing.map(|e| e.id.clone()),
            paper_pass_changes: existing.is_some_and(|e| (e.paper_pass != 0) != h.paper_pass),
            members: member_plans,
        });
    }
    if errors.is_empty() { Ok(plans) } else { Err(AppError::InvalidRows { rows: errors }) }
}

/// The dry run's (or the import's) list of changes and counts.
fn outcome(file: &[ImportedHousehold], plans: &[HouseholdPlan], campus_names: &HashMap<String, String>, dry_run: bool) -> HouseholdImportOutcome {
    let mut o = HouseholdImportOutcome { dry_run, ..Default::default() };
    let mut changes = Vec::new();
    for (h, p) in file.iter().zip(plans) {
        let label = format!("{} {}", campus_names.get(&h.campus_id).map(String::as_str).unwrap_or_default(), h.address.label());
        match (&p.existing, p.paper_pass_changes) {
            (None, _) => {
                o.households_created += 1;
                changes.push(ImportChange { row: h.line, action: ImportAction::NewHousehold, household: label.clone(), member: String::new() });
            }
            (Some(_), true) => {
                o.households_updated += 1;
                changes.push(ImportChange { row: h.line, action: ImportAction::UpdatedHousehold, household: label.clone(), member: String::new() });
            }
            (Some(_), false) => {}
        }
        for (m, mp) in h.members.iter().zip(&p.members) {
            let action = match mp {
                MemberPlan::Unchanged => {
                    o.unchanged += 1;
                    continue;
                }
                MemberPlan::Create => {
                    o.members_created += 1;
                    ImportAction::NewMember
                }
                MemberPlan::Update(_) => {
                    o.members_updated += 1;
                    ImportAction::UpdatedMember
                }
            };
            changes.push(ImportChange { row: m.line, action, household: label.clone(), member: format!("{} {}", m.name, m.phone.masked()) });
        }
    }
    o.more = changes.len().saturating_sub(CHANGES_SHOWN);
    changes.truncate(CHANGES_SHOWN);
    o.changes = changes;
    o
}

/// Checks every row; a dry run answers what would change, an import writes
/// it all in one transaction, or nothing.
pub async fn import_households(st: &AppState, me: &Principal, bytes: &[u8], dry_run: bool) -> Result<HouseholdImportOutcome, AppError> {
    let row0 = |msg| AppError::InvalidRows { rows: vec![RowError { row: 0, field: String::new(), msg }] };
    let text = crate::domain::csv_file::decode(bytes).map_err(row0)?;
    let campuses: Vec<(String, String, String)> = sqlx::query_as("SELECT id, name, name_en FROM campuses").fetch_all(&st.db.read).await?;
    let lookup = |key: &str| {
        campuses
            .iter()
            .find(|(id, name, en)| name == key || id == key || (!en.is_empty() && en.eq_ignore_ascii_case(key)))
            .map(|(id, _, _)| id.clone())
    };
    let file = household_import::parse(&text, lookup, st.clock.today()).map_err(|rows| AppError::InvalidRows { rows })?;
    let campus_names: HashMap<String, String> = campuses.iter().map(|(id, name, _)| (id.clone(), name.clone())).collect();
    if dry_run {
        let mut conn = st.db.read.acquire().await?;
        let plans = plan(&mut conn, st, &file).await?;
        return Ok(outcome(&file, &plans, &campus_names, true));
    }
    let now = st.clock.now_ms();
    let actor = me.actor_label();
    let mut tx = st.db.write.begin().await?;
    let plans = plan(&mut tx, st, &file).await?;
    for (h, p) in file.iter().zip(&plans) {
        let changes_of_household = json!({"campus_id": h.campus_id, "community": h.address.community, "building": h.address.building,
            "door": h.address.door, "paper_pass": h.paper_pass, "source": "csv_import"});
        let household_id = match &p.existing {
            None => {
                let id = new_id();
                insert_household(&mut tx, &id, &h.campus_id, &h.address, h.paper_pass, now).await?;
                let changes = audit::with_before_after(&mut tx, "households", "id", &id, serde_json::Value::Null, changes_of_household).await?;
                audit::record(&mut *tx, now, &actor, "create", "household", &id, changes, None).await?;
                id
            }
            Some(id) => {
                let before = audit::snapshot(&mut tx, "households", "id", id).await?;
                let touches_members = p.members.iter().any(|m| !matches!(m, MemberPlan::Unchanged));
                if p.paper_pass_changes || touches_members {
                    // Also takes the household's lock before its members change.
                    sqlx::query("UPDATE households SET paper_pass = $1, updated_at = $2 WHERE id = $3")
                        .bind(h.paper_pass as i64)
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                if p.paper_pass_changes {
                    let changes = audit::with_before_after(&mut tx, "households", "id", id, before, changes_of_household).await?;
                    audit::record(&mut *tx, now, &actor, "update", "household", id, changes, None).await?;
                }
                id.clone()
            }
        };
        // A householder named in the file takes the mark from whoever had it.
        if let Some(new_head) = h.householder() {
            sqlx::query("UPDATE residents SET householder = 0 WHERE household_id = $1 AND householder = 1 AND phone <> $2")
                .bind(&household_id)
                .bind(new_head.phone.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let file_names_householder = h.householder().is_some();
        for (m, mp) in h.members.iter().zip(&p.members) {
            let sealed = sealed_document(&st.keys, &m.doc);
            let changes = |householder: Option<bool>| {
                json!({"household_id": household_id, "name": m.name, "phone": m.phone.masked(), "doc_type": m.doc.doc_type.code(),
                    "doc": sealed.masked, "householder": householder, "source": "csv_import"})
            };
            match mp {
                MemberPlan::Unchanged => {}
                MemberPlan::Create => {
                    let id = new_id();
                    insert_member(&mut tx, &id, &household_id, &m.name, &m.phone, &m.doc, &sealed, m.householder, now).await?;
                    let changes =
                        audit::with_before_after(&mut tx, "residents", "id", &id, serde_json::Value::Null, changes(Some(m.householder))).await?;
                    audit::record(&mut *tx, now, &actor, "create", "resident", &id, changes, None).await?;
                }
                MemberPlan::Update(id) => {
                    let before = audit::snapshot(&mut tx, "residents", "id", id).await?;
                    // Without a householder in the file, the mark on record is left as it is.
                    sqlx::query(
                        "UPDATE residents SET name = $1, doc_type = $2, doc_sealed = $3, doc_mac = $4, doc_masked = $5,
                                householder = CASE WHEN $6 = 1 THEN $7 ELSE householder END
                         WHERE id = $8",
                    )
                    .bind(&m.name)
                    .bind(m.doc.doc_type.code())
                    .bind(&sealed.sealed)
                    .bind(&sealed.mac)
                    .bind(&sealed.masked)
                    .bind(file_names_householder as i64)
                    .bind(m.householder as i64)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    let householder = file_names_householder.then_some(m.householder);
                    let changes = audit::with_before_after(&mut tx, "residents", "id", id, before, changes(householder)).await?;
                    audit::record(&mut *tx, now, &actor, "update", "resident", id, changes, None).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(outcome(&file, &plans, &campus_names, false))
}
