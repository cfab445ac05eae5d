//! The one blacklist rule: an entry bars its document, mobile or plate
//! until it is lifted. Submission, approver edits, scanning, the offline
//! roster and the office all ask it here, as a query or as SQL to embed,
//! and blacklisting marks the holder's passes changed so rosters learn of
//! it. Each term is a lookup in the partial index of active entries
//! (`lifted_at IS NULL` inside the term: outside, SQLite scans the index).

use super::BlacklistKind;

/// Whether the holder of a pass `p` (with its entrant `e`, LEFT JOINed) is
/// listed: the entrant's document or mobile, or a vehicle pass's plate.
pub const PASS_HOLDER_LISTED: &str =
    "(EXISTS (SELECT 1 FROM blacklist b WHERE b.lifted_at IS NULL AND b.kind = 'document' AND b.entry_key = e.doc_mac)
        OR EXISTS (SELECT 1 FROM blacklist b WHERE b.lifted_at IS NULL AND b.kind = 'mobile' AND b.entry_key = e.phone)
        OR (p.vehicle = 1 AND EXISTS (SELECT 1 FROM blacklist b WHERE b.lifted_at IS NULL AND b.kind = 'plate' AND b.entry_key = p.holder)))";

/// The first of `keys` that is listed, in one read (at the 16:00 rush each
/// query is a round trip to a database thread).
pub async fn first_listed<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    keys: &[(BlacklistKind, &str)],
) -> Result<Option<BlacklistKind>, sqlx::Error> {
    if keys.is_empty() {
        return Ok(None);
    }
    let terms: Vec<String> =
        (0..keys.len()).map(|i| format!("(kind = ${} AND entry_key = ${} AND lifted_at IS NULL)", 2 * i + 1, 2 * i + 2)).collect();
    let sql = format!("SELECT kind FROM blacklist WHERE {} LIMIT 1", terms.join(" OR "));
    let mut q = sqlx::query_as::<_, (String,)>(&sql);
    for (kind, key) in keys {
        q = q.bind(kind.code()).bind(*key);
    }
    Ok(q.fetch_optional(exec).await?.and_then(|(k,)| BlacklistKind::from_code(&k)))
}

/// Marks the passes of a person or plate just listed (or lifted) as
/// changed, so the next roster delta carries them.
pub async fn touch_holders_passes(tx: &mut sqlx::Transaction<'_, sqlx::Any>, kind: BlacklistKind, key: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = match kind {
        BlacklistKind::Document => {
            "UPDATE passes SET updated_at = $1 WHERE entrant_id IN (SELECT id FROM entrants WHERE doc_mac = $2) AND valid_until > $1"
        }
        BlacklistKind::Mobile => {
            "UPDATE passes SET updated_at = $1 WHERE entrant_id IN (SELECT id FROM entrants WHERE phone = $2) AND valid_until > $1"
        }
        BlacklistKind::Plate => "UPDATE passes SET updated_at = $1 WHERE vehicle = 1 AND holder = $2 AND valid_until > $1",
    };
    sqlx::query(sql).bind(now).bind(key).execute(&mut **tx).await?;
    Ok(())
}
