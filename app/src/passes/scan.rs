//! Online scanning: which pass a scan names, its verdict (the domain's one
//! rule, as on the guard's phone), and handing it to the recorder
//! (`recorder.rs`) that spends, moves and logs it in batches. Also the
//! holder's photo for the guard.

use super::scan_context::{SCAN_CONTEXT, ScanContextRow, gate, verdict_for};
use super::state::ScanState;
use super::*;
use crate::domain::document::{DocType, DocumentNumber};
use crate::domain::gate::{GateFacts, pass_named_by_qr};
use crate::domain::{Phone, Plate};
use crate::i18n::{Lang, Msg};
use crate::platform::context::{AppState, Principal};
use crate::platform::db::new_id;
use crate::rules::BlacklistKind;
use crate::rules::listed::first_listed;

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

    pub(super) fn columns(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Scanner::Guard { label, .. } => (Some(label.as_str()), None),
            Scanner::Device(d) => (None, Some(d.as_str())),
        }
    }
}

/// Which pass a scan names (its id), or the reason there is none. Plates,
/// ID numbers and mobiles are looked up among today's passes of the campus.
async fn find_pass(st: &AppState, gate: &GateFacts, input: &ScanInput, now: i64) -> Result<Result<String, Reason>, AppError> {
    let valid_now = "AND valid_from <= $2 AND valid_until > $2 AND cancelled_at IS NULL ORDER BY valid_until LIMIT 1";
    let found: Option<(String,)> = match input {
        ScanInput::Qr(text) => {
            let kid = crate::domain::pass_token::header(crate::domain::pass_token::token_from_scan(text)).map(|h| h.kid).unwrap_or_default();
            let keys = st.keys.published_with(&st.db, &kid, now).await;
            return Ok(pass_named_by_qr(text, &keys, gate, now));
        }
        ScanInput::Plate(p) => {
            let Ok(plate) = Plate::parse(p) else { return Ok(Err(Reason::Malformed)) };
            if first_listed(&st.db.read, &[(BlacklistKind::Plate, plate.as_str())]).await?.is_some() {
                return Ok(Err(Reason::Blacklisted));
            }
            sqlx::query_as(&format!("SELECT id FROM passes WHERE vehicle = 1 AND holder = $1 AND campus_id = $3 {valid_now}"))
                .bind(plate.as_str())
                .bind(now)
                .bind(&gate.campus_id)
                .fetch_optional(&st.db.read)
                .await?
        }
        ScanInput::IdNumber(n) => {
            let Ok(doc) = DocumentNumber::parse(DocType::ResidentId, n, st.clock.today()) else { return Ok(Err(Reason::Malformed)) };
            let mac = st.keys.pii_mac(&doc.claim_text());
            if first_listed(&st.db.read, &[(BlacklistKind::Document, &mac)]).await?.is_some() {
                return Ok(Err(Reason::Blacklisted));
            }
            sqlx::query_as(&format!(
                "SELECT id FROM passes WHERE entrant_id IN (SELECT id FROM entrants WHERE doc_mac = $1) AND campus_id = $3 {valid_now}"
            ))
            .bind(mac)
            .bind(now)
            .bind(&gate.campus_id)
            .fetch_optional(&st.db.read)
            .await?
        }
        ScanInput::Mobile(m) => {
            let Ok(phone) = Phone::parse(m) else { return Ok(Err(Reason::Malformed)) };
            sqlx::query_as(&format!(
                "SELECT id FROM passes WHERE entrant_id IN (SELECT id FROM entrants WHERE phone = $1) AND campus_id = $3 {valid_now}"
            ))
            .bind(phone.as_str())
            .bind(now)
            .bind(&gate.campus_id)
            .fetch_optional(&st.db.read)
            .await?
        }
    };
    Ok(found.map(|r| r.0).ok_or(Reason::NoPass))
}

