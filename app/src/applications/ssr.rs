//! The server side of applications: every rule is checked here, whatever
//! the page did. Writes are transactions whose conditions (unique claim
//! rows, a version in the `WHERE`) decide races.

use super::*;
use crate::domain::claims::{self, ClaimKind, EntrantKeys};
use crate::domain::document::{DocumentError, DocumentNumber, MAX_ENTRANTS};
use crate::domain::lifecycle::{self, Action, Actor};
use crate::domain::policy::{PassPolicy, StepApprover};
use crate::domain::visit_dates::DateProblem;
use crate::domain::{Phone, Plate, Role};
use crate::platform::context::{AppState, Principal, Subject, client_ip};
use crate::platform::{audit, db::{Script, Statement, is_unique_violation, new_id}, keys::random_token, keys::sha256_hex, sms};
use base64::Engine;
use chrono::NaiveDate;
use serde_json::json;

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// Who may act on one step of an application, fixed at submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChainStep {
    /// The host's own step (only the host acts on it).
    pub host: bool,
    pub staff_id: Option<String>,
    pub department_id: Option<String>,
}

impl ChainStep {
    fn held_by(&self, me: &Principal) -> bool {
        match (&self.staff_id, &self.department_id, me.staff()) {
            (Some(id), _, Some(s)) if self.host => *id == s.id,
            (_, Some(d), Some(_)) if !self.host => me.has_scoped(Role::Approver, d),
            _ => false,
        }
    }
}

// ------------------------------------------------------------ loading

pub async fn policy(st: &AppState, kind: PassKind) -> Result<PassPolicy, AppError> {
    let code = kind_code(kind);
    let row: Option<(String,)> = sqlx::query_as("SELECT policy FROM pass_policies WHERE kind = $1").bind(&code).fetch_optional(&st.db.read).await?;
    stored_policy(&code, row.map(|r| r.0))
}

/// A pass kind as stored (`Visitor` → `"Visitor"` without the quotes).
pub(crate) fn kind_code(kind: PassKind) -> String {
    serde_json::to_string(&kind).unwrap_or_default().trim_matches('"').to_owned()
}

/// A policy as stored (JSON), or "not offered" when there is none.
fn stored_policy(code: &str, stored: Option<String>) -> Result<PassPolicy, AppError> {
    match stored {
        Some(p) => serde_json::from_str(&p).map_err(|e| {
            tracing::error!(error = %e, kind = code, "stored pass policy unreadable");
            AppError::Internal
        }),
        None => Err(AppError::invalid("kind", Msg::ErrKindNotOffered)),
    }
}

/// Puts the seed guides' default policies and visit reasons into an empty
/// database; the security office edits them from then on.
pub async fn seed_rules(st: &AppState) -> Result<(), sqlx::Error> {
    let now = st.clock.now_ms();
    let sec: Option<(String,)> = sqlx::query_as("SELECT id FROM departments WHERE code = 'SEC'").fetch_optional(&st.db.read).await?;
    let mut tx = st.db.write.begin().await?;
    for p in PassPolicy::defaults(&sec.map(|s| s.0).unwrap_or_default()) {
        if !matches!(p.kind, PassKind::Visitor | PassKind::Contractor) {
            continue;
        }
        let code = kind_code(p.kind);
        let mut p = p;
        if p.kind == PassKind::Contractor && sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM departments WHERE code = 'SEC'").fetch_one(&mut *tx).await?.0 == 0 {
            // No security office yet: the chain ends at the host's department.
            p.chain.retain(|s| !matches!(s.approver, StepApprover::Department { .. }));
        }
        let exists: Option<(String,)> = sqlx::query_as("SELECT kind FROM pass_policies WHERE kind = $1").bind(&code).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            sqlx::query("INSERT INTO pass_policies (kind, policy, updated_at, updated_by) VALUES ($1, $2, $3, 'defaults')")
                .bind(&code)
                .bind(serde_json::to_string(&p).unwrap_or_default())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM visit_reasons").fetch_one(&mut *tx).await?;
    if n == 0 {
        let reasons = [
            ("公务来访", "Official visit", "official"),
            ("培训", "Training", "official"),
            ("校友返校", "Alumni visit", "official"),
            ("私人来访", "Private visit", "private"),
            ("家政服务", "Domestic service", "private"),
            ("其他", "Other", "private"),
        ];
        for (i, (name, en, cat)) in reasons.iter().enumerate() {
            sqlx::query("INSERT INTO visit_reasons (id, name, name_en, category, active, sort, created_at) VALUES ($1, $2, $3, $4, 1, $5, $6)")
                .bind(new_id())
                .bind(*name)
                .bind(*en)
                .bind(*cat)
                .bind(i as i64)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}

fn parse_date(field: &str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| AppError::invalid(field, Msg::ErrDateFormat))
}

fn date_error(p: DateProblem, policy: &PassPolicy) -> AppError {
    match p {
        DateProblem::EndBeforeStart => AppError::invalid("end_date", Msg::ErrEndBeforeStart),
        DateProblem::StartInPast => AppError::invalid("start_date", Msg::ErrStartInPast),
        DateProblem::SameDayNotAllowed => AppError::invalid("start_date", Msg::ErrSameDay),
        DateProblem::PastNextDayDeadline => AppError::rule(
            "start_date",
            Msg::ErrPastDeadline,
            policy.dates.next_day_deadline.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
        ),
        DateProblem::TooLong => AppError::rule("end_date", Msg::ErrStayTooLong, policy.dates.max_days.to_string()),
        DateProblem::TooFarAhead => AppError::rule("start_date", Msg::ErrTooFarAhead, policy.dates.max_days_ahead.to_string()),
    }
}

fn text(field: &str, v: &str, max: usize) -> Result<String, AppError> {
    crate::directory::ssr::text(field, v, max)
}

/// An entrant after every check.
struct CheckedEntrant {
    name: String,
    phone: Option<Phone>,
    doc: DocumentNumber,
    in_vehicle: bool,
    photo: Option<String>,
}

/// A form after every check that needs no other application.
struct Checked {
    kind: PassKind,
    policy: PassPolicy,
    host_id: String,
    department_id: String,
    campus_id: String,
    reason_id: String,
    start: NaiveDate,
    end: NaiveDate,
    entrants: Vec<CheckedEntrant>,
    plate: Option<Plate>,
    note: String,
}

fn check_photo(field: &str, data_url: &str) -> Result<String, AppError> {
    let bad = || AppError::invalid(field, Msg::ErrPhotoInvalid);
    let (head, b64) = data_url.split_once(',').ok_or_else(bad)?;
    let mime = head.strip_prefix("data:").and_then(|h| h.strip_suffix(";base64")).ok_or_else(bad)?;
    if b64.len() > 400_000 {
        return Err(bad());
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| bad())?;
    let ok = match mime {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG"),
        "image/webp" => bytes.len() > 12 && &bytes[8..12] == b"WEBP",
        _ => false,
    };
    if ok { Ok(data_url.to_owned()) } else { Err(bad()) }
}

fn doc_error(field: &str, e: DocumentError) -> AppError {
    AppError::invalid(field, e.msg())
}

async fn check_form(st: &AppState, form: &ApplicationInput, check_dates: bool) -> Result<Checked, AppError> {
    // Policy, host, campus and reason in one read (one round trip at the
    // rush); each is NULL when unknown or switched off.
    let code = kind_code(form.kind);
    type FormRow = (Option<String>, Option<String>, Option<String>, Option<String>);
    let (stored, department, campus, reason): FormRow = sqlx::query_as(
        "SELECT (SELECT policy FROM pass_policies WHERE kind = $4),
                (SELECT department_id FROM staff WHERE id = $1 AND active = 1),
                (SELECT id FROM campuses WHERE id = $2),
                (SELECT id FROM visit_reasons WHERE id = $3 AND active = 1)",
    )
    .bind(&form.host_staff_id)
    .bind(&form.campus_id)
    .bind(&form.reason_id)
    .bind(&code)
    .fetch_one(&st.db.read)
    .await?;
    let policy = stored_policy(&code, stored)?;
    let department_id = department.ok_or_else(|| AppError::invalid("host", Msg::ErrHostUnknown))?;
    let host_id = form.host_staff_id.clone();
    let campus_id = campus.ok_or_else(|| AppError::invalid("campus", Msg::ErrUnknownCampus))?;
    let reason_id = reason.ok_or_else(|| AppError::invalid("reason", Msg::ErrReasonUnknown))?;
    let start = parse_date("start_date", &form.start_date)?;
    let end = parse_date("end_date", &form.end_date)?;
    if check_dates {
        let now = st.clock.local_now();
        policy.dates.check(start, end, now).map_err(|p| date_error(p, &policy))?;
    } else if end < start {
        return Err(AppError::invalid("end_date", Msg::ErrEndBeforeStart));
    }
    if form.entrants.is_empty() {
        return Err(AppError::invalid("entrants", Msg::ErrNoEntrants));
    }
    if form.entrants.len() > MAX_ENTRANTS {
        return Err(AppError::rule("entrants", Msg::ErrTooManyEntrants, MAX_ENTRANTS.to_string()));
    }
    let today = st.clock.today();
    let mut entrants = Vec::with_capacity(form.entrants.len());
    for (i, e) in form.entrants.iter().enumerate() {
        let f = |name: &str| format!("entrants[{i}].{name}");
        let name = text(&f("name"), &e.name, 30)?;
        let phone = if e.phone.trim().is_empty() {
            None
        } else {
            Some(Phone::parse(&e.phone).map_err(|_| AppError::invalid(&f("phone"), Msg::ErrPhoneInvalid))?)
        };
        let doc = DocumentNumber::parse(e.doc_type, &e.doc_number, today).map_err(|err| doc_error(&f("doc_number"), err))?;
        let photo = match (&e.face_photo, e.face_consent, policy.face_photo) {
            (_, _, FieldNeed::Hidden) => None,
            (None, _, FieldNeed::Required) => return Err(AppError::invalid(&f("face_photo"), Msg::ErrPhotoRequired)),
            (None, _, _) => None,
            (Some(_), false, _) => return Err(AppError::invalid(&f("face_consent"), Msg::ErrPhotoConsent)),
            (Some(p), true, _) => Some(check_photo(&f("face_photo"), p)?),
        };
        entrants.push(CheckedEntrant { name, phone, doc, in_vehicle: e.in_vehicle, photo });
    }
    let plate = if form.plate.trim().is_empty() {
        if entrants.iter().any(|e| e.in_vehicle) {
            return Err(AppError::invalid("plate", Msg::ErrPassengersWithoutCar));
        }
        None
    } else {
        if !policy.vehicles_allowed {
            return Err(AppError::invalid("plate", Msg::ErrVehicleNotAllowed));
        }
        Some(Plate::parse(&form.plate).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?)
    };
    let note = form.note.trim().chars().take(200).collect();
    Ok(Checked {
        kind: form.kind,
        policy,
        host_id,
        department_id,
        campus_id,
        reason_id,
        start,
        end,
        entrants,
        plate,
        note,
    })
}

/// The approval chain for an application to a host in `department_id`.
fn resolve_chain(policy: &PassPolicy, host_id: &str, department_id: &str) -> Result<Vec<ChainStep>, AppError> {
    policy
        .chain_for(department_id)
        .into_iter()
        .map(|s| match &s.approver {
            StepApprover::Host => Ok(ChainStep { host: true, staff_id: Some(host_id.to_owned()), department_id: None }),
            StepApprover::HostDepartment => Ok(ChainStep { host: false, staff_id: None, department_id: Some(department_id.to_owned()) }),
            StepApprover::Department { department_id } => {
                Ok(ChainStep { host: false, staff_id: None, department_id: Some(department_id.clone()) })
            }
            other => {
                tracing::error!(?other, "approval step kind not offered for visitor applications");
                Err(AppError::Internal)
            }
        })
        .collect()
}

/// Blacklist and vehicle-inside rules, read inside the writing transaction.
async fn check_people_and_vehicle(st: &AppState, applicant: &Phone, c: &Checked) -> Result<(), AppError> {
    let mut keys: Vec<(&str, String)> = vec![("mobile", applicant.as_str().to_owned())];
    for e in &c.entrants {
        keys.push(("document", st.keys.pii_mac(&e.doc.claim_text())));
        if let Some(p) = &e.phone {
            keys.push(("mobile", p.as_str().to_owned()));
        }
    }
    if let Some(p) = &c.plate {
        keys.push(("plate", p.as_str().to_owned()));
    }
    // Every key in one read: at the 16:00 rush each query is a round trip
    // to a database thread.
    // `lifted_at IS NULL` inside each term, so each is a lookup in the
    // partial index of active entries (outside, SQLite scans the index).
    let terms: Vec<String> =
        (0..keys.len()).map(|i| format!("(kind = ${} AND entry_key = ${} AND lifted_at IS NULL)", 2 * i + 1, 2 * i + 2)).collect();
    let sql = format!("SELECT kind FROM blacklist WHERE {} LIMIT 1", terms.join(" OR "));
    let mut q = sqlx::query_as::<_, (String,)>(&sql);
    for (kind, key) in &keys {
        q = q.bind(*kind).bind(key);
    }
    if let Some((kind,)) = q.fetch_optional(&st.db.read).await? {
        // Neutral on purpose: the message reveals no list.
        tracing::info!(kind, "application refused by the blacklist");
        return Err(AppError::invalid("form", Msg::ErrNotPermitted));
    }
    if let Some(p) = &c.plate {
        vehicle_not_inside(&st.db.read, p.as_str()).await?;
        no_unpaid_fee(&st.db.read, p.as_str()).await?;
    }
    Ok(())
}

/// An unpaid parking fee blocks the plate's next booking until settled.
async fn no_unpaid_fee<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(exec: E, plate: &str) -> Result<(), AppError> {
    let (cents,): (i64,) = sqlx::query_as("SELECT CAST(COALESCE(SUM(cents), 0) AS BIGINT) FROM parking_fees WHERE plate = $1 AND settled_at IS NULL")
        .bind(plate)
        .fetch_one(exec)
        .await?;
    if cents > 0 {
        return Err(AppError::rule("plate", Msg::ErrUnpaidFee, crate::domain::gate::yuan(cents)));
    }
    Ok(())
}

/// A vehicle the gate recorded inside cannot be booked again; the message
/// names the campus.
async fn vehicle_not_inside<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(exec: E, plate: &str) -> Result<(), AppError> {
    let inside: Option<(String,)> = sqlx::query_as("SELECT c.name FROM vehicles_inside v JOIN campuses c ON c.id = v.campus_id WHERE v.plate = $1")
        .bind(plate)
        .fetch_optional(exec)
        .await?;
    match inside {
        Some((campus,)) => Err(AppError::rule("plate", Msg::ErrVehicleInside, campus)),
        None => Ok(()),
    }
}

/// The duplicate rule's claims of one application (written by the upserts
/// `claim_writes` returns beside them).
struct ClaimWrites {
    list: Vec<claims::Claim>,
    doc_keys: Vec<String>,
}

fn claim_code(k: ClaimKind) -> &'static str {
    match k {
        ClaimKind::Document => "document",
        ClaimKind::Mobile => "mobile",
        ClaimKind::Plate => "plate",
    }
}

