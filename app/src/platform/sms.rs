//! Text messages. Every message lands in the outbox table first; a provider
//! then delivers it and the row records the outcome, so a failed delivery is
//! never lost and is visible to the office.

use super::db::{Db, new_id};
use crate::domain::Phone;
use std::{future::Future, pin::Pin};

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

pub trait SmsProvider: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn send<'a>(&'a self, to: &'a Phone, body: &'a str) -> SendFuture<'a>;
    /// The outbox provider *is* the delivery (demo, tests): it keeps the
    /// whole text. Real providers keep a copy with codes blanked out.
    fn outbox_keeps_codes(&self) -> bool {
        false
    }
}

/// Delivers into the outbox table and the server's console. For the demo
/// campus and for tests; a real campus configures a real provider.
pub struct OutboxProvider;

impl SmsProvider for OutboxProvider {
    fn name(&self) -> &'static str {
        "outbox"
    }
    fn send<'a>(&'a self, to: &'a Phone, body: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            tracing::info!(to = %to.masked(), "SMS (outbox provider): {body}");
            Ok(())
        })
    }
    fn outbox_keeps_codes(&self) -> bool {
        true
    }
}

pub struct Outgoing<'a> {
    pub to: &'a Phone,
    pub purpose: &'a str,
    pub body: String,
    /// The same text with one-time codes blanked, for the outbox copy.
    pub redacted: String,
}

/// Records the message, hands it to the provider and records the outcome.
pub async fn send(db: &Db, provider: &dyn SmsProvider, now_ms: i64, msg: Outgoing<'_>) -> Result<bool, sqlx::Error> {
    let id = new_id();
    let kept = if provider.outbox_keeps_codes() { &msg.body } else { &msg.redacted };
    sqlx::query(
        "INSERT INTO sms_outbox (id, phone, purpose, body, status, provider, attempts, created_at) VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6)",
    )
    .bind(&id)
    .bind(msg.to.as_str())
    .bind(msg.purpose)
    .bind(kept)
    .bind(provider.name())
    .bind(now_ms)
    .execute(&db.write)
    .await?;
    let outcome = provider.send(msg.to, &msg.body).await;
    let (status, error) = match &outcome {
        Ok(()) => ("sent", None),
        Err(e) => {
            tracing::warn!(to = %msg.to.masked(), provider = provider.name(), "SMS delivery failed: {e}");
            ("failed", Some(e.clone()))
        }
    };
    sqlx::query("UPDATE sms_outbox SET status = $1, attempts = attempts + 1, last_error = $2, sent_at = $3 WHERE id = $4")
        .bind(status)
        .bind(error)
        .bind(outcome.is_ok().then_some(now_ms))
        .bind(&id)
        .execute(&db.write)
        .await?;
    Ok(outcome.is_ok())
}
