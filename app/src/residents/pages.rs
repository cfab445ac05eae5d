//! The residents area's pages: the households with their members (and
//! their import), and the campus's printable application QR code.
//! (Over 400 lines: one page with three editors, the import and the poster.)

use super::*;
use crate::components::{AdminNav, AdminOnly, ErrorLine, ExportLinks, query_value, resource};
use crate::domain::Role;
use crate::i18n::OfficeMsg;
use crate::i18n::{Lang, Msg, t, use_i18n};

/// Who may keep households.
const OFFICE: &[Role] = &[Role::SecurityAdmin, Role::ResidentOffice];

fn doc_label(d: DocType) -> Msg {
    match d {
        DocType::ResidentId => Msg::DocResidentId,
        DocType::Passport => Msg::DocPassport,
        DocType::Other => Msg::DocOther,
    }
}

/// Brings a form into view once it is shown (a phone's list is long).
fn scroll_to(id: &'static str) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(id) {
            el.scroll_into_view();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

#[component]
pub fn HouseholdsPage() -> impl IntoView {
    view! { <AdminOnly roles=OFFICE><AdminNav /><HouseholdsEditor /><HouseholdImport /></AdminOnly> }
}

/// The member form's target: the household's id and how it reads.
#[derive(Clone, PartialEq)]
struct Target {
    id: String,
    label: String,
}

#[component]
fn HouseholdsEditor() -> impl IntoView {
    let i18n = use_i18n();
    let campus = RwSignal::new(String::new());
    let community = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let offset = RwSignal::new(0i64);
    let save_household = ServerAction::<SaveHousehold>::new();
    let save_member = ServerAction::<SaveMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let choices = resource(move || save_household.version().get(), |_| household_choices());
    // The form reads its own copy: one resource read under two `Suspense`
    // now and then left one of them unresolved on the server (the response
    // never finished); one resource per `Suspense` never did.
    let form_choices = resource(move || save_household.version().get(), |_| household_choices());
    let page = resource(
        move || {
            (
                campus.get(),
                community.get(),
                query.get(),
                offset.get(),
                save_household.version().get(),
                save_member.version().get(),
                remove.version().get(),
            )
        },
        |(c, m, q, o, ..)| list_households(c, m, q, o),
    );
    // The household form: `hh_id` is Some while editing.
    let hh_id = RwSignal::new(None::<String>);
    let hh_campus = RwSignal::new(String::new());
    let hh_community = RwSignal::new(String::new());
    let hh_building = RwSignal::new(String::new());
    let hh_door = RwSignal::new(String::new());
    let hh_paper = RwSignal::new(false);
    // The member form, shown once a household is chosen.
    let target = RwSignal::new(None::<Target>);
    let m_id = RwSignal::new(None::<String>);
    let m_name = RwSignal::new(String::new());
    let m_phone = RwSignal::new(String::new());
    let m_phone_on_record = RwSignal::new(String::new());
    let m_doc_type = RwSignal::new(DocType::ResidentId);
    let m_doc = RwSignal::new(String::new());
    let m_doc_on_record = RwSignal::new(String::new());
    let m_householder = RwSignal::new(false);
    let confirm_remove = RwSignal::new(None::<String>);
    let hh_err = Signal::derive(move || save_household.value().get().and_then(Result::err));
    let m_err = Signal::derive(move || save_member.value().get().and_then(Result::err));
    let remove_err = Signal::derive(move || remove.value().get().and_then(Result::err));
    let clear_household = move || {
        hh_id.set(None);
        hh_community.set(String::new());
        hh_building.set(String::new());
        hh_door.set(String::new());
        hh_paper.set(false);
    };
    let open_member = move |t: Target, m: Option<MemberView>| {
        target.set(Some(t));
        m_phone.set(String::new());
        m_doc.set(String::new());
        match m {
            Some(m) => {
                m_id.set(Some(m.id));
                m_name.set(m.name);
                m_phone_on_record.set(m.phone);
                m_doc_type.set(m.doc_type);
                m_doc_on_record.set(m.doc);
                m_householder.set(m.householder);
            }
            None => {
                m_id.set(None);
                m_name.set(String::new());
                m_phone_on_record.set(String::new());
                m_doc_type.set(DocType::ResidentId);
                m_doc_on_record.set(String::new());
                m_householder.set(false);
            }
        }
        scroll_to("member-form");
    };
    // A new household goes straight on to its householder.
    Effect::new(move |_| {
        if let Some(Ok(id)) = save_household.value().get() {
            let new = hh_id.get_untracked().is_none();
            let label = format!("{} {} {}", hh_community.get_untracked().trim(), hh_building.get_untracked().trim(), hh_door.get_untracked().trim());
            clear_household();
            if new {
                open_member(Target { id, label }, None);
                m_householder.set(true);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_member.value().get() {
            target.set(None);
            m_id.set(None);
        }
    });
    view! {
        <section class="card">
            <h1>{t(Msg::Households)}</h1>
            <ExportLinks list="households" mobiles=true query=Signal::derive(move || format!(
                "campus_id={}&community={}&query={}", query_value(&campus.get()), query_value(&community.get()), query_value(&query.get())
            )) />
            <p class="muted small">{t(OfficeMsg::HouseholdsHint)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let c = choices.await.unwrap_or_default();
                    let communities = c.communities.clone();
                    view! {
                        <div class="row filters">
                            <select aria-label=t(Msg::Campus) id="filter-campus" prop:value=campus on:change=move |ev| {
                                offset.set(0); community.set(String::new()); campus.set(event_target_value(&ev));
                            }>
                                <option value="">{t(OfficeMsg::AllCampuses)}</option>
                                {c.campuses.iter().map(|c| view! { <option value=c.id.clone()>{c.name.clone()}</option> }).collect_view()}
                            </select>
                            <select aria-label=t(Msg::Community) id="filter-community" prop:value=community on:change=move |ev| {
                                offset.set(0); community.set(event_target_value(&ev));
                            }>
                                <option value="">{t(OfficeMsg::AllCommunities)}</option>
                                {move || {
                                    let chosen = campus.get();
                                    let mut names: Vec<String> =
                                        communities.iter().filter(|(c, _)| chosen.is_empty() || *c == chosen).map(|(_, n)| n.clone()).collect();
                                    names.sort();
                                    names.dedup();
                                    names.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()
                                }}
                            </select>
                        </div>
                        <p class="actions">
                            {c.campuses.iter().map(|c| view! {
                                <a class="button secondary" href=format!("/admin/households/poster?campus={}", c.id)>
                                    {t(Msg::PrintPoster)} " · " {c.name.clone()}
                                </a>
                            }).collect_view()}
                        </p>
                    }
                })}
            </Suspense>
            <input type="search" id="household-search" aria-label=t(OfficeMsg::HouseholdSearch) placeholder=t(OfficeMsg::HouseholdSearch) prop:value=query
                on:input=move |ev| { offset.set(0); query.set(event_target_value(&ev)) } />
            <ErrorLine error=remove_err />
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(p) => {
                            let total = p.total;
                            view! {
                                <Show when=move || total == 0><p class="muted">{t(Msg::Nothing)}</p></Show>
                                <ul class="households" id="household-list">
                                    {p.rows.into_iter().map(|h| household_item(h, HouseholdHandlers {
                                        edit: Callback::new(move |h: HouseholdView| {
                                            hh_id.set(Some(h.id)); hh_campus.set(h.campus_id); hh_community.set(h.community);
                                            hh_building.set(h.building); hh_door.set(h.door); hh_paper.set(h.paper_pass);
                                            scroll_to("household-form");
                                        }),
                                        member: Callback::new(move |(t, m): (Target, Option<MemberView>)| open_member(t, m)),
                                        remove: Callback::new(move |id: String| {
                                            if confirm_remove.get_untracked().as_deref() == Some(id.as_str()) {
                                                confirm_remove.set(None);
                                                remove.dispatch(RemoveMember { id });
                                            } else {
                                                confirm_remove.set(Some(id));
                                            }
                                        }),
                                        confirm_remove,
                                    })).collect_view()}
                                </ul>
                                <div class="row pager">
                                    <button class="secondary" aria-label="‹" disabled=move || offset.get() == 0
                                        on:click=move |_| offset.update(|o| *o = (*o - PAGE_SIZE).max(0))>"‹"</button>
                                    <span class="muted">{move || format!("{}–{} / {}", (offset.get() + 1).min(total), (offset.get() + PAGE_SIZE).min(total), total)}</span>
                                    <button class="secondary" aria-label="›" disabled=move || { offset.get() + PAGE_SIZE >= total }
                                        on:click=move |_| offset.update(|o| *o += PAGE_SIZE)>"›"</button>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
        <section class="card" id="household-form">
            <h2>{move || if hh_id.get().is_some() { t(OfficeMsg::EditHousehold)() } else { t(OfficeMsg::AddHousehold)() }}</h2>
            <form class="grid" on:submit=move |ev| {
                ev.prevent_default();
                // Until one is chosen, the campus shown first (the select's
                // first option). Nothing sets it while the page renders: a
                // signal written inside a `Suspend` on the server can leave
                // another `Suspense` of the page unresolved, the response
                // never finished.
                let campus_id = Some(hh_campus.get_untracked()).filter(|c| !c.is_empty()).unwrap_or_else(|| {
                    form_choices.get_untracked().and_then(|c| c.ok()).and_then(|c| c.campuses.first().map(|c| c.id.clone())).unwrap_or_default()
                });
                save_household.dispatch(SaveHousehold {
                    id: hh_id.get_untracked(),
                    campus_id,
                    community: hh_community.get_untracked(),
                    building: hh_building.get_untracked(),
                    door: hh_door.get_untracked(),
                    paper_pass: hh_paper.get_untracked(),
                });
            }>
                <label>{t(Msg::Campus)}
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let c = form_choices.await.unwrap_or_default();
                            // Until one is chosen, the first campus.
                            let first = c.campuses.first().map(|c| c.id.clone()).unwrap_or_default();
                            let chosen = move || Some(hh_campus.get()).filter(|c| !c.is_empty()).unwrap_or_else(|| first.clone());
                            view! {
                                <select id="hh-campus" prop:value=chosen.clone() on:change=move |ev| hh_campus.set(event_target_value(&ev))>
                                    {c.campuses.into_iter().map(|c| view! { <option value=c.id.clone()>{c.name.clone()}</option> }).collect_view()}
                                </select>
                                <datalist id="community-names">
                                    {move || {
                                        let chosen = chosen();
                                        c.communities.iter().filter(|(c, _)| *c == chosen).map(|(_, n)| view! { <option value=n.clone()></option> }).collect_view()
                                    }}
                                </datalist>
                            }
                        })}
                    </Suspense>
                </label>
                <label>{t(Msg::Community)}<input id="hh-community" list="community-names" prop:value=hh_community on:input=move |ev| hh_community.set(event_target_value(&ev)) /></label>
                <label>{t(Msg::Building)}<input id="hh-building" prop:value=hh_building on:input=move |ev| hh_building.set(event_target_value(&ev)) /></label>
                <label>{t(Msg::Door)}<input id="hh-door" prop:value=hh_door on:input=move |ev| hh_door.set(event_target_value(&ev)) /></label>
                <label class="check"><input type="checkbox" id="hh-paper" prop:checked=hh_paper on:change=move |ev| hh_paper.set(event_target_checked(&ev)) />{t(OfficeMsg::PaperPass)}</label>
                <ErrorLine error=hh_err />
                <div class="actions">
                    <button type="submit" class="primary" id="hh-save">{t(Msg::Save)}</button>
                    <Show when=move || hh_id.get().is_some()>
                        <button type="button" class="secondary" on:click=move |_| clear_household()>{t(Msg::Cancel)}</button>
                    </Show>
                </div>
            </form>
        </section>
        <Show when=move || target.get().is_some()>
            <section class="card" id="member-form">
                <h2>{move || if m_id.get().is_some() { t(OfficeMsg::EditMember)() } else { t(OfficeMsg::AddMember)() }}</h2>
                <p><span class="muted">{t(OfficeMsg::MemberOf)} ": "</span><strong id="member-household">{move || target.get().map(|t| t.label).unwrap_or_default()}</strong></p>
                <form class="grid" on:submit=move |ev| {
                    ev.prevent_default();
                    let Some(t) = target.get_untracked() else { return };
                    save_member.dispatch(SaveMember {
                        id: m_id.get_untracked(),
                        household_id: t.id,
                        name: m_name.get_untracked(),
                        phone: m_phone.get_untracked(),
                        doc_type: m_doc_type.get_untracked(),
                        doc_number: m_doc.get_untracked(),
                        householder: m_householder.get_untracked(),
                    });
                }>
                    <label>{t(Msg::PersonName)}<input id="m-name" prop:value=m_name on:input=move |ev| m_name.set(event_target_value(&ev)) /></label>
                    <label>{t(Msg::Phone)}
                        <input id="m-phone" type="tel" inputmode="numeric" autocomplete="off" prop:value=m_phone
                            placeholder=move || on_record_hint(i18n.lang(), &m_phone_on_record.get()) on:input=move |ev| m_phone.set(event_target_value(&ev)) />
                    </label>
                    <label>{t(Msg::DocType)}
                        <select id="m-doc-type" prop:value=move || m_doc_type.get().code().to_owned() on:change=move |ev| {
                            if let Some(d) = DocType::from_code(&event_target_value(&ev)) { m_doc_type.set(d) }
                        }>
                            {DocType::ALL.into_iter().map(|d| view! { <option value=d.code()>{t(doc_label(d))}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{t(Msg::DocNumber)}
                        <input id="m-doc" autocomplete="off" prop:value=m_doc
                            placeholder=move || on_record_hint(i18n.lang(), &m_doc_on_record.get()) on:input=move |ev| m_doc.set(event_target_value(&ev)) />
                    </label>
                    <label class="check"><input type="checkbox" id="m-householder" prop:checked=m_householder on:change=move |ev| m_householder.set(event_target_checked(&ev)) />{t(OfficeMsg::HouseholderTick)}</label>
                    <ErrorLine error=m_err />
                    <div class="actions">
                        <button type="submit" class="primary" id="m-save">{t(Msg::Save)}</button>
                        <button type="button" class="secondary" on:click=move |_| { target.set(None); m_id.set(None); }>{t(Msg::Cancel)}</button>
                    </div>
                </form>
            </section>
        </Show>
    }
}

/// "Leave empty to keep …" with the masked value on record, if any.
fn on_record_hint(lang: Lang, on_record: &str) -> String {
    if on_record.is_empty() { String::new() } else { format!("{} {on_record}", OfficeMsg::KeepOnRecord.text(lang)) }
}

/// What a household's buttons do on the editor.
#[derive(Clone, Copy)]
struct HouseholdHandlers {
    edit: Callback<HouseholdView>,
    member: Callback<(Target, Option<MemberView>)>,
    remove: Callback<String>,
    confirm_remove: RwSignal<Option<String>>,
}

/// One household with its members.
fn household_item(h: HouseholdView, on: HouseholdHandlers) -> impl IntoView {
    let label = format!("{} {} {}", h.community, h.building, h.door);
    let target = Target { id: h.id.clone(), label: label.clone() };
    let add_target = target.clone();
    let edit = h.clone();
    let paper = h.paper_pass;
    let members = h.members.clone();
    let none = members.is_empty();
    view! {
        <li class="household">
            <div class="household-head">
                <strong>{label}</strong>
                <span class="badge">{h.campus.clone()}</span>
                <Show when=move || paper><span class="badge st-attn">{t(OfficeMsg::PaperPass)}</span></Show>
                <span class="grow"></span>
                <button class="link" on:click=move |_| on.edit.run(edit.clone())>{t(Msg::Edit)}</button>
                <button class="link" on:click=move |_| on.member.run((add_target.clone(), None))>{t(OfficeMsg::AddMember)}</button>
            </div>
            <Show when=move || none><p class="muted small">{t(OfficeMsg::NoMembers)}</p></Show>
            // A list rather than a table: a phone shows each member whole.
            <ul class="members">
                {members.into_iter().map(|m| {
                    let (edit_target, edit_member, rid, cid) = (target.clone(), m.clone(), m.id.clone(), m.id.clone());
                    let head = m.householder;
                    let confirming = move || on.confirm_remove.get().as_deref() == Some(cid.as_str());
                    view! { <li class="member">
                        <div class="grow">
                            <strong>{m.name.clone()}</strong>
                            <Show when=move || head>" "<span class="badge st-ok">{t(OfficeMsg::Householder)}</span></Show>
                            <div class="small muted">
                                <span class="nowrap">{m.phone.clone()}</span> " · " {t(doc_label(m.doc_type))} " "
                                <span class="nowrap">{m.doc.clone()}</span>
                            </div>
                        </div>
                        <div class="nowrap">
                            <button class="link" on:click=move |_| on.member.run((edit_target.clone(), Some(edit_member.clone())))>{t(Msg::Edit)}</button>
                            <button class="link danger" on:click=move |_| on.remove.run(rid.clone())>
                                {move || if confirming() { t(OfficeMsg::ConfirmRemove)() } else { t(Msg::Remove)() }}
                            </button>
                        </div>
                    </li> }
                }).collect_view()}
            </ul>
        </li>
    }
}

/// CSV import: check first (a dry run on the server, listing what would
/// change), then import.
#[component]
fn HouseholdImport() -> impl IntoView {
    let i18n = use_i18n();
    let outcome = RwSignal::new(None::<Result<HouseholdImportOutcome, AppError>>);
    let busy = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let run = move |dry_run: bool| {
        #[cfg(feature = "hydrate")]
        {
            let Some(input) = file_input.get() else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            busy.set(true);
            leptos::task::spawn_local(async move {
                let r = crate::components::upload_csv(&format!("/api/admin/household-import?dry_run={dry_run}"), file).await;
                outcome.set(Some(r));
                busy.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (dry_run, file_input, busy, outcome);
    };
    let action_label = |a: ImportAction| match a {
        ImportAction::NewHousehold => OfficeMsg::ImportNewHousehold,
        ImportAction::UpdatedHousehold => OfficeMsg::ImportUpdatedHousehold,
        ImportAction::NewMember => OfficeMsg::ImportNewMember,
        ImportAction::UpdatedMember => OfficeMsg::ImportUpdatedMember,
    };
    view! {
        <section class="card">
            <h2>{t(OfficeMsg::HouseholdImport)}</h2>
            <p class="muted small">{t(OfficeMsg::HouseholdImportHint)}</p>
            <label>{t(OfficeMsg::ChooseFile)}
                <input type="file" id="household-csv" accept=".csv,text/csv" node_ref=file_input on:change=move |_| outcome.set(None) />
            </label>
            <div class="actions">
                <button class="secondary" id="household-import-check" disabled=busy on:click=move |_| run(true)>{t(Msg::Check)}</button>
                <button class="primary" id="household-import-run" disabled=busy on:click=move |_| run(false)>{t(OfficeMsg::Import)}</button>
            </div>
            {move || outcome.get().map(|r| match r {
                Ok(o) => {
                    let lang = i18n.lang();
                    let counts = format!(
                        "{} {} · {} {} · {} {} · {} {} · {} {}",
                        OfficeMsg::ImportNewHousehold.text(lang), o.households_created, OfficeMsg::ImportUpdatedHousehold.text(lang), o.households_updated,
                        OfficeMsg::ImportNewMember.text(lang), o.members_created, OfficeMsg::ImportUpdatedMember.text(lang), o.members_updated,
                        OfficeMsg::ImportUnchanged.text(lang), o.unchanged,
                    );
                    let head = if o.changes.is_empty() { OfficeMsg::ImportNothingChanges } else if o.dry_run { OfficeMsg::ImportWouldChange } else { OfficeMsg::ImportChanged };
                    let class = if o.dry_run { "notice" } else { "ok" };
                    let more = o.more;
                    let has_more = more > 0;
                    view! {
                        <div id="household-import-result">
                            <p class=class>{if o.dry_run { OfficeMsg::ImportReady.text(lang) } else { OfficeMsg::ImportDone.text(lang) }} " (" {counts} ")"</p>
                            <p>{head.text(lang)}</p>
                            <ul class="changes">
                                {o.changes.into_iter().map(|c| view! {
                                    <li>
                                        <span class="muted">{format!("{} {}", OfficeMsg::Row.text(lang), c.row)}</span> " "
                                        <strong>{action_label(c.action).text(lang)}</strong> " " {c.household} " " {c.member}
                                    </li>
                                }).collect_view()}
                            </ul>
                            <Show when=move || has_more><p class="muted">{OfficeMsg::ImportMore.text(lang).replace("{arg}", &more.to_string())}</p></Show>
                        </div>
                    }.into_any()
                }
                Err(AppError::InvalidRows { rows }) => view! {
                    <div id="household-import-result" class="error-block">
                        <p class="error">{t(Msg::ImportErrors)}</p>
                        <ul>{rows.into_iter().map(|r| view! {
                            <li>{format!("{} {}", OfficeMsg::Row.text(i18n.lang()), r.row)} {(!r.field.is_empty()).then(|| format!(" [{}]", r.field))} ": " {r.msg.text(i18n.lang())}</li>
                        }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="error" id="household-import-result">{e.user_message(i18n.lang())}</p> }.into_any(),
            })}
        </section>
    }
}

/// The printable application QR code of the campus in `?campus=`: both
/// languages on the paper whatever the page's language; A4 when printed,
/// without the top bar or navigation.
#[component]
pub fn HouseholdPosterPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let campus = move || query.with(|q| q.get("campus").unwrap_or_default());
    let poster = resource(campus, household_poster);
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    let both = |m: OfficeMsg| view! { {m.text(Lang::Zh)}<br/><span class="en" lang="en">{m.text(Lang::En)}</span> };
    view! {
        <AdminOnly roles=OFFICE>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match poster.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(p) => view! {
                            <article class="poster" id="poster">
                                <p class="poster-campus">{p.campus.clone()} " " <span class="en" lang="en">{p.campus_en.clone()}</span></p>
                                <h1>{OfficeMsg::PosterTitle.text(Lang::Zh)}</h1>
                                <p class="poster-title-en" lang="en">{OfficeMsg::PosterTitle.text(Lang::En)}</p>
                                <div class="poster-qr" id="poster-qr" inner_html=p.qr_svg.clone()></div>
                                <ol class="poster-steps">
                                    <li>{both(OfficeMsg::PosterStep1)}</li>
                                    <li>{both(OfficeMsg::PosterStep2)}</li>
                                    <li>{both(OfficeMsg::PosterStep3)}</li>
                                </ol>
                                <p class="poster-note">{both(OfficeMsg::PosterPaperPass)}</p>
                                <p class="poster-url">{OfficeMsg::PosterOrOpen.text(Lang::Zh)} " / " <span lang="en">{OfficeMsg::PosterOrOpen.text(Lang::En)}</span>
                                    " " <code id="poster-url">{p.url.clone()}</code></p>
                            </article>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <div class="actions no-print poster-actions">
                <button class="primary" id="poster-print" on:click=print>{t(OfficeMsg::Print)}</button>
                <a class="button secondary" href="/admin/households">{t(OfficeMsg::Back)}</a>
            </div>
        </AdminOnly>
    }
}
