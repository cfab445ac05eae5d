//! A pass as stored, read by name, and the transaction type the passes'
//! writes share.

pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// A pass as stored.
#[derive(Clone, Debug)]
pub struct PassRow {
    pub id: String,
    pub application_id: String,
    pub entrant_id: Option<String>,
    pub kind: String,
    pub vehicle: bool,
    pub holder: String,
    pub campus_id: String,
    pub valid_from: i64,
    pub valid_until: i64,
    pub single_use: bool,
    pub used_at: Option<i64>,
    pub cancelled_at: Option<i64>,
}

/// What `PASS_SELECT` returns: flags are INTEGER columns, turned into
/// `bool`s by `PassRow::from`.
#[derive(sqlx::FromRow)]
pub struct StoredPass {
    id: String,
    application_id: String,
    entrant_id: Option<String>,
    kind: String,
    vehicle: i64,
    holder: String,
    campus_id: String,
    valid_from: i64,
    valid_until: i64,
    single_use: i64,
    used_at: Option<i64>,
    cancelled_at: Option<i64>,
}

pub const PASS_SELECT: &str =
    "SELECT id, application_id, entrant_id, kind, vehicle, holder, campus_id, valid_from, valid_until, single_use, used_at, cancelled_at FROM passes";

impl From<StoredPass> for PassRow {
    fn from(p: StoredPass) -> PassRow {
        PassRow {
            id: p.id,
            application_id: p.application_id,
            entrant_id: p.entrant_id,
            kind: p.kind,
            vehicle: p.vehicle != 0,
            holder: p.holder,
            campus_id: p.campus_id,
            valid_from: p.valid_from,
            valid_until: p.valid_until,
            single_use: p.single_use != 0,
            used_at: p.used_at,
            cancelled_at: p.cancelled_at,
        }
    }
}

/// The first character of a name, the rest hidden: enough for a guard to
/// match a face offline, not enough to learn who visits.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}
