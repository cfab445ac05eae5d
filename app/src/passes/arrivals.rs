//! The host is told when their visitor arrives: at a visitor's pass's first
//! entry, one text to the host of the application, unless the host turned
//! these texts off (`staff.arrival_texts`). Queued in the transaction that
//! records the entry, so an entry recorded twice (two gates, two servers)
//! is told once, and a rolled-back entry never.

use super::stored::Tx;
use crate::domain::Phone;
use crate::error::AppError;
use crate::platform::context::AppState;
use crate::platform::db::{in_list, marks};
use crate::platform::sms;
use std::collections::HashMap;

pub const PURPOSE: &str = "visitor_arrived";

/// A pass's first entry, just recorded.
pub struct Arrival<'a> {
    pub pass_id: &'a str,
    pub gate_id: &'a str,
    pub at: i64,
}

/// Queues the texts for `arrivals` in the recording transaction; returns
/// them, to deliver once it has committed.
pub async fn queue(st: &AppState, tx: &mut Tx<'_>, arrivals: &[Arrival<'_>], now: i64) -> Result<Vec<sms::Queued>, AppError> {
    if arrivals.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<&str> = arrivals.iter().map(|a| a.pass_id).collect();
    // Only a person's pass of a visitor's application, and a host who
    // keeps these texts on and has a mobile on record.
    let mut hosts: HashMap<String, (String, String, String)> = HashMap::new();
    for list in in_list(&ids) {
        let sql = format!(
            "SELECT p.id, p.holder, s.phone, c.name FROM passes p
             JOIN applications a ON a.id = p.application_id
             JOIN staff s ON s.id = a.host_staff_id
             JOIN campuses c ON c.id = p.campus_id
             WHERE p.id IN ({}) AND p.vehicle = 0 AND a.kind = 'visitor'
               AND s.active = 1 AND s.arrival_texts = 1 AND s.phone IS NOT NULL",
            marks(1, list.len())
        );
        let mut q = sqlx::query_as::<_, (String, String, String, String)>(&sql);
        for id in list {
            q = q.bind(id);
        }
        for (id, holder, phone, campus) in q.fetch_all(&mut **tx).await? {
            hosts.insert(id, (holder, phone, campus));
        }
    }
    let mut out = Vec::new();
    for a in arrivals {
        let Some((holder, phone, campus)) = hosts.get(a.pass_id) else { continue };
        let Ok(to) = Phone::parse(phone) else { continue };
        let gate: Option<(String,)> = sqlx::query_as("SELECT name FROM gates WHERE id = $1").bind(a.gate_id).fetch_optional(&mut **tx).await?;
        let params = vec![
            ("name".to_owned(), holder.clone()),
            ("time".to_owned(), st.clock.format(a.at)),
            ("gate".to_owned(), gate.map(|g| g.0).unwrap_or_default()),
            ("campus".to_owned(), campus.clone()),
        ];
        let body = sms::render(crate::i18n::OfficeMsg::SmsVisitorArrived, &params);
        let (id, insert) = sms::enqueue_statement(
            st.sms.as_ref(),
            &st.keys,
            now,
            &sms::Outgoing { to: &to, purpose: PURPOSE, body: body.clone(), params: params.clone(), wecom_user: None },
        );
        insert.execute(&mut **tx).await?;
        out.push(sms::Queued { id, to, purpose: PURPOSE, body, params, wecom_user: None });
    }
    Ok(out)
}

/// Sends committed texts beside the answer (a guard never waits on the SMS
/// gateway), on `server`: the runtime the SMS provider's client lives on.
/// A failure, or a server stopping first, leaves them to the retry job.
pub fn deliver(st: &AppState, server: &tokio::runtime::Handle, texts: Vec<sms::Queued>) {
    if !texts.is_empty() {
        let st = st.clone();
        server.spawn(async move { sms::deliver_queued(&st.writes, st.sms.as_ref(), st.clock.now_ms(), texts).await });
    }
}
