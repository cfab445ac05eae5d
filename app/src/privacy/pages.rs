//! `/privacy`, the privacy notice every form links to, and `/my-data`, a
//! person's own data with the deletion of their ended applications.

use super::*;
use crate::components::{ErrorLine, Refusal, resource};
use crate::i18n::{Msg, PageMsg, t, use_i18n};

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    let days = resource(|| (), |_| privacy_facts());
    view! {
        <section class="card narrow privacy">
            <h1>{t(PageMsg::PrivacyTitle)}</h1>
            <p>{t(PageMsg::PrivacyWhat)}</p>
            <p>{t(PageMsg::PrivacyWhy)}</p>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let n = days.await.unwrap_or(180);
                    view! { <p id="privacy-keep">{move || PageMsg::PrivacyKeep.text(i18n.lang()).replace("{days}", &n.to_string())}</p> }
                })}
            </Suspense>
            <p>{t(PageMsg::PrivacyWho)}</p>
            <p>{t(PageMsg::PrivacyRights)}</p>
            <p><a class="button secondary" href="/my-data" id="my-data-link">{t(Msg::MyDataTitle)}</a></p>
        </section>
    }
}

#[component]
pub fn MyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let erase = ServerAction::<DeleteMyApplication>::new();
    let data = resource(move || erase.version().get(), |_| my_data());
    let confirming = RwSignal::new(None::<String>);
    let error = Signal::derive(move || erase.value().get().and_then(Result::err));
    view! {
        <section class="card narrow my-data">
            <h1>{t(Msg::MyDataTitle)}</h1>
            <p class="muted small">{t(PageMsg::MyDataIntro)} " " <a href="/privacy">{t(Msg::PrivacyLink)}</a></p>
            <ErrorLine error />
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(AppError::Unauthenticated) => view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(d) => {
                            let none = d.applications.is_empty();
                            view! {
                                <dl class="facts">
                                    <dt>{t(Msg::Phone)}</dt><dd id="my-mobile">{d.mobile.clone()}</dd>
                                    {d.resident.clone().map(|r| view! { <dt>{t(Msg::Household)}</dt><dd id="my-household">{r}</dd> })}
                                    <dt>{t(PageMsg::MyDataScans)}</dt><dd id="my-scans">{d.scans}</dd>
                                    <dt>{t(PageMsg::MyDataTexts)}</dt><dd id="my-texts">{d.texts}</dd>
                                </dl>
                                <Show when=move || none>
                                    <p class="muted" id="my-data-none">{t(PageMsg::MyDataNone)}</p>
                                </Show>
                                <ul class="app-list my-applications">
                                    {d.applications.into_iter().map(|a| {
                                        let (id, id2) = (a.id.clone(), a.id.clone());
                                        let asking = move || confirming.get().as_deref() == Some(id.as_str());
                                        view! {
                                            <li class="my-application" data-id=a.id.clone()>
                                                <p><span class="badge">{t(a.status_text())}</span> " " <strong>{a.campus.clone()}</strong> " " <span class="muted small">{a.dates.clone()}</span>
                                                    {a.plate.clone().map(|p| view! { " · " {p} })}</p>
                                                <ul class="entrants">
                                                    {a.entrants.iter().map(|e| view! {
                                                        <li>{e.name.clone()} " · " {e.document.clone()} {e.phone.clone().map(|p| format!(" · {p}"))}
                                                            {e.has_photo.then(|| view! { " · " {t(Msg::HasPhoto)} })}
                                                            {e.doc_consent_at.clone().map(|at| view! { <br /><span class="muted small">{t(PageMsg::ConsentDocAt)} " " {at}</span> })}
                                                            {e.photo_consent_at.clone().map(|at| view! { <br /><span class="muted small">{t(PageMsg::ConsentPhotoAt)} " " {at}</span> })}
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                                {a.erasable.then(|| {
                                                    let (ask, sure) = (id2.clone(), id2.clone());
                                                    view! {
                                                        <Show when=asking fallback=move || {
                                                            let ask = ask.clone();
                                                            view! { <button type="button" class="secondary danger erase" on:click=move |_| confirming.set(Some(ask.clone()))>{t(PageMsg::DeleteMyApplication)}</button> }
                                                        }>
                                                            <p class="notice">{t(PageMsg::DeleteMyApplicationConfirm)}</p>
                                                            <div class="row">
                                                                <button type="button" class="primary danger erase-confirm" disabled=move || erase.pending().get()
                                                                    on:click={ let sure = sure.clone(); move |_| { erase.dispatch(DeleteMyApplication { id: sure.clone() }); confirming.set(None); } }>
                                                                    {t(PageMsg::DeleteMyApplication)}</button>
                                                                <button type="button" class="secondary" on:click=move |_| confirming.set(None)>{t(Msg::Cancel)}</button>
                                                            </div>
                                                        </Show>
                                                    }
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
