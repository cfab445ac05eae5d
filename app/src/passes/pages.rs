//! The holder's pass page and the guard's scanner page.

use super::*;
use super::camera;
use crate::components::Refusal;
use crate::i18n::{Msg, t, use_i18n};
use leptos_router::hooks::use_params_map;

fn status_label(s: PassStatus) -> Msg {
    match s {
        PassStatus::Valid => Msg::PassValid,
        PassStatus::NotYetValid => Msg::PassNotYetValid,
        PassStatus::Used => Msg::PassUsed,
        PassStatus::Expired => Msg::PassExpired,
        PassStatus::Cancelled => Msg::PassCancelled,
    }
}

#[component]
pub fn PassPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let pass = Resource::new(move || params.with(|p| p.get("link").unwrap_or_default()), |link| pass_by_link(link));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match pass.await {
                    Err(e) => view! { <section class="card narrow"><p class="error" role="alert">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok(p) => {
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
            })}
        </Suspense>
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

#[component]
pub fn ScannerPage() -> impl IntoView {
    let i18n = use_i18n();
    let gates = Resource::new(|| (), |_| guard_gates());
    let gate = RwSignal::new(String::new());
    let direction = RwSignal::new(Direction::In);
    let manual = RwSignal::new(Manual::Qr);
    let text = RwSignal::new(String::new());
    let scan = ServerAction::<GuardScan>::new();
    let submit = move || {
        let value = text.get_untracked();
        let input = match manual.get_untracked() {
            Manual::Qr => ScanInput::Qr(value),
            Manual::Plate => ScanInput::Plate(value),
            Manual::IdNumber => ScanInput::IdNumber(value),
            Manual::Mobile => ScanInput::Mobile(value),
        };
        scan.dispatch(GuardScan { gate_id: gate.get_untracked(), direction: direction.get_untracked(), input });
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
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match gates.await {
                    Err(AppError::Unauthenticated) => view! { <section class="card narrow"><p>{t(Msg::ScanLanding)}</p></section><Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                    Err(e) => view! { <section class="card narrow"><p>{t(Msg::ScanLanding)}</p><p class="error">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok(list) => {
                        if gate.get_untracked().is_empty() { if let Some(g) = list.first() { gate.set(g.id.clone()); } }
                        view! {
                            <div class="row">
                                <select id="scan-gate" aria-label="gate" on:change=move |ev| gate.set(event_target_value(&ev))>
                                    {list.into_iter().map(|g| view! { <option value=g.id.clone()>{format!("{} {}", g.campus, g.name)}</option> }).collect_view()}
                                </select>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
        <section class="card narrow scanner">
            <camera::CameraScanner on_code=Callback::new(move |code: String| {
                text.set(code);
                manual.set(Manual::Qr);
                submit();
            }) />
            <div class="segmented" role="group">
                <button id="dir-in" class:on=move || direction.get() == Direction::In on:click=move |_| direction.set(Direction::In)>{t(Msg::DirIn)}</button>
                <button id="dir-out" class:on=move || direction.get() == Direction::Out on:click=move |_| direction.set(Direction::Out)>{t(Msg::DirOut)}</button>
            </div>
            {move || scan.value().get().map(|r| match r {
                Ok(v) => {
                    #[cfg(feature = "hydrate")]
                    camera::vibrate(if v.allow { 80 } else { 400 });
                    let class = if v.allow { "verdict allow" } else { "verdict refuse" };
                    let fee = v.fee_cents.filter(|c| *c > 0).map(|c| format!("{} ¥{:.2}", Msg::ParkingFee.text(i18n.lang()), c as f64 / 100.0));
                    view! {
                        <div class=class id="verdict" role="status" data-reason=v.reason.code()>
                            <p class="verdict-word">{if v.allow { t(Msg::Allow)() } else { t(Msg::Refuse)() }}</p>
                            <p class="verdict-reason">{t(v.reason.msg())}</p>
                            {v.pass.map(|p| view! {
                                <p class="verdict-holder">{p.holder.clone()}</p>
                                <p class="small">{p.check_document.clone()} " " {p.document.clone().unwrap_or_default()}</p>
                                <p class="small">{format!("{} → {}", p.valid_from, p.valid_until)}</p>
                            })}
                            {fee.map(|f| view! { <p class="fee">{f}</p> })}
                        </div>
                    }.into_any()
                }
                Err(e) => view! { <p class="error" role="alert">{e.user_message(i18n.lang())}</p> }.into_any(),
            })}
            <label for="manual-kind">{t(Msg::ManualLookup)}</label>
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
                <input id="manual-value" prop:value=text on:input=move |ev| text.set(event_target_value(&ev)) autocomplete="off" />
                <button type="submit" class="primary" id="manual-check" disabled=move || { scan.pending().get() || gate.get().is_empty() }>{t(Msg::Check)}</button>
            </form>
        </section>
    }
}
