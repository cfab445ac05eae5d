//! Server side of passes: issuing, signing, the pass page, and the scan
//! verdict. A single-use pass is spent by one conditional update whose row
//! count decides, so two gates scanning it at once admit it once.

use super::*;
use crate::domain::document::{DocType, DocumentNumber};
use crate::domain::gate::{Direction, GateDirection, GateFacts, GateKind, PassFacts, Reason, decide, parking_fee_cents};
use crate::domain::pass_token::{PassClaims, PublicKey, token_from_scan};
pub use crate::domain::roster::{Roster, RosterPass};
use crate::domain::{Phone, Plate};
use crate::i18n::{Lang, Msg};
use crate::platform::context::AppState;
use crate::platform::db::new_id;
use crate::platform::keys::{random_token, sha256_hex};

pub(super) type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// A long pass's token lives at most this long; the pass page renews it,
/// so a cancelled pass stops working at an offline gate within a day.
pub const TOKEN_TTL_SECS: i64 = 24 * 3600;

/// RFC 8410: the PKCS#8 wrapping of a raw Ed25519 seed, as `jsonwebtoken`
/// takes it.
fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    der.extend_from_slice(seed);
    der
}

/// Signs a pass token with the current key.
pub fn sign(st: &AppState, claims: &PassClaims) -> Result<String, AppError> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.typ = None;
    let (kid, signing) = st.keys.signing();
    header.kid = Some(kid);
    let key = jsonwebtoken::EncodingKey::from_ed_der(&ed25519_pkcs8(signing.as_bytes()));
    jsonwebtoken::encode(&header, claims, &key).map_err(|e| {
        tracing::error!(error = %e, "signing a pass token failed");
        AppError::Internal
    })
}

/// Every public key that may still verify a pass (JWKS material).
pub async fn public_keys(st: &AppState) -> Result<Vec<PublicKey>, AppError> {
    Ok(st.keys.published().as_ref().clone())
}

/// `/.well-known/jwks.json`.
pub async fn jwks(st: &AppState) -> Result<serde_json::Value, AppError> {
    let keys = public_keys(st).await?;
    Ok(serde_json::json!({
        "keys": keys.iter().map(|k| serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": k.kid, "x": k.x})).collect::<Vec<_>>()
    }))
}

/// Verifies a token on the server through `jsonwebtoken` (EdDSA only).
pub fn verify(token: &str, keys: &[PublicKey], now_secs: i64) -> Result<PassClaims, Reason> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let header = decode_header(token).map_err(|_| Reason::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(Reason::BadSignature);
    }
    let kid = header.kid.ok_or(Reason::BadSignature)?;
    let key = keys.iter().find(|k| k.kid == kid).ok_or(Reason::BadSignature)?;
    let decoding = DecodingKey::from_ed_components(&key.x).map_err(|_| Reason::BadSignature)?;
    let mut v = Validation::new(Algorithm::EdDSA);
    v.leeway = 0;
    v.validate_exp = false;
    v.validate_nbf = false;
    v.required_spec_claims = ["exp".to_owned(), "nbf".to_owned()].into_iter().collect();
    let claims = decode::<PassClaims>(token, &decoding, &v).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::InvalidSignature | jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => Reason::BadSignature,
        _ => Reason::Malformed,
    })?;
    // The window, with the same leeway as the browser's check.
    let leeway = crate::domain::pass_token::LEEWAY_SECS;
    if now_secs + leeway < claims.claims.nbf {
        return Err(Reason::NotYetValid);
    }
    if now_secs - leeway >= claims.claims.exp {
        return Err(Reason::Expired);
    }
    Ok(claims.claims)
}

/// The QR: the site's scan URL with the token in its fragment (never in a
/// path or query that logs keep). Error correction M.
pub fn qr_text(st: &AppState, token: &str) -> String {
    format!("{}/s#t={token}", st.config.public_base_url.trim_end_matches('/'))
}

pub fn qr_svg(text: &str) -> Result<(String, i16), AppError> {
    use qrcode::{EcLevel, QrCode, Version, render::svg};
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        tracing::error!(error = %e, "QR too long");
        AppError::Internal
    })?;
    let version = match code.version() {
        Version::Normal(n) | Version::Micro(n) => n,
    };
    let svg = code.render::<svg::Color>().min_dimensions(264, 264).quiet_zone(true).build();
    Ok((svg, version))
}

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

type PassTuple = (String, String, Option<String>, String, i64, String, String, i64, i64, i64, Option<i64>, Option<i64>);
const PASS_SELECT: &str = "SELECT id, application_id, entrant_id, kind, vehicle, holder, campus_id, valid_from, valid_until, single_use, used_at, cancelled_at FROM passes";

fn pass_row(t: PassTuple) -> PassRow {
    PassRow {
        id: t.0,
        application_id: t.1,
        entrant_id: t.2,
        kind: t.3,
        vehicle: t.4 != 0,
        holder: t.5,
        campus_id: t.6,
        valid_from: t.7,
        valid_until: t.8,
        single_use: t.9 != 0,
        used_at: t.10,
        cancelled_at: t.11,
    }
}

/// The claims of a pass's token now: valid from the pass's first moment to
/// its end, but never more than a day ahead.
pub fn claims_for(p: &PassRow, now_ms: i64) -> PassClaims {
    let now = now_ms / 1000;
    PassClaims {
        pid: p.id.clone(),
        knd: crate::domain::pass_token::kind_code(&p.kind).to_owned(),
        cmp: crate::domain::pass_token::campus_code(&p.campus_id),
        nbf: p.valid_from / 1000,
        exp: (p.valid_until / 1000).min(now.max(p.valid_from / 1000) + TOKEN_TTL_SECS),
        su: p.single_use,
    }
}

/// One issued pass, for the SMS that carries its link.
pub struct Issued {
    pub phone: Option<Phone>,
    pub holder: String,
    pub link: String,
}

