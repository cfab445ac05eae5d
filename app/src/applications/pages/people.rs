//! The forms of the people who are not visitors: a resident's day pass
//! (seed 004 附件3: householder, community, building, door, date, reason),
//! a staff member's work pass (附件4: staff number, name and unit filled in,
//! start and end dates, reason) and a department filing a long-term
//! contractor (seed 000 §二, the visitor form with the filer fixed).

use super::form::new_form_key;
use super::*;

/// `/resident`: where the campus's printed application QR code (申请码)
/// lands; residents sign in with their mobile on record first.
#[component]
pub fn ResidentApplyPage() -> impl IntoView {
    let i18n = use_i18n();
    let setup = resource(|| (), |_| application_form_setup(PassKind::ResidentDay, None));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(AppError::Unauthenticated) => view! {
                        <section class="card narrow">
                            <h1>{t(Msg::ResidentApplyTitle)}</h1>
                            <p>{t(Msg::ResidentSignInFirst)}</p>
                            <a class="button primary" href="/sign-in?next=/resident" id="resident-sign-in">{t(Msg::SignInVisitor)}</a>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <section class="card narrow"><h1>{t(Msg::ResidentApplyTitle)}</h1><p class="error" role="alert" id="form-refused">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok(s) => view! { <ResidentForm setup=s /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ResidentForm(setup: FormSetup) -> impl IntoView {
    let Some(r) = setup.resident.clone() else { return view! { <p class="error">{t(Msg::ErrNotAResident)}</p> }.into_any() };
    let doors = StoredValue::new(r.doors.clone());
    let householder = RwSignal::new(String::new());
    let community = RwSignal::new(r.own.community.clone());
    let building = RwSignal::new(r.own.building.clone());
    let door = RwSignal::new(r.own.door.clone());
    let date = RwSignal::new(setup.first_open_date.clone());
    let reason = RwSignal::new(String::new());
    let campus = setup.campuses.first().map(|c| c.id.clone()).unwrap_or_default();
    let form_key = StoredValue::new(String::new());
    Effect::new(move |_| form_key.set_value(new_form_key()));
    let submit = ServerAction::<SubmitApplication>::new();
    let error = Signal::derive(move || submit.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = submit.value().get() {
            go_to(&format!("/applications/{id}"));
        }
    });
    // The three lists narrow each other: buildings of the community, doors of the building.
    let distinct = |v: Vec<String>| {
        let mut v = v;
        v.dedup();
        v
    };
    let communities = move || distinct(doors.with_value(|d| d.iter().map(|x| x.community.clone()).collect()));
    let buildings = move || {
        let c = community.get();
        distinct(doors.with_value(|d| d.iter().filter(|x| x.community == c).map(|x| x.building.clone()).collect()))
    };
    let door_list = move || {
        let (c, b) = (community.get(), building.get());
        doors.with_value(|d| d.iter().filter(|x| x.community == c && x.building == b).map(|x| x.door.clone()).collect::<Vec<_>>())
    };
    let max_date = NaiveDate::parse_from_str(&setup.today, "%Y-%m-%d")
        .map(|d| (d + chrono::Days::new(setup.max_days_ahead as u64)).to_string())
        .unwrap_or_default();
    let min_date = setup.first_open_date.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let day = date.get_untracked();
        let form = ApplicationInput {
            kind: PassKind::ResidentDay,
            host_staff_id: String::new(),
            campus_id: campus.clone(),
            reason_id: String::new(),
            start_date: day.clone(),
            end_date: day,
            entrants: vec![],
            plate: String::new(),
            note: reason.get_untracked(),
            more_periods: vec![],
            doc_consent: false,
            household: Some(HouseholdChoice {
                householder: householder.get_untracked(),
                community: community.get_untracked(),
                building: building.get_untracked(),
                door: door.get_untracked(),
            }),
        };
        submit.dispatch(SubmitApplication { form, idempotency_key: form_key.get_value(), invitation: None });
    };
    let select = |id: &'static str, label: Msg, value: RwSignal<String>, options: Box<dyn Fn() -> Vec<String> + Send + Sync>| {
        view! {
            <label for=id>{t(label)} " *"</label>
            <select id=id prop:value=value on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">{t(Msg::PleaseChoose)}</option>
                {move || options().into_iter().map(|o| view! { <option value=o.clone() selected=o == value.get_untracked()>{o.clone()}</option> }).collect_view()}
            </select>
        }
    };
    view! {
        <section class="card narrow">
            <h1>{t(Msg::ResidentApplyTitle)}</h1>
            <p class="muted small">{t(Msg::ApplyingAs)} " " {setup.applicant_phone.clone()} " · " {r.name.clone()} " " {r.document.clone()}</p>
            <p class="notice small">{t(Msg::ResidentApplyHint)}</p>
            {r.paper_pass.then(|| view! { <p class="error" role="alert">{t(Msg::ErrPaperPassHolder)}</p> })}
            <form on:submit=on_submit novalidate id="resident-form">
                <label for="pass-kind">{t(Msg::PassKindLabel)}</label>
                <select id="pass-kind" disabled><option>{t(Msg::KindResidentDay)}</option></select>
                <label for="householder">{t(Msg::HouseholderName)} " *"</label>
                <input id="householder" autocomplete="off" prop:value=householder on:input=move |ev| householder.set(event_target_value(&ev)) />
                {select("community", Msg::Community, community, Box::new(communities))}
                {select("building", Msg::Building, building, Box::new(buildings))}
                {select("door", Msg::Door, door, Box::new(door_list))}
                <label for="pass-date">{t(Msg::PassDate)} " *"</label>
                <input id="pass-date" type="date" min=min_date max=max_date prop:value=date on:input=move |ev| date.set(event_target_value(&ev)) />
                <label for="apply-reason">{t(Msg::ApplyReason)} " *"</label>
                <textarea id="apply-reason" rows="2" maxlength="200" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <PrivacyNotice />
                <ErrorLine error />
                <div class="actions">
                    <a class="button secondary" href="/applications">{t(Msg::MyApplications)}</a>
                    <button type="submit" class="primary" id="submit" disabled=move || submit.pending().get()>{t(Msg::SubmitApplication)}</button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

/// `/staff-pass`: a staff member applies for their own work pass.
#[component]
pub fn StaffPassPage() -> impl IntoView {
    let i18n = use_i18n();
    let setup = resource(|| (), |_| application_form_setup(PassKind::StaffWork, None));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(AppError::Unauthenticated) => view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                    Err(e) => view! { <section class="card narrow"><h1>{t(Msg::StaffApplyTitle)}</h1><p class="error" role="alert" id="form-refused">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok(s) => view! { <StaffForm setup=s /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StaffForm(setup: FormSetup) -> impl IntoView {
    let me = setup.staff.clone().unwrap_or(StaffSetup { staff_no: String::new(), name: String::new(), department: String::new() });
    let start = RwSignal::new(setup.first_open_date.clone());
    let end = RwSignal::new(setup.first_open_date.clone());
    let reason = RwSignal::new(String::new());
    let campus = RwSignal::new(setup.campuses.first().map(|c| c.id.clone()).unwrap_or_default());
    let campuses = setup.campuses.clone();
    let form_key = StoredValue::new(String::new());
    Effect::new(move |_| form_key.set_value(new_form_key()));
    let submit = ServerAction::<SubmitApplication>::new();
    let error = Signal::derive(move || submit.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = submit.value().get() {
            go_to(&format!("/applications/{id}"));
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = ApplicationInput {
            kind: PassKind::StaffWork,
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
        submit.dispatch(SubmitApplication { form, idempotency_key: form_key.get_value(), invitation: None });
    };
    view! {
        <section class="card narrow">
            <h1>{t(Msg::StaffApplyTitle)}</h1>
            <p class="notice small">{t(Msg::StaffApplyHint)}</p>
            <form on:submit=on_submit novalidate id="staff-form">
                <h2>{t(Msg::BasicInfo)}</h2>
                <dl class="facts">
                    <dt>{t(Msg::StaffNo)}</dt><dd id="staff-no">{me.staff_no.clone()}</dd>
                    <dt>{t(Msg::Applicant)}</dt><dd>{me.name.clone()}</dd>
                    <dt>{t(Msg::Unit)}</dt><dd>{me.department.clone()}</dd>
                </dl>
                <h2>{t(Msg::PassInfo)}</h2>
                <label for="campus">{t(Msg::Campus)}</label>
                <select id="campus" prop:value=campus on:change=move |ev| campus.set(event_target_value(&ev))>
                    {campuses.into_iter().map(|c| view! { <option value=c.id.clone()>{c.name.clone()}</option> }).collect_view()}
                </select>
                <div class="row">
                    <div class="grow"><label for="start">{t(Msg::PassStart)} " *"</label>
                        <input id="start" type="date" min=setup.today.clone() prop:value=start on:input=move |ev| {
                            let v = event_target_value(&ev);
                            if end.get_untracked() < v { end.set(v.clone()); }
                            start.set(v);
                        } /></div>
                    <div class="grow"><label for="end">{t(Msg::PassEnd)} " *"</label>
                        <input id="end" type="date" min=setup.today.clone() prop:value=end on:input=move |ev| end.set(event_target_value(&ev)) /></div>
                </div>
                <label for="apply-reason">{t(Msg::PassReason)}</label>
                <textarea id="apply-reason" rows="3" maxlength="200" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <ErrorLine error />
                <div class="actions">
                    <a class="button secondary" href="/applications">{t(Msg::MyApplications)}</a>
                    <button type="submit" class="primary" id="submit" disabled=move || submit.pending().get()>{t(Msg::SubmitApplication)}</button>
                </div>
            </form>
        </section>
    }
}

/// `/contractors/new`: a department files a long-term contractor's pass;
/// `?renew=<id>` starts from an earlier one (seed 000: at most 180 days,
/// then a new application).
#[component]
pub fn ContractorApplyPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let renew = move || query.with(|q| q.get("renew")).filter(|r| !r.is_empty());
    let setup = resource(renew, |renew| async move {
        let setup = application_form_setup(PassKind::Contractor, None).await?;
        let prefill = match renew {
            Some(id) => Some((id.clone(), renewal_prefill(id).await?)),
            None => None,
        };
        Ok::<_, AppError>((setup, prefill))
    });
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(AppError::Unauthenticated) => view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                    Err(e) => view! { <section class="card narrow"><h1>{t(Msg::ContractorApplyTitle)}</h1><p class="error" role="alert" id="form-refused">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok((s, prefill)) => view! {
                        <p class="card narrow small"><a href="/invite?kind=contractor" id="invite-contractor">{t(Msg::InviteContractor)} " →"</a></p>
                        <ApplicationForm setup=s invitation=None existing=None renew_from=prefill />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
