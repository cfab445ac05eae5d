//! A passage through a gate: spending a single-use pass, who is on campus
//! (people by pass, vehicles by plate) and the parking fee on a vehicle's
//! exit. Shared by the recorder (online) and event ingestion (offline).

use super::stored::{PassRow, Tx};
use crate::domain::gate::Direction;
use crate::error::AppError;
use crate::platform::db::new_id;

/// What `plate` owes: its unsettled parking fees, in cents (an unpaid fee
/// blocks the plate's next booking; the office settles them).
pub async fn unpaid_fee_cents<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(exec: E, plate: &str) -> Result<i64, sqlx::Error> {
    let (cents,): (i64,) = sqlx::query_as("SELECT CAST(COALESCE(SUM(cents), 0) AS BIGINT) FROM parking_fees WHERE plate = $1 AND settled_at IS NULL")
        .bind(plate)
        .fetch_one(exec)
        .await?;
    Ok(cents)
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

/// The parking rule of a pass's visit reason: the domain's one fee rule.
pub use crate::domain::parking::FeeRule as Fees;

pub(super) async fn fees_of(tx: &mut Tx<'_>, application_id: &str) -> Result<Fees, AppError> {
    let (category, free_minutes, cents_per_hour, daily_cap_cents): (String, i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(r.category, 'private'), COALESCE(r.free_minutes, 0), COALESCE(r.cents_per_hour, 0), COALESCE(r.daily_cap_cents, 0)
         FROM applications a LEFT JOIN visit_reasons r ON r.id = a.reason_id WHERE a.id = $1",
    )
    .bind(application_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Fees::of_reason(category == "official", free_minutes, cents_per_hour, daily_cap_cents))
}

/// People entering: who is on campus now, for many passes in one statement.
/// A late (offline) entry never replaces a newer one.
pub(super) async fn people_in(tx: &mut Tx<'_>, entries: &[(&str, &str, i64, &str)]) -> Result<(), AppError> {
    // Rows locked in one order, the pass id's, by every writer: two
    // servers' batches naming the same passes in opposite orders waited
    // for each other until PostgreSQL's deadlock check (1 s) undid one
    // (the gate's p99 was 906 ms with two servers in the harness).
    let mut entries = entries.to_vec();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for chunk in crate::platform::db::row_chunks(&entries) {
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
pub(super) async fn passage(
    tx: &mut Tx<'_>,
    p: &PassRow,
    fees: &Fees,
    gate_id: &str,
    direction: Direction,
    at: i64,
) -> Result<Option<i64>, AppError> {
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
            // The exit that removes the row charges for it, and only that
            // one: two exits at once (two lanes, a retried event) both
            // reading the row first would each charge the stay.
            let removed: Option<(i64,)> = sqlx::query_as("DELETE FROM vehicles_inside WHERE plate = $1 AND entered_at <= $2 RETURNING entered_at")
                .bind(&p.holder)
                .bind(at)
                .fetch_optional(&mut **tx)
                .await?;
            let Some((entered,)) = removed else { return Ok(Some(0)) };
            let cents = fees.charge(entered, at);
            if cents > 0 {
                sqlx::query(
                    "INSERT INTO parking_fees (id, plate, pass_id, campus_id, entered_at, left_at, cents) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
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
