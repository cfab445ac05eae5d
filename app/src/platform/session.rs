//! Server-side sessions. The cookie carries 256 random bits; the table keeps
//! only their SHA-256, so a leaked database copy opens no session.

use super::batch::WriteBatcher;
use super::db::{Db, Script, Statement};
use super::keys::{random_token, sha256_hex};
use crate::error::AppError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub const COOKIE: &str = "cp_session";

#[derive(Clone, Debug)]
pub enum SessionSubject {
    Staff(String),
    Phone(String),
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub staff_id: Option<String>,
    pub phone: Option<String>,
    pub last_seen_at: i64,
    /// A phone session's household when the phone is a resident's: read
    /// with the session, one query fewer on every signed-in request.
    pub resident_household: Option<String>,
}

pub struct Timeouts {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

/// Starts a new session (a new id at every sign-in) and returns the cookie value.
pub async fn create(db: &Db, subject: &SessionSubject, now_ms: i64, t: &Timeouts) -> Result<String, sqlx::Error> {
    create_with_ticket(db, subject, None, now_ms, t).await
}

/// A session opened by a single sign-on ticket, kept as its SHA-256 so the
/// sign-on server's logout request can end it. A ticket already behind a
/// session fails the unique index: a replayed ticket opens nothing.
pub async fn create_with_ticket(db: &Db, subject: &SessionSubject, ticket: Option<&str>, now_ms: i64, t: &Timeouts) -> Result<String, sqlx::Error> {
    let token = random_token(32);
    let (staff_id, phone) = match subject {
        SessionSubject::Staff(id) => (Some(id.as_str()), None),
        SessionSubject::Phone(p) => (None, Some(p.as_str())),
    };
    sqlx::query(
        "INSERT INTO sessions (id_hash, staff_id, phone, created_at, last_seen_at, expires_at, sso_ticket_hash) VALUES ($1, $2, $3, $4, $4, $5, $6)",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(staff_id)
    .bind(phone)
    .bind(now_ms)
    .bind(now_ms + t.absolute_ms)
    .bind(ticket.map(|t| sha256_hex(t.as_bytes())))
    .execute(&db.write)
    .await?;
    Ok(token)
}

/// Ends the sessions a single sign-on ticket opened (its server's single
/// logout); how many were still open.
pub async fn end_for_ticket(db: &Db, ticket: &str, now_ms: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE sessions SET ended_at = $1 WHERE sso_ticket_hash = $2 AND ended_at IS NULL")
        .bind(now_ms)
        .bind(sha256_hex(ticket.as_bytes()))
        .execute(&db.write)
        .await?;
    Ok(done.rows_affected())
}

/// The live session for a cookie value, if any; refreshes its idle timer
/// (at most once a minute, to keep reads from writing) behind the request
/// (see [`Touches`]).
pub async fn resolve(db: &Db, touches: &Arc<Touches>, token: &str, now_ms: i64, t: &Timeouts) -> Result<Option<SessionRow>, AppError> {
    if token.len() != 43 {
        return Ok(None);
    }
    let hash = sha256_hex(token.as_bytes());
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.id_hash, s.staff_id, s.phone, s.last_seen_at, r.household_id AS resident_household FROM sessions s LEFT JOIN residents r ON r.phone = s.phone
         WHERE s.id_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2",
    )
    .bind(&hash)
    .bind(now_ms)
    .fetch_optional(&db.read)
    .await?;
    let Some(mut row) = row else { return Ok(None) };
    // A refresh this server has not written yet counts already.
    row.last_seen_at = row.last_seen_at.max(touches.pending(&row.id_hash));
    if row.last_seen_at <= now_ms - t.idle_ms {
        return Ok(None);
    }
    if now_ms - row.last_seen_at > 60_000 {
        touches.touch(&row.id_hash, now_ms);
    }
    Ok(Some(row))
}

/// Sessions' "last seen" refreshes, written behind the requests that made
/// them, several in one statement. At the 16:00 rush every visitor has
/// spent minutes on the form, so every submission refreshes its session:
/// as a write the request waited for, that was a second commit in turn
/// before each submission's own (a quarter of SQLite's rush rate). A
/// refresh is bookkeeping the request does not depend on; the server
/// counts its own unwritten ones (`resolve`), and one lost in a crash
/// ends a session at most a minute early.
pub struct Touches {
    writes: WriteBatcher,
    /// Session (its id's hash) to the instant it was last seen, until written.
    pending: Mutex<HashMap<String, i64>>,
    /// Whether a task is writing them (one at a time).
    writing: AtomicBool,
}

/// At most this many sessions in one statement.
const TOUCHES_PER_STATEMENT: usize = 500;

impl Touches {
    pub fn new(writes: WriteBatcher) -> Arc<Touches> {
        Arc::new(Touches { writes, pending: Default::default(), writing: Default::default() })
    }

