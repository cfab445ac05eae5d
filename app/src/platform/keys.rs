//! The master secret and the keys it protects.
//!
//! Working keys live in the database (so every server behind a load balancer
//! shares them), each sealed with XChaCha20-Poly1305 under the master secret.
//! The master secret is never in the database: it comes from
//! `CAMPUS_PASS_MASTER_KEY` or a file generated in the data folder on first
//! start.

use super::db::Db;
use crate::domain::pass_token::PublicKey;
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit, Payload},
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::{
    fmt,
    path::Path,
    sync::{
        Arc, RwLock,
        atomic::{AtomicI64, Ordering},
    },
};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the master key must be base64 of 32 bytes")]
    MasterFormat,
    #[error("the master key does not open this database's keys (wrong CAMPUS_PASS_MASTER_KEY or master.key?)")]
    WrongMaster,
    #[error("reading or writing the master key file: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

pub struct MasterKey([u8; 32]);

/// How a sealed secret setting begins.
pub const SEALED_SETTING: &str = "sealed:";

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    /// From configuration if given, else `data_dir/master.key`, created
    /// (mode 0600) on first start.
    pub fn load(configured: Option<&SecretString>, data_dir: &Path) -> Result<MasterKey, KeyError> {
        if let Some(s) = configured {
            return Self::decode(s.expose_secret());
        }
        let path = data_dir.join("master.key");
        match std::fs::read_to_string(&path) {
            Ok(s) => Self::decode(s.trim()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir)?;
                let mut k = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut k);
                write_private(&path, &B64.encode(k))?;
                Ok(MasterKey(k))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn decode(s: &str) -> Result<MasterKey, KeyError> {
        let bytes = B64.decode(s.trim()).map_err(|_| KeyError::MasterFormat)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| KeyError::MasterFormat)?;
        Ok(MasterKey(arr))
    }

    /// A secret setting sealed under this key (`server seal-secret`), for
    /// the configuration file or environment: `sealed:<base64>`.
    pub fn seal_setting(&self, plain: &str) -> String {
        format!("{SEALED_SETTING}{}", self.seal("config-secret", plain.as_bytes()))
    }

    /// A secret setting as given: opened if it is sealed, as it is if not.
    /// A sealed value another key made refuses the start.
    pub fn open_setting(&self, value: &SecretString) -> Result<SecretString, KeyError> {
        match value.expose_secret().strip_prefix(SEALED_SETTING) {
            Some(sealed) => {
                let plain = self.open("config-secret", sealed.trim())?;
                Ok(SecretString::from(String::from_utf8(plain).map_err(|_| KeyError::WrongMaster)?))
            }
            None => Ok(value.clone()),
        }
    }

    fn seal(&self, purpose: &str, plain: &[u8]) -> String {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: purpose.as_bytes() })
            .expect("encryption cannot fail for in-memory buffers");
        let mut out = nonce.to_vec();
        out.extend(ct);
        B64.encode(out)
    }

    fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, KeyError> {
        let raw = B64.decode(sealed).map_err(|_| KeyError::WrongMaster)?;
        if raw.len() < 24 {
            return Err(KeyError::WrongMaster);
        }
        let (nonce, ct) = raw.split_at(24);
        XChaCha20Poly1305::new((&self.0).into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: purpose.as_bytes() })
            .map_err(|_| KeyError::WrongMaster)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// The working keys. Not `Serialize`, and `Debug` shows nothing.
pub struct Keys {
    otp_mac: [u8; 32],
    pii_mac: [u8; 32],
    pii_enc: [u8; 32],
    /// The key new passes are signed with, and its id. Behind a lock: a
    /// rotation (here or on another server) replaces it while we run.
    signing: RwLock<(String, ed25519_dalek::SigningKey)>,
    /// The public keys that still verify passes (the JWKS), cached: a scan
    /// must not read the database for them.
    published: RwLock<Arc<Vec<PublicKey>>>,
    /// When an unknown key id last made us look again (ms).
    looked_for_kid_at: AtomicI64,
    master: MasterKey,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys([redacted])")
    }
}

type HmacSha256 = Hmac<Sha256>;

/// How long a retired signing key keeps verifying: longer than any token
/// signed before its retirement can live (booking horizon plus a day).
pub const RETIRED_KEY_VERIFIES_MS: i64 = 60 * 24 * 3_600_000;

