//! Pass-kind policies: the approval chain, dates, vehicles and photo rule
//! of each kind, as the security office set them, and the defaults an empty
//! database starts with.

use crate::domain::policy::{PassKind, PassPolicy, StepApprover};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::platform::{
    audit,
    context::{AppState, Principal, client_ip},
    db::new_id,
};

/// The policy of a pass kind, or "not offered".
pub async fn policy(st: &AppState, kind: PassKind) -> Result<PassPolicy, AppError> {
    let code = kind.code();
    let row: Option<(String,)> = sqlx::query_as("SELECT policy FROM pass_policies WHERE kind = $1").bind(code).fetch_optional(&st.db.read).await?;
    stored_policy(code, row.map(|r| r.0))
}

/// A policy as stored (JSON), or "not offered" when there is none.
pub(crate) fn stored_policy(code: &str, stored: Option<String>) -> Result<PassPolicy, AppError> {
    match stored {
        Some(p) => PassPolicy::from_stored(&p).map_err(|e| {
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
        let code = p.kind.code();
        let mut p = p;
        if p.kind == PassKind::Contractor
            && sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM departments WHERE code = 'SEC'").fetch_one(&mut *tx).await?.0 == 0
        {
            // No security office yet: the chain ends at the host's department.
            p.chain.retain(|s| !matches!(s.approver, StepApprover::Department { .. }));
        }
        let exists: Option<(String,)> = sqlx::query_as("SELECT kind FROM pass_policies WHERE kind = $1").bind(code).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            sqlx::query("INSERT INTO pass_policies (kind, policy, updated_at, updated_by) VALUES ($1, $2, $3, 'defaults')")
                .bind(code)
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

pub async fn policies(st: &AppState) -> Result<Vec<PassPolicy>, AppError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT policy FROM pass_policies ORDER BY kind").fetch_all(&st.db.read).await?;
    Ok(rows.into_iter().filter_map(|(p,)| PassPolicy::from_stored(&p).ok()).collect())
}

/// Saves a policy after checking it makes sense: limits within reason,
/// a chain whose named departments exist.
pub async fn save_policy(st: &AppState, me: &Principal, p: PassPolicy) -> Result<(), AppError> {
    use crate::domain::policy::{PassKind, PolicyProblem, StepApprover};
    if !matches!(p.kind, PassKind::Visitor | PassKind::Contractor | PassKind::StaffWork | PassKind::ResidentDay) {
        return Err(AppError::invalid("kind", Msg::ErrKindNotOffered));
    }
    p.check().map_err(|e| {
        let msg = match e {
            PolicyProblem::ChosenFirst => Msg::ErrChosenStepFirst,
            PolicyProblem::NoHost => Msg::ErrNoHostForKind,
            PolicyProblem::BothNotOffered => Msg::ErrStepNotOffered,
            PolicyProblem::ApplicantsMismatch => Msg::ErrApplicantsMismatch,
        };
        AppError::invalid("chain", msg)
    })?;
    if p.household_every_days > 30 {
        return Err(AppError::invalid("household_every_days", Msg::ErrOutOfRange));
    }
    if !(1..=366).contains(&p.dates.max_days) {
        return Err(AppError::invalid("max_days", Msg::ErrOutOfRange));
    }
    if p.dates.max_days_ahead > 366 {
        return Err(AppError::invalid("max_days_ahead", Msg::ErrOutOfRange));
    }
    // An empty chain issues at once: only for residents' day passes (the
    // resident office reviews where the policy says so).
    if (p.chain.is_empty() && p.kind != PassKind::ResidentDay) || p.chain.len() > 6 {
        return Err(AppError::invalid("chain", Msg::ErrOutOfRange));
    }
    for s in &p.chain {
        match &s.approver {
            StepApprover::Host | StepApprover::HostDepartment | StepApprover::ChosenByPrevious => {}
            StepApprover::Department { department_id } => {
                let d: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM departments WHERE id = $1").bind(department_id).fetch_optional(&st.db.read).await?;
                if d.is_none() {
                    return Err(AppError::invalid("chain", Msg::ErrUnknownDepartment));
                }
            }
            _ => return Err(AppError::invalid("chain", Msg::ErrStepNotOffered)),
        }
    }
    let code = p.kind.code();
    let json_text = serde_json::to_string(&p).map_err(|_| AppError::Internal)?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let before: Option<(String,)> = sqlx::query_as("SELECT policy FROM pass_policies WHERE kind = $1").bind(code).fetch_optional(&mut *tx).await?;
    let before = before.and_then(|(text,)| serde_json::from_str::<serde_json::Value>(&text).ok()).unwrap_or_default();
    let r = sqlx::query("UPDATE pass_policies SET policy = $1, updated_at = $2, updated_by = $3 WHERE kind = $4")
        .bind(&json_text)
        .bind(now)
        .bind(me.actor_label())
        .bind(code)
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 0 {
        sqlx::query("INSERT INTO pass_policies (kind, policy, updated_at, updated_by) VALUES ($1, $2, $3, $4)")
            .bind(code)
            .bind(&json_text)
            .bind(now)
            .bind(me.actor_label())
            .execute(&mut *tx)
            .await?;
    }
    let changes = serde_json::json!({"before": before, "after": serde_json::to_value(&p).unwrap_or_default()});
    audit::record(&mut *tx, now, &me.actor_label(), "save", "pass_policy", code, changes, Some(&client_ip())).await?;
    tx.commit().await?;
    Ok(())
}