/// Issues the passes of an application that has just been approved: one
/// per entrant and one for its vehicle. Runs inside the approving
/// transaction.
pub async fn issue(st: &AppState, tx: &mut Tx<'_>, app_id: &str, now: i64) -> Result<Vec<Issued>, AppError> {
    let (kind, campus_id, start, end, plate, single_use): (String, String, String, String, Option<String>, i64) = sqlx::query_as(
        "SELECT a.kind, a.campus_id, a.start_date, a.end_date, a.plate, 0 FROM applications a WHERE a.id = $1",
    )
    .bind(app_id)
    .fetch_one(&mut **tx)
    .await?;
    let tz = st.clock.tz;
    let day_start = |d: &str| -> i64 {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(tz).single())
            .map(|t| t.timestamp_millis())
            .unwrap_or(now)
    };
    let valid_from = day_start(&start);
    let valid_until = day_start(&end) + 24 * 3_600_000;
    let kind = kind.to_lowercase();
    let entrants: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, name, phone FROM entrants WHERE application_id = $1 ORDER BY position").bind(app_id).fetch_all(&mut **tx).await?;
    let mut holders: Vec<(Option<String>, String, Option<String>, bool)> =
        entrants.into_iter().map(|(id, name, phone)| (Some(id), name, phone, false)).collect();
    if let Some(p) = plate {
        holders.push((None, p, None, true));
    }
    let base = st.config.public_base_url.trim_end_matches('/').to_owned();
    let mut out = Vec::new();
    for (entrant_id, holder, phone, vehicle) in holders {
        let id = random_token(16);
        let link = random_token(16);
        sqlx::query(
            "INSERT INTO passes (id, application_id, entrant_id, kind, vehicle, holder, campus_id, valid_from, valid_until, single_use, link_hash, link_sealed, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(&id)
        .bind(app_id)
        .bind(entrant_id)
        .bind(if vehicle { "vehicle" } else { kind.as_str() })
        .bind(vehicle as i64)
        .bind(&holder)
        .bind(&campus_id)
        .bind(valid_from)
        .bind(valid_until)
        .bind(single_use)
        .bind(sha256_hex(link.as_bytes()))
        .bind(st.keys.seal_pii(&link))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        out.push(Issued { phone: phone.and_then(|p| Phone::parse(&p).ok()), holder, link: format!("{base}/p/{link}") });
    }
    Ok(out)
}

/// Marks the passes of a person or plate just put on (or lifted from) the
/// blacklist as changed, so the next roster delta carries them.
pub async fn touch_listed(tx: &mut Tx<'_>, kind: &str, key: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = match kind {
        "document" => "UPDATE passes SET updated_at = $1 WHERE entrant_id IN (SELECT id FROM entrants WHERE doc_mac = $2) AND valid_until > $1",
        "mobile" => "UPDATE passes SET updated_at = $1 WHERE entrant_id IN (SELECT id FROM entrants WHERE phone = $2) AND valid_until > $1",
        _ => "UPDATE passes SET updated_at = $1 WHERE vehicle = 1 AND holder = $2 AND valid_until > $1",
    };
    sqlx::query(sql).bind(now).bind(key).execute(&mut **tx).await?;
    Ok(())
}

/// Cancels every pass of an application (cancelled or released).
pub async fn cancel_for(tx: &mut Tx<'_>, app_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE passes SET cancelled_at = $1, updated_at = $1 WHERE application_id = $2 AND cancelled_at IS NULL")
        .bind(now)
        .bind(app_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn status_of(p: &PassRow, now: i64) -> PassStatus {
    if p.cancelled_at.is_some() {
        PassStatus::Cancelled
    } else if p.single_use && p.used_at.is_some() {
        PassStatus::Used
    } else if now >= p.valid_until {
        PassStatus::Expired
    } else if now < p.valid_from {
        PassStatus::NotYetValid
    } else {
        PassStatus::Valid
    }
}

async fn allowed_gate_names(st: &AppState, p: &PassRow) -> Result<Vec<String>, AppError> {
    let (category, vehicle_gates): (String, String) = sqlx::query_as(
        "SELECT r.category, r.vehicle_gates FROM applications a JOIN visit_reasons r ON r.id = a.reason_id WHERE a.id = $1",
    )
    .bind(&p.application_id)
    .fetch_one(&st.db.read)
    .await?;
    let gates: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT id, name, kind, direction FROM gates WHERE campus_id = $1 AND active = 1 ORDER BY created_at").bind(&p.campus_id).fetch_all(&st.db.read).await?;
    let listed: Vec<String> = serde_json::from_str(&vehicle_gates).unwrap_or_default();
    Ok(gates
        .into_iter()
        .filter(|(id, _, kind, dir)| {
            let kind_ok = if p.vehicle { kind != "pedestrian" } else { kind != "vehicle" };
            let entry_ok = dir != "exit";
            let listed_ok = !p.vehicle || category == "official" || listed.contains(id);
            kind_ok && entry_ok && listed_ok
        })
        .map(|g| g.1)
        .collect())
}

pub async fn pass_view(st: &AppState, link: &str) -> Result<PassView, AppError> {
    let row: Option<PassTuple> = sqlx::query_as(&format!("{PASS_SELECT} WHERE link_hash = $1")).bind(sha256_hex(link.trim().as_bytes())).fetch_optional(&st.db.read).await?;
    let p = pass_row(row.ok_or(AppError::NotFound)?);
    let now = st.clock.now_ms();
    let status = status_of(&p, now);
    let (campus,): (String,) = sqlx::query_as("SELECT name FROM campuses WHERE id = $1").bind(&p.campus_id).fetch_one(&st.db.read).await?;
    let (qr_svg, token_expires) = if matches!(status, PassStatus::Valid | PassStatus::NotYetValid) {
        let claims = claims_for(&p, now);
        let token = sign(st, &claims)?;
        (qr_svg(&qr_text(st, &token))?.0, st.clock.format(claims.exp * 1000))
    } else {
        (String::new(), String::new())
    };
    Ok(PassView {
        holder: p.holder.clone(),
        kind: p.kind.clone(),
        vehicle: p.vehicle,
        campus,
        valid_from: st.clock.format(p.valid_from),
        valid_until: st.clock.format(p.valid_until - 1),
        gates: allowed_gate_names(st, &p).await?,
        status,
        qr_svg,
        token_expires,
    })
}

// ------------------------------------------------------------ scanning

/// Who scans: a guard on the scanner page, or a registered device.
pub enum Scanner {
    Guard { staff_id: String, label: String },
    Device(String),
}

impl Scanner {
    pub fn guard(me: &crate::platform::context::Principal) -> Scanner {
        Scanner::Guard { staff_id: me.staff().map(|s| s.id.clone()).unwrap_or_default(), label: me.actor_label() }
    }

    /// Event ids are unique per source: a phone's or device's own ids
    /// never collide with another's.
    pub fn source(&self) -> String {
        match self {
            Scanner::Guard { staff_id, .. } => format!("guard:{staff_id}"),
            Scanner::Device(id) => format!("device:{id}"),
        }
    }

    fn columns(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Scanner::Guard { label, .. } => (Some(label.as_str()), None),
            Scanner::Device(d) => (None, Some(d.as_str())),
        }
    }
}

struct Gate {
    facts: GateFacts,
}

const GATE_COLUMNS: &str = "g.id, g.campus_id, g.kind, g.direction, g.active";
type GateTuple = (String, String, String, String, i64);

fn gate_facts((id, campus_id, kind, direction, active): GateTuple) -> GateFacts {
    GateFacts {
        id,
        campus_id,
        kind: GateKind::from_code(&kind).unwrap_or(GateKind::Both),
        direction: GateDirection::from_code(&direction).unwrap_or(GateDirection::Both),
        active: active != 0,
    }
}

async fn gate(st: &AppState, gate_id: &str) -> Result<Gate, AppError> {
    let row: Option<GateTuple> = sqlx::query_as(&format!("SELECT {GATE_COLUMNS} FROM gates g WHERE g.id = $1")).bind(gate_id).fetch_optional(&st.db.read).await?;
    Ok(Gate { facts: gate_facts(row.ok_or(AppError::NotFound)?) })
}

/// A pass with everything a verdict needs, read in one query: its visit
/// reason's rules, the entrant's document type, whether a photo exists and
/// whether the holder or plate is blacklisted.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ScanContextRow {
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
    category: String,
    vehicle_gates: String,
    free_minutes: i64,
    cents_per_hour: i64,
    daily_cap_cents: i64,
    doc_type: Option<String>,
    doc_masked: Option<String>,
    has_photo: i64,
    blacklisted: i64,
}