/// The upserts that take `app_id`'s claims. A key held by an application
/// whose visit has ended is taken over; a key held by a live one stays,
/// and the rows written tell (one each when all are taken).
fn claim_writes(st: &AppState, app_id: &str, applicant: &Phone, c: &Checked) -> Result<(ClaimWrites, Script), AppError> {
    let doc_keys: Vec<String> = c.entrants.iter().map(|e| st.keys.pii_mac(&e.doc.claim_text())).collect();
    let keys: Vec<EntrantKeys> = c
        .entrants
        .iter()
        .zip(&doc_keys)
        .map(|(e, d)| EntrantKeys { document: d, mobile: e.phone.as_ref().map(Phone::as_str) })
        .collect();
    let list = claims::claims(applicant.as_str(), &keys, c.plate.as_ref().map(Plate::as_str)).map_err(|e| match e {
        claims::ClaimError::RepeatedWithin(ClaimKind::Document) => AppError::invalid("entrants", Msg::ErrRepeatedDocument),
        claims::ClaimError::RepeatedWithin(_) => AppError::invalid("entrants", Msg::ErrRepeatedMobile),
    })?;
    let today = st.clock.today().format("%Y-%m-%d").to_string();
    // The holder is looked up by its key (EXISTS): `IN (SELECT … WHERE
    // end_date < …)` made SQLite list every ended application first
    // (96 ms with 200,000 of them, against 0.1 ms).
    let mut script = Script::new();
    for chunk in crate::platform::db::row_chunks(&list) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${}, $1)", 2 * i + 3, 2 * i + 4)).collect();
        let sql = format!(
            "INSERT INTO application_claims (kind, claim_key, application_id) VALUES {}
             ON CONFLICT (kind, claim_key) DO UPDATE SET application_id = excluded.application_id
             WHERE EXISTS (SELECT 1 FROM applications a WHERE a.id = application_claims.application_id AND a.end_date < $2)",
            values.join(", ")
        );
        let mut q = Statement::new(sql).bind(app_id).bind(&today);
        for claim in chunk {
            q = q.bind(claim_code(claim.kind)).bind(&claim.key);
        }
        script.push(q);
    }
    Ok((ClaimWrites { list, doc_keys }, script))
}

