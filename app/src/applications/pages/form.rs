//! The application form (the visitor's `/apply`, an invitation, a returned
//! application's resubmission) with its entrant cards and photo. One page
//! whose parts share the form's signals, hence its length.

use super::*;
use crate::domain::visit_dates::MAX_PERIODS;

pub(super) fn doc_problem(doc_type: DocType, value: &str, today: NaiveDate) -> Option<Msg> {
    // Empty, or the masked number of a returned application (kept as it
    // was unless typed again).
    if value.trim().is_empty() || value.contains('*') {
        return None;
    }
    DocumentNumber::parse(doc_type, value, today).err().map(|e| e.msg())
}

pub(super) fn phone_problem(value: &str) -> Option<Msg> {
    (!value.trim().is_empty() && Phone::parse(value).is_err()).then_some(Msg::ErrPhoneInvalid)
}

pub(super) fn plate_problem(value: &str) -> Option<Msg> {
    (!value.trim().is_empty() && Plate::parse(value).is_err()).then_some(Msg::ErrPlate)
}

/// A key for one filling-in of a form: a double tap sends the same key.
pub fn new_form_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut b = [0u8; 16];
        if let Ok(c) = window().crypto() {
            let _ = c.get_random_values_with_u8_array(&mut b);
        }
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// One more period's dates, as signals.
#[derive(Clone, Copy)]
struct PeriodFields {
    key: usize,
    start: RwSignal<String>,
    end: RwSignal<String>,
}

/// One entrant's fields, as signals (Copy, so closures can hold them).
#[derive(Clone, Copy)]
struct EntrantFields {
    key: usize,
    name: RwSignal<String>,
    phone: RwSignal<String>,
    doc_type: RwSignal<DocType>,
    doc_number: RwSignal<String>,
    in_vehicle: RwSignal<bool>,
    photo: RwSignal<Option<String>>,
    consent: RwSignal<bool>,
}

impl EntrantFields {
    fn new(key: usize, e: EntrantInput) -> Self {
        EntrantFields {
            key,
            name: RwSignal::new(e.name),
            phone: RwSignal::new(e.phone),
            doc_type: RwSignal::new(e.doc_type),
            doc_number: RwSignal::new(e.doc_number),
            in_vehicle: RwSignal::new(e.in_vehicle),
            photo: RwSignal::new(e.face_photo),
            consent: RwSignal::new(e.face_consent),
        }
    }
    fn input(&self) -> EntrantInput {
        EntrantInput {
            name: self.name.get_untracked(),
            phone: self.phone.get_untracked(),
            doc_type: self.doc_type.get_untracked(),
            doc_number: self.doc_number.get_untracked(),
            in_vehicle: self.in_vehicle.get_untracked(),
            face_photo: self.photo.get_untracked(),
            face_consent: self.consent.get_untracked(),
        }
    }
}

