//! Households: the list with their members, adding and editing one (its
//! campus, address and paper-pass mark). Each change is one transaction
//! with its audit entry.

use super::*;
use crate::domain::household::Address;
use crate::domain::{Phone, account::FieldError};
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal},
    db::{is_unique_violation, new_id},
};
use serde_json::json;

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

/// The households list's filter (after `FROM households h`): `$1` campus,
/// `$2` community, `$3` the search, `$4` it as a LIKE pattern, `$5` it as
/// a mobile (each '' for all).
const HOUSEHOLD_WHERE: &str = "WHERE ($1 = '' OR h.campus_id = $1) AND ($2 = '' OR h.community = $2)
       AND ($3 = '' OR h.door LIKE $4 OR h.building LIKE $4 OR h.community LIKE $4
            OR EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND (r.name LIKE $4 OR r.phone = $5)))";

#[derive(sqlx::FromRow)]
struct ResidentLine {
    campus: String,
    community: String,
    building: String,
    door: String,
    paper_pass: i64,
    name: String,
    phone: String,
    doc_masked: String,
    householder: i64,
}

/// The households as filtered on the page, one member a row, as a file
/// (mobiles masked unless `unmasked`; documents always masked: the list
/// never unseals them).
pub fn households_export(
    st: &AppState,
    campus_id: &str,
    community: &str,
    query: &str,
    lang: crate::i18n::Lang,
    unmasked: bool,
) -> crate::platform::export::Sheet {
    use crate::i18n::OfficeMsg;
    use crate::platform::export;
    let headers = [
        Msg::Campus.text(lang),
        Msg::Community.text(lang),
        Msg::Building.text(lang),
        Msg::Door.text(lang),
        OfficeMsg::PaperPass.text(lang),
        Msg::PersonName.text(lang),
        Msg::Phone.text(lang),
        Msg::DocNumber.text(lang),
        OfficeMsg::Householder.text(lang),
    ];
    let q = query.trim().to_owned();
    let binds = (
        campus_id.trim().to_owned(),
        community.trim().to_owned(),
        format!("%{}%", q.replace(['%', '_'], "")),
        Phone::parse(&q).map(|p| p.as_str().to_owned()).unwrap_or_default(),
        q,
    );
    let st = st.clone();
    let rows = export::rows(move |out| async move {
        let (campus, community, pattern, phone, q) = binds;
        let sql = format!(
            "SELECT c.name AS campus, h.community, h.building, h.door, h.paper_pass, m.name, m.phone, m.doc_masked, m.householder
             FROM households h JOIN campuses c ON c.id = h.campus_id JOIN residents m ON m.household_id = h.id
             {HOUSEHOLD_WHERE} ORDER BY c.created_at, h.campus_id, h.community, h.building, h.door, m.householder DESC, m.created_at"
        );
        let read = sqlx::query_as::<_, ResidentLine>(&sql).bind(&campus).bind(&community).bind(&q).bind(&pattern).bind(&phone).fetch(&st.db.read);
        export::send_all(&out, read, |m| {
            let yes = |b: i64| if b != 0 { OfficeMsg::Yes.text(lang) } else { "" };
            let phone = if unmasked { m.phone } else { masked_phone(&m.phone) };
            vec![
                m.campus.into(),
                m.community.into(),
                m.building.into(),
                m.door.into(),
                yes(m.paper_pass).into(),
                m.name.into(),
                phone.into(),
                m.doc_masked.into(),
                yes(m.householder).into(),
            ]
        })
        .await?;
        Ok(())
    });
    export::Sheet::new(&headers, rows)
}

/// One page of households, filtered by campus, community and a search
/// (door, building, community, a member's name, or a member's full mobile).
pub async fn households_page(st: &AppState, campus_id: &str, community: &str, query: &str, offset: i64) -> Result<HouseholdPage, AppError> {
    let q = query.trim();
    let pattern = format!("%{}%", q.replace(['%', '_'], ""));
    let phone = Phone::parse(q).map(|p| p.as_str().to_owned()).unwrap_or_default();
    let filter = format!("FROM households h JOIN campuses c ON c.id = h.campus_id {HOUSEHOLD_WHERE}");
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
            let before = audit::snapshot(&mut tx, "households", "id", &id).await?;
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
            let changes = audit::with_before_after(&mut tx, "households", "id", &id, before, changes).await?;
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
