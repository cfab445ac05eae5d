//! The security office's view of the gates: the scan log, who is on campus
//! now, gate devices and the pass-signing keys.

use super::*;
use crate::components::{AdminNav, AdminOnly, ExportLinks, Pager};
use crate::components::{ErrorLine, resource};
use crate::i18n::OfficeMsg;
use crate::i18n::{Msg, t, use_i18n};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanFilter {
    #[serde(default)]
    pub campus_id: String,
    #[serde(default)]
    pub gate_id: String,
    /// `allowed`, `refused`, `conflict`, or empty for all.
    #[serde(default)]
    pub verdict: String,
    /// Campus dates `YYYY-MM-DD`, inclusive; empty for no bound.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub offset: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanRow {
    pub at: String,
    pub campus: String,
    pub gate: String,
    pub direction: Direction,
    pub method: String,
    pub allowed: bool,
    pub reason: Reason,
    pub offline: bool,
    pub conflict: bool,
    pub scanner: String,
    /// Masked name, or a plate.
    pub holder: String,
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsideRow {
    pub campus: String,
    /// Masked name, or a plate.
    pub who: String,
    pub entered_at: String,
    pub gate: String,
    pub kind: String,
    /// The pass ended without an exit being recorded.
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OnCampus {
    pub people: Vec<InsideRow>,
    pub vehicles: Vec<InsideRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateOption {
    pub campus_id: String,
    pub campus: String,
    pub gate_id: String,
    pub gate: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SigningKeyView {
    pub kid: String,
    pub created_at: String,
    pub retired_at: Option<String>,
    pub current: bool,
}

role_fn!(SecurityAdmin, list_scans "list_scans"(campus_id: String, gate_id: String, verdict: String, from: String, to: String, offset: i64) -> Vec<ScanRow> =>
    |st, me| ssr::scan_log(&st, &ScanFilter { campus_id, gate_id, verdict, from, to, offset }).await);
role_fn!(SecurityAdmin, on_campus_now "on_campus_now"(campus_id: String) -> OnCampus => |st, me| ssr::on_campus(&st, &campus_id).await);
role_fn!(SecurityAdmin, gate_options "gate_options"() -> Vec<GateOption> => |st, me| ssr::campuses_and_gates(&st).await);
role_fn!(SecurityAdmin, list_signing_keys "list_signing_keys"() -> Vec<SigningKeyView> => |st, me| ssr::signing_keys(&st).await);
role_fn!(SecurityAdmin,
    /// New passes are signed with a new key; older ones verify until they end.
    rotate_signing_key "rotate_signing_key"() -> String => |st, me| ssr::rotate_signing_key(&st, &me).await);

/// The campuses in a list of gates, each once, in order.
pub(super) fn campuses(gates: &[GateOption]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for g in gates {
        if !out.iter().any(|(id, _)| *id == g.campus_id) {
            out.push((g.campus_id.clone(), g.campus.clone()));
        }
    }
    out
}

#[component]
pub fn ScanLogPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><ScanLog /></AdminOnly> }
}

#[component]
fn ScanLog() -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(ScanFilter::default());
    let rows = resource(move || filter.get(), |f| list_scans(f.campus_id, f.gate_id, f.verdict, f.from, f.to, f.offset));
    let gates = resource(|| (), |_| gate_options());
    let set = move |f: fn(&mut ScanFilter, String)| {
        move |ev: leptos::ev::Event| {
            filter.update(|s| {
                f(s, event_target_value(&ev));
                s.offset = 0;
            })
        }
    };
    view! {
        <section class="card">
            <h1>{t(Msg::ScanLog)}</h1>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let gates = gates.await.unwrap_or_default();
                        let cs = campuses(&gates);
                        view! {
                            <select id="scan-campus" aria-label=t(Msg::Campus) on:change=set(|s, v| s.campus_id = v)>
                                <option value="">{t(OfficeMsg::AllCampuses)}</option>
                                {cs.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                            <select id="scan-gate-filter" aria-label=t(Msg::Gate) on:change=set(|s, v| s.gate_id = v)>
                                <option value="">{t(OfficeMsg::AllGates)}</option>
                                {gates.into_iter().map(|g| view! { <option value=g.gate_id>{format!("{} · {}", g.campus, g.gate)}</option> }).collect_view()}
                            </select>
                        }
                    })}
                </Suspense>
                <select id="scan-verdict" aria-label=t(OfficeMsg::Verdict) on:change=set(|s, v| s.verdict = v)>
                    <option value="">{t(OfficeMsg::AllVerdicts)}</option>
                    <option value="allowed">{t(OfficeMsg::AllowedOnly)}</option>
                    <option value="refused">{t(OfficeMsg::RefusedOnly)}</option>
                    <option value="conflict">{t(OfficeMsg::Conflict)}</option>
                </select>
                <label>{t(Msg::From)}<input type="date" id="scan-from" on:change=set(|s, v| s.from = v) /></label>
                <label>{t(Msg::To)}<input type="date" id="scan-to" on:change=set(|s, v| s.to = v) /></label>
            </form>
            <ExportLinks list="scans" names=true
                query=Signal::derive(move || filter.with(|f| format!("campus_id={}&gate_id={}&verdict={}&from={}&to={}", f.campus_id, f.gate_id, f.verdict, f.from, f.to))) />
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) => view! {
                            // Scrolled sideways on a phone: by keyboard too.
                            <div class="scroll" tabindex="0" role="region" aria-label=t(Msg::ScanLog)>
                            <table class="list small" id="scan-list">
                                <thead><tr><th>{t(OfficeMsg::Time)}</th><th>{t(Msg::Gate)}</th><th>{t(Msg::Direction)}</th><th>{t(OfficeMsg::Verdict)}</th><th>{t(OfficeMsg::Holder)}</th><th>{t(OfficeMsg::Scanner)}</th></tr></thead>
                                <tbody>
                                {rows.into_iter().map(|r| {
                                    let dir = if r.direction == Direction::In { Msg::DirIn } else { Msg::DirOut };
                                    view! { <tr class:refused=!r.allowed class:conflict=r.conflict>
                                        <td class="nowrap">{r.at.clone()}</td>
                                        <td>{format!("{} {}", r.campus, r.gate)}</td>
                                        <td>{t(dir)}</td>
                                        <td data-reason=r.reason.code()>{if r.allowed { t(Msg::Allow)() } else { t(Msg::Refuse)() }} " · " {t(r.reason.msg())}
                                            {r.offline.then(|| view! { " · " <span class="badge">{t(Msg::Offline)}</span> })}
                                            {r.conflict.then(|| view! { " · " <span class="badge st-bad" title=t(OfficeMsg::ConflictHint)>{t(OfficeMsg::Conflict)}</span> })}</td>
                                        <td>{r.holder.clone()}</td>
                                        <td class="small">{r.scanner.clone()}</td>
                                    </tr> }
                                }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
            <Pager offset=Signal::derive(move || filter.with(|f| f.offset)) on_page=Callback::new(move |o| filter.update(|f| f.offset = o)) />
        </section>
    }
}

#[component]
pub fn OnCampusPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><OnCampusList /></AdminOnly> }
}