/// The invitation token from `#invite=…` (a fragment never reaches logs).
/// Kept in the tab's session storage across the sign-in detour.
fn invitation_from_hash() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let storage = window().session_storage().ok().flatten();
        let from_hash = window().location().hash().ok().and_then(|h| h.strip_prefix("#invite=").map(str::to_owned)).filter(|t| !t.is_empty());
        match (from_hash, &storage) {
            (Some(t), Some(s)) => {
                let _ = s.set_item("invite", &t);
                Some(t)
            }
            (Some(t), None) => Some(t),
            (None, Some(s)) => s.get_item("invite").ok().flatten(),
            (None, None) => None,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

#[component]
pub fn ApplyPage() -> impl IntoView {
    let i18n = use_i18n();
    let invitation = RwSignal::new(None::<String>);
    // Only a change refetches: setting the same `None` again would reload
    // the form just after hydration, wiping what a quick visitor typed.
    Effect::new(move |_| {
        let found = invitation_from_hash();
        if found != invitation.get_untracked() {
            invitation.set(found);
        }
    });
    let setup = resource(move || invitation.get(), |inv| application_form_setup(PassKind::Visitor, inv));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(AppError::Unauthenticated) => view! { <SignInFirst /> }.into_any(),
                    Err(e) => view! { <section class="card narrow"><p class="error" role="alert">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok(s) => view! { <ApplicationForm setup=s invitation=invitation.get_untracked() existing=None renew_from=None /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/apply/on-behalf`: a staff member (the office, or a host) registers a
/// visitor who cannot use a phone, with the visitor's form and its rules.
#[component]
pub fn ApplyOnBehalfPage() -> impl IntoView {
    let i18n = use_i18n();
    let setup = resource(|| (), |_| on_behalf_form_setup());
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(AppError::Unauthenticated) => view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                    Err(e) => view! { <section class="card narrow"><p class="error" role="alert">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok(s) => view! {
                        <p class="card narrow notice" id="on-behalf-hint">{t(crate::i18n::PageMsg::OnBehalfHint)}</p>
                        <ApplicationForm setup=s invitation=None existing=None renew_from=None />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInFirst() -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>{t(Msg::ApplyTitle)}</h1>
            <p>{t(Msg::ApplySignInFirst)}</p>
            <a class="button primary" href="/sign-in?next=/apply" id="apply-sign-in">{t(Msg::SignInVisitor)}</a>
        </section>
    }
}

/// `/applications/<id>/edit`: a returned application, changed and sent back
/// to the step that returned it (a page of its own, so that the
/// application's page and its phone bundle do not carry the form).
#[component]
pub fn EditApplicationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = leptos_router::hooks::use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let form = resource(id, application_to_edit);
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok((version, f, s)) => view! {
                        <section class="card narrow"><h1>{t(Msg::ActResubmit)}</h1><p class="notice">{t(Msg::EditAndResubmitHint)}</p></section>
                        <ApplicationForm setup=s invitation=None existing=Some((id(), version, f)) renew_from=None />
                    }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                    Err(e) => view! { <section class="card narrow"><h1>{t(Msg::ActResubmit)}</h1><p class="error" role="alert">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The form, for a new application or to edit a returned one
/// (`existing` = its id, version and current content).
#[component]
pub fn ApplicationForm(
    setup: FormSetup,
    invitation: Option<String>,
    existing: Option<(String, i64, ApplicationInput)>,
    /// A renewal: an earlier application's content (without its dates) for a new one.
    renew_from: Option<(String, ApplicationInput)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let today = NaiveDate::parse_from_str(&setup.today, "%Y-%m-%d").unwrap_or_default();
    let prefill = existing.as_ref().map(|e| e.2.clone()).or_else(|| renew_from.map(|r| r.1));
    let inv = setup.invitation.clone();
    let host = RwSignal::new(inv.as_ref().map(|i| i.host.clone()));
    let host_fixed = inv.is_some() || existing.is_some();
    let host_query = RwSignal::new(String::new());
    let host_search = ServerAction::<FindHosts>::new();
    let campus = RwSignal::new(
        prefill
            .as_ref()
            .map(|p| p.campus_id.clone())
            .or_else(|| inv.as_ref().map(|i| i.campus_id.clone()))
            .or_else(|| setup.campuses.first().map(|c| c.id.clone()))
            .unwrap_or_default(),
    );
    let reason =
        RwSignal::new(prefill.as_ref().map(|p| p.reason_id.clone()).or_else(|| inv.as_ref().map(|i| i.reason_id.clone())).unwrap_or_default());
    let tomorrow = setup.first_open_date.clone();
    let start = RwSignal::new(
        prefill
            .as_ref()
            .map(|p| p.start_date.clone())
            .filter(|d| !d.is_empty())
            .or_else(|| inv.as_ref().map(|i| i.start_date.clone()))
            .unwrap_or(tomorrow.clone()),
    );
    let end = RwSignal::new(
        prefill
            .as_ref()
            .map(|p| p.end_date.clone())
            .filter(|d| !d.is_empty())
            .or_else(|| inv.as_ref().map(|i| i.end_date.clone()))
            .unwrap_or(tomorrow),
    );
    let note = RwSignal::new(prefill.as_ref().map(|p| p.note.clone()).or_else(|| inv.as_ref().map(|i| i.note.clone())).unwrap_or_default());
    let has_car = RwSignal::new(prefill.as_ref().is_some_and(|p| !p.plate.is_empty()));
    let plate = RwSignal::new(prefill.as_ref().map(|p| p.plate.clone()).unwrap_or_default());
    let next_key = StoredValue::new(1usize);
    let first_entrants: Vec<EntrantFields> = match &prefill {
        Some(p) => p.entrants.iter().cloned().enumerate().map(|(i, e)| EntrantFields::new(i + 100, e)).collect(),
        None => vec![EntrantFields::new(0, EntrantInput { name: inv.as_ref().map(|i| i.name.clone()).unwrap_or_default(), ..Default::default() })],
    };
    let entrants = RwSignal::new(first_entrants);
    // A visitor's further periods (seed 001), each a pair of dates.
    let more: RwSignal<Vec<PeriodFields>> = RwSignal::new(
        prefill
            .as_ref()
            .map(|p| {
                p.more_periods
                    .iter()
                    .enumerate()
                    .map(|(i, x)| PeriodFields { key: 1000 + i, start: RwSignal::new(x.start_date.clone()), end: RwSignal::new(x.end_date.clone()) })
                    .collect()
            })
            .unwrap_or_default(),
    );
    let form_key = StoredValue::new(String::new());
    Effect::new(move |_| form_key.set_value(new_form_key()));
    let submit = ServerAction::<SubmitApplication>::new();
    let submit_for = ServerAction::<SubmitOnBehalf>::new();
    let resubmit = ServerAction::<ResubmitApplication>::new();
    let error = Signal::derive(move || {
        submit
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| submit_for.value().get().and_then(Result::err))
            .or_else(|| resubmit.value().get().and_then(Result::err))
    });
    let doc_consent = RwSignal::new(prefill.as_ref().is_some_and(|p| p.doc_consent));
    // Filing for a visitor who cannot use a phone: their (or their family's) mobile.
    let on_behalf = setup.on_behalf;
    let visitor_mobile = RwSignal::new(String::new());
    let mobile_hint = Signal::derive(move || phone_problem(&visitor_mobile.get()));
    let existing_id = existing.as_ref().map(|e| (e.0.clone(), e.1));
    let existing_for_effect = existing_id.clone();
    Effect::new(move |_| {
        if let Some(Ok(id)) = submit.value().get().or_else(|| submit_for.value().get()) {
            #[cfg(feature = "hydrate")]
            if let Some(s) = window().session_storage().ok().flatten() {
                let _ = s.remove_item("invite");
            }
            go_to(&format!("/applications/{id}"));
        }
        if let (Some(Ok(())), Some((id, _))) = (resubmit.value().get(), &existing_for_effect) {
            go_to(&format!("/applications/{id}"));
        }
    });
    let vehicles_allowed = setup.vehicles_allowed;
    let photo_offered = setup.face_photo != crate::domain::policy::FieldNeed::Hidden;
    let kind = setup.kind;
    // A contractor completing what their department filed: what it decided
    // (campus, reason, dates) is shown, not chosen; one person, themselves.
    let completing = kind != PassKind::Visitor && setup.invitation.is_some();
    let applicant_phone = setup.applicant_phone.clone();
    let plate_hint = Signal::derive(move || if has_car.get() { plate_problem(&plate.get()) } else { None });
    let deadline_hint = setup.next_day_deadline.clone().map(|d| {
        move || {
            Msg::DeadlineHint
                .text(i18n.lang())
                .replace("{time}", &d)
                .replace("{days}", &setup.max_days.to_string())
                .replace("{ahead}", &setup.max_days_ahead.to_string())
        }
    });
    let min_date = setup.today.clone();
    let max_date = (today + chrono::Days::new(setup.max_days_ahead as u64)).to_string();
    let reasons = setup.reasons.clone();
    let campuses = setup.campuses.clone();
    // Below an application's own page (resubmitting it), the form is a
    // section of that page, not the page's heading.

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = ApplicationInput {
            kind,
            host_staff_id: host.get_untracked().map(|h| h.staff_id).unwrap_or_default(),
            campus_id: campus.get_untracked(),
            reason_id: reason.get_untracked(),
            start_date: start.get_untracked(),
            end_date: end.get_untracked(),
            entrants: entrants
                .get_untracked()
                .iter()
                .map(|e| {
                    let mut input = e.input();
                    if !has_car.get_untracked() {
                        input.in_vehicle = false;
                    }
                    input
                })
                .collect(),
            plate: if has_car.get_untracked() { plate.get_untracked() } else { String::new() },
            note: note.get_untracked(),
            household: None,
            more_periods: more
                .get_untracked()
                .iter()
                .map(|p| PeriodInput { start_date: p.start.get_untracked(), end_date: p.end.get_untracked() })
                .collect(),
            doc_consent: doc_consent.get_untracked(),
        };
        match &existing_id {
            Some((id, version)) => {
                resubmit.dispatch(ResubmitApplication { id: id.clone(), version: *version, form });
            }
            None if on_behalf => {
                submit_for.dispatch(SubmitOnBehalf { form, mobile: visitor_mobile.get_untracked(), idempotency_key: form_key.get_value() });
            }
            None => {
                submit.dispatch(SubmitApplication { form, idempotency_key: form_key.get_value(), invitation: invitation.clone() });
            }
        }
    };
    // A department filing for a contractor: the filer answers for them.
    let filer = setup.staff.clone();
    // The host is chosen by a visitor, and by whoever files on their behalf.
    let no_filer = filer.is_none() || on_behalf;
    let title = match kind {
        PassKind::Contractor => Msg::ContractorApplyTitle,
        _ if on_behalf => Msg::OnBehalfTitle,
        _ => Msg::ApplyTitle,
    };
    // Under a returned application's own heading, the form is a section.
    let heading = if existing.is_some() { view! { <h2>{t(title)}</h2> }.into_any() } else { view! { <h1>{t(title)}</h1> }.into_any() };
    view! {
        <section class="card narrow">
            {heading}
            {match filer.clone() {
                Some(f) => view! { <p class="muted small" id="filer">{t(if on_behalf { Msg::OnBehalfFiler } else { Msg::FiledBy })} ": " {f.name} " (" {f.staff_no} ") — " {f.department}</p> }.into_any(),
                None => view! { <p class="muted small">{t(Msg::ApplyingAs)} " " {setup.applicant_phone.clone()}</p> }.into_any(),
            }}
            {deadline_hint.map(|h| view! { <p class="notice small">{h}</p> })}
            <form on:submit=on_submit novalidate>
                <Show when=move || on_behalf>
                    <label for="visitor-mobile">{t(Msg::OnBehalfMobile)}</label>
                    <input id="visitor-mobile" type="tel" inputmode="numeric" autocomplete="off" prop:value=visitor_mobile
                        on:input=move |ev| visitor_mobile.set(event_target_value(&ev)) />
                    <FieldHint problem=mobile_hint />
                </Show>
                <Show when=move || no_filer>
                <h2>{t(if completing { Msg::FiledBy } else { Msg::Host })}</h2>
                {move || match host.get() {
                    Some(h) => view! {
                        <p class="chosen" id="host-chosen"><strong>{h.name.clone()}</strong> " — " {h.department.clone()}
                            <Show when=move || !host_fixed>
                                <button type="button" class="link" on:click=move |_| host.set(None)>{t(Msg::Change)}</button>
                            </Show>
                        </p>
                    }.into_any(),
                    None => view! {
                        <label for="host-query">{t(Msg::HostQuery)}</label>
                        <div class="row">
                            <input id="host-query" prop:value=host_query on:input=move |ev| host_query.set(event_target_value(&ev))
                                on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); host_search.dispatch(FindHosts { query: host_query.get_untracked() }); } />
                            <button type="button" class="secondary" id="host-search" on:click=move |_| { host_search.dispatch(FindHosts { query: host_query.get_untracked() }); }>{t(Msg::Search)}</button>
                        </div>
                        <p class="muted small">{t(Msg::HostQueryHint)}</p>
                        {move || host_search.value().get().map(|r| match r {
                            Ok(list) if list.is_empty() => view! { <p class="field-error">{t(Msg::ErrHostUnknown)}</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="choices">
                                    {list.into_iter().map(|h| {
                                        let pick = h.clone();
                                        view! { <li><button type="button" class="choice" on:click=move |_| host.set(Some(pick.clone()))>
                                            <strong>{h.name.clone()}</strong> " — " {h.department.clone()}</button></li> }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <p class="field-error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        })}
                    }.into_any(),
                }}
                </Show>

                <label for="campus">{t(Msg::Campus)}</label>
                <select id="campus" disabled=completing on:change=move |ev| campus.set(event_target_value(&ev)) prop:value=campus>
                    {campuses.into_iter().map(|c| view! { <option value=c.id.clone()>{c.name.clone()}</option> }).collect_view()}
                </select>
                <label for="reason">{t(if kind == PassKind::Visitor { Msg::VisitReason } else { Msg::PassReason })}</label>
                <select id="reason" disabled=completing on:change=move |ev| reason.set(event_target_value(&ev)) prop:value=reason>
                    <option value="">{t(Msg::PleaseChoose)}</option>
                    {reasons.into_iter().map(|r| {
                        let label = move || format!("{} ({})", if i18n.lang() == crate::i18n::Lang::En && !r.name_en.is_empty() { r.name_en.clone() } else { r.name.clone() }, r.category.label().text(i18n.lang()));
                        view! { <option value=r.id.clone()>{label}</option> }
                    }).collect_view()}
                </select>
                <div class="row">
                    <div class="grow"><label for="start">{t(Msg::StartDate)}</label>
                        <input id="start" type="date" disabled=completing min=min_date.clone() max=max_date.clone() prop:value=start on:input=move |ev| {
                            let v = event_target_value(&ev);
                            if end.get_untracked() < v { end.set(v.clone()); }
                            start.set(v);
                        } /></div>
                    <div class="grow"><label for="end">{t(Msg::EndDate)}</label>
                        <input id="end" type="date" disabled=completing min=min_date.clone() prop:value=end on:input=move |ev| end.set(event_target_value(&ev)) /></div>
                </div>
                <For each=move || more.get() key=|p| p.key let:p>
                    <div class="row period">
                        <div class="grow"><label for=format!("period-start-{}", p.key)>{t(Msg::StartDate)}</label>
                            <input id=format!("period-start-{}", p.key) class="period-start" type="date" min=min_date.clone() prop:value=p.start on:input=move |ev| p.start.set(event_target_value(&ev)) /></div>
                        <div class="grow"><label for=format!("period-end-{}", p.key)>{t(Msg::EndDate)}</label>
                            <input id=format!("period-end-{}", p.key) class="period-end" type="date" min=min_date.clone() prop:value=p.end on:input=move |ev| p.end.set(event_target_value(&ev)) /></div>
                        <button type="button" class="link danger" on:click=move |_| more.update(|v| v.retain(|x| x.key != p.key))>{t(Msg::Remove)}</button>
                    </div>
                </For>
                <Show when=move || kind == PassKind::Visitor && more.with(|v| v.len() + 1 < MAX_PERIODS)>
                    <button type="button" class="secondary wide" id="add-period" on:click=move |_| {
                        let k = next_key.get_value();
                        next_key.set_value(k + 1);
                        more.update(|v| v.push(PeriodFields { key: k, start: RwSignal::new(String::new()), end: RwSignal::new(String::new()) }));
                    }>{t(Msg::AddPeriod)}</button>
                </Show>

                <h2>{t(if kind == PassKind::Visitor { Msg::Entrants } else { Msg::PersonsOnPass })}</h2>
                <For each=move || entrants.get() key=|e| e.key let:e>
                    <EntrantCard e today entrants has_car photo_offered fixed_phone=completing.then(|| applicant_phone.clone()) />
                </For>
                <Show when=move || !completing>
                    <button type="button" class="secondary wide" id="add-entrant" on:click=move |_| {
                        let k = next_key.get_value();
                        next_key.set_value(k + 1);
                        entrants.update(|v| v.push(EntrantFields::new(k, EntrantInput::default())));
                    }>{t(Msg::AddEntrant)}</button>
                </Show>

                <Show when=move || vehicles_allowed>
                    <label class="check"><input type="checkbox" id="has-car" prop:checked=has_car on:change=move |ev| has_car.set(event_target_checked(&ev)) />{t(Msg::ComingByCar)}</label>
                    <Show when=move || has_car.get()>
                        <label for="plate">{t(Msg::Plate)}</label>
                        <input id="plate" prop:value=plate on:input=move |ev| plate.set(event_target_value(&ev)) placeholder="京A12345" autocapitalize="characters" />
                        <FieldHint problem=plate_hint />
                        <p class="muted small">{t(Msg::PassengersHint)}</p>
                    </Show>
                </Show>
                <label for="note">{t(Msg::Note)}</label>
                <textarea id="note" rows="2" maxlength="200" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <label class="check"><input type="checkbox" id="doc-consent" prop:checked=doc_consent on:change=move |ev| doc_consent.set(event_target_checked(&ev)) />{t(Msg::DocConsent)}</label>
                <PrivacyNotice />
                <ErrorLine error />
                <button type="submit" class="primary" id="submit-application"
                    disabled=move || { submit.pending().get() || submit_for.pending().get() || resubmit.pending().get() || (no_filer && host.get().is_none()) }>
                    {t(Msg::SubmitApplication)}
                </button>
            </form>
        </section>
    }
}

#[component]
fn EntrantCard(
    e: EntrantFields,
    today: NaiveDate,
    entrants: RwSignal<Vec<EntrantFields>>,
    has_car: RwSignal<bool>,
    photo_offered: bool,
    /// The mobile is the one the invitation was sent to (shown, not asked).
    #[prop(optional_no_strip)]
    fixed_phone: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let doc_hint = Signal::derive(move || doc_problem(e.doc_type.get(), &e.doc_number.get(), today));
    let phone_hint = Signal::derive(move || phone_problem(&e.phone.get()));
    let id = move |f: &str| format!("entrant-{}-{f}", e.key);
    let position = move || entrants.get().iter().position(|x| x.key == e.key).unwrap_or(0);
    let photo_error = RwSignal::new(None::<Msg>);
    view! {
        <fieldset class="entrant">
            <legend>{move || format!("{} {}", Msg::Entrant.text(i18n.lang()), position() + 1)}</legend>
            <label for=id("name")>{t(Msg::PersonName)}</label>
            <input id=id("name") class="entrant-name" autocomplete="name" prop:value=e.name on:input=move |ev| e.name.set(event_target_value(&ev)) />
            {match fixed_phone {
                Some(masked) => view! { <p class="muted small">{t(Msg::Phone)} ": " {masked}</p> }.into_any(),
                None => view! {
                    <label for=id("phone")>{t(Msg::Phone)}</label>
                    <input id=id("phone") class="entrant-phone" type="tel" inputmode="numeric" placeholder=t(Msg::EntrantPhoneHint) prop:value=e.phone on:input=move |ev| e.phone.set(event_target_value(&ev)) />
                    <FieldHint problem=phone_hint />
                }.into_any(),
            }}
            <label for=id("doc-type")>{t(Msg::DocType)}</label>
            <select id=id("doc-type") class="entrant-doc-type" on:change=move |ev| e.doc_type.set(DocType::from_code(&event_target_value(&ev)).unwrap_or_default())>
                {DocType::ALL.into_iter().map(|d| view! { <option value=d.code() selected=move || e.doc_type.get() == d>{t(doc_label(d))}</option> }).collect_view()}
            </select>
            <label for=id("doc")>{t(Msg::DocNumber)}</label>
            <input id=id("doc") class="entrant-doc" autocomplete="off" prop:value=e.doc_number on:input=move |ev| e.doc_number.set(event_target_value(&ev)) />
            <FieldHint problem=doc_hint />
            <Show when=move || has_car.get()>
                <label class="check"><input type="checkbox" class="entrant-in-car" prop:checked=e.in_vehicle on:change=move |ev| e.in_vehicle.set(event_target_checked(&ev)) />{t(Msg::InTheCar)}</label>
            </Show>
            <Show when=move || photo_offered>
                <details class="photo">
                    <summary>{t(Msg::FacePhotoOptional)}</summary>
                    <p class="muted small">{t(Msg::FacePhotoWhy)}</p>
                    <label class="check"><input type="checkbox" class="entrant-consent" prop:checked=e.consent on:change=move |ev| e.consent.set(event_target_checked(&ev)) />{t(Msg::FacePhotoConsent)}</label>
                    <input type="file" accept="image/*" capture="user" aria-label=t(Msg::FacePhotoField) disabled=move || !e.consent.get() on:change=move |ev| read_photo(ev, e.photo, photo_error) />
                    <FieldHint problem=photo_error />
                    {move || e.photo.get().map(|src| view! { <img class="face-preview" src=src alt="" /> })}
                </details>
            </Show>
            <Show when=move || { entrants.get().len() > 1 }>
                <button type="button" class="link danger" on:click=move |_| entrants.update(|v| v.retain(|x| x.key != e.key))>{t(Msg::Remove)}</button>
            </Show>
        </fieldset>
    }
}

/// Reads a chosen photo, scales it to at most 480 px and re-encodes it as
/// JPEG in the browser, so a 4 MB phone photo travels as ~40 KB.
pub fn read_photo(ev: leptos::ev::Event, out: RwSignal<Option<String>>, err: RwSignal<Option<Msg>>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{JsCast, closure::Closure};
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&file) else { return };
        let Ok(img) = web_sys::HtmlImageElement::new() else { return };
        let img2 = img.clone();
        let url2 = url.clone();
        let onload = Closure::once(move || {
            let (w, h) = (img2.natural_width() as f64, img2.natural_height() as f64);
            let scale = (480.0 / w.max(h)).min(1.0);
            let doc = document();
            let Some(canvas) = doc.create_element("canvas").ok().and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok()) else { return };
            canvas.set_width((w * scale) as u32);
            canvas.set_height((h * scale) as u32);
            if let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()) {
                let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(&img2, 0.0, 0.0, w * scale, h * scale);
                match canvas.to_data_url_with_type_and_encoder_options("image/jpeg", &wasm_bindgen::JsValue::from_f64(0.8)) {
                    Ok(data) if data.len() < 400_000 => {
                        err.set(None);
                        out.set(Some(data));
                    }
                    _ => err.set(Some(Msg::ErrPhotoInvalid)),
                }
            }
            let _ = web_sys::Url::revoke_object_url(&url2);
        });
        img.set_onload(Some(onload.as_ref().unchecked_ref()));
        onload.forget();
        img.set_src(&url);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, out, err);
    }
}
