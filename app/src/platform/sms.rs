//! Text messages. Every message lands in the outbox table first — in the
//! same transaction as the change it announces — and is then delivered by
//! the configured provider; the row records each outcome. A failed delivery
//! is retried with back-off and stays visible as failed to the office, so a
//! message is never lost.

use super::db::{Db, Script, Statement, new_id};
use super::keys::Keys;
use crate::domain::Phone;
use std::{future::Future, pin::Pin};

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// One message as a provider receives it: the full text (for providers that
/// send free text) and the purpose and ordered parameters (for providers
/// that send registered templates).
pub struct Delivery<'a> {
    pub to: &'a Phone,
    pub purpose: &'a str,
    pub body: &'a str,
    pub params: &'a [(String, String)],
    /// A staff member's WeCom userid: the message may go through WeCom
    /// instead (`wecom::Messenger`).
    pub wecom_user: Option<&'a str>,
}

pub trait SmsProvider: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// The channel a message to this recipient goes through, as the
    /// outbox shows it.
    fn channel(&self, wecom_user: Option<&str>) -> &'static str {
        let _ = wecom_user;
        self.name()
    }
    fn send<'a>(&'a self, msg: Delivery<'a>) -> SendFuture<'a>;
    /// The outbox provider *is* the delivery (demo, tests): it keeps the
    /// whole text. Real providers keep a copy with codes blanked out.
    fn outbox_keeps_codes(&self) -> bool {
        false
    }
}

/// Delivers into the outbox table. For the demo campus and for tests; a
/// real campus configures a real provider. On the demo campus the text is
/// printed on the console too (where a newcomer trying it reads the code);
/// otherwise logs keep neither codes nor pass links.
pub struct OutboxProvider {
    pub print: bool,
}

impl SmsProvider for OutboxProvider {
    fn name(&self) -> &'static str {
        "outbox"
    }
    fn send<'a>(&'a self, msg: Delivery<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            if self.print {
                println!("SMS to {} ({}): {}", msg.to.masked(), msg.purpose, msg.body);
            } else {
                tracing::info!(to = %msg.to.masked(), purpose = msg.purpose, "SMS delivered to the outbox");
            }
            Ok(())
        })
    }
    fn outbox_keeps_codes(&self) -> bool {
        true
    }
}

/// A text's Chinese template with its `{name}`s filled in (texts go out in
/// Chinese; the params travel beside it for template-based providers).
pub fn render(msg: impl crate::domain::messages::Text, params: &[(String, String)]) -> String {
    let mut s = msg.text(crate::domain::messages::Lang::Zh).to_owned();
    for (k, v) in params {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// A message to queue.
pub struct Outgoing<'a> {
    pub to: &'a Phone,
    pub purpose: &'a str,
    pub body: String,
    pub params: Vec<(String, String)>,
    /// A staff recipient's WeCom userid (their staff number).
    pub wecom_user: Option<String>,
}

/// Purposes whose text holds a one-time code: never retried (the person
/// asks for a new code) and, with real providers, stored blanked.
const SECRET_PURPOSES: &[&str] = &["sign_in_code"];

/// Purposes whose `link` is itself a key (a pass, an invitation): with real
/// providers the outbox shows it blanked and keeps the whole text sealed,
/// for retries only.
const KEY_LINK_PURPOSES: &[&str] = &["approved_entrant", "invitation"];

/// The whole text of a message kept sealed.
#[derive(serde::Serialize, serde::Deserialize)]
struct SealedText {
    body: String,
    params: Vec<(String, String)>,
}

/// Tries before a message is left as failed for good.
pub const MAX_ATTEMPTS: i64 = 5;

fn backoff_ms(attempts: i64) -> i64 {
    // 1, 5, 30 minutes, then 2 hours.
    [60_000, 300_000, 1_800_000, 7_200_000][(attempts.max(1) as usize - 1).min(3)]
}

/// How long a message queued by a request is left to that request to
/// deliver (right after its commit) before the retry job takes it: the job
/// and the request never both send it.
pub const ENQUEUER_LEASE_MS: i64 = 120_000;

/// Queues a message inside the caller's transaction; `deliver_queued`
/// sends it once that transaction has committed. Returns the outbox id.
pub async fn enqueue<'c, E>(exec: E, provider: &dyn SmsProvider, keys: &Keys, now_ms: i64, msg: &Outgoing<'_>) -> Result<String, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let (id, insert) = enqueue_statement(provider, keys, now_ms, msg);
    insert.execute(exec).await?;
    Ok(id)
}