    fn pending(&self, id_hash: &str) -> i64 {
        self.pending.lock().map(|p| p.get(id_hash).copied().unwrap_or(0)).unwrap_or(0)
    }

    /// Notes that a session was seen at `now_ms`; written soon after by a
    /// task of its own, with whatever else is pending by then.
    pub fn touch(self: &Arc<Self>, id_hash: &str, now_ms: i64) {
        if let Ok(mut p) = self.pending.lock() {
            let at = p.entry(id_hash.to_owned()).or_insert(now_ms);
            *at = (*at).max(now_ms);
        }
        if self.writing.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                me.write_pending().await;
                me.writing.store(false, Ordering::Release);
                // A touch noted after the last look but before the flag
                // fell would wait for the next one: look again.
                let more = me.pending.lock().map(|p| !p.is_empty()).unwrap_or(false);
                if !more || me.writing.swap(true, Ordering::AcqRel) {
                    break;
                }
            }
        });
    }

    /// Writes what is pending, a statement at a time; each stays counted
    /// (`pending`) until its statement is committed.
    async fn write_pending(&self) {
        loop {
            let chunk: Vec<(String, i64)> = match self.pending.lock() {
                Ok(p) => p.iter().take(TOUCHES_PER_STATEMENT).map(|(k, v)| (k.clone(), *v)).collect(),
                Err(_) => return,
            };
            if chunk.is_empty() {
                return;
            }
            // One instant for the statement: the latest (they differ by
            // the milliseconds a batch takes to gather).
            let at = chunk.iter().map(|c| c.1).max().unwrap_or(0);
            let marks = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
            let mut statement =
                Statement::new(format!("UPDATE sessions SET last_seen_at = $1 WHERE last_seen_at < $1 AND id_hash IN ({marks})")).bind(at);
            for (hash, _) in &chunk {
                statement = statement.bind(hash.clone());
            }
            if let Err(e) = self.writes.write(Script::from(statement)).await {
                // Not retried: the sessions are refreshed by their next
                // request (a minute of idle time at stake, not a record).
                tracing::warn!(error = ?e, sessions = chunk.len(), "sessions' last-seen times not written");
            }
            if let Ok(mut p) = self.pending.lock() {
                for (hash, seen) in chunk {
                    if p.get(&hash).is_some_and(|&t| t <= seen) {
                        p.remove(&hash);
                    }
                }
            }
        }
    }
}

pub async fn end(db: &Db, id_hash: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL").bind(now_ms).bind(id_hash).execute(&db.write).await?;
    Ok(())
}

/// Ends every other session of a staff member (after a password change or reset).
pub async fn end_others_for_staff(db: &Db, staff_id: &str, keep: Option<&str>, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE staff_id = $2 AND ended_at IS NULL AND id_hash <> $3")
        .bind(now_ms)
        .bind(staff_id)
        .bind(keep.unwrap_or(""))
        .execute(&db.write)
        .await?;
    Ok(())
}

/// `Set-Cookie` value: HttpOnly, SameSite=Lax (links from an SMS still
/// arrive signed in; cross-site POSTs carry no cookie), Secure over HTTPS.
pub fn cookie_header(token: &str, max_age_secs: i64, secure: bool) -> String {
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}", if secure { "; Secure" } else { "" })
}

pub fn clear_cookie_header(secure: bool) -> String {
    cookie_header("", 0, secure)
}

/// Reads one cookie from a `Cookie` header.
pub fn read_cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|kv| kv.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// Reads one cookie from a request's headers (every `Cookie` header: an
/// HTTP/2 client may send its cookies in several).
pub fn cookie_in<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|h| read_cookie(h, name))
}

#[cfg(test)]
mod tests {
    use super::cookie_in;

    #[test]
    fn a_cookie_is_found_in_any_cookie_header() {
        let mut headers = http::HeaderMap::new();
        headers.append(http::header::COOKIE, "lang=en; display=large".parse().unwrap());
        headers.append(http::header::COOKIE, "sid=abc".parse().unwrap());
        assert_eq!(cookie_in(&headers, "display"), Some("large"));
        assert_eq!(cookie_in(&headers, "sid"), Some("abc"));
        assert_eq!(cookie_in(&headers, "lan"), None);
        assert_eq!(cookie_in(&http::HeaderMap::new(), "lang"), None);
    }
}
