use super::*;
use crate::components::{AdminNav, AdminOnly, Pager, query_value};
use crate::components::{ErrorLine, resource};
use crate::domain::account::ScopeKind;
use crate::i18n::OfficeMsg;
use crate::i18n::{Msg, t, use_i18n};

#[component]
pub fn GrantsPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><GrantsEditor /></AdminOnly> }
}

#[component]
fn GrantsEditor() -> impl IntoView {
    let i18n = use_i18n();
    let grant = ServerAction::<GrantRole>::new();
    let set_status = ServerAction::<SetGrantStatus>::new();
    let grants = resource(move || (grant.version().get(), set_status.version().get()), |_| list_grants());
    let scopes = resource(|| (), |_| grant_scopes());
    let staff_no = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Approver);
    let scope = RwSignal::new(String::new());
    let err = Signal::derive(move || grant.value().get().and_then(Result::err));
    let status_err = Signal::derive(move || set_status.value().get().and_then(Result::err));
    view! {
        <section class="card">
            <h1>{t(Msg::Grants)}</h1>
            <ErrorLine error=status_err />
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match grants.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="list" id="grant-list">
                                <thead><tr><th>{t(Msg::Staff)}</th><th>{t(Msg::Role)}</th><th>{t(OfficeMsg::Scope)}</th><th>{t(Msg::Status)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                <tbody>
                                {rows.into_iter().map(|g| {
                                    let (a, b) = (g.id.clone(), g.id.clone());
                                    let frozen = g.status == GrantStatus::Frozen;
                                    view! { <tr class:inactive=frozen>
                                        <td>{g.staff_no.clone()} " " {g.staff_name.clone()}<br/><small class="muted">{g.department.clone()}</small></td>
                                        <td>{t(g.role.label())}</td>
                                        <td>{(g.role.scope() == ScopeKind::Campus).then(|| t(OfficeMsg::AllCampuses))}{g.scope_label.clone()}</td>
                                        <td>{if frozen { t(OfficeMsg::StatusFrozen) } else { t(OfficeMsg::StatusActive) }}</td>
                                        <td>
                                            <button class="link" on:click=move |_| { set_status.dispatch(SetGrantStatus { grant_id: a.clone(), status: if frozen { GrantStatus::Active } else { GrantStatus::Frozen } }); }>
                                                {if frozen { t(OfficeMsg::Unfreeze) } else { t(OfficeMsg::Freeze) }}
                                            </button>
                                            <button class="link danger" on:click=move |_| { set_status.dispatch(SetGrantStatus { grant_id: b.clone(), status: GrantStatus::Revoked }); }>{t(OfficeMsg::Revoke)}</button>
                                        </td>
                                    </tr> }
                                }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <h2>{t(OfficeMsg::GrantRole)}</h2>
            <form class="grid" on:submit=move |ev| {
                ev.prevent_default();
                grant.dispatch(GrantRole { staff_no: staff_no.get_untracked(), role: role.get_untracked(), scope_id: scope.get_untracked() });
            }>
                <label>{t(Msg::StaffNo)}<input id="grant-staff-no" prop:value=staff_no on:input=move |ev| staff_no.set(event_target_value(&ev)) /></label>
                <label>{t(Msg::Role)}
                    <select id="grant-role" prop:value=move || role.get().code().to_owned() on:change=move |ev| {
                        if let Some(r) = Role::from_code(&event_target_value(&ev)) { role.set(r); scope.set(String::new()); }
                    }>
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.code()>{t(r.label())}</option> }).collect_view()}
                    </select>
                </label>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let s = scopes.await.unwrap_or(GrantScopeOptions { departments: vec![], gates: vec![] });
                        view! {
                            {move || {
                                let options = match role.get().scope() {
                                    ScopeKind::Department => s.departments.clone(),
                                    ScopeKind::Gate => s.gates.clone(),
                                    ScopeKind::Campus => vec![],
                                };
                                (!options.is_empty()).then(|| view! {
                                    <label>{t(OfficeMsg::Scope)}
                                        <select id="grant-scope" prop:value=scope on:change=move |ev| scope.set(event_target_value(&ev))>
                                            <option value="">"—"</option>
                                            {options.into_iter().map(|o| view! { <option value=o.id.clone()>{o.label.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                })
                            }}
                        }
                    })}
                </Suspense>
                <ErrorLine error=err />
                <div class="actions"><button type="submit" class="primary">{t(OfficeMsg::Grant)}</button></div>
            </form>
        </section>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><AuditList /></AdminOnly> }
}

