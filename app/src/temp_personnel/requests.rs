//! The requests a department's temporary-personnel admin files (a first
//! temporary staff number; a renewal, transfer or deletion) and the
//! leaders' decisions on them. A request needs an approval from each
//! department `domain::temp_personnel::maintenance` names; the last one
//! carries it out in the same transaction: a number issued (from a counter
//! that never goes back) and texted to the person, a new leave date, a new
//! department, or a deletion that cancels the person's passes at once.

use super::*;
use crate::domain::document::DocumentNumber;
use crate::domain::temp_personnel::{Maintenance, NumberFormat, Person, RequestKind, Standing, check_dates, fully_approved, maintenance};
use crate::domain::{Phone, Role};
use crate::platform::context::{AppState, Principal, client_ip};
use crate::platform::db::{is_unique_violation, new_id};
use crate::platform::{audit, sms};
use chrono::{Datelike, NaiveDate};
use serde_json::json;

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

fn date(field: &str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| AppError::invalid(field, Msg::ErrDateFormat))
}

fn problem(field: &str, p: crate::domain::temp_personnel::Problem) -> AppError {
    AppError::invalid(field, p.msg())
}

/// The departments whose temporary personnel `me` administers: those of
/// their grants, or every one for the security office.
pub(super) fn administers(me: &Principal, department_id: &str) -> bool {
    me.has(Role::SecurityAdmin) || me.has_scoped(Role::TempPersonnelAdmin, department_id)
}

/// Files a first request for a temporary staff number.
pub async fn file_first(st: &AppState, me: &Principal, input: FirstRequestInput) -> Result<String, AppError> {
    let staff = me.staff().ok_or(AppError::Forbidden)?;
    // Only the department's own admin files (the security office sees, and
    // leaders decide; neither files for a department).
    if !me.has_scoped(Role::TempPersonnelAdmin, &input.department_id) {
        return Err(AppError::Forbidden);
    }
    if !input.commitment {
        return Err(AppError::invalid("commitment", Msg::ErrTempCommitment));
    }
    let active: Option<(String,)> =
        sqlx::query_as("SELECT code FROM temp_categories WHERE code = $1 AND active = 1").bind(&input.category).fetch_optional(&st.db.read).await?;
    if active.is_none() {
        return Err(AppError::invalid("category", Msg::ErrTempCategory));
    }
    let name = crate::fields::text("name", &input.name, 30)?;
    let phone = Phone::parse(&input.phone).map_err(|_| AppError::invalid("phone", Msg::ErrPhoneInvalid))?;
    let today = st.clock.today();
    let doc = DocumentNumber::parse(input.doc_type, &input.doc_number, today).map_err(|e| AppError::invalid("doc_number", e.msg()))?;
    let (start, leave) = (date("start_date", &input.start_date)?, date("leave_date", &input.leave_date)?);
    check_dates(start, leave, today).map_err(|p| problem("leave_date", p))?;
    let doc_mac = st.keys.pii_mac(&doc.claim_text());
    // Someone already holding a number is maintained, not requested again.
    let held: Option<(String,)> = sqlx::query_as("SELECT temp_no FROM temp_people WHERE (phone = $1 OR doc_mac = $2) AND deleted_at IS NULL")
        .bind(phone.as_str())
        .bind(&doc_mac)
        .fetch_optional(&st.db.read)
        .await?;
    if let Some((no,)) = held {
        return Err(AppError::rule("phone", Msg::ErrTempAlreadyOnRecord, no));
    }
    let now = st.clock.now_ms();
    let id = new_id();
    let needed = vec![input.department_id.clone()];
    let mut tx = st.db.write.begin().await?;
    claim(&mut tx, &[format!("phone:{}", phone.as_str()), format!("doc:{doc_mac}")], &id).await?;
    sqlx::query(
        "INSERT INTO temp_requests (id, kind, status, department_id, name, phone, doc_type, doc_sealed, doc_mac, doc_masked, category,
            start_date, leave_date, needed, filed_by, filed_by_label, committed_at, created_at)
         VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
    )
    .bind(&id)
    .bind(RequestKind::FirstNumber.code())
    .bind(&input.department_id)
    .bind(&name)
    .bind(phone.as_str())
    .bind(doc.doc_type.code())
    .bind(st.keys.seal_pii(doc.as_str()))
    .bind(&doc_mac)
    .bind(doc.masked())
    .bind(&input.category)
    .bind(start.to_string())
    .bind(leave.to_string())
    .bind(serde_json::to_string(&needed).unwrap_or_default())
    .bind(&staff.id)
    .bind(me.actor_label())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let changes = json!({"kind": "first_number", "name": name, "phone": phone.masked(), "document": doc.masked(), "category": input.category,
        "department_id": input.department_id, "start_date": start.to_string(), "leave_date": leave.to_string(),
        "commitment": {"by": me.actor_label(), "at": now}});
    audit::record(&mut *tx, now, &me.actor_label(), "temp_request", "temp_request", &id, changes, Some(&client_ip())).await?;
    let queued = tell_leaders(st, &mut tx, &needed, &name, now).await?;
    tx.commit().await?;
    deliver(st, queued);
    Ok(id)
}