impl Keys {
    /// Loads each key, creating it on first start. Two servers starting at
    /// once both try to insert; the loser reads the winner's key.
    pub async fn load_or_create(db: &Db, master: &MasterKey, now_ms: i64) -> Result<Keys, KeyError> {
        let keys = Keys {
            otp_mac: key32(db, master, "otp_mac", now_ms).await?,
            pii_mac: key32(db, master, "pii_mac", now_ms).await?,
            pii_enc: key32(db, master, "pii_enc", now_ms).await?,
            signing: RwLock::new(current_signing_key(db, master, now_ms).await?),
            published: RwLock::new(Arc::new(Vec::new())),
            looked_for_kid_at: AtomicI64::new(0),
            master: MasterKey(master.0),
        };
        keys.refresh(db, now_ms).await?;
        Ok(keys)
    }

    /// The id and key new passes are signed with now.
    pub fn signing(&self) -> (String, ed25519_dalek::SigningKey) {
        self.signing.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The public keys that verify passes now.
    pub fn published(&self) -> Arc<Vec<PublicKey>> {
        self.published.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Reads the current signing key and the published keys again: run by
    /// the minute upkeep, after a rotation, and when a scan names a key id
    /// this server has not seen (another server rotated).
    pub async fn refresh(&self, db: &Db, now_ms: i64) -> Result<(), KeyError> {
        if let Some(k) = load_current_signing_key(db, &self.master).await? {
            *self.signing.write().unwrap_or_else(|e| e.into_inner()) = k;
        }
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT kid, public_key FROM signing_keys WHERE algorithm = 'EdDSA' AND (retired_at IS NULL OR retired_at > $1) ORDER BY created_at, kid",
        )
        .bind(now_ms - RETIRED_KEY_VERIFIES_MS)
        .fetch_all(&db.write)
        .await?;
        let keys = rows.into_iter().map(|(kid, x)| PublicKey { kid, x }).collect();
        *self.published.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
        Ok(())
    }

    /// The published keys, after one more look in the database when `kid`
    /// is not among them (another server may have just rotated). At most
    /// one look every 10 s, so junk key ids cannot flood the database.
    pub async fn published_with(&self, db: &Db, kid: &str, now_ms: i64) -> Arc<Vec<PublicKey>> {
        let keys = self.published();
        if keys.iter().any(|k| k.kid == kid) {
            return keys;
        }
        let last = self.looked_for_kid_at.load(Ordering::Relaxed);
        if now_ms - last < 10_000 || self.looked_for_kid_at.compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed).is_err() {
            return keys;
        }
        if let Err(e) = self.refresh(db, now_ms).await {
            tracing::warn!(error = %e, "looking for a new signing key failed");
        }
        self.published()
    }

    /// Makes a new signing key the current one and retires the others:
    /// they sign nothing new but verify for `RETIRED_KEY_VERIFIES_MS`.
    pub async fn rotate(&self, db: &Db, now_ms: i64) -> Result<String, KeyError> {
        let kid = create_signing_key(db, &self.master, now_ms).await?;
        sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE kid <> $2 AND retired_at IS NULL")
            .bind(now_ms)
            .bind(&kid)
            .execute(&db.write)
            .await?;
        self.refresh(db, now_ms).await?;
        Ok(kid)
    }

    /// HMAC of a one-time code bound to its phone number.
    pub fn otp_mac(&self, phone: &str, code: &str) -> String {
        mac_hex(&self.otp_mac, &[phone.as_bytes(), b"\0", code.as_bytes()])
    }

    /// Keyed hash of a personal identifier for equality look-ups (duplicate
    /// rule, blacklist) without storing it in the clear.
    pub fn pii_mac(&self, value: &str) -> String {
        mac_hex(&self.pii_mac, &[value.as_bytes()])
    }

    /// Encrypts personal data for storage at rest.
    pub fn seal_pii(&self, plain: &str) -> String {
        MasterKey(self.pii_enc).seal("pii", plain.as_bytes())
    }

    pub fn open_pii(&self, sealed: &str) -> Option<String> {
        MasterKey(self.pii_enc).open("pii", sealed).ok().and_then(|v| String::from_utf8(v).ok())
    }
}

fn mac_hex(key: &[u8; 32], parts: &[&[u8]]) -> String {
    let mut m = <HmacSha256 as Mac>::new_from_slice(key).expect("any key length works for HMAC");
    for p in parts {
        m.update(p);
    }
    hex::encode(m.finalize().into_bytes())
}

/// SHA-256 in hex: for high-entropy secrets such as session ids and device
/// keys, where a slow password hash would only cost time.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `n` random bytes from the OS, URL-safe base64 without padding.
pub fn random_token(n: usize) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