#[component]
fn OnCampusList() -> impl IntoView {
    let i18n = use_i18n();
    let campus = RwSignal::new(String::new());
    let clear = ServerAction::<ClearVehicleInside>::new();
    let rows = resource(move || (campus.get(), clear.version().get()), |(c, _)| on_campus_now(c));
    let gates = resource(|| (), |_| gate_options());
    let reason = RwSignal::new(String::new());
    let err = Signal::derive(move || clear.value().get().and_then(Result::err));
    view! {
        <section class="card">
            <h1>{t(Msg::OnCampus)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let cs = campuses(&gates.await.unwrap_or_default());
                    view! {
                        <select id="inside-campus" aria-label=t(Msg::Campus) on:change=move |ev| campus.set(event_target_value(&ev))>
                            <option value="">{t(OfficeMsg::AllCampuses)}</option>
                            {cs.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                    }
                })}
            </Suspense>
            <ExportLinks list="on-campus" names=true query=Signal::derive(move || format!("campus_id={}", campus.get())) />
            <ErrorLine error=err />
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(o) if o.people.is_empty() && o.vehicles.is_empty() => view! { <p class="muted" id="inside-empty">{t(OfficeMsg::NobodyInside)}</p> }.into_any(),
                        Ok(o) => view! {
                            <h2>{t(OfficeMsg::People)} " (" {o.people.len()} ")"</h2>
                            <div class="scroll" tabindex="0" role="region" aria-label=t(OfficeMsg::People)>
                            <table class="list small" id="inside-people">
                                <thead><tr><th>{t(OfficeMsg::Holder)}</th><th>{t(Msg::PassKindLabel)}</th><th>{t(OfficeMsg::EnteredAt)}</th><th>{t(Msg::Gate)}</th></tr></thead>
                                <tbody>
                                {o.people.into_iter().map(|r| view! { <tr class:inactive=r.overdue>
                                    <td>{r.who}</td><td>{t(kind_label(&r.kind))}</td><td class="nowrap">{r.entered_at}</td><td>{format!("{} {}", r.campus, r.gate)}</td>
                                </tr> }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                            <h2>{t(OfficeMsg::Vehicles)} " (" {o.vehicles.len()} ")"</h2>
                            <div class="scroll" tabindex="0" role="region" aria-label=t(OfficeMsg::Vehicles)>
                            <table class="list small" id="inside-vehicles">
                                <thead><tr><th>{t(Msg::Plate)}</th><th>{t(OfficeMsg::EnteredAt)}</th><th>{t(Msg::Gate)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                <tbody>
                                {o.vehicles.into_iter().map(|r| {
                                    let plate = r.who.clone();
                                    view! { <tr>
                                        <td>{r.who}</td><td class="nowrap">{r.entered_at}</td><td>{format!("{} {}", r.campus, r.gate)}</td>
                                        <td><button class="link danger" on:click=move |_| {
                                            clear.dispatch(ClearVehicleInside { plate: plate.clone(), reason: reason.get_untracked() });
                                        }>{t(OfficeMsg::ClearInside)}</button></td>
                                    </tr> }
                                }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
            <label>{t(OfficeMsg::ClearInsideReason)}<input id="clear-reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) /></label>
        </section>
    }
}

#[component]
pub fn DevicesPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><Devices /><SigningKeys /></AdminOnly> }
}

#[component]
fn Devices() -> impl IntoView {
    let i18n = use_i18n();
    let register = ServerAction::<RegisterDevice>::new();
    let set_active = ServerAction::<SetDeviceActive>::new();
    let devices = resource(move || (register.version().get(), set_active.version().get()), |_| list_devices());
    let gates = resource(|| (), |_| gate_options());
    let gate = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let err = Signal::derive(move || register.value().get().and_then(Result::err));
    view! {
        <section class="card">
            <h1>{t(Msg::Devices)}</h1>
            <p class="muted small">{t(OfficeMsg::DevicesHint)}</p>
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match devices.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="list small" id="device-list">
                                <thead><tr><th>{t(OfficeMsg::DeviceName)}</th><th>{t(Msg::Gate)}</th><th>{t(OfficeMsg::LastSeen)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                <tbody>
                                {list.into_iter().map(|d| {
                                    let (id, active) = (d.id.clone(), d.active);
                                    view! { <tr class:inactive=!active>
                                        <td>{d.name}</td><td>{d.gate}</td><td class="nowrap">{d.last_seen.unwrap_or_default()}</td>
                                        <td><button class="link" on:click=move |_| { set_active.dispatch(SetDeviceActive { id: id.clone(), active: !active }); }>
                                            {if active { t(OfficeMsg::Deactivate)() } else { t(OfficeMsg::Activate)() }}</button></td>
                                    </tr> }
                                }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
            <h2>{t(OfficeMsg::RegisterDevice)}</h2>
            <form class="grid" on:submit=move |ev| { ev.prevent_default(); register.dispatch(RegisterDevice { gate_id: gate.get_untracked(), name: name.get_untracked() }); }>
                <label>{t(OfficeMsg::DeviceName)}<input id="device-name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>{t(Msg::Gate)}
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let gs = gates.await.unwrap_or_default();
                            view! {
                                <select id="device-gate" on:change=move |ev| gate.set(event_target_value(&ev))>
                                    <option value="">"—"</option>
                                    {gs.into_iter().map(|g| view! { <option value=g.gate_id>{format!("{} · {}", g.campus, g.gate)}</option> }).collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                </label>
                <ErrorLine error=err />
                <div class="actions"><button type="submit" class="primary" id="device-register">{t(OfficeMsg::RegisterDevice)}</button></div>
            </form>
            {move || register.value().get().and_then(Result::ok).map(|key| view! {
                <p class="notice">{t(OfficeMsg::DeviceKeyOnce)}<br /><code class="mono" id="device-key">{key}</code></p>
            })}
        </section>
    }
}

#[component]
fn SigningKeys() -> impl IntoView {
    let i18n = use_i18n();
    let rotate = ServerAction::<RotateSigningKey>::new();
    let keys = resource(move || rotate.version().get(), |_| list_signing_keys());
    let err = Signal::derive(move || rotate.value().get().and_then(Result::err));
    view! {
        <section class="card">
            <h2>{t(OfficeMsg::SigningKeys)}</h2>
            <p class="muted small">{t(OfficeMsg::SigningKeysHint)}</p>
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="list small" id="key-list">
                                <thead><tr><th>"kid"</th><th>{t(OfficeMsg::Time)}</th><th>{t(Msg::Status)}</th></tr></thead>
                                <tbody>
                                {list.into_iter().map(|k| view! { <tr class:inactive=!k.current>
                                    <td class="mono">{k.kid}</td><td class="nowrap">{k.created_at}</td>
                                    <td>{if k.current { t(OfficeMsg::StatusActive)().to_owned() } else { k.retired_at.unwrap_or_default() }}</td>
                                </tr> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ErrorLine error=err />
            {move || rotate.value().get().and_then(Result::ok).map(|_| view! { <p class="notice">{t(OfficeMsg::KeyRotated)}</p> })}
            <button class="secondary" id="rotate-key" on:click=move |_| { rotate.dispatch(RotateSigningKey {}); }>{t(OfficeMsg::RotateKey)}</button>
        </section>
    }
}
