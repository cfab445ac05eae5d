//! The SMS an application sends: to the approvers of the step it waits at,
//! the applicant's decision, each entrant's pass link once passes are
//! issued. Queued in the writing transaction, delivered after the commit.

use super::access::*;
use super::form::*;
use super::writes::Tx;
use super::*;
use crate::domain::Phone;
use crate::domain::lifecycle::Status;
use crate::i18n::OfficeMsg;
use crate::passes::ssr::Issued;
use crate::platform::context::AppState;
use crate::platform::{db::Script, sms};

pub(super) struct Notice {
    pub(super) phone: Phone,
    /// A staff recipient's staff number: their WeCom userid, so the notice
    /// goes through WeCom where the campus configured it.
    pub(super) staff_no: Option<String>,
    pub(super) purpose: &'static str,
    /// The text sent (the server's; no page bundle carries it).
    pub(super) msg: OfficeMsg,
    pub(super) params: Vec<(String, String)>,
}

/// Queues notices inside the transaction; returns them, to deliver once it
/// has committed.
pub(super) async fn queue(st: &AppState, tx: &mut Tx<'_>, notices: Vec<Notice>, now: i64) -> Result<Vec<sms::Queued>, sqlx::Error> {
    let (script, queued) = queue_writes(st, notices, now);
    script.execute(tx).await?;
    Ok(queued)
}

/// The outbox rows of `notices` (one each; a repeat to the same phone for
/// the same purpose is left out), and what to deliver after the commit.
pub(super) fn queue_writes(st: &AppState, notices: Vec<Notice>, now: i64) -> (Script, Vec<sms::Queued>) {
    let mut seen = std::collections::HashSet::new();
    let (mut script, mut out) = (Script::new(), Vec::new());
    for n in notices {
        if !seen.insert((n.phone.as_str().to_owned(), n.purpose)) {
            continue;
        }
        let body = sms::render(n.msg, &n.params);
        let (id, insert) = sms::enqueue_statement(
            st.sms.as_ref(),
            &st.keys,
            now,
            &sms::Outgoing { to: &n.phone, purpose: n.purpose, body: body.clone(), params: n.params.clone(), wecom_user: n.staff_no.clone() },
        );
        script.push(insert);
        out.push(sms::Queued { id, to: n.phone, purpose: n.purpose, body, params: n.params, wecom_user: n.staff_no });
    }
    (script, out)
}

/// Sends what was queued (after the commit), beside the answer: a visitor
/// or an approver is not kept waiting on the SMS gateway (seconds when it
/// is slow). A failure, or a server stopping first, leaves the message in
/// the outbox, where the retry job finds it once its lease has passed.
pub(super) fn deliver(st: &AppState, queued: Vec<sms::Queued>) {
    if queued.is_empty() {
        return;
    }
    let st = st.clone();
    tokio::spawn(async move { sms::deliver_queued(&st.writes, st.sms.as_ref(), st.clock.now_ms(), queued).await });
}

/// What an approver's message names: the first entrant, how many, the date.
pub(super) struct Summary {
    pub(super) first: String,
    pub(super) count: i64,
    pub(super) start: String,
}

impl Summary {
    pub(super) fn of(c: &Checked) -> Summary {
        Summary { first: c.entrants.first().map(|e| e.name.clone()).unwrap_or_default(), count: c.entrants.len() as i64, start: c.start.to_string() }
    }

    pub(super) async fn read(tx: &mut Tx<'_>, app_id: &str) -> Result<Summary, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct Row {
            first: String,
            count: i64,
            start_date: String,
        }
        let r: Row = sqlx::query_as(
            "SELECT (SELECT name FROM entrants WHERE application_id = a.id ORDER BY position LIMIT 1) AS first,
                    (SELECT COUNT(*) FROM entrants WHERE application_id = a.id) AS count, a.start_date
             FROM applications a WHERE a.id = $1",
        )
        .bind(app_id)
        .fetch_one(&mut **tx)
        .await?;
        Ok(Summary { first: r.first, count: r.count, start: r.start_date })
    }
}

/// The approvers of the step an application now waits at, with a phone.
pub(super) async fn step_notices(
    st: &AppState,
    tx: &mut Tx<'_>,
    app_id: &str,
    step: &ChainStep,
    summary: Summary,
) -> Result<Vec<Notice>, sqlx::Error> {
    let phones = step_phones(&mut **tx, step, st.clock.now_ms()).await?;
    Ok(new_request_notices(st, app_id, phones, summary))
}

/// Within this long of a "new request" text, an approver gets no other:
/// the requests merge into the one they were told of (their inbox lists
/// every one). However many people apply, an approver's phone gets at most
/// one such text in ten minutes.
pub const NEW_REQUEST_MERGE_MS: i64 = 10 * 60_000;