pub(super) const SCAN_CONTEXT: &str = "SELECT p.id, p.application_id, p.entrant_id, p.kind, p.vehicle, p.holder, p.campus_id, p.valid_from, p.valid_until,
        p.single_use, p.used_at, p.cancelled_at, r.category, r.vehicle_gates, r.free_minutes, r.cents_per_hour, r.daily_cap_cents,
        e.doc_type, e.doc_masked,
        CASE WHEN EXISTS (SELECT 1 FROM entrant_photos ph WHERE ph.entrant_id = p.entrant_id) THEN 1 ELSE 0 END AS has_photo,
        CASE WHEN EXISTS (SELECT 1 FROM blacklist b WHERE b.lifted_at IS NULL AND b.kind = 'document' AND b.entry_key = e.doc_mac)
               OR EXISTS (SELECT 1 FROM blacklist b WHERE b.lifted_at IS NULL AND b.kind = 'mobile' AND b.entry_key = e.phone)
               OR (p.vehicle = 1 AND EXISTS (SELECT 1 FROM blacklist b WHERE b.lifted_at IS NULL AND b.kind = 'plate' AND b.entry_key = p.holder))
             THEN 1 ELSE 0 END AS blacklisted
    FROM passes p JOIN applications a ON a.id = p.application_id JOIN visit_reasons r ON r.id = a.reason_id
    LEFT JOIN entrants e ON e.id = p.entrant_id";

impl ScanContextRow {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn pass_row(&self) -> PassRow {
        PassRow {
            id: self.id.clone(),
            application_id: self.application_id.clone(),
            entrant_id: self.entrant_id.clone(),
            kind: self.kind.clone(),
            vehicle: self.vehicle != 0,
            holder: self.holder.clone(),
            campus_id: self.campus_id.clone(),
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            single_use: self.single_use != 0,
            used_at: self.used_at,
            cancelled_at: self.cancelled_at,
        }
    }

    pub fn fees(&self) -> Fees {
        let official = self.category == "official";
        Fees { free_minutes: self.free_minutes, cents_per_hour: if official { 0 } else { self.cents_per_hour }, daily_cap_cents: self.daily_cap_cents }
    }

    fn facts(&self) -> PassFacts {
        PassFacts {
            campus_id: self.campus_id.clone(),
            vehicle: self.vehicle != 0,
            official: self.category == "official",
            allowed_vehicle_gates: serde_json::from_str(&self.vehicle_gates).unwrap_or_default(),
            single_use: self.single_use != 0,
            used: self.used_at.is_some(),
            cancelled: self.cancelled_at.is_some(),
            blacklisted: self.blacklisted != 0,
        }
    }

    /// The verdict at `gate` at `now`, before any spending.
    pub fn verdict(&self, gate: &GateFacts, direction: Direction, now: i64) -> Reason {
        let r = decide(gate, &self.facts(), direction);
        if r == Reason::Ok && now < self.valid_from {
            Reason::NotYetValid
        } else if r == Reason::Ok && now >= self.valid_until {
            Reason::Expired
        } else {
            r
        }
    }

    /// The holder as the guard sees them.
    fn scanned(&self, st: &AppState) -> ScannedPass {
        ScannedPass {
            holder: self.holder.clone(),
            kind: self.kind.clone(),
            vehicle: self.vehicle != 0,
            valid_from: st.clock.format(self.valid_from),
            valid_until: st.clock.format(self.valid_until - 1),
            check_document: super::check_document(self.doc_type.as_deref().unwrap_or("vehicle")),
            document: self.doc_masked.clone(),
            has_photo: self.has_photo != 0,
            pass_id: self.id.clone(),
        }
    }
}

