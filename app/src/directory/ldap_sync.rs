//! Directory sync: staff and departments kept in step with the campus LDAP
//! or Active Directory. The whole directory is read first (paged), then
//! compared with the staff list (`domain::directory_sync::plan`), then the
//! plan applied in one transaction: a sync that fails anywhere changes
//! nothing. Staff the directory no longer has are deactivated: their
//! sessions end and their grants are frozen. A transfer freezes the grants
//! scoped to the department left.
//!
//! Scheduled runs (`sync_every_minutes`) claim their slot in
//! `directory_syncs`, so of several servers one runs each; the office's
//! "sync now" and its dry run are recorded there too.

use super::types::{DirectorySyncRun, DirectorySyncState};
use crate::domain::directory_sync::{self, DirectoryEntry, KnownStaff, Refusal, SyncPlan};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::platform::{audit, config::LdapConfig, context::AppState, db::new_id};
use ldap3::{
    LdapConnAsync, LdapConnSettings, Scope, SearchEntry,
    adapters::{Adapter, EntriesOnly, PagedResults},
};
use secrecy::ExposeSecret;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the directory is not configured")]
    Off,
    #[error("directory: {0}")]
    Ldap(#[from] ldap3::LdapError),
}

fn first(attrs: &HashMap<String, Vec<String>>, name: &str) -> String {
    if name.is_empty() {
        return String::new();
    }
    // Servers answer with the schema's spelling, not necessarily ours.
    attrs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.first()).map(|v| v.trim().to_owned()).unwrap_or_default()
}

fn entry_of(cfg: &LdapConfig, e: SearchEntry) -> DirectoryEntry {
    let status = first(&e.attrs, &cfg.status_attribute);
    DirectoryEntry {
        staff_no: first(&e.attrs, &cfg.staff_number_attribute),
        name: first(&e.attrs, &cfg.name_attribute),
        department_code: first(&e.attrs, &cfg.department_code_attribute),
        department_name: first(&e.attrs, &cfg.department_name_attribute),
        mobile: first(&e.attrs, &cfg.mobile_attribute),
        active: !cfg.inactive_values.iter().any(|v| v.eq_ignore_ascii_case(&status)),
        dn: e.dn,
    }
}

/// Every entry under the base DN that the filter (and `extra`, if any) picks.
async fn search(cfg: &LdapConfig, extra: Option<String>) -> Result<Vec<DirectoryEntry>, SyncError> {
    if !cfg.enabled() {
        return Err(SyncError::Off);
    }
    let settings = LdapConnSettings::new().set_conn_timeout(Duration::from_secs(10));
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, cfg.url.trim()).await?;
    ldap3::drive!(conn);
    ldap.with_timeout(Duration::from_secs(30));
    let password = cfg.bind_password.as_ref().map(|p| p.expose_secret().to_owned()).unwrap_or_default();
    ldap.simple_bind(&cfg.bind_dn, &password).await?.success()?;
    let filter = match extra {
        Some(x) => format!("(&{}{x})", cfg.filter),
        None => cfg.filter.clone(),
    };
    let attrs: Vec<&str> = [
        &cfg.staff_number_attribute,
        &cfg.name_attribute,
        &cfg.department_code_attribute,
        &cfg.department_name_attribute,
        &cfg.mobile_attribute,
        &cfg.status_attribute,
    ]
    .into_iter()
    .map(String::as_str)
    .filter(|a| !a.is_empty())
    .collect();
    // In pages: OpenLDAP's and AD's default size limits are 500 and 1,000
    // entries a search; a campus has tens of thousands.
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![Box::new(EntriesOnly::new()), Box::new(PagedResults::new(cfg.page_size.max(1)))];
    let mut stream = ldap.streaming_search_with(adapters, &cfg.base_dn, Scope::Subtree, &filter, attrs).await?;
    let mut out = vec![];
    while let Some(entry) = stream.next().await? {
        out.push(entry_of(cfg, SearchEntry::construct(entry)));
    }
    stream.finish().await.success()?;
    let _ = ldap.unbind().await;
    Ok(out)
}

/// One person, by staff number (a CAS sign-in the staff list lacks).
pub async fn find_person(cfg: &LdapConfig, staff_no: &crate::domain::StaffNo) -> Result<Option<DirectoryEntry>, SyncError> {
    let filter = format!("({}={})", cfg.staff_number_attribute, ldap3::ldap_escape(staff_no.as_str()));
    let found = search(cfg, Some(filter)).await?;
    Ok(if found.len() == 1 { found.into_iter().next() } else { None })
}

