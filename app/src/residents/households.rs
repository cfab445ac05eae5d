//! Households and their members: the list, adding and editing a household,
//! adding, editing and removing a member. Each change is one transaction
//! with its audit entry; a household's members change one writer at a
//! time (the household's row is updated first, which locks it on
//! PostgreSQL; SQLite has one writer anyway), so exactly one householder
//! stays true under concurrent edits.

use super::*;
use crate::domain::document::DocumentNumber;
use crate::domain::household::{Address, NAME_MAX};
use crate::domain::{Phone, account::FieldError};
use crate::fields::text;
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal},
    db::{is_unique_violation, new_id},
    keys::Keys,
};
use serde_json::json;

/// A document as the `residents` table keeps it: sealed, its HMAC (the
/// key the resident form and the duplicate rule compare) and masked.
pub struct SealedDocument {
    pub sealed: String,
    pub mac: String,
    pub masked: String,
}

/// The one rule for storing a member's document (the form, the import
/// and the demo seed all write it so).
pub fn sealed_document(keys: &Keys, doc: &DocumentNumber) -> SealedDocument {
    SealedDocument { sealed: keys.seal_pii(doc.as_str()), mac: keys.pii_mac(&doc.claim_text()), masked: doc.masked() }
}

/// What a list may show of a stored mobile.
pub(super) fn masked_phone(stored: &str) -> String {
    Phone::parse(stored).map(|p| p.masked()).unwrap_or_else(|_| "***".into())
}

/// An address's first wrong field as the form's error.
pub(super) fn address(community: &str, building: &str, door: &str) -> Result<Address, AppError> {
    Address::parse(community, building, door).map_err(|wrong| {
        let (field, e) = wrong[0];
        AppError::invalid(field, if e == FieldError::Empty { Msg::ErrRequired } else { Msg::ErrTooLong })
    })
}

pub async fn choices(st: &AppState) -> Result<HouseholdOptions, AppError> {
    let campuses: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM campuses ORDER BY created_at, name").fetch_all(&st.db.read).await?;
    let communities: Vec<(String, String)> =
        sqlx::query_as("SELECT DISTINCT campus_id, community FROM households WHERE community <> '' ORDER BY campus_id, community")
            .fetch_all(&st.db.read)
            .await?;
    Ok(HouseholdOptions { campuses: campuses.into_iter().map(|(id, name)| CampusOption { id, name }).collect(), communities })
}

#[derive(sqlx::FromRow)]
struct HouseholdRow {
    id: String,
    campus_id: String,
    campus: String,
    community: String,
    building: String,
    door: String,
    paper_pass: i64,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: String,
    household_id: String,
    name: String,
    phone: String,
    doc_type: String,
    doc_masked: String,
    householder: i64,
}

