//! The holder's pass page and the guard's scanner page (over 400 lines: the scanner page and its offline fallback, kept together).

use super::camera;
use super::*;
use crate::components::{Refusal, default_to_first, resource};
use crate::i18n::{Msg, t, use_i18n};

fn status_label(s: PassStatus) -> Msg {
    match s {
        PassStatus::Valid => Msg::PassValid,
        PassStatus::NotYetValid => Msg::PassNotYetValid,
        PassStatus::Used => Msg::PassUsed,
        PassStatus::Expired => Msg::PassExpired,
        PassStatus::Cancelled => Msg::PassCancelled,
    }
}

/// The holder's pass. Its link is the address's fragment (`/p#<link>`),
/// which a browser never sends: the server renders only the frame, the
/// phone asks for the pass with the link in a POST body (no access log or
/// proxy keeps it) and keeps the last answer, so the pass also opens with
/// the network off.
#[component]
pub fn PassPage() -> impl IntoView {
    let i18n = use_i18n();
    // `None` while loading: what the server renders.
    let shown = RwSignal::new(None::<Result<PassView, AppError>>);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            super::offline::register_service_worker();
            let load = move || leptos::task::spawn_local(async move { shown.set(Some(kept_pass::load(kept_pass::link_in_fragment()).await)) });
            load();
            // Another link opened in the same tab changes only the fragment.
            let handle = window_event_listener(leptos::ev::hashchange, move |_| {
                shown.set(None);
                load();
            });
            on_cleanup(move || handle.remove());
        }
    });
    move || {
        match shown.get() {
        None => view! { <p class="muted" id="pass-loading">{t(Msg::Loading)}</p> }.into_any(),
        Some(Err(e)) => view! { <section class="card narrow"><h1>{t(Msg::PassTitle)}</h1><p class="error" role="alert">{e.user_message(i18n.lang())}</p></section> }.into_any(),
        Some(Ok(p)) => {
            let ok = matches!(p.status, PassStatus::Valid | PassStatus::NotYetValid);
            view! {
                <section class="card narrow pass" id="pass">
                    <p><span class=if ok { "badge big st-ok" } else { "badge big st-bad" } id="pass-status">{t(status_label(p.status))}</span></p>
                    <h1 id="pass-holder">{p.holder.clone()}</h1>
                    {ok.then(|| view! { <div class="qr" id="pass-qr" inner_html=p.qr_svg.clone()></div> })}
                    <dl class="facts">
                        <dt>{t(Msg::Campus)}</dt><dd>{p.campus.clone()}</dd>
                        <dt>{t(Msg::ValidFrom)}</dt><dd>{p.valid_from.clone()}</dd>
                        <dt>{t(Msg::ValidUntil)}</dt><dd>{p.valid_until.clone()}</dd>
                        <dt>{t(Msg::Gates)}</dt><dd>{p.gates.join("、")}</dd>
                    </dl>
                    <p class="muted small">{t(Msg::PassHint)}</p>
                </section>
            }.into_any()
        }
    }
    }
}

/// The pass as this phone last received it, kept in its local storage.
#[cfg(feature = "hydrate")]
mod kept_pass {
    use super::*;

    /// The link in `/p#<link>`.
    pub fn link_in_fragment() -> String {
        window().location().hash().unwrap_or_default().trim_start_matches('#').to_owned()
    }

    fn key(link: &str) -> String {
        format!("campus-pass.pass.{link}")
    }

    /// The server's answer, kept; without a network, the kept copy.
    pub async fn load(link: String) -> Result<PassView, AppError> {
        if link.is_empty() {
            return Err(AppError::NotFound);
        }
        let store = window().local_storage().ok().flatten();
        match pass_by_link(link.clone()).await {
            Ok(p) => {
                if let (Some(s), Ok(json)) = (&store, serde_json::to_string(&p)) {
                    let _ = s.set_item(&key(&link), &json);
                }
                Ok(p)
            }
            Err(AppError::Request(e)) => store
                .and_then(|s| s.get_item(&key(&link)).ok().flatten())
                .and_then(|json| crate::components::from_json(&json).ok())
                .ok_or(AppError::Request(e)),
            Err(e) => {
                if let Some(s) = &store {
                    let _ = s.remove_item(&key(&link));
                }
                Err(e)
            }
        }
    }
}