/// The verdict for one scan at a gate; with `record`, the scan goes to the
/// recorder, which reads the pass, decides, spends a single-use pass,
/// moves the holder in or out and logs the scan in its next batch, and
/// answers once that is committed.
#[allow(clippy::too_many_arguments)] // each a fact of the scan, named at every call
pub async fn scan(
    st: &AppState,
    scans: &ScanState,
    gate_id: &str,
    direction: Direction,
    input: &ScanInput,
    who: &Scanner,
    record: bool,
    event_id: Option<&str>,
) -> Result<Verdict, AppError> {
    let gate = gate(st, gate_id).await?;
    scan_at(st, scans, &gate.facts, direction, input, who, record, event_id).await
}

/// `scan` at a gate already read (a device's key names its gate).
#[allow(clippy::too_many_arguments)] // as `scan`
pub async fn scan_at(
    st: &AppState,
    scans: &ScanState,
    gate: &GateFacts,
    direction: Direction,
    input: &ScanInput,
    who: &Scanner,
    record: bool,
    event_id: Option<&str>,
) -> Result<Verdict, AppError> {
    if event_id.is_some_and(|e| !crate::domain::gate::event_id_ok(e)) {
        return Err(AppError::invalid("event_id", Msg::ErrRequired));
    }
    let now = st.clock.now_ms();
    let method = match input {
        ScanInput::Qr(_) => "qr",
        ScanInput::Plate(_) => "plate",
        ScanInput::IdNumber(_) => "id_number",
        ScanInput::Mobile(_) => "mobile",
    };
    let target = find_pass(st, gate, input, now).await?;
    if !record {
        // A preview: read and decide, change nothing.
        let ctx = match &target {
            Ok(pid) => {
                sqlx::query_as::<_, ScanContextRow>(&format!("{} WHERE p.id = $1", *SCAN_CONTEXT)).bind(pid).fetch_optional(&st.db.read).await?
            }
            Err(_) => None,
        };
        let reason = match &target {
            Err(r) => *r,
            Ok(_) => verdict_for(ctx.as_ref(), gate, direction, now),
        };
        return Ok(verdict(st, reason, None, ctx.as_ref()));
    }
    let (guard, device) = who.columns();
    let recorded = scans
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

pub async fn campus_of_gate(st: &AppState, gate_id: &str) -> Result<String, AppError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT campus_id FROM gates WHERE id = $1").bind(gate_id).fetch_optional(&st.db.read).await?;
    Ok(row.ok_or(AppError::NotFound)?.0)
}

/// A holder's face photo for the guard at `gate_id`: only for a pass of
/// that gate's campus that has not ended more than a day ago.
pub async fn photo(st: &AppState, me: &Principal, gate_id: &str, pass_id: &str) -> Result<Option<String>, AppError> {
    let campus = campus_of_gate(st, gate_id).await?;
    let now = st.clock.now_ms();
    // Only the pass this guard is checking now at this gate: one they
    // scanned here in the last minutes. The roster's pass ids are no key
    // to the campus's photos.
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT ph.data FROM passes p LEFT JOIN entrant_photos ph ON ph.entrant_id = p.entrant_id
         WHERE p.id = $1 AND p.campus_id = $2 AND p.valid_until > $3
           AND EXISTS (SELECT 1 FROM scan_events s WHERE s.pass_id = p.id AND s.at > $4 AND s.gate_id = $5 AND s.guard = $6)",
    )
    .bind(pass_id)
    .bind(&campus)
    .bind(now - 24 * 3_600_000)
    .bind(now - PHOTO_AFTER_SCAN_MS)
    .bind(gate_id)
    .bind(me.actor_label())
    .fetch_optional(&st.db.read)
    .await?;
    let photo = row.ok_or(AppError::NotFound)?.0;
    if photo.is_some() {
        // Who looked at whose face, and when.
        crate::platform::audit::record(
            &st.db.write,
            now,
            &me.actor_label(),
            "view_photo",
            "pass",
            pass_id,
            serde_json::json!({"gate": gate_id}),
            None,
        )
        .await?;
    }
    Ok(photo)
}

/// How long after a scan its guard may see the holder's photo.
const PHOTO_AFTER_SCAN_MS: i64 = 5 * 60_000;