async fn staff_here(st: &AppState) -> Result<(Vec<KnownStaff>, BTreeMap<String, String>), sqlx::Error> {
    let rows: Vec<(String, String, String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT s.staff_no, s.name, d.code, s.phone, s.active, s.directory_managed FROM staff s JOIN departments d ON d.id = s.department_id",
    )
    .fetch_all(&st.db.write)
    .await?;
    let staff = rows
        .into_iter()
        .map(|(staff_no, name, department_code, mobile, active, managed)| KnownStaff {
            staff_no,
            name,
            department_code,
            mobile,
            active: active != 0,
            directory_managed: managed != 0,
        })
        .collect();
    let departments: Vec<(String, String)> = sqlx::query_as("SELECT code, name FROM departments").fetch_all(&st.db.write).await?;
    Ok((staff, departments.into_iter().collect()))
}

/// Applies a plan in one transaction.
async fn apply(st: &AppState, plan: &SyncPlan, actor: &str, ip: Option<&str>) -> Result<(), sqlx::Error> {
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    for (code, name) in &plan.new_departments {
        sqlx::query("INSERT INTO departments (id, code, name, name_en, created_at) VALUES ($1, $2, $3, '', $4)")
            .bind(new_id())
            .bind(code)
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    for (code, _, name) in &plan.renamed_departments {
        sqlx::query("UPDATE departments SET name = $1 WHERE code = $2").bind(name).bind(code).execute(&mut *tx).await?;
    }
    let ids: Vec<(String, String)> = sqlx::query_as("SELECT code, id FROM departments").fetch_all(&mut *tx).await?;
    let dept: HashMap<String, String> = ids.into_iter().collect();
    let dept_id = |code: &str| dept.get(code).cloned().unwrap_or_default();
    for a in &plan.added {
        // No password here: they sign in through the campus sign-on.
        sqlx::query(
            "INSERT INTO staff (id, staff_no, name, department_id, phone, password_hash, must_change_password, active, directory_managed, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, NULL, 0, 1, 1, $6, $6)",
        )
        .bind(new_id())
        .bind(&a.staff_no)
        .bind(&a.name)
        .bind(dept_id(&a.department_code))
        .bind(a.mobile.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    for c in &plan.changed {
        let (id, old_dept): (String, String) =
            sqlx::query_as("SELECT id, department_id FROM staff WHERE staff_no = $1").bind(&c.staff_no).fetch_one(&mut *tx).await?;
        let new_dept = c.department.as_ref().map(|(_, to)| dept_id(to)).unwrap_or_else(|| old_dept.clone());
        sqlx::query(
            "UPDATE staff SET name = COALESCE($1, name), department_id = $2, phone = COALESCE($3, phone), active = 1, directory_managed = 1, updated_at = $4 WHERE id = $5",
        )
        .bind(c.name.as_ref().map(|(_, n)| n.as_str()))
        .bind(&new_dept)
        .bind(c.mobile_new.as_deref())
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        if new_dept != old_dept {
            // An approver of the department left approves there no more.
            sqlx::query("UPDATE grants SET status = 'frozen', updated_at = $1 WHERE staff_id = $2 AND scope_id = $3 AND status = 'active'")
                .bind(now)
                .bind(&id)
                .bind(&old_dept)
                .execute(&mut *tx)
                .await?;
        }
    }
    for no in &plan.deactivated {
        let (id,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE staff_no = $1").bind(no).fetch_one(&mut *tx).await?;
        sqlx::query("UPDATE staff SET active = 0, directory_managed = 1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE grants SET status = 'frozen', updated_at = $1 WHERE staff_id = $2 AND status = 'active'")
            .bind(now)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE staff_id = $2 AND ended_at IS NULL").bind(now).bind(&id).execute(&mut *tx).await?;
    }
    let summary = serde_json::json!({
        "new_departments": plan.new_departments.len(), "renamed_departments": plan.renamed_departments.len(),
        "added": plan.added.len(), "changed": plan.changed.len(), "deactivated": plan.deactivated,
    });
    audit::record(&mut *tx, now, actor, "directory_sync", "directory", "ldap", summary, ip).await?;
    tx.commit().await
}

/// Reads the directory, plans, and (unless a dry run, or refused) applies;
/// records the run. `slot`: a scheduled run's interval, claimed first.
pub async fn sync(st: &AppState, actor: &str, dry_run: bool, slot: Option<String>, ip: Option<&str>) -> Result<Option<DirectorySyncRun>, AppError> {
    let cfg = &st.config.ldap;
    if !cfg.enabled() {
        return Err(AppError::NotFound);
    }
    let id = new_id();
    let started = st.clock.now_ms();
    let claimed =
        sqlx::query("INSERT INTO directory_syncs (id, slot, started_at, dry_run, actor) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slot) DO NOTHING")
            .bind(&id)
            .bind(slot.as_deref())
            .bind(started)
            .bind(dry_run as i64)
            .bind(actor)
            .execute(&st.db.write)
            .await?
            .rows_affected();
    if claimed == 0 {
        return Ok(None);
    }
    let (outcome, plan, error) = match run(st, dry_run, actor, ip).await {
        Ok((outcome, plan)) => (outcome, Some(plan), None),
        Err((msg, plan)) => ("failed", plan, Some(msg)),
    };
    let report = DirectorySyncRun {
        started_at: started,
        started: st.clock.format(started),
        dry_run,
        actor: actor.to_owned(),
        outcome: outcome.to_owned(),
        plan,
        error,
    };
    sqlx::query("UPDATE directory_syncs SET finished_at = $1, outcome = $2, report = $3 WHERE id = $4")
        .bind(st.clock.now_ms())
        .bind(outcome)
        .bind(serde_json::to_string(&report).unwrap_or_default())
        .bind(&id)
        .execute(&st.db.write)
        .await?;
    Ok(Some(report))
}

async fn run(st: &AppState, dry_run: bool, actor: &str, ip: Option<&str>) -> Result<(&'static str, SyncPlan), (Msg, Option<SyncPlan>)> {
    let entries = search(&st.config.ldap, None).await.map_err(|e| {
        tracing::warn!(error = %e, "directory sync could not read the directory");
        (Msg::ErrDirectoryUnavailable, None)
    })?;
    let (staff, departments) = staff_here(st).await.map_err(|e| {
        tracing::error!(error = %e, "directory sync could not read the staff list");
        (Msg::ErrDirectoryApplyFailed, None)
    })?;
    let plan = directory_sync::plan(&entries, &staff, &departments);
    if let Err(r) = directory_sync::check(&plan, &staff) {
        let msg = match r {
            Refusal::EmptyDirectory => Msg::ErrDirectoryEmpty,
            Refusal::TooManyDeactivations => Msg::ErrDirectoryTooManyGone,
        };
        return if dry_run { Ok(("dry_run", plan)) } else { Err((msg, Some(plan))) };
    }
    if dry_run {
        return Ok(("dry_run", plan));
    }
    if plan.is_empty() {
        return Ok(("no_changes", plan));
    }
    match apply(st, &plan, actor, ip).await {
        Ok(()) => Ok(("applied", plan)),
        Err(e) => {
            tracing::warn!(error = %e, "directory sync undone: applying its plan failed");
            Err((Msg::ErrDirectoryApplyFailed, Some(plan)))
        }
    }
}

/// The scheduled sync, if configured and this interval's run is not
/// already another server's.
pub async fn run_scheduled(st: &AppState) -> Result<(), AppError> {
    let every = st.config.ldap.sync_every_minutes;
    if !st.config.ldap.enabled() || every == 0 {
        return Ok(());
    }
    let slot = st.clock.now_ms() / (every as i64 * 60_000);
    if let Some(run) = sync(st, "system", false, Some(format!("every-{every}-{slot}")), None).await? {
        tracing::info!(outcome = run.outcome, "scheduled directory sync");
    }
    Ok(())
}

/// Adds one person the directory has (a CAS sign-in the staff list
/// lacks, with `cas.provision`); their id, or `None` if the directory
/// lacks them too.
pub async fn provision(st: &AppState, staff_no: &crate::domain::StaffNo) -> Result<Option<String>, AppError> {
    let entry = match find_person(&st.config.ldap, staff_no).await {
        Ok(Some(e)) if e.active => e,
        Ok(_) => return Ok(None),
        Err(e) => {
            tracing::warn!(error = %e, "provisioning from the directory failed");
            return Ok(None);
        }
    };
    let (staff, departments) = staff_here(st).await?;
    let mut plan = directory_sync::plan(std::slice::from_ref(&entry), &staff, &departments);
    // Only this person: the rest of the staff list is the full sync's.
    plan.deactivated.clear();
    plan.kept_local.clear();
    if plan.added.len() != 1 {
        return Ok(None);
    }
    apply(st, &plan, &format!("staff:{}", staff_no.as_str()), None).await?;
    let id: Option<(String,)> =
        sqlx::query_as("SELECT id FROM staff WHERE staff_no = $1 AND active = 1").bind(staff_no.as_str()).fetch_optional(&st.db.write).await?;
    Ok(id.map(|(id,)| id))
}

/// The sync's configuration state and its latest run, for the office.
pub async fn status(st: &AppState) -> Result<DirectorySyncState, AppError> {
    let cfg = &st.config.ldap;
    let last: Option<(String,)> = sqlx::query_as("SELECT report FROM directory_syncs WHERE finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1")
        .fetch_optional(&st.db.read)
        .await?;
    Ok(DirectorySyncState {
        enabled: cfg.enabled(),
        server: cfg.url.clone(),
        base_dn: cfg.base_dn.clone(),
        every_minutes: cfg.sync_every_minutes,
        last: last.and_then(|(r,)| serde_json::from_str(&r).ok()),
    })
}
