use super::*;
use crate::components::{AdminNav, AdminOnly};
use crate::components::{ErrorLine, resource};
use crate::domain::document::DocType;
use crate::domain::policy::{ApprovalStep, FieldNeed, GuardDocument, PassKind, StepApprover};
use crate::i18n::OfficeMsg;
use crate::i18n::{Msg, t, use_i18n};

#[component]
pub fn BlacklistPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><BlacklistEditor /></AdminOnly> }
}

#[component]
fn BlacklistEditor() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddToBlacklist>::new();
    let lift = ServerAction::<LiftBlacklist>::new();
    let show_lifted = RwSignal::new(false);
    let list = resource(move || (add.version().get(), lift.version().get(), show_lifted.get()), |(_, _, l)| list_blacklist(l));
    let kind = RwSignal::new(BlacklistKind::Document);
    let doc_type = RwSignal::new(DocType::ResidentId);
    let value = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let lift_reason = RwSignal::new(String::new());
    let add_err = Signal::derive(move || add.value().get().and_then(Result::err));
    let lift_err = Signal::derive(move || lift.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            value.set(String::new());
            reason.set(String::new());
        }
    });
    view! {
        <section class="card">
            <h1>{t(Msg::Blacklist)}</h1>
            <p class="muted small">{t(OfficeMsg::BlacklistHint)}</p>
            <form on:submit=move |ev| {
                ev.prevent_default();
                add.dispatch(AddToBlacklist { kind: kind.get_untracked(), doc_type: doc_type.get_untracked(), value: value.get_untracked(), reason: reason.get_untracked() });
            }>
                <div class="row">
                    <select id="bl-kind" aria-label=t(OfficeMsg::BlKind) on:change=move |ev| kind.set(BlacklistKind::from_code(&event_target_value(&ev)).unwrap_or(BlacklistKind::Document))>
                        {BlacklistKind::ALL.into_iter().map(|k| view! { <option value=k.code()>{t(k.label())}</option> }).collect_view()}
                    </select>
                    <Show when=move || kind.get() == BlacklistKind::Document>
                        <select id="bl-doc-type" aria-label=t(Msg::DocType) on:change=move |ev| doc_type.set(DocType::from_code(&event_target_value(&ev)).unwrap_or_default())>
                            {DocType::ALL.into_iter().map(|d| view! { <option value=d.code()>{t(doc_label(d))}</option> }).collect_view()}
                        </select>
                    </Show>
                </div>
                <label for="bl-value">{t(OfficeMsg::BlValue)}</label>
                <input id="bl-value" prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
                <label for="bl-reason">{t(OfficeMsg::BlReason)}</label>
                <input id="bl-reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                <ErrorLine error=add_err />
                <button type="submit" class="primary" id="bl-add">{t(OfficeMsg::Add)}</button>
            </form>
            <label class="check"><input type="checkbox" prop:checked=show_lifted on:change=move |ev| show_lifted.set(event_target_checked(&ev)) />{t(OfficeMsg::BlShowLifted)}</label>
            <crate::components::ExportLinks list="blacklist" query=Signal::derive(move || format!("include_lifted={}", show_lifted.get())) />
            <label for="bl-lift-reason">{t(OfficeMsg::BlLiftReason)}</label>
            <input id="bl-lift-reason" prop:value=lift_reason on:input=move |ev| lift_reason.set(event_target_value(&ev)) />
            <ErrorLine error=lift_err />
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="list" id="blacklist">
                                <thead><tr><th>{t(OfficeMsg::BlKind)}</th><th>{t(OfficeMsg::BlValue)}</th><th>{t(OfficeMsg::BlReason)}</th><th>{t(Msg::Actor)}</th><th>{t(OfficeMsg::Time)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let id = r.id.clone();
                                        let lifted = r.lifted.clone();
                                        view! {
                                            <tr class:inactive=r.lifted.is_some()>
                                                <td>{t(r.kind.label())}</td><td>{r.value.clone()}</td><td>{r.reason.clone()}</td>
                                                <td>{r.added_by.clone()}</td><td>{r.added_at.clone()}</td>
                                                <td>{match lifted {
                                                    Some(l) => view! { <span class="muted small">{t(OfficeMsg::BlLifted)} " " {l}</span> }.into_any(),
                                                    None => view! { <button class="link" on:click=move |_| { lift.dispatch(LiftBlacklist { id: id.clone(), reason: lift_reason.get_untracked() }); }>{t(OfficeMsg::BlLift)}</button> }.into_any(),
                                                }}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn RulesPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><h1 class="page-title">{t(Msg::Rules)}</h1><ReasonsEditor /><VehicleRulesEditor /><PoliciesEditor /></AdminOnly> }
}

#[component]
fn ReasonsEditor() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveReason>::new();
    let list = resource(move || save.version().get(), |_| list_reasons());
    let name = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let category = RwSignal::new(ReasonCategory::Official);
    let err = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <section class="card">
            <h2>{t(OfficeMsg::VisitReasons)}</h2>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="list">
                                <thead><tr><th>{t(OfficeMsg::Name)}</th><th>{t(OfficeMsg::NameEn)}</th><th>{t(OfficeMsg::ReasonCategoryLabel)}</th><th>{t(Msg::Status)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                <tbody>{rows.into_iter().map(|r| {
                                    let toggled = ReasonView { active: !r.active, ..r.clone() };
                                    view! { <tr class:inactive=!r.active>
                                        <td>{r.name.clone()}</td><td>{r.name_en.clone()}</td><td>{t(r.category.label())}</td>
                                        <td>{if r.active { t(Msg::Active) } else { t(Msg::Inactive) }}</td>
                                        <td><button class="link" on:click=move |_| { save.dispatch(SaveReason { reason: toggled.clone() }); }>
                                            {if r.active { t(OfficeMsg::Deactivate) } else { t(OfficeMsg::Activate) }}</button></td>
                                    </tr> }
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <form on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveReason { reason: ReasonView { id: String::new(), name: name.get_untracked(), name_en: name_en.get_untracked(), category: category.get_untracked(), active: true } });
            }>
                <div class="row">
                    <input placeholder=t(OfficeMsg::Name) aria-label=t(OfficeMsg::Name) prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                    <input placeholder=t(OfficeMsg::NameEn) aria-label=t(OfficeMsg::NameEn) prop:value=name_en on:input=move |ev| name_en.set(event_target_value(&ev)) />
                    <select aria-label=t(OfficeMsg::ReasonCategoryLabel) on:change=move |ev| category.set(ReasonCategory::from_code(&event_target_value(&ev)).unwrap_or(ReasonCategory::Official))>
                        <option value="official">{t(Msg::ReasonOfficial)}</option>
                        <option value="private">{t(Msg::ReasonPrivate)}</option>
                    </select>
                </div>
                <ErrorLine error=err />
                <button type="submit" class="primary">{t(OfficeMsg::Add)}</button>
            </form>
        </section>
    }
}

#[component]
fn PoliciesEditor() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SavePolicy>::new();
    let list = resource(move || save.version().get(), |_| list_policies());
    let depts = resource(|| (), |_| crate::directory::list_departments());
    let err = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <section class="card">
            <h2>{t(OfficeMsg::PassPolicies)}</h2>
            <p class="muted small">{t(OfficeMsg::PassPoliciesHint)}</p>
            <ErrorLine error=err />
            <Show when=saved><p class="ok">{t(OfficeMsg::Saved)}</p></Show>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let departments = depts.await.unwrap_or_default();
                    match list.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(policies) => policies.into_iter().map(|p| {
                            let max_days = RwSignal::new(p.dates.max_days.to_string());
                            let ahead = RwSignal::new(p.dates.max_days_ahead.to_string());
                            let deadline = RwSignal::new(p.dates.next_day_deadline.map(|d| d.format("%H:%M").to_string()).unwrap_or_default());
                            let same_day = RwSignal::new(p.dates.same_day);
                            let vehicles = RwSignal::new(p.vehicles_allowed);
                            let face = RwSignal::new(p.face_photo);
                            let chain = RwSignal::new(p.chain.clone());
                            let single_use = RwSignal::new(p.single_use);
                            let guard_doc = RwSignal::new(p.guard_document);
                            let every = RwSignal::new(p.household_every_days.to_string());
                            let residents = p.kind == PassKind::ResidentDay;
                            let applicants = RwSignal::new(p.applicants);
                            let offered = crate::domain::policy::Applicants::offered_for(p.kind);
                            let departments = departments.clone();
                            let base = p.clone();
                            // Each kind's fields have ids of their own, for their labels.
                            let id = move |field: &str| format!("policy-{}-{field}", p.kind.code());
                            let dept_name = {
                                let departments = departments.clone();
                                move |id: &str| departments.iter().find(|d| d.id == id).map(|d| d.name.clone()).unwrap_or_else(|| id.to_owned())
                            };
                            view! {
                                <h3>{t(p.kind.label())}</h3>
                                {if offered.len() > 1 {
                                    view! {
                                        <label for=id("applicants")>{t(OfficeMsg::WhoApplies)}</label>
                                        <select id=id("applicants") on:change=move |ev| {
                                            let v = event_target_value(&ev);
                                            if let Some(a) = offered.iter().copied().find(|a| a.code() == v) { applicants.set(a); }
                                        }>
                                            {offered.iter().copied().map(|a| view! {
                                                <option value=a.code() selected=move || applicants.get() == a>{t(applicants_label(a))}</option>
                                            }).collect_view()}
                                        </select>
                                    }.into_any()
                                } else {
                                    view! { <p class="small muted">{t(OfficeMsg::WhoApplies)} ": " {t(applicants_label(p.applicants))}</p> }.into_any()
                                }}
                                <div class="row">
                                    <div class="grow"><label for=id("max-days")>{t(OfficeMsg::MaxDays)}</label><input id=id("max-days") type="number" min="1" prop:value=max_days on:input=move |ev| max_days.set(event_target_value(&ev)) /></div>
                                    <div class="grow"><label for=id("ahead")>{t(OfficeMsg::MaxDaysAhead)}</label><input id=id("ahead") type="number" min="0" prop:value=ahead on:input=move |ev| ahead.set(event_target_value(&ev)) /></div>
                                    <div class="grow"><label for=id("deadline")>{t(OfficeMsg::NextDayDeadline)}</label><input id=id("deadline") type="time" prop:value=deadline on:input=move |ev| deadline.set(event_target_value(&ev)) /></div>
                                </div>
                                <label class="check"><input type="checkbox" prop:checked=same_day on:change=move |ev| same_day.set(event_target_checked(&ev)) />{t(OfficeMsg::SameDayAllowed)}</label>
                                <label class="check"><input type="checkbox" prop:checked=vehicles on:change=move |ev| vehicles.set(event_target_checked(&ev)) />{t(OfficeMsg::VehiclesAllowed)}</label>
                                <label class="check"><input type="checkbox" prop:checked=single_use on:change=move |ev| single_use.set(event_target_checked(&ev)) />{t(OfficeMsg::SingleUsePolicy)}</label>
                                {residents.then(|| view! {
                                    <label for=id("every")>{t(OfficeMsg::HouseholdEveryDays)}</label>
                                    <input id=id("every") type="number" min="0" max="30" prop:value=every on:input=move |ev| every.set(event_target_value(&ev)) />
                                })}
                                <label for=id("guard-doc")>{t(OfficeMsg::GuardChecks)}</label>
                                <select id=id("guard-doc") on:change=move |ev| guard_doc.set(GuardDocument::from_code(&event_target_value(&ev)).unwrap_or_default())>
                                    {GuardDocument::ALL.into_iter().map(|g| view! {
                                        <option value=g.code() selected=move || guard_doc.get() == g>{t(guard_label(g))}</option>
                                    }).collect_view()}
                                </select>
                                <label for=id("face")>{t(Msg::FacePhotoField)}</label>
                                <select id=id("face") on:change=move |ev| face.set(match event_target_value(&ev).as_str() {
                                    "required" => FieldNeed::Required, "hidden" => FieldNeed::Hidden, _ => FieldNeed::Optional })>
                                    <option value="optional" selected=move || face.get() == FieldNeed::Optional>{t(OfficeMsg::FieldOptional)}</option>
                                    <option value="required" selected=move || face.get() == FieldNeed::Required>{t(OfficeMsg::FieldRequired)}</option>
                                    <option value="hidden" selected=move || face.get() == FieldNeed::Hidden>{t(OfficeMsg::FieldHidden)}</option>
                                </select>
                                <p><strong>{t(Msg::ApprovalSteps)}</strong></p>
                                <ol class="steps">
                                    {let departments = departments.clone(); move || chain.get().into_iter().enumerate().map(|(i, s)| {
                                        let label = match &s.approver {
                                            StepApprover::Host => Msg::StepHost.text(i18n.lang()).to_owned(),
                                            StepApprover::HostDepartment => OfficeMsg::StepHostDepartment.text(i18n.lang()).to_owned(),
                                            StepApprover::Department { department_id } => format!("{}: {}", Msg::StepDepartment.text(i18n.lang()), dept_name(department_id)),
                                            StepApprover::ChosenByPrevious => Msg::StepChosen.text(i18n.lang()).to_owned(),
                                            _ => "—".to_owned(),
                                        };
                                        let skipped: Vec<String> = s.skipped_for.iter().map(|d| dept_name(d)).collect();
                                        let skip_choices = departments.clone();
                                        view! { <li>{label} " " <button class="link danger" on:click=move |_| chain.update(|c| { c.remove(i); })>{t(Msg::Remove)}</button>
                                            {(!skipped.is_empty()).then(|| view! { <p class="small muted">{t(OfficeMsg::SkippedFor)} ": " {skipped.join("、")}
                                                <button class="link" on:click=move |_| chain.update(|c| c[i].skipped_for.clear())>{t(OfficeMsg::ClearSkips)}</button></p> })}
                                            <select class="small" aria-label=t(OfficeMsg::SkipForDepartment) on:change=move |ev| {
                                                let d = event_target_value(&ev);
                                                if !d.is_empty() { chain.update(|c| if !c[i].skipped_for.contains(&d) { c[i].skipped_for.push(d) }); }
                                            }>
                                                <option value="">{t(OfficeMsg::SkipForDepartment)}</option>
                                                {skip_choices.iter().map(|d| view! { <option value=d.id.clone()>{d.name.clone()}</option> }).collect_view()}
                                            </select>
                                        </li> }
                                    }).collect_view()}
                                </ol>
                                <div class="row">
                                    <select aria-label=t(OfficeMsg::AddStep) on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        let approver = match v.as_str() {
                                            "" => return,
                                            "host" => StepApprover::Host,
                                            "host_department" => StepApprover::HostDepartment,
                                            "chosen" => StepApprover::ChosenByPrevious,
                                            id => StepApprover::Department { department_id: id.to_owned() },
                                        };
                                        chain.update(|c| c.push(ApprovalStep { approver, skipped_for: vec![] }));
                                    }>
                                        <option value="">{t(OfficeMsg::AddStep)}</option>
                                        <option value="host">{t(Msg::StepHost)}</option>
                                        <option value="host_department">{t(OfficeMsg::StepHostDepartment)}</option>
                                        <option value="chosen">{t(Msg::StepChosen)}</option>
                                        {departments.iter().map(|d| view! { <option value=d.id.clone()>{d.name.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <button class="primary" on:click=move |_| {
                                    let mut p = base.clone();
                                    p.dates.max_days = max_days.get_untracked().trim().parse().unwrap_or(0);
                                    p.dates.max_days_ahead = ahead.get_untracked().trim().parse().unwrap_or(0);
                                    p.dates.next_day_deadline = chrono::NaiveTime::parse_from_str(deadline.get_untracked().trim(), "%H:%M").ok();
                                    p.dates.same_day = same_day.get_untracked();
                                    p.vehicles_allowed = vehicles.get_untracked();
                                    p.face_photo = face.get_untracked();
                                    p.chain = chain.get_untracked();
                                    p.single_use = single_use.get_untracked();
                                    p.applicants = applicants.get_untracked();
                                    p.guard_document = guard_doc.get_untracked();
                                    p.household_every_days = every.get_untracked().trim().parse().unwrap_or(0);
                                    save.dispatch(SavePolicy { policy: p });
                                }>{t(Msg::Save)}</button>
                            }
                        }).collect_view().into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn applicants_label(a: crate::domain::policy::Applicants) -> OfficeMsg {
    use crate::domain::policy::Applicants;
    match a {
        Applicants::Anyone => OfficeMsg::ApplicantsAnyone,
        Applicants::Residents => OfficeMsg::ApplicantsResidents,
        Applicants::StaffThemselves => OfficeMsg::ApplicantsStaffThemselves,
        Applicants::StaffForOthers => OfficeMsg::ApplicantsStaffForOthers,
        Applicants::TempPersonnel => OfficeMsg::ApplicantsTempPersonnel,
    }
}

/// What the guard is told to check, as the rules page names it.
pub fn guard_label(g: GuardDocument) -> Msg {
    match g {
        GuardDocument::OnRecord => Msg::GuardOnRecord,
        GuardDocument::IdOrResidenceProof => Msg::CheckResidenceProof,
        GuardDocument::WorkCard => Msg::CheckWorkCard,
    }
}