/// The token a WeChat scan landed with (`/s#t=…`); the fragment never
/// reaches the server's logs, and only a signed-in guard's page sends it on.
fn token_in_fragment() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let hash = window().location().hash().ok()?;
        hash.strip_prefix("#t=").map(str::to_owned).filter(|t| !t.is_empty())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Manual {
    Qr,
    Plate,
    IdNumber,
    Mobile,
}

/// A verdict on screen: from the server, or decided on this phone.
#[derive(Clone)]
struct Shown {
    result: Result<Verdict, AppError>,
    offline: bool,
}

/// What the guard needs to know about the offline side at a glance.
#[derive(Clone, Copy, Default, PartialEq)]
struct OfflineInfo {
    /// The last request reached the server.
    reachable: bool,
    roster_synced_at: i64,
    roster_passes: usize,
    queued: usize,
}

#[component]
pub fn ScannerPage() -> impl IntoView {
    let i18n = use_i18n();
    let gates = resource(|| (), |_| guard_gates());
    let gate = RwSignal::new(String::new());
    default_to_first(gate, gates, |l| l.first().map(|g| g.id.clone()));
    // Who is scanning: each offline event is tied to them. (From the
    // gates: this page's bundle reads no context but the language.)
    let guard = move || {
        gates.with_untracked(|g| g.as_ref().and_then(|r| r.as_ref().ok()).and_then(|l| l.first()).map(|g| g.guard.clone())).unwrap_or_default()
    };
    let direction = RwSignal::new(Direction::In);
    let manual = RwSignal::new(Manual::Qr);
    let text = RwSignal::new(String::new());
    let shown = RwSignal::new(None::<Shown>);
    let photo = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let info = RwSignal::new(OfflineInfo { reachable: true, ..Default::default() });
    let roster = StoredValue::new(crate::domain::roster::LocalRoster::default());
    // When the camera frame that held the code was taken (for the measure
    // "camera to verdict").
    let camera_frame = StoredValue::new(None::<f64>);
    let alive = StoredValue::new(true);
    on_cleanup(move || alive.set_value(false));
    #[cfg(not(feature = "hydrate"))]
    let _ = (roster, alive, photo, camera_frame, guard);

    // Checks one scan: online with a short timeout, else on this phone.
    let check = move |input: ScanInput| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use super::offline;
            let gate_id = gate.get_untracked();
            if gate_id.is_empty() {
                return;
            }
            let dir = direction.get_untracked();
            let event_id = offline::random_id();
            pending.set(true);
            photo.set(None);
            let answer = if offline::online() {
                offline::within(3000, guard_scan(gate_id.clone(), dir, input.clone(), Some(event_id.clone()))).await
            } else {
                None
            };
            match answer {
                Some(Err(AppError::Request(_))) | None => {
                    info.update(|i| i.reachable = false);
                    let v = decide_offline(roster, &gate_id, &guard(), dir, &input, event_id).await;
                    shown.set(Some(Shown { result: v, offline: true }));
                    info.update(|i| i.queued += 1);
                }
                Some(result) => {
                    info.update(|i| i.reachable = true);
                    let wants_photo = result.as_ref().ok().and_then(|v| v.pass.as_ref().filter(|p| p.has_photo).map(|p| p.pass_id.clone()));
                    shown.set(Some(Shown { result, offline: false }));
                    if let Some(pid) = wants_photo
                        && let Ok(Some(src)) = guard_photo(gate_id.clone(), pid).await
                    {
                        photo.set(Some(src));
                    }
                }
            }
            if let Some(frame_at) = camera_frame.get_value() {
                camera_frame.set_value(None);
                offline::measure_since("campus-pass:camera-to-verdict", frame_at);
            }
            if let Some(Shown { result: Ok(v), .. }) = shown.get_untracked() {
                camera::vibrate(if v.allow { 80 } else { 400 });
                offline::beep(v.allow);
            }
            pending.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (input, shown, pending);
    };
    let submit = move || {
        let value = text.get_untracked();
        let input = match manual.get_untracked() {
            Manual::Qr => ScanInput::Qr(value),
            Manual::Plate => ScanInput::Plate(value),
            Manual::IdNumber => ScanInput::IdNumber(value),
            Manual::Mobile => ScanInput::Mobile(value),
        };
        check(input);
    };
    // A pass scanned with WeChat's own scanner lands here: check it at once.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) || gate.get().is_empty() {
            return done.unwrap_or(false);
        }
        if let Some(token) = token_in_fragment() {
            text.set(token);
            manual.set(Manual::Qr);
            submit();
        }
        true
    });
    // The offline side: load what this phone has, then keep the roster
    // fresh and the queue synced every few minutes and whenever the
    // network comes back.
    Effect::new(move |started: Option<String>| {
        let g = gate.get();
        if g.is_empty() || started.as_deref() == Some(g.as_str()) {
            return started.unwrap_or_default();
        }
        #[cfg(feature = "hydrate")]
        {
            super::offline::register_service_worker();
            let first = started.is_none();
            let g = g.clone();
            leptos::task::spawn_local(async move {
                if first {
                    if let Some(r) = super::offline::load_roster().await {
                        roster.set_value(r);
                    }
                    let queued = super::offline::queued_count().await;
                    info.update(|i| i.queued = queued);
                    show_roster(roster, info);
                }
                while alive.get_value() && gate.get_untracked() == g {
                    refresh_and_sync(&g, roster, info).await;
                    super::offline::sleep(180_000).await;
                }
            });
        }
        g
    });
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::online, move |_| {
            let g = gate.get_untracked();
            if !g.is_empty() {
                leptos::task::spawn_local(async move { refresh_and_sync(&g, roster, info).await });
            }
        });
        on_cleanup(move || handle.remove());
    }
    view! {
        <h1 class="page-title">{t(Msg::ScannerTile)}</h1>
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match gates.await {
                    Err(AppError::Unauthenticated) => view! { <section class="card narrow"><p>{t(Msg::ScanLanding)}</p></section><Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                    Err(e) => view! { <section class="card narrow"><p>{t(Msg::ScanLanding)}</p><p class="error">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok(list) => {
                        view! {
                            <div class="row">
                                <select id="scan-gate" aria-label=t(Msg::Gate) on:change=move |ev| gate.set(event_target_value(&ev))>
                                    {list.into_iter().map(|g| view! { <option value=g.id.clone()>{format!("{} {}", g.campus, g.name)}</option> }).collect_view()}
                                </select>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
        <section class="card narrow scanner">
            <p class="net small" id="net-status" class:offline=move || !info.get().reachable data-queued=move || info.get().queued.to_string()>
                {move || if info.get().reachable { t(Msg::OnlineBanner)() } else { t(Msg::OfflineBanner)() }}
                " · "
                {move || {
                    let i = info.get();
                    if i.roster_synced_at == 0 { t(Msg::RosterNone)().to_owned() } else { format!("{} {} ({})", t(Msg::RosterAge)(), clock_text(i.roster_synced_at), i.roster_passes) }
                }}
                {move || (info.get().queued > 0).then(|| view! { " · " {t(Msg::QueuedEvents)} " " <strong id="queued">{info.get().queued}</strong> })}
            </p>
            <camera::CameraScanner on_code=Callback::new(move |(code, frame_at): (String, f64)| {
                text.set(code.clone());
                manual.set(Manual::Qr);
                camera_frame.set_value(frame_at.is_finite().then_some(frame_at));
                check(ScanInput::Qr(code));
            }) />
            <div class="segmented" role="group" aria-label=t(Msg::Direction)>
                <button id="dir-in" class:on=move || direction.get() == Direction::In aria-pressed=move || pressed(direction.get() == Direction::In) on:click=move |_| direction.set(Direction::In)>{t(Msg::DirIn)}</button>
                <button id="dir-out" class:on=move || direction.get() == Direction::Out aria-pressed=move || pressed(direction.get() == Direction::Out) on:click=move |_| direction.set(Direction::Out)>{t(Msg::DirOut)}</button>
            </div>
            {move || match shown.get() {
                // Where the verdict will appear, shown from the first paint.
                None => view! {
                    <div class="verdict idle" id="verdict-idle">
                        <p class="verdict-word">{t(Msg::ScanReady)}</p>
                        <p class="small">{t(Msg::ScanReadyHint)}</p>
                    </div>
                }.into_any(),
                Some(s) => match s.result {
                Ok(v) => {
                    let class = if v.allow { "verdict allow" } else { "verdict refuse" };
                    let fee = v.fee_cents.filter(|c| *c > 0).map(|c| format!("{} ¥{}", Msg::ParkingFee.text(i18n.lang()), crate::domain::parking::yuan(c)));
                    view! {
                        <div class=class id="verdict" role="status" data-reason=v.reason.code() data-offline=s.offline.to_string()>
                            <p class="verdict-word">{if v.allow { t(Msg::Allow)() } else { t(Msg::Refuse)() }}</p>
                            <p class="verdict-reason">{t(v.reason.msg())}</p>
                            {v.pass.map(|p| view! {
                                {move || photo.get().map(|src| view! { <img class="verdict-photo" id="verdict-photo" src=src alt="" /> })}
                                <p class="verdict-holder">{p.holder.clone()}</p>
                                {(!p.note.is_empty()).then(|| view! { <p class="small" id="verdict-note">{p.note.clone()}</p> })}
                                <p class="small">{t(kind_label(&p.kind))} " · " {t(p.check_document)} " " {p.document.clone().unwrap_or_default()}</p>
                                <p class="small">{if p.valid_until.is_empty() { p.valid_from.clone() } else { format!("{} → {}", p.valid_from, p.valid_until) }}</p>
                            })}
                            {fee.map(|f| view! { <p class="fee">{f}</p> })}
                            {s.offline.then(|| view! { <p class="small offline-note">{t(Msg::OfflineVerdict)}</p> })}
                        </div>
                    }.into_any()
                }
                Err(e) => view! { <p class="error" role="alert" id="verdict-error">{e.user_message(i18n.lang())}</p> }.into_any(),
                },
            }}
            <label for="manual-kind" id="manual-label">{t(Msg::ManualLookup)}</label>
            <div class="row">
                <select id="manual-kind" on:change=move |ev| manual.set(match event_target_value(&ev).as_str() {
                    "plate" => Manual::Plate, "id" => Manual::IdNumber, "mobile" => Manual::Mobile, _ => Manual::Qr })>
                    <option value="qr">{t(Msg::ScanCode)}</option>
                    <option value="id">{t(Msg::DocResidentId)}</option>
                    <option value="mobile">{t(Msg::Phone)}</option>
                    <option value="plate">{t(Msg::Plate)}</option>
                </select>
            </div>
            <form on:submit=move |ev| { ev.prevent_default(); submit(); }>
                // Named by the label and the kind chosen ("Manual check Plate").
                <input id="manual-value" aria-labelledby="manual-label manual-kind" prop:value=text on:input=move |ev| text.set(event_target_value(&ev)) autocomplete="off" />
                // Disabled only while a check runs (`check` ignores a form without a
                // gate): a condition on the gate, which is chosen while this
                // renders, let the server render it disabled and hydration
                // kept that.
                <button type="submit" class="primary" id="manual-check" disabled=move || pending.get()>{t(Msg::Check)}</button>
            </form>
            <p class="small"><a href=move || format!("/scan/manual?gate={}", gate.get()) id="manual-admission">{t(Msg::ManualAdmission)}</a></p>
        </section>
    }
}

/// `aria-pressed`'s value for a toggle button.
fn pressed(on: bool) -> &'static str {
    if on { "true" } else { "false" }
}

/// An instant as the guard's phone shows it (its own time zone).
fn clock_text(ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ms;
        String::new()
    }
}

#[cfg(feature = "hydrate")]
fn show_roster(roster: StoredValue<crate::domain::roster::LocalRoster>, info: RwSignal<OfflineInfo>) {
    let (at, n) = roster.with_value(|r| (r.synced_at, r.passes.len()));
    info.update(|i| {
        i.roster_synced_at = at;
        i.roster_passes = n;
    });
}

/// Decides a scan on this phone and queues the event for the server.
#[cfg(feature = "hydrate")]
async fn decide_offline(
    roster: StoredValue<crate::domain::roster::LocalRoster>,
    gate_id: &str,
    guard: &str,
    dir: Direction,
    input: &ScanInput,
    event_id: String,
) -> Result<Verdict, AppError> {
    use super::offline;
    let now = offline::now_ms();
    let (reason, pass) = roster.with_value(|r| match input {
        ScanInput::Qr(text) => {
            let started = offline::perf_now();
            let (reason, p) = r.verdict_for_qr(gate_id, dir, text, now);
            offline::measure_since("campus-pass:offline-verify", started);
            Ok((reason, p.cloned()))
        }
        ScanInput::Plate(text) => match crate::domain::Plate::parse(text) {
            Ok(plate) => {
                let (reason, p) = r.verdict_for_plate(gate_id, dir, plate.as_str(), now);
                Ok((reason, p.cloned()))
            }
            Err(_) => Ok((crate::domain::gate::Reason::Malformed, None)),
        },
        ScanInput::IdNumber(_) | ScanInput::Mobile(_) => Err(AppError::invalid("input", Msg::OfflineNeedsNetwork)),
    })?;
    let v = offline::verdict(reason, pass.as_ref());
    if v.allow
        && let Some(p) = &pass
    {
        roster.update_value(|r| r.admitted(&p.pid, dir));
        leptos::task::spawn_local(roster.with_value(offline::ToStore::spent).save());
    }
    let event = OfflineEvent {
        event_id,
        at: now,
        direction: dir,
        pass_id: pass.as_ref().map(|p| p.pid.clone()),
        plate: pass.as_ref().filter(|p| p.vehicle).map(|p| p.holder.clone()),
        allowed: v.allow,
        reason,
    };
    offline::queue(&offline::QueuedEvent { gate_id: gate_id.to_owned(), guard: guard.to_owned(), event }).await.map_err(|_| AppError::Internal)?;
    Ok(v)
}

/// Fetches the roster (a delta when this phone has one) and sends the
/// queued events this guard decided, each gate's in one batch; what the
/// server took is removed from the queue. Another guard's wait for them.
#[cfg(feature = "hydrate")]
async fn refresh_and_sync(gate_id: &str, roster: StoredValue<crate::domain::roster::LocalRoster>, info: RwSignal<OfflineInfo>) {
    use super::offline;
    let since = roster.with_value(|r| (r.synced_at > 0 && r.gate(gate_id).is_some()).then_some(r.synced_at));
    match offline::within(15_000, guard_roster(gate_id.to_owned(), since)).await {
        Some(Ok(fresh)) => {
            let now = offline::now_ms();
            roster.update_value(|r| r.merge(fresh, now));
            info.update(|i| i.reachable = true);
            show_roster(roster, info);
            // Encoded for storage in a task of its own: decoding, merging
            // and encoding thousands of passes in one task kept the page
            // from answering a tap (Lighthouse's blocking time on /scan).
            offline::sleep(0).await;
            roster.with_value(offline::ToStore::roster).save().await;
        }
        Some(Err(AppError::Request(_))) | None => {
            info.update(|i| i.reachable = false);
            return;
        }
        Some(Err(_)) => {}
    }
    // The queue as the phone keeps it (scans decided here, manual
    // admissions from `/scan/manual`), passed on as stored: this bundle
    // carries no decoder for them. The server takes the signed-in guard's
    // and answers which ids to forget; another guard's wait for them.
    for store in [super::idb::EVENTS, super::idb::MANUAL] {
        let queued = super::idb::all(store).await.unwrap_or_default();
        for batch in queued.chunks(super::MAX_EVENTS_PER_BATCH) {
            let sent = if store == super::idb::EVENTS {
                offline::within(15_000, guard_sync_queue(batch.to_vec())).await
            } else {
                offline::within(15_000, guard_manual_sync(batch.to_vec())).await
            };
            match sent {
                Some(Ok(done)) => {
                    let _ = super::idb::delete(store, &done).await;
                }
                _ => break,
            }
        }
    }
    let left = offline::queued_count().await;
    info.update(|i| i.queued = left);
}
