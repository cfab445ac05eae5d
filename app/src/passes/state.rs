//! The passes area's own shared values, provided beside `AppState` (Leptos
//! context for server functions, axum state for the gate-device routes):
//! the scan recorder and the gate devices' key cache. `platform` knows
//! nothing of them.

use super::devices::DeviceCache;
use super::recorder::Recorder;
use crate::error::AppError;
use crate::platform::context::AppState;

#[derive(Clone)]
pub struct ScanState {
    /// Writes online scans in batches (see `recorder`).
    pub recorder: Recorder,
    /// Gate devices by key, for a few seconds (see `devices::DeviceCache`).
    pub devices: DeviceCache,
}

impl ScanState {
    /// Starts the recorder's writer: once per server.
    pub fn spawn(st: AppState) -> ScanState {
        ScanState { recorder: Recorder::spawn(st), devices: DeviceCache::default() }
    }
}

/// The scan state of this server, from the request's context.
pub fn scan_state() -> Result<ScanState, AppError> {
    leptos::prelude::use_context::<ScanState>().ok_or_else(|| {
        tracing::error!("ScanState missing from context");
        AppError::Internal
    })
}
