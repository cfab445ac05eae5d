//! Gate devices: registering and switching them, and finding a device by
//! its key through a short cache (a turnstile asks many times a second).

use super::scan_context::{GATE_COLUMNS, GateRow};
use super::*;
use crate::domain::gate::GateFacts;
use crate::i18n::Msg;
use crate::platform::context::AppState;
use crate::platform::db::new_id;
use crate::platform::keys::{random_token, sha256_hex};

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: String,
    gate_id: String,
    gate: String,
    name: String,
    active: i64,
    last_seen_at: Option<i64>,
}

pub async fn devices(st: &AppState) -> Result<Vec<DeviceView>, AppError> {
    let rows: Vec<DeviceRow> = sqlx::query_as(
        "SELECT d.id, d.gate_id, g.name AS gate, d.name, d.active, d.last_seen_at FROM gate_devices d JOIN gates g ON g.id = d.gate_id ORDER BY d.created_at",
    )
    .fetch_all(&st.db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DeviceView {
            id: r.id,
            gate_id: r.gate_id,
            gate: r.gate,
            name: r.name,
            active: r.active != 0,
            last_seen: r.last_seen_at.map(|s| st.clock.format(s)),
        })
        .collect())
}

pub async fn register_device(
    st: &AppState,
    cache: &DeviceCache,
    me: &crate::platform::context::Principal,
    gate_id: &str,
    name: &str,
) -> Result<String, AppError> {
    let name = crate::fields::text("name", name, 50)?;
    let g: Option<(String,)> = sqlx::query_as("SELECT id FROM gates WHERE id = $1").bind(gate_id).fetch_optional(&st.db.read).await?;
    g.ok_or_else(|| AppError::invalid("gate_id", Msg::ErrUnknownGate))?;
    // 256 random bits; only the digest is kept.
    let key = random_token(32);
    let now = st.clock.now_ms();
    let id = new_id();
    let mut tx = st.db.write.begin().await?;
    sqlx::query("INSERT INTO gate_devices (id, gate_id, name, key_hash, active, created_at) VALUES ($1, $2, $3, $4, 1, $5)")
        .bind(&id)
        .bind(gate_id)
        .bind(&name)
        .bind(sha256_hex(key.as_bytes()))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    crate::platform::audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "register_device",
        "gate_device",
        &id,
        serde_json::json!({"gate_id": gate_id, "name": name}),
        None,
    )
    .await?;
    tx.commit().await?;
    cache.clear();
    Ok(key)
}

pub async fn set_device_active(
    st: &AppState,
    cache: &DeviceCache,
    me: &crate::platform::context::Principal,
    id: &str,
    active: bool,
) -> Result<(), AppError> {
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let before = crate::platform::audit::snapshot(&mut tx, "gate_devices", "id", id).await?;
    let r = sqlx::query("UPDATE gate_devices SET active = $1 WHERE id = $2").bind(active as i64).bind(id).execute(&mut *tx).await?;
    if r.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let changes = crate::platform::audit::with_before_after(&mut tx, "gate_devices", "id", id, before, serde_json::json!({"active": active})).await?;
    crate::platform::audit::record(&mut *tx, now, &me.actor_label(), "set_device_active", "gate_device", id, changes, None).await?;
    tx.commit().await?;
    cache.clear();
    Ok(())
}

/// The device a bearer key belongs to, with its gate.
pub type DeviceAndGate = (String, GateFacts, Option<i64>);

/// Devices by key digest, for a few seconds: a turnstile asks many times a
/// second, and its key, device and gate rarely change. The database stays
/// the truth: a change made here clears the cache at once, one made on
/// another server is seen within `DEVICE_CACHE_MS`.
#[derive(Clone, Default)]
pub struct DeviceCache(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Cached>>>);

/// A device found, when and under which `gates_version`. Only keys that
/// name a device are kept: junk keys are not remembered (a flood of them
/// would fill the cache, and a key registered a moment ago must work).
type Cached = (i64, u64, DeviceAndGate);

pub const DEVICE_CACHE_MS: i64 = 5_000;

impl DeviceCache {
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn get(&self, digest: &str, now: i64, gates_version: u64) -> Option<DeviceAndGate> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(digest).filter(|(at, v, _)| now - at < DEVICE_CACHE_MS && *v == gates_version).map(|(_, _, d)| d.clone())
    }

    fn put(&self, digest: String, now: i64, gates_version: u64, d: DeviceAndGate) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (at, _, _)| now - *at < DEVICE_CACHE_MS);
        }
        map.insert(digest, (now, gates_version, d));
    }

    /// Notes that the device was just marked seen.
    pub fn seen(&self, device_id: &str, now: i64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for (_, _, d) in map.values_mut().filter(|(_, _, d)| d.0 == device_id) {
            d.2 = Some(now);
        }
    }
}

/// What the device lookup returns: the device and its gate's columns.
#[derive(sqlx::FromRow)]
struct DeviceKeyRow {
    device_id: String,
    last_seen_at: Option<i64>,
    #[sqlx(flatten)]
    gate: GateRow,
}

pub async fn device_for_key(st: &AppState, cache: &DeviceCache, key: &str) -> Result<Option<DeviceAndGate>, AppError> {
    let digest = sha256_hex(key.as_bytes());
    let now = st.clock.now_ms();
    let gates_version = st.gates_version.load(std::sync::atomic::Ordering::Acquire);
    if let Some(hit) = cache.get(&digest, now, gates_version) {
        return Ok(Some(hit));
    }
    let row: Option<DeviceKeyRow> = sqlx::query_as(&format!(
        "SELECT d.id AS device_id, d.last_seen_at, {GATE_COLUMNS} FROM gate_devices d JOIN gates g ON g.id = d.gate_id WHERE d.key_hash = $1 AND d.active = 1"
    ))
    .bind(&digest)
    .fetch_optional(&st.db.read)
    .await?;
    let found = row.map(|r| (r.device_id, r.gate.facts(), r.last_seen_at));
    if let Some(d) = &found {
        cache.put(digest, now, gates_version, d.clone());
    }
    Ok(found)
}
