//! The roll call page (`/admin/roll-call`): everyone inside a campus now
//! with their contact, printable and exportable; drills started from it,
//! each person ticked off as they are accounted for, and past drills'
//! reports (who was missing, how long it took). For the office's PC and
//! the phones of the staff at the assembly points.

use super::office::campuses;
use super::*;
use crate::components::{AdminNav, AdminOnly, ErrorLine, ExportLinks, resource};
use crate::i18n::{Msg, OfficeMsg, t, use_i18n};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollCallRow {
    pub pass_id: String,
    pub campus: String,
    pub who: String,
    pub phone: String,
    pub kind: String,
    /// Host and department, as "张伟 · 计算机学院".
    pub host: String,
    pub entered_at: String,
    pub gate: String,
    pub vehicle: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrillSummary {
    pub id: String,
    pub campus: String,
    pub name: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// Minutes from the start to the last person accounted for (all of
    /// them), or to the end; none while it runs with people missing.
    pub minutes: Option<i64>,
    pub total: i64,
    pub accounted: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrillPerson {
    pub pass_id: String,
    pub holder: String,
    pub phone: String,
    pub kind: String,
    pub host: String,
    /// When and by whom, once accounted for.
    pub accounted: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrillView {
    pub summary: DrillSummary,
    pub people: Vec<DrillPerson>,
}

role_fn!(SecurityAdmin,
    /// Everyone inside with their contact (full): the view is audited.
    roll_call "roll_call"(campus_id: String) -> Vec<RollCallRow> => |st, me| ssr::roll_call(&st, &me, &campus_id).await);
role_fn!(SecurityAdmin, start_drill "start_drill"(campus_id: String, name: String) -> String => |st, me| ssr::start_drill(&st, &me, &campus_id, &name).await);
role_fn!(SecurityAdmin, list_drills "list_drills"() -> Vec<DrillSummary> => |st, me| ssr::drills(&st).await);
role_fn!(SecurityAdmin, get_drill "get_drill"(id: String) -> DrillView => |st, me| ssr::drill(&st, &me, &id).await);
role_fn!(SecurityAdmin, mark_accounted "mark_accounted"(drill_id: String, pass_id: String, accounted: bool) -> () =>
    |st, me| ssr::mark_accounted(&st, &me, &drill_id, &pass_id, accounted).await);
role_fn!(SecurityAdmin, end_drill "end_drill"(id: String) -> () => |st, me| ssr::end_drill(&st, &me, &id).await);

/// A mobile to call from the phone at the assembly point (nothing when none is on record).
#[component]
fn Phone(number: String) -> impl IntoView {
    (!number.is_empty()).then(|| view! { <a href=format!("tel:{number}")>{number.clone()}</a> })
}

#[component]
pub fn RollCallPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><RollCall /><Drills /></AdminOnly> }
}

#[component]
fn RollCall() -> impl IntoView {
    let i18n = use_i18n();
    let campus = RwSignal::new(String::new());
    let gates = resource(|| (), |_| gate_options());
    let rows = resource(move || campus.get(), roll_call);
    view! {
        <section class="card" id="roll-call">
            <h1>{t(Msg::RollCall)}</h1>
            <p class="muted small no-print">{t(OfficeMsg::RollCallHint)}</p>
            <div class="row no-print">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let cs = campuses(&gates.await.unwrap_or_default());
                        view! {
                            <select id="roll-campus" class="grow" aria-label=t(Msg::Campus) on:change=move |ev| campus.set(event_target_value(&ev))>
                                <option value="">{t(OfficeMsg::AllCampuses)}</option>
                                {cs.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                        }
                    })}
                </Suspense>
                <button class="secondary" id="roll-print" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.print();
                    }
                }>{t(OfficeMsg::Print)}</button>
            </div>
            <div class="no-print"><ExportLinks list="roll-call" names=true mobiles=true query=Signal::derive(move || format!("campus_id={}", campus.get())) /></div>
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted" id="roll-empty">{t(OfficeMsg::NobodyInside)}</p> }.into_any(),
                        Ok(list) => view! {
                            <p><strong id="roll-count">{list.len()}</strong> " " {t(OfficeMsg::PeopleAndVehiclesInside)}</p>
                            <div class="scroll" tabindex="0" role="region" aria-label=t(Msg::RollCall)>
                            <table class="list small" id="roll-list">
                                <thead><tr><th>{t(OfficeMsg::Holder)}</th><th>{t(Msg::Phone)}</th><th>{t(OfficeMsg::HostAndDepartment)}</th><th>{t(OfficeMsg::EnteredAt)}</th></tr></thead>
                                <tbody>{list.into_iter().map(|r| view! { <tr>
                                    <td>{r.who} <br /> <span class="muted">{t(kind_label(&r.kind))}</span></td>
                                    <td class="nowrap"><Phone number=r.phone /></td>
                                    <td>{r.host}</td>
                                    <td class="nowrap">{r.entered_at} <br /> <span class="muted">{format!("{} {}", r.campus, r.gate)}</span></td>
                                </tr> }).collect_view()}</tbody>
                            </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Drills() -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartDrill>::new();
    let mark = ServerAction::<MarkAccounted>::new();
    let end = ServerAction::<EndDrill>::new();
    let gates = resource(|| (), |_| gate_options());
    let list = resource(move || (start.version().get(), mark.version().get(), end.version().get()), |_| list_drills());
    let open_id = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            open_id.set(Some(id));
        }
    });
    let drill = resource(
        move || (open_id.get(), mark.version().get(), end.version().get()),
        |(id, ..)| async move {
            match id {
                Some(id) => get_drill(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let campus = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let err = Signal::derive(move || start.value().get().and_then(Result::err).or_else(|| mark.value().get().and_then(Result::err)));
    view! {
        <section class="card no-print" id="drills">
            <h2>{t(OfficeMsg::Drills)}</h2>
            <form class="row wrap" id="drill-form" on:submit=move |ev| {
                ev.prevent_default();
                start.dispatch(StartDrill { campus_id: campus.get_untracked(), name: name.get_untracked() });
            }>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let cs = campuses(&gates.await.unwrap_or_default());
                        view! {
                            <select id="drill-campus" aria-label=t(Msg::Campus) on:change=move |ev| campus.set(event_target_value(&ev))>
                                <option value="">{t(Msg::Campus)}</option>
                                {cs.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                        }
                    })}
                </Suspense>
                <input id="drill-name" placeholder=t(OfficeMsg::DrillName) aria-label=t(OfficeMsg::DrillName) prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                <button type="submit" class="primary">{t(OfficeMsg::StartDrill)}</button>
            </form>
            <ErrorLine error=err />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match drill.await {
                        Ok(Some(d)) => {
                            let id = d.summary.id.clone();
                            let running = d.summary.ended_at.is_none();
                            view! {
                                <div class="card inset" id="drill">
                                    <h3>{d.summary.name.clone()} " · " {d.summary.campus.clone()}</h3>
                                    <p id="drill-progress"><strong>{d.summary.accounted} " / " {d.summary.total}</strong> " " {t(OfficeMsg::AccountedFor)}
                                        {d.summary.minutes.map(|m| format!(" · {m} {}", OfficeMsg::Minutes.text(i18n.lang())))}</p>
                                    <ul class="drill-people">{d.people.into_iter().map(|p| {
                                        let (drill_id, pass_id) = (id.clone(), p.pass_id.clone());
                                        let done = p.accounted.is_some();
                                        view! { <li class:done=done>
                                            <span><strong>{p.holder}</strong> " " <Phone number=p.phone /> <br /> <span class="muted small">{p.host}</span></span>
                                            {running.then(|| view! {
                                                <button class=if done { "secondary" } else { "primary" } on:click=move |_| {
                                                    mark.dispatch(MarkAccounted { drill_id: drill_id.clone(), pass_id: pass_id.clone(), accounted: !done });
                                                }>{if done { t(OfficeMsg::Undo)() } else { t(OfficeMsg::MarkAccounted)() }}</button>
                                            })}
                                            {p.accounted.map(|a| view! { <span class="muted small">{a}</span> })}
                                        </li> }
                                    }).collect_view()}</ul>
                                    {running.then(|| view! { <button class="secondary" id="drill-end" on:click=move |_| { end.dispatch(EndDrill { id: id.clone() }); }>{t(OfficeMsg::EndDrill)}</button> })}
                                </div>
                            }.into_any()
                        }
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let drills = list.await.unwrap_or_default();
                    view! {
                        <table class="list small" id="drill-list">
                            <thead><tr><th>{t(OfficeMsg::DrillName)}</th><th>{t(OfficeMsg::AccountedFor)}</th><th>{t(OfficeMsg::Minutes)}</th></tr></thead>
                            <tbody>{drills.into_iter().map(|d| {
                                let id = d.id.clone();
                                view! { <tr>
                                    <td><button class="link" on:click=move |_| open_id.set(Some(id.clone()))>{d.name} " · " {d.campus}</button> <br /> <span class="muted">{d.started_at}</span></td>
                                    <td class="num">{d.accounted} " / " {d.total}</td>
                                    <td class="num">{d.minutes}</td>
                                </tr> }
                            }).collect_view()}</tbody>
                        </table>
                    }
                })}
            </Transition>
        </section>
    }
}