/// One page of households, filtered by campus, community and a search
/// (door, building, community, a member's name, or a member's full mobile).
pub async fn households_page(st: &AppState, campus_id: &str, community: &str, query: &str, offset: i64) -> Result<HouseholdPage, AppError> {
    let q = query.trim();
    let pattern = format!("%{}%", q.replace(['%', '_'], ""));
    let phone = Phone::parse(q).map(|p| p.as_str().to_owned()).unwrap_or_default();
    let filter = "FROM households h JOIN campuses c ON c.id = h.campus_id
         WHERE ($1 = '' OR h.campus_id = $1) AND ($2 = '' OR h.community = $2)
           AND ($3 = '' OR h.door LIKE $4 OR h.building LIKE $4 OR h.community LIKE $4
                OR EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND (r.name LIKE $4 OR r.phone = $5)))";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {filter}"))
        .bind(campus_id.trim())
        .bind(community.trim())
        .bind(q)
        .bind(&pattern)
        .bind(&phone)
        .fetch_one(&st.db.read)
        .await?;
    let rows: Vec<HouseholdRow> = sqlx::query_as(&format!(
        "SELECT h.id, h.campus_id, c.name AS campus, h.community, h.building, h.door, h.paper_pass {filter}
         ORDER BY c.created_at, h.campus_id, h.community, h.building, h.door LIMIT {PAGE_SIZE} OFFSET $6"
    ))
    .bind(campus_id.trim())
    .bind(community.trim())
    .bind(q)
    .bind(&pattern)
    .bind(&phone)
    .bind(offset.max(0))
    .fetch_all(&st.db.read)
    .await?;
    let members: Vec<MemberRow> = if rows.is_empty() {
        vec![]
    } else {
        let holes: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, household_id, name, phone, doc_type, doc_masked, householder FROM residents
             WHERE household_id IN ({}) ORDER BY householder DESC, created_at, id",
            holes.join(", ")
        );
        let mut query = sqlx::query_as(&sql);
        for r in &rows {
            query = query.bind(&r.id);
        }
        query.fetch_all(&st.db.read).await?
    };
    Ok(HouseholdPage {
        total,
        rows: rows
            .into_iter()
            .map(|h| HouseholdView {
                members: members
                    .iter()
                    .filter(|m| m.household_id == h.id)
                    .map(|m| MemberView {
                        id: m.id.clone(),
                        name: m.name.clone(),
                        phone: masked_phone(&m.phone),
                        doc_type: DocType::from_code(&m.doc_type).unwrap_or_default(),
                        doc: m.doc_masked.clone(),
                        householder: m.householder != 0,
                    })
                    .collect(),
                id: h.id,
                campus_id: h.campus_id,
                campus: h.campus,
                community: h.community,
                building: h.building,
                door: h.door,
                paper_pass: h.paper_pass != 0,
            })
            .collect(),
    })
}

/// A unique index said no: the door is another household's.
fn door_taken(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e) { AppError::Conflict { msg: Msg::ErrHouseholdExists } } else { e.into() }
}

