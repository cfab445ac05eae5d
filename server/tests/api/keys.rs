//! Keys live in the database sealed under the master secret: created once,
//! shared by every server given the same master key, refused with another.

use crate::support::TestApp;
use app::platform::{clock::ManualClock, config::Config};
use campus_pass_server::build_state;
use secrecy::SecretString;
use std::sync::Arc;

fn config(app: &TestApp, master: &str, data_dir: &std::path::Path) -> Config {
    Config {
        database_url: app.state.config.database_url.clone(),
        data_dir: data_dir.to_path_buf(),
        master_key: Some(SecretString::from(master.to_owned())),
        ..Config::default()
    }
}

#[tokio::test]
async fn keys_are_shared_by_servers_with_the_same_master_key_and_refused_without_it() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    // The TestApp generated its master key into its data folder; a second
    // server given that key (as CAMPUS_PASS_MASTER_KEY) sees the same keys.
    let master = std::fs::read_to_string(app.state.config.data_dir.join("master.key")).unwrap();
    let clock = Arc::new(ManualClock::new(crate::support::start_time()));
    let second = build_state(config(&app, master.trim(), dir.path()), clock.clone()).await.unwrap();
    assert_eq!(second.keys.signing().0, app.state.keys.signing().0);
    assert_eq!(second.keys.otp_mac("13800138000", "123456"), app.state.keys.otp_mac("13800138000", "123456"));
    let sealed = app.state.keys.seal_pii("110101199003078670");
    assert_eq!(second.keys.open_pii(&sealed).as_deref(), Some("110101199003078670"));
    assert!(!sealed.contains("110101199003078670"));

    // The private key is stored sealed, never in the clear.
    let (secret,): (String,) = sqlx::query_as("SELECT sealed_secret FROM signing_keys").fetch_one(&app.state.db.read).await.unwrap();
    let raw = base64_url(app.state.keys.signing().1.as_bytes());
    assert!(!secret.contains(&raw));
    assert_eq!(app.count("SELECT COUNT(*) FROM signing_keys").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM secret_keys").await, 3);

    let wrong = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let err = build_state(config(&app, wrong, dir.path()), clock).await.err().expect("a wrong master key is refused");
    assert!(err.to_string().contains("master key"), "{err}");
}

#[tokio::test]
async fn a_rotated_key_signs_new_passes_and_the_old_one_verifies_until_retired_long_enough() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let master = std::fs::read_to_string(app.state.config.data_dir.join("master.key")).unwrap();
    let clock = Arc::new(ManualClock::new(crate::support::start_time()));
    // A second server on the same database, started before the rotation.
    let second = build_state(config(&app, master.trim(), dir.path()), clock.clone()).await.unwrap();
    let old = app.state.keys.signing().0;
    let now = app.state.clock.now_ms();
    let new = app.state.keys.rotate(&app.state.db, now).await.unwrap();
    assert_ne!(old, new);
    assert_eq!(app.state.keys.signing().0, new, "this server signs with the new key at once");
    let mut kids: Vec<String> = app.state.keys.published().iter().map(|k| k.kid.clone()).collect();
    kids.sort();
    let mut both = vec![old.clone(), new.clone()];
    both.sort();
    assert_eq!(kids, both, "both verify");
    // The other server picks it up on its next refresh (the minute upkeep,
    // or at once when a scan names a key id it has not seen).
    assert_eq!(second.keys.signing().0, old);
    second.keys.refresh(&second.db, now).await.unwrap();
    assert_eq!(second.keys.signing().0, new);
    // Long after the rotation the retired key is no longer published.
    let later = now + app::platform::keys::RETIRED_KEY_VERIFIES_MS + 1;
    app.state.keys.refresh(&app.state.db, later).await.unwrap();
    let kids: Vec<String> = app.state.keys.published().iter().map(|k| k.kid.clone()).collect();
    assert_eq!(kids, vec![new]);
}

fn base64_url(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
