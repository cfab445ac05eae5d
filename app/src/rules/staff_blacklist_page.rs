//! HR's staff blacklist page (`/hr/blacklist`): list a staff member by
//! their staff number with a reason, lift an entry with a reason.

use super::*;
use crate::components::{AdminNav, AdminOnly, ErrorLine, resource};
use crate::domain::Role;
use crate::i18n::{Msg, OfficeMsg, t, use_i18n};

#[component]
pub fn StaffBlacklistPage() -> impl IntoView {
    view! { <AdminOnly roles=&[Role::Hr, Role::SecurityAdmin]><AdminNav /><StaffBlacklistEditor /></AdminOnly> }
}

#[component]
fn StaffBlacklistEditor() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddStaffToBlacklist>::new();
    let lift = ServerAction::<LiftStaffBlacklist>::new();
    let show_lifted = RwSignal::new(false);
    let list = resource(move || (add.version().get(), lift.version().get(), show_lifted.get()), |(_, _, l)| list_staff_blacklist(l));
    let staff_no = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let lift_reason = RwSignal::new(String::new());
    let err = Signal::derive(move || add.value().get().and_then(Result::err).or_else(|| lift.value().get().and_then(Result::err)));
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            staff_no.set(String::new());
            reason.set(String::new());
        }
    });
    view! {
        <section class="card">
            <h1>{t(Msg::StaffBlacklist)}</h1>
            <p class="muted small">{t(OfficeMsg::StaffBlacklistHint)}</p>
            <form id="staff-bl-form" on:submit=move |ev| {
                ev.prevent_default();
                add.dispatch(AddStaffToBlacklist { staff_no: staff_no.get_untracked(), reason: reason.get_untracked() });
            }>
                <label for="staff-bl-no">{t(Msg::StaffNo)}</label>
                <input id="staff-bl-no" autocomplete="off" prop:value=staff_no on:input=move |ev| staff_no.set(event_target_value(&ev)) />
                <label for="staff-bl-reason">{t(OfficeMsg::BlReason)}</label>
                <input id="staff-bl-reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                <button type="submit" class="primary" disabled=move || add.pending().get()>{t(OfficeMsg::Add)}</button>
            </form>
            <ErrorLine error=err />
            <label for="staff-bl-lift-reason">{t(OfficeMsg::BlLiftReason)}</label>
            <input id="staff-bl-lift-reason" prop:value=lift_reason on:input=move |ev| lift_reason.set(event_target_value(&ev)) />
            <label class="check"><input type="checkbox" prop:checked=show_lifted on:change=move |ev| show_lifted.set(event_target_checked(&ev)) />{t(OfficeMsg::BlShowLifted)}</label>
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! { <p class="muted" id="staff-bl-empty">{t(OfficeMsg::NoRecords)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="scroll" tabindex="0" role="region" aria-label=t(Msg::StaffBlacklist)>
                            <table class="list small" id="staff-blacklist">
                                <thead><tr><th>{t(Msg::Staff)}</th><th>{t(OfficeMsg::BlReason)}</th><th>{t(OfficeMsg::AddedBy)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                <tbody>{rows.into_iter().map(|r| {
                                    let id = r.id.clone();
                                    let lifted = r.lifted.is_some();
                                    view! { <tr class:inactive=lifted>
                                        <td>{r.staff_no} " " {r.name} <br /> <span class="muted">{r.department}</span></td>
                                        <td>{r.reason}</td>
                                        <td class="small">{r.added_by} <br /> {r.added_at}</td>
                                        <td>{match r.lifted {
                                            Some(l) => view! { <span class="muted small">{t(OfficeMsg::BlLifted)} " " {l}</span> }.into_any(),
                                            None => view! { <button class="link" on:click=move |_| { lift.dispatch(LiftStaffBlacklist { id: id.clone(), reason: lift_reason.get_untracked() }); }>{t(OfficeMsg::BlLift)}</button> }.into_any(),
                                        }}</td>
                                    </tr> }
                                }).collect_view()}</tbody>
                            </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
