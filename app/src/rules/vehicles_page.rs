//! The rules page's vehicle section: each visit reason's vehicle gates and
//! parking fee, edited by the security office.

use super::*;
use crate::components::{ErrorLine, resource};
use crate::domain::parking::yuan;
use crate::i18n::{Msg, OfficeMsg, t, use_i18n};

#[component]
pub fn VehicleRulesEditor() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveVehicleRules>::new();
    let setup = resource(move || save.version().get(), |_| list_vehicle_rules());
    // The reason being edited, as a form.
    let editing = RwSignal::new(None::<VehicleRulesForm>);
    let err = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            editing.set(None);
        }
    });
    view! {
        <section class="card" id="vehicle-rules">
            <h2>{t(OfficeMsg::VehicleRules)}</h2>
            <p class="muted small">{t(OfficeMsg::VehicleRulesHint)}</p>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match setup.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(s) => {
                            let gates = s.gates.clone();
                            let label_of = move |id: &String| gates.iter().find(|g| g.id == *id).map(|g| g.label.clone()).unwrap_or_default();
                            let choices = s.gates.clone();
                            view! {
                                <div class="scroll" tabindex="0" role="region" aria-label=t(OfficeMsg::VehicleRules)>
                                <table class="list small" id="vehicle-rule-list">
                                    <thead><tr><th>{t(OfficeMsg::Name)}</th><th>{t(OfficeMsg::VehicleGatesColumn)}</th><th class="num">{t(OfficeMsg::FreeMinutes)}</th>
                                        <th class="num">{t(OfficeMsg::HourlyRate)}</th><th class="num">{t(OfficeMsg::DailyCap)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                    <tbody>{s.reasons.into_iter().map(|r| {
                                        let official = r.reason.category == ReasonCategory::Official;
                                        let gates_text = if official {
                                            t(OfficeMsg::AnyVehicleGateFree)().to_string()
                                        } else if r.gates.is_empty() {
                                            t(OfficeMsg::NoVehicleGate)().to_string()
                                        } else {
                                            r.gates.iter().map(&label_of).collect::<Vec<_>>().join("、")
                                        };
                                        let form = VehicleRulesForm {
                                            reason_id: r.reason.id.clone(),
                                            gates: r.gates.clone(),
                                            free_minutes: r.free_minutes,
                                            hourly_rate: yuan(r.cents_per_hour),
                                            daily_cap: yuan(r.daily_cap_cents),
                                        };
                                        view! { <tr class:inactive=!r.reason.active>
                                            <td>{r.reason.name.clone()} <br /> <span class="muted">{t(r.reason.category.label())}</span></td>
                                            <td>{gates_text}</td>
                                            <td class="num">{(!official).then_some(r.free_minutes)}</td>
                                            <td class="num">{(!official).then(|| yuan(r.cents_per_hour))}</td>
                                            <td class="num">{(!official).then(|| yuan(r.daily_cap_cents))}</td>
                                            <td>{(!official).then(|| view! {
                                                <button class="link" aria-label=format!("{} {}", t(OfficeMsg::EditVehicleRules)(), r.reason.name)
                                                    on:click=move |_| editing.set(Some(form.clone()))>{t(OfficeMsg::EditVehicleRules)}</button>
                                            })}</td>
                                        </tr> }
                                    }).collect_view()}</tbody>
                                </table>
                                </div>
                                {move || editing.get().map(|f| view! { <EditVehicleRulesForm form=f choices=choices.clone() editing=editing save=save /> })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            <ErrorLine error=err />
        </section>
    }
}

/// One reason's gates and fee, as a form.
#[component]
fn EditVehicleRulesForm(
    form: VehicleRulesForm,
    choices: Vec<VehicleGateChoice>,
    editing: RwSignal<Option<VehicleRulesForm>>,
    save: ServerAction<SaveVehicleRules>,
) -> impl IntoView {
    let chosen = RwSignal::new(form.gates.clone());
    let free = RwSignal::new(form.free_minutes.to_string());
    let rate = RwSignal::new(form.hourly_rate.clone());
    let cap = RwSignal::new(form.daily_cap.clone());
    let reason_id = form.reason_id.clone();
    view! {
        <form class="card inset" id="vehicle-rule-form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveVehicleRules { rules: VehicleRulesForm {
                reason_id: reason_id.clone(),
                gates: chosen.get_untracked(),
                // A figure that is not a whole number is sent as -1, which the server refuses by name.
                free_minutes: free.get_untracked().trim().parse().unwrap_or(-1),
                hourly_rate: rate.get_untracked(),
                daily_cap: cap.get_untracked(),
            } });
        }>
            <fieldset>
                <legend>{t(OfficeMsg::VehicleGatesColumn)}</legend>
                {choices.into_iter().map(|g| {
                    let id = g.id.clone();
                    let checked = chosen.with_untracked(|c| c.contains(&g.id));
                    view! { <label class="check"><input type="checkbox" name="vehicle-gate" value=g.id.clone() prop:checked=checked on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id.clone()); } });
                    } />{g.label}</label> }
                }).collect_view()}
            </fieldset>
            <div class="row">
                <label>{t(OfficeMsg::FreeMinutes)}<input id="free-minutes" inputmode="numeric" prop:value=free on:input=move |ev| free.set(event_target_value(&ev)) /></label>
                <label>{t(OfficeMsg::HourlyRate)}<input id="hourly-rate" inputmode="decimal" prop:value=rate on:input=move |ev| rate.set(event_target_value(&ev)) /></label>
                <label>{t(OfficeMsg::DailyCap)}<input id="daily-cap" inputmode="decimal" prop:value=cap on:input=move |ev| cap.set(event_target_value(&ev)) /></label>
            </div>
            <div class="row">
                <button type="submit" class="primary" disabled=move || save.pending().get()>{t(Msg::Save)}</button>
                <button type="button" class="secondary" on:click=move |_| editing.set(None)>{t(Msg::Cancel)}</button>
            </div>
        </form>
    }
}