/// Each department's leaders who must approve are told (a text, or a WeCom
/// message); a leader gets at most one such text in ten minutes (the page
/// lists every request).
async fn tell_leaders(st: &AppState, tx: &mut Tx<'_>, needed: &[String], name: &str, now: i64) -> Result<Vec<sms::Queued>, AppError> {
    const PURPOSE: &str = "temp_request";
    let link = format!("{}/temp-personnel", st.config.public_base_url.trim_end_matches('/'));
    let mut queued = Vec::new();
    for d in needed {
        for (to, staff_no) in crate::applications::department_leader_phones(&mut **tx, d, PURPOSE, now).await? {
            let params = vec![("name".to_owned(), name.to_owned()), ("link".to_owned(), link.clone())];
            let body = sms::render(crate::i18n::OfficeMsg::SmsTempRequest, &params);
            let out = sms::Outgoing { to: &to, purpose: PURPOSE, body: body.clone(), params: params.clone(), wecom_user: Some(staff_no.clone()) };
            let id = sms::enqueue(&mut **tx, st.sms.as_ref(), &st.keys, now, &out).await?;
            queued.push(sms::Queued { id, to, purpose: PURPOSE, body, params, wecom_user: Some(staff_no) });
        }
    }
    Ok(queued)
}

/// Sends what a request queued, after its commit.
fn deliver(st: &AppState, queued: Vec<sms::Queued>) {
    if queued.is_empty() {
        return;
    }
    let st = st.clone();
    tokio::spawn(async move { sms::deliver_queued(&st.writes, st.sms.as_ref(), st.clock.now_ms(), queued).await });
}

