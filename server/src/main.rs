//! `server`: runs Campus Pass. Configuration: defaults, `campus-pass.toml`
//! (or `CAMPUS_PASS_CONFIG`), then `CAMPUS_PASS_*` variables.

#![recursion_limit = "512"]
use app::platform::config::Config;
use campus_pass_server::{build_state, demo, serve, system_clock};
use tracing_subscriber::EnvFilter;

// glibc malloc showed in profiles of the scan path; mimalloc keeps
// per-thread free lists for the many small per-request allocations.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn")))
        .init();
    if let Err(e) = run().await {
        eprintln!("campus-pass: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::load(None)?;
    // `server precompress`: write the assets' brotli and gzip siblings now
    // (after a build), instead of in the background of the first start.
    if std::env::args().nth(1).as_deref() == Some("precompress") {
        let n = campus_pass_server::assets::precompress(&config.site_root.join("pkg"))?;
        println!("precompressed {n} files in {}", config.site_root.join("pkg").display());
        return Ok(());
    }
    // `server seal-secret`: a secret setting (read from standard input)
    // sealed under the master key, to put in the file or environment
    // instead of the secret itself.
    if std::env::args().nth(1).as_deref() == Some("seal-secret") {
        let master = app::platform::keys::MasterKey::load(config.master_key.as_ref(), &config.data_dir)?;
        let mut secret = String::new();
        std::io::stdin().read_line(&mut secret)?;
        println!("{}", master.seal_setting(secret.trim_end_matches(['\r', '\n'])));
        return Ok(());
    }
    tracing::info!(database = %redact_url(&config.database_url), listen = %config.listen, tz = %config.campus_time_zone, "starting");
    let listen = config.listen.clone();
    let base = config.public_base_url.clone();
    let demo_mode = config.demo;
    let state = build_state(config, system_clock()).await?;
    if demo_mode {
        if demo::seed_if_empty(&state).await? {
            demo::seed_parking(&state).await?;
            tracing::info!("seeded the demo campus");
        }
        demo::print_accounts(&base);
    }
    let running = serve(state, &listen).await?;
    tracing::info!("listening on http://{}", running.addr);
    tokio::select! {
        _ = running.handle => {}
        _ = tokio::signal::ctrl_c() => tracing::info!("shutting down"),
    }
    Ok(())
}

/// Database URLs can hold a password: log them without it.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://[redacted]@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}
