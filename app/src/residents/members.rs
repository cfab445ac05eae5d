//! A household's members: adding, editing and removing one, with exactly
//! one householder. Each change is one transaction with its audit entry; a
//! household's members change one writer at a time (the household's row
//! is updated first, which locks it on PostgreSQL; SQLite has one writer
//! anyway), so exactly one householder stays true under concurrent edits.

use super::households::masked_phone;
use super::*;
use crate::domain::Phone;
use crate::domain::document::DocumentNumber;
use crate::domain::household::NAME_MAX;
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
        let before = audit::snapshot(&mut tx, "residents", "id", &member_id).await?;
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
        let changes = audit::with_before_after(&mut tx, "residents", "id", &member_id, before, changes).await?;
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
    let before = audit::snapshot(&mut tx, "residents", "id", id).await?;
    sqlx::query("DELETE FROM residents WHERE id = $1").bind(id).execute(&mut *tx).await?;
    let changes = json!({"household_id": household_id, "name": m.name, "phone": masked_phone(&m.phone), "householder": m.householder != 0});
    let changes = audit::with_before_after(&mut tx, "residents", "id", id, before, changes).await?;
    audit::record(&mut *tx, now, &me.actor_label(), "delete", "resident", id, changes, None).await?;
    tx.commit().await?;
    Ok(())
}
