//! The scanner page's offline side: the roster kept in IndexedDB, the
//! verdict when the server cannot be reached, and the queue of events that
//! syncs when it can. The rules themselves are `domain::roster`.

use super::{ScannedPass, Verdict, check_document};
use crate::domain::gate::Reason;
use crate::domain::roster::RosterPass;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// A scan decided on this phone, kept until the server has it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueuedEvent {
    pub gate_id: String,
    /// The staff number of the guard signed in when it was decided. Only
    /// they send it: the server records a synced scan under whoever sends
    /// it, and the next shift's guard on this phone is not who admitted the
    /// person. Empty for events queued before this was kept.
    #[serde(default)]
    pub guard: String,
    pub event: super::OfflineEvent,
}

/// What the guard sees for an offline decision: the roster's masked name,
/// the document to check, the validity.
pub fn verdict(reason: Reason, pass: Option<&RosterPass>) -> Verdict {
    Verdict {
        allow: reason == Reason::Ok,
        reason,
        message: reason.msg().text(Lang::Zh).to_owned(),
        fee_cents: None,
        pass: pass.map(|p| ScannedPass {
            holder: p.holder.clone(),
            kind: p.kind.clone(),
            vehicle: p.vehicle,
            valid_from: p.valid_text.clone(),
            valid_until: String::new(),
            check_document: check_document(&p.check_document),
            document: None,
            has_photo: false,
            pass_id: p.pid.clone(),
            note: p.note.clone(),
        }),
    }
}

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(feature = "hydrate")]
mod browser {
    use super::super::idb;
    use super::QueuedEvent;
    use crate::components::from_json;
    use crate::domain::roster::LocalRoster;
    use std::collections::HashSet;
    use wasm_bindgen::{JsCast, JsValue};

    const ROSTER: &str = "roster";
    const SPENT: &str = "spent";

    /// The roster this phone has, with what it spent since.
    pub async fn load_roster() -> Option<LocalRoster> {
        let mut r: LocalRoster = from_json(&idb::get(idb::KV, ROSTER).await.ok()??).ok()?;
        if let Some(spent) = idb::get(idb::KV, SPENT).await.ok().flatten() {
            let spent: HashSet<String> = from_json(&spent).unwrap_or_default();
            r.spent.extend(spent);
        }
        Some(r)
    }

    /// What to store, encoded where the roster is borrowed: thousands of
    /// passes are never cloned for a write (an offline admission stored
    /// its spend by cloning the whole roster).
    pub struct ToStore {
        roster: Option<String>,
        spent: Option<String>,
    }

    impl ToStore {
        /// The whole roster, with its local spends.
        pub fn roster(r: &LocalRoster) -> ToStore {
            ToStore { roster: serde_json::to_string(r).ok(), spent: serde_json::to_string(&r.spent).ok() }
        }

        /// Only the local spends: small, written after every offline admission.
        pub fn spent(r: &LocalRoster) -> ToStore {
            ToStore { roster: None, spent: serde_json::to_string(&r.spent).ok() }
        }

        pub async fn save(self) {
            if let Some(json) = self.roster {
                let _ = idb::put(idb::KV, ROSTER, &json).await;
            }
            if let Some(json) = self.spent {
                let _ = idb::put(idb::KV, SPENT, &json).await;
            }
        }
    }

    pub async fn queue(e: &QueuedEvent) -> Result<(), JsValue> {
        let json = serde_json::to_string(e).map_err(|_| JsValue::NULL)?;
        idb::put(idb::EVENTS, &e.event.event_id, &json).await
    }

    /// What waits to be sent: scans decided here and manual admissions.
    pub async fn queued_count() -> usize {
        let n = |r: Result<Vec<String>, JsValue>| r.map_or(0, |v| v.len());
        n(idb::all(idb::EVENTS).await) + n(idb::all(idb::MANUAL).await)
    }

    pub fn now_ms() -> i64 {
        js_sys::Date::now() as i64
    }