/// Why the claims were not all taken: a live application holds a key.
/// Names the first such claim, in the form's order (the refusal path
/// only; the caller rolls back what was taken).
async fn claims_refused(tx: &mut Tx<'_>, app_id: &str, w: &ClaimWrites, c: &Checked) -> AppError {
    let list = &w.list;
    let terms: Vec<String> = (0..list.len()).map(|i| format!("(kind = ${} AND claim_key = ${})", 2 * i + 2, 2 * i + 3)).collect();
    let sql = format!("SELECT kind, claim_key FROM application_claims WHERE application_id <> $1 AND ({})", terms.join(" OR "));
    let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(app_id);
    for claim in list {
        q = q.bind(claim_code(claim.kind)).bind(&claim.key);
    }
    let held = match q.fetch_all(&mut **tx).await {
        Ok(held) => held,
        Err(e) => return e.into(),
    };
    let first = list.iter().find(|claim| held.iter().any(|(k, key)| k == claim_code(claim.kind) && *key == claim.key));
    match first {
        Some(claim) => match claim.kind {
            ClaimKind::Document => {
                let masked = c.entrants.iter().zip(&w.doc_keys).find(|(_, k)| **k == claim.key).map(|(e, _)| e.doc.masked()).unwrap_or_default();
                AppError::rule("doc_number", Msg::ErrDuplicateDocument, masked)
            }
            ClaimKind::Mobile => AppError::rule("phone", Msg::ErrDuplicateMobile, Phone::parse(&claim.key).map(|p| p.masked()).unwrap_or_default()),
            ClaimKind::Plate => AppError::rule("plate", Msg::ErrDuplicatePlate, claim.key.clone()),
        },
        // Not reachable: a claim row not written is held by another application.
        None => {
            tracing::error!(application = app_id, "claims not taken, yet none held by another application");
            AppError::Internal
        }
    }
}

/// Takes the duplicate rule's claims for `app_id`, or refuses, naming the
/// field whose claim a live application holds.
async fn take_claims(st: &AppState, tx: &mut Tx<'_>, app_id: &str, applicant: &Phone, c: &Checked) -> Result<(), AppError> {
    let (w, script) = claim_writes(st, app_id, applicant, c)?;
    let taken = script.execute(tx).await?;
    if taken as usize == w.list.len() {
        return Ok(());
    }
    Err(claims_refused(tx, app_id, &w, c).await)
}

async fn release_claims(tx: &mut Tx<'_>, app_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM application_claims WHERE application_id = $1").bind(app_id).execute(&mut **tx).await?;
    Ok(())
}

/// Replaces the entrants of an earlier version with the form's.
async fn replace_entrants(st: &AppState, tx: &mut Tx<'_>, app_id: &str, c: &Checked, now: i64) -> Result<(), sqlx::Error> {
    let mut script = Script::new();
    script
        .push(Statement::new("DELETE FROM entrant_photos WHERE entrant_id IN (SELECT id FROM entrants WHERE application_id = $1)").bind(app_id))
        .push(Statement::new("DELETE FROM entrants WHERE application_id = $1").bind(app_id))
        .append(entrant_writes(st, app_id, c, now));
    script.execute(tx).await?;
    Ok(())
}