/// One open request per person, mobile and document: claim rows under a
/// primary key (two admins filing at once: one wins).
async fn claim(tx: &mut Tx<'_>, claims: &[String], request_id: &str) -> Result<(), AppError> {
    for c in claims {
        let r = sqlx::query("INSERT INTO temp_request_claims (claim, request_id) VALUES ($1, $2)").bind(c).bind(request_id).execute(&mut **tx).await;
        match r {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(AppError::Conflict { msg: Msg::ErrTempOpenRequest }),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// A person as maintenance reads them.
#[derive(sqlx::FromRow)]
struct PersonRow {
    id: String,
    temp_no: String,
    name: String,
    department_id: String,
    start_date: String,
    leave_date: String,
    deleted_at: Option<i64>,
}

/// Files a renewal, transfer or deletion of a person by their number.
pub async fn file_maintenance(st: &AppState, me: &Principal, input: MaintenanceInput) -> Result<String, AppError> {
    let staff = me.staff().ok_or(AppError::Forbidden)?;
    if !input.commitment {
        return Err(AppError::invalid("commitment", Msg::ErrTempCommitment));
    }
    let p: Option<PersonRow> = sqlx::query_as(
        "SELECT id, temp_no, name, department_id, start_date, leave_date, deleted_at FROM temp_people WHERE temp_no = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(input.temp_no.trim().to_ascii_uppercase())
    .fetch_optional(&st.db.read)
    .await?;
    // Someone of another department is "not found", as if unknown.
    let not_found = || AppError::invalid("temp_no", Msg::ErrTempNoNumber);
    let p = p.ok_or_else(not_found)?;
    let change = match input.kind {
        RequestKind::Renewal => Maintenance::Renewal { new_leave: date("new_leave_date", &input.new_leave_date)? },
        RequestKind::Transfer => {
            let known: Option<(String,)> =
                sqlx::query_as("SELECT id FROM departments WHERE id = $1").bind(&input.to_department_id).fetch_optional(&st.db.read).await?;
            known.ok_or_else(|| AppError::invalid("to_department_id", Msg::ErrRequired))?;
            Maintenance::Transfer { to_department: input.to_department_id.clone() }
        }
        RequestKind::Delete => Maintenance::Delete,
        RequestKind::FirstNumber => return Err(AppError::invalid("kind", Msg::ErrKindNotOffered)),
    };
    // The person's department files; a transfer of someone expired or
    // deleted may also be filed by the department taking them on.
    let receiving = matches!(&change, Maintenance::Transfer { to_department } if me.has_scoped(Role::TempPersonnelAdmin, to_department));
    if !me.has_scoped(Role::TempPersonnelAdmin, &p.department_id) && !receiving {
        return Err(not_found());
    }
    let today = st.clock.today();
    let (start, leave) = (date("start_date", &p.start_date)?, date("leave_date", &p.leave_date)?);
    let standing = Standing::of(p.deleted_at.is_some(), leave, today);
    if receiving && !me.has_scoped(Role::TempPersonnelAdmin, &p.department_id) && standing == Standing::Valid {
        // While valid, the department the person leaves asks for it.
        return Err(not_found());
    }
    let person = Person { department: &p.department_id, start, leave, standing };
    let needed = maintenance(&person, &change, today)
        .map_err(|e| problem(if input.kind == RequestKind::Renewal { "new_leave_date" } else { "temp_no" }, e))?;
    let now = st.clock.now_ms();
    let id = new_id();
    let (new_leave, to_dept) = match &change {
        Maintenance::Renewal { new_leave } => (Some(new_leave.to_string()), None),
        Maintenance::Transfer { to_department } => (None, Some(to_department.clone())),
        Maintenance::Delete => (None, None),
    };
    let mut tx = st.db.write.begin().await?;
    claim(&mut tx, &[format!("person:{}", p.id)], &id).await?;
    sqlx::query(
        "INSERT INTO temp_requests (id, kind, status, person_id, department_id, to_department_id, new_leave_date, name, needed, filed_by,
            filed_by_label, committed_at, created_at)
         VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(&id)
    .bind(input.kind.code())
    .bind(&p.id)
    .bind(&p.department_id)
    .bind(&to_dept)
    .bind(&new_leave)
    .bind(&p.name)
    .bind(serde_json::to_string(&needed).unwrap_or_default())
    .bind(&staff.id)
    .bind(me.actor_label())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let changes = json!({"kind": input.kind.code(), "temp_no": p.temp_no, "new_leave_date": new_leave, "to_department_id": to_dept,
        "needed": needed, "commitment": {"by": me.actor_label(), "at": now}});
    audit::record(&mut *tx, now, &me.actor_label(), "temp_request", "temp_request", &id, changes, Some(&client_ip())).await?;
    let queued = tell_leaders(st, &mut tx, &needed, &p.name, now).await?;
    tx.commit().await?;
    deliver(st, queued);
    Ok(id)
}

/// A request as the deciding transaction reads it.
#[derive(sqlx::FromRow)]
struct RequestRow {
    kind: String,
    person_id: Option<String>,
    department_id: String,
    to_department_id: Option<String>,
    new_leave_date: Option<String>,
    name: String,
    phone: Option<String>,
    doc_type: Option<String>,
    doc_sealed: Option<String>,
    doc_mac: Option<String>,
    doc_masked: String,
    category: Option<String>,
    start_date: Option<String>,
    leave_date: Option<String>,
    needed: String,
}

/// A leader approves or refuses a request for their department. Of two
/// leaders of one department, one decides; a request needing two
/// departments is carried out by the second approval.
pub async fn decide(st: &AppState, me: &Principal, id: &str, approve: bool, reason: &str) -> Result<(), AppError> {
    let staff = me.staff().ok_or(AppError::Forbidden)?;
    let reason = if approve { String::new() } else { crate::fields::text("reason", reason, 200)? };
    let now = st.clock.now_ms();
    let actor = me.actor_label();
    let mut tx = st.db.write.begin().await?;
    // Take the request's row first: deciders of one request go one after
    // the other, so the second sees the first's approval (PostgreSQL's
    // READ COMMITTED would otherwise let two each see only their own).
    let locked = sqlx::query("UPDATE temp_requests SET status = status WHERE id = $1 AND status = 'pending'").bind(id).execute(&mut *tx).await?;
    let r: Option<RequestRow> = sqlx::query_as(
        "SELECT kind, person_id, department_id, to_department_id, new_leave_date, name, phone, doc_type, doc_sealed, doc_mac, doc_masked, category,
                start_date, leave_date, needed FROM temp_requests WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let r = r.ok_or(AppError::NotFound)?;
    let needed: Vec<String> = serde_json::from_str(&r.needed).unwrap_or_default();
    let approved: Vec<(String,)> =
        sqlx::query_as("SELECT department_id FROM temp_request_approvals WHERE request_id = $1").bind(id).fetch_all(&mut *tx).await?;
    let approved: Vec<String> = approved.into_iter().map(|a| a.0).collect();
    // The caller's department among those still to approve; a leader of
    // a third department is told "not found".
    let mine = needed.iter().find(|d| me.has_scoped(Role::Approver, d) && !approved.contains(d)).cloned();
    let Some(department) = mine else {
        return Err(if needed.iter().any(|d| me.has_scoped(Role::Approver, d)) {
            AppError::Conflict { msg: Msg::ErrAlreadyHandled }
        } else {
            AppError::NotFound
        });
    };
    if locked.rows_affected() == 0 {
        return Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled });
    }
    let kind = RequestKind::from_code(&r.kind).ok_or(AppError::Internal)?;
    if !approve {
        sqlx::query("UPDATE temp_requests SET status = 'rejected', decided_at = $1, reject_reason = $2 WHERE id = $3")
            .bind(now)
            .bind(&reason)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM temp_request_claims WHERE request_id = $1").bind(id).execute(&mut *tx).await?;
        audit::record(
            &mut *tx,
            now,
            &actor,
            "temp_reject",
            "temp_request",
            id,
            json!({"department_id": department, "reason": reason}),
            Some(&client_ip()),
        )
        .await?;
        tx.commit().await?;
        return Ok(());
    }
    sqlx::query("INSERT INTO temp_request_approvals (request_id, department_id, staff_id, staff_label, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(&department)
        .bind(&staff.id)
        .bind(&actor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let mut all = approved;
    all.push(department.clone());
    let mut queued = Vec::new();
    let mut done = json!(null);
    if fully_approved(&needed, &all) {
        sqlx::query("UPDATE temp_requests SET status = 'approved', decided_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM temp_request_claims WHERE request_id = $1").bind(id).execute(&mut *tx).await?;
        done = match kind {
            RequestKind::FirstNumber => {
                let (no, q) = issue_number(st, &mut tx, id, &r, now).await?;
                queued.extend(q);
                json!({"temp_no": no})
            }
            RequestKind::Renewal => renew(st, &mut tx, &r, now).await?,
            RequestKind::Transfer => transfer(&mut tx, &r, now).await?,
            RequestKind::Delete => delete(&mut tx, &r, now, &actor).await?,
        };
    }
    let changes = json!({"department_id": department, "kind": kind.code(), "carried_out": done});
    audit::record(&mut *tx, now, &actor, "temp_approve", "temp_request", id, changes, Some(&client_ip())).await?;
    tx.commit().await?;
    deliver(st, queued);
    Ok(())
}

/// The first request approved: the next number of the counter (which
/// never goes back), the person's record, and a text telling them what to
/// do next.
async fn issue_number(st: &AppState, tx: &mut Tx<'_>, request_id: &str, r: &RequestRow, now: i64) -> Result<(String, Vec<sms::Queued>), AppError> {
    let format = NumberFormat::parse(&st.config.temp_personnel.number_format).map_err(|e| {
        tracing::error!(error = e, "temp_personnel.number_format unreadable");
        AppError::Internal
    })?;
    let (next,): (i64,) =
        sqlx::query_as("UPDATE temp_number_counter SET next = next + 1 WHERE name = 'temp_no' RETURNING next").fetch_one(&mut **tx).await?;
    let no = format.format(st.clock.today().year(), next - 1);
    let person_id = new_id();
    let phone = r.phone.clone().unwrap_or_default();
    let inserted = sqlx::query(
        "INSERT INTO temp_people (id, temp_no, name, phone, doc_type, doc_sealed, doc_mac, doc_masked, category, department_id, start_date,
            leave_date, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(&person_id)
    .bind(&no)
    .bind(&r.name)
    .bind(&phone)
    .bind(&r.doc_type)
    .bind(&r.doc_sealed)
    .bind(&r.doc_mac)
    .bind(&r.doc_masked)
    .bind(&r.category)
    .bind(&r.department_id)
    .bind(&r.start_date)
    .bind(&r.leave_date)
    .bind(now)
    .execute(&mut **tx)
    .await;
    // Given a number meanwhile (by another department's request).
    one_person_per_mobile("phone", inserted)?;
    sqlx::query("UPDATE temp_requests SET person_id = $1 WHERE id = $2").bind(&person_id).bind(request_id).execute(&mut **tx).await?;
    let Ok(to) = Phone::parse(&phone) else { return Ok((no, vec![])) };
    let link = format!("{}/temp", st.config.public_base_url.trim_end_matches('/'));
    let params = vec![("name".to_owned(), r.name.clone()), ("number".to_owned(), no.clone()), ("link".to_owned(), link)];
    let body = sms::render(crate::i18n::OfficeMsg::SmsTempNumber, &params);
    let out = sms::Outgoing { to: &to, purpose: "temp_number", body: body.clone(), params: params.clone(), wecom_user: None };
    let outbox_id = sms::enqueue(&mut **tx, st.sms.as_ref(), &st.keys, now, &out).await?;
    Ok((no, vec![sms::Queued { id: outbox_id, to, purpose: "temp_number", body, params, wecom_user: None }]))
}

/// A mobile or document belongs to one person not deleted (the unique
/// indexes): a write that would make two is refused.
fn one_person_per_mobile<T>(field: &str, written: Result<T, sqlx::Error>) -> Result<(), AppError> {
    match written {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(AppError::rule(field, Msg::ErrTempAlreadyOnRecord, String::new())),
        Err(e) => Err(e.into()),
    }
}

/// A new leave date: the record, and the person's passes still running
/// (valid to the new date; the roster sends them again).
async fn renew(st: &AppState, tx: &mut Tx<'_>, r: &RequestRow, now: i64) -> Result<serde_json::Value, AppError> {
    let person = r.person_id.as_deref().ok_or(AppError::Internal)?;
    let new_leave = date("new_leave_date", r.new_leave_date.as_deref().unwrap_or_default())?;
    sqlx::query("UPDATE temp_people SET leave_date = $1, updated_at = $2 WHERE id = $3")
        .bind(new_leave.to_string())
        .bind(now)
        .bind(person)
        .execute(&mut **tx)
        .await?;
    let until = st.clock.end_of_day(new_leave);
    let apps = "SELECT id FROM applications WHERE temp_person_id = $1 AND status = 'approved'";
    let extended = sqlx::query(&format!(
        "UPDATE passes SET valid_until = $2, updated_at = $3 WHERE application_id IN ({apps}) AND cancelled_at IS NULL AND valid_until > $3"
    ))
    .bind(person)
    .bind(until)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(&format!("UPDATE applications SET end_date = $2 WHERE id IN ({apps})"))
        .bind(person)
        .bind(new_leave.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(json!({"leave_date": new_leave.to_string(), "passes_extended": extended.rows_affected()}))
}

/// Another department: the record (taken on again if it was deleted) and
/// the line the guard reads on the person's passes.
async fn transfer(tx: &mut Tx<'_>, r: &RequestRow, now: i64) -> Result<serde_json::Value, AppError> {
    let person = r.person_id.as_deref().ok_or(AppError::Internal)?;
    let to = r.to_department_id.as_deref().ok_or(AppError::Internal)?;
    let moved = sqlx::query("UPDATE temp_people SET department_id = $1, deleted_at = NULL, updated_at = $2 WHERE id = $3")
        .bind(to)
        .bind(now)
        .bind(person)
        .execute(&mut **tx)
        .await;
    // Taken on again, but the mobile or document is now someone else's.
    one_person_per_mobile("temp_no", moved)?;
    crate::passes::ssr::refresh_temp_holder_notes(tx, person, now).await?;
    Ok(json!({"from": r.department_id, "to": to}))
}

/// Deleted: access closed at once (the passes cancelled: online now, and
/// offline with the next roster or, at the latest, the token's lifetime);
/// the record kept.
async fn delete(tx: &mut Tx<'_>, r: &RequestRow, now: i64, actor: &str) -> Result<serde_json::Value, AppError> {
    let person = r.person_id.as_deref().ok_or(AppError::Internal)?;
    sqlx::query("UPDATE temp_people SET deleted_at = $1, updated_at = $1 WHERE id = $2").bind(now).bind(person).execute(&mut **tx).await?;
    let apps: Vec<(String,)> = sqlx::query_as("SELECT id FROM applications WHERE temp_person_id = $1").bind(person).fetch_all(&mut **tx).await?;
    for (app,) in &apps {
        crate::passes::ssr::cancel_for(tx, app, now, actor).await?;
    }
    Ok(json!({"deleted_at": now}))
}

/// A request as the lists read it.
#[derive(sqlx::FromRow)]
struct ListedRequest {
    id: String,
    kind: String,
    status: String,
    name: String,
    temp_no: Option<String>,
    category: Option<String>,
    department_id: String,
    department: String,
    to_department: Option<String>,
    new_leave_date: Option<String>,
    start_date: Option<String>,
    leave_date: Option<String>,
    filed_by_label: String,
    created_at: i64,
    needed: String,
    reject_reason: String,
    to_department_id: Option<String>,
}

/// Requests the caller may see: those of the departments they administer,
/// and those their department must approve; every one for the office.
/// `open`: pending only.
pub async fn list(st: &AppState, me: &Principal, open: bool) -> Result<Vec<TempRequestRow>, AppError> {
    let rows: Vec<ListedRequest> = sqlx::query_as(
        "SELECT r.id, r.kind, r.status, r.name, t.temp_no, COALESCE(c1.name, c2.name) AS category, r.department_id, d.name AS department,
                td.name AS to_department, r.new_leave_date, r.start_date, r.leave_date, r.filed_by_label, r.created_at, r.needed, r.reject_reason,
                r.to_department_id
         FROM temp_requests r JOIN departments d ON d.id = r.department_id LEFT JOIN departments td ON td.id = r.to_department_id
         LEFT JOIN temp_people t ON t.id = r.person_id LEFT JOIN temp_categories c1 ON c1.code = t.category
         LEFT JOIN temp_categories c2 ON c2.code = r.category
         WHERE ($1 = 0 OR r.status = 'pending') ORDER BY r.created_at DESC LIMIT 500",
    )
    .bind(open as i64)
    .fetch_all(&st.db.read)
    .await?;
    let names: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM departments").fetch_all(&st.db.read).await?;
    let name_of = |id: &str| names.iter().find(|n| n.0 == id).map(|n| n.1.clone()).unwrap_or_default();
    let mut out = Vec::new();
    for r in rows {
        let needed: Vec<String> = serde_json::from_str(&r.needed).unwrap_or_default();
        let administered = administers(me, &r.department_id) || r.to_department_id.as_deref().is_some_and(|d| administers(me, d));
        let leads = needed.iter().any(|d| me.has_scoped(Role::Approver, d));
        if !administered && !leads {
            continue;
        }
        let approved: Vec<(String,)> =
            sqlx::query_as("SELECT department_id FROM temp_request_approvals WHERE request_id = $1").bind(&r.id).fetch_all(&st.db.read).await?;
        let approved: Vec<String> = approved.into_iter().map(|a| a.0).collect();
        let can_decide = r.status == "pending" && needed.iter().any(|d| me.has_scoped(Role::Approver, d) && !approved.contains(d));
        let kind = RequestKind::from_code(&r.kind).unwrap_or(RequestKind::FirstNumber);
        let details = match kind {
            RequestKind::FirstNumber => format!("{} → {}", r.start_date.unwrap_or_default(), r.leave_date.unwrap_or_default()),
            RequestKind::Renewal => format!("→ {}", r.new_leave_date.unwrap_or_default()),
            RequestKind::Transfer => format!("{} → {}", r.department, r.to_department.unwrap_or_default()),
            RequestKind::Delete => String::new(),
        };
        out.push(TempRequestRow {
            id: r.id,
            kind,
            status: r.status,
            name: r.name,
            temp_no: r.temp_no.unwrap_or_default(),
            category: r.category.unwrap_or_default(),
            department: r.department,
            details,
            filed_by: r.filed_by_label.trim_start_matches("staff:").to_owned(),
            filed_at: st.clock.format(r.created_at),
            needed: needed.iter().map(|d| name_of(d)).collect(),
            approved: approved.iter().map(|d| name_of(d)).collect(),
            reject_reason: r.reject_reason,
            can_decide,
        });
    }
    Ok(out)
}