    /// 128 random bits from the browser's CSPRNG, as hex.
    pub fn random_id() -> String {
        let mut b = [0u8; 16];
        if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
            let _ = c.get_random_values_with_u8_array(&mut b);
        }
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// What the browser believes; a request can still fail while "online".
    pub fn online() -> bool {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }

    pub async fn sleep(ms: i32) {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }

    /// The result of `fut`, or `None` once `ms` have passed: a gate with a
    /// dead 4G link must not keep the guard waiting for a TCP timeout.
    pub async fn within<T>(ms: i32, fut: impl std::future::Future<Output = T>) -> Option<T> {
        use futures::future::{Either, select};
        let fut = std::pin::pin!(fut);
        let timer = std::pin::pin!(sleep(ms));
        match select(fut, timer).await {
            Either::Left((v, _)) => Some(v),
            Either::Right(_) => None,
        }
    }

    thread_local! {
        // One audio context for the page's life: browsers cap how many a
        // page may open, and a guard beeps hundreds of times a morning.
        static AUDIO: Option<web_sys::AudioContext> = web_sys::AudioContext::new().ok();
    }

    /// A short tone: high for "let through", low and long for "stop".
    pub fn beep(allow: bool) {
        AUDIO.with(|ctx| {
            if let Some(ctx) = ctx {
                tone(ctx, allow);
            }
        });
    }

    fn tone(ctx: &web_sys::AudioContext, allow: bool) {
        // A context made before the guard touched the page starts suspended.
        let _ = ctx.resume();
        let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else { return };
        osc.frequency().set_value(if allow { 880.0 } else { 220.0 });
        gain.gain().set_value(0.2);
        let _ = osc.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&ctx.destination());
        let t = ctx.current_time();
        let _ = osc.start();
        let _ = osc.stop_with_when(t + if allow { 0.12 } else { 0.4 });
    }

    /// `performance.now()`: milliseconds since the page started.
    pub fn perf_now() -> f64 {
        web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
    }

    /// A User Timing measure from `start` (a `perf_now()`) to now, read by
    /// the benchmark harness (`performance.getEntriesByName`); cheap, and
    /// visible in any browser's performance panel.
    pub fn measure_since(name: &str, start: f64) {
        let Some(perf) = web_sys::window().and_then(|w| w.performance()) else { return };
        let opts = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&opts, &JsValue::from_str("start"), &JsValue::from_f64(start));
        let _ = js_sys::Reflect::set(&opts, &JsValue::from_str("end"), &JsValue::from_f64(perf.now()));
        if let Ok(f) = js_sys::Reflect::get(&perf, &JsValue::from_str("measure")).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = f.call2(&perf, &JsValue::from_str(name), &opts);
        }
    }

    /// The service worker keeps the scanner and pass pages loadable with
    /// the network off (where the browser has one: not iOS WeChat).
    pub fn register_service_worker() {
        let Some(w) = web_sys::window() else { return };
        let nav = w.navigator();
        let Ok(sw) = js_sys::Reflect::get(&nav, &JsValue::from_str("serviceWorker")) else { return };
        if sw.is_undefined() {
            return;
        }
        if let Ok(register) = js_sys::Reflect::get(&sw, &JsValue::from_str("register")).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = register.call1(&sw, &JsValue::from_str("/sw.js"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offline_verdict_shows_only_what_the_roster_holds() {
        let p = RosterPass {
            pid: "p1".into(),
            holder: "李*".into(),
            kind: "visitor".into(),
            vehicle: false,
            official: true,
            allowed_vehicle_gates: vec![],
            single_use: false,
            used: false,
            valid_from: 0,
            valid_until: 1,
            valid_text: "2026-11-26 00:00 → 2026-11-26 23:59".into(),
            check_document: "passport".into(),
            note: String::new(),
        };
        let v = verdict(Reason::Ok, Some(&p));
        assert!(v.allow);
        let shown = v.pass.unwrap();
        assert_eq!(shown.holder, "李*");
        assert_eq!(shown.check_document, crate::i18n::Msg::DocPassport);
        assert_eq!(shown.document, None, "no document number offline");
        assert!(!verdict(Reason::UnknownPass, None).allow);
    }
}