#[component]
fn AuditList() -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(AuditFilter::default());
    let rows = resource(move || filter.get(), |f| list_audit(f.actor, f.action, f.record, f.from, f.to, f.offset));
    let set = move |f: fn(&mut AuditFilter, String)| {
        move |ev: leptos::ev::Event| {
            filter.update(|s| {
                f(s, event_target_value(&ev));
                s.offset = 0;
            })
        }
    };
    let offset = Signal::derive(move || filter.with(|f| f.offset));
    view! {
        <section class="card">
            <h1>{t(Msg::Audit)}</h1>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <input id="audit-actor" aria-label=t(Msg::Actor) placeholder=t(Msg::Actor) on:change=set(|s, v| s.actor = v) />
                <input id="audit-action" aria-label=t(Msg::Action) placeholder=t(Msg::Action) on:change=set(|s, v| s.action = v) />
                <input id="audit-record" aria-label=t(OfficeMsg::Record) placeholder=t(OfficeMsg::Record) on:change=set(|s, v| s.record = v) />
                <label>{t(Msg::From)}<input type="date" id="audit-from" on:change=set(|s, v| s.from = v) /></label>
                <label>{t(Msg::To)}<input type="date" id="audit-to" on:change=set(|s, v| s.to = v) /></label>
            </form>
            <crate::components::ExportLinks list="audit"
                query=Signal::derive(move || filter.with(|f| format!("actor={}&action={}&record={}&from={}&to={}", query_value(&f.actor), query_value(&f.action), query_value(&f.record), f.from, f.to))) />
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        // Scrolled sideways on a phone: by keyboard too.
                        Ok(rows) => view! {
                            <div class="scroll" tabindex="0" role="region" aria-label=t(Msg::Audit)>
                            <table class="list small" id="audit-list">
                                <thead><tr><th>{t(OfficeMsg::Time)}</th><th>{t(Msg::Actor)}</th><th>{t(Msg::Action)}</th><th>{t(OfficeMsg::Record)}</th><th>{t(OfficeMsg::Changes)}</th></tr></thead>
                                <tbody>
                                {rows.into_iter().map(|r| view! { <tr>
                                    <td class="nowrap">{r.at}</td><td>{r.actor}</td><td>{r.action}</td><td>{r.record_kind}</td><td class="mono">{r.changes}</td>
                                </tr> }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
            <Pager offset=offset on_page=Callback::new(move |o| filter.update(|f| f.offset = o)) />
        </section>
    }
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><OutboxList /></AdminOnly> }
}

#[component]
fn OutboxList() -> impl IntoView {
    let i18n = use_i18n();
    let offset = RwSignal::new(0i64);
    let rows = resource(move || offset.get(), list_outbox);
    view! {
        <section class="card">
            <h1>{t(Msg::Outbox)}</h1>
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="scroll" tabindex="0" role="region" aria-label=t(Msg::Outbox)>
                            <table class="list small" id="outbox-list">
                                <thead><tr><th>{t(OfficeMsg::Time)}</th><th>{t(OfficeMsg::Recipient)}</th><th>{t(OfficeMsg::Message)}</th><th>{t(Msg::Status)}</th></tr></thead>
                                <tbody>
                                {rows.into_iter().map(|r| view! { <tr>
                                    <td class="nowrap">{r.at}</td>
                                    <td>{match r.wecom_user {
                                        Some(user) => format!("{} {user}", OfficeMsg::ChannelWeCom.text(i18n.lang())),
                                        None => format!("{} {}", OfficeMsg::ChannelSms.text(i18n.lang()), r.phone),
                                    }}</td>
                                    <td class="wrap">{r.body}</td>
                                    <td>{r.status} {r.error.map(|e| format!(" ({e})"))}</td>
                                </tr> }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