/// The outbox row of `msg`, to write with others; and its id.
pub fn enqueue_statement(provider: &dyn SmsProvider, keys: &Keys, now_ms: i64, msg: &Outgoing<'_>) -> (String, Statement) {
    let id = new_id();
    let keeps_all = provider.outbox_keeps_codes();
    let blanked = |secret: &dyn Fn(&str) -> bool| {
        let mut body = msg.body.clone();
        for (_, v) in msg.params.iter().filter(|(k, v)| secret(k) && !v.is_empty()) {
            body = body.replace(v.as_str(), "******");
        }
        body
    };
    let (body, params, sealed) = if SECRET_PURPOSES.contains(&msg.purpose) && !keeps_all {
        (blanked(&|_| true), "[]".to_owned(), None)
    } else if KEY_LINK_PURPOSES.contains(&msg.purpose) && !keeps_all {
        let shown: Vec<(String, String)> =
            msg.params.iter().map(|(k, v)| (k.clone(), if k == "link" { "******".to_owned() } else { v.clone() })).collect();
        let whole = serde_json::to_string(&SealedText { body: msg.body.clone(), params: msg.params.clone() }).unwrap_or_default();
        (blanked(&|k| k == "link"), serde_json::to_string(&shown).unwrap_or_else(|_| "[]".into()), Some(keys.seal_pii(&whole)))
    } else {
        (msg.body.clone(), serde_json::to_string(&msg.params).unwrap_or_else(|_| "[]".into()), None)
    };
    let insert = Statement::new(
        "INSERT INTO sms_outbox (id, phone, purpose, body, params, status, provider, attempts, created_at, next_attempt_at, sealed, wecom_user)
         VALUES ($1, $2, $3, $4, $5, 'queued', $6, 0, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(msg.to.as_str())
    .bind(msg.purpose)
    .bind(body)
    .bind(params)
    .bind(provider.channel(msg.wecom_user.as_deref()))
    .bind(now_ms)
    .bind(now_ms + ENQUEUER_LEASE_MS)
    .bind(sealed)
    .bind(msg.wecom_user.as_deref());
    (id, insert)
}

/// A message queued in a transaction that has since committed, still held
/// under its enqueuer's lease.
pub struct Queued {
    pub id: String,
    pub to: Phone,
    pub purpose: &'static str,
    pub body: String,
    pub params: Vec<(String, String)>,
    pub wecom_user: Option<String>,
}

/// Sends messages this request queued (after its commit) and records the
/// outcomes; a failure is left to the retry job with its back-off.
pub async fn deliver_queued(writes: &super::batch::WriteBatcher, provider: &dyn SmsProvider, now_ms: i64, queued: Vec<Queued>) {
    let mut outcomes = Vec::with_capacity(queued.len());
    for q in &queued {
        let outcome =
            provider.send(Delivery { to: &q.to, purpose: q.purpose, body: &q.body, params: &q.params, wecom_user: q.wecom_user.as_deref() }).await;
        outcomes.push(outcome_row(provider, &q.id, &q.to, q.purpose, 0, now_ms, outcome));
    }
    if outcomes.is_empty() {
        return;
    }
    // Recorded with the next batch of writes: one commit, one round trip
    // for many.
    let mut script = Script::new();
    for o in outcomes {
        script.push(o.statement());
    }
    if let Err(e) = writes.write(script).await {
        tracing::warn!(error = ?e, "recording SMS outcomes failed; the retry job will look again after the lease");
    }
}

/// Sends one message now (a sign-in code): records it, delivers it with the
/// real text, records the outcome. Returns whether it was delivered.
pub async fn send(db: &Db, provider: &dyn SmsProvider, keys: &Keys, now_ms: i64, msg: Outgoing<'_>) -> Result<bool, sqlx::Error> {
    // Queued under this request's lease: the retry job leaves it alone.
    let id = enqueue(&db.write, provider, keys, now_ms, &msg).await?;
    let outcome = provider
        .send(Delivery { to: msg.to, purpose: msg.purpose, body: &msg.body, params: &msg.params, wecom_user: msg.wecom_user.as_deref() })
        .await;
    record_outcome(db, provider, &id, msg.to, msg.purpose, 0, now_ms, outcome).await
}

/// Takes a due message for delivery: moves its next attempt past a lease,
/// conditionally, so one server sends it and another skips it.
async fn take(db: &Db, id: &str, due: i64, now_ms: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE sms_outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 AND status <> 'sent'")
        .bind(now_ms + 120_000)
        .bind(id)
        .bind(due)
        .execute(&db.write)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The row update an outcome makes.
struct OutcomeRow {
    id: String,
    status: &'static str,
    attempts: i64,
    error: Option<String>,
    sent_at: Option<i64>,
    next: Option<i64>,
}

impl OutcomeRow {
    fn statement(self) -> Statement {
        Statement::new("UPDATE sms_outbox SET status = $1, attempts = $2, last_error = $3, sent_at = $4, next_attempt_at = $5 WHERE id = $6")
            .bind(self.status)
            .bind(self.attempts)
            .bind(self.error)
            .bind(self.sent_at)
            .bind(self.next)
            .bind(self.id)
    }
}

fn outcome_row(
    provider: &dyn SmsProvider,
    id: &str,
    to: &Phone,
    purpose: &str,
    attempts_before: i64,
    now_ms: i64,
    outcome: Result<(), String>,
) -> OutcomeRow {
    let attempts = attempts_before + 1;
    match outcome {
        Ok(()) => OutcomeRow { id: id.to_owned(), status: "sent", attempts, error: None, sent_at: Some(now_ms), next: None },
        Err(e) => {
            tracing::warn!(to = %to.masked(), provider = provider.name(), attempts, "SMS delivery failed: {e}");
            let retry = attempts < MAX_ATTEMPTS && !SECRET_PURPOSES.contains(&purpose);
            OutcomeRow {
                id: id.to_owned(),
                status: "failed",
                attempts,
                error: Some(e.chars().take(300).collect()),
                sent_at: None,
                next: retry.then(|| now_ms + backoff_ms(attempts)),
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn record_outcome(
    db: &Db,
    provider: &dyn SmsProvider,
    id: &str,
    to: &Phone,
    purpose: &str,
    attempts_before: i64,
    now_ms: i64,
    outcome: Result<(), String>,
) -> Result<bool, sqlx::Error> {
    let row = outcome_row(provider, id, to, purpose, attempts_before, now_ms, outcome);
    let sent = row.status == "sent";
    row.statement().execute(&db.write).await?;
    Ok(sent)
}

/// Delivers every message that is due: new ones, and failed ones whose
/// back-off has passed. Safe to run on several servers at once. Returns how
/// many were delivered.
pub async fn deliver_due(db: &Db, provider: &dyn SmsProvider, keys: &Keys, now_ms: i64) -> Result<usize, sqlx::Error> {
    type Row = (String, String, String, String, String, i64, i64, Option<String>, Option<String>);
    let due: Vec<Row> = sqlx::query_as(
        "SELECT id, phone, purpose, body, params, attempts, next_attempt_at, sealed, wecom_user FROM sms_outbox
         WHERE status <> 'sent' AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT 200",
    )
    .bind(now_ms)
    .fetch_all(&db.read)
    .await?;
    let mut delivered = 0;
    for (id, phone, purpose, body, params, attempts, next, sealed, wecom_user) in due {
        let Ok(to) = Phone::parse(&phone) else { continue };
        if !take(db, &id, next, now_ms).await? {
            continue;
        }
        let params: Vec<(String, String)> = serde_json::from_str(&params).unwrap_or_default();
        // The whole text of a message whose outbox copy is blanked.
        let (body, params) = match sealed.and_then(|s| keys.open_pii(&s)).and_then(|s| serde_json::from_str::<SealedText>(&s).ok()) {
            Some(whole) => (whole.body, whole.params),
            None => (body, params),
        };
        let outcome = provider.send(Delivery { to: &to, purpose: &purpose, body: &body, params: &params, wecom_user: wecom_user.as_deref() }).await;
        if record_outcome(db, provider, &id, &to, &purpose, attempts, now_ms, outcome).await? {
            delivered += 1;
        }
    }
    Ok(delivered)
}
