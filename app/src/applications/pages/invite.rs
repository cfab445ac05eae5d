//! A staff member invites a visitor (`/invite`), or a department a
//! long-term contractor (`/invite?kind=contractor`), to complete an
//! application on their phone.

use super::*;

#[component]
pub fn InvitePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let kind = if query.with_untracked(|q| q.get("kind")).as_deref() == Some("contractor") { PassKind::Contractor } else { PassKind::Visitor };
    let contractor = kind == PassKind::Contractor;
    let invite = ServerAction::<InviteVisitor>::new();
    let choices = resource(|| (), |_| invite_choices());
    let phone = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let campus = RwSignal::new(String::new());
    default_to_first(campus, choices, |(campuses, _)| campuses.first().map(|c| c.id.clone()));
    let reason = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let done = move || matches!(invite.value().get(), Some(Ok(())));
    let phone_hint = Signal::derive(move || phone_problem(&phone.get()));
    view! {
        <section class="card narrow">
            <h1>{t(if contractor { Msg::InviteContractor } else { Msg::InviteVisitor })}</h1>
            <p class="muted small">{t(if contractor { Msg::InviteContractorHint } else { Msg::InviteHint })}</p>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok((campuses, reasons)) => {
                            view! {
                                <label for="inv-campus">{t(Msg::Campus)}</label>
                                <select id="inv-campus" prop:value=campus on:change=move |ev| campus.set(event_target_value(&ev))>
                                    {campuses.into_iter().map(|c| view! { <option value=c.id.clone()>{c.name.clone()}</option> }).collect_view()}
                                </select>
                                <label for="inv-reason">{t(if contractor { Msg::PassReason } else { Msg::VisitReason })}</label>
                                <select id="inv-reason" on:change=move |ev| reason.set(event_target_value(&ev))>
                                    <option value="">{t(Msg::PleaseChoose)}</option>
                                    {reasons.into_iter().map(|r| view! { <option value=r.id.clone()>{r.name.clone()}</option> }).collect_view()}
                                </select>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            <form on:submit=move |ev| {
                ev.prevent_default();
                invite.dispatch(InviteVisitor { input: InvitationInput { kind,
                    phone: phone.get_untracked(), name: name.get_untracked(), campus_id: campus.get_untracked(), reason_id: reason.get_untracked(),
                    start_date: start.get_untracked(), end_date: end.get_untracked(), note: note.get_untracked() } });
            }>
                <label for="inv-name">{t(if contractor { Msg::ContractorName } else { Msg::VisitorName })}</label>
                <input id="inv-name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="inv-phone">{t(Msg::Phone)}</label>
                <input id="inv-phone" type="tel" inputmode="numeric" prop:value=phone on:input=move |ev| phone.set(event_target_value(&ev)) />
                <FieldHint problem=phone_hint />
                <div class="row">
                    <div class="grow"><label for="inv-start">{t(Msg::StartDate)}</label><input id="inv-start" type="date" prop:value=start on:input=move |ev| { let v = event_target_value(&ev); if end.get_untracked() < v { end.set(v.clone()); } start.set(v); } /></div>
                    <div class="grow"><label for="inv-end">{t(Msg::EndDate)}</label><input id="inv-end" type="date" prop:value=end on:input=move |ev| end.set(event_target_value(&ev)) /></div>
                </div>
                <label for="inv-note">{t(Msg::Note)}</label>
                <textarea id="inv-note" rows="2" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <PrivacyNotice />
                <ErrorLine error />
                <Show when=done><p class="ok" id="invite-sent">{t(Msg::InvitationSent)}</p></Show>
                <button type="submit" class="primary" id="send-invitation" disabled=move || invite.pending().get()>{t(Msg::SendInvitation)}</button>
            </form>
        </section>
    }
}
