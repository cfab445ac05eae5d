//! What the security office configures about entry: the blacklists, the
//! visit reasons and the pass-kind policies. Each change is audited.

mod pages;
pub use pages::*;

use crate::applications::{ReasonCategory, ReasonView};
use crate::domain::policy::PassPolicy;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlacklistKind {
    Document,
    Mobile,
    Plate,
}

impl BlacklistKind {
    pub const ALL: [BlacklistKind; 3] = [BlacklistKind::Document, BlacklistKind::Mobile, BlacklistKind::Plate];
    pub fn code(self) -> &'static str {
        match self {
            BlacklistKind::Document => "document",
            BlacklistKind::Mobile => "mobile",
            BlacklistKind::Plate => "plate",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            BlacklistKind::Document => Msg::BlDocument,
            BlacklistKind::Mobile => Msg::Phone,
            BlacklistKind::Plate => Msg::Plate,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlacklistEntry {
    pub id: String,
    pub kind: BlacklistKind,
    /// Masked: the list itself never shows a full document number.
    pub value: String,
    pub reason: String,
    pub added_by: String,
    pub added_at: String,
    pub lifted: Option<String>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::domain::document::{DocType, DocumentNumber};
    use crate::domain::{Phone, Plate};
    use crate::i18n::Msg;
    use crate::platform::{audit, context::{AppState, Principal, client_ip}, db::{is_unique_violation, new_id}};
    use serde_json::json;

    pub async fn list(st: &AppState, include_lifted: bool) -> Result<Vec<BlacklistEntry>, AppError> {
        type R = (String, String, String, String, String, i64, Option<String>, Option<i64>, Option<String>);
        let rows: Vec<R> = sqlx::query_as(
            "SELECT id, kind, masked, reason, added_by, added_at, lifted_by, lifted_at, lift_reason FROM blacklist
             WHERE ($1 = 1 OR lifted_at IS NULL) ORDER BY added_at DESC LIMIT 500",
        )
        .bind(include_lifted as i64)
        .fetch_all(&st.db.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| BlacklistEntry {
                id: r.0,
                kind: BlacklistKind::from_code(&r.1).unwrap_or(BlacklistKind::Mobile),
                value: r.2,
                reason: r.3,
                added_by: r.4,
                added_at: st.clock.format(r.5),
                lifted: r.7.map(|at| format!("{} {} {}", st.clock.format(at), r.6.unwrap_or_default(), r.8.unwrap_or_default())),
            })
            .collect())
    }

    pub async fn add(st: &AppState, me: &Principal, kind: BlacklistKind, doc_type: DocType, value: &str, reason: &str) -> Result<String, AppError> {
        let reason = crate::directory::ssr::text("reason", reason, 200)?;
        let (key, masked) = match kind {
            BlacklistKind::Document => {
                let d = DocumentNumber::parse(doc_type, value, st.clock.today()).map_err(|_| AppError::invalid("value", Msg::ErrIdNumber))?;
                (st.keys.pii_mac(&d.claim_text()), d.masked())
            }
            BlacklistKind::Mobile => {
                let p = Phone::parse(value).map_err(|_| AppError::invalid("value", Msg::ErrPhoneInvalid))?;
                (p.as_str().to_owned(), p.masked())
            }
            BlacklistKind::Plate => {
                let p = Plate::parse(value).map_err(|_| AppError::invalid("value", Msg::ErrPlate))?;
                (p.as_str().to_owned(), p.as_str().to_owned())
            }
        };
        let now = st.clock.now_ms();
        let id = new_id();
        let mut tx = st.db.write.begin().await?;
        let r = sqlx::query("INSERT INTO blacklist (id, kind, entry_key, masked, reason, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&id)
            .bind(kind.code())
            .bind(&key)
            .bind(&masked)
            .bind(&reason)
            .bind(me.actor_label())
            .bind(now)
            .execute(&mut *tx)
            .await;
        if let Err(e) = r {
            return Err(if is_unique_violation(&e) { AppError::Conflict { msg: Msg::ErrDuplicate } } else { e.into() });
        }
        crate::passes::ssr::touch_listed(&mut tx, kind.code(), &key, now).await?;
        audit::record(&mut *tx, now, &me.actor_label(), "blacklist_add", "blacklist", &id, json!({"kind": kind.code(), "value": masked, "reason": reason}), Some(&client_ip())).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn lift(st: &AppState, me: &Principal, id: &str, reason: &str) -> Result<(), AppError> {
        let reason = crate::directory::ssr::text("reason", reason, 200)?;
        let now = st.clock.now_ms();
        let mut tx = st.db.write.begin().await?;
        let r = sqlx::query("UPDATE blacklist SET lifted_at = $1, lifted_by = $2, lift_reason = $3 WHERE id = $4 AND lifted_at IS NULL")
            .bind(now)
            .bind(me.actor_label())
            .bind(&reason)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        let (kind, key): (String, String) = sqlx::query_as("SELECT kind, entry_key FROM blacklist WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        crate::passes::ssr::touch_listed(&mut tx, &kind, &key, now).await?;
        audit::record(&mut *tx, now, &me.actor_label(), "blacklist_lift", "blacklist", id, json!({"reason": reason}), Some(&client_ip())).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn save_reason(st: &AppState, me: &Principal, r: ReasonView) -> Result<String, AppError> {
        let name = crate::directory::ssr::text("name", &r.name, 30)?;
        let name_en = crate::directory::ssr::optional_text("name_en", &r.name_en, 60)?;
        let now = st.clock.now_ms();
        let mut tx = st.db.write.begin().await?;
        let changes = json!({"name": name, "name_en": name_en, "category": r.category.code(), "active": r.active});
        let id = if r.id.is_empty() {
            let id = new_id();
            let res = sqlx::query("INSERT INTO visit_reasons (id, name, name_en, category, active, sort, created_at) VALUES ($1, $2, $3, $4, $5, 100, $6)")
                .bind(&id)
                .bind(&name)
                .bind(&name_en)
                .bind(r.category.code())
                .bind(r.active as i64)
                .bind(now)
                .execute(&mut *tx)
                .await;
            if let Err(e) = res {
                return Err(if is_unique_violation(&e) { AppError::Conflict { msg: Msg::ErrDuplicate } } else { e.into() });
            }
            id
        } else {
            let res = sqlx::query("UPDATE visit_reasons SET name = $1, name_en = $2, category = $3, active = $4 WHERE id = $5")
                .bind(&name)
                .bind(&name_en)
                .bind(r.category.code())
                .bind(r.active as i64)
                .bind(&r.id)
                .execute(&mut *tx)
                .await?;
            if res.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            r.id.clone()
        };
        audit::record(&mut *tx, now, &me.actor_label(), "save", "visit_reason", &id, changes, Some(&client_ip())).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn policies(st: &AppState) -> Result<Vec<PassPolicy>, AppError> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT policy FROM pass_policies ORDER BY kind").fetch_all(&st.db.read).await?;
        Ok(rows.into_iter().filter_map(|(p,)| serde_json::from_str(&p).ok()).collect())
    }

    /// Saves a policy after checking it makes sense: limits within reason,
    /// a chain whose named departments exist.
    pub async fn save_policy(st: &AppState, me: &Principal, p: PassPolicy) -> Result<(), AppError> {
        use crate::domain::policy::{PassKind, StepApprover};
        if !matches!(p.kind, PassKind::Visitor | PassKind::Contractor) {
            return Err(AppError::invalid("kind", Msg::ErrKindNotOffered));
        }
        if !(1..=366).contains(&p.dates.max_days) {
            return Err(AppError::invalid("max_days", Msg::ErrOutOfRange));
        }
        if p.dates.max_days_ahead > 366 {
            return Err(AppError::invalid("max_days_ahead", Msg::ErrOutOfRange));
        }
        if p.chain.is_empty() || p.chain.len() > 6 {
            return Err(AppError::invalid("chain", Msg::ErrOutOfRange));
        }
        for s in &p.chain {
            match &s.approver {
                StepApprover::Host | StepApprover::HostDepartment => {}
                StepApprover::Department { department_id } => {
                    let d: Option<(String,)> = sqlx::query_as("SELECT id FROM departments WHERE id = $1").bind(department_id).fetch_optional(&st.db.read).await?;
                    if d.is_none() {
                        return Err(AppError::invalid("chain", Msg::ErrUnknownDepartment));
                    }
                }
                _ => return Err(AppError::invalid("chain", Msg::ErrStepNotOffered)),
            }
        }
        let code = crate::applications::ssr::kind_code(p.kind);
        let json_text = serde_json::to_string(&p).map_err(|_| AppError::Internal)?;
        let now = st.clock.now_ms();
        let mut tx = st.db.write.begin().await?;
        let r = sqlx::query("UPDATE pass_policies SET policy = $1, updated_at = $2, updated_by = $3 WHERE kind = $4")
            .bind(&json_text)
            .bind(now)
            .bind(me.actor_label())
            .bind(&code)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            sqlx::query("INSERT INTO pass_policies (kind, policy, updated_at, updated_by) VALUES ($1, $2, $3, $4)")
                .bind(&code)
                .bind(&json_text)
                .bind(now)
                .bind(me.actor_label())
                .execute(&mut *tx)
                .await?;
        }
        audit::record(&mut *tx, now, &me.actor_label(), "save", "pass_policy", &code, serde_json::to_value(&p).unwrap_or_default(), Some(&client_ip())).await?;
        tx.commit().await?;
        Ok(())
    }
}

role_fn!(SecurityAdmin, list_blacklist "list_blacklist"(include_lifted: bool) -> Vec<BlacklistEntry> => |st, me| ssr::list(&st, include_lifted).await);
role_fn!(SecurityAdmin, add_to_blacklist "add_to_blacklist"(kind: BlacklistKind, doc_type: crate::domain::document::DocType, value: String, reason: String) -> String =>
    |st, me| ssr::add(&st, &me, kind, doc_type, &value, &reason).await);
role_fn!(SecurityAdmin, lift_blacklist "lift_blacklist"(id: String, reason: String) -> () => |st, me| ssr::lift(&st, &me, &id, &reason).await);
role_fn!(SecurityAdmin, list_reasons "list_reasons"() -> Vec<ReasonView> => |st, me| crate::applications::ssr::reasons(&st, false).await);
role_fn!(SecurityAdmin, list_policies "list_policies"() -> Vec<PassPolicy> => |st, me| ssr::policies(&st).await);

#[server(prefix = "/api/fn", endpoint = "save_reason", input = Json)]
pub async fn save_reason(reason: ReasonView) -> Result<String, AppError> {
    use crate::platform::context::*;
    respond(async move {
        let me = require_role(crate::domain::Role::SecurityAdmin).await?;
        ssr::save_reason(&state()?, &me, reason).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "save_policy", input = Json)]
pub async fn save_policy(policy: PassPolicy) -> Result<(), AppError> {
    use crate::platform::context::*;
    respond(async move {
        let me = require_role(crate::domain::Role::SecurityAdmin).await?;
        ssr::save_policy(&state()?, &me, policy).await
    })
    .await
}

/// For pages: a reason's category label.
pub fn category_label(c: ReasonCategory) -> crate::i18n::Msg {
    c.label()
}
