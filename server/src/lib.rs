//! The Campus Pass server: HTTP routes around the Leptos app, start-up
//! (configuration, database, keys), request guards and caching rules.

#![recursion_limit = "512"]
pub mod assets;
pub mod demo;
pub mod export;
pub mod gate_api;
pub mod routes;
pub mod sign_on;

use app::passes::ssr::ScanState;
use app::platform::{
    clock::{CampusClock, Clock, SystemClock},
    config::Config,
    context::{AppState, Inner},
    db::Db,
    keys::{Keys, MasterKey},
    sms::{OutboxProvider, SmsProvider},
};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::{net::SocketAddr, sync::Arc};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] app::platform::config::ConfigError),
    #[error(transparent)]
    Db(#[from] app::platform::db::DbError),
    #[error(transparent)]
    Keys(#[from] app::platform::keys::KeyError),
    #[error("unknown SMS provider {0:?}")]
    SmsProvider(String),
    #[error("binding {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("temp_personnel.number_format {0:?}: {1}")]
    TempNumberFormat(String, &'static str),
}

/// Opens the database (migrating it), loads the keys, and builds the state.
pub async fn build_state(mut config: Config, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
    let tz = config.time_zone()?;
    let format = &config.temp_personnel.number_format;
    app::domain::temp_personnel::NumberFormat::parse(format).map_err(|e| StartError::TempNumberFormat(format.clone(), e))?;
    let db = Db::connect(&config.database_url).await?;
    let master = MasterKey::load(config.master_key.as_ref(), &config.data_dir)?;
    // Secret settings may be given sealed under the master key (`server
    // seal-secret`): opened here, held only in memory.
    for secret in [&mut config.sms.access_key_secret, &mut config.ldap.bind_password, &mut config.wecom.secret].into_iter().flatten() {
        *secret = master.open_setting(secret)?;
    }
    let keys = Keys::load_or_create(&db, &master, clock.now().timestamp_millis()).await?;
    let sms: Box<dyn SmsProvider> = match config.sms_provider.as_str() {
        "outbox" => Box::new(OutboxProvider { print: config.demo }),
        "aliyun" => Box::new(app::platform::sms_cloud::AliyunSms::new(config.sms.clone())),
        "tencent" => Box::new(app::platform::sms_cloud::TencentSms::new(config.sms.clone())),
        other => return Err(StartError::SmsProvider(other.to_owned())),
    };
    let wecom = config.wecom.enabled().then(|| Arc::new(app::platform::wecom::WeCom::new(config.wecom.clone())));
    let sms: Box<dyn SmsProvider> = Box::new(app::platform::wecom::Messenger { sms, wecom: wecom.clone() });
    let writes = app::platform::batch::WriteBatcher::spawn(db.clone());
    let limits = app::platform::rate_limit::RateLimits::new(db.clone(), config.sms_codes_per_second);
    let touches = app::platform::session::Touches::new(writes.clone());
    let state = AppState(Arc::new(Inner {
        db,
        clock: CampusClock::new(clock, tz),
        keys,
        config,
        sms,
        wecom,
        writes,
        touches,
        gates_version: Default::default(),
        limits,
    }));
    app::rules::policies::seed_rules(&state).await.map_err(app::platform::db::DbError::from)?;
    Ok(state)
}

fn leptos_options(config: &Config) -> LeptosOptions {
    // cargo-leptos writes hash.txt beside the binary when assets are hashed;
    // test binaries have no site and no hash file.
    let hashed = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("hash.txt").exists())).unwrap_or(false);
    LeptosOptions::builder()
        .output_name("campus-pass")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .env(leptos::config::Env::PROD)
        .hash_files(hashed)
        .build()
}

/// The app's routes, listed once per process. Listing them renders the app
/// with every resource's fetch switched off through one process-wide flag
/// in leptos (`SuppressResourceLoad`), so a page rendering on another
/// thread meanwhile would wait for its data for ever. Listing once, before
/// the first router serves anything, keeps every later server of the same
/// process (tests start many) off that flag.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The whole HTTP application, with the platform's state and the passes
/// area's own (its scan recorder and device cache), provided side by side.
pub fn router(state: AppState, scans: ScanState) -> Router {
    let options = leptos_options(&state.config);
    let routes = route_list();
    let (ctx_state, ctx_scans) = (state.clone(), scans.clone());
    let provide = move || {
        provide_context(ctx_state.clone());
        provide_context(ctx_scans.clone());
    };
    let shell_options = options.clone();
    let site = Router::new()
        .nest_service("/pkg", assets::service(&state.config.site_root))
        .merge(routes::api(state.clone()))
        .merge(sign_on::routes(state.clone()))
        .leptos_routes_with_context(&options, routes, provide.clone(), move || app::shell(shell_options.clone()))
        // With our context too: the "not found" page is the app, which
        // reads who is signed in (without it: a 500 and an error logged).
        .fallback(leptos_axum::file_and_error_handler_with_context(provide, app::shell))
        .with_state(options.clone())
        .layer(axum::middleware::from_fn(routes::server_fn_error_status))
        .layer(axum::middleware::from_fn_with_state(state.clone(), sign_on::silent_wecom))
        .layer(axum::middleware::from_fn_with_state(state.clone(), routes::security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), routes::refuse_cross_site))
        .layer(tower_http::compression::CompressionLayer::new());
    // Gate devices ask thousands of times a second with small JSON bodies
    // and no cookies: no page layers (compressing 300 bytes costs more than
    // it saves; a request without a cookie cannot be forged cross-site).
    let gate = gate_api::routes(gate_api::GateState { app: state.clone(), scans })
        .with_state(options)
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store")));
    Router::new().merge(gate).merge(site).layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Background upkeep that any number of servers may run at once.