/// Which pass a scan names (its id), or the reason there is none. Plates,
/// ID numbers and mobiles are looked up among today's passes of the campus.
async fn find_pass(st: &AppState, campus_id: &str, input: &ScanInput, now: i64) -> Result<Result<String, Reason>, AppError> {
    let valid_now = "AND valid_from <= $2 AND valid_until > $2 AND cancelled_at IS NULL ORDER BY valid_until LIMIT 1";
    let found: Option<(String,)> = match input {
        ScanInput::Qr(text) => {
            let token = token_from_scan(text);
            let kid = crate::domain::pass_token::header(token).map(|h| h.kid).unwrap_or_default();
            let keys = st.keys.published_with(&st.db, &kid, now).await;
            return Ok(verify(token, &keys, now / 1000).map(|c| c.pid));
        }
        ScanInput::Plate(p) => {
            let Ok(plate) = Plate::parse(p) else { return Ok(Err(Reason::Malformed)) };
            if blacklisted(st, "plate", plate.as_str()).await? {
                return Ok(Err(Reason::Blacklisted));
            }
            sqlx::query_as(&format!("SELECT id FROM passes WHERE vehicle = 1 AND holder = $1 AND campus_id = $3 {valid_now}"))
                .bind(plate.as_str())
                .bind(now)
                .bind(campus_id)
                .fetch_optional(&st.db.read)
                .await?
        }
        ScanInput::IdNumber(n) => {
            let Ok(doc) = DocumentNumber::parse(DocType::ResidentId, n, st.clock.today()) else { return Ok(Err(Reason::Malformed)) };
            let mac = st.keys.pii_mac(&doc.claim_text());
            if blacklisted(st, "document", &mac).await? {
                return Ok(Err(Reason::Blacklisted));
            }
            sqlx::query_as(&format!("SELECT id FROM passes WHERE entrant_id IN (SELECT id FROM entrants WHERE doc_mac = $1) AND campus_id = $3 {valid_now}"))
                .bind(mac)
                .bind(now)
                .bind(campus_id)
                .fetch_optional(&st.db.read)
                .await?
        }
        ScanInput::Mobile(m) => {
            let Ok(phone) = Phone::parse(m) else { return Ok(Err(Reason::Malformed)) };
            sqlx::query_as(&format!("SELECT id FROM passes WHERE entrant_id IN (SELECT id FROM entrants WHERE phone = $1) AND campus_id = $3 {valid_now}"))
                .bind(phone.as_str())
                .bind(now)
                .bind(campus_id)
                .fetch_optional(&st.db.read)
                .await?
        }
    };
    Ok(found.map(|r| r.0).ok_or(Reason::NoPass))
}

async fn blacklisted(st: &AppState, kind: &str, key: &str) -> Result<bool, AppError> {
    let hit: Option<(String,)> = sqlx::query_as("SELECT id FROM blacklist WHERE kind = $1 AND entry_key = $2 AND lifted_at IS NULL")
        .bind(kind)
        .bind(key)
        .fetch_optional(&st.db.read)
        .await?;
    Ok(hit.is_some())
}

/// The verdict for one scan at a gate; with `record`, the scan goes to the
/// recorder, which reads the pass, decides, spends a single-use pass,
/// moves the holder in or out and logs the scan in its next batch, and
/// answers once that is committed.
pub async fn scan(st: &AppState, gate_id: &str, direction: Direction, input: &ScanInput, who: &Scanner, record: bool, event_id: Option<&str>) -> Result<Verdict, AppError> {
    let gate = gate(st, gate_id).await?;
    scan_at(st, &gate.facts, direction, input, who, record, event_id).await
}

/// `scan` at a gate already read (a device's key names its gate).
pub async fn scan_at(st: &AppState, gate: &GateFacts, direction: Direction, input: &ScanInput, who: &Scanner, record: bool, event_id: Option<&str>) -> Result<Verdict, AppError> {
    if event_id.is_some_and(|e| e.is_empty() || e.len() > 100) {
        return Err(AppError::invalid("event_id", Msg::ErrRequired));
    }
    let now = st.clock.now_ms();
    let method = match input {
        ScanInput::Qr(_) => "qr",
        ScanInput::Plate(_) => "plate",
        ScanInput::IdNumber(_) => "id_number",
        ScanInput::Mobile(_) => "mobile",
    };
    let target = find_pass(st, &gate.campus_id, input, now).await?;
    if !record {
        // A preview: read and decide, change nothing.
        let ctx = match &target {
            Ok(pid) => sqlx::query_as::<_, ScanContextRow>(&format!("{SCAN_CONTEXT} WHERE p.id = $1")).bind(pid).fetch_optional(&st.db.read).await?,
            Err(_) => None,
        };
        let reason = match (&target, &ctx) {
            (Err(r), _) => *r,
            (Ok(_), None) => Reason::UnknownPass,
            (Ok(_), Some(c)) => c.verdict(gate, direction, now),
        };
        return Ok(verdict(st, reason, None, ctx.as_ref()));
    }
    let (guard, device) = who.columns();
    let recorded = st
        .recorder
        .record(super::recorder::ScanRecord {
            event_key: format!("{}:{}", who.source(), event_id.map(str::to_owned).unwrap_or_else(new_id)),
            replayable: event_id.is_some(),
            at: now,
            gate: gate.clone(),
            guard: guard.map(str::to_owned),
            device_id: device.map(str::to_owned),
            direction,
            method,
            target,
        })
        .await?;
    Ok(verdict(st, recorded.reason, recorded.fee, recorded.context.as_ref()))
}

fn verdict(st: &AppState, reason: Reason, fee: Option<i64>, ctx: Option<&ScanContextRow>) -> Verdict {
    Verdict {
        allow: reason == Reason::Ok,
        reason,
        message: reason.msg().text(Lang::Zh).to_owned(),
        fee_cents: fee,
        // A refused scan names the holder only when the pass itself is real.
        pass: ctx.map(|c| c.scanned(st)),
    }
}

