//! The blacklists: listing, adding and lifting entries (each change touches
//! the holder's passes, so the gates' rosters learn of it). HR's staff
//! entries are HR's (`staff_blacklist.rs`): this list leaves them out.

use super::*;
use crate::domain::document::{DocType, DocumentNumber};
use crate::domain::{Phone, Plate};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal, client_ip},
    db::{is_unique_violation, new_id},
};
use serde_json::json;

/// The entries, newest first; only their masked numbers are kept.
const ENTRIES: &str = "SELECT id, kind, masked, reason, added_by, added_at, lifted_by, lifted_at, lift_reason FROM blacklist
     WHERE ($1 = 1 OR lifted_at IS NULL) AND staff_id IS NULL ORDER BY added_at DESC";

fn entry(st: &AppState, r: EntryRow) -> BlacklistEntry {
    BlacklistEntry {
        id: r.id,
        kind: BlacklistKind::from_code(&r.kind).unwrap_or(BlacklistKind::Mobile),
        value: r.masked,
        reason: r.reason,
        added_by: r.added_by,
        added_at: st.clock.format(r.added_at),
        lifted: r.lifted_at.map(|at| format!("{} {} {}", st.clock.format(at), r.lifted_by.unwrap_or_default(), r.lift_reason.unwrap_or_default())),
    }
}

pub async fn list(st: &AppState, include_lifted: bool) -> Result<Vec<BlacklistEntry>, AppError> {
    let rows: Vec<EntryRow> = sqlx::query_as(&format!("{ENTRIES} LIMIT 500")).bind(include_lifted as i64).fetch_all(&st.db.read).await?;
    Ok(rows.into_iter().map(|r| entry(st, r)).collect())
}

/// The whole blacklist, as a file's rows.
pub fn export(st: &AppState, include_lifted: bool, lang: crate::i18n::Lang) -> crate::platform::export::Sheet {
    use crate::i18n::OfficeMsg;
    use crate::platform::export;
    let headers = [OfficeMsg::BlKind, OfficeMsg::BlValue, OfficeMsg::BlReason, OfficeMsg::AddedBy, OfficeMsg::AddedAt, OfficeMsg::BlLifted];
    let st = st.clone();
    let rows = export::rows(move |out| async move {
        let read = sqlx::query_as::<_, EntryRow>(ENTRIES).bind(include_lifted as i64).fetch(&st.db.read);
        export::send_all(&out, read, |r| {
            let e = entry(&st, r);
            vec![
                e.kind.label().text(lang).into(),
                e.value.into(),
                e.reason.into(),
                e.added_by.into(),
                e.added_at.into(),
                e.lifted.unwrap_or_default().into(),
            ]
        })
        .await?;
        Ok(())
    });
    export::Sheet::new(&headers.map(|h| h.text(lang)), rows)
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    kind: String,
    masked: String,
    reason: String,
    added_by: String,
    added_at: i64,
    lifted_by: Option<String>,
    lifted_at: Option<i64>,
    lift_reason: Option<String>,
}

pub async fn add(st: &AppState, me: &Principal, kind: BlacklistKind, doc_type: DocType, value: &str, reason: &str) -> Result<String, AppError> {
    let reason = crate::fields::text("reason", reason, 200)?;
    let (key, masked) = match kind {
        BlacklistKind::Document => {
            let d = DocumentNumber::parse(doc_type, value, st.clock.today()).map_err(|_| AppError::invalid("value", Msg::ErrIdNumber))?;
            (st.keys.pii_mac(&d.claim_text()), d.masked())
        }
        BlacklistKind::Mobile => {
            let p = Phone::parse(value).map_err(|_| AppError::invalid("value", Msg::ErrPhoneInvalid))?;
            (p.as_str().to_owned(), p.masked())
        }
        BlacklistKind::Plate => {
            let p = Plate::parse(value).map_err(|_| AppError::invalid("value", Msg::ErrPlate))?;
            (p.as_str().to_owned(), p.as_str().to_owned())
        }
    };
    let now = st.clock.now_ms();
    let id = new_id();
    let mut tx = st.db.write.begin().await?;
    insert_entry(&mut tx, NewEntry { id: &id, kind, key: &key, masked: &masked, reason: &reason, actor: &me.actor_label(), staff_id: None }, now)
        .await?;
    audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "blacklist_add",
        "blacklist",
        &id,
        json!({"kind": kind.code(), "value": masked, "reason": reason}),
        Some(&client_ip()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An entry to write: the office's (no staff member) or HR's.
pub(super) struct NewEntry<'a> {
    pub id: &'a str,
    pub kind: BlacklistKind,
    pub key: &'a str,
    pub masked: &'a str,
    pub reason: &'a str,
    pub actor: &'a str,
    pub staff_id: Option<&'a str>,
}

/// Writes an entry and marks the holder's passes changed; a key already
/// listed is a conflict (one active entry per key, by a unique index).
pub(super) async fn insert_entry(tx: &mut sqlx::Transaction<'_, sqlx::Any>, e: NewEntry<'_>, now: i64) -> Result<(), AppError> {
    let r = sqlx::query(
        "INSERT INTO blacklist (id, kind, entry_key, masked, reason, added_by, added_at, staff_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(e.id)
    .bind(e.kind.code())
    .bind(e.key)
    .bind(e.masked)
    .bind(e.reason)
    .bind(e.actor)
    .bind(now)
    .bind(e.staff_id)
    .execute(&mut **tx)
    .await;
    if let Err(err) = r {
        return Err(if is_unique_violation(&err) { AppError::Conflict { msg: Msg::ErrDuplicate } } else { err.into() });
    }
    super::listed::touch_holders_passes(tx, e.kind, e.key, now).await?;
    Ok(())
}

pub async fn lift(st: &AppState, me: &Principal, id: &str, reason: &str) -> Result<(), AppError> {
    let reason = crate::fields::text("reason", reason, 200)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let r =
        sqlx::query("UPDATE blacklist SET lifted_at = $1, lifted_by = $2, lift_reason = $3 WHERE id = $4 AND lifted_at IS NULL AND staff_id IS NULL")
            .bind(now)
            .bind(me.actor_label())
            .bind(&reason)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    if r.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let (kind, key): (String, String) = sqlx::query_as("SELECT kind, entry_key FROM blacklist WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
    if let Some(kind) = BlacklistKind::from_code(&kind) {
        super::listed::touch_holders_passes(&mut tx, kind, &key, now).await?;
    }
    audit::record(&mut *tx, now, &me.actor_label(), "blacklist_lift", "blacklist", id, json!({"reason": reason}), Some(&client_ip())).await?;
    tx.commit().await?;
    Ok(())
}
