//! `GET /api/export/{list}`: an office list as a CSV or XLSX download, for
//! security admins. Names are masked unless the admin asks for them
//! (`unmasked=true`); every export is written to the audit trail first.
//! The lists' rows come from their areas; `app::platform::export` writes
//! the file in bounded memory.

use crate::routes::ApiError;
use app::domain::export::ExportFormat;
use app::error::AppError;
use app::i18n::{Lang, Msg};
use app::platform::context::{AppState, principal_from};
use app::platform::export::{self, Sheet};
use axum::{
    body::Body,
    extract::{ConnectInfo, Path, Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use std::net::SocketAddr;

/// The lists that can be exported, by the name in the address.
pub const LISTS: &[&str] =
    &["scans", "on-campus", "blacklist", "audit", "fees", "applications", "staff", "households", "roll-call", "manual-admissions"];

#[derive(Deserialize)]
pub struct ExportQuery {
    format: String,
    #[serde(default)]
    unmasked: bool,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    campus_id: String,
    #[serde(default)]
    gate_id: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    include_lifted: bool,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    record: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    plate: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    community: String,
}

#[tracing::instrument(name = "api.export", skip_all, fields(list = %list))]
pub async fn export(
    State(st): State<AppState>,
    Path(list): Path<String>,
    Query(q): Query<ExportQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let me = principal_from(&st, &headers).await?.ok_or(AppError::Unauthenticated)?;
    // The households are the resident office's too; every other list the security office's.
    let may = |role| me.has(role);
    let allowed = may(app::domain::Role::SecurityAdmin) || (list == "households" && may(app::domain::Role::ResidentOffice));
    match me.staff() {
        Some(s) if !s.must_change_password && allowed => {}
        _ => return Err(AppError::Forbidden.into()),
    }
    let format = ExportFormat::from_code(&q.format).ok_or_else(|| AppError::invalid("format", Msg::ErrBadRequest))?;
    let lang = if q.lang == "en" { Lang::En } else { Lang::Zh };
    let filter = app::passes::ScanFilter {
        campus_id: q.campus_id.clone(),
        gate_id: q.gate_id.clone(),
        verdict: q.verdict.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        offset: 0,
    };
    let name = match list.as_str() {
        "scans" => "scan-log",
        "on-campus" => "on-campus",
        "blacklist" => "blacklist",
        "audit" => "audit-trail",
        "fees" => "parking-fees",
        "applications" => "applications",
        "staff" => "staff",
        "households" => "households",
        "roll-call" => "roll-call",
        "manual-admissions" => "manual-admissions",
        _ => return Err(AppError::NotFound.into()),
    };
    // Bad filters are refused before anything is written to the trail.
    let fee_plate = app::passes::ssr::plate_filter(&q.plate)?;
    let applications = app::statistics::StatsFilter {
        campus_id: q.campus_id.clone(),
        department_id: q.department_id.clone(),
        kind: q.kind.clone(),
        status: q.status.clone(),
        gate_id: String::new(),
        from: q.from.clone(),
        to: q.to.clone(),
    };
    // The applications' period is the statistics page's (a week by default, at most 367 days).
    let period = if name == "applications" { Some(app::statistics::queries::period(&st, &applications)?) } else { None };
    let now = st.clock.now_ms();
    let ip = app::platform::context::request_address(&st, peer.ip(), &headers);
    let filters = serde_json::json!({"campus_id": q.campus_id, "gate_id": q.gate_id, "verdict": q.verdict, "from": q.from, "to": q.to, "include_lifted": q.include_lifted,
        "actor": q.actor, "action": q.action, "record": q.record, "status": q.status, "plate": q.plate,
        "department_id": q.department_id, "kind": q.kind, "query": q.query, "community": q.community});
    app::platform::audit::record(
        &st.db.write,
        now,
        &me.actor_label(),
        "export",
        name,
        "",
        serde_json::json!({"format": format.code(), "unmasked": q.unmasked, "filters": filters}),
        Some(&ip),
    )
    .await
    .map_err(AppError::from)?;
    let sheet: Sheet = match name {
        "scan-log" => app::passes::ssr::scan_log_export(&st, filter, lang, q.unmasked),
        "on-campus" => app::passes::ssr::on_campus_export(&st, q.campus_id.clone(), lang, q.unmasked),
        "blacklist" => app::rules::blacklist::export(&st, q.include_lifted, lang),
        "applications" => match period {
            Some(p) => app::statistics::queries::applications_export(&st, applications, p, lang, q.unmasked),
            None => return Err(AppError::Internal.into()),
        },
        "staff" => app::directory::ssr::staff_export(&st, &q.query, &q.department_id, lang, q.unmasked),
        "households" => app::residents::ssr::households_export(&st, &q.campus_id, &q.community, &q.query, lang, q.unmasked),
        "roll-call" => app::passes::ssr::roll_call_export(&st, q.campus_id.clone(), lang, q.unmasked),
        "manual-admissions" => app::passes::ssr::manual_export(&st, q.status.clone(), lang, q.unmasked),
        "parking-fees" => app::passes::ssr::fees_export(&st, app::passes::FeeFilter { status: q.status.clone(), plate: fee_plate, offset: 0 }, lang),
        _ => {
            let f = app::office::AuditFilter {
                actor: q.actor.clone(),
                action: q.action.clone(),
                record: q.record.clone(),
                from: q.from.clone(),
                to: q.to.clone(),
                offset: 0,
            };
            app::office::ssr::audit_export(&st, f, lang)
        }
    };
    let file_name = format!("{name}-{}.{}", st.clock.format(now).get(..10).unwrap_or("export"), format.code());
    let body = match format {
        ExportFormat::Csv => csv_body(export::csv(sheet)),
        ExportFormat::Xlsx => file_body(export::xlsx(sheet, name).await?).await?,
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// The CSV's chunks as they are written; an error cuts the download short
/// (the browser reports it failed) and is logged where it happened.
fn csv_body(chunks: tokio::sync::mpsc::Receiver<Result<Vec<u8>, AppError>>) -> Body {
    let stream = futures::stream::unfold(chunks, |mut chunks| async move {
        let next = chunks.recv().await?;
        Some((next.map_err(|e| std::io::Error::other(e.to_string())), chunks))
    });
    // Fused: the compression layer polls once more after the end.
    Body::from_stream(futures::StreamExt::fuse(stream))
}

/// A written file, sent in chunks; deleted once sent (or abandoned).
async fn file_body(file: tempfile::NamedTempFile) -> Result<Body, AppError> {
    use tokio::io::AsyncReadExt;
    let reader = tokio::fs::File::open(file.path()).await.map_err(|e| {
        tracing::error!(error = %e, "opening a written export failed");
        AppError::Internal
    })?;
    let stream = futures::stream::unfold((reader, file), |(mut reader, file)| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match reader.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(buf), (reader, file)))
            }
            Err(e) => Some((Err(e), (reader, file))),
        }
    });
    Ok(Body::from_stream(futures::StreamExt::fuse(stream)))
}
