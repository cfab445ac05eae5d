//! Each visit reason's vehicle rules (seed 002 §(五)): the vehicle gates a
//! private visit's car may use and its parking fee. Official reasons use
//! any vehicle gate and park free (`domain::parking::FeeRule::of_reason`);
//! the gates and the fee charge what these rows say.

use super::*;
use crate::domain::parking::{FeeRule, FeeRuleProblem, cents_from_yuan, yuan};
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal, client_ip},
};
use serde_json::json;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    name_en: String,
    category: String,
    active: i64,
    vehicle_gates: String,
    free_minutes: i64,
    cents_per_hour: i64,
    daily_cap_cents: i64,
}

impl Row {
    fn view(self) -> VehicleRules {
        VehicleRules {
            reason: ReasonView {
                id: self.id,
                name: self.name,
                name_en: self.name_en,
                category: ReasonCategory::from_code(&self.category).unwrap_or(ReasonCategory::Private),
                active: self.active != 0,
            },
            gates: serde_json::from_str(&self.vehicle_gates).unwrap_or_default(),
            free_minutes: self.free_minutes,
            cents_per_hour: self.cents_per_hour,
            daily_cap_cents: self.daily_cap_cents,
        }
    }
}

const ROWS: &str = "SELECT id, name, name_en, category, active, vehicle_gates, free_minutes, cents_per_hour, daily_cap_cents FROM visit_reasons";

/// Every reason's vehicle rules, and the gates cars may use.
pub async fn vehicle_rules(st: &AppState) -> Result<VehicleRulesSetup, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{ROWS} ORDER BY sort, name")).fetch_all(&st.db.read).await?;
    let gates: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT g.id, c.name, g.name FROM gates g JOIN campuses c ON c.id = g.campus_id
         WHERE g.kind IN ('vehicle', 'both') AND g.active = 1 ORDER BY c.name, g.name",
    )
    .fetch_all(&st.db.read)
    .await?;
    Ok(VehicleRulesSetup {
        reasons: rows.into_iter().map(Row::view).collect(),
        gates: gates.into_iter().map(|(id, campus, gate)| VehicleGateChoice { id, label: format!("{campus} {gate}") }).collect(),
    })
}

/// Sets a reason's vehicle gates and fee from the office's form (amounts
/// in yuan as typed). Every gate must be an active vehicle gate. Passes of
/// the reason still to come are touched, so offline rosters learn the new
/// gates at their next sync. Audited with the rules before and after.
pub async fn save_vehicle_rules(st: &AppState, me: &Principal, form: VehicleRulesForm) -> Result<(), AppError> {
    let rate = cents_from_yuan(&form.hourly_rate).ok_or_else(|| AppError::invalid("hourly_rate", Msg::ErrHourlyRate))?;
    let cap = cents_from_yuan(&form.daily_cap).ok_or_else(|| AppError::invalid("daily_cap", Msg::ErrDailyCap))?;
    let fee = FeeRule::new(form.free_minutes, rate, cap).map_err(|p| match p {
        FeeRuleProblem::FreeMinutes => AppError::invalid("free_minutes", Msg::ErrFreeMinutes),
        FeeRuleProblem::Rate => AppError::invalid("hourly_rate", Msg::ErrHourlyRate),
        FeeRuleProblem::DailyCap => AppError::invalid("daily_cap", Msg::ErrDailyCap),
    })?;
    let mut gates = form.gates;
    gates.sort();
    gates.dedup();
    if gates.len() > 100 {
        return Err(AppError::invalid("gates", Msg::ErrVehicleGate));
    }
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let before: Row =
        sqlx::query_as(&format!("{ROWS} WHERE id = $1")).bind(&form.reason_id).fetch_optional(&mut *tx).await?.ok_or(AppError::NotFound)?;
    for g in &gates {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM gates WHERE id = $1 AND kind IN ('vehicle', 'both') AND active = 1")
            .bind(g)
            .fetch_one(&mut *tx)
            .await?;
        if n == 0 {
            return Err(AppError::invalid("gates", Msg::ErrVehicleGate));
        }
    }
    let gates_json = serde_json::to_string(&gates).map_err(|_| AppError::Internal)?;
    sqlx::query("UPDATE visit_reasons SET vehicle_gates = $1, free_minutes = $2, cents_per_hour = $3, daily_cap_cents = $4 WHERE id = $5")
        .bind(&gates_json)
        .bind(fee.free_minutes)
        .bind(fee.cents_per_hour)
        .bind(fee.daily_cap_cents)
        .bind(&form.reason_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE passes SET updated_at = $1 WHERE vehicle = 1 AND valid_until > $1
         AND application_id IN (SELECT id FROM applications WHERE reason_id = $2)",
    )
    .bind(now)
    .bind(&form.reason_id)
    .execute(&mut *tx)
    .await?;
    let shown = |gates: &[String], free: i64, rate: i64, cap: i64| json!({"gates": gates, "free_minutes": free, "hourly_rate": yuan(rate), "daily_cap": yuan(cap)});
    let old = before.view();
    audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "save_vehicle_rules",
        "visit_reason",
        &form.reason_id,
        json!({
            "before": shown(&old.gates, old.free_minutes, old.cents_per_hour, old.daily_cap_cents),
            "after": shown(&gates, fee.free_minutes, fee.cents_per_hour, fee.daily_cap_cents),
        }),
        Some(&client_ip()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