/// Adds or edits a household (its campus, address and paper-pass mark).
#[allow(clippy::too_many_arguments)]
pub async fn save_household(
    st: &AppState,
    me: &Principal,
    id: Option<String>,
    campus_id: &str,
    community: &str,
    building: &str,
    door: &str,
    paper_pass: bool,
) -> Result<String, AppError> {
    let addr = address(community, building, door)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let campus: Option<(String,)> = sqlx::query_as("SELECT id FROM campuses WHERE id = $1").bind(campus_id).fetch_optional(&mut *tx).await?;
    if campus.is_none() {
        return Err(AppError::invalid("campus_id", Msg::ErrUnknownCampus));
    }
    let changes =
        json!({"campus_id": campus_id, "community": addr.community, "building": addr.building, "door": addr.door, "paper_pass": paper_pass});
    let id = match id {
        Some(id) => {
            let r = sqlx::query(
                "UPDATE households SET campus_id = $1, community = $2, building = $3, door = $4, address = $5, paper_pass = $6, updated_at = $7
                 WHERE id = $8",
            )
            .bind(campus_id)
            .bind(&addr.community)
            .bind(&addr.building)
            .bind(&addr.door)
            .bind(addr.label())
            .bind(paper_pass as i64)
            .bind(now)
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(door_taken)?;
            if r.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            audit::record(&mut *tx, now, &me.actor_label(), "update", "household", &id, changes, None).await?;
            id
        }
        None => {
            let id = new_id();
            insert_household(&mut tx, &id, campus_id, &addr, paper_pass, now).await.map_err(door_taken)?;
            audit::record(&mut *tx, now, &me.actor_label(), "create", "household", &id, changes, None).await?;
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// A new household's row (the old `address` column holds its label).
/// The page, the import and the demo seed write households so.
pub async fn insert_household(
    tx: &mut sqlx::AnyConnection,
    id: &str,
    campus_id: &str,
    addr: &Address,
    paper_pass: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO households (id, campus_id, address, created_at, community, building, door, paper_pass, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $4)",
    )
    .bind(id)
    .bind(campus_id)
    .bind(addr.label())
    .bind(now)
    .bind(&addr.community)
    .bind(&addr.building)
    .bind(&addr.door)
    .bind(paper_pass as i64)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A member as the rules of one household read them.
#[derive(sqlx::FromRow)]
struct OnRecord {
    id: String,
    doc_type: String,
    doc_masked: String,
    householder: i64,
}

/// The household's row is updated first: on PostgreSQL that locks it, so
/// changes to one household's members run one after another.
async fn lock_household(tx: &mut sqlx::AnyConnection, household_id: &str, now: i64) -> Result<(), AppError> {
    let r = sqlx::query("UPDATE households SET updated_at = $1 WHERE id = $2").bind(now).bind(household_id).execute(&mut *tx).await?;
    if r.rows_affected() == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

/// Adds or edits a member. On an edit an empty mobile or document number
/// keeps the one on record (the page never has them in full). Ticking
/// "householder" moves the mark to this member; a household's first
/// member must be its householder, and the householder cannot be unticked.
#[allow(clippy::too_many_arguments)]
pub async fn save_member(
    st: &AppState,
    me: &Principal,
    id: Option<String>,
    household_id: &str,
    name: &str,
    phone: &str,
    doc_type: DocType,
    doc_number: &str,
    householder: bool,
) -> Result<String, AppError> {
    let name = text("name", name, NAME_MAX)?;
    let phone = match phone.trim() {
        "" if id.is_some() => None,
        "" => return Err(AppError::invalid("phone", Msg::ErrRequired)),
        p => Some(Phone::parse(p).map_err(|_| AppError::invalid("phone", Msg::ErrPhoneInvalid))?),
    };
    let doc = match doc_number.trim() {
        "" if id.is_some() => None,
        "" => return Err(AppError::invalid("doc_number", Msg::ErrRequired)),
        n => Some(DocumentNumber::parse(doc_type, n, st.clock.today()).map_err(|e| AppError::invalid("doc_number", e.msg()))?),
    };
    let sealed = doc.as_ref().map(|d| sealed_document(&st.keys, d));
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    lock_household(&mut tx, household_id, now).await?;
    let members: Vec<OnRecord> = sqlx::query_as("SELECT id, doc_type, doc_masked, householder FROM residents WHERE household_id = $1")
        .bind(household_id)
        .fetch_all(&mut *tx)
        .await?;
    let current = match &id {
        Some(id) => Some(members.iter().find(|m| &m.id == id).ok_or(AppError::NotFound)?),
        None => None,
    };
    if !householder {
        if current.is_some_and(|m| m.householder != 0) {
            return Err(AppError::invalid("householder", Msg::ErrHouseholderStays));
        }
        if current.is_none() && !members.iter().any(|m| m.householder != 0) {
            return Err(AppError::invalid("householder", Msg::ErrHouseholderFirst));
        }
    }
    if let Some(m) = current
        && doc.is_none()
    {
        if m.doc_masked.is_empty() {
            return Err(AppError::invalid("doc_number", Msg::ErrRequired));
        }
        if m.doc_type != doc_type.code() {
            return Err(AppError::invalid("doc_number", Msg::ErrDocTypeChanged));
        }
    }
    let member_id = id.clone().unwrap_or_else(new_id);
    if let Some(p) = &phone {
        let other: Option<(String, String, String)> = sqlx::query_as(
            "SELECT h.community, h.building, h.door FROM residents r JOIN households h ON h.id = r.household_id WHERE r.phone = $1 AND r.id <> $2",
        )
        .bind(p.as_str())
        .bind(&member_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((c, b, d)) = other {
            return Err(AppError::rule("phone", Msg::ErrResidentPhoneTaken, format!("{c} {b} {d}")));
        }
    }
    let previous_householder =
        if householder { members.iter().find(|m| m.householder != 0 && m.id != member_id).map(|m| m.id.clone()) } else { None };
    if let Some(prev) = &previous_householder {
        sqlx::query("UPDATE residents SET householder = 0 WHERE id = $1").bind(prev).execute(&mut *tx).await?;
    }
    let phone_taken = |e: sqlx::Error| {
        if is_unique_violation(&e) {
            AppError::rule("phone", Msg::ErrResidentPhoneTaken, phone.as_ref().map(|p| p.masked()).unwrap_or_default())
        } else {
            e.into()
        }
    };
    let changes = json!({
        "household_id": household_id,
        "name": name,
        "phone": phone.as_ref().map(|p| p.masked()),
        "doc_type": doc.as_ref().map(|d| d.doc_type.code()),
        "doc": sealed.as_ref().map(|s| s.masked.clone()),
        "householder": householder,
        "previous_householder": previous_householder,
    });
    if current.is_some() {
        sqlx::query(
            "UPDATE residents SET name = $1, householder = $2, phone = COALESCE($3, phone), doc_type = COALESCE($4, doc_type),
                    doc_sealed = COALESCE($5, doc_sealed), doc_mac = COALESCE($6, doc_mac), doc_masked = COALESCE($7, doc_masked)
             WHERE id = $8",
        )
        .bind(&name)
        .bind(householder as i64)
        .bind(phone.as_ref().map(|p| p.as_str().to_owned()))
        .bind(doc.as_ref().map(|d| d.doc_type.code().to_owned()))
        .bind(sealed.as_ref().map(|s| s.sealed.clone()))
        .bind(sealed.as_ref().map(|s| s.mac.clone()))
        .bind(sealed.as_ref().map(|s| s.masked.clone()))
        .bind(&member_id)
        .execute(&mut *tx)
        .await
        .map_err(phone_taken)?;
        audit::record(&mut *tx, now, &me.actor_label(), "update", "resident", &member_id, changes, None).await?;
    } else {
        let (Some(p), Some(d), Some(s)) = (&phone, &doc, &sealed) else { return Err(AppError::Internal) };
        insert_member(&mut tx, &member_id, household_id, &name, p, d, s, householder, now).await.map_err(phone_taken)?;
        audit::record(&mut *tx, now, &me.actor_label(), "create", "resident", &member_id, changes, None).await?;
    }
    tx.commit().await?;
    Ok(member_id)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_member(
    tx: &mut sqlx::AnyConnection,
    id: &str,
    household_id: &str,
    name: &str,
    phone: &Phone,
    doc: &DocumentNumber,
    sealed: &SealedDocument,
    householder: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO residents (id, household_id, name, phone, created_at, householder, doc_type, doc_sealed, doc_mac, doc_masked)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(household_id)
    .bind(name)
    .bind(phone.as_str())
    .bind(now)
    .bind(householder as i64)
    .bind(doc.doc_type.code())
    .bind(&sealed.sealed)
    .bind(&sealed.mac)
    .bind(&sealed.masked)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Removes a member. The householder goes only as the last member.
pub async fn remove_member(st: &AppState, me: &Principal, id: &str) -> Result<(), AppError> {
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let household: Option<(String,)> = sqlx::query_as("SELECT household_id FROM residents WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    let (household_id,) = household.ok_or(AppError::NotFound)?;
    lock_household(&mut tx, &household_id, now).await?;
    #[derive(sqlx::FromRow)]
    struct Gone {
        name: String,
        phone: String,
        householder: i64,
        others: i64,
    }
    let m: Option<Gone> = sqlx::query_as(
        "SELECT name, phone, householder, (SELECT COUNT(*) FROM residents o WHERE o.household_id = r.household_id AND o.id <> r.id) AS others
         FROM residents r WHERE id = $1 AND household_id = $2",
    )
    .bind(id)
    .bind(&household_id)
    .fetch_optional(&mut *tx)
    .await?;
    let m = m.ok_or(AppError::NotFound)?;
    if m.householder != 0 && m.others > 0 {
        return Err(AppError::invalid("householder", Msg::ErrRemoveHouseholder));
    }
    sqlx::query("DELETE FROM residents WHERE id = $1").bind(id).execute(&mut *tx).await?;
    let changes = json!({"household_id": household_id, "name": m.name, "phone": masked_phone(&m.phone), "householder": m.householder != 0});
    audit::record(&mut *tx, now, &me.actor_label(), "delete", "resident", id, changes, None).await?;
    tx.commit().await?;
    Ok(())
}