/// The inserts of the form's entrants (one row each, and one per photo).
fn entrant_writes(st: &AppState, app_id: &str, c: &Checked, now: i64) -> Script {
    let mut script = Script::new();
    for (i, e) in c.entrants.iter().enumerate() {
        let id = new_id();
        script.push(
            Statement::new(
                "INSERT INTO entrants (id, application_id, position, name, phone, doc_type, doc_sealed, doc_mac, doc_masked, in_vehicle, face_consent_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&id)
            .bind(app_id)
            .bind(i as i64)
            .bind(&e.name)
            .bind(e.phone.as_ref().map(|p| p.as_str().to_owned()))
            .bind(e.doc.doc_type.code())
            .bind(st.keys.seal_pii(e.doc.as_str()))
            .bind(st.keys.pii_mac(&e.doc.claim_text()))
            .bind(e.doc.masked())
            .bind(e.in_vehicle as i64)
            .bind(e.photo.as_ref().map(|_| now)),
        );
        if let Some(photo) = &e.photo {
            let mime = photo.trim_start_matches("data:").split(';').next().unwrap_or("image/jpeg").to_owned();
            script.push(Statement::new("INSERT INTO entrant_photos (entrant_id, mime, data) VALUES ($1, $2, $3)").bind(id).bind(mime).bind(photo));
        }
    }
    script
}

#[allow(clippy::too_many_arguments)]
async fn event(tx: &mut Tx<'_>, app_id: &str, now: i64, actor: &str, action: &str, from: Status, to: Status, note: &str, changes: serde_json::Value) -> Result<(), sqlx::Error> {
    event_writes(app_id, now, actor, action, from, to, note, changes).execute(tx).await?;
    Ok(())
}

/// The application's event and its audit entry (one row each).
#[allow(clippy::too_many_arguments)]
fn event_writes(app_id: &str, now: i64, actor: &str, action: &str, from: Status, to: Status, note: &str, changes: serde_json::Value) -> Script {
    let mut script = Script::new();
    script
        .push(
            Statement::new(
                "INSERT INTO application_events (id, application_id, at, actor, action, from_status, to_status, note, changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(new_id())
            .bind(app_id)
            .bind(now)
            .bind(actor)
            .bind(action)
            .bind(from.code())
            .bind(to.code())
            .bind(note)
            .bind(changes.to_string()),
        )
        .push(audit::entry(now, actor, action, "application", app_id, json!({"from": from.code(), "to": to.code(), "note": note, "changes": changes}), Some(&client_ip())));
    script
}

fn waiting(chain: &[ChainStep], status: Status) -> (Option<String>, Option<String>) {
    match status {
        Status::InReview { step } => chain
            .get(step as usize)
            .map(|s| (s.staff_id.clone(), s.department_id.clone()))
            .unwrap_or((None, None)),
        _ => (None, None),
    }
}

fn phone_of(me: &Principal) -> Result<Phone, AppError> {
    match &me.subject {
        Subject::Phone { phone, .. } => Ok(phone.clone()),
        Subject::Staff(_) => Err(AppError::invalid("form", Msg::ErrVisitorsOnly)),
    }
}

// ------------------------------------------------------------ notifications

struct Notice {
    phone: Phone,
    purpose: &'static str,
    msg: Msg,
    params: Vec<(String, String)>,
}

fn render(msg: Msg, params: &[(String, String)]) -> String {
    let mut s = msg.text(crate::i18n::Lang::Zh).to_owned();
    for (k, v) in params {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Queues notices inside the transaction; returns them, to deliver once it
/// has committed.
async fn queue(st: &AppState, tx: &mut Tx<'_>, notices: Vec<Notice>, now: i64) -> Result<Vec<sms::Queued>, sqlx::Error> {
    let (script, queued) = queue_writes(st, notices, now);
    script.execute(tx).await?;
    Ok(queued)
}

/// The outbox rows of `notices` (one each; a repeat to the same phone for
/// the same purpose is left out), and what to deliver after the commit.
fn queue_writes(st: &AppState, notices: Vec<Notice>, now: i64) -> (Script, Vec<sms::Queued>) {
    let mut seen = std::collections::HashSet::new();
    let (mut script, mut out) = (Script::new(), Vec::new());
    for n in notices {
        if !seen.insert((n.phone.as_str().to_owned(), n.purpose)) {
            continue;
        }
        let body = render(n.msg, &n.params);
        let (id, insert) = sms::enqueue_statement(st.sms.as_ref(), now, &sms::Outgoing { to: &n.phone, purpose: n.purpose, body: body.clone(), params: n.params.clone() });
        script.push(insert);
        out.push(sms::Queued { id, to: n.phone, purpose: n.purpose, body, params: n.params });
    }
    (script, out)
}

/// Sends what was queued (after the commit), beside the answer: a visitor
/// or an approver is not kept waiting on the SMS gateway (seconds when it
/// is slow). A failure, or a server stopping first, leaves the message in
/// the outbox, where the retry job finds it once its lease has passed.
fn deliver(st: &AppState, queued: Vec<sms::Queued>) {
    if queued.is_empty() {
        return;
    }
    let st = st.clone();
    tokio::spawn(async move { sms::deliver_queued(&st.writes, st.sms.as_ref(), st.clock.now_ms(), queued).await });
}

/// What an approver's message names: the first entrant, how many, the date.
struct Summary {
    first: String,
    count: i64,
    start: String,
}

impl Summary {
    fn of(c: &Checked) -> Summary {
        Summary { first: c.entrants.first().map(|e| e.name.clone()).unwrap_or_default(), count: c.entrants.len() as i64, start: c.start.to_string() }
    }

    async fn read(tx: &mut Tx<'_>, app_id: &str) -> Result<Summary, sqlx::Error> {
        let (first, count, start): (String, i64, String) = sqlx::query_as(
            "SELECT (SELECT name FROM entrants WHERE application_id = a.id ORDER BY position LIMIT 1),
                    (SELECT COUNT(*) FROM entrants WHERE application_id = a.id), a.start_date
             FROM applications a WHERE a.id = $1",
        )
        .bind(app_id)
        .fetch_one(&mut **tx)
        .await?;
        Ok(Summary { first, count, start })
    }
}

/// The approvers of the step an application now waits at, with a phone.
async fn step_notices(st: &AppState, tx: &mut Tx<'_>, app_id: &str, step: &ChainStep, summary: Summary) -> Result<Vec<Notice>, sqlx::Error> {
    let phones = step_phones(&mut **tx, step).await?;
    Ok(new_request_notices(st, app_id, phones, summary))
}

/// The mobiles of whoever may act on `step`.
async fn step_phones<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(exec: E, step: &ChainStep) -> Result<Vec<Phone>, sqlx::Error> {
    let phones: Vec<(Option<String>,)> = if let (true, Some(id)) = (step.host, &step.staff_id) {
        sqlx::query_as("SELECT phone FROM staff WHERE id = $1 AND active = 1").bind(id).fetch_all(exec).await?
    } else if let Some(d) = &step.department_id {
        sqlx::query_as(
            "SELECT s.phone FROM grants g JOIN staff s ON s.id = g.staff_id WHERE g.role = 'approver' AND g.scope_id = $1 AND g.status = 'active' AND s.active = 1",
        )
        .bind(d)
        .fetch_all(exec)
        .await?
    } else {
        vec![]
    };
    Ok(phones.into_iter().filter_map(|(p,)| Phone::parse(&p?).ok()).collect())
}

fn new_request_notices(st: &AppState, app_id: &str, phones: Vec<Phone>, summary: Summary) -> Vec<Notice> {
    let Summary { first, count, start } = summary;
    let link = format!("{}/approvals/{app_id}", st.config.public_base_url.trim_end_matches('/'));
    phones
        .into_iter()
        .map(|phone| Notice {
            phone,
            purpose: "new_request",
            msg: Msg::SmsNewRequest,
            params: vec![("name".into(), first.clone()), ("count".into(), count.to_string()), ("date".into(), start.clone()), ("link".into(), link.clone())],
        })
        .collect()
}

fn decision_notice(st: &AppState, applicant: &str, app_id: &str, status: Status) -> Option<Notice> {
    let phone = Phone::parse(applicant).ok()?;
    let link = format!("{}/applications/{app_id}", st.config.public_base_url.trim_end_matches('/'));
    Some(Notice {
        phone,
        purpose: "decision",
        msg: Msg::SmsDecision,
        params: vec![("status".into(), status_label(status).text(crate::i18n::Lang::Zh).to_owned()), ("link".into(), link)],
    })
}

/// Issues the passes of an approved application and tells every entrant
/// with a mobile, each by their own SMS with their own pass link (seed 001).
async fn approved_notices(st: &AppState, tx: &mut Tx<'_>, app_id: &str, now: i64) -> Result<Vec<Notice>, AppError> {
    let issued = crate::passes::ssr::issue(st, tx, app_id, now).await?;
    let (start, end, campus): (String, String, String) = sqlx::query_as(
        "SELECT a.start_date, a.end_date, c.name FROM applications a JOIN campuses c ON c.id = a.campus_id WHERE a.id = $1",
    )
    .bind(app_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(issued
        .into_iter()
        .filter_map(|p| {
            Some(Notice {
                phone: p.phone?,
                purpose: "approved_entrant",
                msg: Msg::SmsApprovedEntrant,
                params: vec![
                    ("name".into(), p.holder),
                    ("start".into(), start.clone()),
                    ("end".into(), end.clone()),
                    ("campus".into(), campus.clone()),
                    ("link".into(), p.link),
                ],
            })
        })
        .collect())
}

// ------------------------------------------------------------ form and submit

pub async fn form_setup(st: &AppState, me: &Principal, kind: PassKind, invitation: Option<&str>) -> Result<FormSetup, AppError> {
    let phone = phone_of(me)?;
    let p = policy(st, kind).await?;
    let campuses: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM campuses ORDER BY created_at, name").fetch_all(&st.db.read).await?;
    let invitation = match invitation {
        Some(token) if !token.is_empty() => Some(load_invitation(st, &phone, token).await?.1),
        _ => None,
    };
    Ok(FormSetup {
        kind,
        campuses: campuses.into_iter().map(|(id, name)| Choice { id, name }).collect(),
        reasons: reasons(st, true).await?,
        today: st.clock.today().format("%Y-%m-%d").to_string(),
        first_open_date: {
            let now = st.clock.local_now();
            let today = now.date();
            (0..=2u64)
                .map(|d| today + chrono::Days::new(d))
                .find(|d| p.dates.check(*d, *d, now).is_ok())
                .unwrap_or(today + chrono::Days::new(2))
                .to_string()
        },
        max_days: p.dates.max_days,
        max_days_ahead: p.dates.max_days_ahead,
        next_day_deadline: p.dates.next_day_deadline.map(|t| t.format("%H:%M").to_string()),
        same_day: p.dates.same_day,
        vehicles_allowed: p.vehicles_allowed,
        face_photo: p.face_photo,
        applicant_phone: phone.masked(),
        invitation,
    })
}

pub async fn reasons(st: &AppState, active_only: bool) -> Result<Vec<ReasonView>, AppError> {
    let rows: Vec<(String, String, String, String, i64)> =
        sqlx::query_as("SELECT id, name, name_en, category, active FROM visit_reasons ORDER BY sort, name").fetch_all(&st.db.read).await?;
    Ok(rows
        .into_iter()
        .filter(|r| !active_only || r.4 != 0)
        .map(|(id, name, name_en, cat, active)| ReasonView {
            id,
            name,
            name_en,
            category: ReasonCategory::from_code(&cat).unwrap_or(ReasonCategory::Private),
            active: active != 0,
        })
        .collect())
}

pub async fn find_hosts(st: &AppState, query: &str) -> Result<Vec<HostMatch>, AppError> {
    let q = query.trim();
    if q.is_empty() || q.chars().count() > 30 {
        return Ok(vec![]);
    }
    // Exact matches only: a visitor knows whom they visit; the list is
    // never browsable.
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT s.id, s.name, d.name FROM staff s JOIN departments d ON d.id = s.department_id
         WHERE s.active = 1 AND (s.staff_no = $1 OR s.name = $2) ORDER BY d.name LIMIT 20",
    )
    .bind(q.to_ascii_uppercase())
    .bind(q)
    .fetch_all(&st.db.read)
    .await?;
    Ok(rows.into_iter().map(|(staff_id, name, department)| HostMatch { staff_id, name, department }).collect())
}

pub async fn submit(st: &AppState, me: &Principal, form: ApplicationInput, idem: &str, invitation: Option<&str>) -> Result<String, AppError> {
    let applicant = phone_of(me)?;
    let idem = idem.trim();
    if idem.is_empty() || idem.len() > 64 {
        return Err(AppError::invalid("idempotency_key", Msg::ErrRequired));
    }
    if let Some(id) = existing_for_key(st, &applicant, idem).await? {
        return Ok(id);
    }
    if !matches!(form.kind, PassKind::Visitor | PassKind::Contractor) {
        return Err(AppError::invalid("kind", Msg::ErrKindNotOffered));
    }
    let invite = match invitation {
        Some(t) if !t.is_empty() => Some(load_invitation(st, &applicant, t).await?),
        _ => None,
    };
    let mut form = form;
    if let Some((_, prefill)) = &invite {
        form.host_staff_id = prefill.host.staff_id.clone();
    }
    let c = check_form(st, &form, true).await?;
    let chain = resolve_chain(&c.policy, &c.host_id, &c.department_id)?;
    // Blacklist, a car still inside, unpaid fees: reads that need no
    // lock, made before the write (the duplicate rule is the claims' key).
    check_people_and_vehicle(st, &applicant, &c).await?;
    let now = st.clock.now_ms();
    let id = new_id();
    let actor = me.actor_label();
    let (job_st, invitation) = (st.clone(), invitation.map(str::to_owned));
    let app_id = id.clone();
    // An invitation counts as the host's approval: its steps are done.
    let start_step = if invite.is_some() { chain.iter().take_while(|s| s.host).count() as u8 } else { 0 };
    let mut status = lifecycle::transition(Status::Draft, Action::Submit, Actor::Applicant, chain.len().max(1) as u8).map_err(|_| AppError::Internal)?;
    if let Status::InReview { .. } = status {
        status = if chain.is_empty() || start_step as usize >= chain.len() { Status::Approved } else { Status::InReview { step: start_step } };
    }
    // Who is told of a new request: read before the write, not in it (the
    // one writer's time is what bounds the 16:00 rush).
    let new_request = match status {
        Status::InReview { step } => {
            let phones = step_phones(&st.db.read, &chain[step as usize]).await?;
            new_request_notices(st, &id, phones, Summary::of(&c))
        }
        _ => vec![],
    };
    // Everything this submission writes, made before it reaches the one
    // writer (sealing, HMACs, texts) and sent there as one script: the
    // application row, whose key is unique per applicant (a double tap
    // collides on it and gets the first answer), the claims, entrants,
    // the event and its audit entry, the approvers' SMS.
    let (w_staff, w_dept) = waiting(&chain, status);
    let mut script = Script::new();
    script.push(
        Statement::new(
            "INSERT INTO applications (id, kind, status, version, applicant_phone, host_staff_id, department_id, campus_id, reason_id, note,
                start_date, end_date, plate, chain, waiting_staff_id, waiting_department_id, invited_by, created_at, updated_at, idem_key)
             VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18)",
        )
        .bind(&id)
        .bind(kind_code(c.kind))
        .bind(status.code())
        .bind(applicant.as_str())
        .bind(&c.host_id)
        .bind(&c.department_id)
        .bind(&c.campus_id)
        .bind(&c.reason_id)
        .bind(&c.note)
        .bind(c.start.format("%Y-%m-%d").to_string())
        .bind(c.end.format("%Y-%m-%d").to_string())
        .bind(c.plate.as_ref().map(|p| p.as_str().to_owned()))
        .bind(serde_json::to_string(&chain).unwrap_or_default())
        .bind(w_staff)
        .bind(w_dept)
        .bind(invite.as_ref().map(|(staff, _)| staff.clone()))
        .bind(now)
        .bind(idem),
    );
    let (claims, claim_script) = claim_writes(st, &id, &applicant, &c)?;
    script.append(claim_script);
    // Each of these writes one row.
    let mut rows = entrant_writes(st, &id, &c, now);
    let changes = json!({
        "entrants": c.entrants.iter().map(|e| json!({"name": e.name, "document": e.doc.masked(), "phone": e.phone.as_ref().map(|p| p.masked())})).collect::<Vec<_>>(),
        "plate": c.plate.as_ref().map(|p| p.as_str().to_owned()),
        "start_date": c.start.to_string(), "end_date": c.end.to_string(),
    });
    rows.append(event_writes(&id, now, &actor, "submit", Status::Draft, status, "", changes));
    let (sms_rows, mut queued) = queue_writes(st, new_request, now);
    rows.append(sms_rows);
    let expected = 1 + claims.list.len() + rows.len();
    script.append(rows);
    // One transaction, shared with other submissions arriving meanwhile
    // (group commit); a refusal rolls back this one only.
    let outcome = st
        .writes
        .run(crate::platform::batch::job(move |tx| {
            Box::pin(async move {
                let (st, id) = (&job_st, &app_id);
                let written = match script.execute(tx).await {
                    Ok(n) => n as usize,
                    Err(e) if is_unique_violation(&e) => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
                // Fewer rows: a claim held by a live application.
                if written != expected {
                    return Err(claims_refused(tx, id, &claims, &c).await);
                }
                if let Some((staff_id, _)) = &invite {
                    let r = sqlx::query("UPDATE invitations SET application_id = $1 WHERE staff_id = $2 AND link_hash = $3 AND application_id IS NULL")
                        .bind(id)
                        .bind(staff_id)
                        .bind(sha256_hex(invitation.unwrap_or_default().as_bytes()))
                        .execute(&mut **tx)
                        .await?;
                    if r.rows_affected() == 0 {
                        return Err(AppError::Conflict { msg: Msg::ErrInvitationUsed });
                    }
                }
                if matches!(status, Status::Approved) {
                    let notices = approved_notices(st, tx, id, now).await?;
                    queued.extend(queue(st, tx, notices, now).await?);
                }
                Ok(Some(queued))
            })
        }))
        .await?;
    match outcome {
        Some(queued) => {
            deliver(st, queued);
            Ok(id)
        }
        // The same submission again (a double tap): the first one's id.
        None => existing_for_key(st, &applicant, idem).await?.ok_or(AppError::Conflict { msg: Msg::ErrAlreadyHandled }),
    }
}

async fn existing_for_key(st: &AppState, applicant: &Phone, idem: &str) -> Result<Option<String>, AppError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM applications WHERE applicant_phone = $1 AND idem_key = $2")
        .bind(applicant.as_str())
        .bind(idem)
        .fetch_optional(&st.db.read)
        .await?;
    Ok(row.map(|r| r.0))
}

// ------------------------------------------------------------ reading

type RowTuple = (String, String, String, i64, String, String, String, i64, Option<String>, String, String, i64);

const ROW_SELECT: &str = "SELECT a.id, a.kind, a.status, a.version, h.name, d.name,
        COALESCE((SELECT name FROM entrants WHERE application_id = a.id ORDER BY position LIMIT 1), ''),
        (SELECT COUNT(*) FROM entrants WHERE application_id = a.id), a.plate, a.start_date, a.end_date, a.created_at
    FROM applications a JOIN staff h ON h.id = a.host_staff_id JOIN departments d ON d.id = a.department_id";

fn to_row(st: &AppState, r: RowTuple) -> ApplicationRow {
    ApplicationRow {
        id: r.0,
        kind: serde_json::from_str(&format!("\"{}\"", r.1)).unwrap_or(PassKind::Visitor),
        status: Status::from_code(&r.2).unwrap_or(Status::Draft),
        version: r.3,
        host: r.4,
        department: r.5,
        first_entrant: r.6,
        entrants: r.7,
        plate: r.8,
        start_date: r.9,
        end_date: r.10,
        created_at: st.clock.format(r.11),
    }
}

pub async fn mine(st: &AppState, me: &Principal) -> Result<Vec<ApplicationRow>, AppError> {
    let phone = phone_of(me)?;
    let rows: Vec<RowTuple> = sqlx::query_as(&format!("{ROW_SELECT} WHERE a.applicant_phone = $1 ORDER BY a.created_at DESC LIMIT 100"))
        .bind(phone.as_str())
        .fetch_all(&st.db.read)
        .await?;
    Ok(rows.into_iter().map(|r| to_row(st, r)).collect())
}

/// The departments the caller approves for.
fn approver_departments(me: &Principal) -> Vec<String> {
    me.grants.iter().filter(|(r, _)| *r == Role::Approver).map(|(_, s)| s.clone()).collect()
}

fn placeholders(from: usize, n: usize) -> String {
    (0..n).map(|i| format!("${}", from + i)).collect::<Vec<_>>().join(", ")
}

pub async fn inbox(st: &AppState, me: &Principal) -> Result<Vec<ApplicationRow>, AppError> {
    let Some(staff) = me.staff() else { return Err(AppError::Forbidden) };
    let depts = approver_departments(me);
    let sql = if depts.is_empty() {
        format!("{ROW_SELECT} WHERE a.status LIKE 'in_review:%' AND a.waiting_staff_id = $1 ORDER BY a.start_date, a.created_at LIMIT 200")
    } else {
        format!(
            "{ROW_SELECT} WHERE a.status LIKE 'in_review:%' AND (a.waiting_staff_id = $1 OR (a.waiting_staff_id IS NULL AND a.waiting_department_id IN ({})))
             ORDER BY a.start_date, a.created_at LIMIT 200",
            placeholders(2, depts.len())
        )
    };
    let mut q = sqlx::query_as::<_, RowTuple>(&sql).bind(&staff.id);
    for d in &depts {
        q = q.bind(d);
    }
    Ok(q.fetch_all(&st.db.read).await?.into_iter().map(|r| to_row(st, r)).collect())
}

pub async fn department_list(st: &AppState, me: &Principal, status: &str, from: &str, to: &str, offset: i64) -> Result<Vec<ApplicationRow>, AppError> {
    let admin = me.has(Role::SecurityAdmin);
    let depts = approver_departments(me);
    if !admin && depts.is_empty() {
        return Err(AppError::Forbidden);
    }
    let status_like = match status {
        "" => "%".to_owned(),
        s if s.chars().all(|c| c.is_ascii_lowercase() || c == '_') => format!("{s}%"),
        _ => return Err(AppError::invalid("status", Msg::ErrRequired)),
    };
    let from = if from.is_empty() { "0000-00-00".to_owned() } else { parse_date("from", from)?.to_string() };
    let to = if to.is_empty() { "9999-99-99".to_owned() } else { parse_date("to", to)?.to_string() };
    let scope = if admin { String::new() } else { format!("AND a.department_id IN ({})", placeholders(5, depts.len())) };
    let sql = format!(
        "{ROW_SELECT} WHERE a.status LIKE $1 AND a.end_date >= $2 AND a.start_date <= $3 AND $4 = $4 {scope}
         ORDER BY a.created_at DESC LIMIT 50 OFFSET {}",
        offset.max(0)
    );
    let mut q = sqlx::query_as::<_, RowTuple>(&sql).bind(status_like).bind(from).bind(to).bind(1i64);
    if !admin {
        for d in &depts {
            q = q.bind(d);
        }
    }
    Ok(q.fetch_all(&st.db.read).await?.into_iter().map(|r| to_row(st, r)).collect())
}

/// An application as stored, for deciding what the caller may do.
struct Loaded {
    status: Status,
    version: i64,
    applicant: String,
    host_id: String,
    department_id: String,
    chain: Vec<ChainStep>,
    kind: PassKind,
    start: String,
    end: String,
    reason_id: String,
    plate: Option<String>,
}

async fn load<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(exec: E, id: &str) -> Result<Option<Loaded>, AppError> {
    type T = (String, i64, String, String, String, String, String, String, String, String, Option<String>);
    let row: Option<T> = sqlx::query_as(
        "SELECT status, version, applicant_phone, host_staff_id, department_id, chain, kind, start_date, end_date, reason_id, plate FROM applications WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await?;
    Ok(row.map(|r| Loaded {
        status: Status::from_code(&r.0).unwrap_or(Status::Draft),
        version: r.1,
        applicant: r.2,
        host_id: r.3,
        department_id: r.4,
        chain: serde_json::from_str(&r.5).unwrap_or_default(),
        kind: serde_json::from_str(&format!("\"{}\"", r.6)).unwrap_or(PassKind::Visitor),
        start: r.7,
        end: r.8,
        reason_id: r.9,
        plate: r.10,
    }))
}

fn is_applicant(me: &Principal, a: &Loaded) -> bool {
    matches!(&me.subject, Subject::Phone { phone, .. } if phone.as_str() == a.applicant)
}

fn is_department_approver(me: &Principal, a: &Loaded) -> bool {
    me.has_scoped(Role::Approver, &a.department_id)
        || a.chain.iter().filter_map(|s| s.department_id.as_ref()).any(|d| me.has_scoped(Role::Approver, d))
}

/// Whether the caller may see the application at all. Anyone else is told
/// it does not exist: no data, not even its existence, leaks.
fn may_see(me: &Principal, a: &Loaded) -> bool {
    is_applicant(me, a)
        || me.staff().is_some_and(|s| s.id == a.host_id)
        || is_department_approver(me, a)
        || me.has(Role::SecurityAdmin)
}

fn holds_current_step(me: &Principal, a: &Loaded) -> bool {
    match a.status {
        Status::InReview { step } => a.chain.get(step as usize).is_some_and(|s| s.held_by(me)),
        _ => false,
    }
}

fn allowed_acts(me: &Principal, a: &Loaded) -> Vec<Act> {
    let n = a.chain.len().max(1) as u8;
    let mut acts = Vec::new();
    let mut try_act = |act: Act, action: Action, actor: Actor| {
        if lifecycle::transition(a.status, action, actor, n).is_ok() && !acts.contains(&act) {
            acts.push(act);
        }
    };
    if is_applicant(me, a) {
        try_act(Act::Confirm, Action::Confirm, Actor::Applicant);
        try_act(Act::Resubmit, Action::Submit, Actor::Applicant);
        try_act(Act::AcknowledgeRejection, Action::AcknowledgeRejection, Actor::Applicant);
        try_act(Act::Withdraw, Action::Withdraw, Actor::Applicant);
        try_act(Act::Release, Action::Release, Actor::Applicant);
    }
    if holds_current_step(me, a) {
        for (act, action) in [
            (Act::Approve, Action::Approve),
            (Act::ApproveWithEdits, Action::ApproveWithEdits),
            (Act::EditAndReturn, Action::EditAndReturn),
            (Act::ReturnForChange, Action::ReturnForChange),
            (Act::Reject, Action::Reject),
        ] {
            try_act(act, action, Actor::StepApprover);
        }
    }
    if is_department_approver(me, a) {
        try_act(Act::Cancel, Action::Cancel, Actor::DepartmentApprover);
    }
    acts
}

pub async fn detail(st: &AppState, me: &Principal, id: &str) -> Result<ApplicationDetail, AppError> {
    let a = load(&st.db.read, id).await?.ok_or(AppError::NotFound)?;
    if !may_see(me, &a) {
        return Err(AppError::NotFound);
    }
    let row: RowTuple = sqlx::query_as(&format!("{ROW_SELECT} WHERE a.id = $1")).bind(id).fetch_one(&st.db.read).await?;
    let (campus, reason, note, decision_note): (String, String, String, Option<String>) = sqlx::query_as(
        "SELECT c.name, r.name, a.note, a.decision_note FROM applications a JOIN campuses c ON c.id = a.campus_id
         JOIN visit_reasons r ON r.id = a.reason_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&st.db.read)
    .await?;
    type E = (String, String, Option<String>, String, String, String, i64, i64);
    let entrants: Vec<E> = sqlx::query_as(
        "SELECT e.id, e.name, e.phone, e.doc_type, e.doc_sealed, e.doc_masked, e.in_vehicle,
                (SELECT COUNT(*) FROM entrant_photos p WHERE p.entrant_id = e.id)
         FROM entrants e WHERE e.application_id = $1 ORDER BY e.position",
    )
    .bind(id)
    .fetch_all(&st.db.read)
    .await?;
    let mut steps = Vec::new();
    for (i, s) in a.chain.iter().enumerate() {
        let who: Option<(String,)> = if s.host {
            sqlx::query_as("SELECT name FROM staff WHERE id = $1").bind(s.staff_id.as_deref().unwrap_or("")).fetch_optional(&st.db.read).await?
        } else {
            sqlx::query_as("SELECT name FROM departments WHERE id = $1").bind(s.department_id.as_deref().unwrap_or("")).fetch_optional(&st.db.read).await?
        };
        let state = match a.status {
            Status::InReview { step } | Status::Returned { step } | Status::AwaitingConfirmation { step } => {
                if (i as u8) < step { StepState::Done } else if i as u8 == step { StepState::Current } else { StepState::Waiting }
            }
            Status::Approved | Status::Completed | Status::Expired | Status::Released | Status::Cancelled => StepState::Done,
            _ => StepState::Waiting,
        };
        steps.push(StepView { host: s.host, who: who.map(|w| w.0).unwrap_or_default(), state });
    }
    let events: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
        "SELECT at, actor, action, to_status, note, changes FROM application_events WHERE application_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(&st.db.read)
    .await?;
    let actions = allowed_acts(me, &a);
    let applicant_view = is_applicant(me, &a);
    let form = if applicant_view && actions.contains(&Act::Resubmit) {
        Some(ApplicationInput {
            kind: a.kind,
            host_staff_id: a.host_id.clone(),
            campus_id: sqlx::query_as::<_, (String,)>("SELECT campus_id FROM applications WHERE id = $1").bind(id).fetch_one(&st.db.read).await?.0,
            reason_id: a.reason_id.clone(),
            start_date: a.start.clone(),
            end_date: a.end.clone(),
            // The applicant's own data, back to the applicant to edit.
            entrants: entrants
                .iter()
                .map(|e| EntrantInput {
                    name: e.1.clone(),
                    phone: e.2.clone().unwrap_or_default(),
                    doc_type: DocType::from_code(&e.3).unwrap_or_default(),
                    doc_number: st.keys.open_pii(&e.4).unwrap_or_default(),
                    in_vehicle: e.6 != 0,
                    face_photo: None,
                    face_consent: false,
                })
                .collect(),
            plate: a.plate.clone().unwrap_or_default(),
            note: note.clone(),
        })
    } else {
        None
    };
    Ok(ApplicationDetail {
        row: to_row(st, row),
        campus,
        reason,
        reason_id: a.reason_id.clone(),
        note,
        decision_note,
        applicant_phone: Phone::parse(&a.applicant).map(|p| p.masked()).unwrap_or_default(),
        entrants: entrants
            .into_iter()
            .map(|e| EntrantView {
                name: e.1,
                phone: e.2.and_then(|p| Phone::parse(&p).ok()).map(|p| p.masked()),
                doc_type: DocType::from_code(&e.3).unwrap_or_default(),
                document: e.5,
                in_vehicle: e.6 != 0,
                has_photo: e.7 > 0,
            })
            .collect(),
        steps,
        events: events
            .into_iter()
            .map(|(at, actor, action, to, note, changes)| EventView {
                at: st.clock.format(at),
                // The applicant sees who decided by role, not staff numbers.
                actor: if applicant_view && actor.starts_with("staff:") {
                    actor.split_once(' ').map(|(_, n)| n.to_owned()).unwrap_or_default()
                } else {
                    actor
                },
                action,
                to_status: Status::from_code(&to).unwrap_or(Status::Draft),
                note,
                changes: serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&changes)
                    .map(|m| {
                        m.get("edited")
                            .and_then(|e| e.as_object())
                            .map(|e| e.iter().map(|(k, v)| format!("{k}: {} → {}", v[0].as_str().unwrap_or(""), v[1].as_str().unwrap_or(""))).collect())
                            .unwrap_or_default()
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        reasons: if actions.iter().any(|a| a.needs_edits()) { reasons(st, true).await? } else { vec![] },
        passes: if applicant_view {
            let rows: Vec<(String, String)> = sqlx::query_as("SELECT holder, link_sealed FROM passes WHERE application_id = $1 ORDER BY vehicle, created_at")
                .bind(id)
                .fetch_all(&st.db.read)
                .await?;
            let base = st.config.public_base_url.trim_end_matches('/');
            rows.into_iter().filter_map(|(h, sealed)| Some((h, format!("{base}/p/{}", st.keys.open_pii(&sealed)?)))).collect()
        } else {
            vec![]
        },
        setup: if form.is_some() { Some(form_setup(st, me, a.kind, None).await?) } else { None },
        actions,
        form,
    })
}

pub async fn invite_choices(st: &AppState, me: &Principal) -> Result<(Vec<Choice>, Vec<ReasonView>), AppError> {
    if me.staff().is_none() {
        return Err(AppError::Forbidden);
    }
    let campuses: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM campuses ORDER BY created_at, name").fetch_all(&st.db.read).await?;
    Ok((campuses.into_iter().map(|(id, name)| Choice { id, name }).collect(), reasons(st, true).await?))
}

// ------------------------------------------------------------ actions

fn act_action(act: Act) -> Action {
    match act {
        Act::Approve => Action::Approve,
        Act::ApproveWithEdits => Action::ApproveWithEdits,
        Act::EditAndReturn => Action::EditAndReturn,
        Act::Confirm => Action::Confirm,
        Act::ReturnForChange => Action::ReturnForChange,
        Act::Reject => Action::Reject,
        Act::AcknowledgeRejection => Action::AcknowledgeRejection,
        Act::Withdraw => Action::Withdraw,
        Act::Release => Action::Release,
        Act::Cancel => Action::Cancel,
        Act::Resubmit => Action::Submit,
    }
}

fn action_code(act: Act) -> &'static str {
    match act {
        Act::Approve => "approve",
        Act::ApproveWithEdits => "approve_with_edits",
        Act::EditAndReturn => "edit_and_return",
        Act::Confirm => "confirm",
        Act::ReturnForChange => "return_for_change",
        Act::Reject => "reject",
        Act::AcknowledgeRejection => "acknowledge_rejection",
        Act::Withdraw => "withdraw",
        Act::Release => "release",
        Act::Cancel => "cancel",
        Act::Resubmit => "resubmit",
    }
}

pub async fn act(st: &AppState, me: &Principal, id: &str, act: Act, version: i64, note: &str, edits: Option<ApproverEdits>) -> Result<(), AppError> {
    if act == Act::Resubmit {
        return Err(AppError::invalid("action", Msg::ErrWrongState));
    }
    let note = note.trim().chars().take(300).collect::<String>();
    if act.needs_note() && note.is_empty() {
        return Err(AppError::invalid("note", Msg::ErrReasonNeeded));
    }
    // Edits are checked before the transaction, by the submission's rules.
    let pre = load(&st.db.read, id).await?.ok_or(AppError::NotFound)?;
    if !may_see(me, &pre) {
        return Err(AppError::NotFound);
    }
    let edited = match (act.needs_edits(), edits) {
        (true, Some(e)) => Some(check_edits(st, &pre, e).await?),
        (true, None) => return Err(AppError::invalid("edits", Msg::ErrRequired)),
        (false, _) => None,
    };
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let a = load(&mut *tx, id).await?.ok_or(AppError::NotFound)?;
    if a.version != version {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    if !allowed_acts(me, &a).contains(&act) {
        return Err(if is_applicant(me, &a) || holds_current_step(me, &a) || is_department_approver(me, &a) {
            AppError::invalid("action", Msg::ErrWrongState)
        } else {
            AppError::Forbidden
        });
    }
    let n = a.chain.len().max(1) as u8;
    let actor_kind = if is_applicant(me, &a) && matches!(act, Act::Confirm | Act::AcknowledgeRejection | Act::Withdraw | Act::Release) {
        Actor::Applicant
    } else if act == Act::Cancel {
        Actor::DepartmentApprover
    } else {
        Actor::StepApprover
    };
    let mut status = lifecycle::transition(a.status, act_action(act), actor_kind, n).map_err(|_| AppError::invalid("action", Msg::ErrWrongState))?;
    let mut cleared = 1;
    // One person holding the next steps too: this approval clears them.
    if let (Status::InReview { step }, Act::Approve | Act::ApproveWithEdits) = (a.status, act) {
        cleared = lifecycle::steps_cleared(step, |s| a.chain.get(s as usize).is_some_and(|c| c.held_by(me)), n);
        for _ in 1..cleared {
            status = lifecycle::transition(status, Action::Approve, Actor::StepApprover, n).map_err(|_| AppError::Internal)?;
        }
    }
    let mut changes = json!({});
    if let Some((e, ch)) = &edited {
        apply_edits(st, &mut tx, id, &a, e).await?;
        changes = json!({ "edited": ch });
    }
    if cleared > 1 {
        changes["steps_cleared"] = json!(cleared);
    }
    let (w_staff, w_dept) = waiting(&a.chain, status);
    let r = sqlx::query(
        "UPDATE applications SET status = $1, version = version + 1, waiting_staff_id = $2, waiting_department_id = $3, updated_at = $4,
            decision_note = CASE WHEN $5 = '' THEN decision_note ELSE $5 END
         WHERE id = $6 AND version = $7",
    )
    .bind(status.code())
    .bind(w_staff)
    .bind(w_dept)
    .bind(now)
    .bind(&note)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() != 1 {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    if !status.is_open() {
        release_claims(&mut tx, id).await?;
    }
    if matches!(status, Status::Cancelled | Status::Released) {
        crate::passes::ssr::cancel_for(&mut tx, id, now).await?;
    }
    event(&mut tx, id, now, &me.actor_label(), action_code(act), a.status, status, &note, changes).await?;
    let mut notices = Vec::new();
    match status {
        Status::InReview { step } if a.status != status => {
            let summary = Summary::read(&mut tx, id).await?;
            notices.extend(step_notices(st, &mut tx, id, &a.chain[step as usize], summary).await?);
        }
        Status::Approved => {
            notices.extend(decision_notice(st, &a.applicant, id, status));
            notices.extend(approved_notices(st, &mut tx, id, now).await?);
        }
        Status::Returned { .. } | Status::AwaitingConfirmation { .. } | Status::RejectedUnacknowledged | Status::Cancelled => {
            notices.extend(decision_notice(st, &a.applicant, id, status));
        }
        _ => {}
    }
    let queued = queue(st, &mut tx, notices, now).await?;
    tx.commit().await?;
    deliver(st, queued);
    Ok(())
}

/// Approver edits, checked by the same rules as a submission.
async fn check_edits(st: &AppState, a: &Loaded, e: ApproverEdits) -> Result<(ApproverEdits, serde_json::Map<String, serde_json::Value>), AppError> {
    let policy = policy(st, a.kind).await?;
    let start = parse_date("start_date", &e.start_date)?;
    let end = parse_date("end_date", &e.end_date)?;
    let dates_changed = start.to_string() != a.start || end.to_string() != a.end;
    if dates_changed {
        let now = st.clock.local_now();
        policy.dates.check(start, end, now).map_err(|p| date_error(p, &policy))?;
    }
    let reason: Option<(String,)> = sqlx::query_as("SELECT id FROM visit_reasons WHERE id = $1 AND active = 1").bind(&e.reason_id).fetch_optional(&st.db.read).await?;
    if reason.is_none() {
        return Err(AppError::invalid("reason", Msg::ErrReasonUnknown));
    }
    let plate = if e.plate.trim().is_empty() {
        None
    } else {
        if !policy.vehicles_allowed {
            return Err(AppError::invalid("plate", Msg::ErrVehicleNotAllowed));
        }
        Some(Plate::parse(&e.plate).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?)
    };
    let mut ch = serde_json::Map::new();
    let mut diff = |k: &str, old: &str, new: &str| {
        if old != new {
            ch.insert(k.to_owned(), json!([old, new]));
        }
    };
    diff("start_date", &a.start, &start.to_string());
    diff("end_date", &a.end, &end.to_string());
    diff("reason_id", &a.reason_id, &e.reason_id);
    diff("plate", a.plate.as_deref().unwrap_or(""), plate.as_ref().map(Plate::as_str).unwrap_or(""));
    if ch.is_empty() {
        return Err(AppError::invalid("edits", Msg::ErrNoChanges));
    }
    Ok((
        ApproverEdits { start_date: start.to_string(), end_date: end.to_string(), reason_id: e.reason_id, plate: plate.map(|p| p.as_str().to_owned()).unwrap_or_default() },
        ch,
    ))
}

async fn apply_edits(st: &AppState, tx: &mut Tx<'_>, id: &str, a: &Loaded, e: &ApproverEdits) -> Result<(), AppError> {
    let new_plate = (!e.plate.is_empty()).then(|| e.plate.clone());
    if new_plate != a.plate {
        sqlx::query("DELETE FROM application_claims WHERE application_id = $1 AND kind = 'plate'").bind(id).execute(&mut **tx).await?;
        if let Some(p) = &new_plate {
            let hit: Option<(String,)> = sqlx::query_as("SELECT id FROM blacklist WHERE kind = 'plate' AND entry_key = $1 AND lifted_at IS NULL")
                .bind(p)
                .fetch_optional(&mut **tx)
                .await?;
            if hit.is_some() {
                return Err(AppError::invalid("plate", Msg::ErrNotPermitted));
            }
            vehicle_not_inside(&mut **tx, p).await?;
            no_unpaid_fee(&mut **tx, p).await?;
            let r = sqlx::query("INSERT INTO application_claims (kind, claim_key, application_id) VALUES ('plate', $1, $2)").bind(p).bind(id).execute(&mut **tx).await;
            if let Err(err) = r {
                return Err(if is_unique_violation(&err) { AppError::rule("plate", Msg::ErrDuplicatePlate, p.clone()) } else { err.into() });
            }
        }
    }
    sqlx::query("UPDATE applications SET start_date = $1, end_date = $2, reason_id = $3, plate = $4 WHERE id = $5")
        .bind(&e.start_date)
        .bind(&e.end_date)
        .bind(&e.reason_id)
        .bind(new_plate)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let _ = st;
    Ok(())
}

/// The applicant changes a returned application and sends it back to the
/// step that returned it.
pub async fn resubmit(st: &AppState, me: &Principal, id: &str, version: i64, form: ApplicationInput) -> Result<(), AppError> {
    let applicant = phone_of(me)?;
    let pre = load(&st.db.read, id).await?.ok_or(AppError::NotFound)?;
    if !is_applicant(me, &pre) {
        return Err(AppError::NotFound);
    }
    let mut form = form;
    // The host and kind stay; the chain was fixed at submission.
    form.host_staff_id = pre.host_id.clone();
    form.kind = pre.kind;
    let c = check_form(st, &form, true).await?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let a = load(&mut *tx, id).await?.ok_or(AppError::NotFound)?;
    if a.version != version {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    let status = lifecycle::transition(a.status, Action::Submit, Actor::Applicant, a.chain.len().max(1) as u8)
        .map_err(|_| AppError::invalid("action", Msg::ErrWrongState))?;
    check_people_and_vehicle(st, &applicant, &c).await?;
    release_claims(&mut tx, id).await?;
    take_claims(st, &mut tx, id, &applicant, &c).await?;
    replace_entrants(st, &mut tx, id, &c, now).await?;
    let (w_staff, w_dept) = waiting(&a.chain, status);
    let r = sqlx::query(
        "UPDATE applications SET status = $1, version = version + 1, waiting_staff_id = $2, waiting_department_id = $3, updated_at = $4,
            campus_id = $5, reason_id = $6, note = $7, start_date = $8, end_date = $9, plate = $10
         WHERE id = $11 AND version = $12",
    )
    .bind(status.code())
    .bind(w_staff)
    .bind(w_dept)
    .bind(now)
    .bind(&c.campus_id)
    .bind(&c.reason_id)
    .bind(&c.note)
    .bind(c.start.to_string())
    .bind(c.end.to_string())
    .bind(c.plate.as_ref().map(|p| p.as_str().to_owned()))
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() != 1 {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    event(&mut tx, id, now, &me.actor_label(), "resubmit", a.status, status, "", json!({"plate": c.plate.as_ref().map(|p| p.as_str().to_owned()), "start_date": c.start.to_string(), "end_date": c.end.to_string()})).await?;
    let notices = match status {
        Status::InReview { step } => step_notices(st, &mut tx, id, &a.chain[step as usize], Summary::of(&c)).await?,
        _ => vec![],
    };
    let queued = queue(st, &mut tx, notices, now).await?;
    tx.commit().await?;
    deliver(st, queued);
    Ok(())
}

pub async fn approve_many(st: &AppState, me: &Principal, items: Vec<(String, i64)>) -> Result<Vec<BatchOutcome>, AppError> {
    if me.staff().is_none() {
        return Err(AppError::Forbidden);
    }
    if items.len() > 100 {
        return Err(AppError::invalid("items", Msg::ErrTooMany));
    }
    let mut out = Vec::with_capacity(items.len());
    for (id, version) in items {
        let error = act(st, me, &id, Act::Approve, version, "", None).await.err();
        out.push(BatchOutcome { id, error });
    }
    Ok(out)
}

/// Ends applications whose period is over: approved ones expire (issue of
/// passes will tell used ones apart as completed), undecided ones expire
/// too. Conditional per row, so several servers may run it at once.
pub async fn expire_due(st: &AppState) -> Result<usize, AppError> {
    let today = st.clock.today().to_string();
    let due: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, status, version FROM applications WHERE end_date < $1
         AND (status = 'approved' OR status = 'draft' OR status LIKE 'in_review:%' OR status LIKE 'returned:%' OR status LIKE 'awaiting_confirmation:%')
         LIMIT 500",
    )
    .bind(&today)
    .fetch_all(&st.db.read)
    .await?;
    let now = st.clock.now_ms();
    let mut n = 0;
    for (id, status, version) in due {
        let Some(from) = Status::from_code(&status) else { continue };
        let Ok(to) = lifecycle::transition(from, Action::Expire { used: false }, Actor::System, 1) else { continue };
        let mut tx = st.db.write.begin().await?;
        let r = sqlx::query("UPDATE applications SET status = $1, version = version + 1, waiting_staff_id = NULL, waiting_department_id = NULL, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(to.code())
            .bind(now)
            .bind(&id)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 1 {
            release_claims(&mut tx, &id).await?;
            event(&mut tx, &id, now, "system", "expire", from, to, "", json!({})).await?;
            tx.commit().await?;
            n += 1;
        }
    }
    Ok(n)
}

// ------------------------------------------------------------ invitations

const INVITATION_TTL_MS: i64 = 7 * 24 * 3_600_000;

async fn load_invitation(st: &AppState, phone: &Phone, token: &str) -> Result<(String, InvitationPrefill), AppError> {
    let row: Option<(String, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT staff_id, phone, prefill, expires_at, application_id FROM invitations WHERE link_hash = $1",
    )
    .bind(sha256_hex(token.as_bytes()))
    .fetch_optional(&st.db.read)
    .await?;
    let Some((staff_id, invited, prefill, expires, used)) = row else { return Err(AppError::invalid("invitation", Msg::ErrInvitationInvalid)) };
    // The link works only for the mobile it was sent to.
    if invited != phone.as_str() || expires < st.clock.now_ms() {
        return Err(AppError::invalid("invitation", Msg::ErrInvitationInvalid));
    }
    if used.is_some() {
        return Err(AppError::Conflict { msg: Msg::ErrInvitationUsed });
    }
    let prefill: InvitationPrefill = serde_json::from_str(&prefill).map_err(|_| AppError::Internal)?;
    Ok((staff_id, prefill))
}

pub async fn invite(st: &AppState, me: &Principal, input: InvitationInput) -> Result<(), AppError> {
    let Some(staff) = me.staff() else { return Err(AppError::Forbidden) };
    let phone = Phone::parse(&input.phone).map_err(|_| AppError::invalid("phone", Msg::ErrPhoneInvalid))?;
    let name = text("name", &input.name, 30)?;
    let policy = policy(st, PassKind::Visitor).await?;
    let start = parse_date("start_date", &input.start_date)?;
    let end = parse_date("end_date", &input.end_date)?;
    let now_local = st.clock.local_now();
    policy.dates.check(start, end, now_local).map_err(|p| date_error(p, &policy))?;
    let campus: Option<(String,)> = sqlx::query_as("SELECT id FROM campuses WHERE id = $1").bind(&input.campus_id).fetch_optional(&st.db.read).await?;
    campus.ok_or_else(|| AppError::invalid("campus", Msg::ErrUnknownCampus))?;
    let reason: Option<(String,)> = sqlx::query_as("SELECT id FROM visit_reasons WHERE id = $1 AND active = 1").bind(&input.reason_id).fetch_optional(&st.db.read).await?;
    reason.ok_or_else(|| AppError::invalid("reason", Msg::ErrReasonUnknown))?;
    let prefill = InvitationPrefill {
        host: HostMatch { staff_id: staff.id.clone(), name: staff.name.clone(), department: staff.department_name.clone() },
        campus_id: input.campus_id,
        reason_id: input.reason_id,
        start_date: start.to_string(),
        end_date: end.to_string(),
        name: name.clone(),
        note: input.note.trim().chars().take(200).collect(),
    };
    let token = random_token(16);
    let now = st.clock.now_ms();
    let link = format!("{}/apply#invite={token}", st.config.public_base_url.trim_end_matches('/'));
    let mut tx = st.db.write.begin().await?;
    let id = new_id();
    sqlx::query("INSERT INTO invitations (id, link_hash, staff_id, phone, prefill, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&id)
        .bind(sha256_hex(token.as_bytes()))
        .bind(&staff.id)
        .bind(phone.as_str())
        .bind(serde_json::to_string(&prefill).unwrap_or_default())
        .bind(now)
        .bind(now + INVITATION_TTL_MS)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut *tx, now, &me.actor_label(), "invite", "invitation", &id, json!({"phone": phone.masked(), "name": name, "start_date": start.to_string()}), Some(&client_ip())).await?;
    let params = vec![("name".into(), name), ("host".into(), staff.name.clone()), ("date".into(), start.to_string()), ("link".into(), link)];
    let body = render(Msg::SmsInvitation, &params);
    let sms_id = sms::enqueue(&mut *tx, st.sms.as_ref(), now, &sms::Outgoing { to: &phone, purpose: "invitation", body: body.clone(), params: params.clone() }).await?;
    tx.commit().await?;
    deliver(st, vec![sms::Queued { id: sms_id, to: phone, purpose: "invitation", body, params }]);
    Ok(())
}
