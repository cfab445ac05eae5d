//! The pages of temporary personnel: the department's work
//! (`/temp-personnel`: a request for a number or a maintenance, the
//! requests and their decisions, the department's list, the office's
//! categories), the photo review (`/temp-personnel/faces`) and the
//! person's own steps (`/temp`). Over 400 lines: the four forms of seed
//! 003 and the lists they feed, kept together.

use super::*;
use crate::components::{AdminNav, AdminOnly, ErrorLine, resource};
use crate::domain::Role;
use crate::domain::document::DocType;
use crate::domain::temp_personnel::{FaceStatus, RequestKind, Standing, StepState};
use crate::i18n::{Lang, Msg, OfficeMsg, t, use_i18n};

fn category_name(c: &Category, lang: Lang) -> String {
    if lang == Lang::En && !c.name_en.is_empty() { c.name_en.clone() } else { c.name.clone() }
}

/// `/temp-personnel`: the department admin's, the leaders' and the office's work.
#[component]
pub fn TempPersonnelPage() -> impl IntoView {
    view! {
        <AdminOnly roles=&[Role::TempPersonnelAdmin, Role::SecurityAdmin, Role::Approver]>
            <AdminNav />
            <TempWork />
        </AdminOnly>
    }
}

#[component]
fn TempWork() -> impl IntoView {
    let i18n = use_i18n();
    // Bumped by every change, so the lists below read again (the forms
    // above them stay as they are: their outcome stays on screen). Every
    // resource is made here, at once, never inside a resolved `Suspense`
    // (one made there hydrated against a different stream now and then).
    let changed = RwSignal::new(0u32);
    let save_category = ServerAction::<SaveTempCategory>::new();
    let setup = resource(move || save_category.version().get(), |_| temp_setup());
    let decide = ServerAction::<DecideTempRequest>::new();
    let requests = resource(move || (changed.get(), decide.version().get()), |_| temp_requests(false));
    let filter = RwSignal::new(TempFilter::default());
    let people = resource(move || (changed.get(), filter.get()), |(_, f)| temp_people(f));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(e) => view! { <p class="error card">{e.user_message(i18n.lang())}</p> }.into_any(),
                    Ok(s) => {
                        let files = s.files_requests;
                        let lists = s.files_requests || s.is_office;
                        let office = s.is_office;
                        view! {
                            {files.then(|| view! { <RequestForm setup=s.clone() changed /> })}
                            <RequestList list=requests decide changed main=!files />
                            {lists.then(|| view! { <PeopleList setup=s.clone() list=people filter /> })}
                            {office.then(|| view! { <CategoryEditor categories=s.categories.clone() save=save_category /> })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Seed 003 §1 and §5–6: 初次申请工号 or 个人信息维护, with the admin's commitment.
#[component]
fn RequestForm(setup: TempWorkSetup, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let maintenance = RwSignal::new(false);
    let category = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let doc_type = RwSignal::new(DocType::ResidentId);
    let doc_number = RwSignal::new(String::new());
    let department = RwSignal::new(setup.my_departments.first().map(|d| d.id.clone()).unwrap_or_default());
    let start = RwSignal::new(setup.today.clone());
    let leave = RwSignal::new(String::new());
    let commitment = RwSignal::new(false);
    let temp_no = RwSignal::new(String::new());
    let change = RwSignal::new(RequestKind::Renewal);
    let new_leave = RwSignal::new(String::new());
    let to_department = RwSignal::new(String::new());
    let first = ServerAction::<RequestTempNumber>::new();
    let maint = ServerAction::<RequestTempMaintenance>::new();
    let error =
        Signal::derive(move || if maintenance.get() { maint.value().get().and_then(Result::err) } else { first.value().get().and_then(Result::err) });
    let done =
        Signal::derive(
            move || {
                if maintenance.get() { matches!(maint.value().get(), Some(Ok(_))) } else { matches!(first.value().get(), Some(Ok(_))) }
            },
        );
    // Filed: the lists read again, and the form is emptied (a second tap
    // would only be told the request is already open).
    Effect::new(move |_| {
        if matches!(first.value().get(), Some(Ok(_))) {
            name.set(String::new());
            phone.set(String::new());
            doc_number.set(String::new());
        }
        if matches!(maint.value().get(), Some(Ok(_))) {
            temp_no.set(String::new());
        }
        if matches!(first.value().get(), Some(Ok(_))) || matches!(maint.value().get(), Some(Ok(_))) {
            commitment.set(false);
            changed.update(|c| *c += 1);
        }
    });
    let categories = setup.categories.into_iter().filter(|c| c.active).collect::<Vec<_>>();
    let mine = setup.my_departments.clone();
    let all = setup.all_departments.clone();
    let today = setup.today.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if maintenance.get_untracked() {
            maint.dispatch(RequestTempMaintenance {
                input: MaintenanceInput {
                    temp_no: temp_no.get_untracked(),
                    kind: change.get_untracked(),
                    new_leave_date: new_leave.get_untracked(),
                    to_department_id: to_department.get_untracked(),
                    commitment: commitment.get_untracked(),
                },
            });
        } else {
            first.dispatch(RequestTempNumber {
                input: FirstRequestInput {
                    category: category.get_untracked(),
                    name: name.get_untracked(),
                    phone: phone.get_untracked(),
                    doc_type: doc_type.get_untracked(),
                    doc_number: doc_number.get_untracked(),
                    department_id: department.get_untracked(),
                    start_date: start.get_untracked(),
                    leave_date: leave.get_untracked(),
                    commitment: commitment.get_untracked(),
                },
            });
        }
    };
    let text_input = |id: &'static str, label: OfficeMsg, value: RwSignal<String>, kind: &'static str| {
        view! {
            <label for=id>{t(label)} " *"</label>
            <input id=id type=kind autocomplete="off" prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    view! {
        <section class="card">
            <h1>{t(OfficeMsg::TempPersonnel)}</h1>
            <form id="temp-request-form" novalidate on:submit=on_submit>
                <fieldset class="choices">
                    <legend>{t(OfficeMsg::TempApplicationType)} " *"</legend>
                    <label class="check"><input type="radio" name="temp-type" id="temp-type-first" prop:checked=move || !maintenance.get()
                        on:change=move |_| maintenance.set(false) />{t(OfficeMsg::TempKindFirst)}</label>
                    <label class="check"><input type="radio" name="temp-type" id="temp-type-maintenance" prop:checked=move || maintenance.get()
                        on:change=move |_| maintenance.set(true) />{t(OfficeMsg::TempMaintenance)}</label>
                </fieldset>
                <h2>{t(OfficeMsg::TempInfo)}</h2>
                // Both parts are rendered, one hidden: the choices are built once.
                <div id="temp-first-fields" hidden=move || maintenance.get()>
                    <fieldset class="choices">
                        <legend>{t(OfficeMsg::TempCategory)} " *"</legend>
                        {categories.iter().map(|c| {
                            let code = c.code.clone();
                            let code2 = c.code.clone();
                            let label = category_name(c, i18n.lang());
                            view! { <label class="check"><input type="radio" name="temp-category" value=code.clone()
                                prop:checked=move || category.get() == code2 on:change=move |_| category.set(code.clone()) />{label}</label> }
                        }).collect_view()}
                    </fieldset>
                    {text_input("temp-name", OfficeMsg::TempName, name, "text")}
                    {text_input("temp-phone", OfficeMsg::TempPhone, phone, "tel")}
                    <label for="temp-doc-type">{t(Msg::DocType)}</label>
                    <select id="temp-doc-type" on:change=move |ev| doc_type.set(DocType::from_code(&event_target_value(&ev)).unwrap_or_default())>
                        {DocType::ALL.into_iter().map(|d| view! { <option value=d.code() selected=move || doc_type.get() == d>{t(crate::rules::doc_label(d))}</option> }).collect_view()}
                    </select>
                    {text_input("temp-doc", OfficeMsg::TempDocNumber, doc_number, "text")}
                    <label for="temp-department">{t(OfficeMsg::TempDepartment)} " *"</label>
                    <select id="temp-department" prop:value=department on:change=move |ev| department.set(event_target_value(&ev))>
                        {mine.iter().map(|d| view! { <option value=d.id.clone()>{d.name.clone()}</option> }).collect_view()}
                    </select>
                    <div class="row">
                        <div class="grow">{text_input("temp-start", OfficeMsg::TempStartDate, start, "date")}</div>
                        <div class="grow">{text_input("temp-leave", OfficeMsg::TempLeaveDate, leave, "date")}</div>
                    </div>
                </div>
                <div id="temp-maintenance-fields" hidden=move || !maintenance.get()>
                    {text_input("temp-no", OfficeMsg::TempNo, temp_no, "text")}
                    <label for="temp-change">{t(OfficeMsg::TempMaintenance)}</label>
                    <select id="temp-change" on:change=move |ev| change.set(RequestKind::from_code(&event_target_value(&ev)).unwrap_or(RequestKind::Renewal))>
                        {[RequestKind::Renewal, RequestKind::Transfer, RequestKind::Delete].into_iter()
                            .map(|k| view! { <option value=k.code() selected=move || change.get() == k>{t(k.label())}</option> }).collect_view()}
                    </select>
                    <div hidden=move || change.get() != RequestKind::Renewal>
                        <label for="temp-new-leave">{t(OfficeMsg::TempNewLeaveDate)} " *"</label>
                        <input id="temp-new-leave" type="date" min=today.clone() prop:value=new_leave on:input=move |ev| new_leave.set(event_target_value(&ev)) />
                    </div>
                    <div hidden=move || change.get() != RequestKind::Transfer>
                        <label for="temp-to-department">{t(OfficeMsg::TempNewDepartment)} " *"</label>
                        <select id="temp-to-department" prop:value=to_department on:change=move |ev| to_department.set(event_target_value(&ev))>
                            <option value="">{t(Msg::PleaseChoose)}</option>
                            {all.iter().map(|d| view! { <option value=d.id.clone()>{d.name.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <label class="check"><input type="checkbox" id="temp-commitment" prop:checked=commitment
                    on:change=move |ev| commitment.set(event_target_checked(&ev)) />{t(OfficeMsg::TempCommitment)}</label>
                <ErrorLine error />
                <Show when=move || done.get()><p class="notice" id="temp-submitted" role="status">{t(OfficeMsg::TempSubmitted)}</p></Show>
                <div class="actions">
                    <button type="submit" class="primary" id="temp-submit" disabled=move || first.pending().get() || maint.pending().get()>{t(OfficeMsg::TempSubmit)}</button>
                </div>
            </form>
        </section>
    }
}

fn request_status(s: &str) -> OfficeMsg {
    match s {
        "approved" => OfficeMsg::TempRequestApproved,
        "rejected" => OfficeMsg::TempRequestRejected,
        _ => OfficeMsg::TempRequestPending,
    }
}

/// The requests the caller decides, files or oversees; `main`: the page's
/// own (a leader's, who files nothing), under its heading.
#[component]
fn RequestList(
    list: Resource<Result<Vec<TempRequestRow>, AppError>, crate::components::WireJson>,
    decide: ServerAction<DecideTempRequest>,
    changed: RwSignal<u32>,
    main: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let reason = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(decide.value().get(), Some(Ok(_))) {
            changed.update(|c| *c += 1);
        }
    });
    let error = Signal::derive(move || decide.value().get().and_then(Result::err));
    view! {
        <section class="card">
            {if main { view! { <h1>{t(OfficeMsg::TempRequestsToDecide)}</h1> }.into_any() } else { view! { <h2>{t(OfficeMsg::TempRequests)}</h2> }.into_any() }}
            <ErrorLine error />
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! { <p class="muted" id="temp-no-requests">{t(OfficeMsg::NoRecords)}</p> }.into_any(),
                        Ok(rows) => {
                            let any_to_decide = rows.iter().any(|r| r.can_decide);
                            view! {
                                {any_to_decide.then(|| view! {
                                    <label for="temp-reject-reason">{t(OfficeMsg::TempRejectReason)}</label>
                                    <input id="temp-reject-reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                                })}
                                <ul class="cards" id="temp-requests">
                                    {rows.into_iter().map(|r| {
                                        let (id, id2) = (r.id.clone(), r.id.clone());
                                        view! {
                                            <li class="card" data-kind=r.kind.code() data-status=r.status.clone() data-name=r.name.clone()>
                                                <p><strong>{t(r.kind.label())}</strong> " · " {t(request_status(&r.status))}</p>
                                                <p>{r.name.clone()} " " {r.temp_no.clone()} " · " {r.category.clone()} " · " {r.department.clone()}</p>
                                                <p class="small">{r.details.clone()}</p>
                                                <p class="small muted">{t(OfficeMsg::TempFiledBy)} ": " {r.filed_by.clone()} " " {r.filed_at.clone()}</p>
                                                <p class="small">{t(OfficeMsg::TempNeeds)} ": " {r.needed.join("、")}
                                                    {(!r.approved.is_empty()).then(|| view! { <span>" · " {t(OfficeMsg::TempApprovedBy)} ": " {r.approved.join("、")}</span> })}</p>
                                                {(!r.reject_reason.is_empty()).then(|| view! { <p class="small error">{r.reject_reason.clone()}</p> })}
                                                {r.can_decide.then(|| view! {
                                                    <div class="actions">
                                                        <button class="secondary temp-reject" on:click=move |_| { decide.dispatch(DecideTempRequest { id: id.clone(), approve: false, reason: reason.get_untracked() }); }>{t(OfficeMsg::TempReject)}</button>
                                                        <button class="primary temp-approve" disabled=move || decide.pending().get()
                                                            on:click=move |_| { decide.dispatch(DecideTempRequest { id: id2.clone(), approve: true, reason: String::new() }); }>{t(OfficeMsg::TempApprove)}</button>
                                                    </div>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// Seed 003 §4: the department's people, with filters.
#[component]
fn PeopleList(
    setup: TempWorkSetup,
    list: Resource<Result<Vec<TempPersonRow>, AppError>, crate::components::WireJson>,
    filter: RwSignal<TempFilter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let categories = setup.categories.clone();
    let departments = setup.my_departments.clone();
    view! {
        <section class="card">
            <h2>{t(OfficeMsg::TempList)}</h2>
            <div class="row filters">
                <input id="temp-search" aria-label=t(OfficeMsg::TempSearch) placeholder=t(OfficeMsg::TempSearch)
                    on:change=move |ev| filter.update(|f| f.query = event_target_value(&ev)) />
                <select id="temp-filter-category" aria-label=t(OfficeMsg::TempCategory) on:change=move |ev| filter.update(|f| f.category = event_target_value(&ev))>
                    <option value="">{t(OfficeMsg::TempAllCategories)}</option>
                    {categories.iter().map(|c| view! { <option value=c.code.clone()>{category_name(c, i18n.lang())}</option> }).collect_view()}
                </select>
                <select id="temp-filter-standing" aria-label=t(OfficeMsg::TempStatus) on:change=move |ev| filter.update(|f| f.standing = event_target_value(&ev))>
                    <option value="">{t(OfficeMsg::TempAllStatuses)}</option>
                    {Standing::ALL.into_iter().map(|s| view! { <option value=s.code()>{t(s.label())}</option> }).collect_view()}
                </select>
                <select id="temp-filter-department" aria-label=t(OfficeMsg::TempDepartment) on:change=move |ev| filter.update(|f| f.department_id = event_target_value(&ev))>
                    <option value="">{t(OfficeMsg::TempAllDepartments)}</option>
                    {departments.iter().map(|d| view! { <option value=d.id.clone()>{d.name.clone()}</option> }).collect_view()}
                </select>
            </div>
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! { <p class="muted" id="temp-people-empty">{t(OfficeMsg::NoRecords)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="scroll" tabindex="0" role="region" aria-label=t(OfficeMsg::TempList)>
                            <table class="list small" id="temp-people">
                                <thead><tr><th>{t(OfficeMsg::TempNo)}</th><th>{t(OfficeMsg::TempName)}</th><th>{t(OfficeMsg::TempCategory)}</th>
                                    <th>{t(OfficeMsg::TempStatus)}</th><th>{t(OfficeMsg::TempDepartment)}</th><th>{t(OfficeMsg::TempLeaveDate)}</th><th>{t(OfficeMsg::TempStepFace)}</th></tr></thead>
                                <tbody>{rows.into_iter().map(|r| view! {
                                    <tr data-no=r.temp_no.clone() data-standing=r.standing.code()>
                                        <td>{r.temp_no.clone()}</td><td>{r.name.clone()}<br /><span class="muted">{r.phone.clone()}</span></td><td>{r.category.clone()}</td>
                                        <td>{t(r.standing.label())}</td><td>{r.department.clone()}</td><td>{r.leave_date.clone()}</td><td>{t(r.face.label())}</td>
                                    </tr>
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

/// The office's list of categories (configurable; never removed).
#[component]
fn CategoryEditor(categories: Vec<Category>, save: ServerAction<SaveTempCategory>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            name.set(String::new());
            name_en.set(String::new());
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <section class="card">
            <h2>{t(OfficeMsg::TempCategories)}</h2>
            <ul id="temp-categories">
                {categories.into_iter().map(|c| {
                    let (code, n, e, active) = (c.code.clone(), c.name.clone(), c.name_en.clone(), c.active);
                    view! { <li class:inactive=!active>{c.name.clone()} " / " {c.name_en.clone()} " "
                        <button class="link" on:click=move |_| { save.dispatch(SaveTempCategory { code: Some(code.clone()), name: n.clone(), name_en: e.clone(), active: !active }); }>
                            {if active { t(OfficeMsg::TempCategoryOff) } else { t(OfficeMsg::TempCategoryOn) }}</button></li> }
                }).collect_view()}
            </ul>
            <form on:submit=move |ev| { ev.prevent_default(); save.dispatch(SaveTempCategory { code: None, name: name.get_untracked(), name_en: name_en.get_untracked(), active: true }); }>
                <div class="row">
                    <div class="grow"><label for="temp-cat-name">{t(OfficeMsg::TempCategoryZh)}</label>
                        <input id="temp-cat-name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) /></div>
                    <div class="grow"><label for="temp-cat-en">{t(OfficeMsg::TempCategoryEn)}</label>
                        <input id="temp-cat-en" prop:value=name_en on:input=move |ev| name_en.set(event_target_value(&ev)) /></div>
                </div>
                <ErrorLine error />
                <button type="submit" class="secondary">{t(OfficeMsg::TempCategoryAdd)}</button>
            </form>
        </section>
    }
}

/// `/temp-personnel/faces`: photos awaiting review (the security office's,
/// or also the department leaders' where so configured).
#[component]
pub fn TempFacesPage() -> impl IntoView {
    view! { <AdminOnly roles=&[Role::SecurityAdmin, Role::Approver]><AdminNav /><FaceReview /></AdminOnly> }
}

#[component]
fn FaceReview() -> impl IntoView {
    let i18n = use_i18n();
    let review = ServerAction::<ReviewTempFace>::new();
    let list = resource(move || review.version().get(), |_| temp_faces());
    let reason = RwSignal::new(String::new());
    let error = Signal::derive(move || review.value().get().and_then(Result::err));
    view! {
        <section class="card">
            <h1>{t(OfficeMsg::TempFaces)}</h1>
            <label for="face-reason">{t(OfficeMsg::TempRejectReason)}</label>
            <input id="face-reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
            <ErrorLine error />
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! { <p class="muted" id="faces-empty">{t(OfficeMsg::TempNoFaces)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <ul class="cards" id="faces">
                                {rows.into_iter().map(|f| {
                                    let (a, b) = (f.temp_no.clone(), f.temp_no.clone());
                                    view! {
                                        <li class="card face" data-no=f.temp_no.clone()>
                                            <img class="face-photo" src=f.photo.clone() alt=f.name.clone() width="160" />
                                            <p><strong>{f.name.clone()}</strong> " " {f.temp_no.clone()}</p>
                                            <p class="small">{f.category.clone()} " · " {f.department.clone()}</p>
                                            <div class="actions">
                                                <button class="secondary face-refuse" on:click=move |_| { review.dispatch(ReviewTempFace { temp_no: a.clone(), accept: false, reason: reason.get_untracked() }); }>{t(OfficeMsg::TempRefuse)}</button>
                                                <button class="primary face-accept" on:click=move |_| { review.dispatch(ReviewTempFace { temp_no: b.clone(), accept: true, reason: String::new() }); }>{t(OfficeMsg::TempAccept)}</button>
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// `/temp`: the person's own steps, signed in with the mobile on record
/// (seed 003 §2–3; 待办 / 进行中 / 已完成).
#[component]
pub fn MyTempPage() -> impl IntoView {
    let i18n = use_i18n();
    let changed = RwSignal::new(0u32);
    let status = resource(move || changed.get(), |_| my_temp_status());
    view! {
        <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Err(AppError::Unauthenticated) => view! {
                        <section class="card narrow">
                            <h1>{t(OfficeMsg::TempMeTitle)}</h1>
                            <p>{t(OfficeMsg::TempMeSignIn)}</p>
                            <a class="button primary" href="/sign-in?next=/temp" id="temp-sign-in">{t(Msg::SignInVisitor)}</a>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <section class="card narrow"><h1>{t(OfficeMsg::TempMeTitle)}</h1><p class="error" role="alert" id="temp-refused">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok(s) => view! { <MySteps s changed /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn step_badge(state: StepState) -> impl IntoView {
    let class = match state {
        StepState::Done => "badge ok",
        StepState::InProgress => "badge",
        StepState::ToDo => "badge warn",
    };
    view! { <span class=class>{t(state.label())}</span> }
}

#[component]
fn MySteps(s: MyTempSteps, changed: RwSignal<u32>) -> impl IntoView {
    let valid = s.standing == Standing::Valid;
    let face = s.face;
    let face_step = face.step();
    let return_step = s.return_step;
    view! {
        <section class="card narrow" id="temp-me">
            <h1>{t(OfficeMsg::TempMeTitle)}</h1>
            <dl class="facts">
                <dt>{t(OfficeMsg::TempNo)}</dt><dd id="my-temp-no">{s.temp_no.clone()}</dd>
                <dt>{t(OfficeMsg::TempName)}</dt><dd>{s.name.clone()}</dd>
                <dt>{t(OfficeMsg::TempCategory)}</dt><dd>{s.category.clone()}</dd>
                <dt>{t(OfficeMsg::TempDepartment)}</dt><dd>{s.department.clone()}</dd>
                <dt>{t(OfficeMsg::TempLeaveDate)}</dt><dd>{s.leave_date.clone()}</dd>
                <dt>{t(OfficeMsg::TempStatus)}</dt><dd id="my-temp-standing">{t(s.standing.label())}</dd>
            </dl>
            <ol class="steps">
                <li id="step-number"><strong>"1. " {t(OfficeMsg::TempStepNumber)}</strong> " " {step_badge(StepState::Done)}</li>
                <li id="step-face" data-state=format!("{face_step:?}")><strong>"2. " {t(OfficeMsg::TempStepFace)}</strong> " " {step_badge(face_step)}
                    <p class="small">{t(face.label())}</p>
                    {(face == FaceStatus::Refused).then(|| view! { <p class="error small" id="face-refused">{t(OfficeMsg::TempFaceRefusedBecause)} " " {s.face_reason.clone()}</p> })}
                </li>
                <li id="step-return" data-state=format!("{return_step:?}")><strong>"3. " {t(OfficeMsg::TempStepReturn)}</strong> " " {step_badge(return_step)}
                    {s.application_id.clone().map(|id| view! { <p><a href=format!("/applications/{id}") id="temp-application">{t(OfficeMsg::TempReturnOpen)} " →"</a></p> })}
                </li>
            </ol>
        </section>
        {(valid && matches!(face, FaceStatus::Missing | FaceStatus::Refused)).then(|| view! { <FaceForm changed /> })}
        {(valid && face.lets_apply() && return_step == StepState::ToDo && !s.application_open).then(|| view! { <ReturnForm s=s.clone() /> })}
    }
}

#[component]
fn FaceForm(changed: RwSignal<u32>) -> impl IntoView {
    let consent = RwSignal::new(false);
    let photo = RwSignal::new(None::<String>);
    let photo_error = RwSignal::new(None::<Msg>);
    let send = ServerAction::<SetTempFace>::new();
    let error = Signal::derive(move || send.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(send.value().get(), Some(Ok(_))) {
            changed.update(|c| *c += 1);
        }
    });
    view! {
        <section class="card narrow" id="temp-face">
            <h2>{t(OfficeMsg::TempStepFace)}</h2>
            <p class="small muted">{t(OfficeMsg::TempFaceHint)}</p>
            <label class="check"><input type="checkbox" id="temp-face-consent" prop:checked=consent on:change=move |ev| consent.set(event_target_checked(&ev)) />{t(OfficeMsg::TempFaceConsent)}</label>
            <label for="temp-face-file">{t(OfficeMsg::TempFaceChoose)}</label>
            <input type="file" id="temp-face-file" accept="image/*" capture="user" disabled=move || !consent.get()
                on:change=move |ev| crate::applications::read_photo(ev, photo, photo_error) />
            {move || photo.get().map(|src| view! { <img class="face-photo" id="temp-face-preview" src=src alt="" width="120" /> })}
            {move || photo_error.get().map(|m| view! { <p class="error">{t(m)}</p> })}
            <ErrorLine error />
            <div class="actions">
                <button class="secondary" id="temp-face-decline" on:click=move |_| { send.dispatch(SetTempFace { photo: None, consent: false }); }>{t(OfficeMsg::TempFaceDecline)}</button>
                <button class="primary" id="temp-face-send" disabled=move || photo.get().is_none() || send.pending().get()
                    on:click=move |_| { send.dispatch(SetTempFace { photo: photo.get_untracked(), consent: consent.get_untracked() }); }>{t(OfficeMsg::TempFaceSend)}</button>
            </div>
        </section>
    }
}

/// The return-to-campus application (返校申请): an application of the
/// temporary-personnel kind, from today (or a chosen day) to the leave date.
#[component]
fn ReturnForm(s: MyTempSteps) -> impl IntoView {
    use crate::applications::{ApplicationInput, SubmitApplication};
    use crate::domain::policy::PassKind;
    let start = RwSignal::new(s.today.clone());
    let end = RwSignal::new(s.leave_date.clone());
    let campus = RwSignal::new(s.campuses.first().map(|c| c.id.clone()).unwrap_or_default());
    let reason = RwSignal::new(String::new());
    let key = StoredValue::new(String::new());
    Effect::new(move |_| key.set_value(crate::applications::new_form_key()));
    let submit = ServerAction::<SubmitApplication>::new();
    let error = Signal::derive(move || submit.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = submit.value().get() {
            crate::components::go_to(&format!("/applications/{id}"));
        }
    });
    let campuses = s.campuses.clone();
    let (today, leave) = (s.today.clone(), s.leave_date.clone());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = ApplicationInput {
            kind: PassKind::TempPersonnel,
            host_staff_id: String::new(),
            campus_id: campus.get_untracked(),
            reason_id: String::new(),
            start_date: start.get_untracked(),
            end_date: end.get_untracked(),
            entrants: vec![],
            plate: String::new(),
            note: reason.get_untracked(),
            household: None,
            more_periods: vec![],
            doc_consent: false,
        };
        submit.dispatch(SubmitApplication { form, idempotency_key: key.get_value(), invitation: None });
    };
    view! {
        <section class="card narrow" id="temp-return">
            <h2>{t(OfficeMsg::TempStepReturn)}</h2>
            <p class="small muted">{t(OfficeMsg::TempReturnHint)}</p>
            <form id="temp-return-form" novalidate on:submit=on_submit>
                <label for="temp-campus">{t(OfficeMsg::TempCampus)}</label>
                <select id="temp-campus" prop:value=campus on:change=move |ev| campus.set(event_target_value(&ev))>
                    {campuses.into_iter().map(|c| view! { <option value=c.id.clone()>{c.name.clone()}</option> }).collect_view()}
                </select>
                <div class="row">
                    <div class="grow"><label for="temp-return-start">{t(Msg::PassStart)}</label>
                        <input id="temp-return-start" type="date" min=today.clone() max=leave.clone() prop:value=start on:input=move |ev| start.set(event_target_value(&ev)) /></div>
                    <div class="grow"><label for="temp-return-end">{t(Msg::PassEnd)}</label>
                        <input id="temp-return-end" type="date" min=today.clone() max=leave.clone() prop:value=end on:input=move |ev| end.set(event_target_value(&ev)) /></div>
                </div>
                <label for="temp-return-reason">{t(OfficeMsg::TempReturnReason)}</label>
                <textarea id="temp-return-reason" rows="2" maxlength="200" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <ErrorLine error />
                <div class="actions">
                    <button type="submit" class="primary" id="temp-return-submit" disabled=move || submit.pending().get()>{t(OfficeMsg::TempReturnApply)}</button>
                </div>
            </form>
        </section>
    }
}
