//! Lists of applications: the applicant's own, and the approvers' inbox
//! with batch approval and their departments' list.

use super::*;

#[component]
fn RowList(rows: Vec<ApplicationRow>, base: &'static str, #[prop(optional)] selected: Option<RwSignal<Vec<(String, i64)>>>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">{t(Msg::Nothing)}</p> }.into_any();
    }
    view! {
        <ul class="app-list">
            {rows.into_iter().map(|r| {
                let href = format!("{base}/{}", r.id);
                let more = if r.entrants > 1 { format!(" +{}", r.entrants - 1) } else { String::new() };
                let pick = (r.id.clone(), r.version);
                let pick2 = pick.clone();
                // The checkbox is named by the row's people and dates (ids
                // only where there is a checkbox: a row may be in both lists).
                let (who, when) = (format!("pick-who-{}", r.id), format!("pick-when-{}", r.id));
                let ids = selected.is_some().then(|| (who.clone(), when.clone()));
                view! {
                    <li class="app-row" data-id=r.id.clone()>
                        {selected.map(|sel| view! {
                            <input type="checkbox" class="pick" aria-labelledby=format!("{who} {when}") prop:checked=move || sel.get().contains(&pick)
                                on:change=move |ev| { let on = event_target_checked(&ev); let p = pick2.clone(); sel.update(|v| { v.retain(|x| *x != p); if on { v.push(p); } }); } />
                        })}
                        <a href=href>
                            <span class=format!("badge {}", status_class(r.status))>{t(status_label(r.status))}</span>
                            <strong id=ids.as_ref().map(|i| i.0.clone())>{r.first_entrant.clone()}{more}</strong>
                            <span class="muted small" id=ids.map(|i| i.1)>{format!("{} → {}", r.start_date, r.end_date)}</span>
                            <span class="muted small">{format!("{} · {}", r.host, r.department)}{r.plate.clone().map(|p| format!(" · {p}"))}</span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn MyApplicationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = resource(|| (), |_| my_applications());
    view! {
        <section class="card narrow">
            <h1>{t(Msg::MyApplications)}</h1>
            <a class="button primary" href="/apply" id="new-application">{t(Msg::NewApplication)}</a>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(AppError::Unauthenticated) => view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) => view! { <RowList rows base="/applications" /> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="small"><a href="/my-data" id="my-data">{t(Msg::MyDataTitle)}</a> " · " <a href="/privacy">{t(Msg::PrivacyLink)}</a></p>
        </section>
    }
}

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let batch = ServerAction::<ApproveMany>::new();
    let inbox = resource(move || batch.version().get(), |_| approval_inbox());
    let status = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let all = resource(move || (status.get(), from.get(), to.get(), batch.version().get()), |(s, f, t, _)| department_applications(s, f, t, 0));
    let selected = RwSignal::new(Vec::<(String, i64)>::new());
    let batch_result = move || {
        batch.value().get().map(|r| match r {
            Ok(outcomes) => {
                let ok = outcomes.iter().filter(|o| o.error.is_none()).count();
                let failed = outcomes.len() - ok;
                let text = Msg::BatchDone.text(i18n.lang()).replace("{ok}", &ok.to_string()).replace("{failed}", &failed.to_string());
                view! { <p class=if failed == 0 { "ok" } else { "notice" } id="batch-result">{text}</p> }.into_any()
            }
            Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
        })
    };
    Effect::new(move |_| {
        if batch.value().get().is_some() {
            selected.set(vec![]);
        }
    });
    view! {
        <section class="card narrow">
            <h1>{t(Msg::Inbox)}</h1>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match inbox.await {
                        Err(AppError::Unauthenticated) => view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) => view! { <div id="inbox"><RowList rows base="/approvals" selected /></div> }.into_any(),
                    }
                })}
            </Suspense>
            {batch_result}
            <button class="primary" id="batch-approve" disabled=move || { selected.get().is_empty() || batch.pending().get() }
                on:click=move |_| { batch.dispatch(ApproveMany { items: selected.get_untracked() }); }>
                {move || format!("{} ({})", Msg::BatchApprove.text(i18n.lang()), selected.get().len())}
            </button>
        </section>
        <section class="card narrow">
            <h2>{t(Msg::DepartmentApplications)}</h2>
            <div class="row filters">
                <select aria-label=t(Msg::Status) on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{t(Msg::AllStatuses)}</option>
                    {[("in_review", Msg::StInReview), ("approved", Msg::StApproved), ("returned", Msg::StReturned), ("awaiting_confirmation", Msg::StAwaitingConfirmation),
                      ("rejected", Msg::StRejected), ("cancelled", Msg::StCancelled), ("withdrawn", Msg::StWithdrawn), ("expired", Msg::StExpired), ("completed", Msg::StCompleted)]
                        .into_iter().map(|(code, m)| view! { <option value=code>{t(m)}</option> }).collect_view()}
                </select>
                <input type="date" aria-label=t(Msg::From) on:change=move |ev| from.set(event_target_value(&ev)) />
                <input type="date" aria-label=t(Msg::To) on:change=move |ev| to.set(event_target_value(&ev)) />
            </div>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match all.await {
                        Err(AppError::Forbidden) => view! { <p class="muted">{t(Msg::OnlyApprovers)}</p> }.into_any(),
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) => view! { <RowList rows base="/approvals" /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