async fn key32(db: &Db, master: &MasterKey, purpose: &str, now_ms: i64) -> Result<[u8; 32], KeyError> {
    let existing: Option<(String,)> =
        sqlx::query_as("SELECT sealed FROM secret_keys WHERE purpose = $1").bind(purpose).fetch_optional(&db.write).await?;
    let sealed = match existing {
        Some((s,)) => s,
        None => {
            let mut k = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut k);
            sqlx::query("INSERT INTO secret_keys (purpose, sealed, created_at) VALUES ($1, $2, $3) ON CONFLICT (purpose) DO NOTHING")
                .bind(purpose)
                .bind(master.seal(purpose, &k))
                .bind(now_ms)
                .execute(&db.write)
                .await?;
            let (s,): (String,) = sqlx::query_as("SELECT sealed FROM secret_keys WHERE purpose = $1").bind(purpose).fetch_one(&db.write).await?;
            s
        }
    };
    let raw = master.open(purpose, &sealed)?;
    raw.try_into().map_err(|_| KeyError::WrongMaster)
}

/// The newest unretired signing key, created on first start. Two servers
/// starting at once may each create one; both verify, the newest signs.
async fn current_signing_key(db: &Db, master: &MasterKey, now_ms: i64) -> Result<(String, ed25519_dalek::SigningKey), KeyError> {
    if let Some(k) = load_current_signing_key(db, master).await? {
        return Ok(k);
    }
    create_signing_key(db, master, now_ms).await?;
    load_current_signing_key(db, master).await?.ok_or(KeyError::WrongMaster)
}

async fn load_current_signing_key(db: &Db, master: &MasterKey) -> Result<Option<(String, ed25519_dalek::SigningKey)>, KeyError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT kid, sealed_secret FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC LIMIT 1")
            .fetch_optional(&db.write)
            .await?;
    let Some((kid, sealed)) = row else { return Ok(None) };
    let seed: [u8; 32] = master.open(&format!("signing:{kid}"), &sealed)?.try_into().map_err(|_| KeyError::WrongMaster)?;
    Ok(Some((kid, ed25519_dalek::SigningKey::from_bytes(&seed))))
}

/// Makes a new signing key the current one. Older keys keep verifying
/// until they are retired by rotation.
pub async fn create_signing_key(db: &Db, master: &MasterKey, now_ms: i64) -> Result<String, KeyError> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let kid = random_token(9);
    sqlx::query("INSERT INTO signing_keys (kid, algorithm, public_key, sealed_secret, created_at) VALUES ($1, 'EdDSA', $2, $3, $4)")
        .bind(&kid)
        .bind(URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()))
        .bind(master.seal(&format!("signing:{kid}"), key.as_bytes()))
        .bind(now_ms)
        .execute(&db.write)
        .await?;
    Ok(kid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_setting_opens_with_its_master_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let key = MasterKey::load(None, dir.path()).unwrap();
        let other = MasterKey::load(Some(&SecretString::from(B64.encode([7u8; 32]))), dir.path()).unwrap();
        let sealed = key.seal_setting("wecom-secret-value");
        assert!(sealed.starts_with("sealed:") && !sealed.contains("wecom-secret-value"));
        assert_eq!(key.open_setting(&SecretString::from(sealed.clone())).unwrap().expose_secret(), "wecom-secret-value");
        assert!(other.open_setting(&SecretString::from(sealed)).is_err());
        assert_eq!(key.open_setting(&SecretString::from("plain")).unwrap().expose_secret(), "plain");
    }

    #[test]
    fn sealed_data_opens_only_with_the_same_key_and_purpose() {
        let m = MasterKey([7u8; 32]);
        let s = m.seal("a", b"secret");
        assert_eq!(m.open("a", &s).unwrap(), b"secret");
        assert!(m.open("b", &s).is_err());
        assert!(MasterKey([8u8; 32]).open("a", &s).is_err());
    }

    #[test]
    fn master_key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("cp-mk-{}", uuid::Uuid::new_v4()));
        let a = MasterKey::load(None, &dir).unwrap();
        let b = MasterKey::load(None, &dir).unwrap();
        assert_eq!(a.0, b.0);
        assert!(format!("{a:?}").contains("redacted"));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_malformed_master_key_is_refused() {
        let s = SecretString::from("not base64!");
        assert!(matches!(MasterKey::load(Some(&s), Path::new("/nonexistent")), Err(KeyError::MasterFormat)));
    }
}
