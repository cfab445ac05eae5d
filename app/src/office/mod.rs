//! The security office's oversight: role grants (granted, frozen, revoked),
//! the audit trail and the SMS outbox.

mod pages;
pub use pages::*;

use crate::domain::{GrantStatus, Role};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrantView {
    pub id: String,
    pub staff_no: String,
    pub staff_name: String,
    pub department: String,
    pub role: Role,
    pub scope_id: String,
    pub scope_label: String,
    pub status: GrantStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScopeOption {
    pub id: String,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrantScopeOptions {
    pub departments: Vec<ScopeOption>,
    pub gates: Vec<ScopeOption>,
}

/// What the audit trail is searched by; empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Part of who did it (`S0001 王芳`, `device:…`).
    #[serde(default)]
    pub actor: String,
    /// The action, exactly (`create`, `export`, `set_arrival_texts`, …).
    #[serde(default)]
    pub action: String,
    /// A record's kind (`staff`, `application`, …) or its id.
    #[serde(default)]
    pub record: String,
    /// Campus dates `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub offset: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub record_kind: String,
    pub record_id: String,
    pub changes: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxView {
    pub at: String,
    pub phone: String,
    pub purpose: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub error: Option<String>,
    /// `wecom` for a staff member's notice through enterprise WeChat (with
    /// their userid); otherwise the SMS provider's name.
    pub channel: String,
    pub wecom_user: Option<String>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::domain::StaffNo;
    use crate::error::AppError;
    use crate::i18n::Msg;
    use crate::platform::{
        audit,
        context::{AppState, Principal},
        db::new_id,
    };
    use serde_json::json;

    #[derive(sqlx::FromRow)]
    struct GrantRow {
        id: String,
        staff_no: String,
        staff_name: String,
        department: String,
        role: String,
        scope_id: String,
        status: String,
        scope_department: Option<String>,
        scope_gate: Option<String>,
    }

    pub async fn grants(st: &AppState) -> Result<Vec<GrantView>, AppError> {
        let rows: Vec<GrantRow> = sqlx::query_as(
            "SELECT g.id, s.staff_no, s.name AS staff_name, d.name AS department, g.role, g.scope_id, g.status, sd.name AS scope_department, sg.name AS scope_gate
             FROM grants g JOIN staff s ON s.id = g.staff_id JOIN departments d ON d.id = s.department_id
             LEFT JOIN departments sd ON sd.id = g.scope_id LEFT JOIN gates sg ON sg.id = g.scope_id
             WHERE g.status <> 'revoked' ORDER BY g.role, s.staff_no",
        )
        .fetch_all(&st.db.read)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(GrantView {
                    id: r.id,
                    staff_no: r.staff_no,
                    staff_name: r.staff_name,
                    department: r.department,
                    role: Role::from_code(&r.role)?,
                    scope_label: r.scope_department.or(r.scope_gate).unwrap_or_default(),
                    scope_id: r.scope_id,
                    status: GrantStatus::from_code(&r.status)?,
                })
            })
            .collect())
    }

    pub async fn scopes(st: &AppState) -> Result<GrantScopeOptions, AppError> {
        let d: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM departments ORDER BY code").fetch_all(&st.db.read).await?;
        let g: Vec<(String, String, String)> =
            sqlx::query_as("SELECT g.id, c.name, g.name FROM gates g JOIN campuses c ON c.id = g.campus_id ORDER BY c.created_at, g.created_at")
                .fetch_all(&st.db.read)
                .await?;
        Ok(GrantScopeOptions {
            departments: d.into_iter().map(|(id, label)| ScopeOption { id, label }).collect(),
            gates: g.into_iter().map(|(id, c, n)| ScopeOption { id, label: format!("{c} · {n}") }).collect(),
        })
    }

    pub async fn grant(st: &AppState, me: &Principal, staff_no: &str, role: Role, scope_id: &str) -> Result<(), AppError> {
        let staff_no = StaffNo::parse(staff_no).map_err(|_| AppError::invalid("staff_no", Msg::ErrUnknownStaff))?;
        let now = st.clock.now_ms();
        let mut tx = st.db.write.begin().await?;
        let staff: Option<(String,)> =
            sqlx::query_as("SELECT id FROM staff WHERE staff_no = $1 AND active = 1").bind(staff_no.as_str()).fetch_optional(&mut *tx).await?;
        let Some((staff_id,)) = staff else { return Err(AppError::invalid("staff_no", Msg::ErrUnknownStaff)) };
        let scope_ok = match role.scope() {
            crate::domain::account::ScopeKind::Campus => scope_id.is_empty(),
            crate::domain::account::ScopeKind::Department => {
                sqlx::query_as::<_, (String,)>("SELECT id FROM departments WHERE id = $1").bind(scope_id).fetch_optional(&mut *tx).await?.is_some()
            }
            crate::domain::account::ScopeKind::Gate => {
                sqlx::query_as::<_, (String,)>("SELECT id FROM gates WHERE id = $1").bind(scope_id).fetch_optional(&mut *tx).await?.is_some()
            }
        };
        if !scope_ok {
            return Err(AppError::invalid("scope_id", Msg::ErrScopeNeeded));
        }
        // One row per (staff, role, scope): granting again re-activates it.
        let existing: Option<(String,)> = sqlx::query_as("SELECT id FROM grants WHERE staff_id = $1 AND role = $2 AND scope_id = $3")
            .bind(&staff_id)
            .bind(role.code())
            .bind(scope_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (grant_id, before) = match existing {
            Some((id,)) => {
                let before = audit::snapshot(&mut tx, "grants", "id", &id).await?;
                sqlx::query("UPDATE grants SET status = 'active', granted_by = $1, updated_at = $2 WHERE id = $3")
                    .bind(me.actor_label())
                    .bind(now)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                (id, before)
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO grants (id, staff_id, role, scope_id, status, granted_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'active', $5, $6, $6)",
                )
                .bind(&id)
                .bind(&staff_id)
                .bind(role.code())
                .bind(scope_id)
                .bind(me.actor_label())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                (id, serde_json::Value::Null)
            }
        };
        let changes = audit::with_before_after(
            &mut tx,
            "grants",
            "id",
            &grant_id,
            before,
            json!({"staff_no": staff_no.as_str(), "role": role.code(), "scope_id": scope_id, "status": "active"}),
        )
        .await?;
        audit::record(&mut *tx, now, &me.actor_label(), "grant", "grant", &grant_id, changes, None).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_status(st: &AppState, me: &Principal, grant_id: &str, status: GrantStatus) -> Result<(), AppError> {
        let now = st.clock.now_ms();
        let mut tx = st.db.write.begin().await?;
        let before = audit::snapshot(&mut tx, "grants", "id", grant_id).await?;
        let r = sqlx::query("UPDATE grants SET status = $1, updated_at = $2 WHERE id = $3 AND status <> $1")
            .bind(status.code())
            .bind(now)
            .bind(grant_id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM grants WHERE id = $1").bind(grant_id).fetch_optional(&mut *tx).await?;
            return if exists.is_some() { Err(AppError::Conflict { msg: Msg::ErrAlreadyHandled }) } else { Err(AppError::NotFound) };
        }
        let changes = audit::with_before_after(&mut tx, "grants", "id", grant_id, before, json!({"status": status.code()})).await?;
        audit::record(&mut *tx, now, &me.actor_label(), status.code(), "grant", grant_id, changes, None).await?;
        tx.commit().await?;
        Ok(())
    }

    #[derive(sqlx::FromRow)]
    struct AuditRow {
        at: i64,
        actor: String,
        action: String,
        record_kind: String,
        record_id: String,
        changes: String,
    }

    /// The audit trail under a filter, newest first (entries are masked
    /// when written). `actor` matches a part, escaped for LIKE.
    const AUDIT: &str = "SELECT at, actor, action, record_kind, record_id, changes FROM audit_log
         WHERE ($1 = '' OR actor LIKE $2 ESCAPE '!') AND ($3 = '' OR action = $3) AND ($4 = '' OR record_kind = $4 OR record_id = $4)
           AND at >= $5 AND at < $6
         ORDER BY at DESC, id DESC";

    fn audit_query<'q>(
        st: &AppState,
        sql: &'q str,
        f: &'q AuditFilter,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, AuditRow, sqlx::any::AnyArguments<'q>> {
        let escaped: String = f.actor.trim().chars().flat_map(|c| if matches!(c, '%' | '_' | '!') { vec!['!', c] } else { vec![c] }).collect();
        let (from, to) = st.clock.span_of_days(&f.from, &f.to);
        sqlx::query_as::<_, AuditRow>(sql)
            .bind(f.actor.trim().to_owned())
            .bind(format!("%{escaped}%"))
            .bind(f.action.trim().to_owned())
            .bind(f.record.trim().to_owned())
            .bind(from)
            .bind(to)
    }

    /// The whole audit trail, as a file's rows.
    pub fn audit_export(st: &AppState, f: AuditFilter, lang: crate::i18n::Lang) -> crate::platform::export::Sheet {
        use crate::i18n::OfficeMsg;
        use crate::platform::export;
        let headers = [
            OfficeMsg::Time.text(lang),
            Msg::Actor.text(lang),
            Msg::Action.text(lang),
            OfficeMsg::Record.text(lang),
            "ID",
            OfficeMsg::Changes.text(lang),
        ];
        let st = st.clone();
        let rows = export::rows(move |out| async move {
            let read = audit_query(&st, AUDIT, &f).fetch(&st.db.read);
            export::send_all(&out, read, |r| {
                vec![st.clock.format(r.at).into(), r.actor.into(), r.action.into(), r.record_kind.into(), r.record_id.into(), r.changes.into()]
            })
            .await?;
            Ok(())
        });
        export::Sheet::new(&headers, rows)
    }

    pub async fn audit_page(st: &AppState, f: &AuditFilter) -> Result<Vec<AuditView>, AppError> {
        let sql = format!("{AUDIT} LIMIT 100 OFFSET $7");
        let rows: Vec<AuditRow> = audit_query(st, &sql, f).bind(f.offset.max(0)).fetch_all(&st.db.read).await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditView {
                at: st.clock.format(r.at),
                actor: r.actor,
                action: r.action,
                record_kind: r.record_kind,
                record_id: r.record_id,
                changes: r.changes,
            })
            .collect())
    }

    #[derive(sqlx::FromRow)]
    struct OutboxRow {
        created_at: i64,
        phone: String,
        purpose: String,
        body: String,
        status: String,
        attempts: i64,
        last_error: Option<String>,
        provider: String,
        wecom_user: Option<String>,
    }

    pub async fn outbox_page(st: &AppState, offset: i64) -> Result<Vec<OutboxView>, AppError> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT created_at, phone, purpose, body, status, attempts, last_error, provider, wecom_user FROM sms_outbox ORDER BY created_at DESC, id DESC LIMIT 100 OFFSET $1",
        )
        .bind(offset.max(0))
        .fetch_all(&st.db.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxView {
                at: st.clock.format(r.created_at),
                phone: crate::domain::Phone::parse(&r.phone).map(|p| p.masked()).unwrap_or_default(),
                purpose: r.purpose,
                body: r.body,
                status: r.status,
                attempts: r.attempts,
                error: r.last_error,
                wecom_user: r.wecom_user.filter(|_| r.provider == "wecom"),
                channel: r.provider,
            })
            .collect())
    }
}

role_fn!(SecurityAdmin, list_grants "list_grants"() -> Vec<GrantView> => |st, me| ssr::grants(&st).await);
role_fn!(SecurityAdmin, grant_scopes "grant_scopes"() -> GrantScopeOptions => |st, me| ssr::scopes(&st).await);
role_fn!(SecurityAdmin, grant_role "grant_role"(staff_no: String, role: Role, scope_id: String) -> () =>
    |st, me| ssr::grant(&st, &me, &staff_no, role, &scope_id).await);
role_fn!(SecurityAdmin, set_grant_status "set_grant_status"(grant_id: String, status: GrantStatus) -> () =>
    |st, me| ssr::set_status(&st, &me, &grant_id, status).await);
role_fn!(SecurityAdmin, list_audit "list_audit"(actor: String, action: String, record: String, from: String, to: String, offset: i64) -> Vec<AuditView> =>
    |st, me| ssr::audit_page(&st, &AuditFilter { actor, action, record, from, to, offset }).await);
role_fn!(SecurityAdmin, list_outbox "list_outbox"(offset: i64) -> Vec<OutboxView> => |st, me| ssr::outbox_page(&st, offset).await);