/// Spends a single-use pass: one conditional update, whose row count says
/// whether this caller was the one that spent it.
pub(super) async fn spend(tx: &mut Tx<'_>, pass_id: &str, gate_id: &str, at: i64, now: i64) -> Result<bool, AppError> {
    let r = sqlx::query("UPDATE passes SET used_at = $1, used_gate_id = $2, updated_at = $3 WHERE id = $4 AND used_at IS NULL")
        .bind(at)
        .bind(gate_id)
        .bind(now)
        .bind(pass_id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The parking rule of a pass's visit reason.
#[derive(Clone, Copy, Debug)]
pub struct Fees {
    pub free_minutes: i64,
    pub cents_per_hour: i64,
    pub daily_cap_cents: i64,
}

async fn fees_of(tx: &mut Tx<'_>, application_id: &str) -> Result<Fees, AppError> {
    let (category, free_minutes, cents_per_hour, daily_cap_cents): (String, i64, i64, i64) = sqlx::query_as(
        "SELECT r.category, r.free_minutes, r.cents_per_hour, r.daily_cap_cents FROM applications a JOIN visit_reasons r ON r.id = a.reason_id WHERE a.id = $1",
    )
    .bind(application_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Fees { free_minutes, cents_per_hour: if category == "official" { 0 } else { cents_per_hour }, daily_cap_cents })
}

/// People entering: who is on campus now, for many passes in one statement.
/// A late (offline) entry never replaces a newer one.
pub(super) async fn people_in(tx: &mut Tx<'_>, entries: &[(&str, &str, i64, &str)]) -> Result<(), AppError> {
    for chunk in crate::platform::db::row_chunks(entries) {
        let mut sql = String::from("INSERT INTO people_inside (pass_id, campus_id, entered_at, gate_id) VALUES ");
        for i in 0..chunk.len() {
            let b = i * 4;
            sql.push_str(&format!("{}(${}, ${}, ${}, ${})", if i == 0 { "" } else { ", " }, b + 1, b + 2, b + 3, b + 4));
        }
        sql.push_str(
            " ON CONFLICT (pass_id) DO UPDATE SET entered_at = excluded.entered_at, campus_id = excluded.campus_id, gate_id = excluded.gate_id
              WHERE people_inside.entered_at <= excluded.entered_at",
        );
        let mut q = sqlx::query(&sql);
        for (pass_id, campus_id, at, gate_id) in chunk {
            q = q.bind(*pass_id).bind(*campus_id).bind(*at).bind(*gate_id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Moves a holder in or out: who is on campus now (people by pass,
/// vehicles by plate), and a vehicle's exit computes its parking fee. A
/// late offline event never overwrites a newer state.
pub(super) async fn passage(tx: &mut Tx<'_>, p: &PassRow, fees: &Fees, gate_id: &str, direction: Direction, at: i64) -> Result<Option<i64>, AppError> {
    match (p.vehicle, direction) {
        (false, Direction::In) => {
            people_in(tx, &[(&p.id, &p.campus_id, at, gate_id)]).await?;
            Ok(None)
        }
        (false, Direction::Out) => {
            sqlx::query("DELETE FROM people_inside WHERE pass_id = $1 AND entered_at <= $2").bind(&p.id).bind(at).execute(&mut **tx).await?;
            Ok(None)
        }
        (true, Direction::In) => {
            sqlx::query("DELETE FROM vehicles_inside WHERE plate = $1 AND entered_at <= $2").bind(&p.holder).bind(at).execute(&mut **tx).await?;
            sqlx::query("INSERT INTO vehicles_inside (plate, campus_id, entered_at, pass_id, gate_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (plate) DO NOTHING")
                .bind(&p.holder)
                .bind(&p.campus_id)
                .bind(at)
                .bind(&p.id)
                .bind(gate_id)
                .execute(&mut **tx)
                .await?;
            Ok(None)
        }
        (true, Direction::Out) => {
            let inside: Option<(i64,)> =
                sqlx::query_as("SELECT entered_at FROM vehicles_inside WHERE plate = $1 AND entered_at <= $2").bind(&p.holder).bind(at).fetch_optional(&mut **tx).await?;
            let Some((entered,)) = inside else { return Ok(Some(0)) };
            sqlx::query("DELETE FROM vehicles_inside WHERE plate = $1 AND entered_at = $2").bind(&p.holder).bind(entered).execute(&mut **tx).await?;
            let cents = parking_fee_cents(entered, at, fees.free_minutes, fees.cents_per_hour, fees.daily_cap_cents);
            if cents > 0 {
                sqlx::query("INSERT INTO parking_fees (id, plate, pass_id, campus_id, entered_at, left_at, cents) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(new_id())
                    .bind(&p.holder)
                    .bind(&p.id)
                    .bind(&p.campus_id)
                    .bind(entered)
                    .bind(at)
                    .bind(cents)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok(Some(cents))
        }
    }
}

// ------------------------------------------------------------ gate devices

pub async fn devices(st: &AppState) -> Result<Vec<DeviceView>, AppError> {
    let rows: Vec<(String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT d.id, d.gate_id, g.name, d.name, d.active, d.last_seen_at FROM gate_devices d JOIN gates g ON g.id = d.gate_id ORDER BY d.created_at",
    )
    .fetch_all(&st.db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, gate_id, gate, name, active, seen)| DeviceView { id, gate_id, gate, name, active: active != 0, last_seen: seen.map(|s| st.clock.format(s)) })
        .collect())
}

pub async fn register_device(st: &AppState, me: &crate::platform::context::Principal, gate_id: &str, name: &str) -> Result<String, AppError> {
    let name = crate::directory::ssr::text("name", name, 50)?;
    let g: Option<(String,)> = sqlx::query_as("SELECT id FROM gates WHERE id = $1").bind(gate_id).fetch_optional(&st.db.read).await?;
    g.ok_or_else(|| AppError::invalid("gate_id", Msg::ErrUnknownGate))?;
    // 256 random bits; only the digest is kept.
    let key = random_token(32);
    let now = st.clock.now_ms();
    let id = new_id();
    let mut tx = st.db.write.begin().await?;
    sqlx::query("INSERT INTO gate_devices (id, gate_id, name, key_hash, active, created_at) VALUES ($1, $2, $3, $4, 1, $5)")
        .bind(&id)
        .bind(gate_id)
        .bind(&name)
        .bind(sha256_hex(key.as_bytes()))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    crate::platform::audit::record(&mut *tx, now, &me.actor_label(), "register_device", "gate_device", &id, serde_json::json!({"gate_id": gate_id, "name": name}), None).await?;
    tx.commit().await?;
    st.devices.clear();
    Ok(key)
}

pub async fn set_device_active(st: &AppState, me: &crate::platform::context::Principal, id: &str, active: bool) -> Result<(), AppError> {
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let r = sqlx::query("UPDATE gate_devices SET active = $1 WHERE id = $2").bind(active as i64).bind(id).execute(&mut *tx).await?;
    if r.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    crate::platform::audit::record(&mut *tx, now, &me.actor_label(), "set_device_active", "gate_device", id, serde_json::json!({"active": active}), None).await?;
    tx.commit().await?;
    st.devices.clear();
    Ok(())
}

/// The device a bearer key belongs to, with its gate.
pub type DeviceAndGate = (String, GateFacts, Option<i64>);

/// Devices by key digest, for a few seconds: a turnstile asks many times a
/// second, and its key, device and gate rarely change. The database stays
/// the truth: a change made here clears the cache at once, one made on
/// another server is seen within `DEVICE_CACHE_MS`.
#[derive(Default)]
pub struct DeviceCache(std::sync::Mutex<std::collections::HashMap<String, (i64, Option<DeviceAndGate>)>>);

pub const DEVICE_CACHE_MS: i64 = 5_000;

impl DeviceCache {
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn get(&self, digest: &str, now: i64) -> Option<Option<DeviceAndGate>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(digest).filter(|(at, _)| now - at < DEVICE_CACHE_MS).map(|(_, d)| d.clone())
    }

    fn put(&self, digest: String, now: i64, d: Option<DeviceAndGate>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Junk keys must not grow it without bound.
        if map.len() > 10_000 {
            map.retain(|_, (at, _)| now - *at < DEVICE_CACHE_MS);
        }
        map.insert(digest, (now, d));
    }

    /// Notes that the device was just marked seen.
    pub fn seen(&self, device_id: &str, now: i64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for (_, d) in map.values_mut() {
            if let Some(d) = d.as_mut().filter(|d| d.0 == device_id) {
                d.2 = Some(now);
            }
        }
    }
}

pub async fn device_for_key(st: &AppState, key: &str) -> Result<Option<DeviceAndGate>, AppError> {
    let digest = sha256_hex(key.as_bytes());
    let now = st.clock.now_ms();
    if let Some(hit) = st.devices.get(&digest, now) {
        return Ok(hit);
    }
    type Row = (String, Option<i64>, String, String, String, String, i64);
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT d.id, d.last_seen_at, {GATE_COLUMNS} FROM gate_devices d JOIN gates g ON g.id = d.gate_id WHERE d.key_hash = $1 AND d.active = 1"
    ))
    .bind(&digest)
    .fetch_optional(&st.db.read)
    .await?;
    let found = row.map(|(id, seen, gid, campus, kind, dir, active)| (id, gate_facts((gid, campus, kind, dir, active)), seen));
    st.devices.put(digest, now, found.clone());
    Ok(found)
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

/// Passes valid today at a campus (changed since `since`, when given), and
/// the ids that must no longer let anyone in: what a phone or device needs
/// offline. A delta also carries the passes that entered the day's window
/// since the last sync (booked earlier, valid from today).
pub async fn roster(st: &AppState, campus_id: &str, since: Option<i64>) -> Result<Roster, AppError> {
    const DAY: i64 = 24 * 3_600_000;
    let now = st.clock.now_ms();
    let since_ms = since.unwrap_or(0).max(0);
    type R = (String, String, String, i64, i64, i64, i64, i64, String, String, i64, Option<String>, i64);
    let rows: Vec<R> = sqlx::query_as(
        "SELECT p.id, p.holder, p.kind, p.vehicle, p.single_use, COALESCE(p.used_at, 0), p.valid_from, p.valid_until, r.category, r.vehicle_gates,
                CASE WHEN p.cancelled_at IS NULL THEN 0 ELSE 1 END, e.doc_type,
                CASE WHEN EXISTS (SELECT 1 FROM blacklist b WHERE b.lifted_at IS NULL AND (
                    (b.kind = 'document' AND b.entry_key = e.doc_mac) OR (b.kind = 'mobile' AND b.entry_key = e.phone)
                    OR (b.kind = 'plate' AND p.vehicle = 1 AND b.entry_key = p.holder))) THEN 1 ELSE 0 END
         FROM passes p JOIN applications a ON a.id = p.application_id JOIN visit_reasons r ON r.id = a.reason_id
         LEFT JOIN entrants e ON e.id = p.entrant_id
         WHERE p.campus_id = $1 AND p.valid_until > $2 AND p.valid_from < $3 AND (p.updated_at >= $4 OR p.valid_from >= $5)",
    )
    .bind(campus_id)
    .bind(now)
    .bind(now + DAY)
    .bind(since_ms)
    .bind(since_ms + DAY)
    .fetch_all(&st.db.read)
    .await?;
    let mut passes = Vec::new();
    let mut cancelled = Vec::new();
    for r in rows {
        if r.10 != 0 || r.12 != 0 {
            cancelled.push(r.0);
            continue;
        }
        let vehicle = r.3 != 0;
        passes.push(RosterPass {
            pid: r.0,
            holder: if vehicle { r.1 } else { mask_name(&r.1) },
            kind: r.2,
            vehicle,
            single_use: r.4 != 0,
            used: r.5 != 0,
            valid_from: r.6,
            valid_until: r.7,
            valid_text: format!("{} → {}", st.clock.format(r.6), st.clock.format(r.7 - 1)),
            official: r.8 == "official",
            allowed_vehicle_gates: serde_json::from_str(&r.9).unwrap_or_default(),
            check_document: if vehicle { "vehicle".into() } else { r.11.unwrap_or_else(|| "resident_id".into()) },
        });
    }
    let gates: Vec<(String,)> = sqlx::query_as("SELECT id FROM gates WHERE campus_id = $1 ORDER BY created_at").bind(campus_id).fetch_all(&st.db.read).await?;
    let mut gate_facts = Vec::with_capacity(gates.len());
    for (id,) in gates {
        gate_facts.push(gate(st, &id).await?.facts);
    }
    Ok(Roster {
        campus_id: campus_id.to_owned(),
        generated_at: now,
        delta: since.is_some(),
        keys: public_keys(st).await?,
        gates: gate_facts,
        passes,
        cancelled,
    })
}

pub use super::ssr_types::{IngestOutcome, MAX_EVENTS_PER_BATCH, OfflineEvent};

/// Stores each event once, however often it is sent: `(source, event_id)`
/// is unique. An offline admission of a single-use pass spends it; a second
/// one is kept and flagged as a conflict. Admissions move the holder in or
/// out (who is on campus, vehicles' fees) unless a newer state is known.
pub async fn ingest(st: &AppState, who: &Scanner, gate_id: &str, events: &[OfflineEvent]) -> Result<IngestOutcome, AppError> {
    let g = gate(st, gate_id).await?;
    if events.len() > MAX_EVENTS_PER_BATCH {
        return Err(AppError::invalid("events", Msg::ErrTooManyEvents));
    }
    if let Some(bad) = events.iter().find(|e| e.event_id.is_empty() || e.event_id.len() > 100) {
        let _ = bad;
        return Err(AppError::invalid("event_id", Msg::ErrRequired));
    }
    let source = who.source();
    let (guard, device) = who.columns();
    let now = st.clock.now_ms();
    let mut out = IngestOutcome { accepted: 0, duplicates: 0, conflicts: vec![] };
    for e in events {
        let key = format!("{source}:{}", e.event_id);
        let mut tx = st.db.write.begin().await?;
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM scan_events WHERE event_key = $1").bind(&key).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            out.duplicates += 1;
            continue;
        }
        let pass: Option<PassTuple> = match &e.pass_id {
            Some(pid) => sqlx::query_as(&format!("{PASS_SELECT} WHERE id = $1")).bind(pid).fetch_optional(&mut *tx).await?,
            None => None,
        };
        // Only passes of this gate's campus count; anything else is kept as told.
        let pass = pass.map(pass_row).filter(|p| p.campus_id == g.facts.campus_id);
        let mut conflict = false;
        if let (true, Some(p)) = (e.allowed, &pass) {
            if p.single_use && e.direction == Direction::In {
                conflict = !spend(&mut tx, &p.id, gate_id, e.at, now).await?;
            }
            if !conflict {
                let fees = fees_of(&mut tx, &p.application_id).await?;
                passage(&mut tx, p, &fees, gate_id, e.direction, e.at).await?;
            }
        }
        let r = sqlx::query(
            "INSERT INTO scan_events (id, event_key, at, recorded_at, campus_id, gate_id, guard, device_id, direction, method, pass_id, plate, allowed, reason, offline, conflict)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'offline', $10, $11, $12, $13, 1, $14)",
        )
        .bind(new_id())
        .bind(&key)
        .bind(e.at)
        .bind(now)
        .bind(&g.facts.campus_id)
        .bind(gate_id)
        .bind(guard)
        .bind(device)
        .bind(e.direction.code())
        .bind(&e.pass_id)
        .bind(e.plate.clone().or_else(|| pass.as_ref().filter(|p| p.vehicle).map(|p| p.holder.clone())))
        .bind(e.allowed as i64)
        .bind(e.reason.code())
        .bind(conflict as i64)
        .execute(&mut *tx)
        .await;
        match r {
            Ok(_) => {
                tx.commit().await?;
                out.accepted += 1;
                if conflict {
                    out.conflicts.push(e.pass_id.clone().unwrap_or_default());
                }
            }
            // Sent twice at the same moment: the other copy is stored.
            Err(err) if crate::platform::db::is_unique_violation(&err) => out.duplicates += 1,
            Err(err) => return Err(err.into()),
        }
    }
    Ok(out)
}

pub async fn settle_fees(st: &AppState, me: &crate::platform::context::Principal, plate: &str) -> Result<i64, AppError> {
    let plate = Plate::parse(plate).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let (cents,): (i64,) = sqlx::query_as("SELECT CAST(COALESCE(SUM(cents), 0) AS BIGINT) FROM parking_fees WHERE plate = $1 AND settled_at IS NULL")
        .bind(plate.as_str())
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query("UPDATE parking_fees SET settled_at = $1, settled_by = $2 WHERE plate = $3 AND settled_at IS NULL")
        .bind(now)
        .bind(me.actor_label())
        .bind(plate.as_str())
        .execute(&mut *tx)
        .await?;
    crate::platform::audit::record(&mut *tx, now, &me.actor_label(), "settle_fees", "vehicle", plate.as_str(), serde_json::json!({"cents": cents}), None).await?;
    tx.commit().await?;
    Ok(cents)
}

pub async fn clear_inside(st: &AppState, me: &crate::platform::context::Principal, plate: &str, reason: &str) -> Result<(), AppError> {
    let plate = Plate::parse(plate).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?;
    let reason = crate::directory::ssr::text("reason", reason, 200)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let r = sqlx::query("DELETE FROM vehicles_inside WHERE plate = $1").bind(plate.as_str()).execute(&mut *tx).await?;
    if r.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    crate::platform::audit::record(&mut *tx, now, &me.actor_label(), "clear_inside", "vehicle", plate.as_str(), serde_json::json!({"reason": reason}), None).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn campus_of_gate(st: &AppState, gate_id: &str) -> Result<String, AppError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT campus_id FROM gates WHERE id = $1").bind(gate_id).fetch_optional(&st.db.read).await?;
    Ok(row.ok_or(AppError::NotFound)?.0)
}

/// A holder's face photo for the guard at `gate_id`: only for a pass of
/// that gate's campus that has not ended more than a day ago.
pub async fn photo(st: &AppState, gate_id: &str, pass_id: &str) -> Result<Option<String>, AppError> {
    let campus = campus_of_gate(st, gate_id).await?;
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT ph.data FROM passes p LEFT JOIN entrant_photos ph ON ph.entrant_id = p.entrant_id
         WHERE p.id = $1 AND p.campus_id = $2 AND p.valid_until > $3",
    )
    .bind(pass_id)
    .bind(&campus)
    .bind(st.clock.now_ms() - 24 * 3_600_000)
    .fetch_optional(&st.db.read)
    .await?;
    Ok(row.ok_or(AppError::NotFound)?.0)
}

// ------------------------------------------------------------ the security office

/// One page of the scan log, newest first.
pub async fn scan_log(st: &AppState, f: &ScanFilter) -> Result<Vec<ScanRow>, AppError> {
    let mut sql = String::from(
        "SELECT e.at, c.name, g.name, e.direction, e.method, e.allowed, e.reason, e.offline, e.conflict, e.guard, d.name, p.holder, p.vehicle, p.kind
         FROM scan_events e LEFT JOIN campuses c ON c.id = e.campus_id LEFT JOIN gates g ON g.id = e.gate_id
         LEFT JOIN gate_devices d ON d.id = e.device_id LEFT JOIN passes p ON p.id = e.pass_id WHERE 1 = 1",
    );
    let tz = st.clock.tz;
    let day_start = |d: &str, next: bool| -> Option<i64> {
        let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?;
        let date = if next { date.succ_opt()? } else { date };
        Some(date.and_hms_opt(0, 0, 0)?.and_local_timezone(tz).single()?.timestamp_millis())
    };
    // Empty filters match everything; the newest-first index serves the rest.
    sql.push_str(
        " AND ($1 = '' OR e.campus_id = $1) AND ($2 = '' OR e.gate_id = $2) AND e.at >= $3 AND e.at < $4
          AND ($5 = '' OR ($5 = 'allowed' AND e.allowed = 1) OR ($5 = 'refused' AND e.allowed = 0) OR ($5 = 'conflict' AND e.conflict = 1))
          ORDER BY e.at DESC LIMIT 100 OFFSET $6",
    );
    type R = (i64, Option<String>, Option<String>, String, String, i64, String, i64, i64, Option<String>, Option<String>, Option<String>, Option<i64>, Option<String>);
    let q = sqlx::query_as::<_, R>(&sql)
        .bind(&f.campus_id)
        .bind(&f.gate_id)
        .bind(day_start(&f.from, false).unwrap_or(0))
        .bind(day_start(&f.to, true).unwrap_or(i64::MAX))
        .bind(&f.verdict)
        .bind(f.offset.max(0));
    let rows = q.fetch_all(&st.db.read).await?;
    Ok(rows
        .into_iter()
        .map(|r| ScanRow {
            at: st.clock.format(r.0),
            campus: r.1.unwrap_or_default(),
            gate: r.2.unwrap_or_default(),
            direction: if r.3 == "in" { Direction::In } else { Direction::Out },
            method: r.4,
            allowed: r.5 != 0,
            reason: Reason::from_code(&r.6).unwrap_or(Reason::Malformed),
            offline: r.7 != 0,
            conflict: r.8 != 0,
            scanner: r.9.or(r.10.map(|d| format!("device:{d}"))).unwrap_or_default(),
            // The log names people masked; plates in full.
            holder: match (r.11, r.12) {
                (Some(h), Some(1)) => h,
                (Some(h), _) => mask_name(&h),
                (None, _) => String::new(),
            },
            kind: r.13.unwrap_or_default(),
        })
        .collect())
}

/// Who is on campus now: people by their last entry without an exit, and
/// vehicles recorded inside.
pub async fn on_campus(st: &AppState, campus_id: &str) -> Result<OnCampus, AppError> {
    let people: Vec<(String, String, i64, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT c.name, p.holder, i.entered_at, g.name, p.kind, p.valid_until FROM people_inside i JOIN passes p ON p.id = i.pass_id
         JOIN campuses c ON c.id = i.campus_id LEFT JOIN gates g ON g.id = i.gate_id
         WHERE ($1 = '' OR i.campus_id = $1) ORDER BY i.entered_at DESC LIMIT 1000",
    )
    .bind(campus_id)
    .fetch_all(&st.db.read)
    .await?;
    let vehicles: Vec<(String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT c.name, v.plate, v.entered_at, g.name FROM vehicles_inside v JOIN campuses c ON c.id = v.campus_id LEFT JOIN gates g ON g.id = v.gate_id
         WHERE ($1 = '' OR v.campus_id = $1) ORDER BY v.entered_at DESC LIMIT 1000",
    )
    .bind(campus_id)
    .fetch_all(&st.db.read)
    .await?;
    let now = st.clock.now_ms();
    Ok(OnCampus {
        people: people
            .into_iter()
            .map(|(campus, holder, at, gate, kind, until)| InsideRow {
                campus,
                who: mask_name(&holder),
                entered_at: st.clock.format(at),
                gate: gate.unwrap_or_default(),
                kind,
                overdue: until <= now,
            })
            .collect(),
        vehicles: vehicles
            .into_iter()
            .map(|(campus, plate, at, gate)| InsideRow { campus, who: plate, entered_at: st.clock.format(at), gate: gate.unwrap_or_default(), kind: "vehicle".into(), overdue: false })
            .collect(),
    })
}

pub async fn campuses_and_gates(st: &AppState) -> Result<Vec<GateOption>, AppError> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.id, c.name, g.id, g.name FROM gates g JOIN campuses c ON c.id = g.campus_id ORDER BY c.created_at, g.created_at",
    )
    .fetch_all(&st.db.read)
    .await?;
    Ok(rows.into_iter().map(|(campus_id, campus, gate_id, gate)| GateOption { campus_id, campus, gate_id, gate }).collect())
}

pub async fn signing_keys(st: &AppState) -> Result<Vec<SigningKeyView>, AppError> {
    let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as("SELECT kid, created_at, retired_at FROM signing_keys ORDER BY created_at DESC").fetch_all(&st.db.read).await?;
    let current = st.keys.signing().0;
    Ok(rows
        .into_iter()
        .map(|(kid, created, retired)| SigningKeyView {
            current: kid == current,
            kid,
            created_at: st.clock.format(created),
            retired_at: retired.map(|r| st.clock.format(r)),
        })
        .collect())
}

pub async fn rotate_signing_key(st: &AppState, me: &crate::platform::context::Principal) -> Result<String, AppError> {
    let now = st.clock.now_ms();
    let kid = st.keys.rotate(&st.db, now).await.map_err(|e| {
        tracing::error!(error = %e, "rotating the signing key failed");
        AppError::Internal
    })?;
    let mut tx = st.db.write.begin().await?;
    crate::platform::audit::record(&mut *tx, now, &me.actor_label(), "rotate_signing_key", "signing_key", &kid, serde_json::json!({}), None).await?;
    tx.commit().await?;
    Ok(kid)
}