pub fn spawn_upkeep(state: AppState) {
    let minute = state.clone();
    let every = std::time::Duration::from_secs(state.config.upkeep_seconds.max(1));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = every_minute(&minute).await {
                tracing::warn!(error = %e, "minute upkeep failed");
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = purge_expired(&state).await {
                tracing::warn!(error = %e, "purging expired rows failed");
            }
        }
    });
}

/// Retries SMS deliveries that are due and expires applications whose
/// period is over. Both are conditional updates: several servers may run
/// this at once.
pub async fn every_minute(state: &AppState) -> Result<(), app::error::AppError> {
    let now = state.clock.now_ms();
    // A key rotated on another server reaches this one within a minute.
    if let Err(e) = state.keys.refresh(&state.db, now).await {
        tracing::warn!(error = %e, "refreshing the signing keys failed");
    }
    app::platform::sms::deliver_due(&state.db, state.sms.as_ref(), &state.keys, now).await?;
    app::applications::expire_due(state).await?;
    // A month of days a minute: a campus upgrading with a year of scans
    // has them counted within the hour.
    app::statistics::rollup::roll_up_scans(state, 31).await?;
    // Once per configured interval across servers (it claims its slot).
    app::directory::ldap_sync::run_scheduled(state).await?;
    Ok(())
}

/// Drops rows nobody can use any more: rate-limit events past every window,
/// sessions and sign-in codes a day after they ended or expired.
pub async fn purge_expired(state: &AppState) -> Result<(), sqlx::Error> {
    let now = state.clock.now_ms();
    let day = 24 * 3_600_000;
    app::platform::rate_limit::purge(&state.db, now).await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR ended_at < $1").bind(now - day).execute(&state.db.write).await?;
    sqlx::query("DELETE FROM sms_codes WHERE expires_at < $1").bind(now - day).execute(&state.db.write).await?;
    // WeCom codes live five minutes: a day later nobody can replay one.
    sqlx::query("DELETE FROM wecom_codes WHERE used_at < $1").bind(now - day).execute(&state.db.write).await?;
    // Nobody is "on campus" on a pass that ended a day ago without an exit scan.
    sqlx::query("DELETE FROM people_inside WHERE pass_id IN (SELECT id FROM passes WHERE valid_until < $1)")
        .bind(now - day)
        .execute(&state.db.write)
        .await?;
    // Once a day across all servers: personal data past its period.
    if let Err(e) = app::privacy::retention::run_retention(state, state.config.retention_days.max(30)).await {
        tracing::warn!(error = %e, "the retention job failed; tomorrow's run finishes it");
    }
    Ok(())
}

/// A running server (used by `main` and by the integration tests).
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    pub handle: tokio::task::JoinHandle<()>,
}

pub async fn serve(state: AppState, listen: &str) -> Result<Running, StartError> {
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| StartError::Bind(listen.to_owned(), e))?;
    serve_on(state, listener).await
}

/// `serve` on a socket already bound (a test binds first, to know the
/// address it configures as its own).
pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> Result<Running, StartError> {
    let addr = listener.local_addr().map_err(|e| StartError::Bind("listener".to_owned(), e))?;
    // One scan recorder per server, started here (inside the runtime).
    let app = router(state.clone(), ScanState::spawn(state.clone()));
    // Compressing a fresh build takes seconds: off the serving path.
    let pkg = state.config.site_root.join("pkg");
    tokio::task::spawn_blocking(move || match assets::precompress(&pkg) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "precompressed assets"),
        Err(e) => tracing::warn!(error = %e, "precompressing assets failed; compressing on the fly"),
    });
    if state.config.background_jobs {
        spawn_upkeep(state.clone());
    }
    let handle = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await {
            tracing::error!(error = %e, "server stopped");
        }
    });
    Ok(Running { addr, state, handle })
}

pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