/// The mobiles (and staff numbers) of whoever may act on `step` and has
/// had no "new request" text in the last [`NEW_REQUEST_MERGE_MS`].
pub(super) async fn step_phones<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    step: &ChainStep,
    now: i64,
) -> Result<Vec<(Phone, String)>, sqlx::Error> {
    let not_told_lately = "NOT EXISTS (SELECT 1 FROM sms_outbox o WHERE o.phone = s.phone AND o.purpose = 'new_request' AND o.created_at > $2)";
    let since = now - NEW_REQUEST_MERGE_MS;
    // The host, or the one person a previous approver chose, is told alone.
    let phones: Vec<(Option<String>, String)> = if let (true, Some(id)) = (step.host || step.chosen, &step.staff_id) {
        sqlx::query_as(&format!("SELECT s.phone, s.staff_no FROM staff s WHERE s.id = $1 AND s.active = 1 AND {not_told_lately}"))
            .bind(id)
            .bind(since)
            .fetch_all(exec)
            .await?
    } else if let Some(d) = &step.department_id {
        return department_leader_phones(exec, d, "new_request", now).await;
    } else {
        vec![]
    };
    Ok(phones.into_iter().filter_map(|(p, no)| Some((Phone::parse(&p?).ok()?, no))).collect())
}

/// The mobiles (and staff numbers) of a department's approvers who have
/// had no text for `purpose` in the last [`NEW_REQUEST_MERGE_MS`] (also
/// whom a temporary-personnel request is told to).
pub async fn department_leader_phones<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    department_id: &str,
    purpose: &str,
    now: i64,
) -> Result<Vec<(Phone, String)>, sqlx::Error> {
    let phones: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT s.phone, s.staff_no FROM grants g JOIN staff s ON s.id = g.staff_id
         WHERE g.role = 'approver' AND g.scope_id = $1 AND g.status = 'active' AND s.active = 1
           AND NOT EXISTS (SELECT 1 FROM sms_outbox o WHERE o.phone = s.phone AND o.purpose = $3 AND o.created_at > $2)",
    )
    .bind(department_id)
    .bind(now - NEW_REQUEST_MERGE_MS)
    .bind(purpose)
    .fetch_all(exec)
    .await?;
    Ok(phones.into_iter().filter_map(|(p, no)| Some((Phone::parse(&p?).ok()?, no))).collect())
}

pub(super) fn new_request_notices(st: &AppState, app_id: &str, phones: Vec<(Phone, String)>, summary: Summary) -> Vec<Notice> {
    let Summary { first, count, start } = summary;
    let link = format!("{}/approvals/{app_id}", st.config.public_base_url.trim_end_matches('/'));
    phones
        .into_iter()
        .map(|(phone, staff_no)| Notice {
            phone,
            staff_no: Some(staff_no),
            purpose: "new_request",
            msg: OfficeMsg::SmsNewRequest,
            params: vec![
                ("name".into(), first.clone()),
                ("count".into(), count.to_string()),
                ("date".into(), start.clone()),
                ("link".into(), link.clone()),
            ],
        })
        .collect()
}

/// The applicant's decision; `staff_no` when a staff member filed it.
pub(super) fn decision_notice(st: &AppState, applicant: &str, staff_no: Option<String>, app_id: &str, status: Status) -> Option<Notice> {
    let phone = Phone::parse(applicant).ok()?;
    let link = format!("{}/applications/{app_id}", st.config.public_base_url.trim_end_matches('/'));
    Some(Notice {
        phone,
        staff_no,
        purpose: "decision",
        msg: OfficeMsg::SmsDecision,
        params: vec![("status".into(), status_label(status).text(crate::i18n::Lang::Zh).to_owned()), ("link".into(), link)],
    })
}

/// Tells every entrant with a mobile that the application is approved,
/// each by their own SMS with their own pass link (seed 001): built from
/// the passes the approval issued.
pub(super) async fn approved_notices(tx: &mut Tx<'_>, app_id: &str, issued: Vec<Issued>) -> Result<Vec<Notice>, AppError> {
    let visit: Visit =
        sqlx::query_as("SELECT a.start_date, a.end_date, c.name AS campus FROM applications a JOIN campuses c ON c.id = a.campus_id WHERE a.id = $1")
            .bind(app_id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(issued
        .into_iter()
        .filter_map(|p| {
            Some(Notice {
                phone: p.phone?,
                staff_no: None,
                purpose: "approved_entrant",
                msg: OfficeMsg::SmsApprovedEntrant,
                params: vec![
                    ("name".into(), p.holder),
                    ("start".into(), visit.start_date.clone()),
                    ("end".into(), visit.end_date.clone()),
                    ("campus".into(), visit.campus.clone()),
                    ("link".into(), p.link),
                ],
            })
        })
        .collect())
}

/// The visit an entrant's message names.
#[derive(sqlx::FromRow)]
struct Visit {
    start_date: String,
    end_date: String,
    campus: String,
}
